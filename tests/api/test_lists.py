"""The API's lists a page at a time and filtered (API.md: `?page=`, `?page_size=`, `?state=`,
`?department=`, `?overdue=`, `?q=`): pages end to end are the whole list, newest first; each
filter keeps exactly what it names; a value the list does not know is a 400 naming the
parameter and what it accepts (zh-hans and en), never an empty list; filters never widen what
the caller may see."""

import datetime as dt

import pytest
import time_machine
from django.utils import timezone
from rest_framework.test import APIClient

from tests.factories import DepartmentFactory
from tests.orgdata import build_org, employee
from tests.workflows.test_inbox_queries import open_applications

pytestmark = pytest.mark.django_db


def api(user, language="zh-hans"):
    client = APIClient(HTTP_ACCEPT_LANGUAGE=language)
    client.force_authenticate(user)
    return client


def links(response) -> dict:
    return {
        part.split(";")[1].strip(): part.split(";")[0].strip(" <>")
        for part in response.headers.get("Link", "").split(",")
        if part
    }


def every_page(user, url) -> list[list[dict]]:
    client, pages = api(user), []
    while url:
        response = client.get(url)
        assert response.status_code == 200, response.json()
        pages.append(response.json())
        url = links(response).get('rel="next"')
    return pages


@pytest.mark.parametrize("page_size", [1, 2, 3, 5, 200])
def test_case_list_pages_end_to_end_are_the_list_newest_first(page_size):
    org = build_org()
    open_applications(org, 5)
    pages = every_page(org.lead.user, f"/api/v1/promotions/?page_size={page_size}")
    ids = [row["id"] for page in pages for row in page]
    assert ids == sorted(ids, reverse=True) and len(ids) == 5
    assert len(pages) == -(-5 // page_size)
    assert all(len(page) <= page_size for page in pages)


def test_case_list_link_header_names_both_neighbours():
    org = build_org()
    open_applications(org, 5)
    response = api(org.lead.user).get("/api/v1/promotions/?page=2&page_size=2")
    assert [set(links(response))] == [{'rel="prev"', 'rel="next"'}]
    assert "page=1" in links(response)['rel="prev"']
    assert "page=3" in links(response)['rel="next"']
    last = api(org.lead.user).get("/api/v1/promotions/?page=3&page_size=2")
    assert set(links(last)) == {'rel="prev"'} and len(last.json()) == 1


def test_a_page_past_the_end_is_an_empty_list():
    org = build_org()
    open_applications(org, 2)
    response = api(org.lead.user).get("/api/v1/promotions/?page=7")
    assert response.status_code == 200 and response.json() == []


def test_state_filter_keeps_that_state_only():
    org = build_org()
    open_applications(org, 3)
    first = api(org.lead.user).get("/api/v1/promotions/").json()[-1]
    nominated = api(org.lead.user).post(
        f"/api/v1/promotions/{first['id']}/nominate/", {"comment": "ok"}, format="json"
    )
    assert nominated.status_code == 200
    rows = api(org.lead.user).get("/api/v1/promotions/?state=submitted").json()
    assert len(rows) == 2 and {r["state"] for r in rows} == {"submitted"}
    rows = api(org.lead.user).get(f"/api/v1/promotions/?state={nominated.json()['state']}").json()
    assert [r["id"] for r in rows] == [first["id"]]


@pytest.mark.parametrize(
    "query, code, language, words",
    [
        ("state=approvedd", "invalid_state", "en", ["approvedd", "submitted"]),
        ("state=approvedd", "invalid_state", "zh-hans", ["approvedd", "submitted", "状态"]),
        ("department=abc", "invalid_department", "en", ["abc", "department"]),
        ("overdue=maybe", "invalid_overdue", "en", ["maybe", "1, 0"]),
        ("page_size=201", "invalid_page_size", "en", ["200", "201"]),
        ("page=0", "invalid_page", "en", ["page"]),
    ],
)
def test_a_filter_value_the_list_does_not_know_is_a_400_naming_it(query, code, language, words):
    org = build_org()
    response = api(org.lead.user, language).get(f"/api/v1/promotions/?{query}")
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == code
    assert all(word in body["detail"] for word in words), body["detail"]


def test_department_filter_for_the_gm_office():
    org = build_org()
    open_applications(org, 2)
    other = DepartmentFactory(code="xx", name="其他部")
    person = employee("x1", department=other)
    from approvals.promotion import services
    from workflows.engine import start_flow
    from workflows.promotion import PromotionFlow

    case = services.promotion_submit(
        actor=person.user, target_level="intermediate", statement="s", skip_level_reason="例外"
    )
    start_flow(flow_class=PromotionFlow, case=case)
    assert len(api(org.gm.user).get("/api/v1/promotions/").json()) == 3
    rows = api(org.gm.user).get(f"/api/v1/promotions/?department={other.pk}").json()
    assert [r["id"] for r in rows] == [case.pk]


def test_a_filter_never_widens_what_the_caller_sees():
    """The department filter on another department answers nothing to a lead; an agent's q
    naming a colleague finds nothing."""
    org = build_org()
    open_applications(org, 2)
    other = DepartmentFactory(code="yy", name="另一部")
    outsider = employee("y1", department=other, roles=["department_lead"])
    assert api(outsider.user).get(f"/api/v1/promotions/?department={org.cs.pk}").json() == []
    assert api(org.agent.user).get("/api/v1/promotions/?q=a").json() == []


def test_q_filter_matches_the_employees_name():
    org = build_org()
    open_applications(org, 3)
    named = employee("zz", department=org.cs, name="王小明")
    from approvals.promotion import services
    from workflows.engine import start_flow
    from workflows.promotion import PromotionFlow

    case = services.promotion_submit(
        actor=named.user, target_level="intermediate", statement="s", skip_level_reason="例外"
    )
    start_flow(flow_class=PromotionFlow, case=case)
    rows = api(org.lead.user).get("/api/v1/promotions/?q=小明").json()
    assert [r["id"] for r in rows] == [case.pk]


def test_overdue_filter_keeps_cases_with_an_open_deadline_past_due():
    org = build_org()
    open_applications(org, 2)
    assert api(org.lead.user).get("/api/v1/promotions/?overdue=1").json() == []
    with time_machine.travel(timezone.now() + dt.timedelta(days=30), tick=False):
        rows = api(org.lead.user).get("/api/v1/promotions/?overdue=1").json()
        assert len(rows) == 2
        assert len(api(org.lead.user).get("/api/v1/promotions/?overdue=0").json()) == 2


def test_employees_list_pages_and_filters():
    org = build_org()
    for i in range(4):
        employee(f"e{i}", department=org.cs, name=f"测试{i}")
    everyone = [
        r["id"] for page in every_page(org.gm.user, "/api/v1/employees/?page_size=3") for r in page
    ]
    assert everyone == sorted(everyone) and len(everyone) == len(set(everyone))
    from org.models import Employee

    assert len(everyone) == Employee.objects.count()
    rows = api(org.gm.user).get("/api/v1/employees/?q=测试2").json()
    assert [r["username"] for r in rows] == ["e2"]
    in_cs = api(org.gm.user).get(f"/api/v1/employees/?department={org.cs.pk}").json()
    assert {r["department"] for r in in_cs} == {org.cs.code} and len(in_cs) >= 4
    assert api(org.agent.user).get("/api/v1/employees/?q=测试").json() == []


def test_inbox_kind_filter_and_its_refusal():
    org = build_org()
    open_applications(org, 2)
    assert len(api(org.lead.user).get("/api/v1/inbox/?kind=promotions").json()) == 2
    assert api(org.lead.user).get("/api/v1/inbox/?kind=leaves").json() == []
    response = api(org.lead.user, "en").get("/api/v1/inbox/?kind=promotion")
    assert response.status_code == 400 and response.json()["code"] == "invalid_kind"
    assert "promotions" in response.json()["detail"]
