"""Pages. Thin: read the form, call the same engine/services as the API, show the outcome.

- `CaseTaskView` is the page of every human task on the viewflow site (the inbox links to it):
  the case summary with its evidence and timeline, and one small form per action of the step.
- `home`: the employee's own page (eligibility with the months that decide it, applying, own
  applications, department votes open to them).
- `case_detail`: a case page for everyone allowed to see the case, with the actions they may
  take that are not inbox steps (withdraw, vote).
"""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views import generic
from django.views.decorators.http import require_POST

from approvals import eligibility as eligibility_rules
from approvals import permissions as perms
from approvals.errors import DomainError
from approvals.selectors import timeline
from org.levels import LADDER, Level, Role, next_level


class ActionForm(forms.Form):
    """The fields any action may need; each action's template shows only its own."""

    comment = forms.CharField(
        label=_("Comment"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    reason = forms.CharField(
        label=_("Reason"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    confirm_skip_level = forms.BooleanField(
        label=_("I confirm this skip-level promotion"), required=False
    )
    support = forms.TypedChoiceField(
        label=_("Your vote"),
        required=False,
        choices=[("true", _("Support")), ("false", _("Do not support"))],
        coerce=lambda v: v == "true",
    )
    at = forms.DateTimeField(
        label=_("Defence date and time"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
    )
    panel = forms.MultipleChoiceField(
        label=_("Panel"), required=False, widget=forms.CheckboxSelectMultiple
    )
    score = forms.DecimalField(
        label=_("Score (0–100)"), required=False, max_digits=5, decimal_places=1
    )
    notes = forms.CharField(
        label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    effective_date = forms.DateField(
        label=_("Effective date"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )


ACTION_LABELS = {
    "withdraw": _("Withdraw"),
    "open-vote": _("Open the department vote"),
    "vote": _("Vote"),
    "close-vote": _("Close the vote"),
    "nominate": _("Nominate"),
    "decline": _("Decline"),
    "approve": _("Approve"),
    "reject": _("Reject"),
    "send-back": _("Send back to the lead"),
    "schedule-defence": _("Schedule the defence"),
    "score-defence": _("Record my score"),
    "confirm": _("Confirm"),
}


def _panel_choices():
    from org.models import Employee

    return [
        (str(e.pk), e.name)
        for e in Employee.objects.filter(
            user__groups__permissions__codename=Role.DEFENCE_PANEL
        ).distinct()
    ]


def _fields(name: str) -> tuple[str, ...]:
    from .promotion import PromotionFlow

    return PromotionFlow.actions[name].fields


def _payload(name: str, data) -> dict:
    form = ActionForm(data)
    form.fields["panel"].choices = _panel_choices()
    form.is_valid()  # every field is optional; the service judges the values
    payload = {}
    for field in _fields(name):
        value = form.cleaned_data.get(field)
        if field in form.errors:
            value = data.get(field)  # let the service name the problem in its own words
        if field == "panel":
            value = [int(v) for v in data.getlist("panel") if v.isdigit()]
        payload[field] = value
    if name == "vote" and payload.get("support") in (None, ""):
        payload["support"] = None
    return payload


def _actions_context(flow_class, user, case, only=None):
    names = flow_class.instance.available_actions(user, case)
    if only is not None:
        names = [n for n in names if n in only]
    form = ActionForm()
    form.fields["panel"].choices = _panel_choices()
    return [
        {
            "name": n,
            "label": ACTION_LABELS[n],
            "fields": [form[f] for f in flow_class.actions[n].fields],
        }
        for n in names
    ]


def _case_context(request, flow_class, case):
    from django.utils import timezone

    from approvals.promotion.services import defence_summary
    from approvals.selectors import deadlines_for

    context = {
        "case": case,
        "resource": flow_class.resource,
        "timeline": timeline(case),
        "deadlines": deadlines_for([case]).get(case.pk, []),
        "now": timezone.now(),
        "show_tally": False,
    }
    if flow_class.resource == "promotions":
        from approvals.promotion.selectors import may_see_tally

        context["show_tally"] = may_see_tally(request.user, case)
        context["defence"] = defence_summary(case) if case.defence_at else None
        language = "en" if request.LANGUAGE_CODE == "en" else "zh-hans"
        context["reasons"] = case.eligibility.get("reasons", {}).get(language, [])
    return context


class CaseTaskView(generic.TemplateView):
    """The page of a human task on the viewflow site; POST performs one of the step's actions."""

    template_name = "workflows/task.html"

    def _flow_and_case(self):
        activation = self.request.activation
        flow_class = activation.flow_class
        return flow_class, flow_class.instance.case_of(activation.process)

    def get_context_data(self, **kwargs):
        flow_class, case = self._flow_and_case()
        node = self.request.activation.flow_task.name
        context = super().get_context_data(**kwargs)
        context.update(_case_context(self.request, flow_class, case))
        context["task"] = self.request.activation.task
        context["actions"] = _actions_context(
            flow_class, self.request.user, case, only=flow_class.node_actions.get(node, [])
        )
        return context

    def post(self, request, *args, **kwargs):
        from .engine import run_action

        flow_class, case = self._flow_and_case()
        node = request.activation.flow_task.name
        name = request.POST.get("action", "")
        if name not in flow_class.node_actions.get(node, []):
            raise Http404
        action = flow_class.actions[name]
        try:
            run_action(
                flow_class=flow_class,
                actions=flow_class.actions,
                case=case,
                name=name,
                actor=request.user,
                activation=request.activation if action.nodes else None,
                **_payload(name, request.POST),
            )
        except DomainError as exc:
            messages.error(request, exc.detail)
            return HttpResponseRedirect(request.get_full_path())
        messages.success(request, _("Done: %(action)s.") % {"action": ACTION_LABELS[name]})
        if action.nodes:
            return HttpResponseRedirect(reverse("workflow:inbox"))
        return HttpResponseRedirect(request.get_full_path())


# --- the employee's own pages ----------------------------------------------------------------


@login_required
def home(request):
    from approvals.promotion.models import Promotion, PromotionState
    from approvals.promotion.selectors import promotions_visible_to

    employee = perms.employee_of(request.user)
    context = {"employee": employee, "levels": []}
    if employee is not None:
        target = next_level(employee.level)
        if target and target != Level.JUNIOR:
            context["next_level"] = Level(target)
            context["eligibility"] = eligibility_rules.evaluate(employee, target)
        if employee.level:
            context["levels"] = [
                Level(lv) for lv in LADDER[LADDER.index(employee.level) + 1 :] if lv != Level.JUNIOR
            ]
        context["my_promotions"] = Promotion.objects.filter(employee=employee).select_related(
            "department"
        )
        context["open_votes"] = (
            promotions_visible_to(request.user)
            .filter(
                department=employee.department_id,
                vote_opened_at__isnull=False,
                vote_closed_at__isnull=True,
                state=PromotionState.SUBMITTED,
            )
            .exclude(employee=employee)
            .exclude(voters__voter=employee)
        )
    return render(request, "workflows/home.html", context)


@login_required
@require_POST
def promotion_apply(request):
    from approvals.promotion.services import promotion_submit

    from .engine import start_flow
    from .promotion import PromotionFlow

    try:
        from django.db import transaction

        with transaction.atomic():
            promotion = promotion_submit(
                actor=request.user,
                target_level=request.POST.get("target_level", ""),
                statement=request.POST.get("statement", ""),
                skip_level_reason=request.POST.get("skip_level_reason") or None,
            )
            start_flow(flow_class=PromotionFlow, case=promotion)
    except DomainError as exc:
        messages.error(request, exc.detail)
        return HttpResponseRedirect(reverse("home"))
    messages.success(request, _("Your application has been submitted."))
    return HttpResponseRedirect(reverse("promotion_detail", args=[promotion.pk]))


@login_required
def promotion_detail(request, pk):
    from .promotion import PromotionFlow

    case = PromotionFlow.instance.visible_cases(request.user).filter(pk=pk).first()
    if case is None:
        raise Http404
    if request.method == "POST":
        from .engine import run_action

        name = request.POST.get("action", "")
        allowed = [n for n, a in PromotionFlow.actions.items() if not a.nodes]
        if name not in allowed:
            raise Http404
        try:
            run_action(
                flow_class=PromotionFlow,
                actions=PromotionFlow.actions,
                case=case,
                name=name,
                actor=request.user,
                **_payload(name, request.POST),
            )
        except DomainError as exc:
            messages.error(request, exc.detail)
        else:
            messages.success(request, _("Done: %(action)s.") % {"action": ACTION_LABELS[name]})
        return HttpResponseRedirect(request.get_full_path())
    context = _case_context(request, PromotionFlow, case)
    context["actions"] = _actions_context(
        PromotionFlow,
        request.user,
        case,
        only=[n for n, a in PromotionFlow.actions.items() if not a.nodes],
    )
    return render(request, "workflows/case.html", context)
