"""The in-app notices (the bell): the reads and the read marks of the pages and the API."""

from django.utils import timezone

from .models import Notice


def notices_of(user):
    """The user's notices, newest first."""
    return Notice.objects.filter(recipient=user).order_by("-created_at", "-pk")


def notice_mark_read(*, notice: Notice) -> Notice:
    """Mark one notice read (idempotent: the first reading's time is kept)."""
    if notice.read_at is None:
        now = timezone.now()
        # Conditional: two tabs opening the same notice keep the first time.
        Notice.objects.filter(pk=notice.pk, read_at__isnull=True).update(read_at=now)
        notice.read_at = now
    return notice


def notices_mark_all_read(*, user) -> int:
    """Mark all of the user's unread notices read; how many were unread."""
    return Notice.objects.filter(recipient=user, read_at__isnull=True).update(
        read_at=timezone.now()
    )
