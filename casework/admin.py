"""Read-only views of casework rows for administrators (support, audits)."""

from django.contrib import admin

from audit.admin import ReadOnlyAdmin

from .models import Attachment, Comment, Consultation, Urge


@admin.register(Consultation)
class ConsultationAdmin(ReadOnlyAdmin):
    list_display = ["case_type", "case_id", "asked_by", "consultee", "asked_at", "answered_at"]
    list_filter = ["case_type"]


@admin.register(Urge)
class UrgeAdmin(ReadOnlyAdmin):
    list_display = ["case_type", "case_id", "task_id", "urged_by", "urged_at"]
    list_filter = ["case_type"]


@admin.register(Comment)
class CommentAdmin(ReadOnlyAdmin):
    list_display = ["case_type", "case_id", "author", "at"]
    list_filter = ["case_type"]


@admin.register(Attachment)
class AttachmentAdmin(ReadOnlyAdmin):
    list_display = ["case_type", "case_id", "name", "size", "content_type", "uploaded_at"]
    list_filter = ["case_type", "content_type"]
