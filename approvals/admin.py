from django.contrib import admin

from .models import Promotion


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
