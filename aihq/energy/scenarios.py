"""From a stored scenario to a Monte Carlo run, and the shipped "Russia 2030" scenario.

A scenario's JSON, as stored and as the API takes it:

* ``parameters``: ``utilisation``, ``efficiency_gain``, ``demand_growth``, ``reserve_margin`` (required), and
  optionally ``server_kw``, ``pue``, ``pue_final`` and ``utilisation_final`` (linear trajectories to the last
  year), ``data_centre_capex_usd_per_mw``, ``rub_per_usd`` — each a number (fixed)
  or a distribution ``{"kind": "triangular", "low": …, "mode": …, "high": …}`` (also ``uniform``,
  ``lognormal`` with ``p10``/``p90``); ``capex_usd_per_kw``: technology → distribution; ``accelerator_model``
  (default H100-SXM); ``claim``: ``{"usd": …, "rub": …}`` to check a published estimate against the run.
* ``demand``: empty to take the registry's (sites, use cases' compute profiles, exogenous loads); or
  ``{"regions": […], "it_mw": {region: [per year]}, "accelerators": {…}, "exogenous_mw": {…}}`` — IT MW is
  turned into accelerators of the scenario's model at its server power.
* ``mix``: technology → share of the energy (shares sum to 1), or one technology's name.
"""

from __future__ import annotations

import time
from collections.abc import Iterator, Mapping
from typing import Any

import numpy as np
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from aihq.energy import selectors
from aihq.energy.model import Distribution, SimulationInputs, inputs_from_parameters, normalise_mix, simulate
from aihq.energy.models import Scenario
from aihq.energy.parameters import ParameterError, Parameters, load_parameters

REQUIRED = ("utilisation", "efficiency_gain", "demand_growth", "reserve_margin")
OPTIONAL = ("server_kw", "pue", "pue_final", "utilisation_final", "data_centre_capex_usd_per_mw", "rub_per_usd")


def _distribution(name: str, value: Any) -> Distribution:
    try:
        return Distribution.from_dict(value)
    except (ValueError, TypeError, KeyError) as exc:
        raise ValidationError({"parameters": _("%(name)s: %(problem)s") % {"name": name, "problem": exc}}) from None


def _per_year(table: Mapping[str, Any], regions: tuple[str, ...], years: int, name: str) -> np.ndarray[Any, Any]:
    out = np.zeros((len(regions), years))
    for i, code in enumerate(regions):
        values = table.get(code, [0.0] * years)
        if not isinstance(values, list) or len(values) != years:
            raise ValidationError(
                {"demand": _("%(name)s of %(code)s needs one value per year.") % {"name": name, "code": code}}
            )
        out[i] = values
    return out


def validate_definition(
    parameters: Mapping[str, Any], mix: Mapping[str, Any] | str, demand: Mapping[str, Any], years: int
) -> None:
    """Refuse a scenario whose parameters, mix or demand could never run (field by field)."""
    params = load_parameters()
    if not isinstance(parameters, Mapping):
        raise ValidationError({"parameters": _("Parameters are an object of names and distributions.")})
    for name, value in parameters.items():
        if name in (*REQUIRED, *OPTIONAL):
            _distribution(name, value)
        elif name == "capex_usd_per_kw":
            if not isinstance(value, Mapping):
                raise ValidationError({"parameters": _("capex_usd_per_kw is an object of technologies.")})
            for tech, dist in value.items():
                _distribution(f"capex_usd_per_kw.{tech}", dist)
        elif name == "accelerator_model":
            try:
                params.accelerator(str(value))
            except ParameterError as exc:
                raise ValidationError({"parameters": str(exc)}) from None
        elif name != "claim":
            raise ValidationError({"parameters": _("Unknown parameter %(name)s.") % {"name": name}})
    try:
        normalise_mix(mix or "gas_combined_cycle", params)
    except (ParameterError, ValueError, TypeError) as exc:
        raise ValidationError({"mix": str(exc)}) from None
    if demand:
        if not isinstance(demand, Mapping):
            raise ValidationError({"demand": _("Demand is an object: regions, it_mw, accelerators, exogenous_mw.")})
        regions = tuple(demand.get("regions") or sorted({*demand.get("it_mw", {}), *demand.get("accelerators", {})}))
        for key in ("it_mw", "accelerators", "exogenous_mw"):
            table = demand.get(key, {})
            if not isinstance(table, Mapping):
                raise ValidationError({"demand": _("%(name)s is an object of regions.") % {"name": key}})
            _per_year(table, regions, years, key)


def inputs_for(scenario: Scenario, user: Any, params: Parameters | None = None) -> SimulationInputs:
    """The simulation inputs a scenario describes (its demand, or the registry's)."""
    params = params or load_parameters()
    raw = scenario.parameters or {}
    missing = [name for name in REQUIRED if name not in raw]
    if missing:
        raise ValidationError({"parameters": _("Give %(names)s.") % {"names": ", ".join(missing)}})
    model = str(raw.get("accelerator_model", selectors.REFERENCE_MODEL))
    years = tuple(range(scenario.start_year, scenario.end_year + 1))
    try:
        server_kw = {name: a.server_kw for name, a in params.accelerators.items()}
        per_accelerator = params.accelerator(model).server_kw
        demand = scenario.demand or {}
        if demand:
            regions = tuple(
                demand.get("regions") or sorted({*demand.get("it_mw", {}), *demand.get("accelerators", {})})
            )
            accelerators = _per_year(demand.get("accelerators", {}), regions, len(years), "accelerators")
            accelerators += _per_year(demand.get("it_mw", {}), regions, len(years), "it_mw") * 1000 / per_accelerator
            exogenous = _per_year(demand.get("exogenous_mw", {}), regions, len(years), "exogenous_mw")
        else:
            found = selectors.demand_from_registry(user, years[0], years[-1], server_kw)
            regions, accelerators, exogenous = found.regions, found.accelerators, found.exogenous_mw
        if not regions:
            raise ValidationError({"demand": _("No demand: register sites or compute profiles, or give the demand.")})
        optional = {name: _distribution(name, raw[name]) for name in OPTIONAL if name in raw}
        capex = {tech: _distribution(tech, value) for tech, value in (raw.get("capex_usd_per_kw") or {}).items()}
        return inputs_from_parameters(
            params,
            regions=regions,
            years=years,
            accelerators=accelerators,
            exogenous_mw=exogenous,
            accelerator_model=model,
            mix=scenario.mix or "gas_combined_cycle",
            capex_usd_per_kw=capex or None,
            utilisation=_distribution("utilisation", raw["utilisation"]),
            efficiency_gain=_distribution("efficiency_gain", raw["efficiency_gain"]),
            demand_growth=_distribution("demand_growth", raw["demand_growth"]),
            reserve_margin=_distribution("reserve_margin", raw["reserve_margin"]),
            server_kw=optional.get("server_kw"),
            pue=optional.get("pue"),
            data_centre_capex_usd_per_mw=optional.get("data_centre_capex_usd_per_mw"),
            rub_per_usd=optional.get("rub_per_usd"),
            pue_final=optional.get("pue_final"),
            utilisation_final=optional.get("utilisation_final"),
        )
    except (ParameterError, ValueError) as exc:
        raise ValidationError({"parameters": str(exc)}) from None


def run_results(
    scenario: Scenario, inputs: SimulationInputs, params: Parameters | None = None, *, samples: int | None = None
) -> tuple[dict[str, Any], float]:
    """Simulate; the results as stored (percentiles, capex by technology, the claim check) and the seconds taken."""
    params = params or load_parameters()
    started = time.perf_counter()
    simulation = simulate(inputs, samples or scenario.samples, scenario.seed)
    seconds = time.perf_counter() - started
    results = simulation.to_dict()
    national = simulation.national
    last = -1
    added = {
        tech: float(bands.p50[last] - bands.p50[0]) for tech, bands in national.generation_mw_by_technology.items()
    }
    results["capex_by_technology"] = {
        tech: max(mw, 0.0) * 1000 * inputs.capex_usd_per_kw[tech].median for tech, mw in added.items()
    }
    claim = (scenario.parameters or {}).get("claim")
    if claim:
        results["claim_check"] = claim_check(claim, simulation, inputs, params)
    return results, seconds


def claim_check(
    claim: Mapping[str, Any], simulation: Any, inputs: SimulationInputs, params: Parameters
) -> dict[str, Any]:
    """A published capex estimate beside the run: how many times the run's median, and what it would buy."""
    usd = float(claim.get("usd", 0.0))
    capex = simulation.national.new_generation_capex_usd_cumulative
    energy = simulation.national.energy_twh
    reserve = inputs.reserve_margin.median
    new_load_gw = float(energy.p50[-1] - energy.p50[0]) * 1e6 / 8760 / 1000
    # Capex per GW of new average load with the scenario's mix: Σ share × (1 + reserve) / CF × USD per kW × 10⁶.
    per_gw = sum(
        share * (1 + reserve) / inputs.capacity_factors[tech] * inputs.capex_usd_per_kw[tech].median * 1e6
        for tech, share in inputs.mix.items()
    )
    technologies = []
    for name, tech in params.technologies.items():
        if tech.capacity_factor is None:
            continue
        buys_gw = usd / (tech.capex_usd_per_kw * 1e6)
        technologies.append(
            {
                "technology": name,
                "usd_per_kw": tech.capex_usd_per_kw,
                "capacity_factor": tech.capacity_factor,
                "buys_gw": buys_gw,
                "serves_gw": buys_gw * tech.capacity_factor / (1 + reserve),
            }
        )
    p50 = float(capex.p50[-1])
    return {
        "claim_usd_bn": usd / 1e9,
        "claim_rub_trn": float(claim.get("rub", 0.0)) / 1e12,
        "year": simulation.years[-1],
        "p10_bn": float(capex.p10[-1]) / 1e9,
        "p50_bn": p50 / 1e9,
        "p90_bn": float(capex.p90[-1]) / 1e9,
        "ratio": usd / p50 if p50 > 0 else None,
        "new_load_gw": new_load_gw,
        "load_for_claim_gw": usd / per_gw if per_gw > 0 else None,
        "technologies": technologies,
    }


def russia_2030(params: Parameters | None = None) -> dict[str, Any]:
    """The shipped scenario, built from the published figures only (see parameters.yaml for sources).

    Data centres grow from 1.8 GW (2025) to 4.3 GW (2030), taken as IT capacity, linearly; 80 % of them in
    Moscow (RU-MOW), the rest at the national grid intensity (RU); crypto mining stays at 16 TWh a year.
    """
    params = params or load_parameters()
    russia = params.russia
    years = list(range(2025, 2031))
    start, end = russia.data_centre_installed_gw[2025], russia.data_centre_installed_gw[2030]
    total_mw = [round(1000 * (start + (end - start) * (year - 2025) / 5), 1) for year in years]
    moscow = russia.share_of_data_centres_in_moscow_region
    crypto_mw = russia.crypto_mining_twh_per_year * 1e6 / 8760
    return {
        "code": "RU-2030",
        "name_en": "Russia 2030: AI data centres and crypto mining",
        "name_ru": "Россия-2030: ЦОД для ИИ и майнинг",
        "description_en": (
            "Built from published figures only: data-centre capacity 1.8 GW in 2025 and 4.3 GW in 2030 (Deputy "
            "Prime Minister Novak; the Ministry of Energy expects 2–2.5 GW more for AI), 80 % of it around "
            "Moscow, crypto mining 16 TWh a year (Ministry of Energy). New generation is priced for the load "
            "added since 2025 with a mix weighted to gas, and compared with VTB's estimate of 6 trn roubles "
            "(about $77 bn) for AI and crypto mining."
        ),
        "description_ru": (
            "Построен только по опубликованным данным: мощность ЦОД 1,8 ГВт в 2025 году и 4,3 ГВт в 2030 году "
            "(вице-премьер А. Новак; Минэнерго ожидает ещё 2–2,5 ГВт для ИИ), 80 % — в московском регионе, "
            "майнинг — 16 ТВт·ч в год (Минэнерго). Новая генерация оценивается для нагрузки, добавленной с 2025 "
            "года, при структуре с преобладанием газа и сравнивается с оценкой ВТБ в 6 трлн рублей (около 77 млрд "
            "долларов) для ИИ и майнинга."
        ),
        "start_year": years[0],
        "end_year": years[-1],
        "parameters": {
            "utilisation": {"kind": "triangular", "low": 0.5, "mode": 0.7, "high": 0.85},
            "efficiency_gain": 0.0,
            "demand_growth": 0.0,
            "reserve_margin": {"kind": "triangular", "low": 0.1, "mode": 0.15, "high": 0.2},
            "claim": {"usd": russia.new_generation_investment_usd, "rub": russia.new_generation_investment_rub},
        },
        "demand": {
            "regions": ["RU-MOW", "RU"],
            "it_mw": {
                "RU-MOW": [round(mw * moscow, 1) for mw in total_mw],
                "RU": [round(mw * (1 - moscow), 1) for mw in total_mw],
            },
            "exogenous_mw": {"RU-MOW": [0.0] * len(years), "RU": [round(crypto_mw, 1)] * len(years)},
        },
        "mix": {
            "gas_combined_cycle": 0.6,
            "nuclear": 0.2,
            "hydro_reservoir": 0.1,
            "onshore_wind": 0.05,
            "utility_solar": 0.05,
        },
        "samples": 10_000,
        "seed": 2030,
    }


def _flat(outputs: Mapping[str, Any]) -> list[tuple[str, Mapping[str, Any]]]:
    """Outputs as (name, bands), nested ones (generation by technology) as ``name.technology``."""
    flat: list[tuple[str, Mapping[str, Any]]] = []
    for name, value in outputs.items():
        if "p50" in value:
            flat.append((name, value))
        else:
            flat.extend((f"{name}.{key}", bands) for key, bands in value.items())
    return flat


def run_rows(results: Mapping[str, Any]) -> Iterator[list[Any]]:
    """A run's percentiles as table rows: region ("" for the whole country), year, output, P10, P50, P90."""
    yield ["region", "year", "output", "p10", "p50", "p90"]
    years = results.get("years", [])
    regions = results.get("regions", [])
    for output, bands in _flat(results.get("national", {})):
        for j, year in enumerate(years):
            yield ["", year, output, bands["p10"][j], bands["p50"][j], bands["p90"][j]]
    for output, bands in _flat(results.get("regional", {})):
        for i, region in enumerate(regions):
            for j, year in enumerate(years):
                yield [region, year, output, bands["p10"][i][j], bands["p50"][i][j], bands["p90"][i][j]]
