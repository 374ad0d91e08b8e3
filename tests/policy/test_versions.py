"""Issue 11, finding 11: a case keeps the policy version it stored; a version in force or
referenced never changes; a pack is held against the JSON Schema and the linter before it is
saved."""

import copy
import datetime as dt
import json

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import transaction
from django.utils import timezone

from approvals.leave.models import Leave
from policy.guards import PolicyVersionLocked
from policy.lint import check_pack
from policy.models import PolicyVersion
from policy.pack import PACKS_DIR
from policy.services import (
    policy_by_code,
    policy_in_force,
    policy_of,
    policy_version_create,
    policy_version_update,
)
from tests.leave.helpers import WEEK_BEFORE, ask
from tests.orgdata import employee

pytestmark = pytest.mark.django_db

SHIPPED = sorted(p for p in PACKS_DIR.glob("*.json") if p.name != "schema.json")


def default_pack() -> dict:
    return json.loads((PACKS_DIR / "default.json").read_text(encoding="utf-8"))


def later(days=30):
    return timezone.now() + dt.timedelta(days=days)


def future_version(code="2027", **changes) -> PolicyVersion:
    data = default_pack()
    data.update(changes)
    return policy_version_create(code=code, name=code, effective_from=later(), data=data)


# --- a case keeps its version -----------------------------------------------------------------


def test_finding11_a_version_added_later_with_an_earlier_effective_from_does_not_change_an_open_case(
    org,
):
    with time_machine.travel(WEEK_BEFORE, tick=False):
        leave = Leave.objects.get(pk=ask(org.agent)["id"])
    data = default_pack()
    data["deadlines"] = {**data["deadlines"], "reminder_offsets_hours": [72, 0]}
    # Written past the service (which refuses a past effective_from): the case must not care.
    PolicyVersion.objects.create(
        code="backdated", name="backdated", effective_from=leave.submitted_at, data=data
    )
    assert policy_in_force(at=leave.submitted_at).version == "backdated"  # by date: changed
    assert policy_of(leave).version == "default-2026.1"  # by the case: as submitted
    assert policy_of(leave).reminder_offsets_hours == [24, 0]


def test_finding11_a_probation_reads_its_stored_version(org):
    from approvals.probation.common import policy_of as probation_policy
    from workflows.probation import probation_start

    trainee = employee("trainee", department=org.cs, level="probationer")
    probation = probation_start(employee=trainee)
    data = default_pack()
    data["probation"] = {**data["probation"], "extend_max_months": 1}
    PolicyVersion.objects.create(
        code="backdated", name="b", effective_from=probation.opened_at, data=data
    )
    policy = probation_policy(probation)
    assert (policy.version, policy.probation_extend_max_months) == ("default-2026.1", 3)


def test_finding11_policy_by_code_is_cached_per_process(django_assert_num_queries):
    policy_by_code("default-2026.1")
    with django_assert_num_queries(0):
        assert policy_by_code("default-2026.1").version == "default-2026.1"


def test_finding11_an_unknown_stored_code_is_a_lookup_error():
    with pytest.raises(LookupError):
        policy_by_code("no-such-version")


# --- versions never change under a case -------------------------------------------------------


def test_finding11_editing_the_version_in_force_is_refused_by_the_service():
    version = PolicyVersion.objects.get(code="default-2026.1")
    with pytest.raises(ValidationError) as exc:
        policy_version_update(version=version, data={**version.data, "score_max": "120"})
    assert exc.value.error_list[0].code == "version_locked"
    version.refresh_from_db()
    assert version.data["score_max"] == "110"


def test_finding11_editing_a_referenced_future_version_is_refused_by_the_service(org):
    version = future_version()
    with time_machine.travel(WEEK_BEFORE, tick=False):
        case = ask(org.agent)
    Leave.objects.filter(pk=case["id"]).update(policy_version="2027")
    with pytest.raises(ValidationError) as exc:
        policy_version_update(version=version, data={**version.data, "score_max": "120"})
    assert exc.value.error_list[0].code == "version_locked"


def test_finding11_an_unreferenced_future_version_may_still_be_edited():
    version = future_version()
    changed = policy_version_update(version=version, data={**version.data, "score_max": "120"})
    assert changed.data["score_max"] == "120"
    assert policy_by_code("2027").data["score_max"] == "120"


def test_finding11_the_guard_refuses_save_of_a_version_in_force():
    """The backstop for code that bypasses the service (e.g. a shell or a careless command)."""
    version = PolicyVersion.objects.get(code="default-2026.1")
    version.data = {**version.data, "score_max": "120"}
    with pytest.raises(PolicyVersionLocked):
        version.save()


def test_finding11_the_guard_refuses_moving_a_referenced_version(org):
    version = future_version()
    with time_machine.travel(WEEK_BEFORE, tick=False):
        case = ask(org.agent)
    Leave.objects.filter(pk=case["id"]).update(policy_version="2027")
    version.effective_from = later(60)
    with pytest.raises(PolicyVersionLocked):
        version.save()


def test_finding11_a_version_in_force_is_never_deleted():
    with pytest.raises(PolicyVersionLocked), transaction.atomic():
        PolicyVersion.objects.get(code="default-2026.1").delete()
    assert PolicyVersion.objects.filter(code="default-2026.1").exists()


def test_finding11_a_new_version_never_takes_effect_before_now():
    with pytest.raises(ValidationError) as exc:
        policy_version_create(
            code="past", name="past", effective_from=timezone.now(), data=default_pack()
        )
    assert exc.value.error_dict["effective_from"][0].code == "effective_from_past"
    assert not PolicyVersion.objects.filter(code="past").exists()


# --- the schema --------------------------------------------------------------------------------


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.name)
def test_finding11_the_shipped_packs_match_the_schema(path):
    data = json.loads(path.read_text(encoding="utf-8"))
    assert [f for f in check_pack(data) if f.code == "schema"] == []


def _refused_paths(data) -> dict[str, str]:
    with pytest.raises(ValidationError) as exc:
        policy_version_create(code="typo", name="typo", effective_from=later(), data=data)
    assert not PolicyVersion.objects.filter(code="typo").exists()
    return {e.params["path"]: e.params["message"] for e in exc.value.error_dict["data"]}


def test_finding11_a_pack_with_a_wrong_type_is_refused_with_its_path():
    data = default_pack()
    data["deadlines"]["objection_days"] = "three"
    assert "not of type 'integer'" in _refused_paths(data)["$.deadlines.objection_days"]


def test_finding11_a_pack_missing_a_key_is_refused_with_its_path():
    data = default_pack()
    del data["penalties"]["escalate_every"]
    assert "$.penalties.escalate_every" in _refused_paths(data)


def test_finding11_a_pack_with_an_unknown_top_level_key_is_refused_with_its_path():
    data = default_pack()
    data["salarys"] = data.pop("salaries")
    paths = _refused_paths(data)
    assert "'salarys' was unexpected" in paths["$.salarys"]
    assert "$.salaries" in paths


def test_finding11_a_pack_that_fails_the_linter_is_refused():
    data = json.loads((PACKS_DIR / "handbook_literal.json").read_text(encoding="utf-8"))
    assert {"tiers", "salaries.reserve_supervisor"} <= set(_refused_paths(data))


def test_finding10_the_fallback_role_must_be_one_that_sees_every_case():
    data = default_pack()
    data["routing"] = {"self_decision_fallback": "trainer"}
    assert "$.routing.self_decision_fallback" in _refused_paths(data)


def test_finding11_policy_lint_reports_a_schema_error_with_its_path(tmp_path, capsys):
    data = copy.deepcopy(default_pack())
    data["tiers"][0]["tier"] = "1"
    path = tmp_path / "typo.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(CommandError):
        call_command("policy_lint", pack=str(path))
    assert "$.tiers[0].tier" in capsys.readouterr().out
