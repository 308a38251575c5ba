from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AuditConfig(AppConfig):
    name = "aihq.audit"
    label = "audit"
    verbose_name = _("Audit log")

    def ready(self) -> None:
        from aihq.audit import recorder

        recorder.connect_signals()
