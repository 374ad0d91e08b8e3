from django.urls import path

from . import attendance_views, leave_views, probation_views, views
from .site import site

urlpatterns = [
    path("", views.home, name="home"),
    path("promotions/apply/", views.promotion_apply, name="promotion_apply"),
    path("promotions/<int:pk>/", views.promotion_detail, name="promotion_detail"),
    path("penalties/new/", views.penalty_new, name="penalty_new"),
    path("penalties/<int:pk>/", views.penalty_detail, name="penalty_detail"),
    path("leaves/new/", leave_views.leave_new, name="leave_new"),
    path("leaves/<int:pk>/", leave_views.leave_detail, name="leave_detail"),
    path("shift-swaps/new/", attendance_views.shift_swap_new, name="shift_swap_new"),
    path("shift-swaps/<int:pk>/", attendance_views.shift_swap_detail, name="shift_swap_detail"),
    path(
        "punch-corrections/new/",
        attendance_views.punch_correction_new,
        name="punch_correction_new",
    ),
    path(
        "punch-corrections/<int:pk>/",
        attendance_views.punch_correction_detail,
        name="punch_correction_detail",
    ),
    path("probations/apply/", probation_views.probation_apply, name="probation_apply"),
    path("probations/<int:pk>/", probation_views.probation_detail, name="probation_detail"),
    path("", site.urls),
]
