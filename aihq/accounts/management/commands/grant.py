"""aihq grant USERNAME ROLE [--org CODE] [--password-stdin]"""

from __future__ import annotations

import sys
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import CommandError, CommandParser

from aihq.accounts import services
from aihq.accounts.models import Role
from aihq.accounts.permissions import GLOBAL_ROLES
from aihq.core.cli import AIHQCommand
from aihq.registry.models import Organisation


class Command(AIHQCommand):
    help = "Give USERNAME a role (creating the user if missing). Organisation roles need --org CODE."

    def add_arguments(self, parser: CommandParser) -> None:
        super().add_arguments(parser)
        parser.add_argument("username")
        parser.add_argument("role", choices=Role.values)
        parser.add_argument("--org", dest="org", help="Organisation code (coordinator, editor, viewer).")
        parser.add_argument(
            "--password-stdin", action="store_true", help="Read the user's password from standard input (one line)."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        role = options["role"]
        org_code = options.get("org")
        organisation = None
        if role in GLOBAL_ROLES and org_code:
            raise CommandError(f"{role} acts on all organisations: leave out --org.")
        if role not in GLOBAL_ROLES:
            if not org_code:
                raise CommandError(f"{role} needs an organisation: add --org CODE.")
            organisation = Organisation.objects.filter(code=org_code).first()
            if organisation is None:
                raise CommandError(f"No organisation with code {org_code!r}.")
        password = None
        if options["password_stdin"]:
            password = sys.stdin.readline().rstrip("\n")
            if not password:
                raise CommandError("No password on standard input.")
        try:
            user = services.user_get_or_create(actor=self.actor, username=options["username"], password=password)
            membership = services.membership_create(actor=self.actor, user=user, role=role, organisation=organisation)
        except ValidationError as exc:
            raise CommandError("; ".join(exc.messages)) from exc
        where = organisation.code if organisation else "all organisations"
        self.emit(
            options,
            f"{user.username} is {role} in {where}.",
            {
                "username": user.username,
                "role": role,
                "organisation": organisation.code if organisation else None,
                "membership": membership.pk,
            },
        )
