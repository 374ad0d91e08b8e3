"""load_org (ORG-1..3): creates, re-runs update without duplicates, and a file with any bad row is
refused whole with every bad row named and nothing written."""

import datetime as dt
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.core.management.base import CommandError

from org.models import Department, Employee, LevelHistory
from org.roles import roles_of
from org.services import OrgFileError, org_load
from tests.org.factories import org_data, person, write_org

pytestmark = pytest.mark.django_db
User = get_user_model()


def test_load_org_creates_departments_people_leads_and_roles(tmp_path, capsys):
    call_command("load_org", write_org(tmp_path, org_data()))
    assert "3 created" in capsys.readouterr().out
    cs = Department.objects.get(code="cs")
    assert cs.name == "客服部" and cs.lead.user.username == "lead"
    assert Department.objects.get(code="admin").lead is None
    lead = User.objects.get(username="lead")
    assert roles_of(lead) == ["department_lead", "defence_panel"]
    assert lead.has_perm("org.department_lead") and not lead.has_perm("org.gm_office")
    assert lead.email == "lead@example.com"


def test_load_org_new_users_get_an_unusable_password(tmp_path):
    call_command("load_org", write_org(tmp_path, org_data()))
    assert not any(u.has_usable_password() for u in User.objects.all())


def test_load_org_salary_from_policy_and_first_level_history_on_hire_date(tmp_path):
    """ORG-3: a new ladder employee's base salary is the policy's figure for the level."""
    call_command("load_org", write_org(tmp_path, org_data()))
    agent = Employee.objects.get(user__username="agent")
    assert agent.base_salary == Decimal("2200")
    [row] = LevelHistory.objects.filter(employee=agent)
    assert (row.from_level, row.to_level, row.effective_on) == (None, "junior", dt.date(2025, 1, 6))
    assert row.base_salary == Decimal("2200")


def test_load_org_staff_off_the_ladder_have_no_level_salary_or_history(tmp_path):
    call_command("load_org", write_org(tmp_path, org_data()))
    clerk = Employee.objects.get(user__username="clerk")
    assert (clerk.level, clerk.base_salary) == (None, None)
    assert not clerk.level_history.exists()


def test_load_org_rerun_updates_without_duplicates(tmp_path, capsys):
    path = write_org(tmp_path, org_data())
    call_command("load_org", path)
    data = org_data()
    data["people"][2].update(name="Agent Renamed", email="new@example.com", roles=["trainer"])
    data["departments"][1]["lead"] = "clerk"
    call_command("load_org", write_org(tmp_path, data))
    out = capsys.readouterr().out.splitlines()[-1]
    assert "people 人员: 0 created 新建, 1 updated 更新, 2 unchanged" in out
    assert User.objects.count() == Employee.objects.count() == 3
    assert Department.objects.count() == 2
    assert LevelHistory.objects.count() == 2  # lead and agent, once each
    agent = Employee.objects.get(user__username="agent")
    assert (agent.name, agent.user.email, roles_of(agent.user)) == (
        "Agent Renamed",
        "new@example.com",
        ["trainer"],
    )
    assert Department.objects.get(code="admin").lead.user.username == "clerk"
    assert Group.objects.filter(name="trainer").count() == 1


def test_load_org_rerun_keeps_a_password_set_since(tmp_path):
    path = write_org(tmp_path, org_data())
    call_command("load_org", path)
    user = User.objects.get(username="agent")
    user.set_password("s3cret-pass")
    user.save()
    call_command("load_org", path)
    assert User.objects.get(username="agent").check_password("s3cret-pass")


def test_load_org_level_changed_by_file_is_recorded_with_new_salary(tmp_path):
    """ORG-3: a level set by a later file leaves a LevelHistory row and moves the salary."""
    call_command("load_org", write_org(tmp_path, org_data()))
    data = org_data()
    data["people"][2]["level"] = "intermediate"
    report = org_load(data=data)
    agent = Employee.objects.get(user__username="agent")
    assert report.level_changes == 1
    assert (agent.level, agent.base_salary) == ("intermediate", Decimal("2400"))
    assert list(agent.level_history.values_list("from_level", "to_level")) == [
        (None, "junior"),
        ("junior", "intermediate"),
    ]


def test_org_load_only_missing_leaves_existing_people_alone(tmp_path):
    """The demo's mode: a re-run never undoes a change made since (e.g. a promotion)."""
    org_load(data=org_data())
    Employee.objects.filter(user__username="agent").update(level="intermediate")
    data = org_data()
    data["people"].append(person("newbie", level="probationer"))
    report = org_load(data=data, only_missing=True)
    assert (report.people_created, report.people_unchanged) == (1, 3)
    assert Employee.objects.get(user__username="agent").level == "intermediate"


BAD_ROWS = [
    ("unknown department", lambda d: d["people"][2].update(department="nowhere"),
     "people[2] (agent): unknown department 'nowhere'"),
    ("unknown level", lambda d: d["people"][2].update(level="expert"),
     "people[2] (agent): unknown level 'expert'"),
    ("unknown role", lambda d: d["people"][1].update(roles=["king"]),
     "people[1] (clerk): unknown role 'king'"),
    ("malformed date", lambda d: d["people"][2].update(hired_on="2025-02-30"),
     "people[2] (agent): hired_on '2025-02-30' is not a date (YYYY-MM-DD)"),
    ("duplicate username", lambda d: d["people"].append(person("agent")),
     "people[3] (agent): duplicate username 'agent' (first at people[2] (agent))"),
    ("lead not among people", lambda d: d["departments"][0].update(lead="ghost"),
     "departments[0] (cs): lead 'ghost' is not among the people"),
]  # fmt: skip


@pytest.mark.parametrize(("case", "spoil", "message"), BAD_ROWS, ids=[b[0] for b in BAD_ROWS])
def test_load_org_refuses_a_file_with_a_bad_row_and_writes_nothing(
    tmp_path, capsys, case, spoil, message
):
    data = org_data()
    spoil(data)
    with pytest.raises(CommandError, match="nothing was loaded"):
        call_command("load_org", write_org(tmp_path, data))
    assert message in capsys.readouterr().err
    assert not User.objects.exists()
    assert not Department.objects.exists()
    assert not Group.objects.filter(user__isnull=False).exists()


def test_load_org_names_every_bad_row_of_a_file(tmp_path, capsys):
    data = org_data()
    data["people"][0]["department"] = "nowhere"
    data["people"][1]["level"] = "expert"
    data["people"][2]["roles"] = ["king"]
    with pytest.raises(CommandError):
        call_command("load_org", write_org(tmp_path, data))
    err = capsys.readouterr().err.splitlines()
    assert err == [
        "people[0] (lead): unknown department 'nowhere'",
        "people[1] (clerk): unknown level 'expert'",
        "people[2] (agent): unknown role 'king'",
    ]


def test_load_org_refusal_after_a_good_load_changes_nothing(tmp_path):
    org_load(data=org_data())
    data = org_data()
    data["people"][0]["name"] = "Changed"
    data["people"][2]["level"] = "expert"
    with pytest.raises(OrgFileError) as refused:
        org_load(data=data)
    assert refused.value.errors == ["people[2] (agent): unknown level 'expert'"]
    assert Employee.objects.get(user__username="lead").name == "LEAD"


def test_load_org_refuses_a_file_that_is_not_an_organisation(tmp_path):
    with pytest.raises(OrgFileError) as refused:
        org_load(data={"people": []})
    assert "departments" in refused.value.errors[0]


def test_load_org_unreadable_json_is_a_command_error(tmp_path):
    path = tmp_path / "org.json"
    path.write_text("{not json", encoding="utf-8")
    with pytest.raises(CommandError, match="Cannot read"):
        call_command("load_org", str(path))


def test_finding10_load_org_warns_of_a_deciding_role_held_by_one_person(tmp_path, capsys):
    """The only administration member (clerk): their own requests go to the fallback role."""
    call_command("load_org", write_org(tmp_path, org_data()))
    out = capsys.readouterr().out
    assert "role_single_holder" in out and "org.roles.administration" in out and "clerk" in out
