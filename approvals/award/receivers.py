"""AWARD-2: the published award is told to every active employee of the company (mail and
in-app notice), by the sweep dispatching the case's "approve" event after the GM's commit — not
in the GM's transaction, whose statements stay the same for 20 and for 2,000 employees."""

from django.dispatch import receiver

from approvals.events import listen_to
from approvals.signals import case_changed

listen_to("approve")


@receiver(case_changed)
def on_award_published(sender, case_type, case_id, action, to_state, **kwargs):
    if case_type != "award" or to_state != "published":
        return
    from .models import Award
    from .services import announce

    award = Award.objects.select_related("department").get(pk=case_id)
    announce(award)
