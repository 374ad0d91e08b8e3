"""REST resource `alerts` (SCORE-7, SCORE-11): the alerts a month's close raised.

`GET alerts/?month=YYYY-MM[&department=<id>]` (month default: the previous month): administration
and the GM office read every department's, a department lead their own departments', anyone
else an empty list (API.md: a list returns only what the caller may see). Withdrawn alerts stay
listed with `withdrawn_at` set. Paged like every list (`?page=`, `?page_size=`, `Link`)."""

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from performance.alert_selectors import alerts_visible_to, parse_month
from performance.alerts import alert_label

from .lists import _department, page_of


class AlertEvidenceSerializer(serializers.Serializer):
    month = serializers.CharField(help_text="YYYY-MM")
    score = serializers.CharField(help_text="the closed score, a decimal string")
    tier = serializers.IntegerField()
    last_in_department = serializers.BooleanField()


class AlertSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    employee = serializers.IntegerField(source="employee_id")
    department = serializers.IntegerField(source="department_id", allow_null=True)
    month = serializers.SerializerMethodField()
    code = serializers.CharField(help_text="below, last_in_department or failed_streak")
    label = serializers.SerializerMethodField()
    rules = serializers.ListField(child=serializers.CharField())
    evidence = AlertEvidenceSerializer(many=True)
    raised_at = serializers.DateTimeField()
    withdrawn_at = serializers.DateTimeField(allow_null=True)

    def get_month(self, alert) -> str:
        return alert.month.strftime("%Y-%m")

    def get_label(self, alert) -> str:
        return str(alert_label(alert.code))


class AlertListView(APIView):
    """The month's alerts the caller may read, by department and employee."""

    @extend_schema(
        operation_id="alerts_list",
        parameters=[
            OpenApiParameter("month", str, required=False, description="YYYY-MM (default: last)"),
            OpenApiParameter("department", int, required=False, description="a department id"),
            OpenApiParameter("page", int, required=False, description="1 (default), 2, ..."),
            OpenApiParameter("page_size", int, required=False, description="200 by default"),
        ],
        responses=AlertSerializer(many=True),
    )
    def get(self, request):
        month = parse_month(request.query_params.get("month"))
        department = _department(request.query_params)
        qs = alerts_visible_to(request.user, month=month, department=department)
        alerts, links = page_of(request, qs)
        response = Response(AlertSerializer(alerts, many=True).data)
        if links:
            response["Link"] = links
        return response
