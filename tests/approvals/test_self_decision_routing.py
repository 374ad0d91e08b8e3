"""Issue 11, finding 10, beyond leave and attendance: every step queued to a role goes to the
policy's fallback when each holder of that role is a party to the case (PROMO-4: nobody
reviews their own request), and a fallback that is the role itself falls to the other
oversight role (administration's sole holder's own case goes to the GM office)."""

import pytest
from viewflow.workflow.models import Task

from approvals.errors import NotAllowed
from approvals.routing import deciding_role
from org.roles import set_roles
from tests.orgdata import build_org, grant_role
from workflows.promotion import PromotionFlow

from .test_promotion_rules import apply, do

pytestmark = pytest.mark.django_db


def _queued(promotion, node):
    return Task.objects.get(
        process__artifact_object_id=promotion.pk, flow_task=PromotionFlow.instance.node(node)
    ).owner_permission


def _holders(role):
    from org.selectors import users_with_role

    return list(users_with_role(role))


@pytest.fixture
def sole_gm_applies():
    """The agent is the GM office's only member (org.gm keeps none of its roles)."""
    org = build_org()
    set_roles(org.gm.user, [])
    grant_role(org.agent.user, "gm_office")
    promotion = apply(org.agent)
    do(org.lead, promotion, "nominate")
    return org, promotion


def test_finding10_a_sole_gm_office_members_promotion_is_reviewed_by_administration(
    sole_gm_applies,
):
    org, promotion = sole_gm_applies
    assert _queued(promotion, "gm_review") == "org.administration"
    assert do(org.admin, promotion, "approve").state == "approved"


def test_finding10_the_sole_gm_office_member_never_reviews_their_own_promotion(sole_gm_applies):
    org, promotion = sole_gm_applies
    with pytest.raises(NotAllowed) as exc:
        do(org.agent, promotion, "approve")
    assert exc.value.code == "own_request"


def test_finding10_a_fallback_that_is_the_role_itself_goes_to_the_other_oversight_role():
    org = build_org()
    promotion = apply(org.agent)
    for user in _holders("administration"):  # the applicant becomes its only holder
        set_roles(user, [])
    grant_role(org.agent.user, "administration")
    assert deciding_role("administration", case=promotion) == "gm_office"
    assert deciding_role("gm_office", case=promotion) == "gm_office"  # org.gm is not a party


def test_finding10_a_change_of_who_holds_the_role_routes_at_once(sole_gm_applies):
    """The holders are cached (org.selectors.ROLE_HOLDERS); a new member, or a member made
    inactive, is seen by the very next routing decision."""
    org, promotion = sole_gm_applies
    assert deciding_role("gm_office", case=promotion) == "administration"
    grant_role(org.colleague.user, "gm_office")
    assert deciding_role("gm_office", case=promotion) == "gm_office"
    org.colleague.user.is_active = False
    org.colleague.user.save()
    assert deciding_role("gm_office", case=promotion) == "administration"
