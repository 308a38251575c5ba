"""The shipped planning parameters (``data/parameters.yaml``) and grid carbon intensity, as typed, frozen values.

Pure: reads two files shipped with the package, touches no database. ``load_parameters()`` and
``load_grid_intensity()`` cache the shipped files; pass a path to read another copy.

Definitions:

* ``server_kw`` of an accelerator — the whole server's maximum power divided by its accelerators (the
  DGX H100 is 10.2 kW for 8 GPUs: 1.28 kW each). Where the file gives only the board power (``board_kw``),
  the server figure is *derived* as ``board_kw × Parameters.server_to_board``, the mean of the server/board
  ratios of the models that publish both (H100-SXM 1.28 / 0.70 = 1.829, B200 1.79 / 1.00 = 1.790; mean
  1.809, computed from the file), and the accelerator is marked ``server_kw_derived``; the range of those
  ratios is ``Parameters.server_to_board_range``. H100-PCIe: 0.35 × 1.809 = 0.633 kW; H200-SXM: 1.266 kW.
* ``capex_usd_per_kw`` — overnight capital cost of new generation per kW of capacity; ``low``/``high``
  the published range when there is one. Some figures are Danish Energy Agency values in EUR used as USD
  (gas open cycle; the low end of gas combined cycle), as the file does; see ``Technology.source``.
* ``capacity_factor`` — the planning share of the year at full output; ``None`` where the file gives none
  (gas open cycle): such a technology cannot be used in a mix without a factor.
* grid carbon intensity — kg CO2 per MWh by ISO 3166-2 code (Eco2AI's regional index); ``RU`` is the
  national average, which also stands for the regions Eco2AI does not list (see ``data/README.md``).
"""

from __future__ import annotations

import csv
import functools
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import Any, TypeVar

import yaml

DATA_DIR = Path(__file__).resolve().parent / "data"
PARAMETERS_PATH = DATA_DIR / "parameters.yaml"
GRID_INTENSITY_PATH = DATA_DIR / "ru_grid_carbon_intensity.csv"
NATIONAL_CODE = "RU"

T = TypeVar("T")


class ParameterError(ValueError):
    """The parameters file is malformed, or a name is not in it."""


class UnknownAcceleratorError(ParameterError):
    """An accelerator model the parameters do not list."""


class UnknownTechnologyError(ParameterError):
    """A generation technology the parameters do not list (or list without the figure needed)."""


class UnknownRegionError(ParameterError):
    """A region code with no grid carbon intensity."""


@dataclass(frozen=True)
class Range:
    """A published range [low, high]."""

    low: float
    high: float

    def __post_init__(self) -> None:
        if self.low > self.high:
            raise ParameterError(f"A range's low end ({self.low}) is above its high end ({self.high}).")


@dataclass(frozen=True)
class Accelerator:
    """One accelerator model's power: board (TDP/TGP) and whole-server maximum per accelerator, kW."""

    model: str
    board_kw: float
    server_kw: float
    server_kw_derived: bool  # True: server_kw = board_kw × Parameters.server_to_board, not published
    source: str


@dataclass(frozen=True)
class Technology:
    """A generation technology: overnight capex per kW (value and range) and planning capacity factor."""

    name: str
    capex_usd_per_kw: float
    capex_range: Range | None
    capacity_factor: float | None
    source: str


@dataclass(frozen=True)
class Pue:
    """Power usage effectiveness figures."""

    industry_average: float  # Uptime Institute global survey 2023
    new_large_site: float
    hyperscale: Range


@dataclass(frozen=True)
class Russia:
    """Russian demand, investment and grid figures."""

    electricity_consumption_2024_twh: float
    crypto_mining_twh_per_year: float
    crypto_share_of_consumption: float
    data_centre_installed_gw: Mapping[int, float]  # year → GW (2025: 1.8, 2030: 4.3)
    ai_data_centre_additional_gw_by_2030: Range  # 2.0–2.5 GW
    ai_growth_after_2030_per_year: float  # 0.20
    share_of_data_centres_in_moscow_region: float
    new_generation_investment_rub: float  # VTB estimate, 6 trn RUB
    new_generation_investment_usd: float  # the same estimate, 77 bn USD
    new_generation_investment_note: str
    new_generation_investment_source: str
    grid_kg_co2_per_mwh: float  # national average
    sources: Mapping[str, str]  # figure name (as in the file) → its source

    @property
    def crypto_mining_average_mw(self) -> float:
        """16 TWh a year as an average load: TWh × 10⁶ / 8,760 h (≈ 1,826 MW)."""
        return self.crypto_mining_twh_per_year * 1e6 / 8760.0

    @property
    def implied_rub_per_usd(self) -> float:
        """The exchange rate implied by the VTB estimate: 6.0 trn RUB / 77 bn USD ≈ 77.9."""
        return self.new_generation_investment_rub / self.new_generation_investment_usd


@dataclass(frozen=True)
class Parameters:
    """Everything in ``parameters.yaml`` the energy model uses."""

    accelerators: Mapping[str, Accelerator]
    pue: Pue
    technologies: Mapping[str, Technology]
    data_centre_capex_usd_per_mw: float  # per MW of IT load; excludes IT equipment and land
    data_centre_capex_range: Range
    data_centre_capex_source: str
    world_data_centre_twh: Mapping[int, float]  # IEA Energy and AI, base case
    world_data_centre_source: str
    world_data_centre_twh_by_region: Mapping[str, Mapping[int, float]]
    russia: Russia
    server_to_board: float  # the factor used for derived server figures
    server_to_board_range: Range

    def accelerator(self, model: str) -> Accelerator:
        """The accelerator ``model`` (case-insensitive), or UnknownAcceleratorError naming the known ones."""
        found = self.accelerators.get(model) or _casefold_get(self.accelerators, model)
        if found is None:
            known = ", ".join(sorted(self.accelerators))
            raise UnknownAcceleratorError(f"Unknown accelerator model {model!r}; known models: {known}.")
        return found

    def technology(self, name: str, *, need_capacity_factor: bool = False) -> Technology:
        """The technology ``name`` (case-insensitive), or UnknownTechnologyError naming the known ones."""
        found = self.technologies.get(name) or _casefold_get(self.technologies, name)
        if found is None:
            known = ", ".join(sorted(self.technologies))
            raise UnknownTechnologyError(f"Unknown generation technology {name!r}; known technologies: {known}.")
        if need_capacity_factor and found.capacity_factor is None:
            usable = ", ".join(sorted(k for k, t in self.technologies.items() if t.capacity_factor is not None))
            raise UnknownTechnologyError(
                f"No capacity factor is published for {found.name!r}, so the capacity it needs cannot be "
                f"computed; technologies with one: {usable}."
            )
        return found

    @property
    def capacity_factors(self) -> Mapping[str, float]:
        """Technology → capacity factor, for the technologies that have one."""
        return MappingProxyType(
            {k: t.capacity_factor for k, t in self.technologies.items() if t.capacity_factor is not None}
        )


def _casefold_get(mapping: Mapping[str, T], key: str) -> T | None:
    wanted = key.strip().casefold()
    for name, value in mapping.items():
        if name.casefold() == wanted:
            return value
    return None


def _float(value: Any, where: str) -> float:
    """A number; YAML 1.1 (PyYAML) reads ``6.0e12`` or ``77e9`` (no sign after the e) as a string, so numeric
    strings are accepted too."""
    if isinstance(value, str):
        try:
            return float(value)
        except ValueError:
            pass
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ParameterError(f"{where}: expected a number, found {value!r}.")
    return float(value)


def _range(value: Any, where: str) -> Range:
    if not isinstance(value, list) or len(value) != 2:
        raise ParameterError(f"{where}: expected a range [low, high], found {value!r}.")
    return Range(_float(value[0], where), _float(value[1], where))


def _mapping(value: Any, where: str) -> dict[Any, Any]:
    if not isinstance(value, dict):
        raise ParameterError(f"{where}: expected a mapping, found {value!r}.")
    return value


def _by_year(value: Any, where: str) -> Mapping[int, float]:
    return MappingProxyType(
        {int(k): _float(v, f"{where}.{k}") for k, v in _mapping(value, where).items() if isinstance(k, int)}
    )


def _text(value: Any) -> str:
    return "" if value is None else str(value)


def parse_parameters(raw: Any) -> Parameters:
    """Parameters from the parsed YAML document (see ``load_parameters``)."""
    doc = _mapping(raw, "parameters")
    try:
        accelerators_raw = _mapping(doc["accelerators"], "accelerators")
        ratios = []
        for model, entry in accelerators_raw.items():
            entry = _mapping(entry, f"accelerators.{model}")
            if "server_kw_per_accelerator" in entry:
                ratios.append(
                    _float(entry["server_kw_per_accelerator"], model) / _float(entry["board_kw"], f"{model}.board_kw")
                )
        if not ratios:
            raise ParameterError("accelerators: no model gives both board_kw and server_kw_per_accelerator.")
        server_to_board = sum(ratios) / len(ratios)
        accelerators = {}
        for model, entry in accelerators_raw.items():
            board = _float(entry["board_kw"], f"accelerators.{model}.board_kw")
            published = entry.get("server_kw_per_accelerator")
            accelerators[str(model)] = Accelerator(
                model=str(model),
                board_kw=board,
                server_kw=_float(published, model) if published is not None else board * server_to_board,
                server_kw_derived=published is None,
                source=_text(entry.get("source")),
            )

        pue_raw = _mapping(doc["pue"], "pue")
        pue = Pue(
            industry_average=_float(pue_raw["industry_average"], "pue.industry_average"),
            new_large_site=_float(pue_raw["new_large_site"], "pue.new_large_site"),
            hyperscale=_range(pue_raw["hyperscale"], "pue.hyperscale"),
        )

        factors = {str(k): _float(v, f"capacity_factor_typical.{k}") for k, v in doc["capacity_factor_typical"].items()}
        technologies = {}
        for name, entry in _mapping(doc["generation_capex_usd_per_kw"], "generation_capex_usd_per_kw").items():
            entry = _mapping(entry, f"generation_capex_usd_per_kw.{name}")
            technologies[str(name)] = Technology(
                name=str(name),
                capex_usd_per_kw=_float(entry["value"], f"generation_capex_usd_per_kw.{name}.value"),
                capex_range=_range(entry["range"], f"{name}.range") if "range" in entry else None,
                capacity_factor=factors.get(str(name)),
                source=_text(entry.get("source")),
            )
        missing = sorted(set(factors) - set(technologies))
        if missing:
            raise ParameterError(f"capacity_factor_typical: no capex for {', '.join(missing)}.")

        dc = _mapping(doc["data_centre_capex_usd_per_mw_it"], "data_centre_capex_usd_per_mw_it")
        world = _mapping(doc["world_data_centre_electricity_twh"], "world_data_centre_electricity_twh")
        world_regions = _mapping(doc["world_data_centre_electricity_by_region_twh"], "world…by_region_twh")

        ru = _mapping(doc["russia"], "russia")
        crypto = _mapping(ru["crypto_mining_twh_per_year"], "russia.crypto_mining_twh_per_year")
        ai_gw = _mapping(ru["ai_data_centre_additional_gw_by_2030"], "russia.ai_data_centre_additional_gw_by_2030")
        invest = _mapping(ru["new_generation_investment_estimate"], "russia.new_generation_investment_estimate")
        russia = Russia(
            electricity_consumption_2024_twh=_float(
                _mapping(ru["electricity_consumption_2024_twh"], "russia.consumption")["value"], "consumption"
            ),
            crypto_mining_twh_per_year=_float(crypto["value"], "russia.crypto_mining_twh_per_year.value"),
            crypto_share_of_consumption=_float(crypto["share_of_consumption"], "russia.crypto…share"),
            data_centre_installed_gw=_by_year(ru["data_centre_installed_gw"], "russia.data_centre_installed_gw"),
            ai_data_centre_additional_gw_by_2030=_range(ai_gw["range"], "russia.ai_data_centre_additional_gw"),
            ai_growth_after_2030_per_year=_float(ai_gw["growth_after_2030_per_year"], "russia.ai…growth"),
            share_of_data_centres_in_moscow_region=_float(
                ru["share_of_data_centres_in_moscow_region"], "russia.moscow"
            ),
            new_generation_investment_rub=_float(invest["value_rub"], "russia.investment.value_rub"),
            new_generation_investment_usd=_float(invest["value_usd"], "russia.investment.value_usd"),
            new_generation_investment_note=_text(invest.get("note")),
            new_generation_investment_source=_text(invest.get("source")),
            grid_kg_co2_per_mwh=_float(
                _mapping(ru["grid_carbon_intensity_kg_per_mwh"], "russia.grid")["value"], "russia.grid.value"
            ),
            sources=MappingProxyType(
                {str(k): _text(v["source"]) for k, v in ru.items() if isinstance(v, dict) and "source" in v}
            ),
        )
    except KeyError as exc:
        raise ParameterError(f"The parameters file lacks {exc.args[0]!r}.") from None

    return Parameters(
        accelerators=MappingProxyType(accelerators),
        pue=pue,
        technologies=MappingProxyType(technologies),
        data_centre_capex_usd_per_mw=_float(dc["value"], "data_centre_capex_usd_per_mw_it.value"),
        data_centre_capex_range=_range(dc["range"], "data_centre_capex_usd_per_mw_it.range"),
        data_centre_capex_source=_text(dc.get("source")),
        world_data_centre_twh=_by_year(world, "world_data_centre_electricity_twh"),
        world_data_centre_source=_text(world.get("source")),
        world_data_centre_twh_by_region=MappingProxyType(
            {str(k): _by_year(v, f"world…by_region_twh.{k}") for k, v in world_regions.items()}
        ),
        russia=russia,
        server_to_board=server_to_board,
        server_to_board_range=Range(min(ratios), max(ratios)),
    )


def read_parameters(path: Path) -> Parameters:
    """Parse the YAML file at ``path``."""
    with path.open(encoding="utf-8") as fh:
        return parse_parameters(yaml.safe_load(fh))


@functools.cache
def load_parameters() -> Parameters:
    """The shipped parameters (cached)."""
    return read_parameters(PARAMETERS_PATH)


def read_grid_intensity(path: Path) -> Mapping[str, float]:
    """ISO 3166-2 code → kg CO2 per MWh from a CSV with columns ``iso_code,kg_co2_per_mwh[,source_name]``."""
    out: dict[str, float] = {}
    with path.open(encoding="utf-8", newline="") as fh:
        for line, row in enumerate(csv.DictReader(fh), start=2):
            code = (row.get("iso_code") or "").strip()
            try:
                value = float(row.get("kg_co2_per_mwh") or "")
            except ValueError:
                raise ParameterError(f"{path.name}, line {line}: kg_co2_per_mwh is not a number.") from None
            if not code or value < 0 or code in out:
                raise ParameterError(f"{path.name}, line {line}: a missing or repeated code, or a negative value.")
            out[code] = value
    return MappingProxyType(out)


@functools.cache
def load_grid_intensity() -> Mapping[str, float]:
    """The shipped grid carbon intensity by region (cached)."""
    return read_grid_intensity(GRID_INTENSITY_PATH)


def grid_intensity(code: str, table: Mapping[str, float] | None = None) -> float:
    """kg CO2 per MWh for region ``code`` (``RU`` for the national average); UnknownRegionError if absent."""
    values = load_grid_intensity() if table is None else table
    key = code.strip().upper()
    if key not in values:
        raise UnknownRegionError(
            f"No grid carbon intensity for region {code!r}; give an ISO 3166-2 code such as RU-MOW."
        )
    return values[key]
