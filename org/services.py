"""Loading an organisation file (format: shared/org-example.json) — ORG-1..3.

The file lists departments (code, name, lead) and people (username, name, email, department,
level or null for staff off the ladder, roles, hired_on). The whole file is validated before
anything is written, and a file with any bad row is refused whole with every bad row named;
the writes then happen in one transaction. Re-loading updates by department code and username
and never duplicates.

New users get an unusable password until an administrator sets one (`changepassword`). A new
ladder employee gets the policy's base salary for the level (ORG-3) and a first LevelHistory row
dated the hire date; a level changed by a later file is recorded as a LevelHistory row too, so the
history always explains the current level.
"""

import datetime as dt
import json
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.contrib.auth.validators import UnicodeUsernameValidator
from django.core.exceptions import ValidationError
from django.core.validators import validate_email, validate_slug
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from approvals.errors import InvalidInput
from approvals.inputs import date_window
from policy.services import policy_in_force

from .levels import LADDER, ROLE_CODES
from .models import Department, Employee, LevelHistory
from .roles import roles_of, set_roles

HIRED_REASON = "hired (load_org)"
RELOADED_REASON = "load_org"


class OrgFileError(InvalidInput):
    """The file was refused whole; `errors` names every bad row."""

    default_code = "org_file_invalid"

    def __init__(self, errors: list[str]):
        super().__init__(
            gettext_lazy(
                "The organisation file was refused (%(count)s errors); nothing was loaded."
            ),
            params={"count": len(errors)},
        )
        self.errors = errors


@dataclass
class LoadReport:
    departments_created: int = 0
    departments_updated: int = 0
    departments_unchanged: int = 0
    people_created: int = 0
    people_updated: int = 0
    people_unchanged: int = 0
    level_changes: int = 0
    created_users: list[str] = field(default_factory=list)


# --- validation ---------------------------------------------------------------------------------


def _q(value) -> str:
    """A value as the file wrote it, quoted like Python does ('expert'), for error messages
    (a NUL byte or a lone surrogate shown escaped, and a long value cut)."""
    text = repr(value) if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
    text = text.encode("utf-8", "backslashreplace").decode("utf-8")
    return text if len(text) <= 60 else text[:60] + "…"


# The longest texts the tables hold (Department.name, Employee.name, User.email).
NAME_MAX, EMAIL_MAX = 100, 254


def _unstorable(item: dict) -> list[str]:
    """The keys of a row whose text (or a text in its list) has a NUL byte or a lone surrogate:
    no database stores them, and the row would fail half-way through the load."""

    def bad(value) -> bool:
        if isinstance(value, list):
            return any(bad(v) for v in value)
        return isinstance(value, str) and (
            "\x00" in value or any("\ud800" <= c <= "\udfff" for c in value)
        )

    return [key for key, value in item.items() if bad(key) or bad(value)]


def _characters_errors(row: str, item: dict) -> list[str]:
    return [
        _(
            "%(row)s: %(field)s contains a character that cannot be stored (a NUL byte or a "
            "lone surrogate)"
        )
        % {"row": row, "field": _q(key)}
        for key in _unstorable(item)
    ]


def _label(kind: str, index: int, key) -> str:
    return f"{kind}[{index}] ({key})" if isinstance(key, str) and key else f"{kind}[{index}]"


def _validate(data) -> list[str]:
    """Every problem of the file, one message per problem, in file order."""
    if not isinstance(data, dict) or not all(
        isinstance(data.get(key), list) for key in ("departments", "people")
    ):
        return [_("The file must be a JSON object with the lists “departments” and “people”.")]
    errors: list[str] = []
    departments, people = data["departments"], data["people"]

    codes: dict[str, str] = {}
    for i, d in enumerate(departments):
        if not isinstance(d, dict):
            errors.append(_("%(row)s: must be an object") % {"row": f"departments[{i}]"})
            continue
        row = _label("departments", i, d.get("code"))
        errors += _required(row, d, ("code", "name"))
        errors += _characters_errors(row, d)
        dept_name = d.get("name")
        if isinstance(dept_name, str) and len(dept_name) > NAME_MAX:
            errors.append(
                _("%(row)s: department name is longer than %(max)s characters")
                % {"row": row, "max": NAME_MAX}
            )
        code = d.get("code")
        if isinstance(code, str) and code:
            try:
                validate_slug(code)
                if len(code) > 40:
                    raise ValidationError("too long")
            except ValidationError:
                errors.append(
                    _(
                        "%(row)s: code %(value)s must be letters, digits, hyphens or "
                        "underscores (at most 40)"
                    )
                    % {"row": row, "value": _q(code)}
                )
            if code in codes:
                errors.append(
                    _("%(row)s: duplicate department code %(value)s (first at %(first)s)")
                    % {"row": row, "value": _q(code), "first": codes[code]}
                )
            else:
                codes[code] = row

    usernames: dict[str, str] = {}
    known_departments = set(codes) | set(Department.objects.values_list("code", flat=True))
    for i, p in enumerate(people):
        if not isinstance(p, dict):
            errors.append(_("%(row)s: must be an object") % {"row": f"people[{i}]"})
            continue
        row = _label("people", i, p.get("username"))
        errors += _required(row, p, ("username", "name", "department", "hired_on"))
        errors += _characters_errors(row, p)
        username = p.get("username")
        if isinstance(username, str) and username:
            try:
                UnicodeUsernameValidator()(username)
                if len(username) > 150:
                    raise ValidationError("too long")
            except ValidationError:
                errors.append(
                    _("%(row)s: username %(value)s is not a valid login name")
                    % {"row": row, "value": _q(username)}
                )
            if username in usernames:
                errors.append(
                    _("%(row)s: duplicate username %(value)s (first at %(first)s)")
                    % {"row": row, "value": _q(username), "first": usernames[username]}
                )
            else:
                usernames[username] = row
        name = p.get("name")
        if isinstance(name, str) and len(name) > NAME_MAX:
            errors.append(
                _("%(row)s: name is longer than %(max)s characters") % {"row": row, "max": NAME_MAX}
            )
        email = p.get("email")
        if email not in (None, ""):
            try:
                validate_email(email)
                if len(email) > EMAIL_MAX:
                    raise ValidationError("too long")
            except (ValidationError, TypeError):
                errors.append(
                    _("%(row)s: email %(value)s is not a valid address")
                    % {"row": row, "value": _q(email)}
                )
        department = p.get("department")
        if isinstance(department, str) and department and department not in known_departments:
            errors.append(
                _("%(row)s: unknown department %(value)s") % {"row": row, "value": _q(department)}
            )
        level = p.get("level")
        if level is not None and (not isinstance(level, str) or level not in LADDER):
            errors.append(_("%(row)s: unknown level %(value)s") % {"row": row, "value": _q(level)})
        roles = p.get("roles", [])
        if roles is None:
            roles = []
        if not isinstance(roles, list):
            errors.append(_("%(row)s: roles must be a list") % {"row": row})
        else:
            for role in roles:
                if not isinstance(role, str) or role not in ROLE_CODES:
                    errors.append(
                        _("%(row)s: unknown role %(value)s") % {"row": row, "value": _q(role)}
                    )
        hired_on = p.get("hired_on")
        if isinstance(hired_on, str) and hired_on.strip():
            day = _date(hired_on)
            first, last = date_window()
            if day is None:
                errors.append(
                    _("%(row)s: hired_on %(value)s is not a date (YYYY-MM-DD)")
                    % {"row": row, "value": _q(hired_on)}
                )
            elif not first <= day <= last:
                # approvals.inputs.DATE_WINDOW: a hire date in year 9999 made every later load,
                # open_probations and the scheduler's probation step fail (issue 11).
                errors.append(
                    _(
                        "%(row)s: hired_on %(value)s is outside the accepted dates "
                        "(%(first)s to %(last)s)"
                    )
                    % {"row": row, "value": _q(hired_on), "first": first, "last": last}
                )

    known_people = set(usernames) | set(Employee.objects.values_list("user__username", flat=True))
    for i, d in enumerate(departments):
        if not isinstance(d, dict):
            continue
        lead = d.get("lead")
        if lead not in (None, "") and (not isinstance(lead, str) or lead not in known_people):
            errors.append(
                _("%(row)s: lead %(value)s is not among the people")
                % {"row": _label("departments", i, d.get("code")), "value": _q(lead)}
            )
    return errors


def _required(row: str, item: dict, keys: tuple[str, ...]) -> list[str]:
    return [
        _("%(row)s: %(field)s is required") % {"row": row, "field": key}
        for key in keys
        if not isinstance(item.get(key), str) or not item.get(key).strip()
    ]


def _date(value) -> dt.date | None:
    if not isinstance(value, str):
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        return None


# --- writing ------------------------------------------------------------------------------------


def employee_level_start(*, employee: Employee, policy=None) -> None:
    """A new ladder employee's base salary (ORG-3, when not set) and first LevelHistory row,
    dated the hire date. Used by org_load and the admin's "add employee"."""
    if not employee.level:
        return
    policy = policy or policy_in_force(at=timezone.now())
    if employee.base_salary is None:
        employee.base_salary = policy.salary_for(employee.level)
        employee.save(update_fields=["base_salary"])
    if not employee.level_history.exists():
        LevelHistory.objects.create(
            employee=employee,
            from_level=None,
            to_level=employee.level,
            base_salary=employee.base_salary,
            effective_on=employee.hired_on,
            reason=HIRED_REASON,
        )


def org_load(*, data: dict, only_missing: bool = False) -> LoadReport:
    """Load or update the organisation in `data` (the parsed JSON file).

    Raises OrgFileError (nothing written) when any row is bad. With `only_missing` (the demo
    seeding), departments and people that already exist are left exactly as they are, so a
    re-run never undoes what happened since (a promotion, a changed role)."""
    with transaction.atomic():
        errors = _validate(data)
        if errors:
            raise OrgFileError(errors)
        return _write(data, only_missing=only_missing)


def _write(data: dict, *, only_missing: bool) -> LoadReport:
    report = LoadReport()
    User = get_user_model()
    policy = policy_in_force(at=timezone.now())
    today = timezone.localdate()

    departments: dict[str, Department] = {}
    set_lead: set[str] = set()
    for d in data["departments"]:
        dept = Department.objects.filter(code=d["code"]).first()
        if dept is None:
            dept = Department.objects.create(code=d["code"], name=d["name"])
            report.departments_created += 1
            set_lead.add(dept.code)
        elif only_missing:
            if dept.lead_id is None:
                set_lead.add(dept.code)
            report.departments_unchanged += 1
        else:
            set_lead.add(dept.code)
            lead = d.get("lead") or None
            current_lead = dept.lead.user.username if dept.lead_id else None
            if dept.name != d["name"] or current_lead != lead:
                dept.name = d["name"]
                dept.save(update_fields=["name"])
                report.departments_updated += 1
            else:
                report.departments_unchanged += 1
        departments[dept.code] = dept

    for p in data["people"]:
        department = departments.get(p["department"]) or Department.objects.get(
            code=p["department"]
        )
        level = p.get("level")
        hired_on = dt.date.fromisoformat(p["hired_on"])
        roles = p.get("roles") or []
        email = p.get("email") or ""
        user = User.objects.filter(username=p["username"]).first()
        employee = Employee.objects.filter(user=user).first() if user else None
        if employee is None:
            if user is None:
                user = User(username=p["username"], email=email)
                # Nobody knows a password yet: an administrator sets one with changepassword.
                user.set_unusable_password()
                user.save()
                report.created_users.append(user.username)
            employee = Employee.objects.create(
                user=user, name=p["name"], department=department, level=level, hired_on=hired_on
            )
            employee_level_start(employee=employee, policy=policy)
            set_roles(user, roles)
            report.people_created += 1
            continue
        if only_missing:
            report.people_unchanged += 1
            continue
        changed = _update_person(employee, p, department, level, hired_on, policy, today, report)
        if user.email != email:
            user.email = email
            user.save(update_fields=["email"])
            changed = True
        if roles_of(user) != [code for code in ROLE_CODES if code in roles]:
            set_roles(user, roles)
            changed = True
        if changed:
            report.people_updated += 1
        else:
            report.people_unchanged += 1

    for d in data["departments"]:
        if d["code"] not in set_lead:
            continue
        dept = departments[d["code"]]
        lead = Employee.objects.get(user__username=d["lead"]) if d.get("lead") else None
        if dept.lead_id != (lead.pk if lead else None):
            dept.lead = lead
            dept.save(update_fields=["lead"])
    return report


def _update_person(employee, p, department, level, hired_on, policy, today, report) -> bool:
    changed_fields = []
    if employee.name != p["name"]:
        employee.name = p["name"]
        changed_fields.append("name")
    if employee.department_id != department.pk:
        employee.department = department
        changed_fields.append("department")
    if employee.hired_on != hired_on:
        # Keep the first history row in step with a corrected hire date.
        employee.level_history.filter(
            from_level__isnull=True, effective_on=employee.hired_on
        ).update(effective_on=hired_on)
        employee.hired_on = hired_on
        changed_fields.append("hired_on")
    if level != employee.level:
        if level:
            # A level set by the file takes effect today and moves the salary with it (ORG-3).
            salary = policy.salary_for(level)
            LevelHistory.objects.create(
                employee=employee,
                from_level=employee.level,
                to_level=level,
                base_salary=salary,
                effective_on=today,
                reason=RELOADED_REASON,
            )
            employee.base_salary = salary
            changed_fields.append("base_salary")
            report.level_changes += 1
        employee.level = level
        changed_fields.append("level")
    elif level and employee.base_salary is None:
        employee.base_salary = policy.salary_for(level)
        changed_fields.append("base_salary")
    if changed_fields:
        employee.save(update_fields=changed_fields)
    return bool(changed_fields)


def change_level(employee: Employee, to_level: str, *, effective_on: dt.date, reason: str):
    """ORG-3: the employee's new level takes effect with the salary of that level under the
    policy in force on the effective date; the change is kept in the level history. The caller
    holds the employee row lock and the transaction. Returns the new base salary."""
    at = timezone.make_aware(dt.datetime.combine(effective_on, dt.time.min))
    salary = policy_in_force(at=at).salary_for(to_level)
    LevelHistory.objects.create(
        employee=employee,
        from_level=employee.level,
        to_level=to_level,
        base_salary=salary,
        effective_on=effective_on,
        reason=reason,
    )
    employee.level = to_level
    employee.base_salary = salary
    employee.save(update_fields=["level", "base_salary"])
    return salary
