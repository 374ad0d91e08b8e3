"""The secret ballot of a department vote (PROMO-3.2), shared by the promotion vote and the award
of the month (AWARD-2).

What keeps a ballot unlinkable to its voter:
- a participation row records THAT someone voted (so nobody votes twice), never how nor when;
- the ballot itself only increments a counter (on the case, or on the candidate voted for), in
  its own UPDATE, with no audit event per ballot (its time and place in the log would name the
  voter to whoever polls the timeline);
- while the vote is open nobody reads a counter, not even the number of ballots (read after each
  ballot it would tell who has just voted); once closed, the tally exists for readers only when
  at least the policy's minimum of ballots was cast (`promotion.vote_min_ballots`, default 3).

A vote has `vote_opened_at` and `vote_closed_at` on its case.
"""

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils.translation import gettext_lazy as _

from .errors import PolicyViolation, StateConflict


def is_open(case) -> bool:
    return case.vote_opened_at is not None and case.vote_closed_at is None


def require_open(case, *, rule: str) -> None:
    if not is_open(case):
        raise StateConflict(_("The department vote is not open."), code="vote_closed", rule=rule)


def record_voter(participation_model, *, voter, message, rule: str, **case) -> None:
    """One participation row per voter and case (its unique constraint decides a race); a
    second ballot is refused with `message`. In a savepoint: the refusal leaves nothing."""
    try:
        with transaction.atomic():
            participation_model.objects.create(voter=voter, **case)
    except IntegrityError:
        raise PolicyViolation(message, code="already_voted", rule=rule) from None


def count(queryset, field: str) -> None:
    """The ballot: one counter moved, in the database (no read-modify-write race)."""
    queryset.update(**{field: F(field) + 1})


def tally_is_countable(case, ballots: int, minimum: int) -> bool:
    """The tally may be read: the vote is closed and at least `minimum` ballots were cast."""
    return (
        case.vote_opened_at is not None and case.vote_closed_at is not None and ballots >= minimum
    )
