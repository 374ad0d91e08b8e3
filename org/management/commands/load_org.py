import json

from django.core.management.base import BaseCommand, CommandError

from org.services import OrgFileError, org_load


class Command(BaseCommand):
    help = "Load or update an organisation from a JSON file (format: org-example.json)."

    def add_arguments(self, parser):
        parser.add_argument("file")

    def handle(self, *args, file, **options):
        try:
            with open(file, encoding="utf-8") as fh:
                data = json.load(fh)
        except (OSError, json.JSONDecodeError) as exc:
            raise CommandError(f"cannot read {file}: {exc}") from exc
        try:
            report = org_load(data=data)
        except OrgFileError as exc:
            for error in exc.errors:
                self.stderr.write(error)
            raise CommandError(f"{len(exc.errors)} error(s); nothing was loaded") from exc
        self.stdout.write(
            f"departments: {report.departments_created} created, {report.departments_updated} updated; "
            f"people: {report.people_created} created, {report.people_updated} updated"
        )
        if report.created_users:
            self.stdout.write(
                "new users have no password yet; set one with: manage.py changepassword <username>"
            )
