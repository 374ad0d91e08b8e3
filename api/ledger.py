"""REST resources `ledger` and `months` (API.md "Added by later work"): the monthly ledger
(SCORE-9) and the month's close and adjustments (SCORE-10), thin over performance.ledger,
performance.ledger_close and performance.ledger_selectors (the pages call the same).

- `GET ledger/?month=YYYY-MM[&employee=][&department=]`: per employee the caller may see, the
  month's score (closed, or running while open), grade, tier and events; paged (api.lists).
- `POST ledger/`: record an event (ledger_record); 201 with the event and the running score.
- `GET ledger/catalogue/?month=YYYY-MM`: the catalogue of the month's policy, for a form.
- `GET months/`: recent months with their state; `POST months/<YYYY-MM>/close/` (month_close)
  and `POST months/<YYYY-MM>/adjust/` (ledger_adjust), administration.
"""

from django.db import transaction
from django.http import Http404
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from approvals.errors import DomainError
from performance import ledger_selectors as sel
from performance.ledger import ledger_adjust, ledger_record
from performance.ledger_close import month_close

from .casework import _body
from .lists import page_of
from .views import LIST_PARAMETERS

# --- the representation -------------------------------------------------------------------------


def _iso(value):
    return value.isoformat() if value else None


def _number(value):
    return None if value is None else str(value)


def event_data(line) -> dict:
    event = line.event
    user = event.recorded_by
    try:
        recorder = user.employee if user is not None else None
    except Exception:  # a user with no employee (a superuser)
        recorder = None
    data = {
        "id": event.pk,
        "code": event.code,
        "label": line.label,
        "points": str(event.points),
        "fine": str(event.fine),
        "note": event.note or event.reason,
        "evidence": event.evidence,
        "kind": event.kind,
        "recorded_by": recorder.pk if recorder is not None else None,
        "recorded_by_name": recorder.name if recorder is not None else None,
        "booked_at": _iso(event.booked_at),
    }
    if line.running is not None:
        data["running_score"] = str(line.running)
    return data


def person_month_data(pm) -> dict:
    return {
        "employee": pm.employee.pk,
        "name": pm.employee.name,
        "department": pm.employee.department_id,
        "month": pm.month.strftime("%Y-%m"),
        "closed": pm.closed,
        "closed_at": _iso(pm.closed_at),
        "score": str(pm.score),
        "running": pm.running,
        "source": pm.source,
        "grade": pm.grade,
        "tier": pm.tier,
        "events": [event_data(line) for line in pm.events],
    }


class EventSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    code = serializers.CharField(help_text="catalogue code ('' for a booking made before it)")
    label = serializers.CharField(help_text="the catalogue's label in the request's language")
    points = serializers.DecimalField(5, 1, help_text="signed, as booked (a deduction < 0)")
    fine = serializers.DecimalField(8, 2)
    note = serializers.CharField()
    evidence = serializers.CharField(allow_blank=True)
    kind = serializers.ChoiceField(["event", "adjustment"])
    recorded_by = serializers.IntegerField(allow_null=True, help_text="employee id; null: system")
    recorded_by_name = serializers.CharField(allow_null=True)
    booked_at = serializers.DateTimeField()


class PersonMonthSerializer(serializers.Serializer):
    employee = serializers.IntegerField()
    name = serializers.CharField()
    department = serializers.IntegerField()
    month = serializers.CharField(help_text="YYYY-MM")
    closed = serializers.BooleanField()
    closed_at = serializers.DateTimeField(allow_null=True)
    score = serializers.DecimalField(5, 1, help_text="closed score, or running score while open")
    running = serializers.BooleanField(help_text="true: computed from the events so far")
    source = serializers.ChoiceField(["events", "import", "manual"])
    grade = serializers.CharField()
    tier = serializers.IntegerField()
    events = EventSerializer(many=True)


class RecordBodySerializer(serializers.Serializer):
    employee = serializers.IntegerField()
    month = serializers.CharField(help_text="YYYY-MM")
    code = serializers.CharField(help_text="a code of GET ledger/catalogue/")
    points = serializers.DecimalField(
        5, 1, required=False, allow_null=True, help_text="omit for a fixed entry; a magnitude"
    )
    note = serializers.CharField()
    evidence = serializers.CharField(required=False, allow_blank=True)


RecordAnswer = inline_serializer(
    name="LedgerRecordAnswer",
    fields={
        "event": EventSerializer(),
        "employee": serializers.IntegerField(),
        "month": serializers.CharField(),
        "running_score": serializers.DecimalField(5, 1),
        "grade": serializers.CharField(),
        "tier": serializers.IntegerField(),
    },
)

CatalogueEntrySerializer = inline_serializer(
    name="LedgerCatalogueEntry",
    many=True,
    fields={
        "code": serializers.CharField(),
        "label": serializers.CharField(),
        "kind": serializers.ChoiceField(["bonus", "deduction", "signed", "fine"]),
        "band": serializers.CharField(allow_null=True),
        "band_label": serializers.CharField(allow_null=True),
        "points": serializers.DecimalField(5, 1, allow_null=True, help_text="fixed figure"),
        "min": serializers.DecimalField(5, 1),
        "max": serializers.DecimalField(5, 1),
        "fine": serializers.DecimalField(8, 2, allow_null=True),
        "recorded_by": serializers.CharField(allow_null=True),
        "rules": serializers.ListField(child=serializers.CharField()),
        "recordable": serializers.BooleanField(),
        "policy_version": serializers.CharField(),
    },
)

MonthSerializer = inline_serializer(
    name="LedgerMonth",
    many=True,
    fields={
        "month": serializers.CharField(help_text="YYYY-MM"),
        "state": serializers.ChoiceField(["open", "partly_closed", "closed"]),
        "ended": serializers.BooleanField(),
        "closes_on": serializers.DateField(),
        "closed_at": serializers.DateTimeField(allow_null=True),
        "closed_by": serializers.CharField(allow_null=True, help_text="username; null: scheduler"),
        "counts": inline_serializer(
            name="LedgerMonthCounts",
            fields={
                "people": serializers.IntegerField(),
                "closed": serializers.IntegerField(),
                "events": serializers.IntegerField(),
                "open_with_events": serializers.IntegerField(),
            },
        ),
    },
)

CloseBody = inline_serializer(
    name="MonthCloseBody", fields={"department": serializers.IntegerField(required=False)}
)
CloseAnswer = inline_serializer(
    name="MonthCloseReport",
    fields={
        "month": serializers.CharField(),
        "department": serializers.IntegerField(allow_null=True),
        "computed": serializers.IntegerField(),
        "kept": serializers.IntegerField(),
        "already": serializers.IntegerField(),
        "closed": serializers.IntegerField(),
        "scores": serializers.DictField(child=serializers.CharField()),
    },
)
AdjustBody = inline_serializer(
    name="MonthAdjustBody",
    fields={
        "employee": serializers.IntegerField(),
        "points": serializers.DecimalField(5, 1, help_text="signed"),
        "reason": serializers.CharField(),
    },
)
_Figures = inline_serializer(
    name="MonthFigures",
    fields={
        "score": serializers.DecimalField(5, 1),
        "grade": serializers.CharField(),
        "tier": serializers.IntegerField(),
    },
)
AdjustAnswer = inline_serializer(
    name="MonthAdjustAnswer",
    fields={
        "employee": serializers.IntegerField(),
        "month": serializers.CharField(),
        "event": EventSerializer(),
        "before": _Figures,
        "after": _Figures,
        "changed": serializers.ListField(child=serializers.CharField()),
    },
)

MONTH = OpenApiParameter(
    "month", str, required=False, description="YYYY-MM (default: the current month)"
)
LEDGER_FILTERS = [
    MONTH,
    OpenApiParameter("employee", int, required=False, description="an employee id"),
    OpenApiParameter("department", int, required=False, description="a department id"),
]
MONTH_PATH = OpenApiParameter("month", str, OpenApiParameter.PATH, description="YYYY-MM")


# --- the views ----------------------------------------------------------------------------------


class LedgerView(APIView):
    """The month's ledger of the people the caller may see (SCORE-9, SCORE-10)."""

    @extend_schema(
        operation_id="ledger_list",
        parameters=LEDGER_FILTERS + LIST_PARAMETERS,
        responses={200: PersonMonthSerializer(many=True)},
    )
    def get(self, request):
        params = request.query_params
        month = sel.month_of(params.get("month"))
        department = params.get("department")
        department = sel.id_of(department, field="department") if department is not None else None
        qs = sel.ledger_people_for(request.user, department=department)
        employee = params.get("employee")
        if employee is not None:
            qs = qs.filter(pk=sel.id_of(employee, field="employee"))
        people, links = page_of(request, qs)
        if employee is not None and not people:
            raise Http404  # not there, or not the caller's to see: the same answer
        data = [person_month_data(pm) for pm in sel.person_months(people, month)]
        response = Response(data)
        if links:
            response["Link"] = links
        return response

    @extend_schema(
        operation_id="ledger_record",
        description=(
            "Record an event of the month's catalogue about an employee (SCORE-9): trainers "
            "about their department's agents, the department lead about its trainers, nobody "
            "about themselves. 201 with the event and the month's running score."
        ),
        request=RecordBodySerializer,
        responses={201: RecordAnswer},
    )
    def post(self, request):
        body = _body(request)
        month = sel.month_of(body.get("month"), default_current=False)
        employee = sel.nameable_employee(request.user, body.get("employee"))
        code = sel.text_of(body.get("code"), field="code").strip()
        try:
            with transaction.atomic():
                event, running = ledger_record(
                    actor=request.user,
                    employee=employee,
                    month=month,
                    code=code,
                    points=sel.points_of(body.get("points")),
                    note=sel.text_of(body.get("note"), field="note"),
                    evidence=sel.text_of(body.get("evidence"), field="evidence"),
                )
        except DomainError as exc:
            raise sel.with_labels(exc, month) from None
        policy = sel._month_policy(month)
        line = sel.EventLine(event=event, label=sel._label_of(policy, event))
        return Response(
            {
                "event": event_data(line),
                "employee": employee.pk,
                "month": month.strftime("%Y-%m"),
                "running_score": str(running.score),
                "grade": running.grade,
                "tier": running.tier,
            },
            status=201,
        )


class LedgerCatalogueView(APIView):
    """The catalogue of the month's policy (SCORE-2, SCORE-3, SCORE-9), to build a form."""

    @extend_schema(
        operation_id="ledger_catalogue",
        parameters=[MONTH],
        responses={200: CatalogueEntrySerializer},
    )
    def get(self, request):
        month = sel.month_of(request.query_params.get("month"))
        entries = sel.catalogue_of(month)
        for entry in entries:
            for name in ("points", "min", "max", "fine"):
                entry[name] = _number(entry[name])
        return Response(entries)


class MonthsView(APIView):
    """Recent months, newest first, with their state (SCORE-10)."""

    @extend_schema(
        operation_id="months_list",
        parameters=[
            OpenApiParameter(
                "count", int, required=False, description="how many months (12; at most 36)"
            )
        ],
        responses={200: MonthSerializer},
    )
    def get(self, request):
        from approvals.inputs import whole_number

        sel.require_month_reader(request.user)
        count = whole_number(
            request.query_params.get("count"),
            field="count",
            default=sel.RECENT_MONTHS,
            limit=sel.RECENT_MONTHS_MAX,
        )
        return Response([month_data(m) for m in sel.month_states(sel.recent_months(count))])


def month_data(m: dict) -> dict:
    return {
        "month": m["month"].strftime("%Y-%m"),
        "state": m["state"],
        "ended": m["ended"],
        "closes_on": m["closes_on"].isoformat(),
        "closed_at": _iso(m["closed_at"]),
        "closed_by": m["closed_by"],
        "counts": {k: m[k] for k in ("people", "closed", "events", "open_with_events")},
    }


class MonthCloseView(APIView):
    """Close the month (administration; of one department with `department`), SCORE-10."""

    @extend_schema(
        operation_id="months_close",
        parameters=[MONTH_PATH],
        request=CloseBody,
        responses={200: CloseAnswer},
    )
    def post(self, request, month):
        body = _body(request)
        month = sel.month_of(month, default_current=False)
        department = body.get("department")
        department = sel.department_of(department) if department is not None else None
        report = month_close(actor=request.user, month=month, department=department)
        return Response(
            {
                "month": month.strftime("%Y-%m"),
                "department": department.pk if department is not None else None,
                "computed": report.computed,
                "kept": report.kept,
                "already": report.already,
                "closed": report.closed,
                "scores": {str(k): v for k, v in report.scores.items()},
            }
        )


class MonthAdjustView(APIView):
    """Correct a closed month of one employee (administration), SCORE-10."""

    @extend_schema(
        operation_id="months_adjust",
        parameters=[MONTH_PATH],
        request=AdjustBody,
        responses={200: AdjustAnswer},
    )
    def post(self, request, month):
        body = _body(request)
        month = sel.month_of(month, default_current=False)
        employee = sel.nameable_employee(request.user, body.get("employee"))
        points = sel.points_of(body.get("points"))
        try:
            adjustment = ledger_adjust(
                actor=request.user,
                employee=employee,
                month=month,
                points=points,
                reason=sel.text_of(body.get("reason"), field="reason"),
            )
        except DomainError as exc:
            raise sel.with_labels(exc, month) from None
        policy = sel._month_policy(month)
        line = sel.EventLine(event=adjustment.event, label=sel._label_of(policy, adjustment.event))

        def figures(values: dict) -> dict:
            return {"score": str(values["score"]), "grade": values["grade"], "tier": values["tier"]}

        return Response(
            {
                "employee": employee.pk,
                "month": month.strftime("%Y-%m"),
                "event": event_data(line),
                "before": figures(adjustment.before),
                "after": figures(adjustment.after),
                "changed": sorted(adjustment.changed),
            }
        )
