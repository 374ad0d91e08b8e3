from django.contrib import admin

from .models import AuditEvent


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
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

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
