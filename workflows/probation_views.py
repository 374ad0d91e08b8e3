"""Probation pages (PROB-1..PROB-5): the case page (summary, evidence, timeline; task pages
use the same summary) and the probationer's early conversion application (PROB-4)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from approvals.errors import DomainError
from approvals.probation.services import probation_apply_early

from .probation import ProbationFlow
from .views import _case_page


@login_required
def probation_detail(request, pk):
    return _case_page(request, ProbationFlow, pk)


@login_required
@require_POST
def probation_apply(request):
    """PROB-4: the probationer applies for early conversion of their own probation."""
    try:
        with transaction.atomic():
            probation = probation_apply_early(
                actor=request.user, statement=request.POST.get("statement", "")
            )
    except DomainError as exc:
        messages.error(request, exc.detail)
        back = request.POST.get("next", "")
        if not url_has_allowed_host_and_scheme(
            back, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        ):
            back = reverse("home")  # never redirect off the site
        return HttpResponseRedirect(back)
    messages.success(request, _("Your early conversion application has been submitted."))
    return HttpResponseRedirect(reverse("probation_detail", args=[probation.pk]))
