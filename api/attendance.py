"""REST resources `shift-swaps` (SWAP-1) and `punch-corrections` (PUNCH-1), API.md.

Create bodies:
- shift-swaps: `{"colleague": <employee id>, "shift_start", "shift_end", "colleague_shift_start",
  "colleague_shift_end" (ISO 8601; without an offset, company local time), "reason" (optional)}`.
- punch-corrections: `{"missed_at": "<ISO 8601>", "reason"}`.
Action bodies: consent `{"comment"}`, refuse `{"reason"}` (optional), approve `{"comment"}`,
reject `{"reason"}` (required), cancel `{"reason"}` (optional).
"""

from django.utils import timezone
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers

from approvals.attendance.punch import punch_request
from approvals.attendance.swap import swap_request
from approvals.db import whole_transaction
from workflows.attendance import PunchCorrectionFlow, ShiftSwapFlow
from workflows.engine import start_flow

from .serializers import CaseSerializer
from .views import CaseViewSet, _body, _case_action


def _iso(value):
    """Shift and punch times are wall-clock times of the company: ISO 8601 in local time."""
    return timezone.localtime(value).isoformat() if value else None


class ShiftSwapSerializer(CaseSerializer):
    def to_representation(self, case) -> dict:
        data = self.case_common(case)
        data.update(
            {
                "department": case.department.code,
                "colleague": case.colleague_id,
                "colleague_name": case.colleague.name,
                "shift_start": _iso(case.shift_start),
                "shift_end": _iso(case.shift_end),
                "colleague_shift_start": _iso(case.colleague_shift_start),
                "colleague_shift_end": _iso(case.colleague_shift_end),
                "reason": case.reason,
                "submitted_at": _iso(case.submitted_at),
                "consented_at": _iso(case.consented_at),
                "decided_at": _iso(case.decided_at),
                "decision_reason": case.decision_reason or None,
            }
        )
        return data


class PunchCorrectionSerializer(CaseSerializer):
    def to_representation(self, case) -> dict:
        data = self.case_common(case)
        data.update(
            {
                "department": case.department.code,
                "missed_at": _iso(case.missed_at),
                "reason": case.reason,
                "submitted_at": _iso(case.submitted_at),
                "decided_at": _iso(case.decided_at),
                "decision_reason": case.decision_reason or None,
            }
        )
        return data


class ShiftSwapViewSet(CaseViewSet):
    """Shift swaps (SWAP-1): the requester creates; the colleague consents; the lead approves."""

    flow_class = ShiftSwapFlow
    serializer_class = ShiftSwapSerializer

    @extend_schema(
        request=inline_serializer(
            name="ShiftSwapCreateBody",
            fields={
                "colleague": serializers.IntegerField(),
                "shift_start": serializers.DateTimeField(),
                "shift_end": serializers.DateTimeField(),
                "colleague_shift_start": serializers.DateTimeField(),
                "colleague_shift_end": serializers.DateTimeField(),
                "reason": serializers.CharField(required=False),
            },
        ),
        responses={201: ShiftSwapSerializer},
    )
    def create(self, request):
        body = _body(request)
        with whole_transaction():
            case = swap_request(
                actor=request.user,
                colleague=body.get("colleague"),
                shift_start=body.get("shift_start"),
                shift_end=body.get("shift_end"),
                colleague_shift_start=body.get("colleague_shift_start"),
                colleague_shift_end=body.get("colleague_shift_end"),
                reason=body.get("reason"),
            )
            start_flow(flow_class=ShiftSwapFlow, case=case)
        return _created(self, case)


class PunchCorrectionViewSet(CaseViewSet):
    """Missed-punch make-ups (PUNCH-1): the employee creates; the lead approves or rejects."""

    flow_class = PunchCorrectionFlow
    serializer_class = PunchCorrectionSerializer

    @extend_schema(
        request=inline_serializer(
            name="PunchCorrectionCreateBody",
            fields={"missed_at": serializers.DateTimeField(), "reason": serializers.CharField()},
        ),
        responses={201: PunchCorrectionSerializer},
    )
    def create(self, request):
        body = _body(request)
        with whole_transaction():
            case = punch_request(
                actor=request.user, missed_at=body.get("missed_at"), reason=body.get("reason")
            )
            start_flow(flow_class=PunchCorrectionFlow, case=case)
        return _created(self, case)


def _created(viewset, case):
    from rest_framework.response import Response

    case = viewset.get_queryset().get(pk=case.pk)
    return Response(viewset.represent(case), status=201)


for _name in ShiftSwapFlow.actions:
    setattr(
        ShiftSwapViewSet,
        _name.replace("-", "_"),
        _case_action(ShiftSwapFlow, _name, ShiftSwapSerializer),
    )
for _name in PunchCorrectionFlow.actions:
    setattr(
        PunchCorrectionViewSet,
        _name.replace("-", "_"),
        _case_action(PunchCorrectionFlow, _name, PunchCorrectionSerializer),
    )
