from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SovereigntyConfig(AppConfig):
    name = "aihq.sovereignty"
    label = "sovereignty"
    verbose_name = _("Sovereignty and the AI supply chain")

    def ready(self) -> None:
        from aihq.exchange.signals import use_cases_imported

        use_cases_imported.connect(_infer_suppliers, dispatch_uid="sovereignty-infer-suppliers")


def _infer_suppliers(sender: object, actor: object, ids: list[int], **kwargs: object) -> None:
    from aihq.sovereignty.services import infer_from_inventory

    infer_from_inventory(actor=actor, use_case_ids=ids)
