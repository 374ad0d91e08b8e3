from django.contrib import admin

from .models import BALLOT_ACTIONS, AuditEvent


class ReadOnlyAdmin(admin.ModelAdmin):
    """An admin that only shows: what it lists changes through its services (cases, casework)
    or never (the audit log). Shared by the apps whose records are evidence."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin):
    """Read-only: the log is append-only and hash-chained."""

    list_display = [
        "at",
        "case_type",
        "case_id",
        "action",
        "from_state",
        "to_state",
        "actor",
        "rules",
    ]
    list_filter = ["case_type", "action"]

    def get_queryset(self, request):
        # PROMO-3.2: per-ballot events of older logs name their voter; nobody reads them here.
        # They stay in the chain (append-only), so verify() still covers them.
        return super().get_queryset(request).exclude(action__in=BALLOT_ACTIONS)
