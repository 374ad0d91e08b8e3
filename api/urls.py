from django.urls import path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView
from rest_framework.routers import SimpleRouter

from . import attendance, leave, notices, probation, views

router = SimpleRouter()
router.register("promotions", views.PromotionViewSet, basename="promotion")
router.register("penalties", views.PenaltyViewSet, basename="penalty")
router.register("leaves", leave.LeaveViewSet, basename="leave")
router.register("employees", views.EmployeeViewSet, basename="employee")
router.register("shift-swaps", attendance.ShiftSwapViewSet, basename="shift-swap")
router.register("punch-corrections", attendance.PunchCorrectionViewSet, basename="punch-correction")
router.register("probations", probation.ProbationViewSet, basename="probation")
router.register("notices", notices.NoticeViewSet, basename="notice")

urlpatterns = [
    path("inbox/", views.InboxView.as_view(), name="api-inbox"),
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    *router.urls,
]
