"""CASE-6: downloading an attachment, for those who may read its case."""

from django.contrib.auth.decorators import login_required
from django.core.files.storage import default_storage
from django.http import FileResponse, Http404
from django.views.decorators.http import require_GET

from .models import Attachment


def _flow_of(case_type: str):
    from workflows.site import FLOWS

    return next((f for f in FLOWS if f.case_model._meta.model_name == case_type), None)


@require_GET
@login_required
def attachment_download(request, pk: int):
    """404 unless the user may read the case (its kind's visibility, access grants included)."""
    attachment = Attachment.objects.filter(pk=pk).first()
    if attachment is None:
        raise Http404
    flow_class = _flow_of(attachment.case_type)
    case = (
        flow_class.instance.visible_cases(request.user).filter(pk=attachment.case_id).first()
        if flow_class is not None
        else None
    )
    if case is None or flow_class.instance.limited_reader(request.user, case):
        raise Http404  # a voter or a witness never reads the files around their part
    try:
        handle = default_storage.open(attachment.file.name, "rb")
    except FileNotFoundError:
        raise Http404 from None
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=attachment.name,
        content_type=attachment.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response
