"""Loading an organisation file (format: shared/org-example.json).

The whole file is validated before anything is written; a file with any bad row is refused
whole, each bad row named. Re-loading updates by department code and username and never
duplicates. New users get an unusable password until an administrator sets one.
"""

import datetime as dt
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from policy.services import policy_in_force

from .levels import LADDER, ROLE_CODES
from .models import Department, Employee, LevelHistory
from .roles import set_roles


class OrgFileError(Exception):
    def __init__(self, errors: list[str]):
        self.errors = errors
        super().__init__("\n".join(errors))


@dataclass
class LoadReport:
    departments_created: int = 0
    departments_updated: int = 0
    people_created: int = 0
    people_updated: int = 0
    created_users: list[str] = field(default_factory=list)


def _validate(data: dict) -> list[str]:
    errors = []
    departments = data.get("departments")
    people = data.get("people")
    if not isinstance(departments, list) or not isinstance(people, list):
        return ["the file needs the lists “departments” and “people”"]
    codes = set()
    for i, d in enumerate(departments):
        label = f"departments[{i}] ({d.get('code', '?')})"
        if not d.get("code") or not d.get("name"):
            errors.append(f"{label}: code and name are required")
        if d.get("code") in codes:
            errors.append(f"{label}: duplicate department code")
        codes.add(d.get("code"))
    usernames = set()
    for i, p in enumerate(people):
        label = f"people[{i}] ({p.get('username', '?')})"
        if not p.get("username") or not p.get("name"):
            errors.append(f"{label}: username and name are required")
        if p.get("username") in usernames:
            errors.append(f"{label}: duplicate username")
        usernames.add(p.get("username"))
        if (
            p.get("department") not in codes
            and not Department.objects.filter(code=p.get("department")).exists()
        ):
            errors.append(f"{label}: unknown department {p.get('department')!r}")
        if p.get("level") is not None and p.get("level") not in LADDER:
            errors.append(f"{label}: unknown level {p.get('level')!r}")
        for role in p.get("roles") or []:
            if role not in ROLE_CODES:
                errors.append(f"{label}: unknown role {role!r}")
        try:
            dt.date.fromisoformat(str(p.get("hired_on")))
        except ValueError:
            errors.append(f"{label}: hired_on {p.get('hired_on')!r} is not a date (YYYY-MM-DD)")
    for i, d in enumerate(departments):
        lead = d.get("lead")
        if (
            lead
            and lead not in usernames
            and not Employee.objects.filter(user__username=lead).exists()
        ):
            errors.append(
                f"departments[{i}] ({d.get('code')}): lead {lead!r} is not among the people"
            )
    return errors


def org_load(*, data: dict) -> LoadReport:
    errors = _validate(data)
    if errors:
        raise OrgFileError(errors)
    report = LoadReport()
    User = get_user_model()
    policy = policy_in_force(at=timezone.now())
    with transaction.atomic():
        departments = {}
        for d in data["departments"]:
            dept, created = Department.objects.update_or_create(
                code=d["code"], defaults={"name": d["name"]}
            )
            departments[d["code"]] = dept
            report.departments_created += created
            report.departments_updated += not created
        for p in data["people"]:
            user, user_created = User.objects.get_or_create(username=p["username"])
            if user_created:
                user.set_unusable_password()
                report.created_users.append(user.username)
            user.email = p.get("email") or ""
            user.save()
            department = departments.get(p["department"]) or Department.objects.get(
                code=p["department"]
            )
            level = p.get("level")
            hired_on = dt.date.fromisoformat(p["hired_on"])
            employee = Employee.objects.filter(user=user).first()
            if employee is None:
                employee = Employee.objects.create(
                    user=user,
                    name=p["name"],
                    department=department,
                    level=level,
                    hired_on=hired_on,
                    base_salary=policy.salary_for(level) if level else None,
                )
                if level:
                    LevelHistory.objects.create(
                        employee=employee,
                        from_level=None,
                        to_level=level,
                        base_salary=employee.base_salary,
                        effective_on=hired_on,
                        reason="load_org",
                    )
                report.people_created += 1
            else:
                if level != employee.level and level:
                    LevelHistory.objects.create(
                        employee=employee,
                        from_level=employee.level,
                        to_level=level,
                        base_salary=policy.salary_for(level),
                        effective_on=timezone.localdate(),
                        reason="load_org",
                    )
                    employee.base_salary = policy.salary_for(level)
                employee.name, employee.department, employee.level, employee.hired_on = (
                    p["name"],
                    department,
                    level,
                    hired_on,
                )
                employee.save()
                report.people_updated += 1
            set_roles(user, p.get("roles") or [])
        for d in data["departments"]:
            dept = departments[d["code"]]
            dept.lead = Employee.objects.get(user__username=d["lead"]) if d.get("lead") else None
            dept.save(update_fields=["lead"])
    return report
