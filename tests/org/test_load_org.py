"""load_org (format: shared/org-example.json), issue_token and the demo organisation."""

import json
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import CommandError
from rest_framework.authtoken.models import Token

from approvals.eligibility import evaluate
from org.models import Department, Employee, LevelHistory
from org.roles import roles_of

pytestmark = pytest.mark.django_db

EXAMPLE = Path(__file__).resolve().parents[3] / "shared" / "org-example.json"
DEMO = Path(__file__).resolve().parents[2] / "org" / "fixtures" / "demo_org.json"


def example_data():
    source = EXAMPLE if EXAMPLE.exists() else DEMO
    return json.loads(source.read_text(encoding="utf-8"))


def write(tmp_path, data):
    path = tmp_path / "org.json"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return str(path)


def test_load_org_creates_and_rerun_updates_without_duplicates(tmp_path):
    data = example_data()
    call_command("load_org", write(tmp_path, data))
    assert Employee.objects.count() == len(data["people"])
    lead = Department.objects.get(code="cs").lead
    assert lead.user.username == "zhang.wei"
    assert set(roles_of(lead.user)) == {"department_lead", "defence_panel"}
    assert lead.user.has_perm("org.department_lead")
    assert not lead.user.has_usable_password()
    data["people"][5]["name"] = "刘洋(改)"
    call_command("load_org", write(tmp_path, data))
    assert Employee.objects.count() == len(data["people"])
    assert get_user_model().objects.count() == len(data["people"])
    assert Employee.objects.get(user__username=data["people"][5]["username"]).name == "刘洋(改)"


def test_load_org_refuses_the_whole_file_naming_each_bad_row(tmp_path, capsys):
    data = example_data()
    data["people"][1]["department"] = "nowhere"
    data["people"][2]["level"] = "expert"
    data["people"][3]["roles"] = ["king"]
    with pytest.raises(CommandError):
        call_command("load_org", write(tmp_path, data))
    err = capsys.readouterr().err
    assert "people[1]" in err and "unknown department 'nowhere'" in err
    assert "people[2]" in err and "unknown level 'expert'" in err
    assert "people[3]" in err and "unknown role 'king'" in err
    assert Employee.objects.count() == 0 and Department.objects.count() == 0


def test_new_ladder_employee_gets_salary_and_first_history_row(tmp_path):
    """ORG-3: base salary from the policy by level."""
    call_command("load_org", write(tmp_path, example_data()))
    employee = Employee.objects.get(user__username="liu.yang")
    assert str(employee.base_salary) == "2800.00"
    assert LevelHistory.objects.filter(employee=employee, to_level="senior").count() == 1


def test_issue_token_prints_a_working_key(tmp_path, capsys):
    call_command("load_org", write(tmp_path, example_data()))
    call_command("issue_token", "zhang.wei")
    key = capsys.readouterr().out.strip().splitlines()[-1]
    assert Token.objects.get(key=key).user.username == "zhang.wei"
    from rest_framework.test import APIClient

    response = APIClient().get("/api/v1/employees/me/", HTTP_AUTHORIZATION=f"Token {key}")
    assert response.status_code == 200 and response.json()["username"] == "zhang.wei"


def test_seed_demo_is_idempotent_and_has_eligible_and_ineligible_agents():
    """PROMO-2 in the demo: some agents are eligible for the next level and some are not."""
    call_command("seed_demo")
    call_command("seed_demo")
    assert get_user_model().objects.filter(username="huang.lei").count() == 1
    assert evaluate(Employee.objects.get(user__username="huang.lei"), "intermediate").eligible
    assert evaluate(Employee.objects.get(user__username="liu.yang"), "reserve_supervisor").eligible
    assert not evaluate(Employee.objects.get(user__username="wu.xia"), "intermediate").eligible
    assert not evaluate(Employee.objects.get(user__username="he.jun"), "senior").eligible
    assert get_user_model().objects.get(username="huang.lei").check_password("demo1234")
