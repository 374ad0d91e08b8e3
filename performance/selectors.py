"""Reads of monthly assessments (SCORE-1): an employee's scores, and the calendar of complete
months that promotion windows (PROMO-2) are counted in."""

import datetime as dt

from django.db.models import QuerySet
from django.utils import timezone

from .models import Assessment


def last_complete_months(n: int, *, at: dt.datetime | None = None) -> list[dt.date]:
    """First days of the n complete months before `at` (default now), in the company time zone,
    oldest first. The month in progress is never complete."""
    month = timezone.localdate(at or timezone.now()).replace(day=1)
    months = []
    for _i in range(n):
        month = (month - dt.timedelta(days=1)).replace(day=1)
        months.append(month)
    return list(reversed(months))


def assessments_for(
    employee, months: int | None = None, *, at: dt.datetime | None = None
) -> QuerySet:
    """The employee's assessments, newest month first. With `months`, only those within the last
    `months` complete months before `at` (a calendar window: a missing month is simply absent,
    which is what PROMO-2's "consecutive" looks for)."""
    rows = Assessment.objects.filter(employee=employee).order_by("-month")
    if months is not None:
        if months <= 0:
            return rows.none()
        window = last_complete_months(months, at=at)
        rows = rows.filter(month__gte=window[0], month__lte=window[-1])
    return rows
