"""The engine's flows, one per process. Lists, the inbox, mail links and the API iterate over
`FLOWS`; nothing mounts viewflow's own Material site (the product's pages are in views.py and
inbox_views.py, and ending a case early is always a domain action)."""

from .attendance import PunchCorrectionFlow, ShiftSwapFlow
from .award import AwardFlow
from .leave import LeaveFlow
from .penalty import PenaltyFlow
from .probation import ProbationFlow
from .promotion import PromotionFlow

FLOWS = [
    PromotionFlow,
    PenaltyFlow,
    ProbationFlow,
    LeaveFlow,
    ShiftSwapFlow,
    PunchCorrectionFlow,
    AwardFlow,
]
