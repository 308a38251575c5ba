"""An objective with one indicator (the issue's pinned example) on top of the permission world."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import pytest

D = dt.date


@dataclass
class Plan:
    objective: Any
    indicator: Any
    moscow: Any


@pytest.fixture
def plan(world, system_actor) -> Plan:
    from aihq.objectives.services import (
        MeasurementInput,
        TargetSpec,
        indicator_create,
        measurements_report,
        objective_create,
    )
    from aihq.registry.models import Region

    moscow = Region.objects.create(code="RU-MOW", country="RU", name_en="Moscow", name_ru="Москва")
    objective = objective_create(
        actor=system_actor, code="READY", title_en="AI readiness", title_ru="Готовность к ИИ", owner=world.org_a
    )
    indicator = indicator_create(
        actor=system_actor,
        objective=objective,
        code="READINESS",
        name_en="Share of organisations ready for AI",
        name_ru="Доля организаций, готовых к ИИ",
        unit="percent",
        baseline_value=12,
        baseline_date=D(2022, 12, 31),
        targets=[TargetSpec(D(2030, 12, 31), 95)],
        region_country="RU",
        reporting_organisations=[world.org_a, world.org_b],
    )
    measurements_report(
        actor=system_actor,
        items=[
            MeasurementInput(indicator, D(year, 12, 31), value) for year, value in ((2022, 12), (2023, 20), (2024, 30))
        ],
    )
    return Plan(objective, indicator, moscow)
