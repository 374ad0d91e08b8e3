"""Driving penalty cases through the REST API (API.md penalties) in tests."""

import datetime as dt
from zoneinfo import ZoneInfo

from rest_framework.test import APIClient
from viewflow.workflow.timers import fire_due_timers

SHANGHAI = ZoneInfo("Asia/Shanghai")


def client_for(employee) -> APIClient:
    client = APIClient()
    client.force_authenticate(employee.user)
    return client


def serve(lead, employee, sanction="verbal_warning", expect=201, **extra):
    body = {
        "employee": employee.pk,
        "facts": "2026-03-02 迟到 25 分钟",
        "rule": "考勤制度 第3条",
        "sanction": sanction,
        "evidence": "打卡记录截图",
        **extra,
    }
    response = client_for(lead).post("/api/v1/penalties/", body, format="json")
    assert response.status_code == expect, response.json()
    return response.json()


def act(employee, case_id, action, body=None, expect=200, language=None):
    headers = {"HTTP_ACCEPT_LANGUAGE": language} if language else {}
    response = client_for(employee).post(
        f"/api/v1/penalties/{case_id}/{action}/", body or {}, format="json", **headers
    )
    assert response.status_code == expect, response.json()
    return response.json()


def read(employee, case_id, expect=200):
    response = client_for(employee).get(f"/api/v1/penalties/{case_id}/")
    assert response.status_code == expect
    return response.json()


def inbox(employee):
    response = client_for(employee).get("/api/v1/inbox/")
    assert response.status_code == 200
    return response.json()


def local(*args) -> dt.datetime:
    """An instant given in the company's time zone."""
    return dt.datetime(*args, tzinfo=SHANGHAI)


def sweep_timers() -> int:
    return fire_due_timers()
