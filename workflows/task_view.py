"""The view viewflow requires of every human task node (`nodes.View(CaseTaskView.as_view())`).

The engine console that served task pages is not mounted: every task is decided on its case's
page (`workflows.views._case_page`), so this view only redirects there. Kept apart from the page
views so the flows import nothing of the pages.
"""

from django.http import HttpResponseRedirect
from django.views import generic


class CaseTaskView(generic.View):
    def get(self, request, *args, **kwargs):
        from .inbox import task_url

        return HttpResponseRedirect(task_url(request.activation.task))

    post = get
