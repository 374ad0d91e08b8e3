"""issue_token prints a DRF token key that authenticates its user (API.md: Token auth)."""

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from rest_framework.authentication import TokenAuthentication
from rest_framework.authtoken.models import Token

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def issue(username, capsys) -> str:
    call_command("issue_token", username)
    return capsys.readouterr().out.strip()


def test_issue_token_prints_a_key_that_authenticates_the_user(capsys):
    user = UserFactory(username="zhang.wei")
    key = issue("zhang.wei", capsys)
    assert Token.objects.get(user=user).key == key
    authenticated, token = TokenAuthentication().authenticate_credentials(key)
    assert authenticated == user


def test_issue_token_twice_prints_the_same_key(capsys):
    UserFactory(username="zhang.wei")
    assert issue("zhang.wei", capsys) == issue("zhang.wei", capsys)
    assert Token.objects.count() == 1


def test_issue_token_for_an_unknown_user_fails():
    with pytest.raises(CommandError, match="No user 'nobody'"):
        call_command("issue_token", "nobody")
