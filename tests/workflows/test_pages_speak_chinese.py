"""Every page a person reaches renders in zh-hans with no English left in it (and in English
when asked). The demo organisation gives Chinese names; one case of every kind is opened so the
case pages, lists and forms all have something to show."""

import pytest
from django.test import Client
from rest_framework.test import APIClient

from org.demo import demo_seed
from org.models import Employee
from tests.i18n_check import english_words, names_of_people

pytestmark = pytest.mark.django_db


def api(user):
    c = APIClient()
    c.force_authenticate(user)
    return c


@pytest.fixture
def demo():
    demo_seed()
    people = {e.user.username: e for e in Employee.objects.select_related("user")}
    cases = {}
    # a promotion nominated (in the GM queue), a penalty served, a leave and a make-up waiting
    r = api(people["huang.lei"].user).post(
        "/api/v1/promotions/", {"target_level": "intermediate", "statement": "申请"}, format="json"
    )
    assert r.status_code == 201, r.json()
    cases["promotion"] = r.json()["id"]
    api(people["zhang.wei"].user).post(
        f"/api/v1/promotions/{cases['promotion']}/nominate/", {"comment": "推荐"}, format="json"
    )
    r = api(people["zhang.wei"].user).post(
        "/api/v1/penalties/",
        {
            "employee": people["wu.xia"].pk,
            "facts": "迟到 25 分钟",
            "rule": "考勤制度第3条",
            "sanction": "verbal_warning",
            "evidence": "打卡记录",
        },
        format="json",
    )
    assert r.status_code == 201, r.json()
    cases["penalty"] = r.json()["id"]
    return people, cases


def pages(people, cases):
    agent, lead, gm, admin = (
        people["huang.lei"],
        people["zhang.wei"],
        people["wang.fang"],
        people["li.na"],
    )
    return [
        (agent, "/"),
        (agent, "/inbox/"),
        (agent, "/mine/"),
        (agent, "/copied/"),
        (agent, "/done/"),
        (agent, "/notices/"),
        (agent, "/leaves/new/"),
        (agent, "/shift-swaps/new/"),
        (agent, "/punch-corrections/new/"),
        (agent, f"/promotions/{cases['promotion']}/"),
        (people["wu.xia"], f"/penalties/{cases['penalty']}/"),
        (lead, "/"),
        (lead, "/inbox/"),
        (lead, "/done/"),
        (lead, "/penalties/new/"),
        (lead, "/leaves/new/"),
        (lead, f"/penalties/{cases['penalty']}/"),
        (gm, "/queue/"),
        (gm, f"/promotions/{cases['promotion']}/"),
        (admin, "/queue/"),
        (admin, "/"),
    ]


def test_every_page_speaks_chinese(demo):
    people, cases = demo
    names = names_of_people()
    anonymous = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    found = {
        "/accounts/login/": english_words(anonymous.get("/accounts/login/").content.decode(), names)
    }
    for person, url in pages(people, cases):
        c = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
        c.force_login(person.user)
        response = c.get(url)
        assert response.status_code == 200, (person.user.username, url, response.status_code)
        words = english_words(response.content.decode(), names)
        if words:
            found[f"{person.user.username} {url}"] = words
    found = {k: v for k, v in found.items() if v}
    assert found == {}, found


def test_the_same_pages_render_in_english_when_asked(demo):
    people, cases = demo
    c = Client(HTTP_ACCEPT_LANGUAGE="en")
    c.force_login(people["zhang.wei"].user)
    page = c.get("/inbox/").content.decode()
    assert "To do" in page and "待办" not in page
