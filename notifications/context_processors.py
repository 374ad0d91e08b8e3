"""`unread_notice_count` for every template: the bell in the base layout.

Counted up to BADGE_CAP + 1 (`COUNT(*)` over a `LIMIT`): a badge shows "99+" beyond its cap
(the `badge` filter), and a person with 11,000 notices (the GM office in benchmarks/inbox.py at
100,000 tasks) costs what one with a hundred does."""

from django.utils.functional import SimpleLazyObject, new_method_proxy


class _LazyCount(SimpleLazyObject):
    """An int computed when a template first uses it: pages that show no bell (the admin, the
    API docs) cost no query, and a page that shows it costs one COUNT however often it reads it."""

    __int__ = new_method_proxy(int)
    __index__ = new_method_proxy(int)
    __float__ = new_method_proxy(float)
    __le__ = new_method_proxy(lambda a, b: a <= b)
    __ge__ = new_method_proxy(lambda a, b: a >= b)
    __lt__ = new_method_proxy(lambda a, b: a < b)
    __gt__ = new_method_proxy(lambda a, b: a > b)


BADGE_CAP = 99


def capped_count(qs, cap: int = BADGE_CAP) -> int:
    """How many rows `qs` has, counted no further than `cap + 1` (the database stops there)."""
    return qs.order_by()[: cap + 1].count()


def notices(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"unread_notice_count": 0}

    def count():
        from .models import Notice

        return capped_count(Notice.objects.filter(recipient=user, read_at__isnull=True))

    return {"unread_notice_count": _LazyCount(count)}
