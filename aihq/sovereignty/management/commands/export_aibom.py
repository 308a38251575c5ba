"""aihq export_aibom --use-case ID [--output FILE]"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import CommandError, CommandParser

from aihq.core.cli import AIHQCommand
from aihq.registry.models import UseCase
from aihq.sovereignty import cyclonedx
from aihq.sovereignty.services import export_aibom


class Command(AIHQCommand):
    help = "Write a use case's AI-BOM as CycloneDX 1.6 JSON (checked against the shipped schema)."

    def add_arguments(self, parser: CommandParser) -> None:
        super().add_arguments(parser)
        parser.add_argument("--use-case", type=int, required=True, help="The use case's id.")
        parser.add_argument("--output", type=Path, help="File to write (default: standard output).")

    def handle(self, *args: Any, **options: Any) -> None:
        use_case = UseCase.objects.filter(pk=options["use_case"]).first()
        if use_case is None:
            raise CommandError(f"No use case has the id {options['use_case']}.")
        document = export_aibom(use_case)
        problems = cyclonedx.validate(document)
        if problems:
            raise CommandError("The export does not validate: " + "; ".join(problems))
        text = cyclonedx.dumps(document)
        if options["output"]:
            options["output"].write_text(text, encoding="utf-8")
            self.emit(
                options,
                f"Wrote {len(document.get('components', [])) + len(document.get('services', []))} components to "
                f"{options['output']}.",
                {"file": str(options["output"]), "valid": True},
            )
        else:
            self.stdout.write(text)
