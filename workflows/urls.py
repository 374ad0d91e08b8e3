from django.urls import path

from . import probation_views, views
from .site import site

urlpatterns = [
    path("", views.home, name="home"),
    path("promotions/apply/", views.promotion_apply, name="promotion_apply"),
    path("promotions/<int:pk>/", views.promotion_detail, name="promotion_detail"),
    path("penalties/new/", views.penalty_new, name="penalty_new"),
    path("penalties/<int:pk>/", views.penalty_detail, name="penalty_detail"),
    path("probations/apply/", probation_views.probation_apply, name="probation_apply"),
    path("probations/<int:pk>/", probation_views.probation_detail, name="probation_detail"),
    path("", site.urls),
]
