"""A bare viewflow flow of 4 human steps, for benchmarks/bare_viewflow.py: no domain, no audit,
no outbox, no reminders; each step assigned to one user and completed as viewflow completes a
human task (assign is done at creation, then start and execute under the flow lock)."""

from django.views import generic
from viewflow import this
from viewflow.workflow import flow, lock


class _View(generic.View):
    pass


def _user(activation):
    from django.contrib.auth import get_user_model

    return get_user_model().objects.get(pk=activation.process.data["user"])


class BareFlow(flow.Flow):
    lock_impl = lock.select_for_update_lock

    start = flow.StartHandle().Next(this.apply)
    apply = flow.View(_View.as_view()).Assign(_user).Next(this.nominate)
    nominate = flow.View(_View.as_view()).Assign(_user).Next(this.approve)
    approve = flow.View(_View.as_view()).Assign(_user).Next(this.confirm)
    confirm = flow.View(_View.as_view()).Assign(_user).Next(this.end)
    end = flow.End()
