"""Leave pages (LEAVE-1..6): asking for leave, the case page, the home page's leave block."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from approvals import permissions as perms
from approvals.leave.models import LeaveKind, LeaveState
from approvals.leave.selectors import leaves_visible_to
from approvals.leave.services import balance_for, leave_submit, remaining
from org.models import Employee

from .views import _case_page, new_case_page


def home_context(user, employee) -> dict:
    """The home page's leave block: own requests, this year's annual leave, and for a lead the
    department's requests waiting for a decision."""
    year = timezone.localdate().year
    balance = balance_for(employee, year, create=False)
    visible = leaves_visible_to(user)
    return {
        "my_leaves": visible.filter(employee=employee)[:20],
        "leave_balance": {
            "year": year,
            "entitled": balance.entitled,
            "taken": balance.taken,
            "pending": balance.pending,
            "remaining": remaining(balance),
        },
        "department_leaves": visible.filter(
            department__lead=employee, state=LeaveState.PENDING
        ).exclude(employee=employee)[:50],
    }


def _delegates(me):
    """People one may name to stand in while away (LEAVE-6): active colleagues, self excluded."""
    return (
        Employee.objects.filter(user__is_active=True)
        .exclude(pk=me.pk)
        .select_related("department")
        .order_by("department__name", "name")
    )


def _leads_a_department(me) -> bool:
    from org.models import Department

    return Department.objects.filter(lead=me).exists()


def _people_for_emergency(me):
    """A lead may record an emergency request for the members of their department (LEAVE-2)."""
    return Employee.objects.filter(department__lead=me, user__is_active=True).exclude(pk=me.pk)


@login_required
def leave_new(request):
    """LEAVE-1/2/6: ask for leave (a lead may record an emergency for a department member)."""
    from .leave import LeaveFlow

    me = perms.employee_of(request.user)
    if me is None:
        messages.error(request, _("This account is not linked to an employee."))
        return HttpResponseRedirect(reverse("home"))
    post = request.POST
    return new_case_page(
        request,
        template="workflows/leave_new.html",
        context={
            "kinds": LeaveKind.choices,
            # LEAVE-6: only a department lead has review steps a stand-in could take over.
            "delegates": _delegates(me) if _leads_a_department(me) else None,
            "people": _people_for_emergency(me),
        },
        create=lambda: leave_submit(
            actor=request.user,
            kind=post.get("kind"),
            start=post.get("start"),
            end=post.get("end"),
            reason=post.get("reason"),
            emergency=post.get("emergency") == "on",
            employee=post.get("employee") or None,
            delegate=post.get("delegate") or None,
        ),
        flow_class=LeaveFlow,
        detail="leave_detail",
        done=_("Your leave request has been sent for approval."),
    )


@login_required
def leave_detail(request, pk):
    from .leave import LeaveFlow

    return _case_page(request, LeaveFlow, pk)
