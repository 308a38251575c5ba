"""aihq energy_run SCENARIO [--samples N] [--output FILE.csv] [--json]"""

from __future__ import annotations

import contextlib
import csv
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import CommandError, CommandParser

from aihq.core.cli import AIHQCommand
from aihq.core.exports import safe_row
from aihq.energy.models import Scenario
from aihq.energy.scenarios import run_rows
from aihq.energy.services import scenario_run


class Command(AIHQCommand):
    help = "Run a scenario's Monte Carlo (by code), keep the run, and optionally write its percentiles as CSV."

    def add_arguments(self, parser: CommandParser) -> None:
        super().add_arguments(parser)
        parser.add_argument("scenario", help="The scenario's code, such as RU-2030.")
        parser.add_argument("--samples", type=int, help="Samples to draw (default: the scenario's own).")
        parser.add_argument("--output", type=Path, help="Write region, year, output, P10, P50, P90 rows here.")

    def handle(self, *args: Any, **options: Any) -> None:
        scenario = Scenario.objects.filter(code=options["scenario"]).first()
        if scenario is None:
            raise CommandError(f"No scenario has the code {options['scenario']}.")
        with self.console.status("Sampling…") if not options["json"] else contextlib.nullcontext():
            try:
                run = scenario_run(actor=self.actor, scenario=scenario, samples=options["samples"])
            except ValidationError as exc:
                raise CommandError("; ".join(exc.messages)) from None
        if options["output"]:
            with options["output"].open("w", newline="", encoding="utf-8") as handle:
                csv.writer(handle).writerows(safe_row(row) for row in run_rows(run.results))
        national = run.results["national"]
        capex = national["new_generation_capex_usd_cumulative"]
        summary = (
            f"Run {run.pk}: {run.samples:,} samples in {run.seconds:.2f} s; new generation capex by "
            f"{run.results['years'][-1]}: P50 {capex['p50'][-1] / 1e9:.1f} bn USD "
            f"(P10 {capex['p10'][-1] / 1e9:.1f}, P90 {capex['p90'][-1] / 1e9:.1f})."
        )
        self.emit(
            options,
            summary,
            {
                "run": run.pk,
                "samples": run.samples,
                "seconds": run.seconds,
                "years": run.results["years"],
                "national": national,
            },
        )
