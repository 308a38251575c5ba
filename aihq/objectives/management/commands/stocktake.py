"""aihq stocktake [--at DATE] [--all] [--json]"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import CommandError, CommandParser

from aihq.core.cli import AIHQCommand
from aihq.objectives import engine, selectors


class Command(AIHQCommand):
    help = "Indicators rated amber-red or red (or all with --all), worst first, with their owner and forecast."

    def add_arguments(self, parser: CommandParser) -> None:
        super().add_arguments(parser)
        parser.add_argument("--at", help="The day to assess, YYYY-MM-DD (default: today).")
        parser.add_argument("--all", action="store_true", help="Every indicator, not only amber-red and red.")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            at = dt.date.fromisoformat(options["at"]) if options["at"] else dt.date.today()
        except ValueError:
            raise CommandError("Give --at as YYYY-MM-DD.") from None
        ratings = engine.RAG_ORDER if options["all"] else ("red", "amber_red")
        rows = selectors.stocktake(self.actor, at, ratings=ratings)
        data = []
        for row in rows:
            owner = row.indicator.responsible
            data.append(
                {
                    "indicator": row.indicator.code,
                    "name": row.indicator.name,
                    "owner": owner.code if owner else None,
                    **selectors.status_dict(row.rated),
                }
            )
        if not options["json"]:
            for item in data:
                forecast = item["forecast"]["value"] if item["forecast"] else None
                self.stdout.write(
                    f"{item['effective_rag']:<18} {item['indicator']:<20} owner {item['owner'] or '—':<12} "
                    f"forecast {forecast if forecast is None else round(forecast, 2)} / target {item['target']}"
                )
        self.emit(options, f"{len(data)} indicators as of {at.isoformat()}.", {"at": at.isoformat(), "results": data})
