"""`manage.py open_probations`: PROB-1 backfill — every active probationer without a probation
case gets one (end date = hire date + the policy's months) and its flow. Idempotent; the
scheduler's sweep, load_org and seed_demo run the same function."""

from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Open the probation case of every probationer who has none (PROB-1, idempotent)."

    def handle(self, *args, **options):
        from workflows.probation import probations_open_missing

        opened = probations_open_missing()
        self.stdout.write(f"probations opened 新建试用期: {opened}")
