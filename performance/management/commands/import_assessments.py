from django.core.management.base import BaseCommand, CommandError

from performance.services import assessments_import


class Command(BaseCommand):
    help = "Import monthly scores from .csv or .xlsx (columns username,month,score; month YYYY-MM). All or nothing."

    def add_arguments(self, parser):
        parser.add_argument("file")

    def handle(self, *args, file, **options):
        report = assessments_import(path=file)
        if report.errors:
            for error in report.errors:
                self.stderr.write(error)
            raise CommandError(f"{len(report.errors)} bad row(s); nothing was imported")
        self.stdout.write(f"{report.imported} assessment(s) imported")
