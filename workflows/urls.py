from django.urls import path

from . import (
    alert_views,
    attendance_views,
    award_views,
    findings_views,
    inbox_views,
    leave_views,
    pay_views,
    probation_views,
    roster_views,
    views,
)
from . import ledger_views as ledger_pages

urlpatterns = [
    path("", views.home, name="home"),
    # The lists: 待办, 待领取 (claim in place), 已办, 我发起的, 抄送我的; bulk decisions (CASE-7).
    path("inbox/", inbox_views.box_page, {"box": "inbox"}, name="inbox"),
    path("queue/", inbox_views.box_page, {"box": "queue"}, name="queue"),
    path("queue/<int:task_id>/claim/", inbox_views.claim, name="claim"),
    path("done/", inbox_views.box_page, {"box": "done"}, name="done"),
    path("mine/", inbox_views.box_page, {"box": "mine"}, name="mine"),
    path("copied/", inbox_views.box_page, {"box": "copied"}, name="copied"),
    path("inbox/bulk/", inbox_views.bulk_decide_page, name="bulk_decide"),
    # A task's link is its case page, open or finished alike (also the retired console's links).
    path("tasks/<int:task_id>/", inbox_views.task_page, name="task"),
    path(
        "workflow/flows/<slug:flow>/<int:process>/<slug:node>/<int:task_id>/",
        inbox_views.legacy_task_page,
    ),
    path("workflow/inbox/", inbox_views.box_page, {"box": "inbox"}),
    path("workflow/queue/", inbox_views.box_page, {"box": "queue"}),
    # Cases: one page each, where every action is taken.
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
    # The excellent employee of the month: the notice and the case (AWARD-1, AWARD-2).
    path("awards/", award_views.awards_page, name="awards"),
    path("awards/<int:pk>/", award_views.award_detail, name="award_detail"),
    # The month's alerts and a department's month (SCORE-7, SCORE-11).
    path("alerts/", alert_views.alerts_page, name="alerts"),
    path("departments/<int:pk>/month/", alert_views.department_month_page, name="department_month"),
    # The monthly ledger (SCORE-9) and the months' close and adjustments (SCORE-10).
    path("ledger/", ledger_pages.ledger_page, name="ledger"),
    path("ledger/me/", ledger_pages.ledger_me_page, name="ledger_me"),
    path("months/", ledger_pages.months_page, name="months"),
    path("months/adjust/", ledger_pages.month_adjust_page, name="month_adjust"),
    path("months/<str:month>/close/", ledger_pages.month_close_page, name="month_close"),
    # The pay sheet and the sales import (PAY-1): administration; the GM office reads.
    path("pay/", pay_views.pay_page, name="pay"),
    # The roster week grid and the roster and punch imports (ATT-1, ATT-2).
    path("roster/", roster_views.roster_page, name="roster"),
    # What they show and the lead's decisions (ATT-2, ATT-3, PEN-2).
    path("findings/", findings_views.findings_page, name="findings"),
    path(
        "findings/drafts/<int:pk>/serve/",
        findings_views.draft_serve_page,
        name="findings_draft_serve",
    ),
]
