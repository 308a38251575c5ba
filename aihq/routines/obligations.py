"""Who owes what, when: each reporting cycle's periods, the organisations that report, and what is missing.

Everything is worked out from the data itself — a measurement reported, a benefit measured, an inventory
confirmed — so an obligation is done the moment the report is in, and no reminder goes after that.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.utils import translation

from aihq.evaluation.models import BenefitMeasurement, BenefitMetric, MetricKind
from aihq.objectives.models import Frequency, Measurement
from aihq.objectives.selectors import MONTHS_PER_PERIOD, month_end
from aihq.objectives.selectors import period_ends as reporting_calendar
from aihq.registry.models import Organisation, Stage, UseCase
from aihq.routines.models import CycleKind, ReportingCycle, Submission


def period_end_on(frequency: str, day: dt.date) -> dt.date:
    """The end of the month, quarter or year that contains ``day``."""
    step = MONTHS_PER_PERIOD[Frequency(frequency)]
    return month_end(day.year, ((day.month - 1) // step + 1) * step)


def shift(frequency: str, period_end: dt.date, periods: int) -> dt.date:
    """The period end ``periods`` periods after (or before, when negative) ``period_end``."""
    months = period_end.year * 12 + period_end.month - 1 + periods * MONTHS_PER_PERIOD[Frequency(frequency)]
    return month_end(months // 12, months % 12 + 1)


def period_ends(cycle: ReportingCycle, first_due: dt.date, last_due: dt.date) -> list[dt.date]:
    """The cycle's period ends whose due date falls between ``first_due`` and ``last_due`` (both included), from
    its first period on: the objectives' reporting calendar, shifted by the days a report is due after."""
    lag = dt.timedelta(days=cycle.due_days)
    after = max(first_due - lag, cycle.starts_on) - dt.timedelta(days=1)
    return reporting_calendar(cycle.frequency, after, last_due - lag)


@dataclass
class Obligation:
    """One organisation's report for one period of one cycle."""

    cycle: ReportingCycle
    organisation: Organisation
    period_start: dt.date  # exclusive: the previous period's end
    period_end: dt.date
    due_date: dt.date
    expected: int = 0
    missing: list[dict[str, Any]] = field(default_factory=list)

    @property
    def done(self) -> bool:
        return not self.missing

    @property
    def reported(self) -> int:
        return self.expected - len(self.missing)

    def days_late(self, today: dt.date) -> int:
        return (today - self.due_date).days

    def state(self, today: dt.date) -> str:
        if self.done:
            return "done"
        return "overdue" if today > self.due_date else "due"


def _named(kind: str, pk: int, name_en: str, name_ru: str, code: str = "") -> dict[str, Any]:
    return {"kind": kind, "id": pk, "name_en": name_en, "name_ru": name_ru, "code": code}


def obligations(
    cycle: ReportingCycle, period_end: dt.date, organisation_ids: Iterable[int] | None = None
) -> list[Obligation]:
    """Every organisation's obligation for one period of ``cycle`` (those with nothing expected are left out).

    ``organisation_ids`` narrows to some organisations (a user's); a few queries whatever their number.
    """
    start = shift(cycle.frequency, period_end, -1)
    due = period_end + dt.timedelta(days=cycle.due_days)
    wanted = set(organisation_ids) if organisation_ids is not None else None
    chosen = {o.pk for o in cycle.organisations.all()}
    expected: dict[int, list[dict[str, Any]]] = defaultdict(list)  # organisation -> items it owes
    done: set[tuple[int, str, int]] = set()
    if cycle.kind == CycleKind.INDICATOR_MEASUREMENTS:
        indicator_ids, owed = _indicator_expectations(cycle)
        for org, items in owed.items():
            if wanted is None or org in wanted:
                expected[org] = items
        reported = Measurement.objects.filter(
            indicator__in=indicator_ids,
            organisation__in=_narrow(expected, wanted),
            period_end__gt=start,
            period_end__lte=period_end,
        ).values_list("organisation_id", "indicator_id")
        done = {(org, "indicator", ind) for org, ind in reported}
    elif cycle.kind == CycleKind.BENEFIT_UPDATES:
        metrics = BenefitMetric.objects.exclude(use_case__stage=Stage.RETIRED).filter(
            use_case__created_at__date__lte=period_end
        )
        if chosen:
            metrics = metrics.filter(use_case__organisation__in=chosen)
        if wanted is not None:
            metrics = metrics.filter(use_case__organisation__in=wanted)
        rows = metrics.values_list("pk", "use_case__organisation_id", "use_case__name", "name", "kind")
        ids = []
        for pk, org, use_case, metric, kind in rows:
            labels = []
            for language in ("en", "ru"):
                with translation.override(language):
                    labels.append(f"{use_case} ({metric or MetricKind(kind).label})")
            expected[org].append(_named("metric", pk, *labels))
            ids.append(pk)
        # A measurement counts for the period its date falls in: one period each, never two.
        measured = BenefitMeasurement.objects.filter(metric__in=ids, measured_on__gt=start, measured_on__lte=period_end)
        done = {
            (org, "metric", pk) for pk, org in measured.values_list("metric_id", "metric__use_case__organisation_id")
        }
    else:
        owers = chosen or set(UseCase.objects.order_by().values_list("organisation_id", flat=True).distinct())
        for org in owers if wanted is None else owers & wanted:
            expected[org].append({"kind": "inventory", "id": org, "name_en": "inventory", "name_ru": "реестр"})
        confirmed = Submission.objects.filter(cycle=cycle, period_end=period_end).values_list(
            "organisation_id", flat=True
        )
        done = {(org, "inventory", org) for org in confirmed}
    organisations = Organisation.objects.in_bulk(_narrow(expected, wanted))
    result = []
    for org_id, items in expected.items():
        if org_id not in organisations:
            continue
        missing = [item for item in items if (org_id, item["kind"], item["id"]) not in done]
        result.append(Obligation(cycle, organisations[org_id], start, period_end, due, len(items), missing))
    return sorted(result, key=lambda o: o.organisation.code)


def _indicator_expectations(cycle: ReportingCycle) -> tuple[list[int], dict[int, list[dict[str, Any]]]]:
    """The cycle's indicators and, for each organisation, those it reports — read once per cycle object, however
    many periods are looked at."""
    cached: tuple[list[int], dict[int, list[dict[str, Any]]]] | None = getattr(cycle, "_expectations", None)
    if cached is None:
        chosen = {o.pk for o in cycle.organisations.all()}
        owed: dict[int, list[dict[str, Any]]] = defaultdict(list)
        indicators = list(cycle.indicators.all().prefetch_related("reporting_organisations"))
        for indicator in indicators:
            item = _named("indicator", indicator.pk, indicator.name_en, indicator.name_ru, indicator.code)
            for org in chosen or {o.pk for o in indicator.reporting_organisations.all()}:
                owed[org].append(item)
        cached = ([i.pk for i in indicators], dict(owed))
        cycle._expectations = cached  # type: ignore[attr-defined]
    return cached


def _narrow(expected: dict[int, Any], wanted: set[int] | None) -> list[int]:
    return [org for org in expected if wanted is None or org in wanted]


def open_obligations(
    cycles: Sequence[ReportingCycle],
    organisation_ids: Iterable[int],
    today: dt.date,
    *,
    back: int = 400,
    ahead: int = 31,
) -> list[Obligation]:
    """Obligations of these organisations not yet done, due from ``back`` days ago to ``ahead`` days from today."""
    ids = list(organisation_ids)
    found: list[Obligation] = []
    for cycle in cycles:
        for end in period_ends(cycle, today - dt.timedelta(days=back), today + dt.timedelta(days=ahead)):
            found.extend(o for o in obligations(cycle, end, ids) if not o.done)
    return sorted(found, key=lambda o: (o.due_date, o.cycle.name, o.organisation.code))
