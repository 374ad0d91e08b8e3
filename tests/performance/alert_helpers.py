"""Closing months with given scores, for the alert tests (SCORE-7, SCORE-10, SCORE-11)."""

import datetime as dt
from decimal import Decimal

import time_machine
from django.utils import timezone

from performance.ledger_close import month_close
from performance.services import assessment_record


def month(year: int, number: int) -> dt.date:
    return dt.date(year, number, 1)


def next_month(m: dt.date) -> dt.date:
    return (m + dt.timedelta(days=32)).replace(day=1)


def close_with(admin, m: dt.date, scores: dict, *, department=None):
    """Import `scores` ({employee: score}) for month `m` as final figures and close the month on
    the 1st of the next (administration closes early, SCORE-10)."""
    at = timezone.make_aware(dt.datetime.combine(next_month(m), dt.time(9)))
    with time_machine.travel(at, tick=False):
        for person, score in scores.items():
            assessment_record(employee=person, month=m, score=Decimal(str(score)), source="import")
        return month_close(actor=admin.user, month=m, department=department)
