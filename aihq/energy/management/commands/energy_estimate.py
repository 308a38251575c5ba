"""aihq energy_estimate --accelerators MODEL=COUNT [...] --utilisation U --pue P
(--technology TECH [...] | --mix TECH=SHARE [...]) [--reserve-margin M] [--grid-intensity KG | --region ISO] [--json]
"""

from __future__ import annotations

import math
from typing import Any

from django.core.management.base import CommandError, CommandParser

from aihq.core.cli import AIHQCommand
from aihq.energy import model
from aihq.energy.parameters import NATIONAL_CODE, ParameterError, grid_intensity, load_parameters


def _number(text: str, what: str) -> float:
    try:
        value = float(text)
    except (TypeError, ValueError):
        raise CommandError(f"{what} must be a number, not {text!r}.") from None
    if not math.isfinite(value):
        raise CommandError(f"{what} must be a finite number, not {text!r}.")
    return value


def _pair(text: str, option: str, form: str) -> tuple[str, str]:
    name, sep, value = text.partition("=")
    if not sep or not name.strip() or not value.strip():
        raise CommandError(f"Give {option} as {form}, not {text!r}.")
    return name.strip(), value.strip()


def _round(value: Any) -> Any:
    """Floats to 6 decimals (no binary noise such as 16.640000000000001) in the JSON."""
    if isinstance(value, float):
        return round(value, 6)
    if isinstance(value, dict):
        return {k: _round(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_round(v) for v in value]
    return value


class Command(AIHQCommand):
    help = (
        "A deterministic estimate of the power, energy, generation capacity and capital cost an accelerator "
        "fleet needs: IT load = accelerators × server kW; facility load = IT × PUE; energy = IT × utilisation × "
        "PUE × 8,760 h; generation = energy / (8,760 × capacity factor) × (1 + reserve margin), for each "
        "technology's share of the energy; capex = capacity × cost per kW. Emissions use the grid intensity of "
        "--region or --grid-intensity, or the national average."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        super().add_arguments(parser)
        parser.add_argument(
            "--accelerators",
            action="append",
            required=True,
            metavar="MODEL=COUNT",
            help="Accelerator model and count, such as H100-SXM=10000; repeat for several models.",
        )
        parser.add_argument("--utilisation", required=True, metavar="U", help="Average utilisation, 0–1.")
        parser.add_argument("--pue", required=True, metavar="P", help="Power usage effectiveness, ≥ 1.")
        mix = parser.add_mutually_exclusive_group(required=True)
        mix.add_argument(
            "--technology",
            action="append",
            metavar="TECH",
            help="Generation technology, such as gas_combined_cycle; repeat to split the energy equally.",
        )
        mix.add_argument(
            "--mix",
            action="append",
            metavar="TECH=SHARE",
            help="Technology and its share of the energy; repeat; the shares must sum to 1.",
        )
        parser.add_argument("--reserve-margin", default="0", metavar="M", help="Reserve margin, ≥ 0 (default 0).")
        grid = parser.add_mutually_exclusive_group()
        grid.add_argument("--grid-intensity", metavar="KG", help="Grid carbon intensity, kg CO2 per MWh.")
        grid.add_argument(
            "--region", metavar="ISO", help="Region whose grid intensity to use (ISO 3166-2, such as RU-MOW; RU)."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        params = load_parameters()
        accelerators: dict[str, int] = {}
        try:
            for item in options["accelerators"]:
                name, value = _pair(item, "--accelerators", "MODEL=COUNT")
                count = _number(value, f"The count of {name}")
                if count < 0 or count != int(count):
                    raise CommandError(f"The count of {name} must be a whole number ≥ 0, not {value!r}.")
                model_name = params.accelerator(name).model
                accelerators[model_name] = accelerators.get(model_name, 0) + int(count)
            if options["technology"]:
                techs = [params.technology(t).name for t in options["technology"]]
                if len(set(techs)) != len(techs):
                    raise CommandError("Give each --technology once.")
                mix: dict[str, float] = {t: 1.0 / len(techs) for t in techs}
            else:
                mix = {}
                for item in options["mix"]:
                    name, value = _pair(item, "--mix", "TECH=SHARE")
                    mix[name] = _number(value, f"The share of {name}")
            if options["grid_intensity"] is not None:
                grid: float = _number(options["grid_intensity"], "--grid-intensity")
                grid_source = "given"
            else:
                code = (options["region"] or NATIONAL_CODE).strip().upper()
                grid = grid_intensity(code)
                grid_source = "national average (RU)" if code == NATIONAL_CODE else f"region {code}"
            result = model.estimate(
                accelerators,
                utilisation=_number(options["utilisation"], "--utilisation"),
                pue=_number(options["pue"], "--pue"),
                mix=mix,
                reserve_margin=_number(options["reserve_margin"], "--reserve-margin"),
                params=params,
                grid_kg_per_mwh=grid,
            )
        except ParameterError as exc:
            raise CommandError(str(exc)) from None
        except ValueError as exc:
            raise CommandError(str(exc)) from None

        data = result.as_dict()
        data["server_kw"] = {name: params.accelerators[name].server_kw for name in result.accelerators}
        data["grid_source"] = grid_source
        data = _round(data)
        if not options["json"]:
            self._print(result, data, grid_source)
        summary = (
            f"{result.it_mw:,.2f} MW IT, {result.facility_mw:,.2f} MW facility, {result.energy_mwh:,.0f} MWh a "
            f"year, {result.generation_mw:,.2f} MW of generation costing "
            f"{result.generation_capex_usd / 1e6:,.1f} million USD."
        )
        self.emit(options, summary, data)

    def _print(self, result: model.Estimate, data: dict[str, Any], grid_source: str) -> None:
        write = self.stdout.write
        for name, count in result.accelerators.items():
            kw = data["server_kw"][name]
            note = " (derived from board power)" if name in result.server_kw_derived else ""
            write(f"{'accelerators':<22}{name} × {count:,} at {kw:.3g} kW per accelerator (server){note}")
        write(f"{'IT load':<22}{result.it_mw:,.2f} MW")
        write(f"{'facility load':<22}{result.facility_mw:,.2f} MW (PUE {result.pue:g})")
        write(f"{'energy':<22}{result.energy_mwh:,.0f} MWh a year (utilisation {result.utilisation:g})")
        write(f"{'generation needed':<22}{result.generation_mw:,.2f} MW (reserve margin {result.reserve_margin:g})")
        for tech, share in result.mix.items():
            write(
                f"  {tech:<20}{share:>6.1%}  {result.generation_mw_by_technology[tech]:,.2f} MW  "
                f"{result.generation_capex_usd_by_technology[tech] / 1e6:,.1f} million USD"
            )
        write(f"{'generation capex':<22}{result.generation_capex_usd / 1e6:,.1f} million USD")
        write(f"{'data-centre capex':<22}{result.data_centre_capex_usd / 1e6:,.1f} million USD (excl. IT, land)")
        if result.emissions_t is not None:
            write(
                f"{'emissions':<22}{result.emissions_t:,.0f} t CO2 a year "
                f"({result.grid_kg_per_mwh:g} kg/MWh, {grid_source})"
            )
