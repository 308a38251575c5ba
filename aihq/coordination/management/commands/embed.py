"""aihq embed [--json]"""

from __future__ import annotations

from typing import Any

from aihq.coordination import embeddings
from aihq.core.cli import AIHQCommand


class Command(AIHQCommand):
    help = "Embed the use cases and public incidents not embedded yet, changed since, or embedded by another model."

    def handle(self, *args: Any, **options: Any) -> None:
        missing = embeddings.missing_count()
        with self.progress("Embedding", missing, quiet=options["json"]) as advance:
            cases = embeddings.embed_use_cases(progress=advance)
        incidents = embeddings.embed_incidents()
        self.emit(
            options,
            f"{cases} use cases and {incidents} public incidents embedded ({embeddings.MODEL}).",
            {"use_cases": cases, "incidents": incidents, "model": embeddings.MODEL},
        )
