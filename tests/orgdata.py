"""A small organisation for process tests: one customer-service department with its lead, the
GM office, administration, a defence panel and agents with monthly scores."""

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.contrib.auth.models import Group, Permission
from django.utils import timezone

from performance.models import Assessment
from tests.factories import DepartmentFactory, EmployeeFactory, UserFactory


def grant_role(user, role: str) -> None:
    group, _ = Group.objects.get_or_create(name=role)
    group.permissions.add(Permission.objects.get(codename=role, content_type__app_label="org"))
    user.groups.add(group)
    for cache in ("_perm_cache", "_group_perm_cache", "_user_perm_cache"):
        if hasattr(user, cache):
            delattr(user, cache)


def employee(username, *, department, level="junior", roles=(), name=None):
    e = EmployeeFactory(
        user=UserFactory(username=username),
        name=name or username,
        department=department,
        level=level,
    )
    for role in roles:
        grant_role(e.user, role)
    return e


def last_complete_months(n: int, today: dt.date | None = None) -> list[dt.date]:
    """First days of the n complete months before today (local), oldest first."""
    today = today or timezone.localdate()
    month = today.replace(day=1)
    months = []
    for _ in range(n):
        month = (month - dt.timedelta(days=1)).replace(day=1)
        months.append(month)
    return list(reversed(months))


def tier_of(score: Decimal) -> int:
    return 1 if score >= 91 else 2 if score >= 80 else 3 if score >= 60 else 4


def give_scores(emp, scores: list, today: dt.date | None = None) -> None:
    """Scores for the last len(scores) complete months, oldest first; None leaves a month out."""
    for month, score in zip(last_complete_months(len(scores), today), scores, strict=True):
        if score is None:
            continue
        score = Decimal(str(score))
        Assessment.objects.update_or_create(
            employee=emp,
            month=month,
            defaults={
                "score": score,
                "tier": tier_of(score),
                "grade": "B",
                "policy_version": "test",
            },
        )


@dataclass
class Org:
    cs: object
    lead: object
    gm: object
    admin: object
    panel: list
    agent: object  # junior, eligible for intermediate
    colleague: object  # junior, not eligible
    other_dept_agent: object


def build_org() -> Org:
    cs = DepartmentFactory(code="cs", name="客服部")
    other = DepartmentFactory(code="ops", name="运营部")
    gmo = DepartmentFactory(code="gmo", name="总经办")
    adm = DepartmentFactory(code="admin", name="行政部")
    lead = employee(
        "lead",
        department=cs,
        level="reserve_supervisor",
        roles=["department_lead", "defence_panel"],
    )
    cs.lead = lead
    cs.save()
    gm = employee("gm", department=gmo, level=None, roles=["gm_office"])
    admin = employee(
        "admin1", department=adm, level=None, roles=["administration", "defence_panel"]
    )
    panel = [
        admin,
        employee("admin2", department=adm, level=None, roles=["administration", "defence_panel"]),
        employee("trainer", department=cs, level="senior", roles=["trainer", "defence_panel"]),
    ]
    agent = employee("agent", department=cs, level="junior")
    colleague = employee("colleague", department=cs, level="junior")
    other_agent = employee("outsider", department=other, level="junior")
    give_scores(agent, [85, 92, 88, 93, 86])  # PROMO-2 intermediate: 5 months tier ≤2, two tier 1
    give_scores(colleague, [85, 70, 88, 93, 86])
    return Org(cs, lead, gm, admin, panel, agent, colleague, other_agent)


def eligible_agent(username: str, *, department):
    """A junior agent eligible for intermediate (PROMO-2), like `build_org`'s agent."""
    agent = employee(username, department=department, level="junior")
    give_scores(agent, [85, 92, 88, 93, 86])
    return agent


def apply_for_promotion(user, target_level: str = "intermediate"):
    """What POST /api/v1/promotions/ does: the application and its flow in one transaction."""
    from approvals.db import whole_transaction
    from approvals.promotion import services
    from workflows.engine import start_flow
    from workflows.promotion import PromotionFlow

    with whole_transaction():
        case = services.promotion_submit(actor=user, target_level=target_level, statement="申请")
        start_flow(flow_class=PromotionFlow, case=case)
    return case


def serve_verbal_warning(issuer, agent):
    """What POST /api/v1/penalties/ does for a verbal warning served on `agent` by `issuer` (a
    user): the slip and its flow."""
    from approvals.penalty.services import penalty_serve
    from workflows.engine import start_flow
    from workflows.penalty import PenaltyFlow

    penalty = penalty_serve(
        actor=issuer,
        employee=agent,
        facts="f",
        rule="r",
        sanction="verbal_warning",
        evidence="e",
    )
    start_flow(flow_class=PenaltyFlow, case=penalty)
    return penalty
