from __future__ import annotations

from typing import Any

from django.apps import AppConfig
from django.db import DEFAULT_DB_ALIAS, connections
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


def _load_frameworks(sender: Any, using: str = DEFAULT_DB_ALIAS, **kwargs: Any) -> None:
    """The frameworks shipped in the package are there as soon as the database is: load missing versions
    (unless the migration run left the tables out, as ``migrate regulation zero`` or ``migrate accounts`` do)."""
    from aihq.accounts.permissions import SystemActor
    from aihq.regulation.models import Framework
    from aihq.regulation.services import load_shipped_frameworks

    if using != DEFAULT_DB_ALIAS:
        return
    tables = set(connections[using].introspection.table_names())
    if not {Framework._meta.db_table, "audit_auditevent"} <= tables:
        return
    load_shipped_frameworks(SystemActor("system:frameworks"))


def _prefill(sender: Any, actor: Any, ids: list[int], **kwargs: Any) -> None:
    from aihq.regulation.services import prefill_from_inventory

    prefill_from_inventory(actor=actor, use_case_ids=ids)
