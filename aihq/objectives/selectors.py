"""Reads for objectives: scoped querysets, and the fulfilment status of indicators, regions and organisations.

The database does the roll-ups (regional values to national ones per period, in one GROUP BY); the
engine (``aihq.objectives.engine``) does the arithmetic on the arrays that come back.

Which measurements make which series:

* the **national** series of an indicator: values reported without region and organisation; a period
  with none takes the regions' values (without organisation) aggregated by the indicator's rule;
* a **region's** series: values for that region (the HQ's statistic, without organisation, wins over
  an organisation's for the same period);
* an **organisation's** series: values reported for it.

A region is measured against its own targets when it has them; otherwise, for indicators that are a
mean of the regions, against the national trajectory; a region's share of a national sum has no plan.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
from django.db.models import F, Q, QuerySet

from aihq.core.db import DayNumber, number_matrix
from aihq.objectives import engine
from aihq.objectives.models import (
    Aggregation,
    Frequency,
    Indicator,
    Measurement,
    NationalValue,
    Objective,
    RagOverride,
)
from aihq.registry.models import Organisation, OrganisationKind, Region

LeagueBy = Literal["region", "organisation"]
#: The days a status can be asked for (the calendar arithmetic of due periods stays in range).
EARLIEST, LATEST = dt.date(1900, 1, 1), dt.date(2200, 12, 31)


def objective_list(user: Any) -> QuerySet[Objective]:
    return Objective.objects.restrict(user, "view").select_related("owner")  # type: ignore[no-any-return]


def indicator_list(user: Any) -> QuerySet[Indicator]:
    return Indicator.objects.restrict(user, "view").select_related(  # type: ignore[no-any-return]
        "objective", "objective__owner", "owner"
    )


def measurement_list(user: Any) -> QuerySet[Measurement]:
    return Measurement.objects.restrict(user, "view").select_related(  # type: ignore[no-any-return]
        "indicator", "region", "organisation", "reported_by"
    )


# --- plans -------------------------------------------------------------------------------------


@dataclass
class Plans:
    """An indicator's national plan and its regions' own plans."""

    national: engine.Plan | None
    regional: dict[int, engine.Plan] = field(default_factory=dict)

    def for_region(self, indicator: Indicator, region_id: int) -> engine.Plan | None:
        if region_id in self.regional:
            return self.regional[region_id]
        return self.national if indicator.aggregation != Aggregation.SUM else None


def plans_for(indicators: Sequence[Indicator]) -> dict[int, Plans]:
    """The plans of many indicators, from their baselines and targets (one query)."""
    from aihq.objectives.models import Target

    national_points: dict[int, list[tuple[dt.date, float]]] = defaultdict(list)
    regional_points: dict[int, dict[int, list[tuple[dt.date, float]]]] = defaultdict(lambda: defaultdict(list))
    by_id = {indicator.pk: indicator for indicator in indicators}
    for indicator in indicators:
        if indicator.baseline_date is not None and indicator.baseline_value is not None:
            national_points[indicator.pk].append((indicator.baseline_date, indicator.baseline_value))
    for indicator_id, region_id, day, value in Target.objects.filter(indicator_id__in=list(by_id)).values_list(
        "indicator_id", "region_id", "date", "value"
    ):
        if region_id is None:
            national_points[indicator_id].append((day, value))
        else:
            regional_points[indicator_id][region_id].append((day, value))
    plans: dict[int, Plans] = {}
    for indicator_id, indicator in by_id.items():
        shape: engine.Shape = indicator.shape  # type: ignore[assignment]
        points = national_points.get(indicator_id)
        plans[indicator_id] = Plans(
            national=engine.Plan.from_points(points, shape) if points else None,
            regional={
                region_id: engine.Plan.from_points(region_points, shape)
                for region_id, region_points in regional_points.get(indicator_id, {}).items()
            },
        )
    return plans


# --- series ------------------------------------------------------------------------------------


@dataclass
class Series:
    """Days and values of one series, oldest first."""

    t: engine.FloatArray
    y: engine.FloatArray
    derived: engine.FloatArray | None = None  # 1 where the value was aggregated from the regions

    @classmethod
    def of(cls, pairs: Iterable[tuple[dt.date, float]], derived: Iterable[bool] | None = None) -> Series:
        items = sorted(pairs)
        t = np.array([engine.day_number(day) for day, _ in items], dtype=np.float64)
        y = np.array([value for _, value in items], dtype=np.float64)
        flags = None if derived is None else np.array(list(derived), dtype=np.float64)
        return cls(t, y, flags)

    def __len__(self) -> int:
        return len(self.t)


def national_series_many(indicators: Sequence[Indicator], user: Any, until: dt.date | None = None) -> dict[int, Series]:
    """Each indicator's national series: reported national values, else the regions' roll-up per period."""
    ids = [indicator.pk for indicator in indicators]
    rows = NationalValue.objects.restrict(user, "view").filter(indicator_id__in=ids)
    if until is not None:
        rows = rows.filter(period_end__lte=until)
    # Day numbers straight from the database: no date objects for tens of thousands of rows.
    data = number_matrix(
        rows.annotate(day=DayNumber("period_end"))
        .order_by("indicator_id", "period_end")
        .values_list("indicator_id", "day", "value", "derived"),
        4,
    )
    bounds = np.searchsorted(data[:, 0], ids, side="left"), np.searchsorted(data[:, 0], ids, side="right")
    return {
        pk: Series(data[start:end, 1].copy(), data[start:end, 2].copy(), data[start:end, 3].copy())
        for pk, start, end in zip(ids, bounds[0], bounds[1], strict=True)
    }


def _first_per_period(rows: Iterable[tuple[int, dt.date, float]]) -> dict[int, list[tuple[dt.date, float]]]:
    """Rows (key, day, value) ordered best first per (key, day): keep the first of each."""
    seen: set[tuple[int, dt.date]] = set()
    out: dict[int, list[tuple[dt.date, float]]] = defaultdict(list)
    for key, day, value in rows:
        if (key, day) in seen:
            continue
        seen.add((key, day))
        out[key].append((day, value))
    return out


def regional_figures(user: Any) -> QuerySet[Measurement]:
    """Values that count as a region's figure: the HQ's statistic, or one its own regional government reported.

    (Reporting validates that an organisation names only its own region.)
    """
    return Measurement.objects.restrict(user, "view").filter(
        Q(organisation__isnull=True) | Q(organisation__kind=OrganisationKind.REGIONAL_GOVERNMENT),
        region__isnull=False,
    )


def _first_per_day(rows: engine.FloatArray) -> engine.FloatArray:
    """Rows (indicator, region, day, value) sorted best first within each (indicator, region, day): the first of
    each."""
    if not len(rows):
        return rows
    return rows[np.r_[True, (rows[1:, :3] != rows[:-1, :3]).any(axis=1)]]


def regional_series_many(indicators: Sequence[Indicator], user: Any) -> dict[int, dict[int, Series]]:
    """Each indicator's regional series (indicator → region → series), in one query. Where several figures share
    a region and a day, the HQ's statistic (no organisation) counts, then the first reported. Day numbers come
    straight from the database and the rows are grouped with numpy: a league reads tens of thousands."""
    rows = (
        regional_figures(user)
        .filter(indicator__in=list(indicators))
        .annotate(day=DayNumber("period_end"))
        .order_by("indicator_id", "region_id", "period_end", F("organisation_id").asc(nulls_first=True), "id")
        .values_list("indicator_id", "region_id", "day", "value")
    )
    data = _first_per_day(number_matrix(rows, 4))
    series: dict[int, dict[int, Series]] = {indicator.pk: {} for indicator in indicators}
    if not len(data):
        return series
    starts = np.flatnonzero(np.r_[True, (data[1:, :2] != data[:-1, :2]).any(axis=1)])
    for start, end in zip(starts, [*starts[1:], len(data)], strict=True):
        indicator_id, region_id = int(data[start, 0]), int(data[start, 1])
        series[indicator_id][region_id] = Series(data[start:end, 2].copy(), data[start:end, 3].copy())
    return series


def regional_series(indicator: Indicator, user: Any) -> dict[int, Series]:
    return regional_series_many([indicator], user)[indicator.pk]


def organisation_series(indicator: Indicator, user: Any) -> dict[int, Series]:
    rows = (
        Measurement.objects.restrict(user, "view")
        .filter(indicator=indicator, organisation__isnull=False)
        .order_by("organisation_id", "period_end", F("region_id").asc(nulls_first=True), "id")
        .values_list("organisation_id", "period_end", "value")
    )
    return {key: Series.of(points) for key, points in _first_per_period(rows).items()}


# --- statuses ----------------------------------------------------------------------------------


@dataclass
class Rated:
    """A status with its override (if any); ``rag`` is the rating that applies."""

    status: engine.Status
    override: RagOverride | None = None

    @property
    def computed_rag(self) -> str:
        return self.status.rag

    @property
    def rag(self) -> str:
        return self.override.rating if self.override is not None else self.status.rag

    @property
    def overridden(self) -> bool:
        return self.override is not None and self.override.rating != self.status.rag


def _overrides(indicator_ids: Iterable[int]) -> dict[tuple[int, int | None], RagOverride]:
    return {
        (o.indicator_id, o.region_id): o
        for o in RagOverride.objects.filter(indicator_id__in=list(indicator_ids)).select_related("set_by")
    }


def series_and_plan(
    indicator: Indicator, user: Any, *, region: Region | None = None, organisation: Organisation | None = None
) -> tuple[Series, engine.Plan | None]:
    """One indicator's series and the plan it is measured against: nationally, for a region or an organisation."""
    plans = plans_for([indicator])[indicator.pk]
    if region is not None:
        return regional_series(indicator, user).get(region.pk, Series.of([])), plans.for_region(indicator, region.pk)
    if organisation is not None:
        plan = plans.national if indicator.aggregation != Aggregation.SUM else None
        return organisation_series(indicator, user).get(organisation.pk, Series.of([])), plan
    return national_series_many([indicator], user)[indicator.pk], plans.national


def indicator_status(
    indicator: Indicator,
    user: Any,
    at: dt.date,
    *,
    region: Region | None = None,
    organisation: Organisation | None = None,
    last_k: int | None = None,
    found: tuple[Series, engine.Plan | None] | None = None,
) -> Rated:
    """The status of one indicator on ``at``: nationally, for one region, or for one organisation.

    ``found`` is the ``series_and_plan`` the caller already has (not read again).
    """
    series, plan = found or series_and_plan(indicator, user, region=region, organisation=organisation)
    status = engine.status(plan, _direction(indicator), series.t, series.y, engine.day_number(at), last_k=last_k)
    override = (
        None
        if organisation is not None
        else _overrides([indicator.pk]).get((indicator.pk, region.pk if region else None))
    )
    return Rated(status, override)


def national_statuses(indicators: Sequence[Indicator], user: Any, at: dt.date) -> dict[int, Rated]:
    """The national status of many indicators: one read of the national values, one pass of the engine."""
    plans = plans_for(indicators)
    series = national_series_many(indicators, user, until=at)
    overrides = _overrides(plans)
    computed = engine.statuses(
        [plans[i.pk].national for i in indicators],
        [_direction(i) for i in indicators],
        [(series[i.pk].t, series[i.pk].y) for i in indicators],
        engine.day_number(at),
    )
    return {
        indicator.pk: Rated(status, overrides.get((indicator.pk, None)))
        for indicator, status in zip(indicators, computed, strict=True)
    }


def _direction(indicator: Indicator) -> engine.Direction:
    return "decrease" if indicator.direction == "decrease" else "increase"


@dataclass
class EntityStatus:
    """One region's or organisation's standing on an indicator."""

    key: int
    label: str
    code: str
    rated: Rated

    @property
    def status(self) -> engine.Status:
        return self.rated.status


def expected_regions(indicator: Indicator) -> QuerySet[Region]:
    if not indicator.region_country:
        return Region.objects.none()
    return Region.objects.filter(country=indicator.region_country)


def regional_statuses(indicator: Indicator, user: Any, at: dt.date) -> list[EntityStatus]:
    """Every region's status on ``at`` (expected regions and any region with values), best first."""
    return regional_statuses_many([indicator], user, at)[indicator.pk]


def regional_statuses_many(indicators: Sequence[Indicator], user: Any, at: dt.date) -> dict[int, list[EntityStatus]]:
    """``regional_statuses`` of many indicators with a fixed number of queries (and one engine pass each)."""
    plans = plans_for(indicators)
    series = regional_series_many(indicators, user)
    overrides = _overrides(plans)
    countries = {indicator.region_country for indicator in indicators if indicator.region_country}
    by_country: dict[str, set[int]] = defaultdict(set)
    for region_id, country in Region.objects.filter(country__in=countries).values_list("id", "country"):
        by_country[country].add(region_id)
    wanted: dict[int, set[int]] = {
        i.pk: set(series[i.pk]) | by_country.get(i.region_country, set()) | set(plans[i.pk].regional)
        for i in indicators
    }
    regions = {r.pk: r for r in Region.objects.filter(pk__in=set().union(*wanted.values()))}
    empty = Series.of([])
    out: dict[int, list[EntityStatus]] = {}
    for indicator in indicators:
        ids = sorted(wanted[indicator.pk], key=lambda pk: regions[pk].code)
        own = series[indicator.pk]
        computed = engine.statuses(
            [plans[indicator.pk].for_region(indicator, region_id) for region_id in ids],
            [_direction(indicator)] * len(ids),
            [(own.get(region_id, empty).t, own.get(region_id, empty).y) for region_id in ids],
            engine.day_number(at),
        )
        rows = [
            EntityStatus(
                region_id,
                regions[region_id].name,
                regions[region_id].code,
                Rated(status, overrides.get((indicator.pk, region_id))),
            )
            for region_id, status in zip(ids, computed, strict=True)
        ]
        out[indicator.pk] = sorted(rows, key=_ranking_key)
    return out


def organisation_statuses(indicator: Indicator, user: Any, at: dt.date) -> list[EntityStatus]:
    """Every visible reporting organisation's status on ``at`` against the national plan, best first."""
    plans = plans_for([indicator])[indicator.pk]
    plan = plans.national if indicator.aggregation != Aggregation.SUM else None
    series = organisation_series(indicator, user)
    expected = set(
        indicator.reporting_organisations.restrict(user, "view").values_list("id", flat=True)  # type: ignore[attr-defined]
    )
    organisations = {o.pk: o for o in Organisation.objects.filter(pk__in=set(series) | expected)}
    empty = Series.of([])
    computed = engine.statuses(
        [plan] * len(organisations),
        [_direction(indicator)] * len(organisations),
        [(series.get(org_id, empty).t, series.get(org_id, empty).y) for org_id in organisations],
        engine.day_number(at),
    )
    rows = [
        EntityStatus(org_id, organisation.name, organisation.code, Rated(status))
        for (org_id, organisation), status in zip(organisations.items(), computed, strict=True)
    ]
    return sorted(rows, key=_ranking_key)


def _ranking_key(row: EntityStatus) -> tuple[int, float, str]:
    achievement = row.status.achievement
    return (achievement is None, -(achievement or 0.0), row.label)


@dataclass
class LeagueRow:
    rank: int | None
    key: int
    label: str
    code: str
    achievement: float | None  # mean over the indicators the entity has an achievement for
    by_indicator: dict[int, float | None]
    worst_rag: str


def league(user: Any, at: dt.date, by: LeagueBy, indicators: Sequence[Indicator]) -> list[LeagueRow]:
    """Regions or organisations ranked by (mean) achievement over ``indicators``; those without one last."""
    collected: dict[int, dict[int, EntityStatus]] = defaultdict(dict)
    labels: dict[int, tuple[str, str]] = {}
    regional = regional_statuses_many(indicators, user, at) if by == "region" else {}
    for indicator in indicators:
        statuses = regional[indicator.pk] if by == "region" else organisation_statuses(indicator, user, at)
        for entity in statuses:
            collected[entity.key][indicator.pk] = entity
            labels[entity.key] = (entity.label, entity.code)
    rows: list[LeagueRow] = []
    for key, per_indicator in collected.items():
        achievements = [e.status.achievement for e in per_indicator.values() if e.status.achievement is not None]
        ratings = [e.rated.rag for e in per_indicator.values() if e.rated.rag != "insufficient_data"]
        worst = min(ratings, key=engine.RAG_ORDER.index) if ratings else "insufficient_data"
        rows.append(
            LeagueRow(
                rank=None,
                key=key,
                label=labels[key][0],
                code=labels[key][1],
                achievement=float(np.mean(achievements)) if achievements else None,
                by_indicator={pk: e.status.achievement for pk, e in per_indicator.items()},
                worst_rag=worst,
            )
        )
    rows.sort(key=lambda r: (r.achievement is None, -(r.achievement or 0.0), r.label))
    for position, row in enumerate(rows, start=1):
        row.rank = position if row.achievement is not None else None
    return rows


# --- reporting discipline ----------------------------------------------------------------------


MONTHS_PER_PERIOD = {Frequency.MONTHLY: 1, Frequency.QUARTERLY: 3, Frequency.YEARLY: 12}


def month_end(year: int, month: int) -> dt.date:
    return dt.date(year, month, calendar.monthrange(year, month)[1])


def period_ends(frequency: str, start: dt.date, until: dt.date) -> list[dt.date]:
    """Period end dates after ``start`` up to ``until`` (month, quarter or year ends)."""
    step = MONTHS_PER_PERIOD[Frequency(frequency)]
    year, month = start.year, start.month
    month = ((month - 1) // step + 1) * step  # the end of the period that contains ``start``
    ends: list[dt.date] = []
    while True:
        end = month_end(year, month)
        if end > until:
            return ends
        if end > start:
            ends.append(end)
        month += step
        if month > 12:
            year, month = year + 1, month - 12


@dataclass
class ReportingGap:
    key: int
    label: str
    code: str
    kind: Literal["region", "organisation"]
    missing: list[dt.date]
    last_reported: dt.date | None


def reporting_start(indicator: Indicator) -> dt.date:
    return indicator.baseline_date or dt.date(indicator.created_at.year - 1, 12, 31)


def reporting_gaps(indicator: Indicator, user: Any, at: dt.date) -> list[ReportingGap]:
    """Expected regions and organisations that have not reported each due period up to ``at``."""
    due = period_ends(indicator.frequency, reporting_start(indicator), at)
    if not due:
        return []
    visible = Measurement.objects.restrict(user, "view").filter(indicator=indicator, period_end__lte=due[-1])
    reported: dict[tuple[str, int], set[dt.date]] = defaultdict(set)
    last: dict[tuple[str, int], dt.date] = {}

    def period_of(day: dt.date) -> dt.date | None:
        index = int(np.searchsorted(np.array(due, dtype="datetime64[D]"), np.datetime64(day, "D")))
        return due[index] if index < len(due) and (index > 0 or day > reporting_start(indicator)) else None

    rows = visible.values_list("region_id", "organisation_id", "organisation__kind", "period_end")
    for region_id, organisation_id, kind, day in rows:
        counts_for_region = region_id and (organisation_id is None or kind == OrganisationKind.REGIONAL_GOVERNMENT)
        for series_key in ((("region", region_id),) if counts_for_region else ()) + (
            (("organisation", organisation_id),) if organisation_id else ()
        ):
            period = period_of(day)
            if period is not None:
                reported[series_key].add(period)
            last[series_key] = max(last.get(series_key, day), day)
    expected: list[tuple[Literal["region", "organisation"], int, str, str]] = [
        ("region", r.pk, r.name, r.code) for r in expected_regions(indicator)
    ]
    expected += [
        ("organisation", o.pk, o.name, o.code)
        for o in indicator.reporting_organisations.restrict(user, "view")  # type: ignore[attr-defined]
    ]
    gaps = []
    for kind, key, label, code in expected:
        missing = [period for period in due if period not in reported[(kind, key)]]
        if missing:
            gaps.append(ReportingGap(key, label, code, kind, missing, last.get((kind, key))))
    return sorted(gaps, key=lambda g: (-len(g.missing), g.kind, g.label))


# --- overview and stocktake --------------------------------------------------------------------


@dataclass
class StocktakeRow:
    indicator: Indicator
    rated: Rated


def stocktake(user: Any, at: dt.date, *, ratings: Iterable[str] = ("red", "amber_red")) -> list[StocktakeRow]:
    """Every indicator rated amber-red or red nationally, worst first (lowest forecast ratio), with its owner."""
    indicators = list(indicator_list(user))
    statuses = national_statuses(indicators, user, at)
    wanted = set(ratings)
    rows = [StocktakeRow(i, statuses[i.pk]) for i in indicators if statuses[i.pk].rag in wanted]
    rows.sort(key=lambda r: (engine.RAG_ORDER.index(r.rated.rag), r.rated.status.ratio or 0.0, r.indicator.code))  # type: ignore[arg-type]
    return rows


def regions_behind(indicators: Sequence[Indicator], user: Any, at: dt.date) -> dict[int, int]:
    """How many regions each indicator has rated amber-red or red on ``at`` (one query, one engine pass).

    The same ratings as ``regional_statuses``, for many indicators at once; overrides included.
    """
    regional = [indicator for indicator in indicators if indicator.region_country]
    if not regional:
        return {}
    plans = plans_for(regional)
    rows = number_matrix(
        regional_figures(user)
        .filter(indicator__in=regional, period_end__lte=at)
        .annotate(day=DayNumber("period_end"))
        .order_by("indicator_id", "region_id", "period_end", F("organisation_id").asc(nulls_first=True))
        .values_list("indicator_id", "region_id", "day", "value"),
        4,
    )
    rows = _first_per_day(rows)  # one value per region and period: the HQ's statistic first
    pairs, group = np.unique(rows[:, :2], axis=0, return_inverse=True)
    by_id = {indicator.pk: indicator for indicator in regional}
    plan_index: dict[int, int] = {}
    plan_list: list[engine.Plan | None] = []
    directions: list[engine.Direction] = []
    group_plan = np.empty(len(pairs), dtype=np.intp)
    for position, (indicator_id, region_id) in enumerate(pairs.astype(int).tolist()):
        indicator = by_id[indicator_id]
        plan = plans[indicator_id].for_region(indicator, region_id)
        key = id(plan) if plan is not None else -indicator_id
        if key not in plan_index:
            plan_index[key] = len(plan_list)
            plan_list.append(plan)
            directions.append(_direction(indicator))
        group_plan[position] = plan_index[key]
    batch = engine.batch_status(
        plan_list, directions, group_plan, group.reshape(-1), rows[:, 2], rows[:, 3], engine.day_number(at)
    )
    ratings = [engine.RAG_ORDER[code] for code in batch.rag.tolist()]
    overrides = {key: o.rating for key, o in _overrides(by_id).items() if key[1] is not None}
    counts: dict[int, int] = dict.fromkeys(by_id, 0)
    for (indicator_id, region_id), rating in zip(pairs.astype(int).tolist(), ratings, strict=True):
        if overrides.get((indicator_id, region_id), rating) in ("red", "amber_red"):
            counts[indicator_id] += 1
    return counts


def rag_counts(rated: Iterable[Rated]) -> dict[str, int]:
    counts: dict[str, int] = dict.fromkeys(engine.RAG_ORDER, 0)
    for item in rated:
        counts[item.rag] += 1
    return counts


def measurement_filter(user: Any, indicator: Indicator) -> QuerySet[Measurement]:
    """The values of one indicator the user may see, newest first."""
    return (
        measurement_list(user)
        .filter(indicator=indicator)
        .order_by("-period_end", "region__name_en", "organisation__code")
    )


def _iso(day: float | None) -> str | None:
    return None if day is None else engine.from_day_number(day).isoformat()


def status_dict(rated: Rated) -> dict[str, Any]:
    """A status as the API returns it (dates as ISO text)."""
    status = rated.status

    def forecast(item: engine.Forecast | None) -> dict[str, Any] | None:
        if item is None:
            return None
        return {"at": _iso(item.at), "value": item.value, "low": item.low, "high": item.high}

    override = rated.override
    return {
        "at": _iso(status.at),
        "planned": status.planned,
        "actual": status.actual,
        "actual_at": _iso(status.actual_at),
        "planned_at_actual": status.planned_at_actual,
        "achievement": status.achievement,
        "gap": status.gap,
        "target": status.target,
        "target_at": _iso(status.target_at),
        "forecast": forecast(status.forecast),
        "forecasts": [forecast(item) for item in status.forecasts],
        "probability": status.probability,
        "ratio": status.ratio,
        "points": status.n_points,
        "rag": status.rag,
        "rag_override": None
        if override is None
        else {
            "rating": override.rating,
            "reason": override.reason,
            "set_by": override.set_by.get_username() if override.set_by else None,
            "at": override.updated_at.isoformat(),
        },
        "effective_rag": rated.rag,
    }
