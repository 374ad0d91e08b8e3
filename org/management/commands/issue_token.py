"""`manage.py issue_token USERNAME`: print the user's API token key (created if missing), for
`Authorization: Token <key>` (API.md)."""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from rest_framework.authtoken.models import Token


class Command(BaseCommand):
    help = "Print an API token for a user (creates it if needed)."

    def add_arguments(self, parser):
        parser.add_argument("username")

    def handle(self, *args, username, **options):
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            raise CommandError(_("No user %(username)s.") % {"username": repr(username)})
        if not user.is_active:
            # DRF refuses tokens of inactive users; a key that cannot authenticate would mislead.
            raise CommandError(_("User %(username)s is inactive.") % {"username": repr(username)})
        token, _created = Token.objects.get_or_create(user=user)
        self.stdout.write(token.key)
