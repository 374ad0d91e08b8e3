"""Award of the month pages (AWARD-1, AWARD-2): the public notice with the opening form for
administration (`/awards/`), and the case page (`/awards/<id>/`) with the candidates and their
reasons, the anonymous vote form and each review step's decision per candidate."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from approvals import permissions as perms
from approvals.award import selectors
from approvals.award.services import award_open
from approvals.db import whole_transaction
from approvals.errors import DomainError
from approvals.selectors import timeline, without_comments
from casework.selectors import without_casework
from org.levels import Role
from org.models import Department

from .award import AwardFlow
from .engine import start_flow
from .mine import holder_label
from .views import _case_context, _casework_context, _history, _open_tasks, case_post

ACTION_TITLES = {
    "open-vote": _("Open the department vote"),
    "vote": _("Vote"),
    "close-vote": _("Close the vote"),
    "review": _("Lead review"),
    "assess": _("Company assessment"),
    "approve": _("GM approval"),
}
DECIDING = ("review", "assess", "approve")
# The history's words for the award's own steps (the shared table has the others).
HISTORY = {
    "open": _("Award opened"),
    "review": _("Reviewed by the lead"),
    "assess": _("Assessed by the company"),
    "approve": _("Approved by the GM office"),
}


def _language(request) -> str:
    return "en" if request.LANGUAGE_CODE == "en" else "zh-hans"


@login_required
def awards_page(request):
    """The notice every employee reads (AWARD-2), the awards the caller may open (their case
    pages), and for administration the form that opens a department's month (AWARD-1)."""
    error = None
    if request.method == "POST":
        if not perms.has_role(request.user, Role.ADMINISTRATION):
            raise Http404
        try:
            with whole_transaction():
                award = award_open(
                    actor=request.user,
                    department=request.POST.get("department"),
                    month=request.POST.get("month"),
                )
                start_flow(flow_class=AwardFlow, case=award)
        except DomainError as exc:
            error = exc.detail
        else:
            messages.success(request, _("The award of the month has been opened."))
            return HttpResponseRedirect(reverse("award_detail", args=[award.pk]))
    context = {
        "here": "awards",
        "notices": selectors.published(),
        "cases": AwardFlow.instance.visible_cases(request.user)
        .exclude(state="published")
        .select_related("department")
        .order_by("-month", "department__name")[:50],
        "may_open": perms.has_role(request.user, Role.ADMINISTRATION),
        "departments": Department.objects.order_by("name"),
        "error": error,
        "typed": request.POST if error else {},
    }
    return render(request, "workflows/awards.html", context, status=400 if error else 200)


def _payload(name: str, post) -> dict:
    if name == "vote":
        return {"candidate": post.get("candidate") or None}
    if name in DECIDING:
        decisions = []
        for key in post:
            if key.startswith("decision_"):
                pk = key.removeprefix("decision_")
                decisions.append(
                    {
                        "candidate": pk,
                        "decision": post.get(key),
                        "reason": post.get(f"reason_{pk}", ""),
                    }
                )
        return {"decision": None, "reason": None, "decisions": decisions or None}
    return {}


@login_required
def award_detail(request, pk):
    flow_class = AwardFlow
    redirect, case, bound, error = case_post(
        request,
        flow_class,
        pk,
        payload=lambda name, data, case: _payload(name, data),
        label=ACTION_TITLES.__getitem__,
        leave_to="awards",
    )
    if redirect is not None:
        return redirect
    context = _case_context(request, flow_class, case)
    voter_view = selectors.is_voter_view(request.user, case)
    if voter_view:  # a voter reads what the ballot needs, not what was written at the steps
        context["timeline"] = _history(
            flow_class, without_comments(without_casework(timeline(case)))
        )
    for event in context["timeline"]:
        event["action_label"] = HISTORY.get(event["action"], event["action_label"])
    candidates = selectors.candidates_for(request.user, case, _language(request))
    names = flow_class.instance.available_actions(request.user, case)
    context.update(
        {
            "here": "awards",
            "voter_view": voter_view,
            "candidates": candidates,
            "still_in": [c for c in candidates if c["shortlisted"] and not c["refused_at"]],
            "vote": selectors.vote_summary(request.user, case),
            "tally_shown": not voter_view and selectors.tally_shown(case),
            "award_actions": [{"name": n, "label": ACTION_TITLES[n]} for n in names],
            "deciding": [n for n in names if n in DECIDING],
            "error": error.detail if error else None,
            "error_action": bound[0] if bound else "",
        }
    )
    context.update(_casework_context(request, flow_class, case, bound))
    context["holders"] = [holder_label(t) for t in _open_tasks(flow_class, case)]
    return render(request, "workflows/award.html", context, status=400 if error else 200)
