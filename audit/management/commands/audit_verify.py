from django.core.management.base import BaseCommand, CommandError

import audit


class Command(BaseCommand):
    help = "Verify the audit log's hash chain."

    def handle(self, *args, **options):
        result = audit.verify()
        if not result.ok:
            raise CommandError(
                f"audit chain broken at event {result.broken_at} ({result.checked} verified before it)"
            )
        self.stdout.write(f"ok: {result.checked} events verified")
