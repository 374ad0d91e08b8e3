"""Issue 11, finding 8: guessing passwords on the login page and tokens on the API is throttled.

The login page (django-axes): five wrong passwords for one username from one address lock that
pair out for the cool-off period, even with the right password; a success clears the count. The
API: failed tokens count per address; past the "token_failure" rate every token from it gets
429 in the API's error shape.
"""

import datetime as dt

import pytest
import time_machine
from django.conf import settings
from django.test import Client
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

RIGHT = "pass12345"  # tests/factories.py UserFactory


def _login(client, username, password, language="en"):
    return client.post(
        "/accounts/login/",
        {"username": username, "password": password},
        HTTP_ACCEPT_LANGUAGE=language,
    )


def test_finding8_login_locks_after_repeated_failures():
    user = UserFactory()
    client = Client()
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        for _ in range(settings.AXES_FAILURE_LIMIT - 1):
            assert _login(client, user.username, "wrong").status_code == 200
        locked = _login(client, user.username, "wrong")
        assert locked.status_code == 429
        assert "Too many failed logins" in locked.content.decode()
        for _ in range(45):
            assert _login(client, user.username, "wrong").status_code == 429
        # the right password is refused too while the lock lasts
        right = _login(client, user.username, RIGHT)
        assert right.status_code == 429
        assert "_auth_user_id" not in client.session
        traveller.shift(settings.AXES_COOLOFF_TIME + dt.timedelta(seconds=1))
        assert _login(client, user.username, RIGHT).status_code == 302
        assert client.session["_auth_user_id"] == str(user.pk)


def test_finding8_the_lockout_message_is_translated():
    user = UserFactory()
    client = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        response = _login(client, user.username, "wrong", language="zh-hans")
    assert response.status_code == 429
    assert "登录失败次数过多" in response.content.decode()


def test_finding8_a_success_clears_the_failure_count():
    user = UserFactory()
    client = Client()
    for _round in range(3):
        for _ in range(settings.AXES_FAILURE_LIMIT - 1):
            assert _login(client, user.username, "wrong").status_code == 200
        assert _login(client, user.username, RIGHT).status_code == 302
        client.logout()


def test_finding8_a_lockout_is_per_username_and_address():
    locked, other = UserFactory(), UserFactory()
    client = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        _login(client, locked.username, "wrong")
    assert _login(client, other.username, RIGHT).status_code == 302
    elsewhere = Client(REMOTE_ADDR="10.0.0.9")
    assert _login(elsewhere, locked.username, RIGHT).status_code == 302


def test_finding8_force_login_is_not_throttled():
    user = UserFactory()
    client = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        _login(client, user.username, "wrong")
    client.force_login(user)
    assert client.get("/").status_code in (200, 302)
    assert client.session["_auth_user_id"] == str(user.pk)


def _api(token: str):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    return client.get("/api/v1/leaves/", HTTP_ACCEPT_LANGUAGE="en")


def test_finding8_bad_tokens_are_throttled():
    good = Token.objects.create(user=UserFactory()).key
    limit = int(settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]["token_failure"].split("/")[0])
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        statuses = [_api(f"bad{i:037d}").status_code for i in range(50)]
        assert statuses == [401] * limit + [429] * (50 - limit)
        throttled = _api("bad")
        assert throttled.status_code == 429
        body = throttled.json()
        assert (body["code"], body["rule"]) == ("throttled", None)
        assert body["detail"]
        assert int(throttled["Retry-After"]) > 0
        # a right token from that address waits too: the answer tells a guesser nothing
        assert _api(good).status_code == 429
        traveller.shift(dt.timedelta(minutes=1, seconds=1))
        assert _api(good).status_code == 200


def test_finding8_anonymous_api_requests_are_rate_limited():
    classes = settings.REST_FRAMEWORK["DEFAULT_THROTTLE_CLASSES"]
    assert "rest_framework.throttling.AnonRateThrottle" in classes
    assert settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]["anon"]
