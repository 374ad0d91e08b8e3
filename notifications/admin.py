from django.contrib import admin
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .models import OutboxMessage, Reminder


@admin.register(OutboxMessage)
class OutboxMessageAdmin(admin.ModelAdmin):
    list_display = [
        "created_at",
        "to_email",
        "subject",
        "status",
        "attempts",
        "next_attempt_at",
        "last_error",
    ]
    list_filter = ["status", "template", "language"]
    search_fields = ["to_email", "subject"]
    readonly_fields = [f.name for f in OutboxMessage._meta.fields]
    actions = ["retry_now"]

    @admin.action(description=_("Retry now"), permissions=["change"])
    def retry_now(self, request, queryset):
        queryset.exclude(status=OutboxMessage.Status.SENT).update(
            status=OutboxMessage.Status.QUEUED, next_attempt_at=timezone.now()
        )

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        # The change permission is the "Retry now" action's; a message itself is never edited.
        if obj is not None:
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return False  # nothing is ever deleted (DEADLINE-2)


@admin.register(Reminder)
class ReminderAdmin(admin.ModelAdmin):
    """Planned reminders (read-only): what is due when, what was sent or cancelled."""

    list_display = ["send_at", "kind", "deadline", "recipient", "sent_at", "cancelled_at"]
    list_filter = ["kind"]
    readonly_fields = [f.name for f in Reminder._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
