"""What AIHQ's management commands share: a system actor for the audit log, rich output, --json."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from rich.console import Console

from aihq.accounts.permissions import SystemActor
from aihq.core import context


class AIHQCommand(BaseCommand):
    """A command whose writes are audited as ``cli:<name>`` and which can answer in JSON."""

    json_option = True

    def create_parser(self, prog_name: str, subcommand: str, **kwargs: Any) -> CommandParser:
        self.command_name = subcommand
        return super().create_parser(prog_name, subcommand, **kwargs)

    def add_arguments(self, parser: CommandParser) -> None:
        if self.json_option:
            parser.add_argument("--json", action="store_true", help="Print a JSON summary instead of text.")

    def execute(self, *args: Any, **options: Any) -> str | None:
        self.console = Console(stderr=True, highlight=False)
        self.actor = SystemActor(f"cli:{getattr(self, 'command_name', 'aihq')}")
        with context.acting(self.actor, label=self.actor.label):
            return super().execute(*args, **options)

    def emit(self, options: dict[str, Any], summary: str, data: dict[str, Any]) -> None:
        """End with one line: the summary, or the data as JSON with --json."""
        if options.get("json"):
            self.stdout.write(json.dumps(data, ensure_ascii=False, default=str))
        else:
            self.stdout.write(summary)
