"""Domain models of every process; one module per process under approvals/<process>/."""

from .promotion.models import DefenceScore, Promotion, VoteParticipation

__all__ = ["DefenceScore", "Promotion", "VoteParticipation"]
