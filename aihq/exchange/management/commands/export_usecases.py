"""aihq export_usecases --format ... --output FILE [filters as in the API]"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import CommandError, CommandParser
from django.http import QueryDict

from aihq.core.cli import AIHQCommand
from aihq.exchange.formats import FORMAT_NAMES
from aihq.exchange.services import export_queryset
from aihq.registry.filtersets import UseCaseFilterSet
from aihq.registry.models import UseCase

FILTERS = (
    "organisation",
    "region",
    "sector",
    "stage",
    "q",
    "updated_since",
    "development_method",
    "is_generative",
    "is_public",
)


class Command(AIHQCommand):
    help = "Export use cases to an OMB 2024/2025 inventory, or AIHQ's CSV, XLSX or JSON columns."

    def add_arguments(self, parser: CommandParser) -> None:
        super().add_arguments(parser)
        parser.add_argument("--format", choices=FORMAT_NAMES, required=True)
        parser.add_argument("--output", type=Path, required=True, help="File to write (OMB formats: .csv or .xlsx).")
        for name in FILTERS:
            parser.add_argument(f"--{name.replace('_', '-')}", dest=name, help=f"Filter: {name} (as in the API).")
        parser.add_argument(
            "--include-children", action="store_true", help="With --organisation: its sub-organisations too."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        query = QueryDict(mutable=True)
        for name in FILTERS:
            if options.get(name):
                query.setlist(name, options[name].split(",") if name == "stage" else [options[name]])
        if options["include_children"]:
            query["include_children"] = "true"
        filterset = UseCaseFilterSet(query, queryset=UseCase.objects.all())
        if not filterset.is_valid():
            raise CommandError("; ".join(f"{k}: {' '.join(v)}" for k, v in filterset.errors.items()))
        kind = None
        if options["format"].startswith("omb"):
            kind = "xlsx" if options["output"].suffix.lower() == ".xlsx" else "csv"
        count = filterset.qs.count()
        with self.progress("Exporting", count, quiet=options["json"]) as advance:
            content, _type, _ext = export_queryset(filterset.qs, options["format"], kind, progress=advance)
        options["output"].write_bytes(content)
        self.emit(
            options,
            f"Exported {count} use cases to {options['output']} ({options['format']}).",
            {"exported": count, "output": str(options["output"])},
        )
