"""The demo organisation of `make run` (ORG-1, ORG-2, SCORE-1, PROMO-2).

A customer-service department 客服部 with its lead, a trainer, the GM office, two administration
staff, four defence panel members and fifteen agents on every level, loaded from
org/fixtures/demo_org.json, plus 12 months of monthly scores ending with the last complete month
before today (Asia/Shanghai), chosen so that some agents are eligible for the next level by
PROMO-2 and some are not:

- eligible: huang.lei and xu.tao (junior → intermediate), yang.li (intermediate → senior),
  liu.yang (senior → reserve supervisor);
- not eligible: he.jun and guo.peng (a missing month), zhao.qiang (a tier-3 month within the
  last 6), wu.xia (one tier-1 month), song.jia (no tier-1 month), lin.fang and luo.xin (tier-3
  months), ma.chao and chen.jing (tier-2 months within the last 8);
- probationers sun.yue and zhu.lin, hired two months and one month ago (their hire dates follow
  today, so probation is always under way in the demo).

Deterministic and idempotent: a re-run creates only what is missing (people, departments, months
after an agent's latest recorded month), never changes what exists (a promotion, a corrected
score, a gap), and sets every demo user's password to DEMO_PASSWORD again (and their staff flag
from their roles: administration and the GM office open the admin).
"""

import datetime as dt
import json
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone

from performance.models import Assessment
from performance.selectors import last_complete_months
from performance.services import assessment_record

from .models import Employee
from .roles import staff_sync
from .services import LoadReport, org_load

DEMO_FILE = Path(__file__).resolve().parent / "fixtures" / "demo_org.json"
DEMO_PASSWORD = "Demo-2026-hr"

# Probationers are hired relative to today (months back, day of month), so that whenever the
# demo is seeded their probation (hire date + 3 months, PROB-1) is still running.
PROBATIONER_HIRED = {"sun.yue": (2, 1), "zhu.lin": (1, 8)}

# 12 monthly scores per person, oldest first, the last one being the last complete month.
# None: no assessment that month. Months before the hire month are never recorded.
ALL_TIER_1 = [93, 95, 92, 96, 94, 91, 97, 93, 95, 92, 94, 96]
SCORES: dict[str, list[int | None]] = {
    "zhang.wei": ALL_TIER_1,
    "gao.yan": [92, 94, 90, 95, 93, 96, 91, 94, 92, 95, 93, 97],
    "chen.jing": [88, 90, 92, 89, 93, 91, 94, 90, 92, 95, 91, 93],  # a 90 in the last 8
    "liu.yang": ALL_TIER_1,  # eligible for reserve supervisor
    "ma.chao": [92, 95, 93, 91, 94, 86, 93, 95, 92, 88, 94, 95],  # 86, 88 in the last 8
    "yang.li": [84, 86, 88, 79, 85, 90, 82, 93, 95, 92, 96, 94],  # eligible for senior
    "zhao.qiang": [85, 88, 84, 86, 90, 87, 75, 93, 95, 92, 96, 94],  # 75 in the last 6
    "he.jun": [92, 93, 95, 91, 94, 93, 95, None, 96, 94, 92, 93],  # a missing month
    "luo.xin": [86, 84, 88, 82, 85, 87, 83, 78, 84, 86, 76, 85],  # tier 3, no tier 1
    "huang.lei": [78, 82, 85, 80, 83, 86, 81, 84, 92, 85, 93, 88],  # eligible: 2 of 5 tier 1
    "xu.tao": [81, 83, 85, 84, 86, 88, 90, 91, 85, 94, 89, 92],  # eligible: 3 of 5 tier 1
    "wu.xia": [80, 82, 81, 85, 83, 84, 82, 86, 88, 92, 85, 87],  # only 1 of 5 tier 1
    "lin.fang": [75, 72, 78, 70, 74, 76, 73, 71, 77, 79, 74, 68],  # tier 3
    "guo.peng": [88, 90, 85, 87, 92, 89, 91, 88, None, 93, 92, 90],  # a missing month
    "song.jia": [82, 80, 84, 83, 81, 85, 79, 82, 84, 86, 83, 85],  # no tier-1 month
    "sun.yue": [None] * 10 + [88, 91],
    "zhu.lin": [None] * 11 + [84],
}


@dataclass
class DemoReport:
    load: LoadReport
    assessments_created: int = 0
    people: list[Employee] = field(default_factory=list)


def _months_back(today: dt.date, months: int, day: int) -> dt.date:
    month = today.replace(day=1)
    for _i in range(months):
        month = (month - dt.timedelta(days=1)).replace(day=1)
    return month.replace(day=day)


def demo_data(*, today: dt.date | None = None) -> dict:
    """The demo organisation file, with the probationers' hire dates set relative to today."""
    today = today or timezone.localdate()
    data = json.loads(DEMO_FILE.read_text(encoding="utf-8"))
    for person in data["people"]:
        if person["username"] in PROBATIONER_HIRED:
            months, day = PROBATIONER_HIRED[person["username"]]
            person["hired_on"] = _months_back(today, months, day).isoformat()
    return data


def demo_seed() -> DemoReport:
    """Load what is missing of the demo organisation and its scores; reset the demo passwords."""
    now = timezone.now()
    data = demo_data(today=timezone.localdate(now))
    usernames = [person["username"] for person in data["people"]]
    with transaction.atomic():
        report = DemoReport(load=org_load(data=data, only_missing=True))
        # One hash for all: the demo users share the password anyway, and hashing ~20 times
        # would slow down every `make run`.
        get_user_model().objects.filter(username__in=usernames).update(
            password=make_password(DEMO_PASSWORD)
        )
        months = last_complete_months(12, at=now)
        employees = {
            e.user.username: e
            for e in Employee.objects.select_related("user", "department").filter(
                user__username__in=usernames
            )
        }
        for username, scores in SCORES.items():
            report.assessments_created += _seed_scores(employees[username], months, scores)
        report.people = [employees[username] for username in usernames]
        # The admin's door follows the roles (administration, GM office), also for demo users
        # created before that rule.
        for employee in report.people:
            staff_sync(employee.user)
    return report


def _seed_scores(employee: Employee, months: list[dt.date], scores: list) -> int:
    recorded = set(Assessment.objects.filter(employee=employee).values_list("month", flat=True))
    # Only months after the latest recorded one: a gap before it is either part of the demo
    # (a missing month) or someone's change since, and neither may be filled in.
    latest = max(recorded, default=None)
    hire_month = employee.hired_on.replace(day=1)
    created = 0
    for month, score in zip(months, scores, strict=True):
        if score is None or month < hire_month or (latest is not None and month <= latest):
            continue
        assessment_record(
            employee=employee,
            month=month,
            score=Decimal(score),
            source=Assessment.Source.IMPORT,
        )
        created += 1
    return created
