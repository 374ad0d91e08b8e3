from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from audit.admin import ReadOnlyAdmin

from .models import (
    Leave,
    LeaveBalance,
    Objection,
    OutboxEvent,
    Penalty,
    Probation,
    Promotion,
    PunchCorrection,
    ShiftSwap,
    Witness,
)


@admin.register(Promotion)
class PromotionAdmin(admin.ModelAdmin):
    """Read-only: cases change only through their services (the inbox, the pages, the API)."""

    list_display = [
        "pk",
        "employee",
        "from_level",
        "target_level",
        "state",
        "skip_level",
        "submitted_at",
    ]
    list_filter = ["state", "target_level", "skip_level"]
    # PROMO-3.2: the live counters would tell a reader who reloads the page how the ballot just
    # cast went; the tally shows only once the vote is closed with enough ballots.
    exclude = ["votes_for", "votes_against"]
    readonly_fields = ["tally"]

    @admin.display(description=_("tally"))
    def tally(self, obj):
        from .promotion.services import tally_is_countable

        if not tally_is_countable(obj):
            return "—"
        return f"{obj.votes_for} / {obj.votes_against}"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class _ReadOnly(ReadOnlyAdmin):
    """Cases change only through their services (the inbox, the pages, the API)."""


class WitnessInline(admin.TabularInline):
    model = Witness
    extra = 0
    can_delete = False
    readonly_fields = ["witness", "named_at", "signed_at"]

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Penalty)
class PenaltyAdmin(_ReadOnly):
    """Disciplinary records: read-only, never deleted here (the audit log keeps their history)."""

    list_display = ["pk", "employee", "sanction", "state", "receipt", "served_at", "final_at"]
    list_filter = ["state", "sanction", "receipt", "derived"]
    search_fields = ["employee__name", "employee__user__username"]
    inlines = [WitnessInline]


@admin.register(Objection)
class ObjectionAdmin(_ReadOnly):
    list_display = ["penalty", "filed_at", "response_due", "escalated_at", "decision"]
    list_filter = ["decision"]


@admin.register(Leave)
class LeaveAdmin(_ReadOnly):
    list_display = ["pk", "employee", "kind", "start", "end", "days", "state", "emergency"]
    list_filter = ["state", "kind", "emergency"]
    search_fields = ["employee__name", "employee__user__username"]


@admin.register(LeaveBalance)
class LeaveBalanceAdmin(admin.ModelAdmin):
    """Administration may correct a year's entitlement; what requests take from it is kept by
    the leave services (read-only here)."""

    list_display = ["employee", "year", "entitled", "taken", "pending"]
    list_filter = ["year"]
    search_fields = ["employee__name", "employee__user__username"]
    readonly_fields = ["taken", "pending"]

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ShiftSwap)
class ShiftSwapAdmin(_ReadOnly):
    """SWAP-1: read-only; swaps change only through their services."""

    list_display = ["pk", "employee", "colleague", "shift_start", "colleague_shift_start", "state"]
    list_filter = ["state", "department"]
    search_fields = ["employee__name", "colleague__name"]


@admin.register(PunchCorrection)
class PunchCorrectionAdmin(_ReadOnly):
    """PUNCH-1: read-only; make-ups change only through their services."""

    list_display = ["pk", "employee", "missed_at", "state", "submitted_at"]
    list_filter = ["state", "department"]
    search_fields = ["employee__name"]


@admin.register(Probation)
class ProbationAdmin(_ReadOnly):
    """Probations (PROB-*): read-only; they change through their services."""

    list_display = ["pk", "employee", "state", "ends_on", "exam_passed", "outcome", "effective_on"]
    list_filter = ["state", "outcome", "extended"]
    search_fields = ["employee__name", "employee__user__username"]


@admin.register(OutboxEvent)
class OutboxEventAdmin(admin.ModelAdmin):
    """The outbox of domain events (approvals.events): read-only; an event whose receivers kept
    failing is marked failed with its error, and "Retry now" hands it back to the next sweep."""

    list_display = ["pk", "kind", "created_at", "dispatched_at", "attempts", "failed"]
    list_filter = ["kind", "failed"]
    readonly_fields = [f.name for f in OutboxEvent._meta.fields]
    actions = ["retry_now"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.action(description=_("Retry now"))
    def retry_now(self, request, queryset):
        queryset.filter(dispatched_at__isnull=True).update(failed=False, attempts=0)
