"""aihq load_regions [--country RU]"""

from __future__ import annotations

from typing import Any

from django.core.management.base import CommandError, CommandParser

from aihq.core.cli import AIHQCommand
from aihq.registry.loaders import load_regions


class Command(AIHQCommand):
    help = (
        "Load a country's regions: Russia's federal subjects from the shipped file, others from ISO 3166-2 (pycountry)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        super().add_arguments(parser)
        parser.add_argument("--country", default="RU", help="ISO 3166-1 alpha-2 code (default RU).")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            created, updated = load_regions(actor=self.actor, country=options["country"])
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        country = options["country"].upper()
        self.emit(
            options,
            f"Regions of {country}: {created} created, {updated} updated.",
            {"country": country, "created": created, "updated": updated},
        )
