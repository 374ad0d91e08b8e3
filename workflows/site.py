"""The viewflow site: the shared inbox/queue/archive across flows, and each flow's pages."""

from django.utils.translation import gettext_lazy as _
from viewflow.urls import Site
from viewflow.workflow.flow import FlowViewset, WorkflowAppViewset

from approvals import permissions as perms

from .attendance import PunchCorrectionFlow, ShiftSwapFlow
from .leave import LeaveFlow
from .penalty import PenaltyFlow
from .probation import ProbationFlow
from .promotion import PromotionFlow


class CaseFlowViewset(FlowViewset):
    """A flow's dashboard lists every process, so only the oversight roles get it; everyone
    reaches their own tasks through the shared inbox and case pages check visibility."""

    def has_view_permission(self, user, obj=None):
        if obj is not None:
            return self._flow_class.instance.has_view_permission(user, obj)
        return perms.has_oversight(user)


FLOWS = [PromotionFlow, PenaltyFlow, ProbationFlow, LeaveFlow, ShiftSwapFlow, PunchCorrectionFlow]

site = Site(
    title=_("HR approvals"),
    viewsets=[
        WorkflowAppViewset(
            title=_("Approvals"),
            flow_viewsets=[
                CaseFlowViewset(PromotionFlow, icon="trending_up"),
                CaseFlowViewset(PenaltyFlow, icon="gavel"),
                CaseFlowViewset(LeaveFlow, icon="event_busy"),
                CaseFlowViewset(ShiftSwapFlow, icon="swap_horiz"),
                CaseFlowViewset(PunchCorrectionFlow, icon="fingerprint"),
                CaseFlowViewset(ProbationFlow, icon="school"),
            ],
        ),
    ],
)
