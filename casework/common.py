"""What every casework service shares: the case's flow lock, reading the inputs, the audit
record and the case page's address."""

from contextlib import contextmanager

from django.db import transaction
from django.utils.translation import gettext_lazy as _
from viewflow.workflow.exceptions import FlowLockFailed

from approvals.errors import InvalidInput
from approvals.history import case_type_of, record_transition
from approvals.inputs import check_text, employee_ref, label_of, record_id, required_text
from workflows.engine import busy_conflict, process_for

from .rules import TEXT_MAX_CHARS


@contextmanager
def case_locked(flow_class, case):
    """The flow lock of the case's process (it serialises every change of one case, decisions
    included) and one transaction; yields the process."""
    process = process_for(flow_class, case)
    try:
        with flow_class.lock(process.pk), transaction.atomic():
            yield process
    except FlowLockFailed:
        raise busy_conflict() from None


def text(value, *, field: str, rule: str, required: bool = True) -> str:
    """Stripped text of at most TEXT_MAX_CHARS characters; required unless told otherwise (the
    shared readers of approvals.inputs, with casework's length limit)."""
    if value is not None and not isinstance(value, str):
        raise InvalidInput(
            _("The %(field)s must be a text."),
            code=f"invalid_{field}",
            rule=rule,
            params={"field": label_of(field)},
            field=field,
        )
    if required:
        return required_text(value, field=field, rule=rule, max_length=TEXT_MAX_CHARS)
    return check_text((value or "").strip(), field=field, max_length=TEXT_MAX_CHARS, rule=rule)


def person(value, *, field: str):
    """The active employee a body names by id (approvals.inputs.employee_ref)."""
    if value in (None, ""):
        raise InvalidInput(_("Choose an employee."), code=f"{field}_required", field=field)
    return employee_ref(value, field=field)


def id_list(value, *, field: str, limit: int, rule: str | None = None) -> list[int]:
    """A non-empty JSON list of ids (integers, or texts of digits), at most `limit`, without
    repeats (the first occurrence keeps its place)."""
    if not isinstance(value, list | tuple) or not value:
        raise InvalidInput(
            _("“%(field)s” must be a non-empty list of ids."),
            code=f"invalid_{field}",
            rule=rule,
            params={"field": field},
            field=field,
        )
    ids = []
    for item in value:
        if record_id(item.strip() if isinstance(item, str) else item) is None:
            raise InvalidInput(
                _("“%(value)s” in “%(field)s” is not an id."),
                code=f"invalid_{field}",
                rule=rule,
                params={"value": item, "field": field},
                field=field,
            )
        pk = int(item)  # checked above
        if pk not in ids:
            ids.append(pk)
    if len(ids) > limit:
        raise InvalidInput(
            _("“%(field)s” names %(count)s ids; at most %(limit)s are allowed at once."),
            code=f"too_many_{field}",
            rule=rule,
            params={"field": field, "count": len(ids), "limit": limit},
            field=field,
        )
    return ids


def log(case, action: str, actor, *, rule: str | None, comment: str = "", data=None) -> None:
    """The audit event of a casework action: it appears in the case timeline; casework sends
    its own notices (notify=False: no case_changed signal)."""
    rules = [rule] if rule else []
    record_transition(
        case=case,
        action=action,
        actor=actor,
        from_state=case.state,
        to_state=case.state,
        rules=rules,
        policy_version=getattr(case, "policy_version", "") or "",
        comment=comment,
        data=data,
        notify=False,
    )


def case_url(flow_class, case) -> str:
    """The case page (notifications.receivers.case_url)."""
    return f"/{flow_class.resource}/{case.pk}/"


def case_ref(case) -> dict:
    return {"case_type": case_type_of(case), "case_id": case.pk}
