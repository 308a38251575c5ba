#!/usr/bin/env python
"""The sovereignty measures (``aihq.sovereignty.measures``) over a generated national portfolio.

    python benchmarks/sovereignty_benchmark.py [--use-cases 100000] [--components 5000] [--suppliers 800]
                                               [--repeat 3] [--seed 20251201] [--json]

The portfolio is generated with a fixed seed: ``--suppliers`` suppliers (jurisdictions drawn RU 45 %,
US 20 %, CN 15 %, BY 5 %, KZ 5 %, DE 5 %, unknown 5 %; a fifth of them subsidiaries of an earlier
supplier), ``--components`` components (type, hosting, licence, open weights, replaceability and model
family drawn from small lists), and ``--use-cases`` use cases in 60 organisations, 1–2 of 20 sectors and
one of 85 regions, budgets known for 70 %, each with 1–9 dependencies (about 5 on average) of random
criticality. Home is RU; agreements cover BY and KZ.

Timed (median and best of ``--repeat`` runs, after the portfolio is built):

- ``concentration``: HHI of the model dependencies by jurisdiction and by supplier;
- ``foreign_shares``: by organisation, and by organisation for models only;
- ``use_case_score_values``: every use case's score in one vectorised pass;
- ``use_case_score``: the same scores one use case at a time, with explanations (the detail-page path);
- ``cutoff_impact`` + ``summarise``: cutting off US suppliers, then counting per organisation and sector.
"""

from __future__ import annotations

import argparse
import json
import platform
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from aihq.sovereignty import measures as m  # noqa: E402

HOME = "RU"
COVERED = frozenset({"BY", "KZ"})


def make_portfolio(
    use_cases: int, components: int, suppliers: int, seed: int
) -> tuple[list[m.UseCaseDeps], dict[int, int | None]]:
    rng = np.random.default_rng(seed)
    codes = np.array(["RU", "US", "CN", "BY", "KZ", "DE", ""])
    supplier_jurisdiction = rng.choice(codes, size=suppliers, p=[0.45, 0.2, 0.15, 0.05, 0.05, 0.05, 0.05])
    parents: dict[int, int | None] = {}
    for s in range(suppliers):
        parents[s] = int(rng.integers(0, s)) if s and rng.random() < 0.2 else None
    types = ["model", "dataset", "framework", "cloud", "hardware", "api_service"]
    hostings = ["on_premises", "domestic_cloud", "foreign_cloud", ""]
    licences = ["Apache-2.0", "MIT", "Apache-2.0 OR MIT", "LicenseRef-proprietary", "CC-BY-4.0", "", "GPL-3.0-only"]
    replaceabilities = ["drop_in", "effort", "none", ""]
    families = ["llama", "qwen", "gigachat", "yandexgpt", "mistral", "gpt", ""]
    catalogue = []
    for c in range(components):
        supplier = int(rng.integers(0, suppliers))
        catalogue.append(
            m.Dependency(
                component_id=c,
                type=types[int(rng.integers(0, len(types)))],
                jurisdiction=str(supplier_jurisdiction[supplier]),
                hosting=hostings[int(rng.integers(0, len(hostings)))],
                criticality="",
                supplier_id=supplier,
                replaceability=replaceabilities[int(rng.integers(0, len(replaceabilities)))],
                licence=licences[int(rng.integers(0, len(licences)))],
                open_weights=[True, False, None][int(rng.integers(0, 3))],
                model_family=families[int(rng.integers(0, len(families)))],
            )
        )
    criticalities = ["critical", "important", "minor", ""]
    counts = rng.integers(1, 10, size=use_cases)
    picks = rng.integers(0, components, size=int(counts.sum()))
    crits = rng.integers(0, len(criticalities), size=int(counts.sum()))
    portfolio = []
    at = 0
    for u in range(use_cases):
        n = int(counts[u])
        deps = tuple(
            replace(catalogue[int(picks[at + k])], criticality=criticalities[int(crits[at + k])]) for k in range(n)
        )
        at += n
        sectors = tuple(f"S{s:02d}" for s in sorted(set(rng.integers(0, 20, size=int(rng.integers(1, 3))).tolist())))
        portfolio.append(
            m.UseCaseDeps(
                use_case_id=u,
                groups={
                    "organisation": (f"ORG{int(rng.integers(0, 60)):02d}",),
                    "sector": sectors,
                    "region": (f"RU-{int(rng.integers(0, 85)):02d}",),
                },
                budget=float(rng.uniform(1e6, 5e8)) if rng.random() < 0.7 else None,
                dependencies=deps,
            )
        )
    return portfolio, parents


def timed(fn: Callable[[], Any], repeat: int) -> tuple[float, float, Any]:
    runs = []
    result = None
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn()
        runs.append(time.perf_counter() - start)
    return statistics.median(runs), min(runs), result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--use-cases", type=int, default=100_000)
    parser.add_argument("--components", type=int, default=5_000)
    parser.add_argument("--suppliers", type=int, default=800)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--seed", type=int, default=20251201)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()

    start = time.perf_counter()
    portfolio, parents = make_portfolio(args.use_cases, args.components, args.suppliers, args.seed)
    build = time.perf_counter() - start
    dependencies = sum(len(u.dependencies) for u in portfolio)
    weights = m.Weights()
    models = [d for u in portfolio for d in u.dependencies if d.type == "model"]
    groups_of = {u.use_case_id: u.groups for u in portfolio}
    us = frozenset(s for u in portfolio for d in u.dependencies if d.jurisdiction == "US" and (s := d.supplier_id))

    def concentrations() -> tuple[m.Concentration, m.Concentration]:
        return (
            m.concentration(d.jurisdiction for d in models),
            m.concentration(str(d.supplier_id) for d in models),
        )

    def shares() -> tuple[dict[str, m.Share], dict[str, m.Share]]:
        return (
            m.foreign_shares(portfolio, HOME, by="organisation"),
            m.foreign_shares(portfolio, HOME, by="organisation", component_type="model"),
        )

    def one_by_one() -> list[float | None]:
        return [m.use_case_score(u.dependencies, weights, HOME, COVERED).value for u in portfolio]

    def cutoff() -> tuple[list[m.Impact], dict[str, Any]]:
        impacts = m.cutoff_impact(portfolio, m.Cutoff(suppliers=us), parents, {})
        return impacts, m.summarise(impacts, groups_of)

    rows: list[dict[str, Any]] = []
    results: dict[str, Any] = {}
    for name, fn, items in [
        ("concentration (models × 2)", concentrations, len(models)),
        ("foreign_shares (by organisation × 2)", shares, len(portfolio)),
        (
            "use_case_score_values (vectorised)",
            lambda: m.use_case_score_values(portfolio, weights, HOME, COVERED),
            len(portfolio),
        ),
        ("use_case_score (one by one)", one_by_one, len(portfolio)),
        ("cutoff_impact + summarise (US suppliers)", cutoff, len(portfolio)),
    ]:
        median, best, result = timed(fn, args.repeat)
        results[name] = result
        rows.append({"measure": name, "median_s": median, "best_s": best, "items": items, "per_s": items / median})

    fast = results["use_case_score_values (vectorised)"]
    slow = results["use_case_score (one by one)"]
    worst = max(abs(fast[u.use_case_id] - v) for u, v in zip(portfolio, slow, strict=True) if v is not None)
    impacts = results["cutoff_impact + summarise (US suppliers)"][0]
    by_jurisdiction, by_supplier = results["concentration (models × 2)"]
    summary = {
        "use_cases": len(portfolio),
        "dependencies": dependencies,
        "build_s": build,
        "hhi_models_by_jurisdiction": by_jurisdiction.hhi,
        "hhi_models_by_supplier": by_supplier.hhi,
        "national_foreign_share": m.foreign_shares(portfolio, HOME, by=None)["all"].share,
        "mean_score": float(np.mean([v for v in fast.values() if v is not None])),
        "max_score_difference": worst,
        "cut_us_breaks": sum(i.breaks for i in impacts),
        "cut_us_degraded": sum(i.degraded for i in impacts),
        "python": platform.python_version(),
        "numpy": np.__version__,
    }
    if args.json:
        print(json.dumps({"summary": summary, "timings": rows}, indent=2))
        return
    print(
        f"{len(portfolio):,} use cases, {dependencies:,} dependencies ({dependencies / len(portfolio):.2f} each), "
        f"built in {build:.1f} s; Python {summary['python']}, numpy {summary['numpy']}; "
        f"median and best of {args.repeat}"
    )
    print(f"{'measure':<42} {'median s':>9} {'best s':>9} {'items/s':>12}")
    for row in rows:
        print(f"{row['measure']:<42} {row['median_s']:>9.3f} {row['best_s']:>9.3f} {row['per_s']:>12,.0f}")
    print(
        f"HHI of models by jurisdiction {summary['hhi_models_by_jurisdiction']:,.0f}, by supplier "
        f"{summary['hhi_models_by_supplier']:,.0f}; national foreign share {summary['national_foreign_share']:.3f}; "
        f"mean score {summary['mean_score']:.1f} (vectorised vs one by one: max difference "
        f"{summary['max_score_difference']:.2e}); cutting US suppliers breaks {summary['cut_us_breaks']:,} "
        f"and degrades {summary['cut_us_degraded']:,} use cases"
    )


if __name__ == "__main__":
    main()
