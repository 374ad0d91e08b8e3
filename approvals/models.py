"""Domain models of every process; one module per process under approvals/<process>/."""

from .access import CaseAccess
from .attendance.models import (
    Finding,
    Punch,
    PunchCorrection,
    PunchImport,
    RosterImport,
    Shift,
    ShiftSwap,
)
from .award.models import Award, AwardCandidate, AwardVoter
from .deadlines import Deadline
from .events import OutboxEvent
from .leave.models import Leave, LeaveBalance
from .penalty.models import Objection, Penalty, PenaltyDraft, Witness
from .probation.models import Probation
from .promotion.models import DefenceScore, Promotion, VoteParticipation

__all__ = [
    "Award",
    "AwardCandidate",
    "AwardVoter",
    "CaseAccess",
    "Deadline",
    "Leave",
    "LeaveBalance",
    "DefenceScore",
    "Objection",
    "OutboxEvent",
    "Penalty",
    "Probation",
    "Promotion",
    "VoteParticipation",
    "Witness",
    "PunchCorrection",
    "ShiftSwap",
    "RosterImport",
    "Shift",
    "PunchImport",
    "Punch",
    "Finding",
    "PenaltyDraft",
]
