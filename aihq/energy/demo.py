"""The demo's compute and power planning: the shipped "Russia 2030" scenario, run once."""

from __future__ import annotations

from typing import Any

from aihq.energy.models import Scenario
from aihq.energy.scenarios import russia_2030
from aihq.energy.services import scenario_create, scenario_run


def load_scenarios(*, actor: Any) -> dict[str, int]:
    """Create the shipped scenario if missing and run it (idempotent)."""
    definition = russia_2030()
    if Scenario.objects.filter(code=definition["code"]).exists():
        return {"scenarios": 0}
    scenario = scenario_create(actor=actor, **definition)
    scenario_run(actor=actor, scenario=scenario)
    return {"scenarios": 1}
