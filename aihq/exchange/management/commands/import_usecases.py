"""aihq import_usecases FILE [--format ...] [--organisation CODE] [--dry-run] [--strict] [--on-conflict ...] [--json]"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from django.core.management.base import CommandError, CommandParser

from aihq.core.cli import AIHQCommand
from aihq.exchange.formats import FORMAT_NAMES
from aihq.exchange.selectors import run_report
from aihq.exchange.services import ON_CONFLICT, ImportOptions, import_usecases
from aihq.registry.models import Organisation


class Command(AIHQCommand):
    help = "Import use cases from an OMB 2024/2025 inventory, or AIHQ's CSV, XLSX or JSON columns."

    def add_arguments(self, parser: CommandParser) -> None:
        super().add_arguments(parser)
        parser.add_argument("file", type=Path)
        parser.add_argument("--format", choices=FORMAT_NAMES, help="Default: detected from the header.")
        parser.add_argument(
            "--organisation", help="Code of the organisation the file belongs to (OMB: the parent of its agencies)."
        )
        parser.add_argument("--dry-run", action="store_true", help="Show what would happen; write nothing.")
        parser.add_argument("--strict", action="store_true", help="Any row error aborts the whole import.")
        parser.add_argument(
            "--on-conflict",
            choices=ON_CONFLICT,
            default="update",
            help="Rows matching existing use cases (default update).",
        )
        parser.add_argument("--encoding", help="The file's encoding when it is not UTF-8 and cannot be detected.")
        parser.add_argument(
            "--as-user", help="Import with this user's rights (default: the command line's full rights)."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        if not path.is_file():
            raise CommandError(f"No such file: {path}")
        organisation = None
        if options["organisation"]:
            organisation = Organisation.objects.filter(code=options["organisation"]).first()
            if organisation is None:
                raise CommandError(f"No organisation with code {options['organisation']!r}.")
        actor: Any = self.actor
        if options["as_user"]:
            from aihq.accounts.models import User

            actor = User.objects.filter(username=options["as_user"]).first()
            if actor is None:
                raise CommandError(f"No user {options['as_user']!r}.")
        data = path.read_bytes()
        import_options = ImportOptions(
            format=options["format"],
            organisation=organisation,
            dry_run=options["dry_run"],
            strict=options["strict"],
            on_conflict=options["on_conflict"],
            encoding=options["encoding"],
        )
        estimate = max(data.count(b"\n"), 1)
        with self.progress(f"Importing {path.name}", estimate, quiet=options["json"]) as advance:
            run = import_usecases(
                actor=actor,
                data=data,
                file_name=path.name,
                options=import_options,
                progress=advance,
            )
        report = run_report(run)
        if options["json"]:
            self.stdout.write(json.dumps(report, ensure_ascii=False, default=str))
        else:
            self._print(report)
        if run.status in ("failed", "aborted"):
            sys.exit(2)

    def _print(self, report: dict[str, Any]) -> None:
        for note in report["notes"]:
            self.console.print(f"[dim]· {note}[/]")
        errors = [p for p in report["problems"] if p["level"] == "error"]
        for problem in errors[:20]:
            self.console.print(
                f"[red]row {problem['row']}[/] {problem['field']} = {problem['value']!r}: {problem['message']}"
            )
        if len(errors) > 20:
            self.console.print(f"… and {len(errors) - 20} more errors (see --json or the rejects file)")
        if report["rejects_file"]:
            self.console.print(f"Rejected rows written to {report['rejects_file']}")
        self.stdout.write(report["summary"])
