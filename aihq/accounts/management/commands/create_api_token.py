"""aihq create_api_token USERNAME — prints only the token."""

from __future__ import annotations

from typing import Any

from django.core.management.base import CommandError, CommandParser

from aihq.accounts import services
from aihq.accounts.models import User
from aihq.core.cli import AIHQCommand


class Command(AIHQCommand):
    help = "Create an API token for USERNAME and print it (only the token, so scripts can capture it)."
    json_option = False

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument("--name", default="", help="A label to recognise the token by.")
        parser.add_argument("--expires-days", type=int, default=None, help="Days until the token expires.")

    def handle(self, *args: Any, **options: Any) -> None:
        user = User.objects.filter(username=options["username"]).first()
        if user is None:
            raise CommandError(f"No user {options['username']!r}; create one with: aihq grant USERNAME ROLE")
        if options["expires_days"] is not None and options["expires_days"] < 1:
            raise CommandError("--expires-days must be at least 1.")
        _token, key = services.api_token_create(
            actor=self.actor, user=user, name=options["name"], expires_in_days=options["expires_days"]
        )
        self.stdout.write(key)
