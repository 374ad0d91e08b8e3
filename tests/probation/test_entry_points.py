"""PROB-1 at the entry points that create employees: seed_demo and load_org open the
probationers' cases (idempotently)."""

import json

import pytest
import time_machine
from dateutil.relativedelta import relativedelta
from django.core.management import call_command

from approvals.probation.models import Probation
from org.models import Employee

from .helpers import local

pytestmark = pytest.mark.django_db


@time_machine.travel(local(2026, 3, 15, 10, 0), tick=False)
def test_prob1_seed_demo_opens_the_demo_probationers_cases(capsys):
    call_command("seed_demo")
    trainees = Employee.objects.filter(level="probationer")
    assert trainees.count() == 2
    for trainee in trainees:
        probation = Probation.objects.get(employee=trainee)
        assert probation.ends_on == trainee.hired_on + relativedelta(months=3)
        assert probation.state == "in_probation"
    assert "2 probations opened" in capsys.readouterr().out
    call_command("seed_demo")
    assert Probation.objects.count() == 2


def test_prob1_load_org_opens_new_probationers_cases(tmp_path, capsys):
    data = {
        "departments": [{"code": "cs", "name": "客服部", "lead": "boss"}],
        "people": [
            {
                "username": "boss",
                "name": "主管",
                "department": "cs",
                "level": None,
                "roles": ["department_lead"],
                "hired_on": "2020-01-01",
            },
            {
                "username": "new1",
                "name": "新人",
                "department": "cs",
                "level": "probationer",
                "hired_on": "2026-02-15",
            },
            {
                "username": "old1",
                "name": "老员工",
                "department": "cs",
                "level": "junior",
                "hired_on": "2024-02-15",
            },
        ],
    }
    path = tmp_path / "org.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    call_command("load_org", str(path))
    [probation] = Probation.objects.all()
    assert probation.employee.user.username == "new1"
    assert probation.ends_on.isoformat() == "2026-05-15"
    assert "probations opened 新建试用期: 1" in capsys.readouterr().out
    call_command("load_org", str(path))
    assert Probation.objects.count() == 1
