"""The lead's decisions on attendance findings (ATT-3) and the penalty slip drafts a confirmed
absence opens (PEN-2).

- Who decides: the employee's department lead (or their LEAVE-6 delegate); the GM office for a
  lead's own findings and a department without a lead (the policy's fallback role when the GM
  office's only member is the employee, issue 11). Nobody decides about themselves.
- `finding_confirm` books the finding once (ScoreEvent `source="finding:<pk>"`, the catalogue's
  code, points and fine, in the month of the shift) in the transaction that confirms it, audited;
  a month closed or standing on an imported score (SCORE-10) takes no booking: refused with the
  month named. A confirmed absence opens a PenaltyDraft (facts naming the shift and the punches,
  rule LEAVE-3, the evidence, a proposed verbal warning the lead may change when serving).
- `finding_dismiss` needs a reason (ATT-3).
- `findings_bulk`: each finding decided in its own savepoint; the result lists each one's outcome.
- `penalty_draft_serve` serves the draft through `approvals.penalty.services.penalty_serve`
  (APPEAL-1's window runs from then); `penalty_draft_discard` needs a reason.
- `findings_remind_due` (a sweep step): DEADLINE-2 for the findings waiting for the lead.
"""

import datetime as dt
from collections import defaultdict

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

import audit.services as audit
from approvals import permissions as perms
from approvals.db import atomic
from approvals.errors import DomainError, InvalidInput, NotFound, StateConflict
from approvals.fsm import transition
from approvals.inputs import ID_MAX
from approvals.penalty.common import check_drafter
from approvals.penalty.models import PenaltyDraft, Sanction
from approvals.penalty.services import penalty_serve
from org.levels import Role
from org.selectors import users_with_role
from performance.models import Assessment
from performance.services import score_event_book
from policy.services import policy_in_force, policy_of

from . import common
from .models import FS, Finding, FindingKind
from .roster_access import standing_in_for

K = FindingKind
RULE = "ATT-3"
DEFAULT_SANCTION = Sanction.VERBAL_WARNING


# --- who sees, who decides ----------------------------------------------------------------------


def findings_visible(user):
    """Oversight (administration, the GM office): every finding; a department lead: their
    department's and their own; a lead's delegate while the leave runs: the lead's
    department's too (LEAVE-6, roster_access.standing_in_for); anyone else: their own."""
    qs = Finding.objects.all()
    if perms.has_oversight(user):
        return qs
    me = perms.employee_of(user)
    if me is None:
        return qs.none()
    condition = Q(employee=me) | Q(department__lead=me)
    standing_in = standing_in_for(user)
    if standing_in:
        condition |= Q(department_id__in=list(standing_in))
    return qs.filter(condition)


def drafts_visible(user):
    qs = PenaltyDraft.objects.all()
    if perms.has_oversight(user):
        return qs
    me = perms.employee_of(user)
    if me is None:
        return qs.none()
    return qs.filter(department__lead=me).exclude(employee=me)


def check_decider(actor, finding: Finding):
    """ATT-3: the lead of the employee's department (or their delegate), the GM office for a
    lead's own; never the employee. Returns the lead acted for (None: the GM office)."""
    return common.check_approver(
        actor, finding, rule=RULE, action="confirm", pending_state=finding.state
    )


def _locked(finding) -> Finding:
    pk = getattr(finding, "pk", finding)
    found = (
        Finding.objects.select_for_update(of=("self",))
        .select_related("employee__user", "department__lead__user", "shift")
        .filter(pk=pk)
        .first()
    )
    if found is None:
        raise NotFound(_("No such finding."), code="not_found")
    return found


def _require_proposed(finding: Finding, action: str) -> None:
    if finding.state != FS.PROPOSED:
        raise StateConflict(
            _("This finding is already “%(state)s”; it cannot be %(action)s."),
            code="state_conflict",
            rule=RULE,
            params={"state": finding.get_state_display(), "action": _action(action)},
        )


def _action(action: str):
    return {"confirm": _("confirmed"), "dismiss": _("dismissed")}.get(action, action)


def _month_of(finding: Finding) -> dt.date:
    return timezone.localtime(finding.shift.start).date().replace(day=1)


def _require_month_open(finding: Finding) -> None:
    """SCORE-10: a closed month, or one standing on an imported final score, takes no booking."""
    month = _month_of(finding)
    row = Assessment.objects.filter(employee_id=finding.employee_id, month=month).first()
    if row is None:
        return
    if row.closed_at is not None:
        raise StateConflict(
            _(
                "%(month)s is closed: the finding cannot be booked to it; a correction is an "
                "adjustment by administration."
            ),
            code="month_closed",
            rule="SCORE-10",
            params={"month": f"{month:%Y-%m}"},
        )
    if row.source != Assessment.Source.EVENTS:
        raise StateConflict(
            _("%(month)s stands on an imported final score (%(score)s): it takes no booking."),
            code="imported_score",
            rule="SCORE-10",
            params={"month": f"{month:%Y-%m}", "score": row.score},
        )


def _facts(finding: Finding) -> tuple[str, str]:
    ev = finding.evidence or {}
    shift = ev.get("shift", {})
    punches = ev.get("punches") or []
    facts = str(
        _(
            "Absent from the shift %(start)s–%(end)s without approved leave (finding #%(id)s); "
            "punches in the shift's window: %(punches)s."
        )
        % {
            "start": shift.get("start", ""),
            "end": shift.get("end", ""),
            "id": finding.pk,
            "punches": ", ".join(punches) or str(_("none")),
        }
    )
    evidence = str(
        _("Roster shift #%(shift)s; punch records %(punches)s; no approved leave (LEAVE-3).")
        % {"shift": shift.get("id", finding.shift_id), "punches": ", ".join(punches) or "—"}
    )
    return facts, evidence


# --- decisions ----------------------------------------------------------------------------------


def finding_confirm(*, actor, finding, reason="") -> Finding:
    """ATT-3: the lead confirms; booked once to the ledger and the pay sheet."""
    reason = common.optional_text(reason, field="reason")
    with atomic():
        finding = _locked(finding)
        lead = check_decider(actor, finding)
        _require_proposed(finding, "confirm")
        _require_month_open(finding)
        from_state, to_state = transition(finding, "confirm")
        now = timezone.now()
        # Language-neutral (it is stored, and read in either language): the rule, the shift
        # and the finding's number; the ledger names the event by its catalogue label.
        start, end = (timezone.localtime(t) for t in (finding.shift.start, finding.shift.end))
        note = f"{finding.rule} · {start:%Y-%m-%d %H:%M}–{end:%H:%M} · #{finding.pk}"
        event = score_event_book(
            employee=finding.employee,
            at=finding.shift.start,
            points=-finding.points if finding.points else finding.points,
            fine=finding.fine,
            reason=str(note),
            source=f"finding:{finding.pk}",
            code=finding.code,
            actor=actor,
        )
        finding.score_event = event
        finding.decided_at = now
        finding.decided_by = perms.employee_of(actor)
        finding.reason = reason
        finding.save(update_fields=["state", "score_event", "decided_at", "decided_by", "reason"])
        draft = None
        if finding.kind == K.ABSENCE:
            facts, evidence = _facts(finding)
            draft = PenaltyDraft.objects.create(
                employee=finding.employee,
                department=finding.department,
                finding=finding,
                facts=facts,
                rule="LEAVE-3",
                evidence=evidence,
                sanction=DEFAULT_SANCTION,
                created_at=now,
            )
        behalf = common.on_behalf_of(actor, lead)
        audit.record(
            case_type="finding",
            case_id=finding.pk,
            action="confirm",
            actor=actor,
            on_behalf_of=behalf,
            from_state=from_state,
            to_state=to_state,
            rules=[RULE, finding.rule, "SCORE-9"] + (["PEN-2"] if draft else []),
            policy_version=finding.policy_version,
            comment=reason,
            data={
                "score_event": event.pk,
                "code": finding.code,
                "points": str(event.points),
                "fine": str(event.fine),
                "penalty_draft": draft.pk if draft else None,
            },
        )
    return finding


def finding_dismiss(*, actor, finding, reason) -> Finding:
    """ATT-3: the lead dismisses the finding, with a reason; nothing is booked."""
    text = (reason or "").strip() if isinstance(reason, str | type(None)) else None
    if not text:
        raise InvalidInput(
            _("A dismissal needs a reason."), code="reason_required", rule=RULE, field="reason"
        )
    with atomic():
        finding = _locked(finding)
        lead = check_decider(actor, finding)
        _require_proposed(finding, "dismiss")
        from_state, to_state = transition(finding, "dismiss")
        finding.decided_at = timezone.now()
        finding.decided_by = perms.employee_of(actor)
        finding.reason = text
        finding.save(update_fields=["state", "decided_at", "decided_by", "reason"])
        audit.record(
            case_type="finding",
            case_id=finding.pk,
            action="dismiss",
            actor=actor,
            on_behalf_of=common.on_behalf_of(actor, lead),
            from_state=from_state,
            to_state=to_state,
            rules=[RULE, finding.rule],
            policy_version=finding.policy_version,
            comment=text,
        )
    return finding


def findings_bulk(*, actor, action: str, ids, reason="") -> list[dict]:
    """Confirm or dismiss each of `ids`; one result per id (ok, or the refusal). A finding the
    actor may not see is "not_found", as on its own."""
    if action not in ("confirm", "dismiss"):
        raise InvalidInput(_("Unknown action."), code="bad_action", field="action")
    if not isinstance(ids, list | tuple) or not ids or len(ids) > 500:
        raise InvalidInput(
            _("Give between 1 and %(max)s finding ids."),
            code="bad_ids",
            rule=RULE,
            params={"max": 500},
            field="ids",
        )
    try:
        wanted = [int(i) for i in ids if not isinstance(i, bool | float)]
    except (TypeError, ValueError):
        wanted = []
    # Whole numbers a database key can hold (a bigint): another figure is not an id.
    if len(wanted) != len(ids) or not all(1 <= pk <= ID_MAX for pk in wanted):
        raise InvalidInput(
            _("Finding ids are whole numbers from 1 to %(max)s."),
            code="bad_ids",
            rule=RULE,
            params={"max": ID_MAX},
            field="ids",
        )
    if action == "dismiss" and not (reason or "").strip():
        raise InvalidInput(
            _("A dismissal needs a reason."), code="reason_required", rule=RULE, field="reason"
        )
    visible = set(findings_visible(actor).filter(pk__in=wanted).values_list("pk", flat=True))
    results = []
    for pk in dict.fromkeys(wanted):
        if pk not in visible:
            detail = str(_("No such finding."))
            results.append(
                {"id": pk, "ok": False, "code": "not_found", "detail": detail, "rule": None}
            )
            continue
        try:
            with transaction.atomic():
                if action == "confirm":
                    done = finding_confirm(actor=actor, finding=pk, reason=reason)
                else:
                    done = finding_dismiss(actor=actor, finding=pk, reason=reason)
            results.append({"id": pk, "ok": True, "state": done.state})
        except DomainError as exc:
            results.append({"id": pk, "ok": False, **exc.as_dict()})
    return results


# --- penalty slip drafts (PEN-2) ----------------------------------------------------------------


def _locked_draft(draft) -> PenaltyDraft:
    pk = getattr(draft, "pk", draft)
    found = (
        PenaltyDraft.objects.select_for_update(of=("self",))
        .select_related("employee__department", "employee__user", "finding__shift")
        .filter(pk=pk)
        .first()
    )
    if found is None:
        raise NotFound(_("No such penalty slip draft."), code="not_found")
    return found


def _require_open(draft: PenaltyDraft) -> None:
    if draft.state != PenaltyDraft.State.OPEN:
        raise StateConflict(
            _("This draft is already “%(state)s”."),
            code="state_conflict",
            rule="PEN-2",
            params={"state": draft.get_state_display()},
        )


def penalty_draft_serve(*, actor, draft, sanction=None, facts=None, evidence=None):
    """PEN-2: the lead serves the draft (as drafted, or with the sanction, facts or evidence
    changed); the penalty service creates the slip and opens APPEAL-1's window from now."""
    with atomic():
        draft = _locked_draft(draft)
        check_drafter(actor, draft.employee)
        _require_open(draft)
        penalty = penalty_serve(
            actor=actor,
            employee=draft.employee,
            facts=facts if facts not in (None, "") else draft.facts,
            rule=draft.rule,
            sanction=sanction or draft.sanction,
            evidence=evidence if evidence not in (None, "") else draft.evidence,
        )
        draft.state = PenaltyDraft.State.SERVED
        draft.penalty = penalty
        draft.decided_at = timezone.now()
        draft.save(update_fields=["state", "penalty", "decided_at"])
        audit.record(
            case_type="penaltydraft",
            case_id=draft.pk,
            action="serve",
            actor=actor,
            from_state=PenaltyDraft.State.OPEN,
            to_state=PenaltyDraft.State.SERVED,
            rules=["PEN-2", "ATT-3", "APPEAL-1"],
            data={"penalty": penalty.pk, "finding": draft.finding_id},
        )
    return draft


def penalty_draft_discard(*, actor, draft, reason) -> PenaltyDraft:
    text = (reason or "").strip() if isinstance(reason, str | type(None)) else None
    if not text:
        raise InvalidInput(
            _("Discarding a draft needs a reason."),
            code="reason_required",
            rule="PEN-2",
            field="reason",
        )
    with atomic():
        draft = _locked_draft(draft)
        check_drafter(actor, draft.employee)
        _require_open(draft)
        draft.state = PenaltyDraft.State.DISCARDED
        draft.reason = text
        draft.decided_at = timezone.now()
        draft.save(update_fields=["state", "reason", "decided_at"])
        audit.record(
            case_type="penaltydraft",
            case_id=draft.pk,
            action="discard",
            actor=actor,
            from_state=PenaltyDraft.State.OPEN,
            to_state=PenaltyDraft.State.DISCARDED,
            rules=["PEN-2", "ATT-3"],
            comment=text,
        )
    return draft


# --- telling the leads (DEADLINE-2) -------------------------------------------------------------


def _deciders(department_ids) -> dict[int, list]:
    """Per department: the users who decide its findings (its lead; the GM office for a
    department without one). A lead's own findings go to the GM office: they are told by the
    escalation, as the GM office sees every finding."""
    from org.models import Department

    out = {}
    gm = None
    for dep in Department.objects.filter(pk__in=list(department_ids)).select_related("lead__user"):
        if dep.lead is not None and dep.lead.user is not None:
            out[dep.pk] = [dep.lead.user]
        else:
            gm = gm if gm is not None else list(users_with_role(Role.GM_OFFICE))
            out[dep.pk] = gm
    return out


def _tell(users, *, template, department, count, due, key):
    from notifications.services import notify

    local = timezone.localtime(due)
    notify(
        users=users,
        template=template,
        context={
            "count": count,
            "due": f"{local:%Y-%m-%d %H:%M}",
            "url": f"/findings/?department={department}",
        },
        dedupe_key=key,
    )


def tell_leads(department_ids, due) -> None:
    """After a check that found something: each department's decider is told once per due day
    (the reminders come from `findings_remind_due`)."""
    if not department_ids:
        return
    counts = defaultdict(int)
    for dep in Finding.objects.filter(
        department_id__in=list(department_ids), state=FS.PROPOSED
    ).values_list("department_id", flat=True):
        counts[dep] += 1
    for dep, users in _deciders(department_ids).items():
        _tell(
            users,
            template="findings_waiting",
            department=dep,
            count=counts.get(dep, 0),
            due=due,
            key=f"findings:{dep}:{timezone.localtime(due):%Y%m%d}",
        )


def findings_remind_due(*, now=None) -> int:
    """DEADLINE-2 for the findings waiting for the lead: at each policy offset before the due
    time (default 24 h and 0 h) the department's decider is reminded once, and just after it
    the GM office is told once. Keys per department, due day and offset: each goes once however
    often the sweep runs. Returns how many notices were queued (per department and kind)."""
    now = now or timezone.now()
    policy = policy_in_force(at=now)
    offsets = policy.reminder_offsets_hours
    horizon = now + dt.timedelta(hours=max(offsets or [0]))
    groups = defaultdict(int)
    # A finding overdue for longer than TOLD_WINDOW had its GM notice then; reading it again
    # every sweep would make the step grow with what nobody decided (issue 15: O(due)).
    waiting = Finding.objects.filter(
        state=FS.PROPOSED, due_at__lte=horizon, due_at__gt=now - TOLD_WINDOW
    )
    for dep, due in waiting.values_list("department_id", "due_at"):
        groups[(dep, due)] += 1
    if not groups:
        return 0
    deciders = _deciders({dep for dep, _due in groups})
    sent = 0
    gm = None
    for (dep, due), count in groups.items():
        day = f"{timezone.localtime(due):%Y%m%d}"
        if now > due:
            gm = gm if gm is not None else list(users_with_role(Role.GM_OFFICE))
            _tell(
                gm,
                template="findings_overdue",
                department=dep,
                count=count,
                due=due,
                key=f"findings-overdue:{dep}:{day}",
            )
            sent += 1
            continue
        for hours in sorted(offsets):  # the latest reminder due by now
            if now >= due - dt.timedelta(hours=hours):
                _tell(
                    deciders.get(dep, []),
                    template="findings_waiting",
                    department=dep,
                    count=count,
                    due=due,
                    key=f"findings-remind:{dep}:{day}:{hours}",
                )
                sent += 1
                break
    return sent


TOLD_WINDOW = dt.timedelta(days=7)
REMIND_EVERY = dt.timedelta(hours=1)
_last_reminded: dict = {}


def findings_remind_step() -> int:
    """The sweep step (DEADLINE-2 for findings): `findings_remind_due` at most once an hour per
    process, so a sweep every 30 seconds costs nothing between; each notice is keyed, so two
    processes (or a restart) tell once. A clock set back runs it again."""
    now = timezone.now()
    last = _last_reminded.get("at")
    if last is not None and last <= now < last + REMIND_EVERY:
        return 0
    _last_reminded["at"] = now
    return findings_remind_due(now=now)


def forget_reminded() -> None:
    """Tests: the next sweep runs the reminders whatever ran before."""
    _last_reminded.clear()


__all__ = [
    "findings_remind_step",
    "finding_confirm",
    "finding_dismiss",
    "findings_bulk",
    "findings_remind_due",
    "findings_visible",
    "drafts_visible",
    "penalty_draft_discard",
    "penalty_draft_serve",
    "policy_of",
]
