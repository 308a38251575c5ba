"""Reads for compute and power: scoped lists, and the demand a scenario starts from.

Demand by region and year, in accelerators (H100-SXM equivalents: another model counts by its server
power relative to an H100-SXM server slot) and exogenous load in MW:

* a compute site counts its accelerators from its commissioning year on (a site with IT capacity but no
  accelerators listed counts IT MW ÷ the H100-SXM server power);
* a use case's compute profile counts the accelerators it reserves, or else its average busy
  accelerators (inference requests × accelerator-seconds ÷ 86,400 s, plus training accelerator-hours ÷
  8,760 h) divided by the default utilisation — the installed fleet that load needs — in its host region
  (or the use case's first region, or its organisation's) from the year it was deployed (or the first year);
* exogenous loads (crypto mining, other data centres) by region and year; a year without a figure keeps the
  last earlier one.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
from django.db.models import QuerySet

from aihq.energy.models import ComputeProfile, ComputeSite, ExogenousLoad, Scenario, ScenarioRun

REFERENCE_MODEL = "H100-SXM"
DEFAULT_UTILISATION = 0.7


def site_list(user: Any) -> QuerySet[ComputeSite]:
    return ComputeSite.objects.restrict(user, "view").select_related("operator", "region")  # type: ignore[no-any-return]


def scenario_list(user: Any) -> QuerySet[Scenario]:
    return Scenario.objects.restrict(user, "view")  # type: ignore[no-any-return]


def run_list(user: Any) -> QuerySet[ScenarioRun]:
    return ScenarioRun.objects.restrict(user, "view").select_related("scenario", "run_by")  # type: ignore[no-any-return]


@dataclass(frozen=True)
class Demand:
    """Accelerators (reference-model equivalents) and exogenous MW, by region × year."""

    regions: tuple[str, ...]
    years: tuple[int, ...]
    accelerators: npt.NDArray[np.float64]
    exogenous_mw: npt.NDArray[np.float64]


def equivalents(accelerators: dict[str, int], server_kw: dict[str, float]) -> float:
    """A mixed fleet as reference-model equivalents (by server power); unknown models count as one each."""
    reference = server_kw[REFERENCE_MODEL]
    return float(sum(count * server_kw.get(model, reference) / reference for model, count in accelerators.items()))


def demand_from_registry(user: Any, start: int, end: int, server_kw: dict[str, float]) -> Demand:
    """What the registry says the demand is: sites, use cases' compute profiles and exogenous loads."""
    years = tuple(range(start, end + 1))
    accelerators: dict[str, dict[int, float]] = defaultdict(lambda: defaultdict(float))
    exogenous: dict[str, dict[int, float]] = defaultdict(dict)
    reference = server_kw[REFERENCE_MODEL]
    for site in site_list(user):
        count = (
            equivalents(site.accelerators, server_kw) if site.accelerators else site.it_capacity_mw * 1000 / reference
        )
        for year in years:
            if year >= site.commissioning_year:
                accelerators[site.region.code][year] += count
    profiles = (
        ComputeProfile.objects.restrict(user, "view")
        .select_related("use_case__organisation__region", "host_region")
        .prefetch_related("use_case__regions")
    )
    for profile in profiles:
        region = profile.host_region or next(iter(profile.use_case.regions.all()), None)
        region = region or profile.use_case.organisation.region
        if region is None:
            continue
        count = profile_accelerators(profile, server_kw)
        first = profile.use_case.date_deployed.year if profile.use_case.date_deployed else start
        for year in years:
            if year >= first:
                accelerators[region.code][year] += count
    for region_code, year, mw in (
        ExogenousLoad.objects.restrict(user, "view")
        .filter(year__lte=end)
        .order_by("region__code", "year")
        .values_list("region__code", "year", "average_mw")
    ):
        exogenous[region_code][year] = exogenous[region_code].get(year, 0.0) + mw
    regions = tuple(sorted(set(accelerators) | set(exogenous)))
    acc = np.zeros((len(regions), len(years)))
    exo = np.zeros((len(regions), len(years)))
    for i, code in enumerate(regions):
        for j, year in enumerate(years):
            acc[i, j] = accelerators.get(code, {}).get(year, 0.0)
            known = [y for y in exogenous.get(code, {}) if y <= year]
            exo[i, j] = exogenous[code][max(known)] if known else 0.0
    return Demand(regions, years, acc, exo)


def profile_accelerators(profile: ComputeProfile, server_kw: dict[str, float]) -> float:
    """The installed accelerators (reference equivalents) a use case's compute profile needs."""
    factor = server_kw.get(profile.accelerator_model, server_kw[REFERENCE_MODEL]) / server_kw[REFERENCE_MODEL]
    if profile.accelerators_reserved:
        return profile.accelerators_reserved * factor
    busy = 0.0
    if profile.inference_requests_per_day and profile.accelerator_seconds_per_request:
        busy += profile.inference_requests_per_day * profile.accelerator_seconds_per_request / 86_400
    if profile.training_accelerator_hours:
        busy += profile.training_accelerator_hours / 8_760
    return busy / DEFAULT_UTILISATION * factor
