"""AWARD-2: what the award tells whom, by the sweep dispatching the case's outbox events after
the action's commit — not in the action's transaction, whose statements stay the same for 20 and
for 2,000 employees (the action writes one outbox event row; approvals.events).

- "open-vote": every member of the department who may vote is told the vote is open;
- "approve" (published): every active employee of the company is told the awardees."""

from django.dispatch import receiver

from approvals.events import listen_to
from approvals.signals import case_changed

listen_to("approve", "open-vote", case_type="award")


@receiver(case_changed)
def on_award_vote_opened(sender, case_type, case_id, action, **kwargs):
    if case_type != "award" or action != "open-vote":
        return
    from .models import Award
    from .services import call_to_vote

    award = Award.objects.select_related("department").get(pk=case_id)
    call_to_vote(award)


@receiver(case_changed)
def on_award_published(sender, case_type, case_id, action, to_state, **kwargs):
    if case_type != "award" or to_state != "published":
        return
    from .models import Award
    from .services import announce

    award = Award.objects.select_related("department").get(pk=case_id)
    announce(award)
