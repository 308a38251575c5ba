"""aihq import_aibom FILE --use-case ID [--dry-run] [--json]"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import CommandError, CommandParser

from aihq.core.cli import AIHQCommand
from aihq.registry.models import UseCase
from aihq.sovereignty.services import AibomErrors, import_aibom


class Command(AIHQCommand):
    help = (
        "Import a CycloneDX 1.6 AI-BOM (JSON) into a use case: checked against the CycloneDX schema, all or "
        "nothing, every problem named by component and place."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        super().add_arguments(parser)
        parser.add_argument("file", type=Path)
        parser.add_argument("--use-case", type=int, required=True, help="The use case's id.")
        parser.add_argument("--dry-run", action="store_true", help="Check everything, save nothing.")

    def handle(self, *args: Any, **options: Any) -> None:
        use_case = UseCase.objects.filter(pk=options["use_case"]).first()
        if use_case is None:
            raise CommandError(f"No use case has the id {options['use_case']}.")
        try:
            content = options["file"].read_bytes()
        except OSError as exc:
            raise CommandError(str(exc)) from None
        try:
            outcome = import_aibom(actor=self.actor, use_case=use_case, content=content, dry_run=options["dry_run"])
        except AibomErrors as exc:
            for problem in exc.problems:
                prefix = "warning: " if problem.level == "warning" else ""
                self.stderr.write(
                    f"{prefix}component {problem.row}, {problem.field}: {problem.message} ({problem.value})"
                )
            raise CommandError(str(exc)) from None
        for problem in outcome.warnings:
            self.stderr.write(f"warning: component {problem.row}, {problem.field}: {problem.message} ({problem.value})")
        prefix = "Checked (dry run, nothing saved): " if outcome.dry_run else ""
        summary = (
            f"{prefix}{len(outcome.created)} added, {len(outcome.updated)} updated, {len(outcome.unchanged)} unchanged"
            f" in the AI-BOM of use case {use_case.pk}; {len(outcome.suppliers_created)} new suppliers."
        )
        self.emit(options, summary, outcome.as_dict())
