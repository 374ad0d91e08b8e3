"""Reads of casework: what a case carries (comments, attachments, consultations, who was copied
in) and what the viewer may do around it now. Constant numbers of queries for any number of
cases of one kind, so case lists stay O(1)."""

from django.urls import reverse
from django.utils import timezone

from approvals import permissions as perms
from approvals.access import CaseAccess
from approvals.history import case_type_of
from approvals.selectors import display_name as _name

from . import participation as who
from .models import Attachment, Comment
from .rules import URGE_INTERVAL

CASEWORK_ACTION_NAMES = ("transfer", "consult", "consult-reply", "urge", "cc", "comment", "attach")


def without_casework(events: list[dict]) -> list[dict]:
    """The history a limited reader (a voter, a witness) reads: the steps of the process, not
    the casework around them (comments, files, consultations, transfers, urges, copies)."""
    return [e for e in events if e["action"] not in CASEWORK_ACTION_NAMES]


def casework_for(flow_class, cases, facts: dict | None = None) -> dict[int, dict]:
    """{case pk: {"comments", "attachments", "consultations", "cc"}}: three queries, plus the
    consultations' (shared with `facts_for`: pass its result to save it)."""
    cases = list(cases)
    if not cases:
        return {}
    case_type = case_type_of(cases[0])
    ids = [c.pk for c in cases]
    result = {pk: {"comments": [], "attachments": [], "consultations": [], "cc": []} for pk in ids}
    comments = Comment.objects.filter(case_type=case_type, case_id__in=ids)
    for c in comments.select_related("author__employee").order_by("at", "pk"):
        result[c.case_id]["comments"].append(
            {"id": c.pk, "at": c.at, "author": _name(c.author), "body": c.body}
        )
    attachments = Attachment.objects.filter(case_type=case_type, case_id__in=ids)
    for a in attachments.order_by("uploaded_at", "pk"):
        result[a.case_id]["attachments"].append(
            {
                "id": a.pk,
                "name": a.name,
                "size": a.size,
                "content_type": a.content_type,
                "url": reverse("attachment_download", args=[a.pk]),
            }
        )
    grants = CaseAccess.objects.filter(
        case_type=case_type, case_id__in=ids, reason=CaseAccess.Reason.CC
    )
    for g in grants.select_related("employee", "granted_by__employee").order_by("granted_at", "pk"):
        result[g.case_id]["cc"].append(
            {"name": g.employee.name, "at": g.granted_at, "by": _name(g.granted_by)}
        )
    facts = facts if facts is not None else who.facts_for(flow_class, cases)
    for pk in ids:
        result[pk]["consultations"] = [
            {
                "id": c.pk,
                "asked_by": c.asked_by.name,
                "consultee": c.consultee.name,
                "question": c.question,
                "asked_at": c.asked_at,
                "answer": c.answer if c.answered_at else None,
                "answered_at": c.answered_at,
            }
            for c in facts[pk].consultations
        ]
    return result


def casework_actions(user, flow_class, case, facts: who.CaseFacts | None = None) -> list[str]:
    """Among CASEWORK_ACTION_NAMES, what `user` may do around the case now (each as its service
    would allow it, input aside). With `facts` (from `facts_for`) no query is made."""
    if not user.is_authenticated:
        return []
    facts = facts if facts is not None else who.facts_of(flow_class, case)
    actions = []
    if who.held_task(user, facts) is not None and perms.employee_of(user) is not None:
        actions += ["transfer", "consult"]
    if who.open_consultation(user, facts) is not None:
        actions.append("consult-reply")
    if who.is_applicant(case, user) and who.urgeable_tasks(
        user, facts, timezone.now(), URGE_INTERVAL
    ):
        actions.append("urge")
    party = who.is_party(flow_class, case, user)
    reviewer = who.is_reviewer(user, facts)
    if reviewer and not party:
        actions.append("cc")
    if party or reviewer or who.is_consultee(user, facts):
        actions += ["comment", "attach"]
    return actions


def cc_cases_for(user) -> list[dict]:
    """CASE-4 "copied to me": the cases the user was copied in on, newest first, with when and
    by whom: [{"case_type", "case_id", "resource", "url", "at", "by"}]."""
    from workflows.site import FLOWS

    employee = perms.employee_of(user)
    if employee is None:
        return []
    resources = {f.case_model._meta.model_name: f.resource for f in FLOWS}
    grants = (
        CaseAccess.objects.filter(employee=employee, reason=CaseAccess.Reason.CC)
        .select_related("granted_by__employee")
        .order_by("-granted_at", "-pk")
    )
    return [
        {
            "case_type": g.case_type,
            "case_id": g.case_id,
            "resource": resources.get(g.case_type),
            "url": f"/{resources[g.case_type]}/{g.case_id}/" if g.case_type in resources else None,
            "at": g.granted_at,
            "by": _name(g.granted_by),
        }
        for g in grants
    ]
