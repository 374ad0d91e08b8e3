"""The notices pages (the bell): the list, opening one (marks it read and follows its link) and
marking all read. A user sees only their own notices; someone else's is a 404."""

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_POST

from .notices import notice_mark_read, notices_mark_all_read, notices_of
from .services import site_relative

PAGE_SIZE = 30


@login_required
@require_GET
def notice_list(request):
    page = Paginator(notices_of(request.user), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "notifications/notices.html", {"page": page})


@login_required
@require_GET
def notice_open(request, pk: int):
    notice = get_object_or_404(notices_of(request.user), pk=pk)
    notice_mark_read(notice=notice)
    # Only a path on this site: a notice must never send anyone elsewhere.
    url = site_relative(notice.url)
    if not url or not url_has_allowed_host_and_scheme(url, allowed_hosts=None):
        return redirect("notices")
    return redirect(url)


@login_required
@require_POST
def notice_read_all(request):
    notices_mark_all_read(user=request.user)
    return redirect("notices")
