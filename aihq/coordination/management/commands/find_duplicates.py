"""aihq find_duplicates [--threshold T] [--neighbours K] [--json]"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import CommandError, CommandParser

from aihq.coordination import embeddings, services
from aihq.core.cli import AIHQCommand


class Command(AIHQCommand):
    help = (
        "Embed the use cases not embedded yet (or changed), then list every pair of use cases of different "
        "organisations that are among each other's nearest neighbours at or above the threshold, in clusters."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        super().add_arguments(parser)
        parser.add_argument(
            "--threshold",
            type=float,
            default=services.DEFAULT_THRESHOLD,
            help="Cosine similarity, 0–1 (default %(default)s).",
        )
        parser.add_argument(
            "--neighbours",
            type=int,
            default=services.NEIGHBOURS,
            help="Nearest neighbours per use case (default %(default)s).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if not 1 <= options["neighbours"] <= 100:
            raise CommandError("--neighbours is between 1 and 100.")
        missing = embeddings.missing_count()
        with self.progress("Embedding", missing, quiet=options["json"]) as advance:
            try:
                outcome = services.find_duplicates(
                    actor=self.actor, threshold=options["threshold"], neighbours=options["neighbours"], progress=advance
                )
            except ValidationError as exc:
                raise CommandError(" ".join(exc.messages)) from None
        incidents = embeddings.embed_incidents()
        outcome["incidents_embedded"] = incidents
        self.emit(
            options,
            f"{outcome['pairs']} pairs in {outcome['clusters']} clusters at ≥ {outcome['threshold']} among "
            f"{outcome['use_cases']} use cases ({outcome['embedded']} embedded now, {incidents} public incidents).",
            outcome,
        )
