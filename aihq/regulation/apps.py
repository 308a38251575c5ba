from __future__ import annotations

from typing import Any

from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class RegulationConfig(AppConfig):
    name = "aihq.regulation"
    label = "regulation"
    verbose_name = _("Regulation, risks and incidents")

    def ready(self) -> None:
        from aihq.exchange.signals import use_cases_imported

        post_migrate.connect(_load_frameworks, sender=self, dispatch_uid="regulation-load-frameworks")
        use_cases_imported.connect(_prefill, dispatch_uid="regulation-prefill-omb")


def _load_frameworks(sender: Any, using: str = "default", **kwargs: Any) -> None:
    """The frameworks shipped in the package are there as soon as the database is: load missing versions."""
    from aihq.accounts.permissions import SystemActor
    from aihq.regulation.services import load_shipped_frameworks

    load_shipped_frameworks(SystemActor("system:frameworks"))


def _prefill(sender: Any, actor: Any, ids: list[int], **kwargs: Any) -> None:
    from aihq.regulation.services import prefill_from_inventory

    prefill_from_inventory(actor=actor, use_case_ids=ids)
