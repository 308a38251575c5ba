"""Demo reporting cycles: monthly indicator measurements, quarterly benefit updates, a yearly inventory refresh."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from aihq.objectives.models import Indicator
from aihq.registry.models import Organisation
from aihq.routines.models import CycleKind, ReportingCycle
from aihq.routines.obligations import period_end_on, shift
from aihq.routines.services import cycle_create

INVENTORY_ORGANISATIONS = ("MINTSIFRY", "MINZDRAV", "MINEK", "MINTRANS", "FNS", "MCHS")


def load_routines(*, actor: Any) -> dict[str, int]:
    """The three demo cycles, each started a few periods back so the task lists have something in them."""
    if ReportingCycle.objects.exists():
        return {"reporting_cycles": 0}
    today = timezone.localdate()
    indicators = list(Indicator.objects.filter(reporting_organisations__isnull=False).distinct().order_by("code"))
    created = 0
    if indicators:
        cycle_create(
            actor=actor,
            name_en="Monthly indicator measurements",
            name_ru="Ежемесячные значения показателей",
            kind=CycleKind.INDICATOR_MEASUREMENTS,
            frequency="monthly",
            due_days=10,
            starts_on=shift("monthly", period_end_on("monthly", today), -3),
            indicators=indicators,
        )
        created += 1
    cycle_create(
        actor=actor,
        name_en="Quarterly benefit updates",
        name_ru="Ежеквартальное обновление эффектов",
        kind=CycleKind.BENEFIT_UPDATES,
        frequency="quarterly",
        due_days=15,
        starts_on=shift("quarterly", period_end_on("quarterly", today), -1),
        schedule=[
            {"days": -7, "to": "editors"},
            {"days": 0, "to": "editors"},
            {"days": 5, "to": "coordinators"},
            {"days": 15, "to": "hq"},
        ],
    )
    created += 1
    organisations = list(Organisation.objects.filter(code__in=INVENTORY_ORGANISATIONS))
    if organisations:
        cycle_create(
            actor=actor,
            name_en="Yearly inventory refresh",
            name_ru="Ежегодная актуализация реестра",
            kind=CycleKind.INVENTORY_REFRESH,
            frequency="yearly",
            due_days=45,
            starts_on=shift("yearly", period_end_on("yearly", today), -1),
            organisations=organisations,
            schedule=[{"days": -14, "to": "editors"}, {"days": 0, "to": "editors"}, {"days": 7, "to": "coordinators"}],
        )
        created += 1
    return {"reporting_cycles": created}
