"""Role groups and organisation selectors (ORG-2)."""

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AnonymousUser, Group

from org.levels import ROLE_CODES
from org.roles import ROLE_MODEL_PERMISSIONS, ensure_role_groups, has_role, roles_of, set_roles
from org.selectors import department_lead_of, employee_for, users_with_role
from tests.factories import DepartmentFactory, EmployeeFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_role_groups_one_per_role_holding_its_permission_and_idempotent():
    """ORG-2: a group per role code, holding the permission org.<code> (and, for the roles that
    keep records, the model permissions of their admin pages: tests/org/test_admin_roles.py)."""
    ensure_role_groups()
    ensure_role_groups()
    for code in ROLE_CODES:
        group = Group.objects.get(name=code)
        held = [f"{p.content_type.app_label}.{p.codename}" for p in group.permissions.all()]
        assert [p for p in held if p.split(".", 1)[1] in ROLE_CODES] == [f"org.{code}"]
        model_permissions = ROLE_MODEL_PERMISSIONS.get(code, {})
        assert len(held) == 1 + sum(len(actions) for actions in model_permissions.values())


def test_role_groups_exist_after_migrate():
    """The post_migrate receiver has made them in the test database."""
    assert set(Group.objects.values_list("name", flat=True)) >= set(ROLE_CODES)


def test_has_role_and_roles_of_follow_the_groups_and_agree_with_has_perm():
    user = UserFactory()
    set_roles(user, ["trainer", "defence_panel"])
    assert roles_of(user) == ["trainer", "defence_panel"]
    assert has_role(user, "trainer") and not has_role(user, "gm_office")
    assert user.has_perm("org.trainer") and not user.has_perm("org.gm_office")


def test_set_roles_replaces_roles_but_keeps_other_groups():
    user = UserFactory()
    other = Group.objects.create(name="newsletter")
    user.groups.add(other)
    set_roles(user, ["trainer"])
    set_roles(user, ["gm_office"])
    assert roles_of(user) == ["gm_office"]
    assert user.groups.filter(name="newsletter").exists()


def test_has_role_is_free_with_prefetched_groups(django_assert_num_queries):
    set_roles(UserFactory(username="a"), ["gm_office"])
    set_roles(UserFactory(username="b"), ["administration"])
    users = list(get_user_model().objects.prefetch_related("groups").order_by("username"))
    with django_assert_num_queries(0):
        assert [has_role(u, "gm_office") for u in users] == [True, False]


def test_has_role_costs_one_query_per_user_object(django_assert_num_queries):
    user = get_user_model().objects.get(pk=UserFactory().pk)
    with django_assert_num_queries(1):
        has_role(user, "trainer")
        has_role(user, "gm_office")
        roles_of(user)


def test_anonymous_user_has_no_role():
    assert roles_of(AnonymousUser()) == [] and not has_role(AnonymousUser(), "gm_office")


def test_department_lead_of_a_member_is_the_lead_and_of_the_lead_none():
    """PROMO-4/LEAVE-1: nobody is their own lead; a lead's requests go to the GM office."""
    dept = DepartmentFactory()
    lead = EmployeeFactory(department=dept)
    member = EmployeeFactory(department=dept)
    dept.lead = lead
    dept.save()
    assert department_lead_of(member) == lead
    assert department_lead_of(lead) is None


def test_department_lead_of_a_department_without_lead_is_none():
    assert department_lead_of(EmployeeFactory()) is None


def test_users_with_role_lists_active_holders_only():
    holder, inactive = UserFactory(username="holder"), UserFactory(username="gone")
    inactive.is_active = False
    inactive.save()
    for user in (holder, inactive):
        set_roles(user, ["gm_office"])
    UserFactory(username="someone")
    assert list(users_with_role("gm_office")) == [holder]


def test_employee_for_user():
    employee = EmployeeFactory()
    assert employee_for(employee.user) == employee
    assert employee_for(UserFactory()) is None
    assert employee_for(AnonymousUser()) is None
