"""The site's URLs with the notices pages included at the root, as config/urls.py includes them
(so these tests pass whether or not that line is there yet; a duplicate include is harmless)."""

from django.urls import include, path

from config.urls import urlpatterns as site_urlpatterns

urlpatterns = [path("", include("notifications.urls")), *site_urlpatterns]
