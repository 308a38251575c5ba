from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EvaluationConfig(AppConfig):
    name = "aihq.evaluation"
    label = "evaluation"
    verbose_name = _("Evaluation")

    def ready(self) -> None:
        from aihq.evaluation import services
        from aihq.registry import stages

        stages.register(services.gate_guard)
        stages.stage_changed.connect(services.use_go_decisions, dispatch_uid="evaluation-use-go-decisions")
