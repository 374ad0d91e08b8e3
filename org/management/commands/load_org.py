"""`manage.py load_org FILE.json`: load or update the organisation (format: org-example.json).
All or nothing; every bad row is named. The logic is org.services.org_load."""

import json

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from org.services import OrgFileError, org_load


class Command(BaseCommand):
    help = "Load or update an organisation from a JSON file (format: org-example.json)."

    def add_arguments(self, parser):
        parser.add_argument("file", help="the organisation file (JSON)")

    def handle(self, *args, file, **options):
        try:
            # utf-8-sig: a file saved by Windows Notepad or Excel starts with a BOM.
            with open(file, encoding="utf-8-sig") as fh:
                data = json.load(fh)
        except (OSError, UnicodeDecodeError, json.JSONDecodeError, RecursionError) as exc:
            raise CommandError(
                _("Cannot read %(file)s: %(error)s") % {"file": file, "error": exc}
            ) from exc
        try:
            report = org_load(data=data)
        except OrgFileError as exc:
            for error in exc.errors:
                self.stderr.write(error)
            raise CommandError(exc.detail) from exc
        # PROB-1: new probationers get their probation case (the domain and its flow sit above
        # org, so the entry point calls them; idempotent).
        from workflows.probation import probations_open_missing

        opened = probations_open_missing()
        # Issue 11, finding 10: a deciding role held by one person (their own requests go to
        # the fallback role).
        from policy.lint import lint_org
        from policy.services import policy_in_force

        for finding in lint_org(policy_in_force()):
            self.stdout.write(str(finding))
        r = report
        self.stdout.write(
            f"departments 部门: {r.departments_created} created 新建, "
            f"{r.departments_updated} updated 更新, {r.departments_unchanged} unchanged 未变; "
            f"people 人员: {r.people_created} created 新建, {r.people_updated} updated 更新, "
            f"{r.people_unchanged} unchanged 未变; level changes 职级变更: {r.level_changes}; "
            f"probations opened 新建试用期: {opened}"
        )
        if report.created_users:
            self.stdout.write(
                _("New users have no password yet; set one with: manage.py changepassword USERNAME")
                + "\n  "
                + ", ".join(report.created_users)
            )
