"""Attendance findings and the penalty slip drafts they open (ATT-2, ATT-3, PEN-2).

- `GET findings/?department=<id>&month=YYYY-MM&state=<state>`: findings, by shift start,
  paginated. Administration and the GM office see every department; a department lead their
  department's (and their own); anyone else their own.
- `POST findings/<id>/confirm/` `{"reason"?}` and `POST findings/<id>/dismiss/` `{"reason"}`:
  the lead's decision (the GM office for a lead's own); the finding. A finding the caller does
  not see: 404.
- `POST findings/bulk/confirm/` | `bulk/dismiss/` `{"ids": [..], "reason"}`: 200 with
  `{"results": [{"id", "ok", "state"} | {"id", "ok": false, "code", "detail", "rule"}]}`.
- `POST findings/check/` `{"from", "to", "department"?}`: administration runs the check of a
  period; the report.
- `GET findings/drafts/?department=<id>&state=open`: the penalty slip drafts; `POST
  findings/drafts/<id>/serve/` `{"sanction"?, "facts"?, "evidence"?}` serves it (the penalty is
  created, 201 with `penalty`), `POST findings/drafts/<id>/discard/` `{"reason"}`.
"""

import datetime as dt

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from approvals import permissions as perms
from approvals.attendance.findings import findings_check
from approvals.attendance.findings_decide import (
    drafts_visible,
    finding_confirm,
    finding_dismiss,
    findings_bulk,
    findings_visible,
    penalty_draft_discard,
    penalty_draft_serve,
)
from approvals.attendance.models import FindingState
from approvals.errors import InvalidInput, NotAllowed, NotFound
from approvals.penalty.models import PenaltyDraft
from org.models import Department
from performance.services import _parse_month

from .lists import _department, page_of
from .parsers import SafeJSONParser


def _text(data, name):
    value = data.get(name) if isinstance(data, dict) else None
    if value is not None and not isinstance(value, str):
        raise InvalidInput(
            _("%(field)s must be text."), code="bad_text", params={"field": name}, field=name
        )
    return value


def finding_data(f) -> dict:
    return {
        "id": f.pk,
        "employee": f.employee_id,
        "name": f.employee.name,
        "department": f.department_id,
        "kind": f.kind,
        "kind_label": str(f.get_kind_display()),
        "minutes": f.minutes,
        "rule": f.rule,
        "code": f.code,
        "points": str(f.points),
        "fine": str(f.fine),
        "state": f.state,
        "shift": {"id": f.shift_id, "start": f.shift.start, "end": f.shift.end},
        "punches": (f.evidence or {}).get("punches", []),
        "evidence": f.evidence,
        "found_at": f.found_at,
        "due_at": f.due_at,
        "decided_at": f.decided_at,
        "decided_by": f.decided_by_id,
        "reason": f.reason,
        "score_event": f.score_event_id,
    }


def draft_data(d) -> dict:
    return {
        "id": d.pk,
        "employee": d.employee_id,
        "name": d.employee.name,
        "department": d.department_id,
        "finding": d.finding_id,
        "facts": d.facts,
        "rule": d.rule,
        "evidence": d.evidence,
        "sanction": d.sanction,
        "state": d.state,
        "created_at": d.created_at,
        "penalty": d.penalty_id,
        "reason": d.reason,
    }


class FindingSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    employee = serializers.IntegerField()
    name = serializers.CharField()
    department = serializers.IntegerField()
    kind = serializers.ChoiceField(
        choices=["late", "early", "missing_punch", "absence", "unapproved_swap"]
    )
    kind_label = serializers.CharField()
    minutes = serializers.IntegerField(allow_null=True)
    rule = serializers.CharField()
    code = serializers.CharField()
    points = serializers.CharField(help_text="deduction points (a magnitude)")
    fine = serializers.CharField(help_text="yuan")
    state = serializers.ChoiceField(choices=FindingState.values)
    shift = serializers.DictField()
    punches = serializers.ListField(child=serializers.CharField())
    evidence = serializers.DictField()
    found_at = serializers.DateTimeField()
    due_at = serializers.DateTimeField()
    decided_at = serializers.DateTimeField(allow_null=True)
    decided_by = serializers.IntegerField(allow_null=True)
    reason = serializers.CharField()
    score_event = serializers.IntegerField(allow_null=True)


class ReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(required=False, allow_blank=True)


class BulkSerializer(serializers.Serializer):
    ids = serializers.ListField(child=serializers.IntegerField())
    reason = serializers.CharField(required=False, allow_blank=True)


class BulkResultSerializer(serializers.Serializer):
    results = serializers.ListField(child=serializers.DictField())


class CheckSerializer(serializers.Serializer):
    from_ = serializers.DateField(help_text="YYYY-MM-DD")
    to = serializers.DateField(help_text="YYYY-MM-DD")
    department = serializers.IntegerField(required=False, allow_null=True)

    def get_fields(self):
        fields = super().get_fields()
        fields["from"] = fields.pop("from_")
        return fields


class CheckReportSerializer(serializers.Serializer):
    shifts = serializers.IntegerField()
    created = serializers.IntegerField()
    updated = serializers.IntegerField()
    cleared = serializers.IntegerField()
    unchanged = serializers.IntegerField()
    by_kind = serializers.DictField()


class DraftSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    employee = serializers.IntegerField()
    name = serializers.CharField()
    department = serializers.IntegerField()
    finding = serializers.IntegerField()
    facts = serializers.CharField()
    rule = serializers.CharField()
    evidence = serializers.CharField()
    sanction = serializers.CharField()
    state = serializers.CharField()
    created_at = serializers.DateTimeField()
    penalty = serializers.IntegerField(allow_null=True)
    reason = serializers.CharField()


class ServeSerializer(serializers.Serializer):
    sanction = serializers.CharField(required=False)
    facts = serializers.CharField(required=False)
    evidence = serializers.CharField(required=False)


def _month_range(value):
    month = _parse_month(str(value)[:20])
    following = (month + dt.timedelta(days=32)).replace(day=1)
    return month, following


def filtered_findings(user, params):
    qs = findings_visible(user).select_related("employee", "shift")
    dep = _department(params)
    if dep is not None:
        qs = qs.filter(department_id=dep)
    if params.get("month"):
        first, following = _month_range(params.get("month"))
        qs = qs.filter(shift__date__gte=first, shift__date__lt=following)
    state = params.get("state")
    if state:
        if state not in FindingState.values:
            raise InvalidInput(
                _("The state “%(value)s” is not one of: %(choices)s."),
                code="invalid_state",
                params={"value": state[:40], "choices": ", ".join(FindingState.values)},
                field="state",
            )
        qs = qs.filter(state=state)
    return qs.order_by("shift__start", "pk")


def _visible_finding(user, pk):
    found = findings_visible(user).filter(pk=pk).first()
    if found is None:
        raise NotFound(_("No such finding."), code="not_found")
    return found


_PARAMS = [
    OpenApiParameter("department", int, required=False),
    OpenApiParameter("month", str, required=False, description="YYYY-MM"),
    OpenApiParameter("state", str, required=False, enum=FindingState.values),
    OpenApiParameter("page", int, required=False),
    OpenApiParameter("page_size", int, required=False),
]


class FindingsView(APIView):
    @extend_schema(parameters=_PARAMS, responses=FindingSerializer(many=True))
    def get(self, request):
        """The findings the caller may see (ATT-2), by shift start."""
        rows, link = page_of(request, filtered_findings(request.user, request.query_params))
        response = Response([finding_data(f) for f in rows])
        if link:
            response["Link"] = link
        return response


class FindingDecisionView(APIView):
    parser_classes = [SafeJSONParser]

    @extend_schema(request=ReasonSerializer, responses=FindingSerializer)
    def post(self, request, pk: int, decision: str):
        """ATT-3: confirm (booked once) or dismiss (a reason is required)."""
        finding = _visible_finding(request.user, pk)
        reason = _text(request.data, "reason")
        if decision == "confirm":
            done = finding_confirm(actor=request.user, finding=finding, reason=reason or "")
        else:
            done = finding_dismiss(actor=request.user, finding=finding, reason=reason)
        done = findings_visible(request.user).select_related("employee", "shift").get(pk=done.pk)
        return Response(finding_data(done))


class FindingsBulkView(APIView):
    parser_classes = [SafeJSONParser]

    @extend_schema(request=BulkSerializer, responses=BulkResultSerializer)
    def post(self, request, decision: str):
        """ATT-3 in bulk: each finding's outcome."""
        data = request.data if isinstance(request.data, dict) else {}
        results = findings_bulk(
            actor=request.user,
            action=decision,
            ids=data.get("ids"),
            reason=_text(data, "reason") or "",
        )
        return Response({"results": results})


class FindingsCheckView(APIView):
    parser_classes = [SafeJSONParser]

    @extend_schema(request=CheckSerializer, responses=CheckReportSerializer)
    def post(self, request):
        """ATT-2: administration checks a period (re-running it changes only what changed)."""
        if not perms.has_role(request.user, "administration"):
            raise NotAllowed(
                _("Only administration runs the attendance check."),
                code="wrong_role",
                rule="ATT-2",
            )
        data = request.data if isinstance(request.data, dict) else {}
        for name in ("from", "to"):
            if not data.get(name):
                raise InvalidInput(
                    _("%(field)s (YYYY-MM-DD) is required."),
                    code="bad_date",
                    rule="ATT-2",
                    params={"field": name},
                    field=name,
                )
        department = None
        if data.get("department") not in (None, ""):
            department = Department.objects.filter(
                pk=_department({"department": data.get("department")})
            ).first()
            if department is None:
                raise InvalidInput(
                    _("There is no department %(value)s."),
                    code="invalid_department",
                    params={"value": str(data.get("department"))[:20]},
                    field="department",
                )
        report = findings_check(
            start=str(data["from"])[:20],
            end=str(data["to"])[:20],
            department=department,
            actor=request.user,
        )
        return Response(report.as_dict())


class DraftsView(APIView):
    @extend_schema(
        parameters=[
            OpenApiParameter("department", int, required=False),
            OpenApiParameter("state", str, required=False, enum=PenaltyDraft.State.values),
        ],
        responses=DraftSerializer(many=True),
    )
    def get(self, request):
        """PEN-2: the penalty slip drafts confirmed absences opened (the lead's department)."""
        qs = drafts_visible(request.user).select_related("employee")
        dep = _department(request.query_params)
        if dep is not None:
            qs = qs.filter(department_id=dep)
        state = request.query_params.get("state")
        if state:
            qs = qs.filter(state=state if state in PenaltyDraft.State.values else "-")
        rows, link = page_of(request, qs.order_by("-created_at", "-pk"))
        response = Response([draft_data(d) for d in rows])
        if link:
            response["Link"] = link
        return response


class DraftActionView(APIView):
    parser_classes = [SafeJSONParser]

    @extend_schema(request=ServeSerializer, responses={200: DraftSerializer, 201: DraftSerializer})
    def post(self, request, pk: int, action: str):
        """PEN-2: serve the draft (the penalty service creates the slip, APPEAL-1 runs from
        now) or discard it with a reason."""
        draft = drafts_visible(request.user).filter(pk=pk).first()
        if draft is None:
            raise NotFound(_("No such penalty slip draft."), code="not_found")
        data = request.data if isinstance(request.data, dict) else {}
        if action == "serve":
            done = penalty_draft_serve(
                actor=request.user,
                draft=draft,
                sanction=_text(data, "sanction"),
                facts=_text(data, "facts"),
                evidence=_text(data, "evidence"),
            )
            status = 201
        else:
            done = penalty_draft_discard(
                actor=request.user, draft=draft, reason=_text(data, "reason")
            )
            status = 200
        done = PenaltyDraft.objects.select_related("employee").get(pk=done.pk)
        return Response(draft_data(done), status=status)
