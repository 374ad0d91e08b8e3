"""The notices pages; included at the site root (config/urls.py)."""

from django.urls import path

from . import views

urlpatterns = [
    path("notices/", views.notice_list, name="notices"),
    path("notices/<int:pk>/", views.notice_open, name="notice_open"),
    path("notices/read-all/", views.notice_read_all, name="notices_read_all"),
]
