"""The project's URLs plus two views that fail, for the error-page tests (finding 9)."""

from django.core.exceptions import PermissionDenied
from django.urls import path

from config.urls import urlpatterns as project_urlpatterns


def boom(request):
    raise RuntimeError("kaboom: the failure's own message")


def forbidden(request):
    raise PermissionDenied


urlpatterns = [
    path("boom/", boom),
    path("forbidden/", forbidden),
    *project_urlpatterns,
]
