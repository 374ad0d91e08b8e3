import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from policy.lint import ERROR, lint
from policy.models import PolicyVersion
from policy.pack import PACKS_DIR
from policy.services import policy_in_force


class Command(BaseCommand):
    help = "Check a policy pack for gaps, overlaps, inconsistencies and outliers (default: the version in force)."

    def add_arguments(self, parser):
        parser.add_argument("--pack", help=f"a pack file, or the name of one in {PACKS_DIR}")
        parser.add_argument("--code", help="a stored policy version")

    def handle(self, *args, pack=None, code=None, **options):
        if pack:
            path = Path(pack)
            if not path.exists():
                path = PACKS_DIR / (pack if pack.endswith(".json") else f"{pack}.json")
            data, label = json.loads(path.read_text(encoding="utf-8")), str(path)
        elif code:
            version = PolicyVersion.objects.filter(code=code).first()
            if version is None:
                raise CommandError(f"no policy version {code!r}")
            data, label = version.data, code
        else:
            policy = policy_in_force()
            data, label = policy.data, policy.version
        findings = lint(data)
        for finding in findings:
            self.stdout.write(str(finding))
        errors = sum(1 for f in findings if f.severity == ERROR)
        self.stdout.write(f"{label}: {len(findings)} finding(s), {errors} error(s)")
        if errors:
            raise CommandError(f"{errors} error(s) in {label}")
