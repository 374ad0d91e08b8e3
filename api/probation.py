"""REST resource `probations` (API.md): probation conversion (PROB-1..PROB-5).

Cases are opened at hire (PROB-1); `POST /probations/` is the probationer's early conversion
application on their own case (PROB-4), answered 201 with the case. Actions: record-exam,
assess, extend, approve, reject, confirm.
"""

from django.db import transaction
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.response import Response

from approvals.probation import selectors, services
from approvals.probation.models import Probation
from workflows.probation import ProbationFlow

from .serializers import CaseSerializer
from .views import CaseViewSet, _body, _case_action


class ProbationSerializer(CaseSerializer):
    """API.md probations: the common case fields plus the probation's dates, exam, early
    application and the lead's assessment."""

    def to_representation(self, probation: Probation) -> dict:
        request = self.context["request"]
        data = self.case_common(probation)
        data.update(
            {
                "department": probation.department.code,
                "hired_on": probation.hired_on.isoformat(),
                "ends_on": probation.ends_on.isoformat(),
                "original_ends_on": probation.original_ends_on.isoformat(),
                "extended": probation.extended,
                "exam": None,
                "early_application": None,
                "assessment": None,
                "effective_date": probation.effective_on.isoformat()
                if probation.effective_on
                else None,
                "may_apply_early": selectors.may_apply_early(request.user, probation),
                "policy_version": probation.policy_version,
            }
        )
        if probation.exam_at:
            data["exam"] = {
                "passed": probation.exam_passed,
                "score": str(probation.exam_score) if probation.exam_score is not None else None,
                "notes": probation.exam_notes,
                "recorded_at": probation.exam_at.isoformat(),
            }
        if probation.early_applied_at:
            data["early_application"] = {
                "applied_at": probation.early_applied_at.isoformat(),
                "statement": probation.early_statement,
            }
        if probation.outcome:
            data["assessment"] = {
                "outcome": probation.outcome,
                "reason": probation.outcome_reason,
                "months": probation.extend_months,
                "below_tier": probation.below_tier,
                "assessed_at": probation.assessed_at.isoformat() if probation.assessed_at else None,
            }
        return data


class ProbationViewSet(CaseViewSet):
    """Probations (API.md): creating one is the early conversion application (PROB-4)."""

    flow_class = ProbationFlow
    serializer_class = ProbationSerializer

    @extend_schema(
        request=inline_serializer(
            name="ProbationCreateBody", fields={"statement": serializers.CharField()}
        ),
        responses={201: ProbationSerializer},
    )
    def create(self, request):
        body = _body(request)
        with transaction.atomic():
            probation = services.probation_apply_early(
                actor=request.user, statement=body.get("statement")
            )
        return Response(self.represent(probation), status=201)


for _name in ProbationFlow.actions:
    setattr(
        ProbationViewSet,
        _name.replace("-", "_"),
        _case_action(ProbationFlow, _name, ProbationSerializer),
    )
