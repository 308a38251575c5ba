from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EnergyConfig(AppConfig):
    name = "aihq.energy"
    label = "energy"
    verbose_name = _("Compute and power")
