"""Domain models of every process; one module per process under approvals/<process>/."""

from .deadlines import Deadline
from .penalty.models import Objection, Penalty, Witness
from .promotion.models import DefenceScore, Promotion, VoteParticipation

__all__ = [
    "Deadline",
    "DefenceScore",
    "Objection",
    "Penalty",
    "Promotion",
    "VoteParticipation",
    "Witness",
]
