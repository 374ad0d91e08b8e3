"""Pages of the attendance requests (SWAP-1, PUNCH-1): the employee's "new request" forms, the
case pages, and what the home page lists. Thin: the same services and engine as the API; a
refusal is shown on the form in the user's language with what was typed kept."""

from django.contrib.auth.decorators import login_required
from django.utils.translation import gettext_lazy as _

from approvals import permissions as perms

from .views import _case_page, new_case_page


def _colleagues(employee):
    """SWAP-1: the active people of the requester's department."""
    from org.models import Employee

    if employee is None:
        return Employee.objects.none()
    return (
        Employee.objects.filter(department=employee.department_id, user__is_active=True)
        .exclude(pk=employee.pk)
        .order_by("name")
    )


@login_required
def shift_swap_new(request):
    """SWAP-1: the employee names the colleague and the two shifts."""
    from approvals.attendance.swap import swap_request

    from .attendance import ShiftSwapFlow

    employee = perms.employee_of(request.user)
    post = request.POST
    return new_case_page(
        request,
        template="workflows/shiftswap_new.html",
        context={"colleagues": _colleagues(employee)},
        create=lambda: swap_request(
            actor=request.user,
            colleague=post.get("colleague"),
            shift_start=post.get("shift_start"),
            shift_end=post.get("shift_end"),
            colleague_shift_start=post.get("colleague_shift_start"),
            colleague_shift_end=post.get("colleague_shift_end"),
            reason=post.get("reason"),
        ),
        flow_class=ShiftSwapFlow,
        detail="shift_swap_detail",
        done=_("Your shift swap has been sent to your colleague."),
    )


@login_required
def punch_correction_new(request):
    """PUNCH-1: the employee asks to make up a missed punch."""
    from approvals.attendance.punch import punch_request
    from policy.services import policy_in_force

    from .attendance import PunchCorrectionFlow

    policy = policy_in_force()
    return new_case_page(
        request,
        template="workflows/punchcorrection_new.html",
        context={
            "window_days": policy.punch_window_days,
            "max_per_month": policy.punch_max_per_month,
        },
        create=lambda: punch_request(
            actor=request.user,
            missed_at=request.POST.get("missed_at"),
            reason=request.POST.get("reason"),
        ),
        flow_class=PunchCorrectionFlow,
        detail="punch_correction_detail",
        done=_("Your missed-punch make-up has been sent for approval."),
    )


@login_required
def shift_swap_detail(request, pk):
    from .attendance import ShiftSwapFlow

    return _case_page(request, ShiftSwapFlow, pk)


@login_required
def punch_correction_detail(request, pk):
    from .attendance import PunchCorrectionFlow

    return _case_page(request, PunchCorrectionFlow, pk)


def home_context(user, employee) -> dict:
    """The home page's attendance lists: own swaps (and those naming the employee), own
    make-ups, and the department's for its lead."""
    from django.db.models import Q

    from approvals.attendance.selectors import punches_visible_to, swaps_visible_to

    if employee is None:
        return {}
    swaps = swaps_visible_to(user)
    punches = punches_visible_to(user)
    return {
        "my_swaps": swaps.filter(Q(employee=employee) | Q(colleague=employee))[:50],
        "my_punches": punches.filter(employee=employee)[:50],
        "department_swaps": swaps.filter(department__lead=employee)
        .exclude(employee=employee)
        .exclude(colleague=employee)[:50],
        "department_punches": punches.filter(department__lead=employee).exclude(employee=employee)[
            :50
        ],
    }
