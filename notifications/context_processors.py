"""`unread_notice_count` for every template: the bell in the base layout."""

from django.utils.functional import SimpleLazyObject, new_method_proxy


class _LazyCount(SimpleLazyObject):
    """An int computed when a template first uses it: pages that show no bell (the admin, the
    API docs) cost no query, and a page that shows it costs one COUNT however often it reads it."""

    __int__ = new_method_proxy(int)
    __index__ = new_method_proxy(int)
    __float__ = new_method_proxy(float)
    __le__ = new_method_proxy(lambda a, b: a <= b)
    __ge__ = new_method_proxy(lambda a, b: a >= b)


def notices(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"unread_notice_count": 0}

    def count():
        from .models import Notice

        return Notice.objects.filter(recipient=user, read_at__isnull=True).count()

    return {"unread_notice_count": _LazyCount(count)}
