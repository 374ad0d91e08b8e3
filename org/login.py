"""The login page's answer to a locked-out username and address (django-axes, issue 11 finding 8).

settings.AXES_LOCKOUT_CALLABLE points here: the login page again, with a message saying how
long the lock lasts, status 429 (axes' default would be a bare English text).
"""

from django.conf import settings
from django.shortcuts import render
from django.utils.translation import ngettext


def lockout_response(request, original_response=None, credentials=None):
    minutes = max(int(settings.AXES_COOLOFF_TIME.total_seconds() // 60), 1)
    message = ngettext(
        "Too many failed logins for this account. Please try again in %(minutes)s minute.",
        "Too many failed logins for this account. Please try again in %(minutes)s minutes.",
        minutes,
    ) % {"minutes": minutes}
    context = {"locked_out": message, "next": request.POST.get("next", request.GET.get("next", ""))}
    return render(request, "registration/login.html", context, status=429)
