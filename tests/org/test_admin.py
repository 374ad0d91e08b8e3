"""The admin lists of the organisation and of monthly assessments render with their filters, and
a score entered in the admin goes through assessment_record (SCORE-1 cap shown on the form)."""

import datetime as dt

import pytest
from django.contrib.auth import get_user_model

from performance.models import Assessment
from tests.factories import EmployeeFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client):
    client.force_login(get_user_model().objects.create_superuser("root", "r@example.com", "pw"))
    return client


@pytest.mark.parametrize(
    "url",
    [
        "/admin/org/employee/?level__exact=junior",
        "/admin/org/department/",
        "/admin/org/levelhistory/",
        "/admin/performance/assessment/?tier__exact=1",
    ],
)
def test_admin_lists_render(admin_client, url):
    EmployeeFactory()
    assert admin_client.get(url).status_code == 200


def test_admin_adds_a_score_through_the_service(admin_client):
    employee = EmployeeFactory()
    response = admin_client.post(
        "/admin/performance/assessment/add/",
        {"employee": employee.pk, "month": "2026-09-17", "score": "91", "source": "manual"},
    )
    assert response.status_code == 302
    row = Assessment.objects.get()
    assert (row.month, row.tier, row.grade) == (dt.date(2026, 9, 1), 1, "A")


def test_admin_refuses_a_score_above_the_score_1_cap(admin_client):
    employee = EmployeeFactory()
    response = admin_client.post(
        "/admin/performance/assessment/add/",
        {"employee": employee.pk, "month": "2026-09-01", "score": "111", "source": "manual"},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 200
    assert "score 111 is outside 0..110 (SCORE-1)" in response.content.decode()
    assert not Assessment.objects.exists()


@pytest.mark.parametrize("hired_on", ["0001-01-01", "9999-12-31"])
def test_finding5_the_admin_refuses_a_hire_date_no_person_could_mean(admin_client, hired_on):
    """Issue 11, finding 5: the admin's employee form keeps the same window as load_org."""
    employee = EmployeeFactory()
    url = f"/admin/org/employee/{employee.pk}/change/"
    response = admin_client.post(
        url,
        {
            "user": employee.user.pk,
            "name": employee.name,
            "department": employee.department.pk,
            "hired_on": hired_on,
            "language": employee.language,
            "levelhistory_set-TOTAL_FORMS": "0",
            "levelhistory_set-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 200
    form = response.context["adminform"].form
    assert list(form.errors) == ["hired_on"]
    assert form.errors.as_data()["hired_on"][0].code == "date_out_of_range"
    employee.refresh_from_db()
    assert employee.hired_on == dt.date(2024, 1, 1)
