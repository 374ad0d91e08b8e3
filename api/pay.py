"""Sales and the pay sheet (PAY-1, PAY-2, SCORE-6, SCORE-8).

- `POST sales/`: administration imports a month's sales, a file (multipart, field `file`, .csv
  or .xlsx with the columns username, month, amount) or JSON (`{"rows": [{"username", "month",
  "amount"}, ...]}`); all or nothing: 200 with the report, or 400 `invalid_rows` listing every bad
  row (nothing written).
- `GET sales/?month=YYYY-MM[&department=<id>]`: the imported figures, paginated.
- `GET pay-sheets/<YYYY-MM>/[?department=<id>][&format=csv|xlsx]`: the month's sheet as JSON
  rows with each line's trace, or the file (Content-Disposition attachment pay-YYYY-MM.xlsx).
  A month not closed: 409 `month_not_closed` (SCORE-10).

Administration reads and imports; the GM office reads (sheet and sales) but does not import;
anyone else gets 403 `wrong_role` (PAY-1): the sheet is one company-wide resource, not another
employee's case hidden by a 404.
"""

from django.http import HttpResponse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    extend_schema,
)
from rest_framework import serializers
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from approvals import permissions as perms
from approvals.errors import InvalidInput, NotAllowed
from org.models import Department
from performance import paysheet_export
from performance.paysheet import pay_sheet, row_data
from performance.sales import sales_file_read, sales_import, sales_of
from performance.services import _parse_month

from .lists import _department, page_links, page_of, page_params
from .parsers import SafeJSONParser

FORMATS = ("json", "csv", "xlsx")
# The JSON sheet's rows a page at a time (the files hold every row); `count` and `total` are the
# whole sheet's.
SHEET_PAGE, SHEET_PAGE_MAX = 500, 1000


class IgnoreFormatNegotiation(DefaultContentNegotiation):
    """`?format=csv|xlsx` chooses the file this view writes, not one of DRF's renderers (which
    would answer 404 for a format it has no renderer for): always negotiate JSON."""

    def select_renderer(self, request, renderers, format_suffix=None):
        return renderers[0], renderers[0].media_type


def _may_read(user) -> bool:
    return perms.has_role(user, "administration") or perms.has_role(user, "gm_office")


def _require_reader(user) -> None:
    if not _may_read(user):
        raise NotAllowed(
            _("Only administration and the GM office read sales and the pay sheet."),
            code="wrong_role",
            rule="PAY-1",
        )


def _month(value):
    if value is None or not str(value).strip():
        raise InvalidInput(_("month YYYY-MM is required"), code="bad_month", field="month")
    return _parse_month(str(value)[:20])


def _department_of(params):
    pk = _department(params)
    if pk is None:
        return None
    department = Department.objects.filter(pk=pk).first()
    if department is None:
        raise InvalidInput(
            _("There is no department %(value)s."),
            code="invalid_department",
            params={"value": pk},
            field="department",
        )
    return department


class SalesFigureSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    employee = serializers.IntegerField()
    username = serializers.CharField()
    name = serializers.CharField()
    department = serializers.CharField()
    month = serializers.CharField(help_text="YYYY-MM")
    amount = serializers.CharField(help_text="yuan, 2 decimals")
    imported_at = serializers.DateTimeField()
    imported_by = serializers.CharField(allow_null=True)


class SalesImportReportSerializer(serializers.Serializer):
    ok = serializers.BooleanField()
    created = serializers.IntegerField()
    replaced = serializers.IntegerField()
    unchanged = serializers.IntegerField()
    replacements = serializers.ListField(child=serializers.DictField())
    errors = serializers.ListField(child=serializers.DictField())


class SalesInvalidRowsSerializer(serializers.Serializer):
    """400: the error body; for `invalid_rows` also the report (nothing was written)."""

    code = serializers.CharField()
    detail = serializers.CharField()
    rule = serializers.CharField(allow_null=True)
    field = serializers.CharField(required=False)
    fields = serializers.DictField(required=False)
    ok = serializers.BooleanField(required=False)
    created = serializers.IntegerField(required=False)
    replaced = serializers.IntegerField(required=False)
    unchanged = serializers.IntegerField(required=False)
    replacements = serializers.ListField(child=serializers.DictField(), required=False)
    errors = serializers.ListField(child=serializers.DictField(), required=False)
    messages = serializers.ListField(child=serializers.CharField(), required=False)


class SalesUploadSerializer(serializers.Serializer):
    file = serializers.FileField(help_text=".csv or .xlsx")


class SalesRowsSerializer(serializers.Serializer):
    rows = serializers.ListField(
        child=serializers.DictField(), help_text='[{"username", "month", "amount"}]'
    )


class SalesView(APIView):
    parser_classes = [SafeJSONParser, MultiPartParser, FormParser]

    @extend_schema(
        parameters=[
            OpenApiParameter("month", str, required=False, description="YYYY-MM"),
            OpenApiParameter("department", int, required=False, description="a department id"),
            OpenApiParameter("page", int, required=False),
            OpenApiParameter("page_size", int, required=False, description="at most 200"),
        ],
        responses=SalesFigureSerializer(many=True),
    )
    def get(self, request):
        """The imported sales, newest month first, then by username (PAY-1)."""
        _require_reader(request.user)
        params = request.query_params
        month = _month(params.get("month")) if "month" in params else None
        rows, link = page_of(request, sales_of(month=month, department=_department_of(params)))
        response = Response(
            [
                {
                    "id": s.pk,
                    "employee": s.employee_id,
                    "username": s.employee.user.username,
                    "name": s.employee.name,
                    "department": s.employee.department.code,
                    "month": s.month.strftime("%Y-%m"),
                    "amount": str(s.amount),
                    "imported_at": s.imported_at,
                    "imported_by": getattr(s.imported_by, "username", None),
                }
                for s in rows
            ]
        )
        if link:
            response["Link"] = link
        return response

    @extend_schema(
        request={
            "multipart/form-data": SalesUploadSerializer,
            "application/json": SalesRowsSerializer,
        },
        responses={
            200: SalesImportReportSerializer,
            400: SalesInvalidRowsSerializer,
        },
    )
    def post(self, request):
        """Import sales, all or nothing (PAY-1): the report, or 400 `invalid_rows` with every
        bad row and nothing written."""
        from performance.sales import require_sales_admin

        require_sales_admin(request.user)
        upload = request.FILES.get("file") if hasattr(request, "FILES") else None
        if upload is not None:
            rows = sales_file_read(name=upload.name or "", content=upload.read())
        else:
            data = request.data
            rows = data.get("rows") if isinstance(data, dict) else data
            if not isinstance(rows, list) or not all(isinstance(r, dict) for r in rows):
                raise InvalidInput(
                    _("Send a file (field file) or JSON rows: [{username, month, amount}]."),
                    code="bad_rows",
                    field="rows",
                )
        report = sales_import(actor=request.user, rows=rows)
        if report.ok:
            return Response(report.as_data())
        body = {
            "code": "invalid_rows",
            "detail": str(
                _("Rows not valid: %(count)s; nothing was imported.")
                % {"count": len(report.errors)}
            )
            + " (PAY-1)",
            "rule": "PAY-1",
            **report.as_data(),
            "messages": [str(error) for error in report.errors],
        }
        return Response(body, status=400)


class PayLineSerializer(serializers.Serializer):
    code = serializers.CharField()
    amount = serializers.CharField()
    rules = serializers.ListField(child=serializers.CharField())
    refs = serializers.ListField(child=serializers.CharField())
    trace = serializers.ListField(child=serializers.DictField())


class PaySheetRowSerializer(serializers.Serializer):
    employee = serializers.IntegerField()
    username = serializers.CharField()
    name = serializers.CharField()
    department = serializers.CharField()
    level = serializers.CharField()
    score = serializers.CharField()
    tier = serializers.IntegerField()
    service_month = serializers.IntegerField()
    sales = serializers.CharField()
    lines = PayLineSerializer(many=True)
    total = serializers.CharField()
    policy_version = serializers.CharField()


class PaySheetSerializer(serializers.Serializer):
    month = serializers.CharField()
    department = serializers.CharField(allow_null=True)
    policy_version = serializers.CharField()
    count = serializers.IntegerField(help_text="rows of the whole sheet")
    total = serializers.CharField(help_text="of the whole sheet")
    rows = PaySheetRowSerializer(many=True)


class PaySheetView(APIView):
    content_negotiation_class = IgnoreFormatNegotiation

    @extend_schema(
        parameters=[
            OpenApiParameter("month", str, OpenApiParameter.PATH, description="YYYY-MM"),
            OpenApiParameter("department", int, required=False, description="a department id"),
            OpenApiParameter("format", str, required=False, enum=list(FORMATS)),
            OpenApiParameter("page", int, required=False, description="JSON rows: 1, 2, ..."),
            OpenApiParameter(
                "page_size", int, required=False, description="JSON rows: 500, at most 1000"
            ),
        ],
        responses={
            (200, "application/json"): PaySheetSerializer,
            (200, "text/csv"): OpenApiTypes.BINARY,
            (200, paysheet_export.XLSX_TYPE): OpenApiTypes.BINARY,
        },
    )
    def get(self, request, month):
        """The month's pay sheet (PAY-1): JSON rows with their traces, or the CSV/XLSX file."""
        _require_reader(request.user)
        params = request.query_params
        kind = params.get("format") or "json"
        if kind not in FORMATS:
            raise InvalidInput(
                _("format %(value)s is not one of json, csv, xlsx"),
                code="bad_format",
                params={"value": kind[:20]},
                field="format",
            )
        sheet = pay_sheet(month=_month(month), department=_department_of(params))
        if kind == "json":
            page, size = page_params(params, default_size=SHEET_PAGE, max_size=SHEET_PAGE_MAX)
            count = len(sheet.rows)
            start = (page - 1) * size
            response = Response(
                {
                    "month": sheet.month.strftime("%Y-%m"),
                    "department": getattr(sheet.department, "code", None),
                    "policy_version": sheet.policy_version,
                    "count": count,
                    "total": str(sheet.total),
                    "rows": [row_data(row) for row in sheet.rows[start : start + size]],
                }
            )
            links = page_links(request, page, max(1, -(-count // size)))
            if links:
                response["Link"] = links
            return response
        if kind == "csv":
            content, media = paysheet_export.to_csv(sheet), paysheet_export.CSV_TYPE
        else:
            content, media = paysheet_export.to_xlsx(sheet), paysheet_export.XLSX_TYPE
        response = HttpResponse(content, content_type=media)
        name = paysheet_export.filename(sheet, kind)
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        return response
