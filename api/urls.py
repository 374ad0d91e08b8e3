from django.urls import path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.routers import SimpleRouter

from workflows.attendance import PunchCorrectionFlow, ShiftSwapFlow
from workflows.leave import LeaveFlow

from . import alerts as alerts_api
from . import attendance, casework, leave, notices, probation, views
from . import awards as awards_api
from . import findings as findings_api
from . import ledger as ledger_api
from . import pay as pay_api
from . import rosters as rosters_api

router = SimpleRouter()
router.register("promotions", views.PromotionViewSet, basename="promotion")
router.register("penalties", views.PenaltyViewSet, basename="penalty")
router.register("leaves", leave.LeaveViewSet, basename="leave")
router.register("employees", views.EmployeeViewSet, basename="employee")
router.register("shift-swaps", attendance.ShiftSwapViewSet, basename="shift-swap")
router.register("punch-corrections", attendance.PunchCorrectionViewSet, basename="punch-correction")
router.register("probations", probation.ProbationViewSet, basename="probation")
router.register("notices", notices.NoticeViewSet, basename="notice")
router.register("awards", awards_api.AwardViewSet, basename="award")  # AWARD-1, AWARD-2

# CASE-7: before the router, whose "<resource>/<pk>/<action>/" routes would read "bulk" as an id.
BULK = r"bulk/(?P<decision>approve|reject)/$"
bulk_urls = [
    re_path(
        rf"^{resource}/{BULK}",
        casework.BulkDecideView.as_view(flow_class=flow_class),
        name=f"api-{resource}-bulk",
    )
    for resource, flow_class in (
        ("leaves", LeaveFlow),
        ("shift-swaps", ShiftSwapFlow),
        ("punch-corrections", PunchCorrectionFlow),
    )
]

urlpatterns = [
    path("inbox/", views.InboxView.as_view(), name="api-inbox"),
    path("inbox/<int:task_id>/claim/", casework.TaskClaimView.as_view(), name="api-inbox-claim"),
    # The monthly ledger and the months' close (SCORE-9, SCORE-10).
    path("ledger/", ledger_api.LedgerView.as_view(), name="api-ledger"),
    path(
        "ledger/catalogue/",
        ledger_api.LedgerCatalogueView.as_view(),
        name="api-ledger-catalogue",
    ),
    path("months/", ledger_api.MonthsView.as_view(), name="api-months"),
    path("months/<str:month>/close/", ledger_api.MonthCloseView.as_view(), name="api-month-close"),
    path(
        "months/<str:month>/adjust/",
        ledger_api.MonthAdjustView.as_view(),
        name="api-month-adjust",
    ),
    path("sales/", pay_api.SalesView.as_view(), name="api-sales"),
    re_path(
        r"^pay-sheets/(?P<month>[^/]+)/$", pay_api.PaySheetView.as_view(), name="api-pay-sheet"
    ),
    path("alerts/", alerts_api.AlertListView.as_view(), name="api-alerts"),  # SCORE-7, SCORE-11
    # The roster and the punches (ATT-1, ATT-2).
    path("rosters/", rosters_api.RostersView.as_view(), name="api-rosters"),
    path("punches/", rosters_api.PunchesView.as_view(), name="api-punches"),
    # What they show and the lead's decisions (ATT-2, ATT-3, PEN-2).
    path("findings/", findings_api.FindingsView.as_view(), name="api-findings"),
    path("findings/check/", findings_api.FindingsCheckView.as_view(), name="api-findings-check"),
    re_path(
        r"^findings/bulk/(?P<decision>confirm|dismiss)/$",
        findings_api.FindingsBulkView.as_view(),
        name="api-findings-bulk",
    ),
    re_path(
        r"^findings/(?P<pk>[0-9]{1,12})/(?P<decision>confirm|dismiss)/$",
        findings_api.FindingDecisionView.as_view(),
        name="api-finding-decide",
    ),
    path("findings/drafts/", findings_api.DraftsView.as_view(), name="api-finding-drafts"),
    re_path(
        r"^findings/drafts/(?P<pk>[0-9]{1,12})/(?P<action>serve|discard)/$",
        findings_api.DraftActionView.as_view(),
        name="api-finding-draft-action",
    ),
    *bulk_urls,
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    # The split view serves Swagger UI's start-up script as a file (?script), not inline: the
    # page keeps the site's Content-Security-Policy (config/settings.py).
    path(
        "docs/",
        SpectacularSwaggerSplitView.as_view(
            url_name="api-schema", template_name="api/swagger_ui.html"
        ),
        name="api-docs",
    ),
    *router.urls,
    # Last: a path under /api/v1/ that no route matches ("promotions/0.5/", a typo) answers the
    # API's JSON 404, not the site's HTML page (issue 11: the schema documents JSON only).
    re_path(r"^", views.NotFoundView.as_view(), name="api-not-found"),
]
