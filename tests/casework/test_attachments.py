"""CASE-6 attachments: PDF, JPEG, PNG by content and name, at most 10 MB, stored through the
storage API under a generated name, downloaded only by those who may read the case."""

import os

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile

from audit.models import AuditEvent
from casework.models import Attachment
from casework.rules import ATTACHMENT_MAX_BYTES

from .helpers import client_for, footprint, get, leave, post

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


def upload(person, case, name, content, expect=201, content_type="application/pdf"):
    response = client_for(person).post(
        f"/api/v1/leaves/{case['id']}/attachments/",
        {"file": SimpleUploadedFile(name, content, content_type=content_type)},
        format="multipart",
    )
    assert response.status_code == expect, response.json()
    return response.json()


def _stored_files() -> list[str]:
    root = default_storage.location
    return [os.path.join(d, f) for d, _dirs, files in os.walk(root) for f in files]


def test_a_small_pdf_is_stored_under_a_generated_name(org):
    """CASE-6: detected type, sanitised name, path attachments/<type>/<id>/<uuid>.pdf."""
    case = leave(org.agent)
    data = upload(org.agent, case, "诊断证明.pdf", PDF)
    [item] = data["attachments"]
    assert (item["name"], item["size"], item["content_type"]) == (
        "诊断证明.pdf",
        len(PDF),
        "application/pdf",
    )
    assert item["url"] == f"/attachments/{item['id']}/"
    stored = Attachment.objects.get()
    assert stored.file.name.startswith(f"attachments/leave/{case['id']}/")
    assert stored.file.name.endswith(".pdf") and "诊断" not in stored.file.name
    assert default_storage.exists(stored.file.name)
    assert AuditEvent.objects.filter(action="attach", rules=["CASE-6"]).count() == 1


def test_a_png_passes_as_a_png(org):
    case = leave(org.agent)
    data = upload(org.agent, case, "photo.PNG", PNG, content_type="image/png")
    assert data["attachments"][0]["content_type"] == "image/png"


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("scan.pdf", PNG),
        ("notes.pdf", b"just some text, not a PDF"),
        ("x.exe", PDF),
        ("x.pdf", b""),
    ],
)
def test_the_type_is_judged_by_content_and_name(org, name, content):
    """CASE-6: a .pdf name with PNG or text content is refused; so is a PDF named .exe."""
    case = leave(org.agent)
    before = footprint()
    body = upload(org.agent, case, name, content, expect=400)
    assert (body["code"], body["rule"]) == ("attachment_type", "CASE-6")
    assert "PDF, JPEG, PNG" in body["detail"]
    assert footprint() == before and _stored_files() == []


def test_a_file_over_10_mb_is_refused_naming_the_limit_and_its_size(org):
    """CASE-6: nothing is stored, neither a row nor a file."""
    case = leave(org.agent)
    before = footprint()
    content = PDF + b"0" * (ATTACHMENT_MAX_BYTES + 1024 * 1024 - len(PDF))
    body = upload(org.agent, case, "big.pdf", content, expect=400)
    assert (body["code"], body["rule"]) == ("attachment_too_large", "CASE-6")
    assert "10.0 MB" in body["detail"] and "11.0 MB" in body["detail"]
    assert footprint() == before and _stored_files() == []


def test_a_file_of_exactly_10_mb_is_accepted(org):
    case = leave(org.agent)
    upload(org.agent, case, "exact.pdf", PDF + b"0" * (ATTACHMENT_MAX_BYTES - len(PDF)))
    assert Attachment.objects.get().size == ATTACHMENT_MAX_BYTES


def test_the_uploaders_name_never_becomes_a_path(org):
    case = leave(org.agent)
    upload(org.agent, case, "../../etc/pass<wd>.pdf", PDF)
    stored = Attachment.objects.get()
    assert stored.name == "pass_wd_.pdf"
    assert ".." not in stored.file.name and "pass" not in stored.file.name


def test_someone_only_copied_in_does_not_attach(org):
    case = leave(org.agent)
    post(org.lead, f"leaves/{case['id']}/cc/", {"people": [org.colleague.pk]})
    body = upload(org.colleague, case, "a.pdf", PDF, expect=403)
    assert (body["code"], body["rule"]) == ("not_participant", "CASE-6")
    assert _stored_files() == []


def test_a_missing_file_is_a_400(org):
    case = leave(org.agent)
    response = client_for(org.agent).post(
        f"/api/v1/leaves/{case['id']}/attachments/", {}, format="multipart"
    )
    assert response.status_code == 400 and response.json()["code"] == "file_required"


def _download(person, pk):
    client = client_for(person)
    client.force_login(person.user)
    return client.get(f"/attachments/{pk}/")


def test_the_download_is_a_404_for_someone_who_may_not_read_the_case(org):
    case = leave(org.agent)
    upload(org.agent, case, "a.pdf", PDF)
    pk = Attachment.objects.get().pk
    assert _download(org.colleague, pk).status_code == 404
    assert _download(org.other_dept_agent, pk).status_code == 404


def test_the_download_serves_the_file_as_an_attachment_with_nosniff(org):
    """CASE-6: for a reader of the case (here someone copied in): Content-Disposition
    attachment, the detected type, X-Content-Type-Options: nosniff."""
    case = leave(org.agent)
    upload(org.agent, case, "证明.pdf", PDF)
    post(org.lead, f"leaves/{case['id']}/cc/", {"people": [org.colleague.pk]})
    response = _download(org.colleague, Attachment.objects.get().pk)
    assert response.status_code == 200
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    assert b"".join(response.streaming_content) == PDF


def test_the_download_needs_a_login(org, client):
    case = leave(org.agent)
    upload(org.agent, case, "a.pdf", PDF)
    response = client.get(f"/attachments/{Attachment.objects.get().pk}/")
    assert response.status_code == 302


def test_the_case_lists_its_attachments_for_its_readers(org):
    case = leave(org.agent)
    upload(org.agent, case, "a.pdf", PDF)
    assert [a["name"] for a in get(org.lead, f"leaves/{case['id']}/")["attachments"]] == ["a.pdf"]
