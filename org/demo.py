"""The demo organisation of `make run`: a customer-service department with a lead, a trainer,
the GM office, administration, a defence panel and agents on every level, with 12 months of
monthly scores chosen so that some agents are eligible for the next level (PROMO-2) and some
are not. Deterministic; re-running creates only what is missing and resets passwords."""

import json
from decimal import Decimal
from pathlib import Path

from django.contrib.auth import get_user_model
from django.utils import timezone

from approvals.eligibility import complete_months, evaluate
from org.levels import Level, next_level
from org.models import Employee
from org.services import org_load
from performance.models import Assessment
from performance.services import assessment_record

DEMO_FILE = Path(__file__).resolve().parent / "fixtures" / "demo_org.json"
DEMO_PASSWORD = "demo1234"

# 12 monthly scores per agent, oldest first (None: no assessment that month).
T1 = [93, 95, 92, 96, 94, 91, 97, 93, 95, 92, 94, 96]
SCORES = {
    "zhang.wei": T1,
    "chen.jing": [88, 90, 92, 89, 93, 91, 94, 90, 92, 95, 91, 93],
    "liu.yang": T1,  # eligible for reserve supervisor
    "ma.chao": [
        92,
        95,
        93,
        91,
        94,
        86,
        93,
        95,
        92,
        88,
        94,
        95,
    ],  # 2 months not tier 1 in the last 8
    "yang.li": [84, 86, 88, 79, 85, 90, 82, 93, 95, 92, 96, 94],  # eligible for senior
    "zhao.qiang": [85, 88, 84, 86, 90, 87, 75, 93, 95, 92, 96, 94],  # a tier-3 month in the last 6
    "he.jun": [92, 93, 95, 91, 94, 93, 95, None, 96, 94, 92, 93],  # a missing month
    "huang.lei": [78, 82, 85, 80, 83, 86, 81, 84, 92, 85, 93, 88],  # eligible for intermediate
    "wu.xia": [80, 82, 81, 85, 83, 84, 82, 86, 88, 92, 85, 87],  # only 1 tier-1 month
    "xu.tao": [81, 83, 85, 84, 86, 88, 90, 91, 85, 94, 89, 92],  # eligible for intermediate
    "lin.fang": [75, 72, 78, 70, 74, 76, 73, 71, 77, 79, 74, 68],  # tier 3
    "guo.peng": [88, 90, 85, 87, 92, 89, 91, 88, None, 93, 92, 90],  # a missing month
    "song.jia": [82, 80, 84, 83, 81, 85, 79, 82, 84, 86, 83, 85],  # no tier-1 month
    "sun.yue": [None] * 10 + [88, 91],
    "zhu.lin": [None] * 11 + [84],
}


def seed_demo(*, stdout=None) -> list[dict]:
    data = json.loads(DEMO_FILE.read_text(encoding="utf-8"))
    org_load(data=data)
    User = get_user_model()
    for person in data["people"]:
        user = User.objects.get(username=person["username"])
        user.set_password(DEMO_PASSWORD)
        user.save(update_fields=["password"])
    months = complete_months(12, timezone.now())
    for username, scores in SCORES.items():
        employee = Employee.objects.get(user__username=username)
        existing = set(Assessment.objects.filter(employee=employee).values_list("month", flat=True))
        for month, score in zip(months, scores, strict=True):
            if score is not None and month not in existing:
                assessment_record(employee=employee, month=month, score=Decimal(score))
    rows = []
    for person in data["people"]:
        employee = Employee.objects.select_related("department").get(
            user__username=person["username"]
        )
        target = next_level(employee.level)
        eligible = None
        if target and target != Level.JUNIOR:
            eligible = evaluate(employee, target).eligible
        rows.append(
            {
                "username": person["username"],
                "name": employee.name,
                "department": employee.department.name,
                "roles": ", ".join(person["roles"]) or "employee",
                "level": employee.level or "-",
                "next": f"{target}: {'eligible' if eligible else 'not eligible'}"
                if eligible is not None
                else "-",
            }
        )
    return rows
