"""Due times of waiting steps (DEADLINE-1, PROMO-5), stored on the case so the domain knows them
even if no timer ever fires. A step's deadline is opened when the case enters the state that waits
for it and met when the case leaves that state. Reminders and escalation build on these rows."""

from functools import lru_cache

from django.db import connections, models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from policy.deadlines import due_at

from .db import transaction_memo
from .prepared import insert_all


class Deadline(models.Model):
    case_type = models.CharField(max_length=40)
    case_id = models.BigIntegerField()
    name = models.CharField(_("name"), max_length=40)
    due_at = models.DateTimeField(_("due at"))
    provisional = models.BooleanField(default=False)  # computed before the official calendar notice
    met_at = models.DateTimeField(_("met at"), null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        app_label = "approvals"
        verbose_name = _("deadline")
        verbose_name_plural = _("deadlines")
        ordering = ["due_at", "pk"]
        indexes = [
            models.Index(fields=["case_type", "case_id"]),
            models.Index(fields=["met_at", "due_at"]),
        ]

    def __str__(self):
        return f"{self.case_type}#{self.case_id} {self.name} due {self.due_at:%Y-%m-%d %H:%M}"


def deadline_open(*, case_type: str, case_id: int, name: str, due) -> None:
    """Open the deadline `name` of a case with a computed due time (policy.deadlines.DueTime):
    one INSERT written once (approvals.prepared.insert_all; every step opens one). The
    transaction remembers the due time for the task its step creates (`open_due`)."""
    memo = transaction_memo()
    if memo is not None:
        memo[_due_key(case_type, case_id, name)] = due.at
    insert_all(
        [
            Deadline(
                case_type=case_type,
                case_id=case_id,
                name=name,
                due_at=due.at,
                provisional=due.provisional,
            )
        ]
    )


def deadline_meet(*, case_type: str, case_id: int, name: str) -> None:
    """The step the deadline waited for has happened (or its window has closed): the open
    deadline of that name is met now (one UPDATE, written once: every step meets one)."""
    memo = transaction_memo()
    if memo is not None:
        memo.pop(_due_key(case_type, case_id, name), None)
    connection = connections["default"]
    met_at = Deadline._meta.get_field("met_at")
    with connection.cursor() as cursor:
        cursor.execute(
            _meet_sql(connection.vendor),
            [met_at.get_db_prep_save(timezone.now(), connection), case_type, case_id, name],
        )


def _due_key(case_type: str, case_id, name: str) -> tuple:
    return ("deadline-due", case_type, int(case_id), name)


def open_due(*, case_type: str, case_id: int, name: str):
    """The due time of the case's open deadline `name` (the latest, should there be two), or
    None: from the transaction that opened it, else one query."""
    memo = transaction_memo()
    if memo is not None:
        key = _due_key(case_type, case_id, name)
        if key in memo:
            return memo[key]
    return (
        Deadline.objects.filter(
            case_type=case_type, case_id=case_id, name=name, met_at__isnull=True
        )
        .order_by()
        .aggregate(latest=models.Max("due_at"))["latest"]
    )


@lru_cache(maxsize=4)
def _meet_sql(vendor: str) -> str:
    q = connections["default"].ops.quote_name
    column = {f.name: q(f.column) for f in Deadline._meta.concrete_fields}
    return (
        f"UPDATE {q(Deadline._meta.db_table)} SET {column['met_at']} = %s "
        f"WHERE {column['case_type']} = %s AND {column['case_id']} = %s "
        f"AND {column['name']} = %s AND {column['met_at']} IS NULL"
    )


def deadlines_move(
    *,
    case_type: str,
    case_id: int,
    waiting: dict,
    from_state: str,
    to_state: str,
    days: int,
    mode: str,
    counted_from=None,
) -> None:
    """Meet the deadline of the step `from_state` waited for; open one for `to_state`'s step.

    `waiting` maps a state to the name of the step that state waits for. The new step's response
    time counts from now, or from `counted_from` when the step cannot start before a later
    moment (a defence's scores are due after the defence, not after it was scheduled).
    """
    if from_state == to_state:
        return
    if from_state in waiting:
        deadline_meet(case_type=case_type, case_id=case_id, name=waiting[from_state])
    if to_state in waiting:
        start = max(timezone.now(), counted_from) if counted_from else timezone.now()
        due = due_at(start, days, mode=mode, end_of_day=True)
        deadline_open(case_type=case_type, case_id=case_id, name=waiting[to_state], due=due)
