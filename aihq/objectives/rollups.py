"""National values per period, derived from what was reported (the one place they are computed).

Services call ``refresh_national_values`` after every write that can change one; bulk loads that
write measurements directly call it (or ``aihq refresh_rollups``) once at the end.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.db.models import Avg, Count, F, Q, Sum

from aihq.core.db import insert_rows
from aihq.objectives.models import Aggregation, Indicator, Measurement, NationalValue


def _aggregate(rule: str, row: dict[str, Any]) -> float | None:
    if rule == Aggregation.SUM:
        return float(row["total"])
    if rule == Aggregation.MEAN:
        return float(row["mean"])
    weight = row["weight_total"]
    return float(row["weighted_total"]) / float(weight) if weight else None


def refresh_national_values(indicator_ids: Iterable[int], periods: Iterable[dt.date] | None = None) -> int:
    """Recompute the national values of ``indicator_ids`` (only ``periods``, if given); returns rows written."""
    ids = sorted(set(indicator_ids))
    if not ids:
        return 0
    # Lock the indicators: two reports of the same period must not both rewrite its national value.
    rules = dict(
        Indicator.objects.select_for_update().order_by("pk").filter(pk__in=ids).values_list("pk", "aggregation")
    )
    scope = Q(indicator_id__in=ids)
    if periods is not None:
        wanted = sorted(set(periods))
        if not wanted:
            return 0
        scope &= Q(period_end__in=wanted)
    source = Measurement.objects.filter(scope, organisation__isnull=True)
    values: dict[tuple[int, dt.date], tuple[float, bool, int]] = {}
    rollup = (
        source.filter(region__isnull=False)
        .values("indicator_id", "period_end")
        .annotate(
            total=Sum("value"),
            mean=Avg("value"),
            weighted_total=Sum(F("value") * F("weight")),
            weight_total=Sum("weight"),
            regions=Count("id"),
            weighted_regions=Count("weight"),
        )
        .order_by()
    )
    for row in rollup:
        if rules[row["indicator_id"]] == Aggregation.WEIGHTED_MEAN:
            row["regions"] = row["weighted_regions"]
        aggregated = _aggregate(rules[row["indicator_id"]], row)
        if aggregated is not None:
            values[(row["indicator_id"], row["period_end"])] = (aggregated, True, row["regions"])
    for indicator_id, day, value in source.filter(region__isnull=True).values_list(
        "indicator_id", "period_end", "value"
    ):
        previous = values.get((indicator_id, day))
        values[(indicator_id, day)] = (value, False, previous[2] if previous else 0)
    NationalValue.objects.filter(scope).delete()
    now = dt.datetime.now(dt.UTC)
    return insert_rows(
        NationalValue,
        ["indicator_id", "period_end", "value", "derived", "regions", "created_at", "updated_at"],
        (
            (key[0], key[1], value, derived, regions, now, now)
            for key, (value, derived, regions) in sorted(values.items())
        ),
    )
