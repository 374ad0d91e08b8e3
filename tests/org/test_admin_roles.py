"""ORG-2: the GM office and administration reach an admin limited to what their role keeps
(administration: the organisation, calendar overrides, leave balances, the outbox and reminders;
the GM office: policy versions), everyone else gets the admin login, and nobody (superusers
included) can edit or delete a viewflow process or task or an audit event there."""

import datetime as dt
import json

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.utils import timezone

from notifications.models import OutboxMessage
from org.levels import Role
from org.roles import ROLE_MODEL_PERMISSIONS, ensure_role_groups, set_roles
from policy.models import CalendarOverride, PolicyVersion
from policy.pack import PACKS_DIR
from tests.events import dispatched
from tests.factories import EmployeeFactory, UserFactory

pytestmark = pytest.mark.django_db


def person(username, roles=()):
    employee = EmployeeFactory(user=UserFactory(username=username))
    set_roles(employee.user, list(roles))
    return employee


@pytest.fixture
def li_na(client):
    """An administration user like the demo's li.na (administration and the defence panel)."""
    user = person("li.na", [Role.ADMINISTRATION, Role.DEFENCE_PANEL]).user
    client.force_login(user)
    return user


@pytest.fixture
def wang_fang(client):
    """A GM-office user like the demo's wang.fang."""
    user = person("wang.fang", [Role.GM_OFFICE]).user
    client.force_login(user)
    return user


@pytest.fixture
def root(client):
    user = get_user_model().objects.create_superuser("root", "root@example.com", "pw")
    client.force_login(user)
    return user


def form_data(response) -> dict:
    """The POST data of an admin change form as it was rendered (inlines included)."""

    def value(v):
        if hasattr(v, "pk"):
            return v.pk
        if isinstance(v, dt.date | dt.datetime):
            return v.isoformat()
        return "" if v is None else v

    form = response.context["adminform"].form
    data = {
        name: value(form.initial.get(name, field.initial)) for name, field in form.fields.items()
    }
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        for key, v in formset.management_form.initial.items():
            data[f"{formset.prefix}-{key}"] = v
        for sub in formset.forms:
            for name, field in sub.fields.items():
                data[sub.add_prefix(name)] = value(sub.initial.get(name, field.initial))
    return data


def default_pack() -> dict:
    return json.loads((PACKS_DIR / "default.json").read_text(encoding="utf-8"))


def policy_form(code="2027", effective_from=None, data=None) -> dict:
    effective_from = timezone.localtime(effective_from or timezone.now() + dt.timedelta(days=30))
    return {
        "code": code,
        "name": "2027 policy",
        "effective_from_0": effective_from.strftime("%Y-%m-%d"),
        "effective_from_1": effective_from.strftime("%H:%M:%S"),
        "data": json.dumps(data if data is not None else default_pack()),
        "notes": "",
    }


# --- Who is staff ---------------------------------------------------------------------------------


def test_the_record_keeping_roles_make_a_user_staff_and_losing_both_takes_it_away():
    user = person("a", [Role.ADMINISTRATION]).user
    assert user.is_staff
    set_roles(user, [Role.GM_OFFICE])
    assert user.is_staff
    set_roles(user, [Role.TRAINER])
    user.refresh_from_db()
    assert not user.is_staff


def test_other_roles_do_not_make_a_user_staff():
    user = person("lead", [Role.DEPARTMENT_LEAD, Role.DEFENCE_PANEL, Role.TRAINER]).user
    user.refresh_from_db()
    assert not user.is_staff


def test_a_superuser_stays_staff_without_the_roles():
    user = get_user_model().objects.create_superuser("root", "root@example.com", "pw")
    set_roles(user, [Role.ADMINISTRATION])
    set_roles(user, [])
    user.refresh_from_db()
    assert user.is_staff


def test_the_role_groups_carry_their_model_permissions_idempotently():
    ensure_role_groups()
    ensure_role_groups()
    for role, models in ROLE_MODEL_PERMISSIONS.items():
        held = {
            f"{p.content_type.app_label}.{p.codename}"
            for p in Group.objects.get(name=role).permissions.select_related("content_type")
        }
        for label, actions in models.items():
            app_label, model = label.split(".")
            assert {f"{app_label}.{action}_{model}" for action in actions} <= held


def test_the_migrated_database_has_the_model_permissions():
    """The post_migrate receiver gave them to the groups of the test database."""
    group = Group.objects.get(name=Role.GM_OFFICE)
    assert group.permissions.filter(codename="add_policyversion").exists()


# --- Administration --------------------------------------------------------------------------------


def test_administration_opens_the_admin_with_the_organisation_and_the_outbox(client, li_na):
    response = client.get("/admin/")
    assert response.status_code == 200
    html = response.content.decode()
    for url in [
        "/admin/org/employee/",
        "/admin/org/department/",
        "/admin/policy/calendaroverride/",
        "/admin/approvals/leavebalance/",
        "/admin/notifications/outboxmessage/",
        "/admin/notifications/reminder/",
        "/admin/audit/auditevent/",
        "/admin/approvals/penalty/",
    ]:
        assert f'href="{url}"' in html, url
        assert client.get(url).status_code == 200, url
    assert "/admin/policy/policyversion/" not in html
    assert "/admin/viewflow/" not in html


def test_administration_changes_an_employee(client, li_na):
    employee = person("agent").user.employee
    url = f"/admin/org/employee/{employee.pk}/change/"
    data = form_data(client.get(url))
    data["name"] = "王小明"
    response = client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    employee.refresh_from_db()
    assert employee.name == "王小明"


def test_administration_cannot_add_a_policy_version(client, li_na):
    assert client.get("/admin/policy/policyversion/add/").status_code == 403
    assert client.post("/admin/policy/policyversion/add/", policy_form()).status_code == 403
    assert not PolicyVersion.objects.filter(code="2027").exists()


def test_administration_keeps_the_calendar_overrides(client, li_na):
    response = client.post(
        "/admin/policy/calendaroverride/add/",
        {"date": "2027-10-09", "is_working_day": "on", "note": "调休"},
    )
    assert response.status_code == 302
    override = CalendarOverride.objects.get()
    assert client.post(f"/admin/policy/calendaroverride/{override.pk}/delete/", {"post": "yes"})
    assert not CalendarOverride.objects.exists()


def failed_message():
    return OutboxMessage.objects.create(
        to_email="x@example.com",
        subject="s",
        body_text="t",
        language="en",
        template="case_decided",
        status=OutboxMessage.Status.FAILED,
        attempts=12,
        next_attempt_at=timezone.now() - dt.timedelta(days=1),
    )


def test_administration_retries_a_failed_message(client, li_na):
    message = failed_message()
    response = client.post(
        "/admin/notifications/outboxmessage/",
        {"action": "retry_now", "_selected_action": [message.pk]},
    )
    assert response.status_code == 302
    message.refresh_from_db()
    assert message.status == OutboxMessage.Status.QUEUED


def test_a_message_itself_is_never_edited_or_deleted(client, li_na):
    message = failed_message()
    assert (
        client.post(f"/admin/notifications/outboxmessage/{message.pk}/change/").status_code == 403
    )
    assert client.post(
        f"/admin/notifications/outboxmessage/{message.pk}/delete/", {"post": "yes"}
    ).status_code in (403, 302)
    assert OutboxMessage.objects.filter(pk=message.pk).exists()


def test_the_gm_office_sees_the_outbox_but_cannot_retry(client, wang_fang):
    message = failed_message()
    page = client.get("/admin/notifications/outboxmessage/")
    assert page.status_code == 200
    assert "retry_now" not in page.content.decode()
    client.post(
        "/admin/notifications/outboxmessage/",
        {"action": "retry_now", "_selected_action": [message.pk]},
    )
    message.refresh_from_db()
    assert message.status == OutboxMessage.Status.FAILED


def test_the_admin_index_of_administration_renders_in_chinese(client, li_na):
    response = client.get("/admin/", HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert response.status_code == 200
    html = response.content.decode()
    assert 'lang="zh-hans"' in html
    assert "站点管理" in html  # Django's own "Site administration"
    for url in ["/admin/org/employee/", "/admin/notifications/outboxmessage/"]:
        assert client.get(url, HTTP_ACCEPT_LANGUAGE="zh-hans").status_code == 200


# --- GM office ------------------------------------------------------------------------------------


def test_the_gm_office_adds_and_views_policy_versions(client, wang_fang):
    assert client.get("/admin/policy/policyversion/").status_code == 200
    assert client.get("/admin/policy/policyversion/add/").status_code == 200
    response = client.post("/admin/policy/policyversion/add/", policy_form())
    assert response.status_code == 302, response.context["adminform"].form.errors
    version = PolicyVersion.objects.get(code="2027")
    assert client.get(f"/admin/policy/policyversion/{version.pk}/change/").status_code == 200


def test_the_gm_office_sees_but_does_not_change_the_organisation(client, wang_fang):
    employee = person("agent").user.employee
    assert client.get("/admin/org/employee/").status_code == 200
    url = f"/admin/org/employee/{employee.pk}/change/"
    page = client.get(url)
    assert page.status_code == 200 and 'name="_save"' not in page.content.decode()
    assert client.post(url, {"name": "x"}).status_code == 403
    assert client.get("/admin/policy/calendaroverride/").status_code == 403


def test_a_version_in_force_is_read_only_and_never_deleted(client, wang_fang):
    """Cases keep the version in force when they were submitted: it never changes."""
    in_force = PolicyVersion.objects.get()  # the default pack, in force since 2000
    url = f"/admin/policy/policyversion/{in_force.pk}/change/"
    page = client.get(url)
    assert page.status_code == 200 and 'name="_save"' not in page.content.decode()
    assert client.post(url, policy_form(code=in_force.code)).status_code == 403
    assert (
        client.post(
            f"/admin/policy/policyversion/{in_force.pk}/delete/", {"post": "yes"}
        ).status_code
        == 403
    )


def test_a_new_version_must_take_effect_in_the_future(client, wang_fang):
    response = client.post(
        "/admin/policy/policyversion/add/",
        policy_form(effective_from=timezone.now() - dt.timedelta(days=1)),
    )
    assert response.status_code == 200
    assert "effective_from" in response.context["adminform"].form.errors


def test_a_version_the_linter_rejects_is_not_saved(client, wang_fang):
    pack = default_pack()
    pack["promotion"]["defence"]["pass_mark"] = "150"  # outside 0–100
    response = client.post("/admin/policy/policyversion/add/", policy_form(data=pack))
    assert response.status_code == 200
    assert "pass_mark_range" in str(response.context["adminform"].form.errors["data"])
    assert not PolicyVersion.objects.filter(code="2027").exists()


def test_an_incomplete_pack_is_refused_not_a_server_error(client, wang_fang):
    response = client.post("/admin/policy/policyversion/add/", policy_form(data={"tiers": []}))
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["data"]


# --- Everyone else --------------------------------------------------------------------------------


def test_a_plain_employee_gets_the_admin_login(client):
    client.force_login(person("agent").user)
    response = client.get("/admin/")
    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")


def test_a_lead_gets_the_admin_login(client):
    client.force_login(person("lead", [Role.DEPARTMENT_LEAD]).user)
    assert client.get("/admin/org/employee/").status_code == 302


# --- The engine's tables and the audit log ---------------------------------------------------------


@pytest.fixture
def process(org):
    from approvals.promotion import services
    from workflows.engine import start_flow
    from workflows.promotion import PromotionFlow

    with dispatched():
        promotion = services.promotion_submit(
            actor=org.agent.user, target_level="intermediate", statement="s"
        )
        start_flow(flow_class=PromotionFlow, case=promotion)
    from viewflow.workflow.models import Process

    return Process.objects.get(artifact_object_id=promotion.pk)


def engine_urls(process):
    task = process.task_set.order_by("pk").last()
    return [
        f"/admin/viewflow/process/{process.pk}/change/",
        f"/admin/viewflow/process/{process.pk}/delete/",
        f"/admin/viewflow/task/{task.pk}/change/",
        f"/admin/viewflow/task/{task.pk}/delete/",
    ]


def test_the_record_keepers_cannot_reach_the_engine_tables(client, process):
    for roles in ([Role.ADMINISTRATION], [Role.GM_OFFICE]):
        client.force_login(person(f"keeper-{roles[0]}", roles).user)
        assert "/admin/viewflow/" not in client.get("/admin/").content.decode()
        for url in ["/admin/viewflow/process/", "/admin/viewflow/task/", *engine_urls(process)]:
            assert client.get(url).status_code == 403, url
            assert client.post(url, {"post": "yes", "status": "CANCELED"}).status_code == 403


def test_a_superuser_sees_the_engine_tables_read_only(client, root, process):
    status = process.status
    tasks = list(process.task_set.values_list("pk", "status"))
    assert client.get("/admin/viewflow/process/").status_code == 200
    change, delete, task_change, task_delete = engine_urls(process)
    for url in (change, task_change):
        page = client.get(url)
        assert page.status_code == 200
        assert 'name="_save"' not in page.content.decode()
        assert client.post(url, {"status": "CANCELED", "flow_class": ""}).status_code == 403
    for url in (delete, task_delete):
        assert client.get(url).status_code == 403
        assert client.post(url, {"post": "yes"}).status_code == 403
    process.refresh_from_db()
    assert process.status == status
    assert list(process.task_set.values_list("pk", "status")) == tasks
    listing = client.get("/admin/viewflow/process/").content.decode()
    assert 'name="action"' not in listing  # no bulk actions (no delete, no cancel)
    assert "/admin/viewflow/process/add/" not in listing


def test_nobody_edits_or_deletes_an_audit_event_or_deletes_an_account(client, root, process):
    from audit.models import AuditEvent

    event = AuditEvent.objects.first()
    assert event is not None
    url = f"/admin/audit/auditevent/{event.pk}/"
    assert 'name="_save"' not in client.get(f"{url}change/").content.decode()
    assert client.post(f"{url}change/", {"action": "x"}).status_code == 403
    assert client.post(f"{url}delete/", {"post": "yes"}).status_code == 403
    assert AuditEvent.objects.filter(pk=event.pk).exists()
    agent = get_user_model().objects.get(username="agent")
    assert client.post(f"/admin/auth/user/{agent.pk}/delete/", {"post": "yes"}).status_code == 403
