"""Domain models of every process; one module per process under approvals/<process>/."""

from .deadlines import Deadline
from .promotion.models import DefenceScore, Promotion, VoteParticipation

__all__ = ["Deadline", "DefenceScore", "Promotion", "VoteParticipation"]
