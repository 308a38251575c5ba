#!/usr/bin/env python
"""The energy model's Monte Carlo (``aihq.energy.model.simulate``) against a plain Python loop over the same work.

    python benchmarks/energy_benchmark.py [--samples 10000] [--regions 89] [--years 11] [--repeat 5]
                                          [--loop-samples 100] [--seed 20251201] [--json]

The scenario is generated with a fixed seed: ``--regions`` regions (synthetic codes; grid intensities drawn
from the shipped table's values), years 2025 onwards, base accelerators per region growing 0–40 % a year
from 0–20,000, an exogenous load of 0–50 MW per region, a mix of gas combined cycle 0.6, nuclear 0.2,
onshore wind 0.2, and every parameter uncertain: server kW uniform(1.20, 1.35), utilisation
triangular(0.5, 0.7, 0.9) to a last-year triangular(0.6, 0.8, 0.95), PUE and capex the shipped defaults
(triangular), PUE in the last year uniform(1.1, 1.3), efficiency gain uniform(0, 0.15), demand growth
lognormal(P10 0.05, P90 0.40), reserve margin uniform(0.10, 0.20), RUB per USD lognormal(P10 70, P90 110).

Timed:

- ``simulate``: ``--repeat`` runs of ``simulate(inputs, samples, seed)`` (median and best), with the
  default thread pool and with ``workers=1``;
- ``loop``: the same computation written as plain Python loops over samples × regions × years (scalar
  arithmetic; the running maximum for the capacity built; per-sample national sums) and per-cell
  percentiles by sorting lists, for ``--loop-samples`` samples only, then **scaled linearly** to
  ``--samples`` (the percentile sorts are n log n, so the scaled figure slightly favours the loop). Its
  results are checked against ``simulate`` run on the same samples before it is timed.

Memory, measured before the timed runs: the process's peak RSS during one ``simulate`` call (``VmHWM``
after resetting it through ``/proc/self/clear_refs``; Linux) with the RSS before it (Django not loaded;
numpy, scipy and the inputs are), then the ``tracemalloc`` peak of another call (numpy's allocations are
traced).
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import statistics
import sys
import time
import tracemalloc
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from aihq.energy import model as m  # noqa: E402
from aihq.energy.parameters import load_grid_intensity, load_parameters  # noqa: E402

D = m.Distribution


def make_inputs(regions: int, years: int, seed: int) -> m.SimulationInputs:
    rng = np.random.default_rng(seed)
    codes = [f"R{i:03d}" for i in range(regions)]
    first = rng.integers(0, 20_000, size=regions).astype(float)
    growth = rng.uniform(0.0, 0.4, size=regions)
    base = first[:, None] * (1 + growth[:, None]) ** np.arange(years)[None, :]
    grid_values = np.array(sorted(set(load_grid_intensity().values())))
    return m.inputs_from_parameters(
        load_parameters(),
        regions=codes,
        years=range(2025, 2025 + years),
        accelerators=np.round(base),
        exogenous_mw=rng.uniform(0.0, 50.0, size=(regions, years)),
        grid_kg_per_mwh=rng.choice(grid_values, size=regions),
        server_kw=D.uniform(1.20, 1.35),
        utilisation=D.triangular(0.5, 0.7, 0.9),
        utilisation_final=D.triangular(0.6, 0.8, 0.95),
        pue_final=D.uniform(1.1, 1.3),
        efficiency_gain=D.uniform(0.0, 0.15),
        demand_growth=D.lognormal(0.05, 0.40),
        reserve_margin=D.uniform(0.10, 0.20),
        rub_per_usd=D.lognormal(70.0, 110.0),
        mix={"gas_combined_cycle": 0.6, "nuclear": 0.2, "onshore_wind": 0.2},
    )


# ------------------------------------------------------------------------------------------------ the loop

REGIONAL = (
    "it_mw",
    "facility_mw",
    "energy_twh",
    "co2_mt",
    "generation_mw",
    "new_generation_mw",
    "new_generation_capex_usd",
    "new_generation_capex_usd_cumulative",
    "new_generation_capex_rub",
    "new_generation_capex_rub_cumulative",
    "data_centre_capex_usd_cumulative",
    "data_centre_capex_rub_cumulative",
)


def percentiles(values: list[float]) -> tuple[float, float, float]:
    ordered = sorted(values)
    out = []
    for q in m.QUANTILES:
        h = q * (len(ordered) - 1)
        lo = math.floor(h)
        hi = min(lo + 1, len(ordered) - 1)
        out.append(ordered[lo] + (h - lo) * (ordered[hi] - ordered[lo]))
    return out[0], out[1], out[2]


def python_loop(inputs: m.SimulationInputs, samples: dict[str, np.ndarray]) -> dict[str, Any]:
    """The model with plain Python loops and floats; P10/P50/P90 per region × year and per year (national)."""
    s = {name: values.tolist() for name, values in samples.items()}
    n = len(s["server_kw"])
    techs = list(inputs.technologies)
    shares = [inputs.mix[t] for t in techs]
    factors = [inputs.capacity_factors[t] for t in techs]
    base = inputs.accelerators.tolist()
    exo = inputs.exogenous.tolist()
    grid = inputs.grid_kg_per_mwh.tolist()
    n_regions, n_years = len(inputs.regions), len(inputs.years)
    last = max(n_years - 1, 1)
    cells = {name: [[[0.0] * n for _ in range(n_years)] for _ in range(n_regions)] for name in REGIONAL}
    national = {name: [[0.0] * n for _ in range(n_years)] for name in REGIONAL}
    for i in range(n):
        kw, gain, growth = s["server_kw"][i], s["efficiency_gain"][i], s["demand_growth"][i]
        u0, p0 = s["utilisation"][i], s["pue"][i]
        u1 = s["utilisation_final"][i] if "utilisation_final" in s else u0
        p1 = s["pue_final"][i] if "pue_final" in s else p0
        margin, rate, dc = s["reserve_margin"][i], s["rub_per_usd"][i], s["data_centre_capex_usd_per_mw"][i]
        capex = [s[f"capex_usd_per_kw.{t}"][i] for t in techs]
        for r in range(n_regions):
            first_gen: list[float] = []
            built: list[float] = []
            first_it = it_built = 0.0
            for y in range(n_years):
                accelerators = base[r][y] * (1.0 + growth) ** y
                pue = p0 + (p1 - p0) * y / last
                utilisation = u0 + (u1 - u0) * y / last
                it = accelerators * kw * (1.0 - gain) ** y / 1000.0
                facility = it * pue
                energy = facility * utilisation * 8760.0 + exo[r][y] * 8760.0
                gen = [sh * energy / (8760.0 * cf) * (1.0 + margin) for sh, cf in zip(shares, factors, strict=True)]
                if y == 0:
                    first_gen, built, first_it, it_built = list(gen), list(gen), it, it
                added = [max(g, b) - b for g, b in zip(gen, built, strict=True)]
                built = [max(g, b) for g, b in zip(gen, built, strict=True)]
                new = [b - f for b, f in zip(built, first_gen, strict=True)]
                it_built = max(it_built, it)
                capex_year = sum(a * 1000.0 * c for a, c in zip(added, capex, strict=True))
                capex_cum = sum(x * 1000.0 * c for x, c in zip(new, capex, strict=True))
                dc_cum = (it_built - first_it) * dc
                values = (
                    it,
                    facility,
                    energy / 1e6,
                    energy * grid[r] / 1e9,
                    sum(gen),
                    sum(new),
                    capex_year,
                    capex_cum,
                    capex_year * rate,
                    capex_cum * rate,
                    dc_cum,
                    dc_cum * rate,
                )
                for name, value in zip(REGIONAL, values, strict=True):
                    cells[name][r][y][i] = value
                    national[name][y][i] += value
    return {
        "regional": {name: [[percentiles(cell) for cell in row] for row in cells[name]] for name in REGIONAL},
        "national": {name: [percentiles(cell) for cell in national[name]] for name in REGIONAL},
    }


def check_same(sim: m.Simulation, loop: dict[str, Any]) -> float:
    """The largest relative difference between the loop's and simulate's P10/P50/P90 (float32 in simulate)."""
    worst = 0.0
    for scope in ("regional", "national"):
        outputs = getattr(sim, scope)
        for name in REGIONAL:
            bands = getattr(outputs, name)
            got = np.stack([bands.p10, bands.p50, bands.p90], axis=-1)
            want = np.asarray(loop[scope][name])
            scale = max(float(np.abs(want).max()), 1e-300)
            worst = max(worst, float(np.max(np.abs(got - want)) / scale))
    return worst


# ------------------------------------------------------------------------------------------------ memory


def _proc_status_kib(field: str) -> int | None:
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1])
    except OSError:
        return None
    return None


def _reset_peak() -> bool:
    try:
        Path("/proc/self/clear_refs").write_text("5")
    except OSError:
        return False
    return True


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--samples", type=int, default=10_000)
    parser.add_argument("--regions", type=int, default=89)
    parser.add_argument("--years", type=int, default=11)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--loop-samples", type=int, default=100)
    parser.add_argument("--seed", type=int, default=20251201)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()

    inputs = make_inputs(args.regions, args.years, args.seed)
    cells = args.samples * args.regions * args.years
    m.simulate(inputs, min(args.samples, 100), args.seed)  # warm up imports and the thread pool

    def timed(workers: int | None) -> list[float]:
        times = []
        for _ in range(args.repeat):
            start = time.perf_counter()
            m.simulate(inputs, args.samples, args.seed, workers=workers)
            times.append(time.perf_counter() - start)
        return times

    # Memory first, before the timed runs have grown the heap.
    rss_before = _proc_status_kib("VmRSS")
    reset = _reset_peak()
    m.simulate(inputs, args.samples, args.seed)
    rss_peak = _proc_status_kib("VmHWM") if reset else None
    tracemalloc.start()
    m.simulate(inputs, args.samples, args.seed)
    traced_mib = tracemalloc.get_traced_memory()[1] / 2**20
    tracemalloc.stop()

    threaded = timed(None)
    single = timed(1)

    small = m.simulate(inputs, args.loop_samples, args.seed)
    samples = {name: np.asarray(values) for name, values in small.samples.items()}
    start = time.perf_counter()
    loop = python_loop(inputs, samples)
    loop_seconds = time.perf_counter() - start
    difference = check_same(small, loop)
    loop_scaled = loop_seconds * args.samples / args.loop_samples

    median = statistics.median(threaded)
    result = {
        "samples": args.samples,
        "regions": args.regions,
        "years": args.years,
        "cells": cells,
        "seed": args.seed,
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
        "numpy": np.__version__,
        "simulate_median_s": median,
        "simulate_best_s": min(threaded),
        "simulate_one_thread_median_s": statistics.median(single),
        "simulate_one_thread_best_s": min(single),
        "loop_samples": args.loop_samples,
        "loop_s": loop_seconds,
        "loop_scaled_s": loop_scaled,
        "ratio_loop_to_simulate": loop_scaled / median,
        "loop_vs_simulate_max_relative_difference": difference,
        "tracemalloc_peak_mib": traced_mib,
        "rss_before_mib": rss_before / 1024 if rss_before is not None else None,
        "rss_peak_mib": rss_peak / 1024 if rss_peak is not None else None,
    }
    if args.json:
        print(json.dumps(result))
        return
    print(
        f"energy Monte Carlo: {args.samples:,} samples × {args.regions} regions × {args.years} years "
        f"= {cells:,} cells; {os.cpu_count()} CPUs, Python {result['python']}, numpy {result['numpy']}"
    )
    print(
        f"simulate (default threads) median {median:.3f} s, best {min(threaded):.3f} s over {args.repeat} runs "
        f"({cells / median / 1e6:,.1f} M cells/s)"
    )
    print(f"simulate (workers=1)       median {statistics.median(single):.3f} s, best {min(single):.3f} s")
    print(
        f"plain Python loop: {loop_seconds:.2f} s for {args.loop_samples} samples, scaled linearly to "
        f"{args.samples:,} samples: {loop_scaled:,.0f} s ({loop_scaled / 60:,.1f} min)"
    )
    print(f"ratio loop / simulate (median): {loop_scaled / median:,.0f}×")
    print(f"loop and simulate agree on the same {args.loop_samples} samples: max relative difference {difference:.1e}")
    rss = (
        f"peak RSS {result['rss_peak_mib']:.0f} MiB (RSS before {result['rss_before_mib']:.0f} MiB)"
        if rss_peak is not None and rss_before is not None
        else "peak RSS not available"
    )
    print(f"memory: tracemalloc peak of one simulate {traced_mib:.0f} MiB; {rss}")


if __name__ == "__main__":
    main()
