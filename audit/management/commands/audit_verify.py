from django.core.management.base import BaseCommand, CommandError

import audit


class Command(BaseCommand):
    help = "Verify the audit log: every case chain, and the checkpoints of AUDIT_CHECKPOINT_FILE."

    def add_arguments(self, parser):
        parser.add_argument(
            "--last-checkpoints",
            type=int,
            default=None,
            metavar="N",
            help="compare only the file's last N checkpoints with the events (the file's "
            "signatures and links are checked whole)",
        )

    def handle(self, *args, **options):
        result = audit.verify(last_checkpoints=options["last_checkpoints"])
        summary = (
            f"{result.checked} events in {result.cases} cases, "
            f"{result.checkpoints} checkpoints compared"
        )
        if not result.ok:
            for problem in result.problems:
                self.stderr.write(f"{problem.kind}: {problem.message}")
            raise CommandError(f"audit log broken: {len(result.problems)} problems ({summary})")
        self.stdout.write(f"ok: {summary}")
