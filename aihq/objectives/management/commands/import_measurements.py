"""aihq import_measurements FILE [--indicator CODE] [--dry-run]"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import CommandError, CommandParser
from django.db import transaction

from aihq.core.cli import AIHQCommand
from aihq.exchange.readers import FileProblem, read_table
from aihq.objectives.models import Indicator
from aihq.objectives.rows import parse_rows
from aihq.objectives.services import RowErrors, measurements_report


class _DryRun(Exception):
    pass


class Command(AIHQCommand):
    help = (
        "Report indicator values from a CSV, XLSX or JSON file (columns: indicator, period, region, organisation, "
        "value, weight, source, note). All or nothing: any bad row is reported and nothing is saved."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        super().add_arguments(parser)
        parser.add_argument("file", type=Path)
        parser.add_argument("--indicator", help="The indicator code, when the file has no indicator column.")
        parser.add_argument("--dry-run", action="store_true", help="Check everything, save nothing.")

    def handle(self, *args: Any, **options: Any) -> None:
        indicator = None
        if options["indicator"]:
            indicator = Indicator.objects.filter(code=options["indicator"]).first()
            if indicator is None:
                raise CommandError(f"No indicator has the code {options['indicator']}.")
        try:
            table = read_table(options["file"])
            records = list(table.rows)
        except (FileProblem, OSError) as exc:
            raise CommandError(str(exc)) from None
        items, problems = parse_rows(records, self.actor, indicator=indicator)
        try:
            if problems:
                raise RowErrors(problems)
            with transaction.atomic():
                outcome = measurements_report(actor=self.actor, items=items)
                if options["dry_run"]:
                    raise _DryRun
        except RowErrors as exc:
            for problem in exc.problems:
                self.stderr.write(f"row {problem.row}, {problem.field}: {problem.message} ({problem.value})")
            raise CommandError(str(exc)) from None
        except _DryRun:
            pass
        counts = {"created": len(outcome.created), "updated": len(outcome.updated), "unchanged": len(outcome.unchanged)}
        prefix = "Checked (dry run, nothing saved): " if options["dry_run"] else ""
        summary = f"{prefix}{counts['created']} added, {counts['updated']} replaced, {counts['unchanged']} unchanged."
        self.emit(options, summary, {"dry_run": options["dry_run"], **counts})
