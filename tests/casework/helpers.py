"""Driving cases and their casework through the REST API in tests."""

from approvals.access import CaseAccess
from audit.models import AuditEvent
from casework.models import Attachment, Comment, Consultation, Urge
from notifications.models import OutboxMessage
from tests.penalty.helpers import client_for, inbox, local  # noqa: F401  (re-exported)

START = local(2026, 3, 2, 10, 0)


def post(person, path, body=None, expect=200, **kwargs):
    response = client_for(person).post(f"/api/v1/{path}", body or {}, format="json", **kwargs)
    assert response.status_code == expect, response.json()
    return response.json()


def get(person, path, expect=200):
    response = client_for(person).get(f"/api/v1/{path}")
    assert response.status_code == expect, response.content
    return response.json()


def leave(person, day=9, expect=201):
    """A personal leave of `person` on 2026-03-<day>, 09:00–18:00."""
    body = {
        "kind": "personal",
        "start": local(2026, 3, day, 9, 0).isoformat(),
        "end": local(2026, 3, day, 18, 0).isoformat(),
        "reason": "家中有事",
    }
    return post(person, "leaves/", body, expect=expect)


def promotion(person):
    return post(
        person,
        "promotions/",
        {"target_level": "intermediate", "statement": "我希望承担更多责任"},
        expect=201,
    )


def at_gm_review(org):
    """A promotion of the agent nominated by the lead: its GM review waits in the GM office's
    queue, unclaimed."""
    case = promotion(org.agent)
    post(org.lead, f"promotions/{case['id']}/nominate/", {"comment": "推荐"})
    return case


def task_id(person, resource, case_id):
    [row] = [r for r in inbox(person) if r["resource"] == resource and r["case_id"] == case_id]
    return row["task_id"]


def claim(person, task, expect=200):
    return post(person, f"inbox/{task}/claim/", expect=expect)


def footprint() -> tuple:
    """What a refused action must not have left behind."""
    return (
        AuditEvent.objects.count(),
        OutboxMessage.objects.count(),
        CaseAccess.objects.count(),
        Consultation.objects.count(),
        Urge.objects.count(),
        Comment.objects.count(),
        Attachment.objects.count(),
    )
