"""REST resource `awards` (docs/api.md "Awards"): the excellent employee of the month
(AWARD-1, AWARD-2).

`POST /awards/ {"department": <id>, "month": "YYYY-MM"}` opens the month's award (administration,
after the month's close); actions `open-vote`, `vote {"candidate": <employee id>}`, `close-vote`,
and the review steps `review` (lead), `assess` (administration), `approve` (GM office), each with
`{"decision": "approve"|"reject", "reason"}` for every candidate still in, or
`{"decisions": [{"candidate": <employee id>, "decision", "reason"}, ...]}` one by one.
`GET /awards/published/` is the public notice (every employee).
"""

from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.response import Response

from approvals.award import selectors, services
from approvals.award.models import Award
from approvals.db import whole_transaction
from approvals.selectors import without_comments
from casework.selectors import without_casework
from workflows.award import AwardFlow
from workflows.engine import start_flow

from .casework import _body
from .serializers import CaseSerializer, _language
from .views import CaseViewSet


class AwardSerializer(CaseSerializer):
    """The common case fields (`employee` is who opened the award) plus the department, the
    month, the amount, the vote, the candidates with their reasons (AWARD-1) and, once the vote is
    closed, the tally (each candidate's `votes`)."""

    def _voter_view(self, award) -> bool:
        return selectors.is_voter_view(self.context["request"].user, award)

    def timeline_for_viewer(self, case, events):
        return without_comments(without_casework(events)) if self._voter_view(case) else events

    def to_representation(self, award: Award) -> dict:
        request = self.context["request"]
        data = self.case_common(award)
        candidates = selectors.candidates_for(request.user, award, _language(request))
        tally = None
        if not self._voter_view(award) and selectors.tally_shown(award):
            tally = [
                {"employee": c["employee"], "name": c["name"], "votes": c["votes"]}
                for c in sorted(candidates, key=lambda c: -(c["votes"] or 0))
                if c["eligible"]
            ]
        data.update(
            {
                "department": award.department.code,
                "department_name": award.department.name,
                "month": award.month.strftime("%Y-%m"),
                "amount": f"{award.amount:.2f}",
                "vote": selectors.vote_summary(request.user, award),
                "candidates": candidates,
                "tally": tally,
                "opened_at": award.submitted_at.isoformat(),
                "published_at": award.published_at.isoformat() if award.published_at else None,
                "policy_version": award.policy_version,
            }
        )
        return data


DECISION_BODY = {
    # "approve" or "reject" (a plain string: the penalties' `decision` owns that enum's name)
    "decision": serializers.CharField(required=False, help_text="approve | reject"),
    "reason": serializers.CharField(required=False),
    "decisions": serializers.ListField(
        child=inline_serializer(
            name="AwardCandidateDecision",
            fields={
                "candidate": serializers.IntegerField(),
                "decision": serializers.CharField(help_text="approve | reject"),
                "reason": serializers.CharField(required=False),
            },
        ),
        required=False,
    ),
}
BODIES = {
    "open-vote": {},
    "vote": {"candidate": serializers.IntegerField()},
    "close-vote": {},
    "review": DECISION_BODY,
    "assess": DECISION_BODY,
    "approve": DECISION_BODY,
}


def _award_action(name: str):
    fields = AwardFlow.actions[name].fields
    body = inline_serializer(
        name=f"Award{name.title().replace('-', '')}Body", fields=dict(BODIES[name])
    )

    def method(self, request, pk=None):
        return self.perform_action(request, pk, name, fields)

    method.__name__ = name.replace("-", "_")
    routed = action(detail=True, methods=["post"], url_path=name, url_name=name)(method)
    return extend_schema(request=body, responses=AwardSerializer, summary=name)(routed)


class AwardViewSet(CaseViewSet):
    """Awards of the month (AWARD-1, AWARD-2): creating one opens a department's month."""

    flow_class = AwardFlow
    serializer_class = AwardSerializer

    @extend_schema(
        request=inline_serializer(
            name="AwardCreateBody",
            fields={
                "department": serializers.IntegerField(),
                "month": serializers.RegexField(r"^\d{4}-\d{2}$"),
            },
        ),
        responses={201: AwardSerializer},
    )
    def create(self, request):
        body = _body(request)
        with whole_transaction():
            award = services.award_open(
                actor=request.user, department=body.get("department"), month=body.get("month")
            )
            start_flow(flow_class=AwardFlow, case=award)
        return Response(self.represent(award), status=201)

    @extend_schema(
        responses=inline_serializer(
            name="AwardNotice",
            fields={
                "id": serializers.IntegerField(),
                "department": serializers.CharField(),
                "month": serializers.CharField(),
                "amount": serializers.CharField(),
                "awardees": serializers.ListField(child=serializers.CharField()),
                "published_at": serializers.DateTimeField(),
            },
            many=True,
        )
    )
    @action(detail=False, methods=["get"], url_path="published", url_name="published")
    def published(self, request):
        """AWARD-2: the public notice, for every employee."""
        return Response(
            [
                {
                    "id": a.pk,
                    "department": a.department.name,
                    "month": a.month.strftime("%Y-%m"),
                    "amount": f"{a.amount:.2f}",
                    "awardees": [c.employee.name for c in a.candidates.all() if c.awarded],
                    "published_at": a.published_at.isoformat(),
                }
                for a in selectors.published()[:200]
            ]
        )


for _name in AwardFlow.actions:
    setattr(AwardViewSet, _name.replace("-", "_"), _award_action(_name))
