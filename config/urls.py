from django.conf.urls.i18n import i18n_patterns  # noqa: F401  (language is switched by set_language)
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

urlpatterns = [
    path("admin/", admin.site.urls),
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/v1/", include("api.urls")),
    path("", include("notifications.urls")),
    path("", include("casework.urls")),
    path("", include("workflows.urls")),
]
