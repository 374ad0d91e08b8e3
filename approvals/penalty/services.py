"""Serving a penalty slip and its receipt (PEN-1, PEN-2, PEN-3, APPEAL-4).

The lead serves the slip (serving starts the objection window, APPEAL-1); the employee signs
(receipt, not agreement) or refuses; a refused slip needs two witnesses who are neither issuer
nor employee. A slip still unsigned when the objection window closes counts as refused. The
issuer of a refused slip may ask to raise it to final warning or dismissal, which the GM office
approves (APPEAL-4). The objection and the outcome are in `appeal`.
"""

import datetime as dt

from dateutil.relativedelta import relativedelta
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from approvals import permissions as perms
from approvals.db import atomic
from approvals.errors import InvalidInput, NotAllowed, NotFound, PolicyViolation
from approvals.history import new_case
from approvals.inputs import employee_ref
from org.models import Employee
from policy.services import policy_in_force

from . import common
from .models import SEVERITY, Penalty, Receipt, Sanction, Witness

S = common.S
OPEN_RECEIPT_STATES = [S.SERVED, S.OBJECTED, S.ESCALATED, S.DECIDED]


def _employee(value) -> Employee:
    return employee_ref(value, field="employee")


def in_observation(employee: Employee, *, months: int, at: dt.datetime) -> Penalty | None:
    """PEN-1: the final warning whose observation period `at` falls in, if any."""
    return (
        Penalty.objects.filter(
            employee=employee,
            state=S.FINAL,
            sanction=Sanction.FINAL_WARNING,
            final_at__gte=at - relativedelta(months=months),
        )
        .order_by("-final_at")
        .first()
    )


def penalty_serve(*, actor, employee, facts, rule, sanction, evidence) -> Penalty:
    """PEN-2: the lead drafts and serves the slip; serving opens the objection window."""
    employee = _employee(employee)
    common.check_drafter(actor, employee)
    facts = common.required_text(facts, field="facts", rule="PEN-2")
    rule_text = common.required_text(rule, field="rule", rule="PEN-2", max_length=200)
    evidence = common.required_text(evidence, field="evidence", rule="PEN-2")
    sanction = common.sanction_value(sanction)
    now = timezone.now()
    policy = policy_in_force(at=now)
    objection_due = common.due_in(policy.objection_days, policy.objection_mode)
    drafted = sanction
    approval_reason, fallback, rules = "", "", ["PEN-2", "APPEAL-1"]
    if sanction == Sanction.DISMISSAL:
        # PEN-1: dismissal is a proposal the GM office approves; refused, the final warning stands.
        approval_reason, fallback = "dismissal", Sanction.FINAL_WARNING
        rules.append("PEN-1")
    else:
        previous = in_observation(employee, months=policy.observation_months, at=now)
        if previous is not None:
            # PEN-1: a new violation in the observation period after a final warning proposes
            # dismissal; if the GM office refuses, the lead's drafted sanction stands.
            approval_reason, fallback, sanction = "observation", drafted, Sanction.DISMISSAL
            rules.append("PEN-1")
    with atomic():
        penalty = Penalty.objects.create(
            employee=employee,
            department=employee.department,
            issuer=perms.employee_of(actor),
            facts=facts,
            rule=rule_text,
            evidence=evidence,
            drafted_sanction=drafted,
            sanction=sanction,
            policy_version=policy.version,
            served_at=now,
            objection_due=objection_due.at,
            approval_reason=approval_reason,
            fallback_sanction=fallback,
        )
        new_case(penalty)
        common.open_deadline(penalty, "objection", objection_due)
        data = {"sanction": sanction, "drafted_sanction": drafted}
        if approval_reason == "observation":
            data["observation_after"] = previous.pk
        common.log(penalty, "serve", actor, "", S.SERVED, rules, data=data)
    return penalty


# --- receipt (PEN-3) --------------------------------------------------------------------------


def _require_receipt_pending(penalty: Penalty, action: str) -> None:
    if penalty.receipt != Receipt.PENDING or penalty.state not in OPEN_RECEIPT_STATES:
        raise common.conflict(penalty, action)


def check_signer(actor, penalty: Penalty) -> None:
    common.check_employee(actor, penalty, rule="PEN-3")
    _require_receipt_pending(penalty, "sign")


def check_refusal(actor, penalty: Penalty) -> None:
    """The employee refuses, or the issuer records the refusal."""
    if penalty.employee.user_id != actor.pk:
        common.check_issuer_side(actor, penalty, rule="PEN-3")
    _require_receipt_pending(penalty, "refuse-to-sign")


def check_witness_naming(actor, penalty: Penalty) -> None:
    common.check_issuer_side(actor, penalty, rule="PEN-3")
    if penalty.receipt != Receipt.REFUSED or penalty.witnesses.exists():
        raise common.conflict(penalty, "name-witnesses")


def check_witness(actor, penalty: Penalty) -> Witness:
    me = perms.employee_of(actor)
    witness = penalty.witnesses.filter(witness=me, signed_at__isnull=True).first() if me else None
    if witness is None:
        raise NotAllowed(
            _("Only a witness named for this slip can sign it as witness."),
            code="not_a_witness",
            rule="PEN-3",
        )
    if penalty.receipt != Receipt.REFUSED:
        raise common.conflict(penalty, "witness")
    return witness


def penalty_sign(*, penalty: Penalty, actor) -> Penalty:
    """PEN-3: the employee acknowledges receipt (not agreement: the objection stays open)."""
    with atomic():
        penalty = common.locked(penalty)
        check_signer(actor, penalty)
        penalty.receipt = Receipt.SIGNED
        penalty.signed_at = timezone.now()
        penalty.save(update_fields=["receipt", "signed_at"])
        common.log(penalty, "sign", actor, penalty.state, penalty.state, ["PEN-3"])
    return penalty


def witness_ids(value) -> list[int]:
    if value in (None, ""):
        return []
    if not isinstance(value, list | tuple):
        value = [value]
    try:
        return list(dict.fromkeys(int(v) for v in value))
    except (TypeError, ValueError):
        raise InvalidInput(
            _("Witnesses are given as a list of employee ids."),
            code="invalid_witnesses",
            field="witnesses",
        ) from None


def _check_witness_people(penalty: Penalty, ids: list[int]) -> list[Employee]:
    """PEN-3: active employees, neither the issuer nor the employee."""
    people = {e.pk: e for e in Employee.objects.filter(pk__in=ids, user__is_active=True)}
    missing = [i for i in ids if i not in people]
    if missing:
        raise NotFound(
            _("No such employee: %(ids)s."),
            code="unknown_employee",
            params={"ids": ", ".join(map(str, missing))},
            field="witnesses",
        )
    if {penalty.employee_id, penalty.issuer_id} & set(ids):
        raise PolicyViolation(
            _("A witness can be neither the issuer nor the employee."),
            code="witness_is_party",
            rule="PEN-3",
            field="witnesses",
        )
    return [people[i] for i in ids]


def _name_witnesses(penalty: Penalty, ids: list[int]) -> list[Witness]:
    """PEN-3: at least two distinct witnesses, neither the issuer nor the employee."""
    if len(ids) < 2:
        raise PolicyViolation(
            _("A refused slip needs at least two witnesses; %(count)s given."),
            code="two_witnesses_required",
            rule="PEN-3",
            params={"count": len(ids)},
            field="witnesses",
        )
    _check_witness_people(penalty, ids)
    now = timezone.now()
    return Witness.objects.bulk_create(
        [Witness(penalty=penalty, witness_id=i, named_at=now) for i in ids]
    )


def penalty_refuse(*, penalty: Penalty, actor, witnesses=None) -> Penalty:
    """PEN-3: the employee refuses to sign (or the issuer records it, naming the witnesses)."""
    ids = witness_ids(witnesses)
    with atomic():
        penalty = common.locked(penalty)
        check_refusal(actor, penalty)
        if ids and penalty.employee.user_id == actor.pk:
            raise NotAllowed(
                _("The issuer names the witnesses, not the employee."),
                code="not_issuer",
                rule="PEN-3",
                field="witnesses",
            )
        penalty.receipt = Receipt.REFUSED
        penalty.refused_at = timezone.now()
        penalty.save(update_fields=["receipt", "refused_at"])
        if ids:
            _name_witnesses(penalty, ids)
        common.log(
            penalty,
            "refuse-to-sign",
            actor,
            penalty.state,
            penalty.state,
            ["PEN-3"],
            data={"witnesses": ids} if ids else None,
        )
    return penalty


def penalty_record_unsigned(*, penalty: Penalty) -> Penalty:
    """PEN-3: still unsigned when the objection window closes: recorded as refused (by the
    scheduler), so the issuer arranges witnesses."""
    with atomic():
        penalty = common.locked(penalty)
        if penalty.receipt != Receipt.PENDING:
            return penalty
        penalty.receipt = Receipt.REFUSED
        penalty.refused_at = timezone.now()
        penalty.save(update_fields=["receipt", "refused_at"])
        common.log(penalty, "unsigned", None, penalty.state, penalty.state, ["PEN-3"])
    return penalty


def penalty_name_witnesses(*, penalty: Penalty, actor, witnesses=None) -> Penalty:
    ids = witness_ids(witnesses)
    with atomic():
        penalty = common.locked(penalty)
        check_witness_naming(actor, penalty)
        _name_witnesses(penalty, ids)
        common.log(
            penalty,
            "name-witnesses",
            actor,
            penalty.state,
            penalty.state,
            ["PEN-3"],
            data={"witnesses": ids},
        )
    return penalty


def check_witness_replacement(actor, penalty: Penalty) -> None:
    common.check_issuer_side(actor, penalty, rule="PEN-3")
    if (
        penalty.receipt != Receipt.REFUSED
        or not penalty.witnesses.filter(signed_at__isnull=True).exists()
    ):
        raise common.conflict(penalty, "replace-witness")


def penalty_replace_witness(*, penalty: Penalty, actor, witness=None, replacement=None) -> Penalty:
    """PEN-3: a named witness who has not signed (absent, unwilling) is replaced by another
    person who is neither issuer, employee nor already named; the signature task moves to them."""
    with atomic():
        penalty = common.locked(penalty)
        check_witness_replacement(actor, penalty)
        old_id, new_id = witness_ids(witness), witness_ids(replacement)
        if len(old_id) != 1 or len(new_id) != 1:
            raise InvalidInput(
                _("Give the witness to replace and the replacement, one employee id each."),
                code="invalid_witnesses",
                field="witness" if len(old_id) != 1 else "replacement",
            )
        row = penalty.witnesses.filter(witness_id=old_id[0], signed_at__isnull=True).first()
        if row is None:
            raise InvalidInput(
                _("Employee %(id)s is not a witness of this slip who has yet to sign."),
                code="not_a_pending_witness",
                rule="PEN-3",
                params={"id": old_id[0]},
                field="witness",
            )
        if penalty.witnesses.filter(witness_id=new_id[0]).exists():
            raise PolicyViolation(
                _("Employee %(id)s is already a witness of this slip."),
                code="already_a_witness",
                rule="PEN-3",
                params={"id": new_id[0]},
                field="replacement",
            )
        replacement_row = _check_witness_people(penalty, new_id)[0]
        row.witness = replacement_row
        row.named_at = timezone.now()
        row.save(update_fields=["witness", "named_at"])
        common.log(
            penalty,
            "replace-witness",
            actor,
            penalty.state,
            penalty.state,
            ["PEN-3"],
            data={"from": old_id[0], "to": new_id[0]},
        )
    return penalty


def penalty_witness(*, penalty: Penalty, actor) -> Penalty:
    """PEN-3: a named witness signs; with two signatures the refused slip takes effect."""
    with atomic():
        penalty = common.locked(penalty)
        witness = check_witness(actor, penalty)
        witness.signed_at = timezone.now()
        witness.save(update_fields=["signed_at"])
        if penalty.witnesses.filter(signed_at__isnull=False).count() >= 2:
            penalty.receipt = Receipt.WITNESSED
            penalty.save(update_fields=["receipt"])
        common.log(penalty, "witness", actor, penalty.state, penalty.state, ["PEN-3"])
    return penalty


# --- raising a refused slip (APPEAL-4) --------------------------------------------------------

RAISE_TARGETS = (Sanction.FINAL_WARNING, Sanction.DISMISSAL)


def check_raiser(actor, penalty: Penalty) -> None:
    common.check_issuer_side(actor, penalty, rule="APPEAL-4")
    if penalty.state not in OPEN_RECEIPT_STATES or penalty.approval_reason:
        raise common.conflict(penalty, "escalate")
    if penalty.receipt not in (Receipt.REFUSED, Receipt.WITNESSED):
        raise PolicyViolation(
            _("Only a slip the employee refused to sign can be raised (it is “%(receipt)s”)."),
            code="not_refused",
            rule="APPEAL-4",
            params={"receipt": penalty.get_receipt_display()},
        )
    if penalty.sanction not in SEVERITY[: SEVERITY.index(Sanction.DISMISSAL)]:
        raise common.conflict(penalty, "escalate")


def penalty_raise(*, penalty: Penalty, actor, to=None, reason=None) -> Penalty:
    """APPEAL-4: ask the GM office to raise a refused slip to final warning or dismissal. The
    raised sanction stands only if the GM office approves when the slip is concluded."""
    reason = common.required_text(reason, field="reason", rule="APPEAL-4")
    with atomic():
        penalty = common.locked(penalty)
        check_raiser(actor, penalty)
        if to not in RAISE_TARGETS or not common.more_severe(to, penalty.sanction):
            raise PolicyViolation(
                _(
                    "A refused slip can be raised only to a final warning or dismissal above "
                    "its sanction (now “%(sanction)s”)."
                ),
                code="invalid_raise",
                rule="APPEAL-4",
                params={"sanction": penalty.get_sanction_display()},
                field="to",
            )
        penalty.fallback_sanction = penalty.sanction
        penalty.sanction = to
        penalty.approval_reason = "raise"
        penalty.save(update_fields=["fallback_sanction", "sanction", "approval_reason"])
        common.log(
            penalty,
            "escalate",
            actor,
            penalty.state,
            penalty.state,
            ["APPEAL-4"],
            reason,
            data={"from": penalty.fallback_sanction, "to": to},
        )
    return penalty
