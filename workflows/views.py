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
from django.views.decorators.http import require_POST

from approvals import eligibility as eligibility_rules
from approvals import permissions as perms
from approvals.db import whole_transaction
from approvals.errors import DomainError
from approvals.labels import ACTION_LABELS, action_label
from approvals.selectors import timeline
from casework.selectors import without_casework
from org.levels import LADDER, Level, Role, next_level
from org.models import Employee

from .mine import holder_label


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
    # Penalties (PEN-*, APPEAL-*)
    decision = forms.ChoiceField(
        label=_("Decision"),
        required=False,
        choices=[("uphold", _("Uphold")), ("reduce", _("Reduce")), ("revoke", _("Revoke"))],
    )
    reduced_to = forms.ChoiceField(label=_("Reduce to"), required=False, choices=[])
    to = forms.ChoiceField(label=_("Raise to"), required=False, choices=[])
    witnesses = forms.MultipleChoiceField(
        label=_("Witnesses"), required=False, widget=forms.CheckboxSelectMultiple
    )
    witness = forms.ChoiceField(label=_("Witness to replace"), required=False, choices=[])
    replacement = forms.ChoiceField(label=_("Replacement"), required=False, choices=[])
    # Probations (PROB-2, PROB-3)
    passed = forms.TypedChoiceField(
        label=_("Exam result"),
        required=False,
        choices=[("", "—"), ("true", _("Passed")), ("false", _("Failed"))],
        coerce=lambda v: v == "true",
        empty_value=None,
    )
    outcome = forms.ChoiceField(
        label=_("Outcome"),
        required=False,
        choices=[("convert", _("Convert to junior agent")), ("end", _("End employment"))],
    )
    months = forms.IntegerField(label=_("Extend by (months)"), required=False, min_value=1)


# The history's words (audit actions), for people; the API keeps the codes.
HISTORY_LABELS = {
    **ACTION_LABELS,
    "submit": _("Applied"),
    "nominate": _("Nominated"),
    "decline": _("Declined"),
    "approve": _("Approved"),
    "reject": _("Rejected"),
    "send-back": _("Sent back"),
    "withdraw": _("Withdrawn"),
    "open-vote": _("Vote opened"),
    "close-vote": _("Vote closed"),
    "vote": _("A vote was cast"),
    "schedule-defence": _("Defence scheduled"),
    "score-defence": _("Defence scored"),
    "pass-defence": _("Defence passed"),
    "fail-defence": _("Defence failed"),
    "confirm": _("Confirmed"),
    "take-effect": _("Took effect"),
    "serve": _("Slip served"),
    "sign": _("Signed"),
    "refuse-to-sign": _("Refused to sign"),
    "unsigned": _("Not signed when the window closed"),
    "name-witnesses": _("Witnesses named"),
    "witness": _("Signed as witness"),
    "replace-witness": _("Witness replaced"),
    "object": _("Objection filed"),
    "lapse": _("Objection window closed"),
    "respond": _("Objection answered"),
    "response-overdue": _("Response overdue: escalated to the GM office"),
    "escalate": _("Raise requested"),
    "ask-approval": _("Sent for GM approval"),
    "finalise": _("Final"),
    "ladder": _("Made from earlier warnings"),
    "consent": _("Colleague consented"),
    "refuse": _("Colleague refused"),
    "cancel": _("Cancelled"),
    "decision-overdue": _("Undecided in time: sent to the GM office"),
    "start-probation": _("Probation started"),
    "record-exam": _("Skills exam recorded"),
    "apply-early": _("Early conversion applied for"),
    "assess": _("Assessed"),
    "extend": _("Extension proposed"),
    # casework (CASE-1..6)
    "claim": _("Claimed"),
    "transfer": _("Transferred"),
    "consult": _("Opinion asked"),
    "consult-reply": _("Opinion given"),
    "urge": _("Urged"),
    "cc": _("Copied in"),
    "comment": _("Commented"),
    "attach": _("File attached"),
}


def _history(flow_class, events: list[dict]) -> list[dict]:
    states = dict(flow_class.case_model._meta.get_field("state").choices)
    return [
        {
            **e,
            "action_label": HISTORY_LABELS.get(e["action"], e["action"]),
            "from_label": states.get(e["from_state"], e["from_state"]),
            "to_label": states.get(e["to_state"], e["to_state"]),
            # LEAVE-6: "decided by X for Y".
            "actor_label": (
                _("%(actor)s for %(principal)s")
                % {"actor": e["actor"], "principal": e["on_behalf_of"]}
                if e.get("on_behalf_of")
                else e["actor"]
            ),
        }
        for e in events
    ]


def _label(flow_class, name: str):
    return action_label(flow_class.case_model._meta.model_name, name)


def _panel_choices():
    from org.models import Employee

    return [
        (str(e.pk), e.name)
        for e in Employee.objects.filter(
            user__groups__permissions__codename=Role.DEFENCE_PANEL
        ).distinct()
    ]


def _witness_choices(case):
    from org.models import Employee

    if case is None or not hasattr(case, "issuer_id"):
        return []
    return [
        (str(e.pk), e.name)
        for e in Employee.objects.filter(user__is_active=True)
        .exclude(pk__in=[case.employee_id, case.issuer_id or 0])
        .order_by("department__name", "name")
    ]


def _form(data=None, case=None, auto_id="id_%s") -> ActionForm:
    from approvals.penalty.models import Sanction

    form = ActionForm(data, auto_id=auto_id)
    form.fields["panel"].choices = _panel_choices()
    form.fields["witnesses"].choices = _witness_choices(case)
    form.fields["replacement"].choices = _witness_choices(case)
    if case is not None and hasattr(case, "witnesses"):
        form.fields["witness"].choices = [
            (str(w.witness_id), w.witness.name)
            for w in case.witnesses.filter(signed_at__isnull=True).select_related("witness")
        ]
    sanctions = [("", "—"), *Sanction.choices]
    form.fields["reduced_to"].choices = sanctions
    form.fields["to"].choices = [
        (Sanction.FINAL_WARNING.value, Sanction.FINAL_WARNING.label),
        (Sanction.DISMISSAL.value, Sanction.DISMISSAL.label),
    ]
    return form


def _payload(flow_class, name: str, data, case=None) -> dict:
    form = _form(data, case)
    form.is_valid()  # every field is optional; the service judges the values
    payload = {}
    for field in flow_class.actions[name].fields:
        value = form.cleaned_data.get(field)
        if field in form.errors:
            value = data.get(field)  # let the service name the problem in its own words
        if field in ("panel", "witnesses"):
            value = [int(v) for v in data.getlist(field) if v.isdigit()]
        if field == "reduced_to" and value == "":
            value = None
        payload[field] = value
    if name == "vote" and payload.get("support") in (None, ""):
        payload["support"] = None
    return payload


def _field_choices(form, name: str, user, case) -> None:
    """Offer only what the action can accept for this case and this person (PROMO-1, APPEAL-2,
    PEN-3): the skip-level box only on a skip-level promotion, "reduce to" only the lighter
    sanctions, the witness picker only for the issuer recording a refusal."""
    from approvals.penalty.common import lighter_sanctions
    from approvals.penalty.models import Sanction

    if name == "respond" and hasattr(case, "sanction"):
        lighter = lighter_sanctions(case.sanction)
        form.fields["reduced_to"].choices = [("", "—")] + [
            (value, label) for value, label in Sanction.choices if value in lighter
        ]


def _action_fields(flow_class, name: str, user, case) -> list[str]:
    fields = list(flow_class.actions[name].fields)
    if name == "approve" and not getattr(case, "skip_level", False):
        fields = [f for f in fields if f != "confirm_skip_level"]
    if name == "refuse-to-sign" and case.employee.user_id == user.pk:
        fields = [f for f in fields if f != "witnesses"]  # the employee only refuses
    return fields


def _actions_context(flow_class, user, case, bound: tuple[str, dict] | None = None):
    """One form per action the viewer may take now; the refused one (`bound`: name, POST data)
    keeps what was typed."""
    names = flow_class.instance.available_actions(user, case)
    result = []
    for n in names:
        data = bound[1] if bound and bound[0] == n else None
        form = _form(data, case, auto_id=f"{n}-%s")
        _field_choices(form, n, user, case)
        result.append(
            {
                "name": n,
                "label": _label(flow_class, n),
                "fields": [form[f] for f in _action_fields(flow_class, n, user, case)],
                "danger": n in DANGER_ACTIONS,
            }
        )
    return result


# Actions shown with a warning style (they refuse, end or undo something).
DANGER_ACTIONS = {"decline", "reject", "withdraw", "cancel", "refuse", "refuse-to-sign", "object"}


def _case_context(request, flow_class, case):
    from django.utils import timezone

    from approvals.promotion.services import defence_summary
    from approvals.selectors import deadlines_for

    context = {
        "case": case,
        "flow_class": flow_class,
        "resource": flow_class.resource,
        "kind": flow_class.kind_label,
        "summary_template": f"workflows/_{flow_class.case_model._meta.model_name}.html",
        "timeline": _history(flow_class, timeline(case)),
        "deadlines": deadlines_for([case]).get(case.pk, []),
        "now": timezone.now(),
        "show_tally": False,
    }
    if flow_class.resource == "promotions":
        from approvals.promotion import selectors as promotion_selectors
        from approvals.selectors import without_comments

        context["vote"] = promotion_selectors.vote_summary(request.user, case)
        context["show_tally"] = promotion_selectors.may_see_tally(request.user, case)
        context["defence"] = defence_summary(case) if case.defence_at else None
        language = "en" if request.LANGUAGE_CODE == "en" else "zh-hans"
        context["reasons"] = case.eligibility.get("reasons", {}).get(language, [])
        # PROMO-3.2: a department voter reads what the ballot needs, not the applicant's
        # monthly scores or eligibility reasons, nor what was written at the steps.
        context["voter_view"] = promotion_selectors.is_voter_view(request.user, case)
        if context["voter_view"]:
            context["reasons"] = []
            context["timeline"] = _history(
                flow_class, without_comments(without_casework(timeline(case)))
            )
    if flow_class.resource == "penalties":
        from approvals.penalty.selectors import is_witness_view, witness_timeline

        # PEN-3: a named witness reads the slip they sign, not the objection and its answer.
        context["witness_view"] = is_witness_view(request.user, case)
        if context["witness_view"]:
            context["timeline"] = _history(
                flow_class, witness_timeline(without_casework(timeline(case)))
            )
    # A flow may add what its summary template shows (evidence computed for the viewer).
    page_context = getattr(flow_class, "page_context", None)
    if page_context is not None:
        context.update(page_context(request.user, case))
    return context


def _open_tasks(flow_class, case):
    from viewflow.workflow.models import Task

    from .engine import OPEN_TASK_STATUSES, process_for

    process = process_for(flow_class, case)
    return list(
        Task.objects.filter(
            process=process, status__in=OPEN_TASK_STATUSES, flow_task_type="HUMAN"
        ).select_related("owner__employee")
    )


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
        from approvals.penalty.selectors import penalties_visible_to

        visible = penalties_visible_to(request.user)
        context["my_penalties"] = visible.filter(employee=employee)
        context["department_penalties"] = visible.filter(department__lead=employee).exclude(
            employee=employee
        )[:50]
        from .leave_views import home_context as leave_home

        context.update(leave_home(request.user, employee))
        from .attendance_views import home_context as attendance_home

        context.update(attendance_home(request.user, employee))  # SWAP-1, PUNCH-1
        from .ledger_views import home_context as ledger_home

        context.update(ledger_home(employee))  # SCORE-9: this month's running score
        # PROB-*: own probation, and those the employee acts on
        from approvals.probation.selectors import probations_visible_to

        probations = probations_visible_to(request.user)
        context["my_probation"] = probations.filter(employee=employee).first()
        context["department_probations"] = probations.exclude(employee=employee).filter(
            closed_at__isnull=True
        )[:50]
    context["may_issue_penalty"] = employee is not None and (
        employee.department.lead_id == employee.pk or perms.has_role(request.user, Role.GM_OFFICE)
    )
    return render(request, "workflows/home.html", context)


@login_required
@require_POST
def promotion_apply(request):
    from approvals.promotion.services import promotion_submit

    from .engine import start_flow
    from .promotion import PromotionFlow

    try:
        with whole_transaction():
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


def new_case_page(request, *, template, context, create, flow_class, detail, done):
    """A "new request" page: render the form; on POST run `create` (the service) and start
    the flow in one transaction, then go to the case page; a refusal is shown on the form
    (`error`, `error_field`) with what was typed kept, and nothing is saved."""
    from .engine import start_flow

    if request.method != "POST":
        return render(request, template, {**context, "data": {}})
    try:
        with whole_transaction():
            case = create()
            start_flow(flow_class=flow_class, case=case)
    except DomainError as exc:
        context = {**context, "data": request.POST, "error": exc.detail, "error_field": exc.field}
        return render(request, template, context, status=400)
    messages.success(request, done)
    return HttpResponseRedirect(reverse(detail, args=[case.pk]))


def _casework_call(flow_class, case, name: str, request):
    """Run a casework action (CASE-1..6) from the case page's form: the same services the API
    calls."""
    from casework import services as work

    post, actor = request.POST, request.user
    common = {"flow_class": flow_class, "case": case, "actor": actor}
    if name == "transfer":
        return work.case_transfer(**common, to=post.get("to"), comment=post.get("comment", ""))
    if name == "consult":
        return work.case_consult(**common, to=post.get("to"), question=post.get("question", ""))
    if name == "consult-reply":
        return work.consultation_answer(**common, answer=post.get("answer", ""))
    if name == "urge":
        return work.case_urge(**common)
    if name == "cc":
        people = [int(v) for v in post.getlist("people") if v.isdigit()]
        return work.case_cc(**common, people=people, comment=post.get("comment", ""))
    if name == "comment":
        return work.case_comment(**common, body=post.get("body", ""))
    if name == "attach":
        return work.attachment_add(**common, file=request.FILES.get("file"))
    raise Http404


CASEWORK_LABELS = {
    "transfer": _("Transfer"),
    "consult": _("Ask for an opinion"),
    "consult-reply": _("Give my opinion"),
    "urge": _("Urge"),
    "cc": _("Copy to"),
    "comment": _("Comment"),
    "attach": _("Attach a file"),
}


def _casework_context(request, flow_class, case, bound) -> dict:
    from casework import selectors as work

    user = request.user
    if flow_class.instance.limited_reader(user, case):
        # A voter or a witness reads their part of the case, not the work around it.
        return {"casework": {}, "casework_actions": [], "casework_data": {}}
    names = work.casework_actions(user, flow_class, case)
    data = bound[1] if bound and bound[0] in CASEWORK_LABELS else {}
    context = {
        "casework": work.casework_for(flow_class, [case]).get(case.pk, {}),
        "casework_actions": names,
        "casework_data": data,
        "casework_error_action": bound[0] if bound else "",
    }
    if "transfer" in names:
        from casework.services import transfer_candidates

        context["transfer_candidates"] = transfer_candidates(flow_class, case, user)
    if {"consult", "cc"} & set(names):
        parties = flow_class.instance.parties(case)
        me = perms.employee_of(user)
        context["people"] = (
            Employee.objects.filter(user__is_active=True)
            .exclude(pk__in=[*parties, getattr(me, "pk", 0)])
            .select_related("department")
            .order_by("department__name", "name")
        )
    return context


def case_post(request, flow_class, pk, *, payload, label, leave_to: str):
    """The POST of a case page (every process's, the award's): the step action or the
    casework one named by `action`, through the same service as the API. Returns (redirect,
    case, bound, error): a redirect after success (back to the case while the viewer still sees
    it, else to `leave_to`), or the case read again with what was typed and the refusal, for the
    page to show (400); nothing is saved. `payload(name, data, case)` and `label(name)` are
    the page's own."""
    from .engine import run_action

    case = flow_class.instance.visible_cases(request.user).filter(pk=pk).first()
    if case is None:
        raise Http404
    if request.method != "POST":
        return None, case, None, None
    name = request.POST.get("action", "")
    if name not in flow_class.actions and name not in CASEWORK_LABELS:
        raise Http404
    try:
        if name in flow_class.actions:
            run_action(
                flow_class=flow_class,
                actions=flow_class.actions,
                case=case,
                name=name,
                actor=request.user,
                **payload(name, request.POST, case),
            )
            done = label(name)
        else:
            _casework_call(flow_class, case, name, request)
            done = CASEWORK_LABELS[name]
    except DomainError as exc:
        case = flow_class.instance.visible_cases(request.user).filter(pk=pk).first()
        if case is None:
            raise Http404 from None
        return None, case, (name, request.POST), exc
    messages.success(request, _("Done: %(action)s.") % {"action": done})
    if flow_class.instance.visible_cases(request.user).filter(pk=pk).exists():
        return HttpResponseRedirect(request.path), case, None, None
    return HttpResponseRedirect(reverse(leave_to)), case, None, None


def _case_page(request, flow_class, pk):
    """The one page of a case, where every link lands (inbox, mail, notices): summary, evidence,
    deadlines, who holds it now, the actions the viewer may take now (every step's and the
    casework ones), comments, attachments and the history. A refused action re-renders the page
    with the rule's message and what was typed (400); nothing is saved."""
    redirect, case, bound, error = case_post(
        request,
        flow_class,
        pk,
        payload=lambda name, data, case: _payload(flow_class, name, data, case),
        label=lambda name: _label(flow_class, name),
        leave_to="inbox",
    )
    if redirect is not None:
        return redirect
    context = _case_context(request, flow_class, case)
    context["actions"] = _actions_context(flow_class, request.user, case, bound)
    context.update(_casework_context(request, flow_class, case, bound))
    context["error"] = error.detail if error else None
    context["error_action"] = bound[0] if bound else ""
    tasks = _open_tasks(flow_class, case)
    context["holders"] = [holder_label(t) for t in tasks]
    mine = [t for t in tasks if t.owner_id == request.user.pk]
    principal = next(((t.data or {}).get("acting_for") for t in mine if t.data), None)
    if principal:  # LEAVE-6: the delegate sees whose step this is
        context["acting_for"] = Employee.objects.filter(user_id=principal).first()
    return render(request, "workflows/case.html", context, status=400 if error else 200)


@login_required
def promotion_detail(request, pk):
    from .promotion import PromotionFlow

    return _case_page(request, PromotionFlow, pk)


@login_required
def penalty_detail(request, pk):
    from .penalty import PenaltyFlow

    return _case_page(request, PenaltyFlow, pk)


@login_required
def penalty_new(request):
    """PEN-2: the department lead drafts and serves a slip (the GM office for a lead)."""
    from approvals.penalty.models import Sanction
    from approvals.penalty.services import penalty_serve
    from org.models import Employee

    from .penalty import PenaltyFlow

    me = perms.employee_of(request.user)
    people = Employee.objects.filter(user__is_active=True).select_related("department")
    if perms.has_role(request.user, Role.GM_OFFICE):
        people = people.exclude(pk=getattr(me, "pk", None))
    else:
        people = people.filter(department__lead=me).exclude(pk=getattr(me, "pk", None))
    post = request.POST
    return new_case_page(
        request,
        template="workflows/penalty_new.html",
        context={"people": people, "sanctions": Sanction.choices},
        create=lambda: penalty_serve(
            actor=request.user,
            employee=post.get("employee"),
            facts=post.get("facts"),
            rule=post.get("rule"),
            sanction=post.get("sanction"),
            evidence=post.get("evidence"),
        ),
        flow_class=PenaltyFlow,
        detail="penalty_detail",
        done=_("The penalty slip has been served."),
    )
