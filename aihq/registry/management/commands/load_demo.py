"""aihq load_demo [--if-empty] — the illustrative demo set and one demo account per role."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import CommandError, CommandParser

from aihq.core.cli import AIHQCommand
from aihq.registry.demo import ACCOUNTS, DEMO_PASSWORD, load_demo
from aihq.registry.models import Organisation, UseCase


class Command(AIHQCommand):
    help = "Load the demo organisations, use cases and accounts (idempotent). Refused in production."

    def add_arguments(self, parser: CommandParser) -> None:
        super().add_arguments(parser)
        parser.add_argument("--if-empty", action="store_true", help="Do nothing if the registry already has data.")
        parser.add_argument("--show-accounts", action="store_true", help="Print how to sign in as each demo account.")

    def handle(self, *args: Any, **options: Any) -> None:
        if settings.PRODUCTION:
            raise CommandError("Demo data and demo accounts are never loaded in production (AIHQ_ENV=production).")
        if options["if_empty"] and (UseCase.objects.exists() or Organisation.objects.exists()):
            counts: dict[str, int] = {}
            summary = "The registry already has data; demo not loaded."
        else:
            with self.console.status("Loading demo data…"):
                counts = load_demo(actor=self.actor)
            summary = ", ".join(f"{value} {key.replace('_', ' ')}" for key, value in counts.items()) + " (demo)."
        if options["show_accounts"] and not options.get("json"):
            self.stdout.write(f"Demo accounts (password for all: {DEMO_PASSWORD}):")
            for username, role, org in ACCOUNTS:
                self.stdout.write(f"  {username:<12} {role.label}{' of ' + org if org else ''}")
        self.emit(options, summary, {"loaded": counts})
