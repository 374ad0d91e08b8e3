"""What people do around a case's steps (CASE-2, CASE-3, CASE-5, CASE-6): consultations, urges,
comments and attachments. Each row references its case as (case_type, case_id), like
`approvals.deadlines.Deadline` and the audit events; read access grants are
`approvals.access.CaseAccess`."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class CaseRef(models.Model):
    case_type = models.CharField(max_length=40)
    case_id = models.BigIntegerField()

    class Meta:
        abstract = True


class Consultation(CaseRef):
    """CASE-2 征询: the holder of a step asks someone's opinion; the step stays theirs."""

    task_id = models.BigIntegerField()  # the viewflow task whose holder asked
    asked_by = models.ForeignKey(
        "org.Employee", verbose_name=_("asked by"), on_delete=models.PROTECT, related_name="+"
    )
    consultee = models.ForeignKey(
        "org.Employee",
        verbose_name=_("consultee"),
        on_delete=models.PROTECT,
        related_name="consultations",
    )
    question = models.TextField(_("question"))
    asked_at = models.DateTimeField(_("asked at"), default=timezone.now)
    answer = models.TextField(_("answer"), blank=True)
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("consultation")
        verbose_name_plural = _("consultations")
        ordering = ["asked_at", "pk"]
        indexes = [models.Index(fields=["case_type", "case_id"])]

    def __str__(self):
        return f"{self.case_type}#{self.case_id}: {self.asked_by_id} → {self.consultee_id}"


class Urge(CaseRef):
    """CASE-3 催办: one row per open task nudged, so each task is urged at most once a day."""

    task_id = models.BigIntegerField()
    urged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    urged_at = models.DateTimeField(_("urged at"), default=timezone.now)

    class Meta:
        verbose_name = _("urge")
        verbose_name_plural = _("urges")
        ordering = ["urged_at", "pk"]
        indexes = [
            models.Index(fields=["case_type", "case_id"]),
            models.Index(fields=["task_id", "urged_at"]),
        ]

    def __str__(self):
        return (
            f"{self.case_type}#{self.case_id} task {self.task_id} at {self.urged_at:%Y-%m-%d %H:%M}"
        )


class Comment(CaseRef):
    """CASE-5: a remark of a participant of the case."""

    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("author"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    body = models.TextField(_("comment"))
    at = models.DateTimeField(_("at"), default=timezone.now)

    class Meta:
        verbose_name = _("comment")
        verbose_name_plural = _("comments")
        ordering = ["at", "pk"]
        indexes = [models.Index(fields=["case_type", "case_id"])]

    def __str__(self):
        return f"{self.case_type}#{self.case_id} comment by {self.author_id}"


class Attachment(CaseRef):
    """CASE-6: a PDF, JPEG or PNG file added to a case; stored under a generated name."""

    name = models.CharField(_("name"), max_length=200)  # the uploader's name, sanitised
    size = models.PositiveBigIntegerField(_("size"))
    content_type = models.CharField(_("content type"), max_length=40)  # detected from content
    file = models.FileField(_("file"), max_length=255)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("uploaded by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    uploaded_at = models.DateTimeField(_("uploaded at"), default=timezone.now)

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        ordering = ["uploaded_at", "pk"]
        indexes = [models.Index(fields=["case_type", "case_id"])]

    def __str__(self):
        return self.name
