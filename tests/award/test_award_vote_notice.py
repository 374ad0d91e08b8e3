"""AWARD-2: opening the department vote tells everyone who may vote (mail and in-app notice),
through the outbox: one event in the opening's transaction, the notices queued by the sweep in
each recipient's language, once. Who may vote is who `check_voter` and `award_vote` admit: every
active member of the department, the lead and the candidates included, but not a candidate who
is the only eligible one (they have nobody to vote for)."""

import pytest
import time_machine
from django.core import mail
from django.utils import timezone

from approvals.award.models import Award
from approvals.award.services import call_to_vote
from approvals.deadlines import Deadline
from approvals.events import OutboxEvent
from notifications.models import Notice, OutboxMessage
from notifications.services import deliver_outbox
from org.models import Employee
from tests.award.helpers import NOV_10, act, api, close_month, open_award, read, voters
from tests.events import dispatched
from tests.factories import DepartmentFactory
from tests.orgdata import build_org, employee

pytestmark = pytest.mark.django_db

TEMPLATE = "award_vote_opened"


@pytest.fixture
def org():
    with time_machine.travel(NOV_10, tick=False):
        org = build_org()
        org.voters = voters(org)
        close_month(org.cs)
        yield org


def members(department):
    return Employee.objects.filter(department=department).select_related("user")


def open_department(org, department):
    response = api(org.admin).post(
        "/api/v1/awards/", {"department": department.pk, "month": "2026-10"}, format="json"
    )
    assert response.status_code == 201, response.json()
    return response.json()["id"]


def told_by_mail():
    return sorted(
        OutboxMessage.objects.filter(template=TEMPLATE).values_list("recipient", flat=True)
    )


def told_in_app():
    return sorted(Notice.objects.filter(template=TEMPLATE).values_list("recipient", flat=True))


def vote_events(case_id):
    return [
        e
        for e in OutboxEvent.objects.all()
        if e.data.get("case_type") == "award"
        and e.data.get("case_id") == case_id
        and e.data.get("action") == "open-vote"
    ]


def test_award2_opening_the_vote_tells_every_member_who_may_vote_once(org):
    quiet = employee("quiet", department=org.cs, level=None)  # off the ladder: votes, no candidacy
    quiet.user.email = ""
    quiet.user.save()
    gone = employee("gone", department=org.cs, level=None)
    gone.user.is_active = False
    gone.user.save()
    case_id = open_award(org)["id"]
    act(org.admin, case_id, "open-vote")
    # In the opening's transaction: one outbox event, no mail and no notice yet.
    assert len(vote_events(case_id)) == 1
    assert told_by_mail() == [] and told_in_app() == []
    with dispatched():
        pass
    may_vote = {e.user.pk for e in members(org.cs)} - {gone.user.pk}
    # The lead, the candidates and the voters without a candidacy; nobody of another
    # department, not the opener, not an inactive user; a user without an address gets the
    # notice only.
    assert set(told_in_app()) == may_vote and len(told_in_app()) == len(may_vote)
    assert set(told_by_mail()) == may_vote - {quiet.user.pk}
    assert len(told_by_mail()) == len(may_vote) - 1
    assert org.lead.user.pk in may_vote and org.agent.user.pk in may_vote
    for outsider in (org.other_dept_agent, org.gm, org.admin, gone):
        assert outsider.user.pk not in told_in_app()
    notice = Notice.objects.get(template=TEMPLATE, recipient=org.agent.user)
    assert notice.url == f"/awards/{case_id}/"
    # A second sweep, the event handled again, or the vote opened a second time: nothing twice.
    before = (OutboxMessage.objects.count(), Notice.objects.count())
    with dispatched():
        act(org.admin, case_id, "open-vote", expect=409)
    call_to_vote(Award.objects.select_related("department").get(pk=case_id))
    assert (OutboxMessage.objects.count(), Notice.objects.count()) == before
    assert len(vote_events(case_id)) == 1


def test_award2_refused_openings_tell_nobody(org):
    case_id = open_award(org)["id"]
    with dispatched():
        act(org.lead, case_id, "open-vote", expect=403)
        act(org.voters[0], case_id, "open-vote", expect=404)  # not theirs to read yet
    assert vote_events(case_id) == []
    assert told_by_mail() == [] and told_in_app() == []
    assert Award.objects.get(pk=case_id).state == "opened"


def test_award2_no_candidates_refused_and_nobody_told(org):
    from tests.award.test_candidates import leave

    dept = DepartmentFactory(code="solo", name="Solo")
    alone = employee("alone", department=dept)
    close_month(dept)
    leave(alone, "sick")  # AWARD-1: nobody qualifies
    case_id = open_department(org, dept)
    with dispatched():
        body = act(org.admin, case_id, "open-vote", expect=400)
    assert body["code"] == "no_candidates"
    assert vote_events(case_id) == [] and told_in_app() == []


def test_award2_the_only_eligible_candidate_is_not_told(org):
    """A candidate may vote, but never for themselves: the only eligible one has no ballot to
    cast, and is not asked to."""
    dept = DepartmentFactory(code="two", name="Two")
    candidate = employee("only", department=dept)
    helper = employee("helper", department=dept, level=None)  # off the ladder: no candidacy
    close_month(dept)
    case_id = open_department(org, dept)
    with dispatched():
        act(org.admin, case_id, "open-vote")
    assert told_in_app() == [helper.user.pk]
    assert told_by_mail() == [helper.user.pk]
    assert candidate.user.pk not in told_in_app()
    # As award_vote has it: the only candidate's ballot is refused (never for oneself).
    refused = act(candidate, case_id, "vote", {"candidate": candidate.pk}, expect=400)
    assert refused["code"] == "own_vote"


def test_award2_the_mail_in_each_recipients_language(org, settings):
    settings.SITE_URL = "https://hr.example.com"
    Employee.objects.filter(pk=org.agent.pk).update(language="en")
    Employee.objects.filter(pk=org.colleague.pk).update(language="zh-hans")
    case_id = open_award(org)["id"]
    with dispatched():
        act(org.admin, case_id, "open-vote")
    deliver_outbox()
    subjects = set(
        OutboxMessage.objects.filter(template=TEMPLATE).values_list("subject", flat=True)
    )
    sent = {m.to[0]: m for m in mail.outbox if m.subject in subjects}
    assert len(sent) == len(told_by_mail())
    due = Deadline.objects.get(case_type="award", case_id=case_id, name="vote").due_at
    due = f"{timezone.localtime(due):%Y-%m-%d %H:%M}"
    url = f"https://hr.example.com/awards/{case_id}/"
    count = str(len([c for c in open_read(org, case_id) if c["eligible"]]))

    en = sent[org.agent.user.email]
    assert en.subject == "Department vote open: excellent employee of 2026-10, 客服部"
    assert en.body.startswith("Hello agent,")
    assert f"excellent employee of 2026-10 in 客服部 is open, with {count} candidate(s)" in en.body
    assert "nobody can tell how you voted (AWARD-2)" in en.body
    assert f"The vote is due to close by {due} (company time)." in en.body
    assert f"Vote here: {url}" in en.body

    zh = sent[org.colleague.user.email]
    assert zh.subject == "部门投票已开启：客服部 2026-10 月度优秀员工"
    assert zh.body.startswith("colleague，您好：")
    assert f"客服部 2026-10 月度优秀员工的部门内部匿名评选已开启，共 {count} 名候选人" in zh.body
    assert f"投票应于 {due}（公司时间）前结束。" in zh.body
    assert f"前往投票： {url}" in zh.body
    # The in-app notice carries the subject, in the recipient's language.
    assert Notice.objects.get(template=TEMPLATE, recipient=org.agent.user).title == en.subject
    assert Notice.objects.get(template=TEMPLATE, recipient=org.colleague.user).title == zh.subject
    # No message names anyone but its recipient (no ballot is cast yet, none is told of).
    for message in sent.values():
        for v in org.voters:
            if message.to[0] != v.user.email:
                assert v.name not in message.body and v.user.username not in message.body


def open_read(org, case_id):
    return read(org.admin, case_id)["candidates"]


def test_award2_no_due_time_when_none_is_ahead(org):
    case_id = open_award(org)["id"]
    Deadline.objects.filter(case_type="award", case_id=case_id).delete()
    Employee.objects.filter(pk=org.agent.pk).update(language="en")
    with dispatched():
        act(org.admin, case_id, "open-vote")
    deliver_outbox()
    body = next(m.body for m in mail.outbox if m.to[0] == org.agent.user.email)
    assert "candidate(s)" in body and "due to close" not in body


def test_award2_a_vote_closed_before_the_sweep_tells_nobody(org):
    case_id = open_award(org)["id"]
    act(org.admin, case_id, "open-vote")
    for v in org.voters:
        act(v, case_id, "vote", {"candidate": org.agent.pk})
    with dispatched():
        act(org.admin, case_id, "close-vote")
    assert told_in_app() == [] and told_by_mail() == []


def test_only_the_awards_open_vote_is_written_to_the_outbox():
    """The call to vote listens to the award's "open-vote" alone: the promotion's vote opening
    (PROMO-3.2, no message to voters as such) writes no outbox event nobody reads."""
    from approvals.events import is_listened

    assert is_listened("open-vote", "award")
    assert not is_listened("open-vote", "promotion")
    assert is_listened("approve", "promotion") and is_listened("approve", "award")
