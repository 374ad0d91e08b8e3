"""What the base layout needs from the settings."""

from django.conf import settings


def dev_mode(request):
    """`dev_mode` is true with DEBUG on: every page then carries the development-mode banner."""
    return {"dev_mode": settings.DEBUG}
