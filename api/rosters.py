"""The roster and the punches (ATT-1, ATT-2).

- `POST rosters/`: a department lead (their department's employees) or administration imports
  roster rows, a file (multipart, field `file`, .csv or .xlsx: username, date, start, end) or
  JSON (`{"rows": [{"username", "date", "start", "end"}], "department": <id, optional>}`). All
  or nothing: 200 with the report, or 400 `invalid_rows` with `errors` listing every bad row as
  `{"row", "field", "detail"}` (nothing written). Anyone else: 403 `wrong_role`.
- `GET rosters/?department=<id>&from=YYYY-MM-DD&to=YYYY-MM-DD`: the shifts starting on those
  dates (default: this week), paginated. Administration and the GM office read every department,
  a lead the departments they lead (another department: 404), anyone else their own shifts.
  While a lead is on approved leave with a delegate, the delegate imports and reads the lead's
  departments as the lead does (LEAVE-6; the import is recorded "X for Y").
- `POST punches/`: administration imports punch rows (file, or `{"rows": [{"username",
  "time"}]}`); same report and errors. Anyone else: 403 `wrong_role`.
- `GET punches/?employee=<id>&from=&to=`: punches, paginated; administration and the GM office
  anyone's, a lead their departments' people, anyone else their own (another's: 404).
"""

import datetime as dt

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from approvals import permissions as perms
from approvals.attendance.punches import (
    punch_file_read,
    punches_between,
    punches_import,
    require_punch_admin,
)
from approvals.attendance.roster import roster_import
from approvals.attendance.roster_access import roster_scope
from approvals.attendance.roster_grid import visible_departments
from approvals.attendance.roster_rows import roster_file_read
from approvals.attendance.shifts import shifts_between
from approvals.errors import InvalidInput, NotFound
from org.models import Department, Employee

from .lists import _department, page_of
from .parsers import SafeJSONParser

MAX_SPAN_DAYS = 93


def _date(params, name: str, default: dt.date) -> dt.date:
    value = params.get(name)
    if value is None or not str(value).strip():
        return default
    try:
        return dt.date.fromisoformat(str(value).strip()[:10])
    except ValueError:
        raise InvalidInput(
            _("%(field)s %(value)s is not a date YYYY-MM-DD"),
            code=f"invalid_{name}",
            params={"field": name, "value": repr(str(value)[:20])},
            field=name,
        ) from None


def _span(params) -> tuple[dt.date, dt.date]:
    today = timezone.localdate()
    monday = today - dt.timedelta(days=today.weekday())
    start = _date(params, "from", monday)
    end = _date(params, "to", start + dt.timedelta(days=6))
    if end < start:
        raise InvalidInput(
            _("to (%(to)s) is before from (%(from)s)."),
            code="invalid_to",
            params={"to": end, "from": start},
            field="to",
        )
    if (end - start).days >= MAX_SPAN_DAYS:
        raise InvalidInput(
            _("Ask for at most %(days)s days at a time."),
            code="invalid_to",
            params={"days": MAX_SPAN_DAYS},
            field="to",
        )
    return start, end


def _rows_of(request, columns: str):
    upload = request.FILES.get("file") if hasattr(request, "FILES") else None
    if upload is not None:
        return upload, None
    data = request.data
    rows = data.get("rows") if isinstance(data, dict) else data
    if not isinstance(rows, list) or not all(isinstance(r, dict) for r in rows):
        raise InvalidInput(
            _("Send a file (field file) or JSON rows: [{%(columns)s}]."),
            code="bad_rows",
            params={"columns": columns},
            field="rows",
        )
    return None, rows


def _answer(report, rule: str) -> Response:
    if report.ok:
        return Response(report.as_data())
    body = {
        "code": "invalid_rows",
        "detail": report.message,
        "rule": rule,
        **report.as_data(),
        "messages": [str(error) for error in report.errors],
    }
    return Response(body, status=400)


class ImportReportSerializer(serializers.Serializer):
    ok = serializers.BooleanField()
    nothing_changed = serializers.BooleanField()
    message = serializers.CharField()
    errors = serializers.ListField(
        child=serializers.DictField(), help_text='[{"row", "field", "detail"}]'
    )


class RosterReportSerializer(ImportReportSerializer):
    created = serializers.IntegerField()
    removed = serializers.IntegerField()
    unchanged = serializers.IntegerField()
    swaps_applied = serializers.IntegerField()
    leave_changes = serializers.ListField(child=serializers.DictField())


class PunchReportSerializer(ImportReportSerializer):
    created = serializers.IntegerField()
    already_stored = serializers.IntegerField()
    repeated_in_file = serializers.IntegerField()


class UploadSerializer(serializers.Serializer):
    file = serializers.FileField(help_text=".csv or .xlsx")


class RosterRowsSerializer(serializers.Serializer):
    rows = serializers.ListField(
        child=serializers.DictField(), help_text='[{"username", "date", "start", "end"}]'
    )
    department = serializers.IntegerField(required=False)


class PunchRowsSerializer(serializers.Serializer):
    rows = serializers.ListField(child=serializers.DictField(), help_text='[{"username", "time"}]')


class ShiftSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    employee = serializers.IntegerField()
    username = serializers.CharField()
    rostered = serializers.IntegerField()
    department = serializers.IntegerField()
    date = serializers.DateField()
    start = serializers.DateTimeField()
    end = serializers.DateTimeField()
    swap = serializers.IntegerField(allow_null=True)


class PunchSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    employee = serializers.IntegerField()
    username = serializers.CharField()
    at = serializers.DateTimeField()


SPAN_PARAMETERS = [
    OpenApiParameter("from", str, required=False, description="YYYY-MM-DD (default: Monday)"),
    OpenApiParameter("to", str, required=False, description="YYYY-MM-DD (default: from + 6)"),
    OpenApiParameter("page", int, required=False),
    OpenApiParameter("page_size", int, required=False),
]


def _paged(request, qs, shape) -> Response:
    rows, link = page_of(request, qs)
    response = Response([shape(row) for row in rows])
    if link:
        response["Link"] = link
    return response


class RostersView(APIView):
    parser_classes = [SafeJSONParser, MultiPartParser, FormParser]

    @extend_schema(
        parameters=[OpenApiParameter("department", int, required=False), *SPAN_PARAMETERS],
        responses=ShiftSerializer(many=True),
    )
    def get(self, request):
        """The shifts (ATT-1), by date and start."""
        start, end = _span(request.query_params)
        pk = _department(request.query_params)
        visible = visible_departments(request.user)
        qs = shifts_between(start=start, end=end)
        if pk is not None:
            if visible is not None and visible and pk not in visible:
                raise NotFound(_("Not found."), code="not_found")
            qs = qs.filter(department_id=pk)
        if visible is not None:
            if visible:
                qs = qs.filter(department_id__in=visible)
            else:
                qs = qs.filter(employee=perms.employee_of(request.user))
        return _paged(
            request,
            qs,
            lambda s: {
                "id": s.pk,
                "employee": s.employee_id,
                "username": s.employee.user.username,
                "rostered": s.rostered_id,
                "department": s.department_id,
                "date": s.date,
                "start": s.start,
                "end": s.end,
                "swap": s.swap_id,
            },
        )

    @extend_schema(
        request={
            "multipart/form-data": UploadSerializer,
            "application/json": RosterRowsSerializer,
        },
        responses={
            200: RosterReportSerializer,
            400: OpenApiResponse(description="invalid_rows: every bad row; nothing written"),
        },
    )
    def post(self, request):
        """Import the roster, all or nothing (ATT-1)."""
        roster_scope(request.user)  # 403 before reading a file
        upload, rows = _rows_of(request, "username, date, start, end")
        department = None
        if upload is not None:
            rows = roster_file_read(name=upload.name or "", content=upload.read())
        pk = _department(request.data) if isinstance(request.data, dict) else None
        if pk is not None:
            department = Department.objects.filter(pk=pk).first()
            if department is None:
                raise InvalidInput(
                    _("There is no department %(value)s."),
                    code="invalid_department",
                    params={"value": pk},
                    field="department",
                )
        report = roster_import(actor=request.user, rows=rows, department=department)
        return _answer(report, "ATT-1")


class PunchesView(APIView):
    parser_classes = [SafeJSONParser, MultiPartParser, FormParser]

    @extend_schema(
        parameters=[OpenApiParameter("employee", int, required=False), *SPAN_PARAMETERS],
        responses=PunchSerializer(many=True),
    )
    def get(self, request):
        """The punches (ATT-2), by time."""
        start, end = _span(request.query_params)
        visible = visible_departments(request.user, standing_in=False)
        me = perms.employee_of(request.user)
        raw = request.query_params.get("employee")
        employee = None
        if raw is not None:
            employee = Employee.objects.filter(pk=int(raw) if str(raw).isdigit() else 0).first()
            allowed = employee is not None and (
                visible is None
                or employee.department_id in visible
                or (me is not None and employee.pk == me.pk)
            )
            if not allowed:
                raise NotFound(_("Not found."), code="not_found")
        departments = None
        if employee is None and visible is not None:
            if visible:
                departments = visible
            else:
                employee = me
        qs = punches_between(start=start, end=end, employee=employee, departments=departments)
        if employee is None and departments is None and visible is not None:
            qs = qs.none()
        return _paged(
            request,
            qs,
            lambda p: {
                "id": p.pk,
                "employee": p.employee_id,
                "username": p.employee.user.username,
                "at": p.at,
            },
        )

    @extend_schema(
        request={"multipart/form-data": UploadSerializer, "application/json": PunchRowsSerializer},
        responses={
            200: PunchReportSerializer,
            400: OpenApiResponse(description="invalid_rows: every bad row; nothing written"),
        },
    )
    def post(self, request):
        """Import punch records, all or nothing (ATT-2)."""
        require_punch_admin(request.user)
        upload, rows = _rows_of(request, "username, time")
        if upload is not None:
            rows = punch_file_read(name=upload.name or "", content=upload.read())
        return _answer(punches_import(actor=request.user, rows=rows), "ATT-2")
