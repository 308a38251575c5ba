"""aihq refresh_rollups [--indicator CODE ...]"""

from __future__ import annotations

from typing import Any

from django.core.management.base import CommandError, CommandParser
from django.db import transaction

from aihq.core.cli import AIHQCommand
from aihq.objectives.models import Indicator
from aihq.objectives.rollups import refresh_national_values


class Command(AIHQCommand):
    help = "Recompute indicators' national values from the reported ones (after loading measurements directly)."

    def add_arguments(self, parser: CommandParser) -> None:
        super().add_arguments(parser)
        parser.add_argument("--indicator", action="append", default=[], help="Only this indicator code (repeatable).")

    def handle(self, *args: Any, **options: Any) -> None:
        indicators = Indicator.objects.all()
        if options["indicator"]:
            indicators = indicators.filter(code__in=options["indicator"])
            missing = set(options["indicator"]) - set(indicators.values_list("code", flat=True))
            if missing:
                raise CommandError(f"No indicator has the code {', '.join(sorted(missing))}.")
        ids = list(indicators.values_list("pk", flat=True))
        with transaction.atomic():
            written = refresh_national_values(ids)
        self.emit(
            options, f"{written} national values for {len(ids)} indicators.", {"indicators": len(ids), "rows": written}
        )
