"""Representations (API.md). Output only: input bodies go straight to the services, which
validate them and name the rule in their errors, so the API and the pages refuse alike."""

from django.utils import translation
from rest_framework import serializers

from api.casework import casework_fields
from approvals.promotion import selectors as promotion_selectors
from approvals.promotion.models import Promotion
from approvals.promotion.services import defence_summary
from approvals.selectors import without_comments
from casework.selectors import without_casework
from org.models import Employee


def _language(request) -> str:
    return "en" if (translation.get_language() or "").startswith("en") else "zh-hans"


class CaseSerializer(serializers.Serializer):
    """Fields every case carries: id, state, employee, available_actions, deadlines, timeline."""

    def case_common(self, case) -> dict:
        request = self.context["request"]
        timelines = self.context.get("timelines")
        from approvals.selectors import timeline

        events = timelines.get(case.pk, []) if timelines is not None else timeline(case)
        events = self.timeline_for_viewer(case, events)
        deadlines = self.context.get("deadlines", {}).get(case.pk, [])
        return {
            "id": case.pk,
            "state": case.state,
            "state_display": case.get_state_display(),
            "employee": case.employee_id,
            "employee_name": case.employee.name,
            "available_actions": self.context["flow_class"].instance.available_actions(
                request.user, case
            ),
            "deadlines": [
                {
                    "name": d["name"],
                    "due_at": d["due_at"].isoformat(),
                    "met_at": d["met_at"].isoformat() if d["met_at"] else None,
                    "provisional": d["provisional"],
                }
                for d in deadlines
            ],
            "timeline": [
                {
                    "at": e["at"].isoformat(),
                    "actor": e["actor"],
                    "on_behalf_of": e["on_behalf_of"],  # LEAVE-6: X decided for Y
                    "action": e["action"],
                    "from_state": e["from_state"],
                    "to_state": e["to_state"],
                    "comment": e["comment"],
                }
                for e in events
            ],
            # CASE-1..6: comments, attachments, consultations, cc and casework_actions.
            **casework_fields(self.context, case),
        }

    def timeline_for_viewer(self, case, events: list[dict]) -> list[dict]:
        """A process may show some readers less of the history (a voter, a witness)."""
        return events


class PromotionSerializer(CaseSerializer):
    def _voter_view(self, promotion) -> bool:
        return promotion_selectors.is_voter_view(self.context["request"].user, promotion)

    def timeline_for_viewer(self, case, events):
        # A voter sees that steps happened, not what was written at them (PROMO-3.2).
        return without_comments(without_casework(events)) if self._voter_view(case) else events

    def to_representation(self, promotion: Promotion) -> dict:
        request = self.context["request"]
        data = self.case_common(promotion)
        snapshot = promotion.eligibility or {}
        voter_view = self._voter_view(promotion)
        data.update(
            {
                "department": promotion.department.code,
                "from_level": promotion.from_level,
                "target_level": promotion.target_level,
                "statement": promotion.statement,
                "skip_level": promotion.skip_level,
                "skip_level_reason": promotion.skip_level_reason or None,
                "eligibility": {
                    "eligible": snapshot.get("eligible", promotion.eligible),
                    "rule": snapshot.get("rule"),
                    "months": snapshot.get("months", []),
                    "reasons": snapshot.get("reasons", {}).get(_language(request), []),
                },
                "vote": None,
                "defence": None,
                "submitted_at": promotion.submitted_at.isoformat(),
                "effective_date": promotion.effective_on.isoformat()
                if promotion.effective_on
                else None,
                "policy_version": promotion.policy_version,
            }
        )
        data["vote"] = promotion_selectors.vote_summary(request.user, promotion)
        if voter_view:
            # A department voter reads what the ballot needs, not the applicant's monthly
            # scores, tiers, grades or eligibility reasons (PROMO-3.2, SCORE-*).
            data["eligibility"] = None
            data["skip_level_reason"] = None
        if promotion.defence_at:
            summary = defence_summary(promotion)
            data["defence"] = {
                "at": promotion.defence_at.isoformat(),
                "panel_size": summary["panel"],
                "scores_count": summary["scores_count"],
                "mean": str(summary["mean"]) if summary["mean"] is not None else None,
                "passed": summary["passed"],
            }
        return data


class EmployeeSerializer(serializers.ModelSerializer):
    username = serializers.CharField(source="user.username")
    department = serializers.CharField(source="department.code")
    roles = serializers.SerializerMethodField()

    class Meta:
        model = Employee
        fields = ["id", "username", "name", "department", "level", "roles", "hired_on"]

    def get_roles(self, employee) -> list[str]:
        return sorted(g.name for g in employee.user.groups.all())


class PenaltySerializer(CaseSerializer):
    """API.md penalties: adds sanction, served_at, signed, witnesses (count), objection, final."""

    def _witness_view(self, penalty) -> bool:
        from approvals.penalty.selectors import is_witness_view

        return is_witness_view(self.context["request"].user, penalty)

    def timeline_for_viewer(self, case, events):
        from approvals.penalty.selectors import witness_timeline

        return witness_timeline(without_casework(events)) if self._witness_view(case) else events

    def to_representation(self, penalty) -> dict:
        data = self.case_common(penalty)
        witnesses = list(penalty.witnesses.all())
        objection = getattr(penalty, "objection", None)
        if objection is not None and self._witness_view(penalty):
            objection = None  # PEN-3: a witness signs the slip; the objection is not theirs
        data.update(
            {
                "department": penalty.department.code,
                "issuer": penalty.issuer_id,
                "facts": penalty.facts,
                "rule": penalty.rule,
                "evidence": penalty.evidence,
                "sanction": penalty.sanction,
                "drafted_sanction": penalty.drafted_sanction,
                "served_at": penalty.served_at.isoformat(),
                "objection_due": penalty.objection_due.isoformat(),
                "receipt": penalty.receipt,
                "signed": penalty.signed_at is not None,
                "witnesses": sum(1 for w in witnesses if w.signed_at),
                "witnesses_named": len(witnesses),
                "objection": None,
                "approval": None,
                "final": penalty.state == "final",
                "fine": str(penalty.fine) if penalty.fine is not None else None,
                "points": str(penalty.points) if penalty.points is not None else None,
                "derived": penalty.derived,
                "policy_version": penalty.policy_version,
            }
        )
        if objection is not None:
            data["objection"] = {
                "filed_at": objection.filed_at.isoformat(),
                "reason": objection.reason,
                "response_due": objection.response_due.isoformat(),
                "escalated": objection.escalated_at is not None,
                "decision": objection.decision or None,
                "reduced_to": objection.reduced_to or None,
                "response": objection.response or None,
                "responded_at": objection.responded_at.isoformat()
                if objection.responded_at
                else None,
            }
        if penalty.approval_reason:
            data["approval"] = {
                "reason": penalty.approval_reason,
                "fallback_sanction": penalty.fallback_sanction or None,
                "approved": penalty.approved,
            }
        return data
