"""CASE-6 attachments: a participant adds a PDF, JPEG or PNG file of at most 10 MB to a case.

The kind of file is recognised by its first bytes and must agree with the name's extension; the
file is stored through Django's storage API under a generated name
(`attachments/<case_type>/<case_id>/<uuid><ext>`): the uploader's name is kept for display only,
sanitised, and never becomes a path.
"""

import os
import re
import unicodedata
import uuid

from django.core.files.storage import default_storage
from django.utils.translation import gettext_lazy as _

from approvals.errors import InvalidInput
from approvals.history import case_type_of

from . import participation as who
from .common import case_locked, log
from .models import Attachment
from .rules import ATTACHMENT_MAX_BYTES, ATTACHMENT_TYPE_LABEL, ATTACHMENT_TYPES

NAME_MAX = 200
_UNSAFE = re.compile(r'[\\/:*?"<>|]')


def human_size(size: int) -> str:
    if size >= 1024 * 1024:
        return f"{size / (1024 * 1024):.1f} MB"
    if size >= 1024:
        return f"{size / 1024:.1f} KB"
    return f"{size} B"


def clean_name(name: str, extension: str) -> str:
    """The uploader's file name without any path, control or reserved characters."""
    name = re.split(r"[\\/]", name or "")[-1]
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C")
    name = _UNSAFE.sub("_", name).strip(" .")
    if not name:
        name = f"attachment{extension}"
    if len(name) > NAME_MAX:
        stem, ext = os.path.splitext(name)
        name = stem[: NAME_MAX - len(ext)] + ext
    return name


def detect(file) -> str | None:
    """The content type the file's first bytes announce, among the accepted ones."""
    file.seek(0)
    head = file.read(16)
    file.seek(0)
    for content_type, (magics, _extensions, _canonical) in ATTACHMENT_TYPES.items():
        if any(head.startswith(magic) for magic in magics):
            return content_type
    return None


def check_file(file) -> tuple[str, str]:
    """(content type, canonical extension) of an acceptable file, or InvalidInput (CASE-6)."""
    if file is None or not hasattr(file, "read"):
        raise InvalidInput(
            _("Choose a file to attach."), code="file_required", rule="CASE-6", field="file"
        )
    size = file.size or 0
    if size > ATTACHMENT_MAX_BYTES:
        raise InvalidInput(
            _("The file is %(size)s; attachments may be at most %(limit)s."),
            code="attachment_too_large",
            rule="CASE-6",
            params={"size": human_size(size), "limit": human_size(ATTACHMENT_MAX_BYTES)},
            field="file",
        )
    content_type = detect(file) if size else None
    extension = os.path.splitext(file.name or "")[1].lower()
    if content_type is None or extension not in ATTACHMENT_TYPES[content_type][1]:
        raise InvalidInput(
            _(
                "Only %(types)s files can be attached (checked by their content and their name); “%(name)s” (%(size)s) is not one."
            ),
            code="attachment_type",
            rule="CASE-6",
            params={
                "types": ATTACHMENT_TYPE_LABEL,
                "name": clean_name(file.name, ""),
                "size": human_size(size),
            },
            field="file",
        )
    return content_type, ATTACHMENT_TYPES[content_type][2]


def attachment_add(*, flow_class, case, actor, file) -> Attachment:
    """CASE-6: store the file and record it on the case (audit "attach")."""
    with case_locked(flow_class, case):
        case = flow_class.case_model._default_manager.select_related("employee").get(pk=case.pk)
        facts = who.facts_of(flow_class, case)
        who.require_participant(flow_class, case, actor, facts, rule="CASE-6")
        content_type, extension = check_file(file)
        case_type = case_type_of(case)
        name = clean_name(file.name, extension)
        path = f"attachments/{case_type}/{case.pk}/{uuid.uuid4().hex}{extension}"
        stored = default_storage.save(path, file)
        try:
            attachment = Attachment.objects.create(
                case_type=case_type,
                case_id=case.pk,
                name=name,
                size=file.size,
                content_type=content_type,
                file=stored,
                uploaded_by=actor,
            )
            log(
                case,
                "attach",
                actor,
                rule="CASE-6",
                comment=name,
                data={"attachment": attachment.pk, "size": file.size, "type": content_type},
            )
        except BaseException:
            default_storage.delete(stored)  # the row is rolled back: so is the file
            raise
    return attachment
