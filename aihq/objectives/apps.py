from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ObjectivesConfig(AppConfig):
    name = "aihq.objectives"
    label = "objectives"
    verbose_name = _("Objectives and fulfilment")
