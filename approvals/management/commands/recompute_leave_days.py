"""`manage.py recompute_leave_days [--employee USERNAME]`: count again the days of annual leave
that charges a balance, by the roster where there is one (ATT-4) and the statutory working days
elsewhere, move the differences in the balances (LEAVE-4) and print what changed (employee,
leave, before, after). Running it again changes nothing. The logic is approvals.leave.days."""

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django.utils.translation import gettext as _

from approvals.leave.days import leave_days_recompute
from org.models import Employee


class Command(BaseCommand):
    help = (
        "Recompute annual-leave days by the roster (ATT-4) and the balances they charge "
        "(LEAVE-4); prints employee, leave, before, after. Idempotent."
    )

    def add_arguments(self, parser):
        parser.add_argument("--employee", help="only this username")

    def handle(self, *args, employee=None, **options):
        ids = None
        if employee:
            ids = list(
                Employee.objects.filter(user__username=employee).values_list("pk", flat=True)
            )
            if not ids:
                raise CommandError(_("unknown user %(value)s") % {"value": repr(employee)})
        changes = leave_days_recompute(employees=ids)
        if not changes:
            self.stdout.write(_("No annual leave changed (ATT-4)."))
            return
        self.stdout.write("employee\tleave\tstart\tstate\tbefore\tafter\tyear\tleft")
        for c in changes:
            self.stdout.write(
                f"{c.username}\t#{c.leave}\t{timezone.localtime(c.start):%Y-%m-%d %H:%M}\t"
                f"{c.state}\t{c.before}\t{c.after}\t{c.balance_year}\t{c.balance_left}"
            )
        self.stdout.write(_("%(count)s leave(s) changed (ATT-4).") % {"count": len(changes)})
