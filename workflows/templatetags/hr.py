"""Template filters that turn figures into words people read: due times as a countdown
("还剩 2 天" / "已逾期 3 小时"), day counts without a trailing ".0"."""

from decimal import Decimal

from django import template
from django.utils import timezone
from django.utils.translation import gettext, ngettext

register = template.Library()


def countdown(due_at, now=None) -> str:
    """How long until `due_at` (or how long it is overdue), in the largest whole unit."""
    if due_at is None:
        return ""
    now = now or timezone.now()
    seconds = (due_at - now).total_seconds()
    span = abs(seconds)
    if span >= 86400:
        n = int(span // 86400)
        amount = ngettext("%(n)s day", "%(n)s days", n) % {"n": n}
    elif span >= 3600:
        n = int(span // 3600)
        amount = ngettext("%(n)s hour", "%(n)s hours", n) % {"n": n}
    else:
        n = max(1, int(span // 60))
        amount = ngettext("%(n)s minute", "%(n)s minutes", n) % {"n": n}
    if seconds < 0:
        return gettext("%(time)s overdue") % {"time": amount}
    return gettext("%(time)s left") % {"time": amount}


@register.filter(name="countdown")
def countdown_filter(due_at):
    return countdown(due_at)


@register.filter
def badge(value, cap=99):
    """A count on a badge: "99+" beyond its cap (the counts stop at cap + 1, capped_count)."""
    value = int(value or 0)
    return f"{cap}+" if value > cap else str(value)


@register.filter
def number(value):
    """5.0 → "5", 2.50 → "2.5": a quantity as people write it."""
    if value is None or value == "":
        return ""
    try:
        d = Decimal(str(value))
    except ArithmeticError:
        return value
    text = format(d.normalize(), "f")
    return text


@register.filter
def filesize(size):
    """Bytes as KB/MB with one decimal."""
    size = int(size or 0)
    if size >= 1024 * 1024:
        return f"{size / (1024 * 1024):.1f} MB"
    if size >= 1024:
        return f"{size / 1024:.0f} KB"
    return f"{size} B"
