"""What AIHQ's management commands share: a system actor for the audit log, rich output, --json."""

from __future__ import annotations

import contextlib
import json
from collections.abc import Callable, Iterator
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from aihq.accounts.permissions import SystemActor
from aihq.core import context

#: Long jobs report progress through a factory: ``with progress(description, total) as advance: advance(n)``.
Advance = Callable[[int], None]
ProgressFactory = Callable[[str, int], contextlib.AbstractContextManager[Advance]]


@contextlib.contextmanager
def no_progress(description: str, total: int) -> Iterator[Advance]:
    """A progress factory that shows nothing (library calls, tests)."""
    yield lambda n: None


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

    @contextlib.contextmanager
    def progress(self, description: str, total: int, *, quiet: bool = False) -> Iterator[Callable[[int], None]]:
        """A progress bar on the terminal (none with --json or when output is not a terminal); yields advance(n)."""
        with Progress(
            TextColumn(f"[bold]{description}[/]"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=self.console,
            transient=True,
            disable=quiet or not self.console.is_terminal,
        ) as bar:
            task = bar.add_task(description, total=total)
            yield lambda n: bar.advance(task, n)

    def emit(self, options: dict[str, Any], summary: str, data: dict[str, Any]) -> None:
        """End with one line: the summary, or the data as JSON with --json."""
        if options.get("json"):
            self.stdout.write(json.dumps(data, ensure_ascii=False, default=str))
        else:
            self.stdout.write(summary)
