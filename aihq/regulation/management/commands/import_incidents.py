"""aihq import_incidents --format aiid [DIR] [--dry-run] [--json]"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import CommandError, CommandParser

from aihq.core.cli import AIHQCommand
from aihq.exchange.formats import Problem
from aihq.regulation.library import FORMATS, RowErrors, import_public_incidents, shipped_aiid_directory


class Command(AIHQCommand):
    help = (
        "Load a public AI incident library into AIHQ. --format aiid reads an AI Incident Database snapshot "
        "(incidents.csv and classifications_MIT.csv); without DIR, the snapshot shipped with AIHQ. "
        "All or nothing: any error is reported row by row and nothing is saved. Running it again with "
        "the same files changes nothing."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        super().add_arguments(parser)
        parser.add_argument(
            "--format", choices=FORMATS, default="aiid", help="The library's format (only aiid so far)."
        )
        parser.add_argument(
            "directory",
            nargs="?",
            type=Path,
            help="The folder holding the files (default: the AI Incident Database snapshot shipped with AIHQ).",
        )
        parser.add_argument("--dry-run", action="store_true", help="Check and count everything, save nothing.")

    def handle(self, *args: Any, **options: Any) -> None:
        directory = options["directory"] or shipped_aiid_directory()
        data: dict[str, Any] = {"format": options["format"], "directory": str(directory)}
        try:
            outcome = import_public_incidents(actor=self.actor, directory=directory, dry_run=options["dry_run"])
        except RowErrors as exc:
            self._report(exc.problems)
            if options["json"]:
                self.stdout.write(
                    json.dumps(
                        {**data, "ok": False, "error": str(exc), "problems": [p.as_dict() for p in exc.problems]},
                        ensure_ascii=False,
                    )
                )
            raise CommandError(str(exc)) from None
        self._report(outcome.problems)
        prefix = "Checked (dry run, nothing saved): " if options["dry_run"] else ""
        warnings = f", {len(outcome.warnings)} warning(s)" if outcome.warnings else ""
        summary = (
            f"{prefix}{outcome.created} added, {outcome.updated} updated, {outcome.unchanged} unchanged{warnings}. "
            "Incident data: AI Incident Database (incidentdatabase.ai), CC BY-SA 4.0."
        )
        self.emit(options, summary, {**data, "ok": True, **outcome.as_dict()})

    def _report(self, problems: list[Problem]) -> None:
        for problem in problems:
            where = f"row {problem.row}, {problem.field}" if problem.row else problem.field
            level = "warning: " if problem.level == "warning" else ""
            self.stderr.write(f"{level}{where}: {problem.message} ({problem.value})")
