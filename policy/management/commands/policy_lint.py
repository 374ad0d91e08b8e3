import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from policy.lint import ERROR, check_pack, lint_org
from policy.models import PolicyVersion
from policy.pack import PACKS_DIR, Policy
from policy.services import policy_in_force


class Command(BaseCommand):
    help = (
        "Check a policy pack against its JSON Schema, then for gaps, overlaps, inconsistencies and "
        "outliers (default: the version in force); with --org, also the organisation's deciding "
        "roles held by one person."
    )

    def add_arguments(self, parser):
        parser.add_argument("--pack", help=f"a pack file, or the name of one in {PACKS_DIR}")
        parser.add_argument("--code", help="a stored policy version")
        parser.add_argument(
            "--org",
            action="store_true",
            help="also check the organisation (default: only for the version in force)",
        )

    def handle(self, *args, pack=None, code=None, org=False, **options):
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
            org = True
        findings = check_pack(data)
        if org and not any(f.severity == ERROR for f in findings):
            findings += lint_org(Policy(data))
        for finding in findings:
            self.stdout.write(str(finding))
        errors = sum(1 for f in findings if f.severity == ERROR)
        self.stdout.write(f"{label}: {len(findings)} finding(s), {errors} error(s)")
        if errors:
            raise CommandError(f"{errors} error(s) in {label}")
