"""seed_demo: the demo organisation is idempotent and has agents eligible and not eligible for
the next level by the PROMO-2 score rules (checked here on the stored tiers directly)."""

import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.core.management import call_command

from org.demo import DEMO_PASSWORD
from org.models import Employee, LevelHistory
from org.roles import roles_of
from performance.models import Assessment
from performance.selectors import last_complete_months

pytestmark = pytest.mark.django_db

# PROMO-2 as POLICY.md states it: (window, worst tier allowed, tier-1 months needed,
# floor window, worst tier allowed in the floor window).
PROMO_2 = {
    "intermediate": (5, 2, 2, 5, 2),
    "senior": (5, 1, 5, 6, 2),
    "reserve_supervisor": (8, 1, 8, 12, 2),
}


def eligible_by_tiers(username: str, target: str) -> bool:
    window, worst, tier1_needed, floor_window, floor_worst = PROMO_2[target]
    tiers = dict(
        Assessment.objects.filter(employee__user__username=username).values_list("month", "tier")
    )
    months = last_complete_months(max(window, floor_window))
    main = [tiers.get(m) for m in months[-window:]]
    floor = [tiers[m] for m in months[-floor_window:] if m in tiers]
    return (
        None not in main  # a missing month breaks "consecutive"
        and all(t <= worst for t in main)
        and sum(t == 1 for t in main) >= tier1_needed
        and all(t <= floor_worst for t in floor)
    )


def snapshot():
    return (
        get_user_model().objects.count(),
        Employee.objects.count(),
        LevelHistory.objects.count(),
        Assessment.objects.count(),
    )


def test_seed_demo_is_idempotent():
    call_command("seed_demo")
    first = snapshot()
    call_command("seed_demo")
    assert snapshot() == first
    assert first[1] == 20


def test_seed_demo_has_eligible_agents_by_promo_2():
    call_command("seed_demo")
    assert eligible_by_tiers("huang.lei", "intermediate")
    assert eligible_by_tiers("xu.tao", "intermediate")
    assert eligible_by_tiers("yang.li", "senior")
    assert eligible_by_tiers("liu.yang", "reserve_supervisor")


def test_seed_demo_has_ineligible_agents_by_promo_2():
    call_command("seed_demo")
    assert not eligible_by_tiers("he.jun", "senior")  # a missing month
    assert not eligible_by_tiers("guo.peng", "intermediate")  # a missing month
    assert not eligible_by_tiers("wu.xia", "intermediate")  # one tier-1 month
    assert not eligible_by_tiers("lin.fang", "intermediate")  # tier-3 months
    assert not eligible_by_tiers("zhao.qiang", "senior")  # tier 3 within the last 6
    assert not eligible_by_tiers("ma.chao", "reserve_supervisor")  # tier 2 within the last 8


def test_seed_demo_scores_end_with_the_last_complete_month():
    call_command("seed_demo")
    latest = Assessment.objects.order_by("-month").first().month
    assert latest == last_complete_months(1)[0]
    assert Assessment.objects.filter(employee__user__username="liu.yang").count() == 12


def test_seed_demo_people_roles_and_panel():
    """ORG-2: lead, trainer, GM office, two administration staff, at least 4 panel members."""
    call_command("seed_demo")
    roles = {u.username: roles_of(u) for u in get_user_model().objects.all()}
    assert "department_lead" in roles["zhang.wei"] and "trainer" in roles["chen.jing"]
    assert roles["wang.fang"] == ["gm_office"]
    assert sum("administration" in r for r in roles.values()) == 2
    assert sum("defence_panel" in r for r in roles.values()) >= 4
    levels = set(Employee.objects.values_list("level", flat=True))
    assert levels >= {"probationer", "junior", "intermediate", "senior", "reserve_supervisor"}


def test_seed_demo_probationers_are_within_probation_and_scored_from_hire():
    """PROB-1: probationers are hired within the last 3 months; no score before hiring."""
    call_command("seed_demo")
    for employee in Employee.objects.filter(level="probationer"):
        assert employee.hired_on > last_complete_months(3)[0]
        months = employee.assessments.values_list("month", flat=True)
        assert all(m >= employee.hired_on.replace(day=1) for m in months)


def test_seed_demo_rerun_keeps_changes_made_since_and_resets_passwords():
    call_command("seed_demo")
    agent = Employee.objects.get(user__username="huang.lei")
    agent.level = "intermediate"  # as a confirmed promotion would
    agent.save()
    month = last_complete_months(1)[0]
    Assessment.objects.filter(employee=agent, month=month).update(score=Decimal("70.0"), tier=3)
    agent.user.set_password("changed-it")
    agent.user.save()
    call_command("seed_demo")
    agent.refresh_from_db()
    assert agent.level == "intermediate"
    assert Assessment.objects.get(employee=agent, month=month).score == Decimal("70.0")
    assert agent.user.__class__.objects.get(pk=agent.user_id).check_password(DEMO_PASSWORD)


def test_seed_demo_months_later_adds_new_months_and_keeps_gaps():
    """A later run scores the months since, and never fills a gap left in the demo."""
    with time_machine.travel(dt.datetime(2026, 11, 22, 12, tzinfo=dt.UTC), tick=False):
        call_command("seed_demo")
        gap = last_complete_months(5)[0]  # he.jun's missing month
    with time_machine.travel(dt.datetime(2027, 1, 15, 12, tzinfo=dt.UTC), tick=False):
        call_command("seed_demo")
        he_jun = Assessment.objects.filter(employee__user__username="he.jun")
        assert he_jun.count() == 11 + 2
        assert not he_jun.filter(month=gap).exists()
        assert he_jun.filter(month=dt.date(2026, 12, 1)).exists()


def test_seed_demo_stays_valid_whenever_it_runs():
    with time_machine.travel(dt.datetime(2031, 3, 15, 4, tzinfo=dt.UTC), tick=False):
        call_command("seed_demo")
        assert eligible_by_tiers("huang.lei", "intermediate")
        assert not eligible_by_tiers("he.jun", "senior")
        assert Assessment.objects.filter(employee__user__username="sun.yue").count() == 2


def test_seed_demo_prints_the_logins_table(capsys):
    call_command("seed_demo")
    out = capsys.readouterr().out
    assert DEMO_PASSWORD in out
    assert "huang.lei" in out and "intermediate: eligible" in out
    assert "wu.xia" in out and "intermediate: not eligible" in out


def test_seed_demo_names_the_admin_logins_and_makes_them_staff():
    """li.na and zhou.min (administration) and wang.fang (GM office) open /admin/; nobody else."""
    import io

    out = io.StringIO()
    call_command("seed_demo", stdout=out)
    text = out.getvalue()
    assert "/admin/" in text
    assert "li.na, zhou.min — administration" in text
    assert "wang.fang — GM office" in text
    staff = set(get_user_model().objects.filter(is_staff=True).values_list("username", flat=True))
    assert staff == {"li.na", "zhou.min", "wang.fang"}


def test_seed_demo_gives_existing_demo_keepers_the_admin():
    """A demo database seeded before the rule: the next seed_demo makes them staff."""
    call_command("seed_demo")
    get_user_model().objects.update(is_staff=False)
    call_command("seed_demo")
    assert get_user_model().objects.get(username="li.na").is_staff
