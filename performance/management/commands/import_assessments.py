"""`manage.py import_assessments FILE`: monthly scores from .csv or .xlsx (columns
username,month,score; month YYYY-MM or a date cell). All or nothing: any bad row is reported,
nothing is imported, and the command exits non-zero. The logic is performance.services."""

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from approvals.errors import DomainError
from performance.services import assessment_file_read, assessments_import


class Command(BaseCommand):
    help = (
        "Import monthly scores from .csv or .xlsx (columns username,month,score; month YYYY-MM). "
        "All or nothing; re-importing a month replaces its score."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="a .csv or .xlsx file with a header row")

    def handle(self, *args, file, **options):
        try:
            rows = assessment_file_read(path=file)
        except DomainError as exc:
            raise CommandError(exc.detail) from exc
        report = assessments_import(rows=rows)
        if report.errors:
            for error in report.errors:
                self.stderr.write(error)
            raise CommandError(
                _("%(count)s bad rows; nothing was imported.") % {"count": len(report.errors)}
            )
        r = report
        self.stdout.write(
            f"imported 导入: {r.imported} (created 新建 {r.created}, "
            f"replaced 替换 {r.replaced}, unchanged 未变 {r.unchanged})"
        )
