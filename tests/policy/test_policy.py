"""Policy packs: tiers and grades (SCORE-4, SCORE-5), versions by effective date, the linter."""

import datetime as dt
import json
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from policy.lint import lint
from policy.models import PolicyVersion
from policy.pack import PACKS_DIR, Policy
from policy.services import policy_in_force

DEFAULT = Policy.from_file(PACKS_DIR / "default.json")
LITERAL = json.loads((PACKS_DIR / "handbook_literal.json").read_text(encoding="utf-8"))


@pytest.mark.parametrize(
    "score, tier",
    [("91", 1), ("110", 1), ("90.9", 2), ("80", 2), ("79.9", 3), ("60", 3), ("59.9", 4), ("0", 4)],
)
def test_score5_tiers_half_open(score, tier):
    assert DEFAULT.tier_for(Decimal(score)) == tier


@pytest.mark.parametrize(
    "score, grade",
    [
        ("90.1", "A"),
        ("90", "B"),
        ("80", "B"),
        ("79.9", "C"),
        ("70", "C"),
        ("65", "D"),
        ("64.9", "E"),
        ("60", "E"),
        ("59.9", "fail"),
    ],
)
def test_score4_grades_half_open_upward(score, grade):
    assert DEFAULT.grade_for(Decimal(score)) == grade


def test_org3_salaries_and_promo3_defaults():
    assert DEFAULT.salary_for("reserve_supervisor") == Decimal("3000")
    assert DEFAULT.defence_required("reserve_supervisor") and not DEFAULT.defence_required("senior")
    assert (DEFAULT.defence_pass_mark, DEFAULT.defence_min_scores, DEFAULT.cooldown_months) == (
        70,
        3,
        3,
    )
    assert DEFAULT.default_effective_date(dt.date(2026, 12, 31)) == dt.date(2027, 1, 1)


def test_default_pack_lints_clean():
    assert lint(DEFAULT.data) == []


def test_linter_reports_the_handbook_faults():
    """The handbook's own tables: the 60–61 gap, the overlap at 80, 15% vs 20%, 30000."""
    findings = {(f.code, f.path): f.message for f in lint(LITERAL)}
    assert "score 60 falls in no band" in findings[("gap", "tiers")]
    assert "score 80 is claimed by 2 and 3" in findings[("overlap", "tiers")]
    assert "15%" in findings[("pay_rate_inconsistent", "performance_pay.tier 1")]
    assert "20%" in findings[("pay_rate_inconsistent", "performance_pay.tier 1")]
    assert "30000" in findings[("salary_outlier", "salaries.reserve_supervisor")]


@pytest.mark.django_db
def test_policy_lint_command_exit_status(capsys):
    call_command("policy_lint")  # the default pack in force: no error
    with pytest.raises(CommandError):
        call_command("policy_lint", pack="handbook_literal")
    assert "gap" in capsys.readouterr().out


@pytest.mark.django_db
def test_policy_in_force_by_effective_date():
    """A new version effective tomorrow does not judge today's requests."""
    data = dict(DEFAULT.data, code="next")
    data["promotion"] = dict(data["promotion"], cooldown_months=6)
    PolicyVersion.objects.create(
        code="next", name="next", effective_from=timezone.now() + dt.timedelta(days=1), data=data
    )
    assert policy_in_force().cooldown_months == 3
    assert policy_in_force(at=timezone.now() + dt.timedelta(days=2)).cooldown_months == 6


def test_pay2_linter_reports_the_handbooks_commission_misprint():
    """PAY-2: the handbook prints 650 for 60,000 of sales at 1.3%; that is 1.3% of 50,000."""
    findings = {(f.code, f.path): f for f in lint(LITERAL)}
    finding = findings[("commission_misprint", "commission[3]")]
    assert finding.severity == "error"
    assert "prints 650 for sales of 60000 at 1.3%" in finding.message
    assert "1.3% of 60000 is 780" in finding.message
    assert "650 is 1.3% of 50000" in finding.message
    # The other printed amounts (140, 270, 400) agree with their rates.
    assert [p for c, p in findings if c == "commission_misprint"] == ["commission[3]"]


def test_pay2_a_printed_commission_that_agrees_with_its_rate_is_no_finding():
    data = json.loads(json.dumps(LITERAL))
    data["commission"][3]["printed"] = "780"
    assert not [f for f in lint(data) if f.code == "commission_misprint"]


def test_score8_two_commission_bands_on_one_threshold_are_refused():
    data = json.loads(json.dumps(DEFAULT.data))
    data["commission"].append({"min_sales": "40000", "rate": "0.011"})
    assert [f.path for f in lint(data) if f.code == "commission_duplicate"] == ["commission[4]"]
