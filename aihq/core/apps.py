from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "aihq.core"
    label = "core"
    verbose_name = _("Core")

    def ready(self) -> None:
        # Imported for what they register: system checks, and the integer "in" lookups.
        from aihq.core import checks, lookups  # noqa: F401
