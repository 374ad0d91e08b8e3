"""The site's URLs with the attachment download included (config/urls.py will include
casework.urls; until then the tests of CASE-6 and the representations need it)."""

from django.urls import include, path

from config.urls import urlpatterns as site

urlpatterns = [path("", include("casework.urls")), *site]
