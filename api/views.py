"""REST API v1 (API.md): thin views over the approvals services, the workflow engine and the
selectors. Visibility is the selectors' (404 for a case the caller may not see)."""

from django.db.models import Q
from django.http import Http404
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.views import APIView

from approvals import eligibility as eligibility_rules
from approvals import permissions as perms
from approvals.db import whole_transaction
from approvals.inputs import ladder_level, record_id
from approvals.penalty.services import penalty_serve
from approvals.promotion.services import promotion_submit
from approvals.selectors import deadlines_for, ids_of_any, timelines_for
from org.levels import LADDER, Role
from org.models import Department, Employee
from performance.models import Assessment, ScoreEvent
from workflows.engine import run_action, start_flow
from workflows.inbox import inbox_page
from workflows.penalty import PenaltyFlow
from workflows.promotion import PromotionFlow

from .casework import CaseworkActions, _body, casework_context
from .lists import (
    filter_cases,
    filter_employees,
    inbox_filters,
    page_links,
    page_of,
    page_params,
)
from .serializers import EmployeeSerializer, PenaltySerializer, PromotionSerializer

LIST_PARAMETERS = [
    OpenApiParameter("page", int, required=False, description="1 (default), 2, ..."),
    OpenApiParameter("page_size", int, required=False, description="200 by default and at most"),
]
CASE_FILTERS = [
    OpenApiParameter("state", str, required=False, description="a state of this kind of case"),
    OpenApiParameter("department", int, required=False, description="a department id"),
    OpenApiParameter("overdue", str, required=False, description="1: an open deadline is past"),
    OpenApiParameter("q", str, required=False, description="the employee's name contains it"),
]
EMPLOYEE_FILTERS = [
    CASE_FILTERS[1],
    OpenApiParameter("q", str, required=False, description="the name or username contains it"),
]


class CaseViewSet(CaseworkActions, viewsets.ViewSet):
    """List/read/create a kind of case and perform its actions: POST <id>/<action>/; the
    casework actions (transfer, consult, urge, cc, comment, attachments) come from
    api.casework."""

    flow_class = None
    serializer_class = None

    def get_queryset(self):
        return self.flow_class.instance.visible_cases(self.request.user)

    def get_case(self, pk):
        pk = record_id(pk)  # "abc", "²", leaves/bulk/cancel/: no such case, not a 500
        if pk is None:
            raise Http404
        case = self.get_queryset().filter(pk=pk).first()
        if case is None:
            raise Http404
        return case

    def context(self, cases):
        return {
            "request": self.request,
            "flow_class": self.flow_class,
            "timelines": timelines_for(cases),
            "deadlines": deadlines_for(cases),
            **casework_context(self.flow_class, cases),
        }

    def represent(self, case):
        return self.serializer_class(case, context=self.context([case])).data

    @extend_schema(parameters=LIST_PARAMETERS + CASE_FILTERS)
    def list(self, request):
        qs = filter_cases(self.get_queryset(), request.query_params).order_by("-pk")
        cases, links = page_of(request, qs)
        response = Response(
            self.serializer_class(cases, many=True, context=self.context(cases)).data
        )
        if links:
            response["Link"] = links
        return response

    def retrieve(self, request, pk=None):
        return Response(self.represent(self.get_case(pk)))

    def perform_action(self, request, pk, name, fields):
        case = self.get_case(pk)
        body = _body(request)
        # Every declared field is passed (None when absent): the service names what is missing.
        payload = {f: body.get(f) for f in fields}
        case = run_action(
            flow_class=self.flow_class,
            actions=self.flow_class.actions,
            case=case,
            name=name,
            actor=request.user,
            **payload,
        )
        case = self.get_queryset().filter(pk=case.pk).first() or case
        return Response(self.represent(case))


# Request bodies of the actions (API.md), for the OpenAPI schema; the services validate them.
_FIELD_TYPES = {
    "reason": serializers.CharField(),
    "comment": serializers.CharField(required=False),
    "support": serializers.BooleanField(),
    "confirm_skip_level": serializers.BooleanField(required=False),
    "at": serializers.DateTimeField(),
    "panel": serializers.ListField(child=serializers.IntegerField()),
    "score": serializers.DecimalField(max_digits=5, decimal_places=1, min_value=0, max_value=100),
    "notes": serializers.CharField(required=False),
    "effective_date": serializers.DateField(required=False),
    "witnesses": serializers.ListField(child=serializers.IntegerField(), required=False),
    "decision": serializers.ChoiceField(choices=["uphold", "reduce", "revoke"]),
    "reduced_to": serializers.CharField(required=False, allow_null=True),
    "to": serializers.ChoiceField(choices=["final_warning", "dismissal"]),
    "witness": serializers.IntegerField(),
    "replacement": serializers.IntegerField(),
    # probations (PROB-2, PROB-3)
    "passed": serializers.BooleanField(),
    "outcome": serializers.ChoiceField(choices=["convert", "end"]),
    "months": serializers.IntegerField(min_value=1),
}


def _case_action(flow_class, name: str, serializer=PromotionSerializer):
    fields = flow_class.actions[name].fields
    kind = flow_class.__name__.removesuffix("Flow")
    body = inline_serializer(
        name=f"{kind}{name.title().replace('-', '')}Body",
        fields={f: _FIELD_TYPES[f] for f in fields},
    )

    def method(self, request, pk=None):
        return self.perform_action(request, pk, name, fields)

    method.__name__ = name.replace("-", "_")
    routed = action(detail=True, methods=["post"], url_path=name, url_name=name)(method)
    # extend_schema goes on top of @action, or the schema loses the request body.
    return extend_schema(request=body, responses=serializer, summary=name)(routed)


class PromotionViewSet(CaseViewSet):
    flow_class = PromotionFlow
    serializer_class = PromotionSerializer

    @extend_schema(
        request=inline_serializer(
            name="PromotionCreateBody",
            fields={
                "target_level": serializers.ChoiceField(choices=LADDER),
                "statement": serializers.CharField(),
                "skip_level_reason": serializers.CharField(required=False, allow_null=True),
            },
        ),
        responses={201: PromotionSerializer},
    )
    def create(self, request):
        body = _body(request)
        with whole_transaction():
            promotion = promotion_submit(
                actor=request.user,
                target_level=body.get("target_level") or "",
                statement=body.get("statement") or "",
                skip_level_reason=body.get("skip_level_reason"),
            )
            start_flow(flow_class=PromotionFlow, case=promotion)
        return Response(self.represent(promotion), status=201)

    withdraw = _case_action(PromotionFlow, "withdraw")
    open_vote = _case_action(PromotionFlow, "open-vote")
    vote = _case_action(PromotionFlow, "vote")
    close_vote = _case_action(PromotionFlow, "close-vote")
    nominate = _case_action(PromotionFlow, "nominate")
    decline = _case_action(PromotionFlow, "decline")
    approve = _case_action(PromotionFlow, "approve")
    reject = _case_action(PromotionFlow, "reject")
    send_back = _case_action(PromotionFlow, "send-back")
    schedule_defence = _case_action(PromotionFlow, "schedule-defence")
    score_defence = _case_action(PromotionFlow, "score-defence")
    confirm = _case_action(PromotionFlow, "confirm")


class PenaltyViewSet(CaseViewSet):
    """Penalties and appeals (API.md): creating a penalty serves it."""

    flow_class = PenaltyFlow
    serializer_class = PenaltySerializer

    @extend_schema(
        request=inline_serializer(
            name="PenaltyCreateBody",
            fields={
                "employee": serializers.IntegerField(),
                "facts": serializers.CharField(),
                "rule": serializers.CharField(),
                "sanction": serializers.ChoiceField(
                    choices=["verbal_warning", "written_warning", "final_warning", "dismissal"]
                ),
                "evidence": serializers.CharField(),
            },
        ),
        responses={201: PenaltySerializer},
    )
    def create(self, request):
        body = _body(request)
        with whole_transaction():
            penalty = penalty_serve(
                actor=request.user,
                employee=body.get("employee"),
                facts=body.get("facts"),
                rule=body.get("rule"),
                sanction=body.get("sanction"),
                evidence=body.get("evidence"),
            )
            start_flow(flow_class=PenaltyFlow, case=penalty)
        return Response(self.represent(penalty), status=201)


def _penalty_action(name):
    return _case_action(PenaltyFlow, name, PenaltySerializer)


for _name in PenaltyFlow.actions:
    setattr(PenaltyViewSet, _name.replace("-", "_"), _penalty_action(_name))


class NotFoundView(APIView):
    """Any path under /api/v1/ that no route matches, whatever the method: the JSON 404 of
    api.errors (after authentication, as for every other API path)."""

    schema = None  # not an operation of the schema

    def get(self, request, *args, **kwargs):
        raise Http404

    post = put = patch = delete = get


INBOX_PAGE_SIZE = 50
INBOX_PAGE_SIZE_MAX = 200


class InboxView(APIView):
    """The caller's open tasks across flows, most urgent first, a page at a time: the body is
    the page's rows; `X-Total-Count` the number of tasks, `Link` the next and previous pages."""

    @extend_schema(
        parameters=[
            OpenApiParameter("page", int, required=False, description="1 (default), 2, ..."),
            OpenApiParameter(
                "page_size", int, required=False, description="50 by default, at most 200"
            ),
            OpenApiParameter(
                "kind", str, required=False, description="a resource: leaves, ..., findings"
            ),
            *CASE_FILTERS[1:],
        ],
        responses=inline_serializer(
            name="InboxRow",
            many=True,
            fields={
                # null on an attendance finding's row (resource "findings", ATT-3): it is
                # decided at POST findings/<case_id>/confirm|dismiss/, not as a task.
                "task_id": serializers.IntegerField(allow_null=True),
                "resource": serializers.CharField(),
                "case_id": serializers.IntegerField(),
                "action": serializers.CharField(),
                "actions": serializers.ListField(child=serializers.CharField()),
                "title": serializers.CharField(),
                "skip_level": serializers.BooleanField(),
                "assigned_at": serializers.DateTimeField(),
                "due_at": serializers.DateTimeField(allow_null=True),
                "overdue": serializers.BooleanField(),
                "url": serializers.CharField(),
            },
        ),
    )
    def get(self, request):
        params = request.query_params
        page, page_size = page_params(
            params, default_size=INBOX_PAGE_SIZE, max_size=INBOX_PAGE_SIZE_MAX
        )
        rows, total = inbox_page(
            request.user, page=page, page_size=page_size, **inbox_filters(params)
        )
        response = Response(rows)
        response["X-Total-Count"] = str(total)
        links = page_links(request, page, max(1, -(-total // page_size)))
        if links:
            response["Link"] = links
        return response


def employees_visible_to(user):
    qs = Employee.objects.select_related("user", "department").prefetch_related("user__groups")
    if perms.has_oversight(user):
        return qs
    employee = perms.employee_of(user)
    if employee is None:
        return qs.none()
    if perms.has_role(user, Role.DEPARTMENT_LEAD):
        # The department's people and the lead's own row as a UNION of ids, each on its index:
        # a join ORed with the own row read every employee of the company (50 ms for 10 rows),
        # and the OR of an id subquery walked the whole primary key to fill a page a small
        # department never fills (benchmarks/inbox.py, 33,000 employees: 9 ms, now 0.2 ms).
        led = Department.objects.filter(lead=employee).values("pk")
        return qs.filter(pk__in=ids_of_any(Employee, Q(department_id__in=led) | Q(pk=employee.pk)))
    return qs.filter(pk=employee.pk)


class EmployeeViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = EmployeeSerializer

    def get_queryset(self):
        return employees_visible_to(self.request.user)

    @extend_schema(parameters=LIST_PARAMETERS + EMPLOYEE_FILTERS)
    def list(self, request):
        qs = filter_employees(self.get_queryset(), request.query_params).order_by("pk")
        employees, links = page_of(request, qs)
        response = Response(self.get_serializer(employees, many=True).data)
        if links:
            response["Link"] = links
        return response

    def get_object(self):
        pk = self.kwargs["pk"]
        if pk == "me":
            employee = perms.employee_of(self.request.user)
            if employee is None:
                raise Http404
            return self.get_queryset().get(pk=employee.pk)
        pk = record_id(pk)
        obj = self.get_queryset().filter(pk=pk).first() if pk is not None else None
        if obj is None:
            raise Http404
        return obj

    @action(detail=True)
    def assessments(self, request, pk=None):
        """Monthly scores with tier and grade, and what was booked to each month (APPEAL-3: a
        final penalty's points and fine); a month with bookings but no score yet is listed."""
        employee = self.get_object()
        months: dict = {}
        for a in Assessment.objects.filter(employee=employee):
            months[a.month] = {
                "month": a.month.strftime("%Y-%m"),
                "score": str(a.score),
                "tier": a.tier,
                "grade": a.grade,
                "events": [],
            }
        for e in ScoreEvent.objects.filter(employee=employee).order_by("booked_at", "pk"):
            row = months.setdefault(
                e.month,
                {
                    "month": e.month.strftime("%Y-%m"),
                    "score": None,
                    "tier": None,
                    "grade": None,
                    "events": [],
                },
            )
            row["events"].append(
                {
                    "points": str(e.points),
                    "fine": str(e.fine),
                    "reason": e.reason,
                    "source": e.source,
                }
            )
        return Response([months[m] for m in sorted(months, reverse=True)])

    @extend_schema(parameters=[OpenApiParameter("target_level", str, required=False)])
    @action(detail=True)
    def eligibility(self, request, pk=None):
        from org.levels import next_level

        employee = self.get_object()
        target = request.query_params.get("target_level") or next_level(employee.level)
        ladder_level(target)
        result = eligibility_rules.evaluate(employee, target)
        return Response(
            {
                "eligible": result.eligible,
                "rule": result.rule,
                "target_level": target,
                "skip_level": getattr(result, "skip_level", False),
                "months": result.months,
                "reasons": [str(r) for r in result.reasons],
            }
        )
