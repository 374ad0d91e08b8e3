"""Leaves (API.md `leaves`): create = ask for leave; actions approve, reject, cancel."""

from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.response import Response

from approvals.db import whole_transaction
from approvals.leave.models import LeaveKind
from approvals.leave.services import leave_submit
from workflows.engine import start_flow
from workflows.leave import LeaveFlow

from .serializers import CaseSerializer
from .views import CaseViewSet, _body, _case_action


class LeaveSerializer(CaseSerializer):
    """API.md leaves: adds kind, start, end, reason, emergency, days (charged to the annual
    balance for annual leave), delegate (LEAVE-6) and the decision."""

    def to_representation(self, leave) -> dict:
        data = self.case_common(leave)
        data.update(
            {
                "department": leave.department.code,
                "kind": leave.kind,
                "kind_display": leave.get_kind_display(),
                "start": leave.start.isoformat(),
                "end": leave.end.isoformat(),
                "reason": leave.reason,
                "emergency": leave.emergency,
                "days": str(leave.days),
                "delegate": leave.delegate_id,
                "submitted_at": leave.submitted_at.isoformat(),
                "submitted_by": leave.submitted_by_id,
                "escalated": leave.escalated_at is not None,
                "decided_at": leave.decided_at.isoformat() if leave.decided_at else None,
                "decided_by": leave.decided_by_id,
                "decision_reason": leave.decision_reason,
                "policy_version": leave.policy_version,
            }
        )
        return data


class LeaveViewSet(CaseViewSet):
    """Leave requests (LEAVE-1..6). An employee asks for their own leave; a lead may record an
    emergency request for an employee of their department (`employee`, LEAVE-2)."""

    flow_class = LeaveFlow
    serializer_class = LeaveSerializer

    @extend_schema(
        request=inline_serializer(
            name="LeaveCreateBody",
            fields={
                "kind": serializers.ChoiceField(choices=LeaveKind.values),
                "start": serializers.DateTimeField(),
                "end": serializers.DateTimeField(),
                "reason": serializers.CharField(),
                "emergency": serializers.BooleanField(required=False, default=False),
                "employee": serializers.IntegerField(required=False, allow_null=True),
                "delegate": serializers.IntegerField(required=False, allow_null=True),
            },
        ),
        responses={201: LeaveSerializer},
    )
    def create(self, request):
        body = _body(request)
        with whole_transaction():
            leave = leave_submit(
                actor=request.user,
                kind=body.get("kind"),
                start=body.get("start"),
                end=body.get("end"),
                reason=body.get("reason"),
                emergency=body.get("emergency", False),
                employee=body.get("employee"),
                delegate=body.get("delegate"),
            )
            start_flow(flow_class=LeaveFlow, case=leave)
        return Response(self.represent(leave), status=201)


for _name in LeaveFlow.actions:
    setattr(LeaveViewSet, _name.replace("-", "_"), _case_action(LeaveFlow, _name, LeaveSerializer))
