"""Issue 11: the role × endpoint × case-owner matrix of the REST API.

Every operation of the served schema (so a new route cannot be left out:
test_the_matrix_covers_every_api_operation) is called by every actor around a case — its owner,
an employee of the same department, one of another department, the trainer, the department
lead, another department's lead, administration, the GM office and an anonymous caller — on a
fresh case in the state the action needs. ROWS says, per operation, the rule and who may act:
that actor gets 2xx; anyone else who may read the case gets 403 with a code; anyone who may not
read it 404 (never 200 for a foreign case); anonymous 401; nobody ever 5xx.
"""

import base64
import datetime as dt
from dataclasses import dataclass, field

import pytest
import time_machine
from drf_spectacular.generators import SchemaGenerator
from rest_framework.test import APIClient

from notifications.models import Notice
from tests.orgdata import employee, give_scores
from tests.penalty.helpers import local

START = local(2026, 3, 2, 10, 0)  # a Monday
ACTORS = (
    "owner",
    "colleague",
    "outsider",
    "trainer",
    "lead",
    "other_lead",
    "admin",
    "gm",
    "anonymous",
)
OVERSIGHT = {"admin", "gm"}  # read every case (their selectors)
PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="
)


@dataclass
class World:
    org: object
    people: dict
    owner: object = None
    ids: dict = field(default_factory=dict)

    def __getattr__(self, name):
        return self.people[name]


def client(person) -> APIClient:
    c = APIClient()
    if person is not None:
        c.force_authenticate(person.user)
    return c


def call(person, method, path, body=None, multipart=False):
    c = client(person)
    if method == "get":
        return c.get(path)
    if multipart:
        return c.post(path, body or {}, format="multipart")
    return c.post(path, body or {}, format="json")


def ok(person, path, body=None):
    response = call(person, "post", path, body)
    assert response.status_code in (200, 201), (path, response.json())
    return response.json()


# --- states (each returns the path parameters; the world's owner is the case's employee) ------


def promotion_submitted(w):
    w.owner = w.org.agent
    case = ok(w.owner, "/api/v1/promotions/", {"target_level": "intermediate", "statement": "申请"})
    return {"id": case["id"]}


def promotion_vote_open(w):
    p = promotion_submitted(w)
    ok(w.lead, f"/api/v1/promotions/{p['id']}/open-vote/")
    return p


def promotion_nominated(w):
    p = promotion_submitted(w)
    ok(w.lead, f"/api/v1/promotions/{p['id']}/nominate/", {"comment": "推荐"})
    return p


def promotion_approved(w):
    p = promotion_nominated(w)
    ok(w.gm, f"/api/v1/promotions/{p['id']}/approve/", {"comment": "同意"})
    return p


def _panel(w):
    return [w.admin.pk, w.org.panel[1].pk, w.trainer.pk]


def promotion_defence(w):
    p = promotion_approved(w)
    # Held at the cell's own moment: a defence is scored only from its scheduled time
    # (issue 11, finding 10), and the cell's request is made at START.
    at = START.isoformat()
    ok(w.admin, f"/api/v1/promotions/{p['id']}/schedule-defence/", {"at": at, "panel": _panel(w)})
    return p


def promotion_defence_scored(w):
    p = promotion_defence(w)
    with time_machine.travel(START + dt.timedelta(hours=1), tick=False):
        for member in (w.admin, w.org.panel[1], w.trainer):
            ok(member, f"/api/v1/promotions/{p['id']}/score-defence/", {"score": 80})
    return p


def leave_pending(w):
    w.owner = w.org.agent
    body = {
        "kind": "personal",
        "start": local(2026, 3, 9, 9, 0).isoformat(),
        "end": local(2026, 3, 9, 18, 0).isoformat(),
        "reason": "家中有事",
    }
    return {"id": ok(w.owner, "/api/v1/leaves/", body)["id"]}


def swap_awaiting_consent(w):
    w.owner = w.org.agent
    body = {
        "colleague": w.colleague.pk,
        "shift_start": "2026-03-05T09:00:00+08:00",
        "shift_end": "2026-03-05T18:00:00+08:00",
        "colleague_shift_start": "2026-03-06T09:00:00+08:00",
        "colleague_shift_end": "2026-03-06T18:00:00+08:00",
        "reason": "家里有事",
    }
    return {"id": ok(w.owner, "/api/v1/shift-swaps/", body)["id"]}


def swap_awaiting_approval(w):
    p = swap_awaiting_consent(w)
    ok(w.colleague, f"/api/v1/shift-swaps/{p['id']}/consent/", {"comment": "好"})
    return p


def punch_pending(w):
    w.owner = w.org.agent
    body = {"missed_at": local(2026, 3, 1, 9, 0).isoformat(), "reason": "忘记打卡"}
    return {"id": ok(w.owner, "/api/v1/punch-corrections/", body)["id"]}


def penalty_served(w, sanction="written_warning"):
    w.owner = w.org.agent
    body = {
        "employee": w.owner.pk,
        "facts": "2026-03-02 迟到 25 分钟",
        "rule": "考勤制度 第3条",
        "sanction": sanction,
        "evidence": "打卡记录截图",
    }
    return {"id": ok(w.lead, "/api/v1/penalties/", body)["id"]}


WITNESSES = ("colleague", "trainer")  # PEN-3: neither the issuer nor the employee


def penalty_refused(w):
    p = penalty_served(w)
    body = {"witnesses": [w.people[n].pk for n in WITNESSES]}
    ok(w.lead, f"/api/v1/penalties/{p['id']}/refuse-to-sign/", body)
    return p


def penalty_refused_unnamed(w):
    p = penalty_served(w)
    ok(w.owner, f"/api/v1/penalties/{p['id']}/refuse-to-sign/", {})
    return p


def penalty_objected(w):
    p = penalty_served(w)
    ok(w.owner, f"/api/v1/penalties/{p['id']}/object/", {"reason": "我有异议"})
    return p


def penalty_objected_claimed(w):
    """APPEAL-2: the objection waits in the GM office's queue; the GM office claims it."""
    from workflows.inbox import inbox_for

    p = penalty_objected(w)
    [row] = [r for r in inbox_for(w.gm.user) if r["case_id"] == p["id"]]
    ok(w.gm, f"/api/v1/inbox/{row['task_id']}/claim/")
    return p


def penalty_raised(w):
    """APPEAL-4: a refused slip raised to final warning, both witnesses signed: GM approval."""
    p = penalty_refused(w)
    ok(w.lead, f"/api/v1/penalties/{p['id']}/escalate/", {"to": "final_warning", "reason": "拒签"})
    for name in WITNESSES:
        ok(w.people[name], f"/api/v1/penalties/{p['id']}/witness/")
    with time_machine.travel(local(2026, 3, 6, 0, 0), tick=False):
        from viewflow.workflow.timers import fire_due_timers

        fire_due_timers()  # APPEAL-1: the objection window lapses
    return p


def probation_open(w):
    from workflows.probation import probation_start

    w.owner = employee("newbie", department=w.org.cs, level="probationer")
    w.owner.hired_on = dt.date(2026, 1, 10)
    w.owner.save()
    with time_machine.travel(local(2026, 1, 10, 10, 0), tick=False):
        return {"id": probation_start(employee=w.owner).pk}


def probation_examined(w):
    p = probation_open(w)
    ok(w.trainer, f"/api/v1/probations/{p['id']}/record-exam/", {"passed": True, "score": 88})
    return p


def probation_assessed(w):
    p = probation_examined(w)
    body = {"outcome": "convert", "reason": "表现良好"}
    ok(w.lead, f"/api/v1/probations/{p['id']}/assess/", body)
    return p


def probation_approved(w):
    p = probation_assessed(w)
    ok(w.gm, f"/api/v1/probations/{p['id']}/approve/", {"comment": "同意"})
    return p


def consulted(state, resource, holder="lead"):
    """The case in `state`, its step holder asking the trainer's opinion (CASE-2)."""

    def setup(w):
        p = state(w)
        body = {"to": w.trainer.pk, "question": "?"}
        ok(w.people[holder], f"/api/v1/{resource}/{p['id']}/consult/", body)
        return p

    setup.__name__ = f"{state.__name__}_consulted"
    return setup


def owner_only(w):
    w.owner = w.org.agent
    return {"id": w.owner.pk}


def nothing(w):
    w.owner = w.org.agent
    return {}


def queued_gm_review(w):
    from workflows.inbox import inbox_for

    p = promotion_nominated(w)
    [row] = [r for r in inbox_for(w.gm.user) if r["case_id"] == p["id"]]
    return {"task_id": row["task_id"]}


def own_notice(w):
    w.owner = w.org.agent
    notice = Notice.objects.create(recipient=w.owner.user, title="通知", url="/", template="test")
    return {"id": notice.pk}


def probation_owner(w):
    """PROB-4: a probationer with grade A months and the exam passed, before the end date."""
    from tests.probation.helpers import score

    probation_examined(w)
    score(w.owner, dt.date(2026, 1, 1), 95)
    score(w.owner, dt.date(2026, 2, 1), 96)
    return {}


# --- awards of the month (AWARD-1, AWARD-2): February closed for customer service -----------


def award_month_closed(w):
    from tests.award.helpers import close_month

    w.owner = w.org.panel[1]  # the administration member who opens it (its `employee`)
    close_month(w.org.cs, month=dt.date(2026, 2, 1))
    return {}


def award_opened(w):
    award_month_closed(w)
    body = {"department": w.org.cs.pk, "month": "2026-02"}
    return {"id": ok(w.owner, "/api/v1/awards/", body)["id"]}


def award_voting(w):
    p = award_opened(w)
    ok(w.owner, f"/api/v1/awards/{p['id']}/open-vote/")
    return p


def award_voted(w):
    p = award_voting(w)
    for name in ("lead", "trainer", "colleague"):
        ok(w.people[name], f"/api/v1/awards/{p['id']}/vote/", {"candidate": w.org.agent.pk})
    return p


def award_lead_review(w):
    p = award_voted(w)
    ok(w.owner, f"/api/v1/awards/{p['id']}/close-vote/")
    return p


def award_assessment(w):
    p = award_lead_review(w)
    ok(w.lead, f"/api/v1/awards/{p['id']}/review/", {"decision": "approve"})
    return p


def award_gm_approval(w):
    p = award_assessment(w)
    ok(w.owner, f"/api/v1/awards/{p['id']}/assess/", {"decision": "approve"})
    return p


# --- who reads what (the selectors), for 403 versus 404 ---------------------------------------

LEAD_AND_OVERSIGHT = {"owner", "lead"} | OVERSIGHT
SEES = {
    "promotions": LEAD_AND_OVERSIGHT,
    "leaves": LEAD_AND_OVERSIGHT,
    "punch-corrections": LEAD_AND_OVERSIGHT,
    "shift-swaps": LEAD_AND_OVERSIGHT | {"colleague"},  # SWAP-1: the named colleague
    "penalties": LEAD_AND_OVERSIGHT,
    "probations": LEAD_AND_OVERSIGHT | {"trainer"},  # PROB-2: the trainer examines
    "employees": LEAD_AND_OVERSIGHT,
    "awards": LEAD_AND_OVERSIGHT,  # AWARD-1: the lead their department's (owner: the opener)
}
SEES_IN_STATE = {
    promotion_vote_open: {"colleague", "trainer"},  # PROMO-3.2: the department votes
    promotion_defence: {"trainer"},  # PROMO-3.4: a panel member
    promotion_defence_scored: {"trainer"},
    penalty_refused: set(WITNESSES),  # PEN-3: the named witnesses
    penalty_raised: set(WITNESSES),
    award_voting: {"colleague", "trainer"},  # AWARD-2: the department votes
    award_voted: {"colleague", "trainer"},
}


@dataclass(frozen=True)
class Row:
    rule: str
    setup: object
    allowed: frozenset
    body: object = None  # dict, or a function of the world
    sees: frozenset | None = None  # who reads the case; default: SEES of the resource + state
    kind: str = "case"  # "case", "list" (everyone authenticated 200), "bulk" (per-case results)
    multipart: bool = False
    # Explicit outcomes where the rule answers otherwise than "2xx, else 403/404" (rule-named).
    outcomes: dict = field(default_factory=dict)


def row(rule, setup, allowed, body=None, **kw):
    return Row(rule, setup, frozenset(allowed), body, **kw)


def _casework(
    resource,
    state,
    *,
    holder="lead",
    transfer_to="gm",
    parties=("owner",),
    acted=(),
    also_holds=(),
):
    """CASE-1..6 on a case of `resource` in `state` whose open step `holder` holds; `acted`:
    who else acted on it (a reviewer too); `also_holds`: who holds another open step."""
    base = f"/api/v1/{resource}/{{id}}/"
    reviewers = {holder, *acted} | OVERSIGHT
    holders = {holder, *also_holds}
    # CASE-1: a step only its department's lead may decide has nobody to go to in this
    # organisation: the holder's transfer is refused naming the rule (400 target_cannot_decide);
    # the GM office's step goes to the second GM office member.
    transfer_outcomes = {} if transfer_to == "gm2" else {holder: "400"}
    # Another open step (the employee's signature) has nobody else to go to either.
    transfer_outcomes.update(dict.fromkeys(also_holds, "400"))
    return {
        ("post", base + "transfer/"): row(
            "CASE-1",
            state,
            holders,
            lambda w: {"to": w.people[transfer_to].pk},
            outcomes=transfer_outcomes,
        ),
        ("post", base + "consult/"): row(
            "CASE-2", state, holders, lambda w: {"to": w.trainer.pk, "question": "意见？"}
        ),
        ("post", base + "consult-reply/"): row(
            "CASE-2",
            consulted(state, resource, holder),
            {"trainer"},
            {"answer": "同意"},
            sees=frozenset(SEES[resource] | SEES_IN_STATE.get(state, set()) | {"trainer"}),
        ),
        ("post", base + "urge/"): row("CASE-3", state, {"owner"}),
        ("post", base + "cc/"): row(
            "CASE-4", state, reviewers, lambda w: {"people": [w.other_lead.pk]}
        ),
        ("post", base + "comment/"): row(
            "CASE-5", state, set(parties) | reviewers, {"body": "补充说明"}
        ),
        ("post", base + "attachments/"): row(
            "CASE-6",
            state,
            set(parties) | reviewers,
            lambda w: {"file": _png()},
            multipart=True,
        ),
    }


def _png():
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile("proof.png", PNG, content_type="image/png")


# --- the ledger, pay and attendance findings (issues 13, 14) ----------------------------------


def month_ended(w):
    w.owner = w.org.agent
    return {"month": "2026-02"}


def month_closed(w):
    w.owner = w.org.agent
    ok(w.admin, "/api/v1/months/2026-02/close/")
    return {"month": "2026-02"}


def _absence(w):
    """An absence finding (ATT-2) of the trainer's rostered shift on Friday 2026-02-27 (the
    agent's February stands on an imported score, which takes no booking: SCORE-10)."""
    from approvals.attendance.findings import findings_check
    from approvals.attendance.models import Finding
    from tests.attendance.findings_helpers import shift

    w.owner = w.people["trainer"]
    shift(w.owner, dt.date(2026, 2, 27))
    findings_check(start=dt.date(2026, 2, 27), end=dt.date(2026, 2, 27))
    return Finding.objects.get(employee=w.owner)


def finding_proposed(w):
    return {"id": _absence(w).pk, "decision": "confirm"}


def finding_bulk(w):
    return {"ids": [_absence(w).pk], "decision": "confirm"}


def draft_open(w):
    finding = _absence(w)
    ok(w.people["lead"], f"/api/v1/findings/{finding.pk}/confirm/")
    return {"id": finding.penalty_draft.pk, "action": "discard"}


EVERYONE = set(ACTORS) - {"anonymous"}
P = "/api/v1/promotions/{id}/"
L = "/api/v1/leaves/{id}/"
S = "/api/v1/shift-swaps/{id}/"
U = "/api/v1/punch-corrections/{id}/"
N = "/api/v1/penalties/{id}/"
B = "/api/v1/probations/{id}/"
E = "/api/v1/employees/{id}/"
A = "/api/v1/awards/{id}/"
PANEL = {"admin", "trainer"}  # of the panel (admin1, admin2, trainer), the actors who sit on it

ROWS = {
    # --- promotions (PROMO-*) ---
    ("get", "/api/v1/promotions/"): row("PROMO-3", promotion_submitted, EVERYONE, kind="list"),
    ("post", "/api/v1/promotions/"): row(
        "PROMO-2",  # only the eligible agent; the rest are refused by PROMO-1/2 (400)
        nothing,
        {"owner"},
        {"target_level": "intermediate", "statement": "申请"},
        outcomes=dict.fromkeys(EVERYONE - {"owner"}, "400"),
    ),
    ("get", P): row("PROMO-3", promotion_submitted, SEES["promotions"]),
    ("post", P + "withdraw/"): row("PROMO-4", promotion_submitted, {"owner"}, {"reason": "撤回"}),
    ("post", P + "open-vote/"): row("PROMO-3.2", promotion_submitted, {"lead"}),
    # PROMO-3.2: every member of the department votes, its lead included.
    ("post", P + "vote/"): row(
        "PROMO-3.2", promotion_vote_open, {"colleague", "trainer", "lead"}, {"support": True}
    ),
    ("post", P + "close-vote/"): row("PROMO-3.2", promotion_vote_open, {"lead"}),
    ("post", P + "nominate/"): row("PROMO-3.2", promotion_submitted, {"lead"}, {"comment": "推荐"}),
    ("post", P + "decline/"): row("PROMO-3.2", promotion_submitted, {"lead"}, {"reason": "不足"}),
    ("post", P + "approve/"): row("PROMO-3.3", promotion_nominated, {"gm"}, {"comment": "同意"}),
    ("post", P + "reject/"): row("PROMO-3.3", promotion_nominated, {"gm"}, {"reason": "不同意"}),
    ("post", P + "send-back/"): row("PROMO-3.3", promotion_nominated, {"gm"}, {"reason": "补充"}),
    ("post", P + "schedule-defence/"): row(
        "PROMO-3.4",
        promotion_approved,
        {"admin"},
        lambda w: {"at": (START + dt.timedelta(days=2)).isoformat(), "panel": _panel(w)},
    ),
    ("post", P + "score-defence/"): row(
        "PROMO-3.4", promotion_defence, PANEL, {"score": 80, "notes": "好"}
    ),
    ("post", P + "confirm/"): row("PROMO-3.5", promotion_defence_scored, {"admin"}, {}),
    **_casework("promotions", promotion_submitted),
    # --- leaves (LEAVE-1) ---
    ("get", "/api/v1/leaves/"): row("LEAVE-1", leave_pending, EVERYONE, kind="list"),
    ("post", "/api/v1/leaves/"): row(
        "LEAVE-1",  # anyone asks for their own leave
        nothing,
        EVERYONE,
        {
            "kind": "personal",
            "start": local(2026, 3, 10, 9, 0).isoformat(),
            "end": local(2026, 3, 10, 18, 0).isoformat(),
            "reason": "家中有事",
        },
        sees=frozenset(EVERYONE),
    ),
    ("get", L): row("LEAVE-1", leave_pending, SEES["leaves"]),
    ("post", L + "approve/"): row("LEAVE-1", leave_pending, {"lead"}, {"comment": "同意"}),
    ("post", L + "reject/"): row("LEAVE-1", leave_pending, {"lead"}, {"reason": "人手不足"}),
    ("post", L + "cancel/"): row("LEAVE-1", leave_pending, {"owner"}, {"reason": "不用了"}),
    ("post", "/api/v1/leaves/bulk/{decision}/"): row(
        "CASE-7", leave_pending, {"lead"}, kind="bulk"
    ),
    **_casework("leaves", leave_pending),
    # --- shift swaps (SWAP-1) ---
    ("get", "/api/v1/shift-swaps/"): row("SWAP-1", swap_awaiting_consent, EVERYONE, kind="list"),
    ("post", "/api/v1/shift-swaps/"): row(
        "SWAP-1",  # with a colleague of one's own department, never oneself: else 400
        nothing,
        {"owner", "trainer", "lead"},
        lambda w: {
            "colleague": w.colleague.pk,
            "shift_start": "2026-03-12T09:00:00+08:00",
            "shift_end": "2026-03-12T18:00:00+08:00",
            "colleague_shift_start": "2026-03-13T09:00:00+08:00",
            "colleague_shift_end": "2026-03-13T18:00:00+08:00",
        },
        outcomes=dict.fromkeys(("colleague", "outsider", "other_lead", "admin", "gm"), "400"),
    ),
    ("get", S): row("SWAP-1", swap_awaiting_consent, SEES["shift-swaps"]),
    ("post", S + "consent/"): row("SWAP-1", swap_awaiting_consent, {"colleague"}, {"comment": ""}),
    ("post", S + "refuse/"): row("SWAP-1", swap_awaiting_consent, {"colleague"}, {"reason": ""}),
    ("post", S + "approve/"): row("SWAP-1", swap_awaiting_approval, {"lead"}, {"comment": ""}),
    ("post", S + "reject/"): row("SWAP-1", swap_awaiting_approval, {"lead"}, {"reason": "不行"}),
    ("post", S + "cancel/"): row("SWAP-1", swap_awaiting_consent, {"owner"}, {"reason": ""}),
    ("post", "/api/v1/shift-swaps/bulk/{decision}/"): row(
        "CASE-7", swap_awaiting_approval, {"lead"}, kind="bulk"
    ),
    **_casework("shift-swaps", swap_awaiting_approval, parties=("owner", "colleague")),
    # --- punch make-ups (PUNCH-1) ---
    ("get", "/api/v1/punch-corrections/"): row("PUNCH-1", punch_pending, EVERYONE, kind="list"),
    ("post", "/api/v1/punch-corrections/"): row(
        "PUNCH-1",  # anyone asks to make up their own missed punch
        nothing,
        EVERYONE,
        {"missed_at": local(2026, 3, 1, 18, 0).isoformat(), "reason": "忘记打卡"},
        sees=frozenset(EVERYONE),
    ),
    ("get", U): row("PUNCH-1", punch_pending, SEES["punch-corrections"]),
    ("post", U + "approve/"): row("PUNCH-1", punch_pending, {"lead"}, {"comment": ""}),
    ("post", U + "reject/"): row("PUNCH-1", punch_pending, {"lead"}, {"reason": "不符"}),
    ("post", "/api/v1/punch-corrections/bulk/{decision}/"): row(
        "CASE-7", punch_pending, {"lead"}, kind="bulk"
    ),
    **_casework("punch-corrections", punch_pending),
    # --- penalties (PEN-*, APPEAL-*) ---
    ("get", "/api/v1/penalties/"): row("PEN-2", penalty_served, EVERYONE, kind="list"),
    ("post", "/api/v1/penalties/"): row(
        "PEN-2",
        nothing,
        {"lead"},
        lambda w: {
            "employee": w.org.agent.pk,
            "facts": "迟到",
            "rule": "考勤制度 第3条",
            "sanction": "verbal_warning",
            "evidence": "记录",
        },
        sees=frozenset(EVERYONE),
    ),
    ("get", N): row("PEN-2", penalty_served, SEES["penalties"]),
    ("post", N + "sign/"): row("PEN-3", penalty_served, {"owner"}),
    ("post", N + "refuse-to-sign/"): row("PEN-3", penalty_served, {"owner", "lead"}),
    ("post", N + "name-witnesses/"): row(
        "PEN-3",
        penalty_refused_unnamed,
        {"lead"},
        lambda w: {"witnesses": [w.people[n].pk for n in WITNESSES]},
    ),
    ("post", N + "witness/"): row("PEN-3", penalty_refused, set(WITNESSES)),
    ("post", N + "replace-witness/"): row(
        "PEN-3",
        penalty_refused,
        {"lead"},
        lambda w: {"witness": w.colleague.pk, "replacement": w.org.panel[1].pk},
    ),
    ("post", N + "object/"): row("APPEAL-1", penalty_served, {"owner"}, {"reason": "我有异议"}),
    ("post", N + "respond/"): row(
        "APPEAL-2",
        penalty_objected,
        {"gm"},
        {"decision": "uphold", "reason": "事实清楚"},
    ),
    ("post", N + "escalate/"): row(
        "APPEAL-4", penalty_refused, {"lead"}, {"to": "final_warning", "reason": "拒签"}
    ),
    ("post", N + "approve/"): row("APPEAL-4", penalty_raised, {"gm"}, {"comment": "同意"}),
    ("post", N + "reject/"): row("APPEAL-4", penalty_raised, {"gm"}, {"reason": "不同意"}),
    # The issuer (the lead) acted on the case: a reviewer (CASE-4, CASE-5).
    **_casework(
        "penalties",
        penalty_objected_claimed,
        holder="gm",
        transfer_to="gm2",
        acted=("lead",),
        also_holds=("owner",),  # PEN-3: the slip is not signed yet
    ),
    # --- probations (PROB-*) ---
    ("get", "/api/v1/probations/"): row("PROB-1", probation_open, EVERYONE, kind="list"),
    ("post", "/api/v1/probations/"): row(
        "PROB-4",  # a probationer applies on their own case; others have none (404)
        probation_owner,
        {"owner"},
        {"statement": "申请提前转正"},
        sees=frozenset({"owner"}),
    ),
    ("get", B): row("PROB-1", probation_open, SEES["probations"]),
    ("post", B + "record-exam/"): row(
        "PROB-2", probation_open, {"trainer"}, {"passed": True, "score": 88}
    ),
    ("post", B + "assess/"): row(
        "PROB-2", probation_examined, {"lead"}, {"outcome": "convert", "reason": "良好"}
    ),
    ("post", B + "extend/"): row(
        "PROB-3", probation_examined, {"lead"}, {"months": 1, "reason": "再观察"}
    ),
    ("post", B + "approve/"): row("PROB-2", probation_assessed, {"gm"}, {"comment": "同意"}),
    ("post", B + "reject/"): row("PROB-3", probation_assessed, {"gm"}, {"reason": "不同意"}),
    ("post", B + "confirm/"): row("PROB-2", probation_approved, {"admin"}, {}),
    **_casework("probations", probation_examined, acted=("trainer",)),  # PROB-2: the exam
    # --- awards of the month (AWARD-1, AWARD-2) ---
    ("get", "/api/v1/awards/"): row("AWARD-1", award_opened, EVERYONE, kind="list"),
    ("post", "/api/v1/awards/"): row(
        "AWARD-1",
        award_month_closed,
        {"admin", "owner"},
        lambda w: {"department": w.org.cs.pk, "month": "2026-02"},
        sees=frozenset(EVERYONE),
    ),
    ("get", "/api/v1/awards/published/"): row("AWARD-2", nothing, EVERYONE, kind="list"),
    ("get", A): row("AWARD-1", award_opened, SEES["awards"]),
    ("post", A + "open-vote/"): row("AWARD-2", award_opened, {"admin", "owner"}),
    ("post", A + "vote/"): row(
        "AWARD-2",
        award_voting,
        {"lead", "trainer", "colleague"},
        lambda w: {"candidate": w.org.agent.pk},
    ),
    ("post", A + "close-vote/"): row("AWARD-2", award_voted, {"admin", "owner"}),
    ("post", A + "review/"): row("AWARD-1", award_lead_review, {"lead"}, {"decision": "approve"}),
    ("post", A + "assess/"): row(
        "AWARD-1", award_assessment, {"admin", "owner"}, {"decision": "approve"}
    ),
    ("post", A + "approve/"): row("AWARD-1", award_gm_approval, {"gm"}, {"decision": "approve"}),
    **_casework("awards", award_lead_review, acted=("owner",)),
    # --- employees, inbox, notices ---
    ("get", "/api/v1/employees/"): row("ORG-2", nothing, EVERYONE, kind="list"),
    ("get", E): row("ORG-2", owner_only, SEES["employees"]),
    ("get", E + "assessments/"): row("SCORE-1", owner_only, SEES["employees"]),
    ("get", E + "eligibility/"): row("PROMO-2", owner_only, SEES["employees"]),
    ("get", "/api/v1/inbox/"): row("PROMO-3", promotion_submitted, EVERYONE, kind="list"),
    ("post", "/api/v1/inbox/{task_id}/claim/"): row(
        "PROMO-3.3", queued_gm_review, {"gm"}, sees=frozenset(EVERYONE)
    ),
    ("get", "/api/v1/notices/"): row("NOTICE", own_notice, EVERYONE, kind="list"),
    ("post", "/api/v1/notices/{id}/read/"): row(
        "NOTICE", own_notice, {"owner"}, sees=frozenset({"owner"})
    ),
    # SCORE-11: a list; each caller reads what they may (tests/workflows/test_alert_pages.py)
    ("get", "/api/v1/alerts/"): row("SCORE-11", nothing, EVERYONE, kind="list"),
    # ATT-1, ATT-2: lists each caller reads what they may of (tests/api/test_roster_api.py);
    # imports by a lead (their department's people: another lead's rows are bad rows) and
    # administration, punches by administration only; anyone else 403 wrong_role.
    ("get", "/api/v1/rosters/"): row("ATT-1", nothing, EVERYONE, kind="list"),
    ("get", "/api/v1/punches/"): row("ATT-2", nothing, EVERYONE, kind="list"),
    ("post", "/api/v1/rosters/"): row(
        "ATT-1",
        nothing,
        {"lead", "other_lead", "admin"},
        {"rows": [{"username": "agent", "date": "2026-03-03", "start": "09:00", "end": "18:00"}]},
        sees=frozenset(EVERYONE),
        outcomes={"other_lead": "400"},
    ),
    ("post", "/api/v1/punches/"): row(
        "ATT-2",
        nothing,
        {"admin"},
        {"rows": [{"username": "agent", "time": "2026-03-02 08:58"}]},
        sees=frozenset(EVERYONE),
    ),
    # SCORE-9, SCORE-10: the ledger (docs/api.md "Ledger"). Everyone reads the months they may
    # see; the trainer records the agent's month; administration closes and adjusts; the
    # months' list is administration's and the GM office's (403 wrong_role to anyone else).
    ("get", "/api/v1/ledger/"): row("SCORE-9", nothing, EVERYONE, kind="list"),
    ("get", "/api/v1/ledger/catalogue/"): row("SCORE-9", nothing, EVERYONE, kind="list"),
    ("post", "/api/v1/ledger/"): row(
        "SCORE-9",
        nothing,
        {"trainer"},
        lambda w: {
            "employee": w.org.agent.pk,
            "month": "2026-03",
            "code": "exam_full_marks",
            "note": "满分",
        },
        sees=frozenset(EVERYONE),
        # An employee of another department is not one a body may name (404 unknown_employee).
        outcomes={"outsider": "404", "other_lead": "404"},
    ),
    ("get", "/api/v1/months/"): row("SCORE-10", nothing, {"admin", "gm"}, sees=EVERYONE),
    ("post", "/api/v1/months/{month}/close/"): row(
        "SCORE-10", month_ended, {"admin"}, sees=frozenset(EVERYONE)
    ),
    ("post", "/api/v1/months/{month}/adjust/"): row(
        "SCORE-10",
        month_closed,
        {"admin"},
        lambda w: {"employee": w.people["trainer"].pk, "points": "2", "reason": "更正"},
        sees=frozenset(EVERYONE),
        outcomes={"outsider": "404", "other_lead": "404"},
    ),
    # PAY-1: sales and the pay sheet are administration's; the GM office reads them.
    ("get", "/api/v1/sales/"): row("PAY-1", nothing, {"admin", "gm"}, sees=frozenset(EVERYONE)),
    ("post", "/api/v1/sales/"): row(
        "PAY-1",
        nothing,
        {"admin"},
        {"rows": [{"username": "agent", "month": "2026-02", "amount": "30000"}]},
        sees=frozenset(EVERYONE),
    ),
    ("get", "/api/v1/pay-sheets/{month}/"): row(
        "PAY-1", month_closed, {"admin", "gm"}, sees=frozenset(EVERYONE)
    ),
    # ATT-2, ATT-3: the findings each caller may see; the lead decides their department's;
    # administration checks a period.
    ("get", "/api/v1/findings/"): row("ATT-2", nothing, EVERYONE, kind="list"),
    ("get", "/api/v1/findings/drafts/"): row("PEN-2", nothing, EVERYONE, kind="list"),
    ("post", "/api/v1/findings/check/"): row(
        "ATT-2",
        nothing,
        {"admin"},
        {"from": "2026-02-23", "to": "2026-02-27"},
        sees=frozenset(EVERYONE),
    ),
    ("post", "/api/v1/findings/{id}/{decision}/"): row(
        # The finding is the trainer's: they read it and may not decide it (403 own_request).
        "ATT-3",
        finding_proposed,
        {"lead"},
        sees=frozenset({"owner", "trainer", "lead", "admin", "gm"}),
    ),
    ("post", "/api/v1/findings/bulk/{decision}/"): row(
        "ATT-3",
        finding_bulk,
        {"lead"},
        lambda w: {"ids": [w.owner.findings.get().pk]},
        sees=frozenset(EVERYONE),
        # Each refusal is in the per-finding results (not_found to who may not see it).
        outcomes=dict.fromkeys(EVERYONE - {"lead"}, "refused in the results"),
    ),
    ("post", "/api/v1/findings/drafts/{id}/{action}/"): row(
        "PEN-2",
        draft_open,
        {"lead"},
        {"reason": "已口头提醒"},
        # A draft is the lead's to serve: its employee does not see it before it is served.
        sees=frozenset({"lead", "admin", "gm"}),
    ),
}


def _operations() -> set[tuple[str, str]]:
    schema = SchemaGenerator().get_schema(request=None, public=True)
    return {(m, p) for p, item in schema["paths"].items() for m in item if m in ("get", "post")}


def test_the_matrix_covers_every_api_operation():
    """Issue 11: every operation of the schema has its row (a new route cannot be forgotten)."""
    operations = _operations()
    assert operations - set(ROWS) == set(), "API operations without a matrix row"
    assert set(ROWS) - operations == set(), "matrix rows without an API operation"


CELLS = [
    pytest.param(key, actor, id=f"{key[0].upper()} {key[1]} | {actor} | {ROWS[key].rule}")
    for key in ROWS
    for actor in ACTORS
]


def _world(org) -> World:
    ops = org.other_dept_agent.department
    other_lead = employee(
        "ops_lead", department=ops, level="reserve_supervisor", roles=["department_lead"]
    )
    ops.lead = other_lead
    ops.save()
    people = {
        "colleague": org.colleague,
        "outsider": org.other_dept_agent,
        "trainer": org.panel[2],
        "lead": org.lead,
        "other_lead": other_lead,
        "admin": org.admin,
        "gm": org.gm,
        "anonymous": None,
        # not an actor of the matrix: whom the GM office hands a step to (CASE-1)
        "gm2": employee("gm2", department=org.gm.department, level=None, roles=["gm_office"]),
    }
    return World(org=org, people=people)


def expected(key, actor, w) -> str:
    r = ROWS[key]
    if actor == "anonymous":
        return "401"
    if actor in r.outcomes:
        return r.outcomes[actor]
    if actor in r.allowed:
        return "2xx"
    if r.kind == "bulk":
        return "refused in the results"
    sees = r.sees
    if sees is None:
        resource = key[1].split("/")[3]
        sees = SEES[resource] | SEES_IN_STATE.get(r.setup, set())
    return "403" if actor in sees else "404"


@pytest.mark.django_db
@pytest.mark.parametrize(("key", "actor"), CELLS)
def test_matrix_cell(org, key, actor):
    r = ROWS[key]
    w = _world(org)
    with time_machine.travel(START, tick=False):
        # PROMO-2: the agent's five complete months before START (the fixture's are before today)
        give_scores(org.agent, [85, 92, 88, 93, 86])
        params = r.setup(w)
        w.people["owner"] = w.owner
        method, template = key
        body = r.body(w) if callable(r.body) else r.body
        if r.kind == "bulk":  # CASE-7: the case just set up, approved in bulk
            body = {"ids": [params["id"]], "comment": "同意"}
            params = {"decision": "approve"}
        path = template.format(**params)
        person = w.people[actor]
        response = call(person, method, path, body, multipart=r.multipart)
    want = expected(key, actor, w)
    got = response.status_code
    detail = response.content[:300]
    assert got < 500, detail
    if want == "401":
        assert got == 401, detail
    elif want == "2xx":
        assert 200 <= got < 300, detail
        if r.kind == "bulk":
            assert all(item["ok"] for item in response.json()["results"]), detail
    elif want == "refused in the results":
        assert got == 200, detail
        assert not any(item["ok"] for item in response.json()["results"]), detail
    else:
        assert got == int(want), (want, got, detail)
        assert response.json()["code"], detail
