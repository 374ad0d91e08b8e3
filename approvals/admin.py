from django.contrib import admin

from .models import Objection, Penalty, Probation, Promotion, Witness


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

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class _ReadOnly(admin.ModelAdmin):
    """Cases change only through their services (the inbox, the pages, the API)."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


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


@admin.register(Probation)
class ProbationAdmin(_ReadOnly):
    """Probations (PROB-*): read-only; they change through their services."""

    list_display = ["pk", "employee", "state", "ends_on", "exam_passed", "outcome", "effective_on"]
    list_filter = ["state", "outcome", "extended"]
    search_fields = ["employee__name", "employee__user__username"]
