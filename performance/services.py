"""Recording and importing monthly assessments (SCORE-1, SCORE-4, SCORE-5).

Tier and grade are computed from the score by the policy in force for that month. An import is
all-or-nothing: every row is validated first, every bad row is reported, and nothing is written
from a file with any error. Re-recording a month replaces its score.
"""

import csv
import datetime as dt
import io
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path

from django.db import transaction
from django.utils import timezone

from org.models import Employee
from policy.services import policy_in_force

from .models import Assessment

MAX_SCORE = Decimal("110")  # SCORE-1: base 80 plus events, capped at 110


def assessment_record(
    *, employee, month: dt.date, score, source: str = Assessment.Source.MANUAL
) -> Assessment:
    month = month.replace(day=1)
    score = Decimal(str(score)).quantize(Decimal("0.1"))
    if not (0 <= score <= MAX_SCORE):
        raise ValueError(f"score {score} is outside 0..{MAX_SCORE} (SCORE-1)")
    policy = policy_in_force(at=timezone.make_aware(dt.datetime.combine(month, dt.time.min)))
    assessment, _ = Assessment.objects.update_or_create(
        employee=employee,
        month=month,
        defaults={
            "score": score,
            "tier": policy.tier_for(score),
            "grade": policy.grade_for(score),
            "policy_version": policy.version,
            "source": source,
        },
    )
    return assessment


@dataclass
class ImportReport:
    imported: int = 0
    errors: list[str] = field(default_factory=list)


def _read_rows(path: Path) -> list[tuple[int, dict]]:
    if path.suffix.lower() == ".xlsx":
        from openpyxl import load_workbook

        sheet = load_workbook(path, read_only=True, data_only=True).active
        rows = list(sheet.iter_rows(values_only=True))
        header = [str(h).strip().lower() if h is not None else "" for h in rows[0]] if rows else []
        return [
            (n, dict(zip(header, row, strict=False))) for n, row in enumerate(rows[1:], start=2)
        ]
    text = path.read_text(encoding="utf-8-sig")
    reader = csv.DictReader(io.StringIO(text))
    reader.fieldnames = [f.strip().lower() for f in reader.fieldnames or []]
    return list(enumerate(reader, start=2))


def _parse_month(value) -> dt.date:
    if isinstance(value, dt.datetime | dt.date):
        return dt.date(value.year, value.month, 1)
    year, month = str(value).strip().split("-")
    return dt.date(int(year), int(month), 1)


def assessments_import(*, path) -> ImportReport:
    path = Path(path)
    report = ImportReport()
    rows = _read_rows(path)
    if rows and not {"username", "month", "score"} <= set(rows[0][1]):
        report.errors.append("header: the columns username, month, score are required")
        return report
    employees = {e.user.username: e for e in Employee.objects.select_related("user")}
    parsed, seen = [], {}
    for line, row in rows:
        username = str(row.get("username") or "").strip()
        problems = []
        employee = employees.get(username)
        if employee is None:
            problems.append(f"unknown user {username!r}")
        try:
            month = _parse_month(row.get("month"))
        except (ValueError, TypeError):
            month = None
            problems.append(f"month {row.get('month')!r} is not YYYY-MM")
        try:
            score = Decimal(str(row.get("score")).strip())
            if not score.is_finite() or not (0 <= score <= MAX_SCORE):
                problems.append(f"score {score} is outside 0..{MAX_SCORE} (SCORE-1)")
        except (InvalidOperation, ValueError):
            score = None
            problems.append(f"score {row.get('score')!r} is not a number")
        key = (username, month)
        if month and key in seen:
            problems.append(f"duplicate of row {seen[key]}")
        seen.setdefault(key, line)
        if problems:
            report.errors.append(f"row {line} ({username or '?'}): " + "; ".join(problems))
        else:
            parsed.append((employee, month, score))
    if report.errors:
        return report
    with transaction.atomic():
        for employee, month, score in parsed:
            assessment_record(
                employee=employee, month=month, score=score, source=Assessment.Source.IMPORT
            )
    report.imported = len(parsed)
    return report
