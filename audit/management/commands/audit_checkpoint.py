from django.core.management.base import BaseCommand

import audit


class Command(BaseCommand):
    help = "Append a signed checkpoint over every audit chain to AUDIT_CHECKPOINT_FILE."

    def handle(self, *args, **options):
        point = audit.checkpoint()
        self.stdout.write(
            f"checkpoint {point.n}: {point.events} events in {point.cases} cases "
            f"up to id {point.max_id}"
        )
