"""Issue 11, finding 8: weak passwords are refused (Django's validators); the demo's is not weak."""

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError

from org.demo import DEMO_PASSWORD
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "password", ["12345678", "password", "demo1234", "1234567890123", "password123"]
)
def test_finding8_common_passwords_refused(password):
    with pytest.raises(ValidationError):
        validate_password(password, user=UserFactory())


def test_finding8_a_password_like_the_username_is_refused():
    user = UserFactory(username="zhang.wei.hr", email="zhang.wei.hr@example.com")
    with pytest.raises(ValidationError):
        validate_password("zhang.wei.hr1", user=user)


def test_finding8_a_password_shorter_than_ten_is_refused():
    with pytest.raises(ValidationError) as raised:
        validate_password("Xq7#vB2m!", user=UserFactory())
    assert [e.code for e in raised.value.error_list] == ["password_too_short"]


def test_finding8_the_demo_password_passes_the_validators():
    validate_password(DEMO_PASSWORD, user=UserFactory(username="zhang.wei"))
    assert DEMO_PASSWORD != "demo1234"


def test_finding8_changepassword_enforces_the_validators(monkeypatch):
    from django.core.management import CommandError, call_command

    user = UserFactory()
    answers = iter(["12345678", "12345678"] * 3)
    monkeypatch.setattr("getpass.getpass", lambda prompt="": next(answers))
    with pytest.raises(CommandError):
        call_command("changepassword", user.username)
    user.refresh_from_db()
    assert user.check_password("pass12345")
