"""CASE-4 cc (抄送) and the read access it grants: that case only, reading only."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from approvals.access import CaseAccess
from audit.models import AuditEvent
from casework.selectors import cc_cases_for
from notifications.models import OutboxMessage
from tests.orgdata import employee
from workflows.leave import LeaveFlow

from .helpers import client_for, footprint, get, leave, post

pytestmark = pytest.mark.django_db


def _cc(org, case, people, expect=200, by=None):
    return post(
        by or org.lead,
        f"leaves/{case['id']}/cc/",
        {"people": people, "comment": "供参考"},
        expect=expect,
    )


def test_a_reviewer_copies_a_colleague_in_who_is_told(org):
    """CASE-4: a grant, audit "cc" with the comment, a notice; the case lists who was copied."""
    case = leave(org.agent)
    data = _cc(org, case, [org.colleague.pk])
    assert data["cc"] == [{"name": "colleague", "at": data["cc"][0]["at"], "by": "lead"}]
    assert CaseAccess.objects.filter(employee=org.colleague, reason="cc").count() == 1
    event = AuditEvent.objects.get(action="cc")
    assert (event.comment, event.data, event.rules) == (
        "供参考",
        {"people": [org.colleague.pk]},
        ["CASE-4"],
    )
    mail = OutboxMessage.objects.get(template="case_cc")
    assert mail.recipient == org.colleague.user and "供参考" in mail.body_text


def test_the_copied_in_reads_that_case_and_nothing_else(org):
    """CASE-4: another leave of the same employee and the employee's assessments stay 404."""
    case = leave(org.agent)
    other = leave(org.agent, day=10)
    _cc(org, case, [org.colleague.pk])
    get(org.colleague, f"leaves/{case['id']}/")
    get(org.colleague, f"leaves/{other['id']}/", expect=404)
    get(org.colleague, f"employees/{org.agent.pk}/assessments/", expect=404)
    get(org.colleague, f"employees/{org.agent.pk}/", expect=404)


def test_reading_never_grants_acting(org):
    """CASE-4: the copied-in gets no available actions, no casework and a 403 on a decision."""
    case = leave(org.agent)
    _cc(org, case, [org.colleague.pk])
    seen = get(org.colleague, f"leaves/{case['id']}/")
    assert (seen["available_actions"], seen["casework_actions"]) == ([], [])
    body = post(org.colleague, f"leaves/{case['id']}/approve/", {"comment": "x"}, expect=403)
    assert body["code"] == "not_department_lead"


def test_a_party_of_the_case_does_not_copy_others_in(org):
    case = leave(org.agent)
    before = footprint()
    body = _cc(org, case, [org.colleague.pk], expect=403, by=org.agent)
    assert (body["code"], body["rule"]) == ("own_request", "CASE-4")
    assert footprint() == before


def test_someone_who_only_reads_the_case_does_not_copy_others_in(org):
    case = leave(org.agent)
    _cc(org, case, [org.colleague.pk])
    body = _cc(org, case, [org.other_dept_agent.pk], expect=403, by=org.colleague)
    assert (body["code"], body["rule"]) == ("not_reviewer", "CASE-4")


def test_the_gm_office_copies_in_without_holding_a_step(org):
    case = leave(org.agent)
    _cc(org, case, [org.colleague.pk], by=org.gm)
    assert CaseAccess.objects.filter(employee=org.colleague).exists()


def test_unknown_people_are_refused_by_id_only(org):
    """CASE-4: an unknown or inactive id is named by its id, never by a name."""
    case = leave(org.agent)
    gone = employee("gone", department=org.cs, name="离职员工")
    gone.user.is_active = False
    gone.user.save()
    before = footprint()
    body = _cc(org, case, [org.colleague.pk, 999999, gone.pk], expect=400)
    assert (body["code"], body["rule"]) == ("unknown_people", "CASE-4")
    assert "999999" in body["detail"] and str(gone.pk) in body["detail"]
    assert "离职员工" not in body["detail"] and "gone" not in body["detail"]
    assert footprint() == before


@pytest.mark.parametrize("people", [[], "3", [True], ["x"], None])
def test_people_must_be_a_list_of_ids(org, people):
    case = leave(org.agent)
    assert _cc(org, case, people, expect=400)["code"] == "invalid_people"


def test_at_most_20_people_at_once(org):
    case = leave(org.agent)
    body = _cc(org, case, list(range(1, 22)), expect=400)
    assert (body["code"], body["rule"]) == ("too_many_people", "CASE-4")


def test_those_already_copied_in_are_left_out(org):
    case = leave(org.agent)
    _cc(org, case, [org.colleague.pk])
    data = _cc(org, case, [org.colleague.pk, org.agent.pk])
    assert len(data["cc"]) == 1
    assert AuditEvent.objects.filter(action="cc").count() == 1
    assert OutboxMessage.objects.filter(template="case_cc").count() == 1


def test_copied_to_me_lists_the_cases_with_when_and_by_whom(org):
    first, second = leave(org.agent), leave(org.agent, day=10)
    _cc(org, first, [org.colleague.pk])
    _cc(org, second, [org.colleague.pk], by=org.gm)
    rows = cc_cases_for(org.colleague.user)
    assert [(r["case_id"], r["by"], r["resource"]) for r in rows] == [
        (second["id"], "gm", "leaves"),
        (first["id"], "lead", "leaves"),
    ]
    assert cc_cases_for(org.agent.user) == []


def _queries(call) -> int:
    with CaptureQueriesContext(connection) as queries:
        call()
    return len(queries)


def test_visibility_with_access_grants_is_one_query_however_many(org):
    """CASE-4: the grants join the visibility as a subquery, not one query per grant."""
    cases = [leave(org.agent, day=d) for d in (9, 10, 11, 12)]
    user = org.colleague.user
    _cc(org, cases[0], [org.colleague.pk])
    list(LeaveFlow.instance.visible_cases(user))  # the user's permissions, cached from now on
    one = _queries(lambda: list(LeaveFlow.instance.visible_cases(user)))
    for case in cases[1:]:
        _cc(org, case, [org.colleague.pk])
    assert len(list(LeaveFlow.instance.visible_cases(user))) == 4
    assert _queries(lambda: list(LeaveFlow.instance.visible_cases(user))) == one


def test_a_case_list_with_casework_stays_constant_in_queries(org):
    """CASE-4/5: copied-in people, comments and consultations of each case are read in a
    constant number of queries for the whole list."""
    client = client_for(org.lead)
    cases = [leave(org.agent, day=d) for d in (9, 10, 11, 12)]

    def work(case):
        _cc(org, case, [org.colleague.pk])
        post(org.lead, f"leaves/{case['id']}/comment/", {"body": "看一下"})
        post(org.lead, f"leaves/{case['id']}/consult/", {"to": org.colleague.pk, "question": "?"})

    work(cases[0])
    one = _queries(lambda: client.get("/api/v1/leaves/"))
    for case in cases[1:]:
        work(case)
    listed = client.get("/api/v1/leaves/").json()
    assert [len(c["comments"]) for c in listed] == [1, 1, 1, 1]
    assert _queries(lambda: client.get("/api/v1/leaves/")) == one
