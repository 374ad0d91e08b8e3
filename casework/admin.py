"""Read-only views of casework rows for administrators (support, audits)."""

from django.contrib import admin

from .models import Attachment, Comment, Consultation, Urge


class ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Consultation)
class ConsultationAdmin(ReadOnly):
    list_display = ["case_type", "case_id", "asked_by", "consultee", "asked_at", "answered_at"]
    list_filter = ["case_type"]


@admin.register(Urge)
class UrgeAdmin(ReadOnly):
    list_display = ["case_type", "case_id", "task_id", "urged_by", "urged_at"]
    list_filter = ["case_type"]


@admin.register(Comment)
class CommentAdmin(ReadOnly):
    list_display = ["case_type", "case_id", "author", "at"]
    list_filter = ["case_type"]


@admin.register(Attachment)
class AttachmentAdmin(ReadOnly):
    list_display = ["case_type", "case_id", "name", "size", "content_type", "uploaded_at"]
    list_filter = ["case_type", "content_type"]
