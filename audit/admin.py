from django.contrib import admin

from .models import AuditEvent


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
