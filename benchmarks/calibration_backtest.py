#!/usr/bin/env python
"""Backtest of the fulfilment engine's forecast: interval coverage and RAG rating against known outcomes.

    python benchmarks/calibration_backtest.py [--series 2000] [--points 32] [--fit-fraction 0.6]
                                              [--last-k K] [--seed N]

Generates (fixed seed) ``--series`` series in each of four families, each a plan from a baseline on
2022-12-31 to a target on the last point's date (2030-12-31 with the default 32 points; three in four
increase, one in four decrease) and ``--points`` quarterly measurements, the last one on the target date:

- ``linear``: a straight line from the baseline to the true final value, small noise (sd 3 % of the
  planned change);
- ``noisy``: the same line, large noise (sd 15 % of the planned change);
- ``saturating``: an adoption curve that slows down, b + (F − b)(1 − e^(−kx)) / (1 − e^(−k)) with k in
  [2, 5] and x the share of the period elapsed, small noise;
- ``stalled``: a straight line that stops at a random point between 30 % and 80 % of the period and stays
  flat, small noise.

The true final value F is the baseline plus a random 40–130 % of the planned change, so true outcomes spread
over all four bands. The engine sees the first ``--fit-fraction`` of the points (the status is taken on the
last of them) and:

- every held-out point is predicted with ``engine.predict`` (80 % interval): coverage is the share of
  held-out measurements inside their interval, per family and by horizon;
- the RAG rating of the forecast at the target date (``batch_status``; with ``--last-k``, the same through
  ``fit_groups``/``predict``/``rag_ratio``/``rag_codes`` on the last K known points) is compared with the true
  band — the rating of the ratio of the final measurement to the target — in a confusion table, and the
  probability of meeting the target with whether it was met.
"""

from __future__ import annotations

import argparse
import datetime as dt
import itertools
import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from aihq.objectives import engine  # noqa: E402

SEED = 20251130
BASELINE = dt.date(2022, 12, 31)
LEVEL = 0.8
FAMILIES = ("linear", "noisy", "saturating", "stalled")
BANDS = ("green", "amber_green", "amber_red", "red")  # best first, as on the dashboard
BAND_CODES = [engine.RAG_ORDER.index(band) for band in BANDS]
INSUFFICIENT = engine.RAG_ORDER.index("insufficient_data")


def quarter_ends(start: dt.date, count: int) -> list[dt.date]:
    out = []
    year, month = start.year, start.month
    for _ in range(count):
        month += 3
        if month > 12:
            year, month = year + 1, month - 12
        out.append(dt.date(year + (month == 12), month % 12 + 1, 1) - dt.timedelta(days=1))
    return out


@dataclass
class Family:
    name: str
    increase: np.ndarray  # per series
    baseline: np.ndarray
    target: np.ndarray
    final_true: np.ndarray  # F, the trend's value on the target date
    days: np.ndarray  # per point (shared)
    observed: np.ndarray  # series × points, with noise


def generate(name: str, n: int, days: np.ndarray, rng: np.random.Generator) -> Family:
    start, end = engine.day_number(BASELINE), days[-1]
    x = (days - start) / (end - start)  # share of the period elapsed, (0, 1]
    increase = rng.random(n) < 0.75
    baseline = rng.uniform(20, 200, n)
    target = np.where(increase, baseline * (1 + rng.uniform(0.5, 2.0, n)), baseline * (1 - rng.uniform(0.2, 0.7, n)))
    change = target - baseline
    final = baseline + rng.uniform(0.4, 1.3, n) * change
    if name in ("linear", "noisy"):
        shape = np.broadcast_to(x, (n, len(x)))
    elif name == "saturating":
        k = rng.uniform(2.0, 5.0, n)[:, None]
        shape = (1 - np.exp(-k * x)) / (1 - np.exp(-k))
    elif name == "stalled":
        stop = rng.uniform(0.3, 0.8, n)[:, None]
        shape = np.minimum(x, stop) / stop
    else:
        raise ValueError(name)
    trend = baseline[:, None] + (final - baseline)[:, None] * shape
    sd = (0.15 if name == "noisy" else 0.03) * np.abs(change)
    observed = trend + rng.normal(0.0, 1.0, trend.shape) * sd[:, None]
    return Family(name, increase, baseline, target, final, days.astype(np.float64), observed)


def ratio_by_direction(value: np.ndarray, target: np.ndarray, increase: np.ndarray) -> np.ndarray:
    return np.where(increase, engine.rag_ratio(value, target, "increase"), engine.rag_ratio(value, target, "decrease"))


@dataclass
class Result:
    family: str
    n_series: int
    covered: np.ndarray  # series × held-out points
    predicted: np.ndarray  # RAG codes
    truth: np.ndarray
    probability: np.ndarray
    met: np.ndarray
    forecast_error: np.ndarray  # forecast of the final value / final measurement − 1, signed so + is optimistic
    below_zero: np.ndarray  # decrease series whose forecast is ≤ 0 (r = target / forecast is then ≤ 0 or undefined)


def backtest(family: Family, n_fit: int, last_k: int | None) -> Result:
    n, n_points = family.observed.shape
    series = np.repeat(np.arange(n), n_points)
    days = np.tile(family.days, n)
    values = family.observed.reshape(-1)
    cutoff = float(family.days[n_fit - 1])
    first = n_fit - last_k if last_k else 0
    window = np.tile((np.arange(n_points) >= first) & (np.arange(n_points) < n_fit), n)
    fits = engine.fit_groups(series[window], days[window], values[window], n)

    covered = np.empty((n, n_points - n_fit), dtype=bool)
    for j, day in enumerate(family.days[n_fit:]):
        prediction = engine.predict(fits, day, LEVEL)
        actual = family.observed[:, n_fit + j]
        covered[:, j] = (prediction.low <= actual) & (actual <= prediction.high)

    final = engine.predict(fits, family.days[-1], LEVEL)
    ratio = ratio_by_direction(final.value, family.target, family.increase)
    predicted = engine.rag_codes(ratio)
    probability = np.where(
        family.increase,
        engine.probability_of_meeting(final, family.target, "increase"),
        engine.probability_of_meeting(final, family.target, "decrease"),
    )
    if not last_k:  # the same through batch_status, which sees all points and ignores those after the cutoff
        plans = [
            engine.Plan((float(engine.day_number(BASELINE)), float(family.days[-1])), (float(b), float(t)))
            for b, t in zip(family.baseline, family.target, strict=True)
        ]
        directions: list[engine.Direction] = ["increase" if up else "decrease" for up in family.increase]
        status = engine.batch_status(plans, directions, np.arange(n), series, days, values, cutoff, level=LEVEL)
        assert np.array_equal(status.rag, predicted), "batch_status disagrees with fit_groups/predict"
        assert np.allclose(status.probability, probability, rtol=1e-12, atol=1e-15)

    final_measured = family.observed[:, -1]
    truth_ratio = ratio_by_direction(final_measured, family.target, family.increase)
    sign = np.where(family.increase, 1.0, -1.0)
    return Result(
        family=family.name,
        n_series=n,
        covered=covered,
        predicted=predicted,
        truth=engine.rag_codes(truth_ratio),
        probability=probability,
        met=truth_ratio >= 1.0,
        forecast_error=sign * (final.value - final_measured) / np.abs(final_measured),
        below_zero=~family.increase & (final.value <= 0),
    )


# ------------------------------------------------------------------------------------------------ report


def confusion(result: Result) -> np.ndarray:
    table = np.zeros((len(BANDS) + 1, len(BANDS)), dtype=np.int64)  # last row: insufficient data
    rows = {code: i for i, code in enumerate(BAND_CODES)} | {INSUFFICIENT: len(BANDS)}
    for p, t in zip(result.predicted, result.truth, strict=True):
        table[rows[int(p)], rows[int(t)]] += 1
    return table


def print_confusion(title: str, table: np.ndarray) -> None:
    total = table.sum()
    width = 12
    print(f"  {title}: rows = engine's RAG at the cut-off, columns = true band of the final measurement")
    print("  " + f"{'':<18}" + "".join(f"{band:>{width}}" for band in BANDS) + f"{'total':>{width}}")
    labels = [*BANDS, "insufficient"]
    for i, label in enumerate(labels):
        if i == len(BANDS) and table[i].sum() == 0:
            continue
        cells = "".join(f"{value:>{width},}" for value in table[i])
        print("  " + f"{label:<18}" + cells + f"{table[i].sum():>{width},}")
    print("  " + f"{'total':<18}" + "".join(f"{v:>{width},}" for v in table.sum(axis=0)) + f"{total:>{width},}")
    exact = np.trace(table[: len(BANDS)]) / total
    near = sum(table[i, j] for i in range(len(BANDS)) for j in range(len(BANDS)) if abs(i - j) <= 1) / total
    better = sum(table[i, j] for i in range(len(BANDS)) for j in range(len(BANDS)) if i < j) / total
    worse = sum(table[i, j] for i in range(len(BANDS)) for j in range(len(BANDS)) if i > j) / total
    print(
        f"  same band {exact:.1%}, within one band {near:.1%}; "
        f"rated better than the outcome {better:.1%}, worse {worse:.1%}"
    )


def summarise(results: list[Result], args: argparse.Namespace, n_fit: int, n_points: int, days: np.ndarray) -> None:
    horizons = n_points - n_fit
    print(
        f"Calibration backtest — {dt.date.today()}; {len(FAMILIES)} families × {args.series:,} series, "
        f"{n_points} quarterly points {days[0]}…{days[-1]}, fit on the first {n_fit} "
        f"(status on {days[n_fit - 1]}{f', last {args.last_k} points only' if args.last_k else ''}), "
        f"{horizons} held out; {LEVEL:.0%} prediction intervals; seed {args.seed}"
    )
    print()
    picks = sorted({0, min(3, horizons - 1), horizons // 2, horizons - 1})
    horizon_labels = "".join(f"{f'+{h + 1}q':>8}" for h in picks)
    print(f"{'family':<12}{'coverage':>10}{horizon_labels}   {'final forecast error (median, IQR)':<36}verdict")
    every = []
    for result in results:
        coverage = result.covered.mean()
        by_horizon = "".join(f"{result.covered[:, h].mean():>8.1%}" for h in picks)
        q25, q50, q75 = np.percentile(result.forecast_error, [25, 50, 75])
        verdict = "within 75–85 %" if 0.75 <= coverage <= 0.85 else "OUTSIDE 75–85 %"
        if abs(q50) > 0.05:
            verdict += f"; linear model systematically {'optimistic' if q50 > 0 else 'pessimistic'}"
        error = f"{q50:+.1%} ({q25:+.1%} … {q75:+.1%})"
        print(f"{result.family:<12}{coverage:>10.1%}{by_horizon}   {error:<36}{verdict}")
        every.append(result.covered)
    overall = np.concatenate([c.reshape(-1) for c in every]).mean()
    print(f"{'overall':<12}{overall:>10.1%}")
    print()
    print("coverage: share of held-out measurements inside the 80 % interval predicted for their date (+Nq: N quarters")
    print(
        "after the cut-off); forecast error: (forecast of the final value − final measurement) / |final measurement|,"
    )
    print("sign flipped for decrease, so positive means the forecast promised more than happened")
    print()
    total = np.zeros((len(BANDS) + 1, len(BANDS)), dtype=np.int64)
    for result in results:
        table = confusion(result)
        total += table
        print_confusion(result.family, table)
        green = result.predicted == engine.RAG_ORDER.index("green")
        brier = np.nanmean((result.probability - result.met) ** 2)
        print(
            f"  met the target {result.met.mean():.1%}; rated green {green.mean():.1%}; "
            f"green ⇔ met agrees for {(green == result.met).mean():.1%}; mean probability of meeting "
            f"{np.nanmean(result.probability):.1%}; Brier score {brier:.3f}"
        )
        if result.below_zero.any():
            zero = result.below_zero
            print(
                f"  decrease series forecast at or below zero: {zero.sum():,}, rated "
                + ", ".join(
                    f"{engine.RAG_ORDER[c]} {(result.predicted[zero] == c).sum():,}"
                    for c in np.unique(result.predicted[zero])
                )
                + f"; their probability of meeting ≥ 0.99 for {(result.probability[zero] >= 0.99).sum():,}, "
                f"target met for {result.met[zero].sum():,}"
            )
        print()
    print_confusion("overall", total)
    met = np.concatenate([r.met for r in results])
    probability = np.concatenate([r.probability for r in results])
    print(
        f"  met {met.mean():.1%}; mean probability {np.nanmean(probability):.1%}; "
        f"Brier score {np.nanmean((probability - met) ** 2):.3f}"
    )
    print()
    print("probability of meeting the target vs how often it was met (series, share met):")
    print(f"  {'probability':<12}" + "".join(f"{r.family:>20}" for r in results) + f"{'all':>20}")
    edges = np.linspace(0, 1, 6)
    groups = [(r.probability, r.met) for r in results] + [(probability, met)]
    for low, high in itertools.pairwise(edges):
        cells = []
        for prob, hit in groups:
            inside = (prob >= low) & ((prob < high) if high < 1 else (prob <= high))
            cells.append(f"{inside.sum():>10,} {hit[inside].mean():>8.1%}" if inside.any() else f"{'—':>20}")
        print(f"  {f'{low:.1f}–{high:.1f}':<12}" + "".join(cells))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--series", type=int, default=2000, help="series per family")
    parser.add_argument("--points", type=int, default=32, help="quarterly points up to the target date")
    parser.add_argument("--fit-fraction", type=float, default=0.6, help="share of the points the engine sees")
    parser.add_argument("--last-k", type=int, default=None, help="fit only the last K points seen")
    parser.add_argument("--seed", type=int, default=SEED)
    args = parser.parse_args(argv)

    dates = quarter_ends(BASELINE, args.points)  # 32 end on 2030-12-31, the target date
    days = np.array([engine.day_number(d) for d in dates], dtype=np.float64)
    n_fit = round(args.points * args.fit_fraction)
    if not engine.MIN_POINTS <= n_fit < args.points:
        parser.error("the fit needs at least 3 points and at least one held out")
    rng = np.random.default_rng(args.seed)
    results = [backtest(generate(name, args.series, days, rng), n_fit, args.last_k) for name in FAMILIES]
    summarise(results, args, n_fit, args.points, np.array(dates))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
