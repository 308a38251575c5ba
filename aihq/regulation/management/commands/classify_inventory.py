"""aihq classify_inventory — give OMB-inventory use cases their M-25-21 classification from their answers."""

from __future__ import annotations

from typing import Any

from aihq.core.cli import AIHQCommand
from aihq.core.services import service
from aihq.registry.models import UseCase
from aihq.regulation.services import prefill_from_inventory


class Command(AIHQCommand):
    help = (
        "Pre-fill the OMB M-25-21 classification and requirement statuses of use cases imported from a US "
        "federal inventory (2024 or 2025) that are not classified under it yet. Imports do this by themselves; "
        "run it for data imported before AIHQ classified, or after classifications were removed. Use cases "
        "already classified keep their classification (re-classify them on their page or through the API)."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        ids = list(UseCase.objects.filter(source_format__in=("omb-2024", "omb-2025")).values_list("pk", flat=True))
        done = service(prefill_from_inventory)(actor=self.actor, use_case_ids=ids)
        self.emit(
            options,
            f"{done} use cases classified under OMB M-25-21 ({len(ids)} from OMB inventories).",
            {"classified": done, "inventory_use_cases": len(ids)},
        )
