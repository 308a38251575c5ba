"""Compute and electric power: load, energy, generation capacity and its cost, emissions — and their uncertainty.

Pure, typed functions over numbers and numpy arrays — no database. Units: kW per accelerator, MW of load,
MWh (TWh) of energy a year, USD (RUB) of capital cost, kg CO2 per MWh of grid intensity.

Definitions (one accelerator fleet, one year):

* IT load, MW = Σ accelerators × server kW per accelerator / 1,000 (the whole server's maximum, see
  ``parameters``);
* facility load, MW = IT load × PUE;
* annual energy, MWh = IT load × utilisation × PUE × 8,760 h;
* generation capacity needed, MW: the mix gives each technology a *share of the annual energy*
  (shares sum to 1); technology t needs share_t × energy / (8,760 × capacity factor_t) × (1 + reserve
  margin); the total is the sum over technologies;
* generation capex, USD = Σ_t capacity_t × 1,000 × capex per kW_t (overnight cost, no financing or
  escalation);
* data-centre capex, USD = IT MW × cost per MW of IT (the building and its power and cooling plant;
  excludes IT equipment and land);
* emissions, t CO2 = energy × grid intensity of the region (kg/MWh) / 1,000 — the region's average grid,
  whatever technologies the mix would add.

Monte Carlo (``simulate``): each uncertain parameter is a ``Distribution``; N samples of every parameter
are drawn once (each parameter from its own stream, seeded by the seed and the parameter's name, so a
run is reproducible and changing one distribution leaves the other parameters' draws unchanged), and
every region × year × sample is computed in one vectorised pass. For year index k = year − first year
(k = 0 … K, K = last − first):

* accelerators(r, y) = base(r, y) × (1 + demand growth)^k — growth compounds from the first year;
* kW per accelerator(y) = server kW × (1 − efficiency gain)^k — the fleet average falls by the gain
  each year from the first year (the whole fleet counted in year y is treated as of that year's
  efficiency);
* PUE(y), utilisation(y): linear in k from the sampled first-year value to the sampled last-year value
  (``pue_final``/``utilisation_final``; the same value throughout when not given);
* exogenous load (crypto mining, other data centres) is an *average* load in MW: it adds exogenous ×
  8,760 MWh to the energy (no PUE or utilisation applies) and so to generation, capex and CO2;
  ``it_mw`` and ``facility_mw`` are the accelerators' load only;
* generation capacity *built* by year y in a region = the running maximum of the capacity needed over
  the years up to y (capacity once built is not retired); **new generation** in year y = built(y) −
  needed(first year) (cumulative, MW); its capex = Σ_t new_t × 1,000 × capex per kW_t
  (``new_generation_capex_*_cumulative``); the **annual** figure is the capex of what year y adds,
  built(y) − built(y − 1) (0 in the first year); RUB = USD × the sampled RUB per USD;
* data-centre capex likewise for the IT capacity added since the first year: (running maximum of IT MW
  − first-year IT MW) × cost per MW (cumulative);
* national totals: each sample's sum over regions, then percentiles (not sums of percentiles); new
  capacity is built region by region, so the national figure is the sum of the regions' new capacity.

Percentiles are numpy's default ("linear", type 7) P10/P50/P90 over the samples. The region × year ×
sample arrays are float32 (``WORK_DTYPE``: 10,000 × 89 × 11 is 39 MB instead of 78 MB, and faster to
compute and sort; 7 significant digits are ample for P10/P50/P90 of uncertain inputs) and are processed
in chunks of regions (``CHUNK_CELLS``) on a few threads; per-sample parameters, year × sample factors,
national sums and all results are float64. Quantities that are, per region and year, a non-negative
multiple of one per-sample factor plus a constant (IT, facility load, energy, CO2; a technology's
generation relative to the total) take their percentiles from that factor exactly, without the full
array.

Sensitivity: Spearman rank correlation between each sampled (not fixed) parameter and the national
cumulative new-generation capex (USD) in the last year, sorted by absolute value (0 where the capex does
not vary).
"""

from __future__ import annotations

import itertools
import math
import os
import zlib
from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, fields
from types import MappingProxyType
from typing import Any, Literal

import numpy as np
import numpy.typing as npt
from scipy import stats

from aihq.energy.parameters import NATIONAL_CODE, Parameters, load_grid_intensity, load_parameters

FloatArray = npt.NDArray[np.float64]
WorkArray = npt.NDArray[np.float32]
Kind = Literal["fixed", "triangular", "uniform", "lognormal"]

HOURS_PER_YEAR = 8760.0
KW_PER_MW = 1000.0
MWH_PER_TWH = 1e6
KG_PER_MT = 1e9
KG_PER_T = 1000.0
QUANTILES = (0.1, 0.5, 0.9)
#: Standard normal quantile at 0.9: a lognormal's P90 is exp(mu + Z90 × sigma).
Z90 = 1.2815515655446004
WORK_DTYPE = np.float32
SHARE_TOLERANCE = 1e-6
#: Cells (regions × years × samples) per chunk of the float32 arrays: 2 M cells, 8 MB an array.
CHUNK_CELLS = 2_000_000


# --------------------------------------------------------------------------------------------------------
# Deterministic estimate


def normalise_mix(mix: Mapping[str, float] | str, params: Parameters) -> Mapping[str, float]:
    """Technology → share of annual energy, names as in the parameters; a single name means a share of 1.

    Raises UnknownTechnologyError for a name not listed (or listed without a capacity factor) and
    ValueError for negative shares or shares that do not sum to 1 (± 1e-6).
    """
    items = {mix: 1.0} if isinstance(mix, str) else dict(mix)
    if not items:
        raise ValueError("Give at least one generation technology.")
    out: dict[str, float] = {}
    for name, share in items.items():
        tech = params.technology(name, need_capacity_factor=True)
        share = float(share)
        if not math.isfinite(share) or share < 0:
            raise ValueError(f"The share of {tech.name} must be a number ≥ 0, not {share!r}.")
        if tech.name in out:
            raise ValueError(f"{tech.name} is given twice in the mix.")
        out[tech.name] = share
    total = sum(out.values())
    if abs(total - 1.0) > SHARE_TOLERANCE:
        raise ValueError(f"The mix's shares must sum to 1, not {total:g}.")
    return MappingProxyType(out)


def _check_number(name: str, value: float, low: float, high: float = math.inf, *, open_low: bool = False) -> float:
    value = float(value)
    bad_low = value <= low if open_low else value < low
    if not math.isfinite(value) or bad_low or value > high:
        bounds = f"{'>' if open_low else '≥'} {low:g}" + (f" and ≤ {high:g}" if math.isfinite(high) else "")
        raise ValueError(f"{name} must be a number {bounds}, not {value!r}.")
    return value


@dataclass(frozen=True)
class Estimate:
    """One deterministic estimate (see the module's definitions)."""

    accelerators: Mapping[str, int]
    server_kw_derived: tuple[str, ...]  # models whose server kW is derived from board power
    utilisation: float
    pue: float
    reserve_margin: float
    mix: Mapping[str, float]
    it_mw: float
    facility_mw: float
    energy_mwh: float
    generation_mw: float
    generation_mw_by_technology: Mapping[str, float]
    generation_capex_usd: float
    generation_capex_usd_by_technology: Mapping[str, float]
    data_centre_capex_usd: float
    grid_kg_per_mwh: float | None
    emissions_t: float | None

    def as_dict(self) -> dict[str, Any]:
        """A JSON-ready dictionary of every field."""
        return {f.name: _plain(getattr(self, f.name)) for f in fields(self)}


def _plain(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, tuple):
        return list(value)
    if isinstance(value, np.ndarray):
        return value.tolist()
    return value


def estimate(
    accelerators: Mapping[str, int],
    *,
    utilisation: float,
    pue: float,
    mix: Mapping[str, float] | str,
    reserve_margin: float = 0.0,
    params: Parameters | None = None,
    grid_kg_per_mwh: float | None = None,
) -> Estimate:
    """IT and facility load, annual energy, generation capacity and capex, data-centre capex, emissions.

    ``accelerators``: model → count (whole, ≥ 0); ``utilisation`` in [0, 1]; ``pue`` ≥ 1; ``mix``: a
    technology or technology → share of energy; ``reserve_margin`` ≥ 0; ``grid_kg_per_mwh``: the
    region's grid intensity (no emissions without it). Raises UnknownAcceleratorError /
    UnknownTechnologyError (both ValueError) for unknown names, ValueError for bad numbers.
    """
    params = load_parameters() if params is None else params
    utilisation = _check_number("Utilisation", utilisation, 0.0, 1.0)
    pue = _check_number("PUE", pue, 1.0)
    reserve_margin = _check_number("The reserve margin", reserve_margin, 0.0)
    if grid_kg_per_mwh is not None:
        grid_kg_per_mwh = _check_number("Grid intensity", grid_kg_per_mwh, 0.0)
    shares = normalise_mix(mix, params)
    counts: dict[str, int] = {}
    derived: list[str] = []
    it_kw = 0.0
    for model, count in accelerators.items():
        accelerator = params.accelerator(model)
        if isinstance(count, bool) or not isinstance(count, int | np.integer) or count < 0:
            raise ValueError(f"The number of {accelerator.model} must be a whole number ≥ 0, not {count!r}.")
        counts[accelerator.model] = counts.get(accelerator.model, 0) + int(count)
        it_kw += int(count) * accelerator.server_kw
        if accelerator.server_kw_derived and accelerator.model not in derived:
            derived.append(accelerator.model)
    if not counts:
        raise ValueError("Give at least one accelerator model and count.")
    it_mw = it_kw / KW_PER_MW
    facility_mw = it_mw * pue
    energy_mwh = it_mw * utilisation * pue * HOURS_PER_YEAR
    gen = {
        name: share * energy_mwh / (HOURS_PER_YEAR * _factor(params, name)) * (1.0 + reserve_margin)
        for name, share in shares.items()
    }
    capex = {name: mw * KW_PER_MW * params.technologies[name].capex_usd_per_kw for name, mw in gen.items()}
    return Estimate(
        accelerators=MappingProxyType(counts),
        server_kw_derived=tuple(derived),
        utilisation=utilisation,
        pue=pue,
        reserve_margin=reserve_margin,
        mix=shares,
        it_mw=it_mw,
        facility_mw=facility_mw,
        energy_mwh=energy_mwh,
        generation_mw=math.fsum(gen.values()),
        generation_mw_by_technology=MappingProxyType(gen),
        generation_capex_usd=math.fsum(capex.values()),
        generation_capex_usd_by_technology=MappingProxyType(capex),
        data_centre_capex_usd=it_mw * params.data_centre_capex_usd_per_mw,
        grid_kg_per_mwh=grid_kg_per_mwh,
        emissions_t=None if grid_kg_per_mwh is None else energy_mwh * grid_kg_per_mwh / KG_PER_T,
    )


def _factor(params: Parameters, name: str) -> float:
    factor = params.technology(name, need_capacity_factor=True).capacity_factor
    assert factor is not None
    return factor


# --------------------------------------------------------------------------------------------------------
# Distributions


@dataclass(frozen=True)
class Distribution:
    """An uncertain parameter.

    * ``fixed``: always ``low`` (= ``high``);
    * ``uniform``: uniform on [``low``, ``high``];
    * ``triangular``: triangular on [``low``, ``high``] with its peak at ``mode``;
    * ``lognormal``: ln X is normal, given by its 10th and 90th percentiles ``low`` = P10 and ``high`` =
      P90 (0 < P10 ≤ P90): median = √(P10 × P90), μ = ln median, σ = ln(P90 / P10) / (2 × 1.2816).
      ``Distribution.lognormal_median(median, spread)`` gives P10 = median / spread, P90 = median ×
      spread (spread ≥ 1).

    Build with the class methods (``fixed``, ``uniform``, ``triangular``, ``lognormal``,
    ``lognormal_median``) or ``from_dict``.
    """

    kind: Kind
    low: float
    high: float
    mode: float | None = None

    def __post_init__(self) -> None:
        values = [self.low, self.high] + ([] if self.mode is None else [self.mode])
        if not all(isinstance(v, int | float) and math.isfinite(v) for v in values):
            raise ValueError(f"A {self.kind} distribution needs finite numbers, not {values!r}.")
        if self.kind not in ("fixed", "triangular", "uniform", "lognormal"):
            raise ValueError(f"Unknown distribution {self.kind!r}: fixed, triangular, uniform or lognormal.")
        if self.kind == "fixed" and self.low != self.high:
            raise ValueError("A fixed value has low = high.")
        if self.low > self.high:
            raise ValueError(f"A {self.kind} distribution needs low ≤ high, not {self.low:g} > {self.high:g}.")
        if self.kind == "triangular":
            if self.mode is None or not self.low <= self.mode <= self.high:
                raise ValueError(f"A triangular distribution needs low ≤ mode ≤ high, not {values!r}.")
        elif self.mode is not None:
            raise ValueError(f"Only a triangular distribution has a mode, not a {self.kind} one.")
        if self.kind == "lognormal" and self.low <= 0:
            raise ValueError("A lognormal distribution needs P10 > 0.")

    @classmethod
    def fixed(cls, value: float) -> Distribution:
        return cls("fixed", float(value), float(value))

    @classmethod
    def uniform(cls, low: float, high: float) -> Distribution:
        return cls("uniform", float(low), float(high))

    @classmethod
    def triangular(cls, low: float, mode: float, high: float) -> Distribution:
        return cls("triangular", float(low), float(high), float(mode))

    @classmethod
    def lognormal(cls, p10: float, p90: float) -> Distribution:
        return cls("lognormal", float(p10), float(p90))

    @classmethod
    def lognormal_median(cls, median: float, spread: float) -> Distribution:
        if not spread >= 1:
            raise ValueError("A lognormal spread (P90 / median) must be ≥ 1.")
        return cls("lognormal", float(median) / float(spread), float(median) * float(spread))

    @property
    def is_fixed(self) -> bool:
        return self.low == self.high

    @property
    def mu(self) -> float:
        """Lognormal only: the mean of ln X."""
        return (math.log(self.low) + math.log(self.high)) / 2.0

    @property
    def sigma(self) -> float:
        """Lognormal only: the standard deviation of ln X."""
        return (math.log(self.high) - math.log(self.low)) / (2.0 * Z90)

    @property
    def median(self) -> float:
        if self.kind == "lognormal":
            return math.exp(self.mu)
        if self.kind == "triangular":
            a, c, b = self.low, self.mode, self.high
            assert c is not None
            if b == a:
                return a
            if c >= (a + b) / 2:
                return a + math.sqrt((b - a) * (c - a) / 2)
            return b - math.sqrt((b - a) * (b - c) / 2)
        return (self.low + self.high) / 2.0

    @property
    def mean(self) -> float:
        if self.kind == "lognormal":
            return math.exp(self.mu + self.sigma**2 / 2.0)
        if self.kind == "triangular":
            assert self.mode is not None
            return (self.low + self.mode + self.high) / 3.0
        return (self.low + self.high) / 2.0

    @property
    def support(self) -> tuple[float, float]:
        """The smallest and largest values a draw can take."""
        return (0.0, math.inf) if self.kind == "lognormal" and not self.is_fixed else (self.low, self.high)

    def to_dict(self) -> dict[str, Any]:
        """JSON form: {"kind": "fixed", "value": v}, {"kind": "uniform", "low", "high"}, {"kind": "triangular",
        "low", "mode", "high"}, {"kind": "lognormal", "p10", "p90"}."""
        if self.kind == "fixed":
            return {"kind": "fixed", "value": self.low}
        if self.kind == "lognormal":
            return {"kind": "lognormal", "p10": self.low, "p90": self.high}
        if self.kind == "triangular":
            return {"kind": "triangular", "low": self.low, "mode": self.mode, "high": self.high}
        return {"kind": "uniform", "low": self.low, "high": self.high}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any] | float) -> Distribution:
        """The inverse of ``to_dict``; also a plain number (fixed) and lognormal {"median", "spread"}."""
        if isinstance(data, int | float) and not isinstance(data, bool):
            return cls.fixed(data)
        if not isinstance(data, Mapping):
            raise ValueError(f"A distribution is a number or a mapping with a kind, not {data!r}.")
        kind = data.get("kind")
        try:
            if kind == "fixed":
                return cls.fixed(data["value"])
            if kind == "uniform":
                return cls.uniform(data["low"], data["high"])
            if kind == "triangular":
                return cls.triangular(data["low"], data["mode"], data["high"])
            if kind == "lognormal":
                if "median" in data:
                    return cls.lognormal_median(data["median"], data["spread"])
                return cls.lognormal(data["p10"], data["p90"])
        except KeyError as exc:
            raise ValueError(f"A {kind} distribution needs {exc.args[0]!r}.") from None
        except TypeError:
            raise ValueError(f"A {kind} distribution needs numbers: {dict(data)!r}.") from None
        raise ValueError(f"Unknown distribution {kind!r}: fixed, triangular, uniform or lognormal.")


def sample(dist: Distribution, n: int, rng: np.random.Generator) -> FloatArray:
    """``n`` independent draws (float64). A fixed value draws nothing from ``rng``."""
    if n < 0:
        raise ValueError("The number of samples must be ≥ 0.")
    if dist.is_fixed:
        return np.full(n, dist.low, dtype=np.float64)
    if dist.kind == "uniform":
        return rng.uniform(dist.low, dist.high, n)
    if dist.kind == "triangular":
        assert dist.mode is not None
        return rng.triangular(dist.low, dist.mode, dist.high, n)
    return rng.lognormal(dist.mu, dist.sigma, n)


def parameter_rng(seed: int, name: str) -> np.random.Generator:
    """The random stream of one named parameter: seeded by (seed, CRC-32 of the name)."""
    return np.random.default_rng([int(seed), zlib.crc32(name.encode("utf-8"))])


# --------------------------------------------------------------------------------------------------------
# Monte Carlo inputs and outputs


def _array(value: npt.ArrayLike, shape: tuple[int, ...], name: str) -> FloatArray:
    array = np.array(value, dtype=np.float64)
    if array.shape != shape:
        raise ValueError(f"{name} must have shape {shape} (regions × years), not {array.shape}.")
    if not np.all(np.isfinite(array)) or np.any(array < 0):
        raise ValueError(f"{name} must be finite and ≥ 0.")
    array.setflags(write=False)
    return array


#: Allowed range of each scalar parameter: (low, high, low excluded).
BOUNDS: Mapping[str, tuple[float, float, bool]] = MappingProxyType(
    {
        "server_kw": (0.0, math.inf, True),
        "utilisation": (0.0, 1.0, False),
        "utilisation_final": (0.0, 1.0, False),
        "pue": (1.0, math.inf, False),
        "pue_final": (1.0, math.inf, False),
        "efficiency_gain": (0.0, 1.0, False),  # < 1 checked separately
        "demand_growth": (-1.0, math.inf, True),
        "reserve_margin": (0.0, math.inf, False),
        "data_centre_capex_usd_per_mw": (0.0, math.inf, False),
        "rub_per_usd": (0.0, math.inf, True),
        "capex_usd_per_kw": (0.0, math.inf, False),
    }
)


def _check_support(name: str, dist: Distribution) -> None:
    low, high, open_low = BOUNDS[name.split(".")[0]]
    lo, hi = dist.support
    lognormal = dist.kind == "lognormal" and not dist.is_fixed  # draws are > 0
    ok_low = low <= 0.0 if lognormal else (lo > low if open_low else lo >= low)
    if not ok_low or hi > high:
        raise ValueError(
            f"{name}: a {dist.kind} distribution on [{lo:g}, {hi:g}] leaves the allowed range "
            f"{'(' if open_low else '['}{low:g}, {high:g}]."
        )
    if name == "efficiency_gain" and hi >= 1.0:
        raise ValueError("efficiency_gain must stay below 1 (a gain of 1 would make accelerators draw nothing).")


@dataclass(frozen=True)
class SimulationInputs:
    """A scenario for ``simulate``: regions × years of demand and the parameters' distributions.

    ``accelerators``: base accelerators installed, regions × years (before demand growth); ``server_kw``:
    kW per accelerator of the fleet (one model's server figure, or a fleet average);
    ``exogenous_mw``: average load of crypto mining, other data centres…, regions × years (zeros if not
    given); ``grid_kg_per_mwh``: per region. ``mix``: technology → share of energy (fixed), each with a
    ``capacity_factors`` entry and a ``capex_usd_per_kw`` distribution.
    """

    regions: tuple[str, ...]
    years: tuple[int, ...]
    accelerators: FloatArray
    grid_kg_per_mwh: FloatArray
    server_kw: Distribution
    utilisation: Distribution
    pue: Distribution
    efficiency_gain: Distribution
    demand_growth: Distribution
    reserve_margin: Distribution
    capex_usd_per_kw: Mapping[str, Distribution]
    data_centre_capex_usd_per_mw: Distribution
    rub_per_usd: Distribution
    mix: Mapping[str, float]
    capacity_factors: Mapping[str, float]
    exogenous_mw: FloatArray | None = None
    pue_final: Distribution | None = None
    utilisation_final: Distribution | None = None

    def __post_init__(self) -> None:
        regions, years = tuple(self.regions), tuple(int(y) for y in self.years)
        if not regions or len(set(regions)) != len(regions):
            raise ValueError("Give at least one region, each once.")
        if not years or any(b != a + 1 for a, b in itertools.pairwise(years)):
            raise ValueError("Years must be consecutive and increasing, such as 2025 … 2035.")
        shape = (len(regions), len(years))
        set_ = object.__setattr__
        set_(self, "regions", regions)
        set_(self, "years", years)
        set_(self, "accelerators", _array(self.accelerators, shape, "accelerators"))
        exogenous = np.zeros(shape) if self.exogenous_mw is None else self.exogenous_mw
        set_(self, "exogenous_mw", _array(exogenous, shape, "exogenous_mw"))
        set_(self, "grid_kg_per_mwh", _array(self.grid_kg_per_mwh, (len(regions),), "grid_kg_per_mwh"))
        if not self.mix:
            raise ValueError("Give a technology mix.")
        for tech, share in self.mix.items():
            if not (math.isfinite(share) and share >= 0):
                raise ValueError(f"The share of {tech} must be ≥ 0.")
            factor = self.capacity_factors.get(tech)
            if factor is None or not 0 < factor <= 1:
                raise ValueError(f"{tech} needs a capacity factor in (0, 1].")
            if tech not in self.capex_usd_per_kw:
                raise ValueError(f"{tech} needs a capex per kW distribution.")
        if abs(sum(self.mix.values()) - 1.0) > SHARE_TOLERANCE:
            raise ValueError(f"The mix's shares must sum to 1, not {sum(self.mix.values()):g}.")
        set_(self, "mix", MappingProxyType({k: float(v) for k, v in sorted(self.mix.items())}))
        set_(self, "capex_usd_per_kw", MappingProxyType(dict(sorted(self.capex_usd_per_kw.items()))))
        set_(self, "capacity_factors", MappingProxyType(dict(self.capacity_factors)))
        for name, dist in self.distributions().items():
            _check_support(name, dist)

    @property
    def exogenous(self) -> FloatArray:
        """``exogenous_mw`` as given, or zeros."""
        assert self.exogenous_mw is not None  # set in __post_init__
        return self.exogenous_mw

    @property
    def technologies(self) -> tuple[str, ...]:
        """The technologies of the mix, sorted."""
        return tuple(self.mix)

    def distributions(self) -> dict[str, Distribution]:
        """Every parameter's distribution by name (the order samples are reported in); ``utilisation_final``
        and ``pue_final`` only when given."""
        out = {"server_kw": self.server_kw, "utilisation": self.utilisation}
        if self.utilisation_final is not None:
            out["utilisation_final"] = self.utilisation_final
        out["pue"] = self.pue
        if self.pue_final is not None:
            out["pue_final"] = self.pue_final
        out |= {
            "efficiency_gain": self.efficiency_gain,
            "demand_growth": self.demand_growth,
            "reserve_margin": self.reserve_margin,
        }
        for tech in self.technologies:
            out[f"capex_usd_per_kw.{tech}"] = self.capex_usd_per_kw[tech]
        out["data_centre_capex_usd_per_mw"] = self.data_centre_capex_usd_per_mw
        out["rub_per_usd"] = self.rub_per_usd
        return out


def inputs_from_parameters(
    params: Parameters | None = None,
    *,
    regions: Sequence[str],
    years: Sequence[int],
    accelerators: npt.ArrayLike,
    utilisation: Distribution,
    efficiency_gain: Distribution,
    demand_growth: Distribution,
    reserve_margin: Distribution,
    mix: Mapping[str, float] | str,
    exogenous_mw: npt.ArrayLike | None = None,
    grid_kg_per_mwh: npt.ArrayLike | None = None,
    accelerator_model: str = "H100-SXM",
    server_kw: Distribution | None = None,
    pue: Distribution | None = None,
    capex_usd_per_kw: Mapping[str, Distribution] | None = None,
    data_centre_capex_usd_per_mw: Distribution | None = None,
    rub_per_usd: Distribution | None = None,
    pue_final: Distribution | None = None,
    utilisation_final: Distribution | None = None,
    grid_table: Mapping[str, float] | None = None,
) -> SimulationInputs:
    """SimulationInputs with the shipped parameters as defaults for what the caller leaves out.

    Defaults: ``server_kw`` fixed at the model's server kW; ``pue`` triangular(hyperscale low 1.10, new
    large site 1.30, industry average 1.58); capex per kW of each technology in the mix triangular(range
    low, value, range high) — fixed at the value where no range is published; data-centre capex per MW
    triangular(9.3, 11.7, 15.0 million); RUB per USD fixed at the rate implied by the VTB estimate (6 trn
    RUB / 77 bn USD ≈ 77.9); capacity factors as published; grid intensity from the shipped table (or
    ``grid_table``) by region code, the national average (``RU``) for a code not in it. Utilisation,
    efficiency gain, demand growth and reserve margin have no published default and must be given.
    """
    params = load_parameters() if params is None else params
    shares = normalise_mix(mix, params)
    if grid_kg_per_mwh is None:
        table = load_grid_intensity() if grid_table is None else grid_table
        national = table.get(NATIONAL_CODE, params.russia.grid_kg_co2_per_mwh)
        grid_kg_per_mwh = [table.get(code.strip().upper(), national) for code in regions]
    capex: dict[str, Distribution] = {}
    for tech in shares:
        given = None if capex_usd_per_kw is None else capex_usd_per_kw.get(tech)
        technology = params.technologies[tech]
        if given is not None:
            capex[tech] = given
        elif technology.capex_range is None:
            capex[tech] = Distribution.fixed(technology.capex_usd_per_kw)
        else:
            capex[tech] = Distribution.triangular(
                technology.capex_range.low, technology.capex_usd_per_kw, technology.capex_range.high
            )
    dc = params.data_centre_capex_range
    return SimulationInputs(
        regions=tuple(regions),
        years=tuple(years),
        accelerators=np.asarray(accelerators, dtype=np.float64),
        exogenous_mw=None if exogenous_mw is None else np.asarray(exogenous_mw, dtype=np.float64),
        grid_kg_per_mwh=np.asarray(grid_kg_per_mwh, dtype=np.float64),
        server_kw=server_kw or Distribution.fixed(params.accelerator(accelerator_model).server_kw),
        utilisation=utilisation,
        utilisation_final=utilisation_final,
        pue=pue
        or Distribution.triangular(params.pue.hyperscale.low, params.pue.new_large_site, params.pue.industry_average),
        pue_final=pue_final,
        efficiency_gain=efficiency_gain,
        demand_growth=demand_growth,
        reserve_margin=reserve_margin,
        capex_usd_per_kw=capex,
        data_centre_capex_usd_per_mw=data_centre_capex_usd_per_mw
        or Distribution.triangular(dc.low, params.data_centre_capex_usd_per_mw, dc.high),
        rub_per_usd=rub_per_usd or Distribution.fixed(params.russia.implied_rub_per_usd),
        mix=shares,
        capacity_factors={tech: _factor(params, tech) for tech in shares},
    )


@dataclass(frozen=True)
class Bands:
    """P10, P50 and P90 of one output: arrays of shape regions × years (regional) or years (national)."""

    p10: FloatArray
    p50: FloatArray
    p90: FloatArray

    def scaled(self, factor: npt.ArrayLike, offset: npt.ArrayLike = 0.0) -> Bands:
        """factor × bands + offset (exact for percentiles when factor ≥ 0)."""
        f, o = np.asarray(factor, dtype=np.float64), np.asarray(offset, dtype=np.float64)
        return Bands(self.p10 * f + o, self.p50 * f + o, self.p90 * f + o)

    def to_dict(self) -> dict[str, Any]:
        return {"p10": self.p10.tolist(), "p50": self.p50.tolist(), "p90": self.p90.tolist()}


@dataclass(frozen=True)
class Outputs:
    """P10/P50/P90 of every output, for each region and year (regional) or each year (national)."""

    it_mw: Bands
    facility_mw: Bands
    energy_twh: Bands
    generation_mw: Bands
    generation_mw_by_technology: Mapping[str, Bands]
    new_generation_mw: Bands  # cumulative capacity added since the first year
    new_generation_capex_usd: Bands  # capex of what the year adds (0 in the first year)
    new_generation_capex_usd_cumulative: Bands  # capex of what was added since the first year
    new_generation_capex_rub: Bands
    new_generation_capex_rub_cumulative: Bands
    data_centre_capex_usd_cumulative: Bands  # IT capacity added since the first year
    data_centre_capex_rub_cumulative: Bands
    co2_mt: Bands

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for f in fields(self):
            value = getattr(self, f.name)
            out[f.name] = {k: v.to_dict() for k, v in value.items()} if isinstance(value, Mapping) else value.to_dict()
        return out


@dataclass(frozen=True)
class Sensitivity:
    """How strongly a sampled parameter moves the national new-generation capex in the last year."""

    parameter: str
    spearman: float


@dataclass(frozen=True)
class Simulation:
    """A Monte Carlo run: the samples drawn, regional and national percentiles, the sensitivity ranking."""

    regions: tuple[str, ...]
    years: tuple[int, ...]
    technologies: tuple[str, ...]
    n_samples: int
    seed: int
    samples: Mapping[str, FloatArray]  # parameter → its n_samples draws
    regional: Outputs
    national: Outputs
    sensitivity: tuple[Sensitivity, ...] = field(default=())

    def region_index(self, code: str) -> int:
        try:
            return self.regions.index(code)
        except ValueError:
            raise KeyError(f"Region {code!r} is not in this simulation.") from None

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready results (samples left out)."""
        return {
            "regions": list(self.regions),
            "years": list(self.years),
            "technologies": list(self.technologies),
            "n_samples": self.n_samples,
            "seed": self.seed,
            "regional": self.regional.to_dict(),
            "national": self.national.to_dict(),
            "sensitivity": [{"parameter": s.parameter, "spearman": s.spearman} for s in self.sensitivity],
        }


# --------------------------------------------------------------------------------------------------------
# Monte Carlo


def _bands_of_sorted(ordered: npt.NDArray[np.floating[Any]]) -> Bands:
    """Type-7 (linear) P10/P50/P90 along the last axis of an array sorted along it."""
    n = ordered.shape[-1]
    out = []
    for q in QUANTILES:
        h = q * (n - 1)
        lo = math.floor(h)
        hi = min(lo + 1, n - 1)
        below = ordered[..., lo].astype(np.float64)
        above = ordered[..., hi].astype(np.float64)
        out.append(below + (h - lo) * (above - below))
    return Bands(out[0], out[1], out[2])


def _bands(values: npt.NDArray[np.floating[Any]], *, in_place: bool = False) -> Bands:
    """P10/P50/P90 along the last (sample) axis; ``in_place`` sorts ``values`` itself."""
    ordered = values if in_place else values.copy()
    ordered.sort(axis=-1)
    return _bands_of_sorted(ordered)


def _spearman(x: FloatArray, y: FloatArray) -> float:
    if np.ptp(x) == 0 or np.ptp(y) == 0:
        return 0.0
    rx, ry = stats.rankdata(x), stats.rankdata(y)
    return float(np.corrcoef(rx, ry)[0, 1])


def draw_samples(inputs: SimulationInputs, samples: int, seed: int) -> dict[str, FloatArray]:
    """Every parameter's ``samples`` draws, each from its own stream (``parameter_rng``)."""
    out = {}
    for name, dist in inputs.distributions().items():
        values = sample(dist, samples, parameter_rng(seed, name))
        values.setflags(write=False)
        out[name] = values
    return out


@dataclass(frozen=True)
class _Factors:
    """The per-year and per-sample factors a chunk of regions needs."""

    energy_factor: FloatArray  # years × samples: MWh a year per base accelerator
    it_factor: FloatArray  # years × samples: MW of IT per base accelerator
    gen_per_mwh: WorkArray  # samples: MW of capacity per MWh a year
    usd_per_mw: WorkArray  # samples: capex per MW of the mix
    rub_per_mw: WorkArray
    rate: WorkArray
    dc_usd_per_mw: WorkArray


@dataclass(frozen=True)
class _Chunk:
    bands: dict[str, Bands]
    generation: FloatArray  # years × samples, summed over the chunk's regions
    new_generation: FloatArray
    added_generation: FloatArray
    new_it: FloatArray


def _running_max(values: WorkArray) -> None:
    """In place: the running maximum over the years (axis 1)."""
    for year in range(1, values.shape[1]):
        np.maximum(values[:, year], values[:, year - 1], out=values[:, year])


def _chunk(base: FloatArray, exo_mwh: FloatArray, f: _Factors) -> _Chunk:
    """Generation, new capacity and capex bands for some regions, and their sums over those regions."""
    shape = (base.shape[0], *f.energy_factor.shape)
    gen = np.empty(shape, dtype=WORK_DTYPE)
    np.multiply(base[:, :, None], f.energy_factor[None, :, :], out=gen, casting="same_kind")
    gen += exo_mwh[:, :, None].astype(WORK_DTYPE)
    gen *= f.gen_per_mwh
    generation = gen.sum(axis=0, dtype=np.float64)
    built = gen.copy()
    _running_max(built)
    bands = {"generation_mw": _bands(gen, in_place=True)}
    added = gen  # reuse: what each year adds to the capacity built
    added[:, 0] = 0.0
    np.subtract(built[:, 1:], built[:, :-1], out=added[:, 1:])
    built -= built[:, :1].copy()  # new since the first year
    new = built
    new_generation = new.sum(axis=0, dtype=np.float64)
    added_generation = added.sum(axis=0, dtype=np.float64)
    scratch = new * f.usd_per_mw
    bands["new_generation_capex_usd_cumulative"] = _bands(scratch, in_place=True)
    np.multiply(new, f.rub_per_mw, out=scratch)
    bands["new_generation_capex_rub_cumulative"] = _bands(scratch, in_place=True)
    bands["new_generation_mw"] = _bands(new, in_place=True)
    np.multiply(added, f.usd_per_mw, out=scratch)
    bands["new_generation_capex_usd"] = _bands(scratch, in_place=True)
    added *= f.rub_per_mw
    bands["new_generation_capex_rub"] = _bands(added, in_place=True)

    it = scratch  # reuse: IT MW, then its increase since the first year
    np.multiply(base[:, :, None], f.it_factor[None, :, :], out=it, casting="same_kind")
    _running_max(it)
    it -= it[:, :1].copy()
    new_it = it.sum(axis=0, dtype=np.float64)
    it *= f.dc_usd_per_mw
    np.multiply(it, f.rate, out=new)
    bands["data_centre_capex_usd_cumulative"] = _bands(it, in_place=True)
    bands["data_centre_capex_rub_cumulative"] = _bands(new, in_place=True)
    return _Chunk(bands, generation, new_generation, added_generation, new_it)


def _concatenate(parts: Sequence[Bands]) -> Bands:
    return Bands(
        np.concatenate([p.p10 for p in parts]),
        np.concatenate([p.p50 for p in parts]),
        np.concatenate([p.p90 for p in parts]),
    )


def simulate(inputs: SimulationInputs, samples: int, seed: int, *, workers: int | None = None) -> Simulation:
    """Monte Carlo over all regions × years × ``samples`` in one vectorised pass (see the module's definitions).

    The region × year × sample arrays are processed in chunks of regions of about ``CHUNK_CELLS`` cells
    (bounded memory), on ``workers`` threads (default: the number of CPUs, at most 4; 1 for none). The
    results do not depend on ``workers``: each chunk is computed alone and chunks are combined in order.
    """
    if samples < 1:
        raise ValueError("At least one sample.")
    draws = draw_samples(inputs, samples, seed)
    n_years = len(inputs.years)
    k = np.arange(n_years, dtype=np.float64)[:, None]  # years × 1
    ramp = k / (n_years - 1) if n_years > 1 else np.zeros_like(k)

    def trajectory(first: str, last: str) -> FloatArray:
        start = draws[first][None, :]
        return start + (draws[last] - draws[first])[None, :] * ramp if last in draws else start

    # years × samples: MW of IT per base accelerator, then facility MW and MWh a year per base accelerator
    it_factor = (
        draws["server_kw"][None, :]
        * (1.0 - draws["efficiency_gain"][None, :]) ** k
        * (1.0 + draws["demand_growth"][None, :]) ** k
        / KW_PER_MW
    )
    facility_factor = it_factor * trajectory("pue", "pue_final")
    energy_factor = facility_factor * trajectory("utilisation", "utilisation_final") * HOURS_PER_YEAR

    techs = inputs.technologies
    per_tech = np.array([inputs.mix[t] / inputs.capacity_factors[t] for t in techs])
    kappa = float(per_tech.sum())
    weights = per_tech / kappa if kappa > 0 else per_tech  # share of capacity by technology
    gen_per_mwh = (1.0 + draws["reserve_margin"]) * kappa / HOURS_PER_YEAR  # MW per MWh a year, (samples,)
    usd_per_mw = np.zeros(samples)  # capex per MW of the mix's capacity, (samples,)
    for tech, weight in zip(techs, weights, strict=True):
        usd_per_mw += KW_PER_MW * weight * draws[f"capex_usd_per_kw.{tech}"]
    rate = draws["rub_per_usd"]
    dc_usd_per_mw = draws["data_centre_capex_usd_per_mw"]

    base = inputs.accelerators  # regions × years
    exo_mwh = inputs.exogenous * HOURS_PER_YEAR  # regions × years
    grid = inputs.grid_kg_per_mwh[:, None]  # regions × 1

    # Outputs that are a non-negative multiple of one factor per year: percentiles of the factor.
    it_q, facility_q, energy_q = _bands(it_factor), _bands(facility_factor), _bands(energy_factor)
    energy_mwh_regional = energy_q.scaled(base, exo_mwh)
    regional_simple = {
        "it_mw": it_q.scaled(base),
        "facility_mw": facility_q.scaled(base),
        "energy_twh": energy_mwh_regional.scaled(1.0 / MWH_PER_TWH),
        "co2_mt": energy_mwh_regional.scaled(grid / KG_PER_MT),
    }
    base_total = base.sum(axis=0)[:, None]
    energy_nat = energy_factor * base_total + exo_mwh.sum(axis=0)[:, None]  # years × samples, MWh
    co2_nat = (energy_factor * (grid * base).sum(axis=0)[:, None] + (grid * exo_mwh).sum(axis=0)[:, None]) / KG_PER_MT
    national_simple = {
        "it_mw": _bands(it_factor * base_total),
        "facility_mw": _bands(facility_factor * base_total),
        "energy_twh": _bands(energy_nat / MWH_PER_TWH),
        "co2_mt": _bands(co2_nat),
    }

    # Generation, new capacity, capex: regions × years × samples (float32), in chunks of regions.
    factors = _Factors(
        energy_factor=energy_factor,
        it_factor=it_factor,
        gen_per_mwh=gen_per_mwh.astype(WORK_DTYPE),
        usd_per_mw=usd_per_mw.astype(WORK_DTYPE),
        rub_per_mw=(usd_per_mw * rate).astype(WORK_DTYPE),
        rate=rate.astype(WORK_DTYPE),
        dc_usd_per_mw=dc_usd_per_mw.astype(WORK_DTYPE),
    )
    rows = max(1, CHUNK_CELLS // (n_years * samples))
    chunks = [slice(lo, lo + rows) for lo in range(0, len(inputs.regions), rows)]
    n_workers = max(1, min(len(chunks), workers if workers is not None else min(4, os.cpu_count() or 1)))
    if n_workers == 1:
        parts = [_chunk(base[c], exo_mwh[c], factors) for c in chunks]
    else:
        with ThreadPoolExecutor(n_workers) as pool:  # numpy releases the GIL in these loops and sorts
            parts = list(pool.map(lambda c: _chunk(base[c], exo_mwh[c], factors), chunks))
    chunk_bands = {name: _concatenate([part.bands[name] for part in parts]) for name in parts[0].bands}
    gen_nat, new_nat, added_nat, it_new_nat = (
        np.sum([getattr(part, name) for part in parts], axis=0)  # chunk order: deterministic
        for name in ("generation", "new_generation", "added_generation", "new_it")
    )
    gen_regional = chunk_bands["generation_mw"]
    dc_nat = it_new_nat * dc_usd_per_mw

    by_tech_regional = MappingProxyType({t: gen_regional.scaled(w) for t, w in zip(techs, weights, strict=True)})
    regional = Outputs(
        it_mw=regional_simple["it_mw"],
        facility_mw=regional_simple["facility_mw"],
        energy_twh=regional_simple["energy_twh"],
        generation_mw=gen_regional,
        generation_mw_by_technology=by_tech_regional,
        new_generation_mw=chunk_bands["new_generation_mw"],
        new_generation_capex_usd=chunk_bands["new_generation_capex_usd"],
        new_generation_capex_usd_cumulative=chunk_bands["new_generation_capex_usd_cumulative"],
        new_generation_capex_rub=chunk_bands["new_generation_capex_rub"],
        new_generation_capex_rub_cumulative=chunk_bands["new_generation_capex_rub_cumulative"],
        data_centre_capex_usd_cumulative=chunk_bands["data_centre_capex_usd_cumulative"],
        data_centre_capex_rub_cumulative=chunk_bands["data_centre_capex_rub_cumulative"],
        co2_mt=regional_simple["co2_mt"],
    )
    gen_nat_q = _bands(gen_nat)
    capex_nat = new_nat * usd_per_mw
    national = Outputs(
        it_mw=national_simple["it_mw"],
        facility_mw=national_simple["facility_mw"],
        energy_twh=national_simple["energy_twh"],
        generation_mw=gen_nat_q,
        generation_mw_by_technology=MappingProxyType(
            {t: gen_nat_q.scaled(w) for t, w in zip(techs, weights, strict=True)}
        ),
        new_generation_mw=_bands(new_nat),
        new_generation_capex_usd=_bands(added_nat * usd_per_mw),
        new_generation_capex_usd_cumulative=_bands(capex_nat),
        new_generation_capex_rub=_bands(added_nat * usd_per_mw * rate),
        new_generation_capex_rub_cumulative=_bands(capex_nat * rate),
        data_centre_capex_usd_cumulative=_bands(dc_nat),
        data_centre_capex_rub_cumulative=_bands(dc_nat * rate),
        co2_mt=national_simple["co2_mt"],
    )

    target = capex_nat[-1]
    distributions = inputs.distributions()
    ranking = [
        Sensitivity(name, _spearman(values, target))
        for name, values in draws.items()
        if not distributions[name].is_fixed
    ]
    ranking.sort(key=lambda s: -abs(s.spearman))
    return Simulation(
        regions=inputs.regions,
        years=inputs.years,
        technologies=techs,
        n_samples=samples,
        seed=int(seed),
        samples=MappingProxyType(draws),
        regional=regional,
        national=national,
        sensitivity=tuple(ranking),
    )
