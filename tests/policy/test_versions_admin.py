"""Issue 11, finding 11, in the admin: a pack with a typo is refused with its JSON path; a
version in force or referenced is read-only. And finding 10's linter check: a deciding role held
by one person is reported."""

import datetime as dt
import json

import pytest
import time_machine
from django.core.management import call_command
from django.utils import timezone

from approvals.leave.models import Leave
from org.levels import Role
from org.roles import set_roles
from policy.lint import lint_org
from policy.models import PolicyVersion
from policy.pack import PACKS_DIR
from policy.services import policy_in_force, policy_version_create
from tests.factories import EmployeeFactory, UserFactory
from tests.leave.helpers import WEEK_BEFORE, ask
from tests.orgdata import employee

pytestmark = pytest.mark.django_db

ADD = "/admin/policy/policyversion/add/"


def default_pack() -> dict:
    return json.loads((PACKS_DIR / "default.json").read_text(encoding="utf-8"))


def form(data, code="2027"):
    at = timezone.localtime(timezone.now() + dt.timedelta(days=30))
    return {
        "code": code,
        "name": code,
        "effective_from_0": at.strftime("%Y-%m-%d"),
        "effective_from_1": at.strftime("%H:%M:%S"),
        "data": json.dumps(data),
        "notes": "",
    }


@pytest.fixture
def gm_client(client):
    user = EmployeeFactory(user=UserFactory(username="wang.fang")).user
    set_roles(user, [Role.GM_OFFICE])
    client.force_login(user)
    return client


def test_finding11_the_admin_refuses_a_pack_with_a_typo_naming_its_path(gm_client):
    data = default_pack()
    data["penalties"]["escalate_every"] = "3"
    response = gm_client.post(ADD, form(data))
    assert response.status_code == 200
    errors = " ".join(response.context["adminform"].form.errors["data"])
    assert "$.penalties.escalate_every" in errors
    assert not PolicyVersion.objects.filter(code="2027").exists()


def test_finding11_the_admin_adds_a_valid_future_version_through_the_service(gm_client):
    response = gm_client.post(ADD, form(default_pack()))
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert PolicyVersion.objects.get(code="2027").data["routing"] == {
        "self_decision_fallback": "administration"
    }


def test_finding11_the_admin_refuses_editing_the_version_in_force(gm_client):
    version = PolicyVersion.objects.get(code="default-2026.1")
    url = f"/admin/policy/policyversion/{version.pk}/change/"
    data = {**form({**version.data, "score_max": "120"}, code=version.code)}
    gm_client.post(url, data)
    version.refresh_from_db()
    assert version.data["score_max"] == "110"


def test_finding11_the_admin_refuses_editing_a_referenced_version(gm_client, org):
    version = policy_version_create(
        code="2027",
        name="2027",
        effective_from=timezone.now() + dt.timedelta(days=30),
        data=default_pack(),
    )
    with time_machine.travel(WEEK_BEFORE, tick=False):
        case = ask(org.agent)
    Leave.objects.filter(pk=case["id"]).update(policy_version="2027")
    url = f"/admin/policy/policyversion/{version.pk}/change/"
    gm_client.post(url, form({**version.data, "score_max": "120"}))
    version.refresh_from_db()
    assert version.data["score_max"] == "110"


# --- finding 10: the linter reads the organisation --------------------------------------------


def test_finding10_lint_org_warns_of_a_deciding_role_held_by_one_person(org):
    findings = {f.path: f for f in lint_org(policy_in_force())}
    single = findings["org.roles.gm_office"]
    assert (single.code, single.severity) == ("role_single_holder", "warning")
    assert "gm (gm)" in single.message and "administration" in single.message
    assert "org.roles.administration" not in findings  # two people hold it


def test_finding10_lint_org_is_quiet_when_two_people_hold_the_role(org):
    employee("gm2", department=org.gm.department, level=None, roles=["gm_office"])
    paths = {f.path for f in lint_org(policy_in_force())}
    assert "org.roles.gm_office" not in paths


def test_finding10_policy_lint_prints_the_single_holder_warning(org, capsys):
    call_command("policy_lint")
    out = capsys.readouterr().out
    assert "role_single_holder" in out and "org.roles.gm_office" in out
