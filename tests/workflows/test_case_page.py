"""The one case page: every step is decided there; its forms offer only what the step can take;
a refusal keeps what was typed; no URL of the site ends a case outside the services."""

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from viewflow.workflow.models import Process, Task
from viewflow.workflow.status import PROCESS

from approvals.penalty.services import penalty_serve
from approvals.promotion import services
from audit.models import AuditEvent
from tests.orgdata import build_org
from workflows.engine import run_action, start_flow
from workflows.penalty import PenaltyFlow
from workflows.promotion import PromotionFlow

pytestmark = pytest.mark.django_db


def client(emp, language="zh-hans"):
    c = Client(HTTP_ACCEPT_LANGUAGE=language)
    c.force_login(emp.user)
    return c


@pytest.fixture
def org():
    return build_org()


def apply(agent, skip=None):
    promotion = services.promotion_submit(
        actor=agent.user, target_level="intermediate", statement="s", skip_level_reason=skip
    )
    start_flow(flow_class=PromotionFlow, case=promotion)
    return promotion


def serve(org, sanction="written_warning"):
    penalty = penalty_serve(
        actor=org.lead.user,
        employee=org.agent,
        facts="迟到",
        rule="考勤制度第3条",
        sanction=sanction,
        evidence="打卡记录",
    )
    start_flow(flow_class=PenaltyFlow, case=penalty)
    return penalty


def penalty_act(penalty, name, user, **payload):
    return run_action(
        flow_class=PenaltyFlow,
        actions=PenaltyFlow.actions,
        case=penalty,
        name=name,
        actor=user,
        **payload,
    )


def test_the_lead_nominates_on_the_case_page(org):
    promotion = apply(org.agent, skip="例外")
    url = f"/promotions/{promotion.pk}/"
    page = client(org.lead).get(url).content.decode()
    assert 'data-action="nominate"' in page
    response = client(org.lead).post(url, {"action": "nominate", "comment": "表现稳定"})
    assert response.status_code == 302
    promotion.refresh_from_db()
    assert promotion.state == "nominated"


def test_a_refused_decision_shows_the_rule_and_keeps_what_was_typed(org):
    """PROMO-3: a decline needs a reason; the page answers 400 with the rule, nothing changes."""
    promotion = apply(org.agent, skip="例外")
    url = f"/promotions/{promotion.pk}/"
    response = client(org.lead, "en").post(url, {"action": "decline", "reason": "  "})
    assert response.status_code == 400
    assert "(PROMO-3)" in response.content.decode()
    promotion.refresh_from_db()
    assert promotion.state == "submitted"


def test_a_refused_answer_keeps_the_decision_and_the_reason(org):
    """APPEAL-2: reducing to a heavier sanction is refused; the typed decision and reason stay."""
    penalty = serve(org, "verbal_warning")
    penalty_act(penalty, "object", org.agent.user, reason="当天打卡机故障")
    url = f"/penalties/{penalty.pk}/"
    response = client(org.gm).post(
        url,
        {"action": "respond", "decision": "reduce", "reduced_to": "", "reason": "证据不足以支持"},
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "证据不足以支持" in page
    assert '<option value="reduce" selected>' in page


def test_reduce_to_offers_only_lighter_sanctions(org):
    """APPEAL-2: an answer may reduce the sanction, never raise it."""
    penalty = serve(org, "written_warning")
    penalty_act(penalty, "object", org.agent.user, reason="不同意")
    page = client(org.gm, "en").get(f"/penalties/{penalty.pk}/").content.decode()
    form = page[page.index('data-action="respond"') :]
    form = form[: form.index("</form>")]
    assert 'value="verbal_warning"' in form
    assert 'value="written_warning"' not in form
    assert 'value="final_warning"' not in form and 'value="dismissal"' not in form


def test_the_employee_refusing_to_sign_is_not_offered_a_witness_picker(org):
    """PEN-3: witnesses are named by the issuer; the employee only refuses."""
    penalty = serve(org)
    page = client(org.agent).get(f"/penalties/{penalty.pk}/").content.decode()
    form = page[page.index('data-action="refuse-to-sign"') :]
    form = form[: form.index("</form>")]
    assert 'name="witnesses"' not in form
    issuer_page = client(org.lead).get(f"/penalties/{penalty.pk}/").content.decode()
    if 'data-action="refuse-to-sign"' in issuer_page:
        issuer_form = issuer_page[issuer_page.index('data-action="refuse-to-sign"') :]
        assert 'name="witnesses"' in issuer_form[: issuer_form.index("</form>")]


def test_the_skip_level_box_shows_only_on_a_skip_level_promotion(org):
    """PROMO-1: the explicit confirmation is asked only where the promotion skips a level."""
    from tests.orgdata import give_scores

    give_scores(org.agent, [95, 95, 95, 95, 95])
    ordinary = apply(org.agent)
    assert not ordinary.skip_level
    run_action(
        flow_class=PromotionFlow,
        actions=PromotionFlow.actions,
        case=ordinary,
        name="nominate",
        actor=org.lead.user,
        comment="ok",
    )
    page = client(org.gm).get(f"/promotions/{ordinary.pk}/").content.decode()
    assert 'data-action="approve"' in page
    assert 'name="confirm_skip_level"' not in page
    exception = apply(org.colleague, skip="特殊贡献")
    run_action(
        flow_class=PromotionFlow,
        actions=PromotionFlow.actions,
        case=exception,
        name="nominate",
        actor=org.lead.user,
        comment="ok",
    )
    page = client(org.gm).get(f"/promotions/{exception.pk}/").content.decode()
    assert 'name="confirm_skip_level"' in page


def test_only_a_lead_is_offered_a_stand_in_on_the_leave_form(org):
    """LEAVE-6: a stand-in takes over review steps, which only a department lead has."""
    assert 'name="delegate"' not in client(org.agent).get("/leaves/new/").content.decode()
    assert 'name="delegate"' in client(org.lead).get("/leaves/new/").content.decode()


def _patterns(resolver, prefix=""):
    for p in resolver.url_patterns:
        if isinstance(p, URLResolver):
            yield from _patterns(p, prefix + str(p.pattern))
        elif isinstance(p, URLPattern):
            yield prefix + str(p.pattern), p.callback


def test_no_url_of_the_site_is_an_engine_console_view():
    """Ending a case early is always a domain action: no viewflow view (cancel, undo, revive,
    assign) is routed anywhere."""
    engine_views = [
        route
        for route, callback in _patterns(get_resolver())
        if (getattr(callback, "__module__", "") or "").startswith("viewflow")
        or (getattr(getattr(callback, "view_class", None), "__module__", "") or "").startswith(
            "viewflow"
        )
    ]
    assert engine_views == []


def test_the_old_cancel_posts_cancel_nothing(org):
    """The two POSTs that used to strand a case answer 404 and leave it running, unaudited."""
    penalty = serve(org)
    penalty_act(penalty, "object", org.agent.user, reason="不同意")
    process = Process.objects.get(flow_class=PenaltyFlow, artifact_object_id=penalty.pk)
    task = Task.objects.filter(process=process, flow_task=PenaltyFlow.respond).first()
    events = AuditEvent.objects.count()
    admin = client(org.admin)
    urls = [f"/workflow/flows/penalty/{process.pk}/cancel/"]
    if task is not None:
        urls.append(f"/workflow/flows/penalty/{process.pk}/respond/{task.pk}/cancel/")
    for url in urls:
        assert admin.post(url).status_code in (404, 405)
    process.refresh_from_db()
    assert process.status != PROCESS.CANCELED
    assert AuditEvent.objects.count() == events
