#!/usr/bin/env python
"""The fulfilment engine's ``batch_status`` over many series, against the same computation in SQL.

    python benchmarks/fulfilment_benchmark.py [--indicators 1000] [--regions 89] [--periods 40]
                                              [--database sqlite|postgresql] [--repeat 3] [--keep]

Generates (fixed seed) one linear plan per indicator — a baseline on 2015-12-31 and a final target on
2030-12-31, increase or decrease — and one series per indicator and region with a quarterly measurement
for each of ``--periods`` quarters from 2016-03-31 on; at full size that is 1,000 × 89 = 89,000 series and
3,560,000 measurements. The status is taken on the last quarter's end.

Timed, each ``--repeat`` times (best and median reported):

- ``engine``: ``aihq.objectives.engine.batch_status`` on the arrays in memory;
- ``sql``: one query returning, per series, the OLS line (one-pass SUM aggregates grouped by series), the
  latest value, the plan on the status day and on the latest value's day, achievement, gap, forecast at the
  final target day with its 80 % interval (the t quantile from a small lookup table, SQL having no Student
  t), ratio and RAG code — everything ``batch_status`` returns except the probability (needs the t CDF);
- ``sql_regr`` (PostgreSQL only): the same query with ``regr_count/regr_avgx/regr_sxx/…`` for the fit.

Not part of the comparison, timed once: loading the rows (SQLite ``executemany``; PostgreSQL binary
``COPY``), and reading them back into numpy arrays (``fetch``), so that ``fetch + engine`` is the cost of
the engine path starting from the database.

Memory: ``tracemalloc`` peak of the engine call (numpy's allocations are traced; a separate, untimed run)
and, for every phase, the process's peak RSS during the phase (``VmHWM`` after resetting it through
``/proc/self/clear_refs``; Linux). SQLite runs in this process, so its cache is included; PostgreSQL's
server memory is not.

``--database sqlite`` uses a scratch file in a temporary directory; ``--database postgresql`` connects to
``DATABASE_URL`` only to ``CREATE DATABASE aihq_fulfil_<pid>`` (the role needs CREATEDB), works there and
drops it at the end (unless ``--keep``).
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import sqlite3
import statistics
import struct
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

import numpy as np
from scipy import stats

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from aihq.objectives import engine  # noqa: E402

SEED = 20251129
BASELINE = dt.date(2015, 12, 31)
FINAL = dt.date(2030, 12, 31)
LEVEL = engine.DEFAULT_LEVEL
#: A measurement row of PostgreSQL's binary COPY format: field count, then (length, big-endian value) per column.
COPY_ROW = np.dtype(
    [
        ("fields", ">i2"),
        ("l1", ">i4"),
        ("series", ">i4"),
        ("l2", ">i4"),
        ("day", ">i4"),
        ("l3", ">i4"),
        ("value", ">f8"),
    ]
)
COLUMNS = ("planned", "planned_at_actual", "actual", "achievement", "gap", "value", "low", "high", "ratio")


def quarter_ends(start: dt.date, count: int) -> list[dt.date]:
    """The ends of the ``count`` quarters after ``start`` (itself a quarter end)."""
    out = []
    year, month = start.year, start.month
    for _ in range(count):
        month += 3
        if month > 12:
            year, month = year + 1, month - 12
        next_month = dt.date(year + (month == 12), month % 12 + 1, 1)
        out.append(next_month - dt.timedelta(days=1))
    return out


@dataclass
class Data:
    n_indicators: int
    n_regions: int
    increase: np.ndarray  # per indicator
    baseline_value: np.ndarray
    final_value: np.ndarray
    baseline_day: int
    final_day: int
    at: int
    group: np.ndarray  # per measurement
    day: np.ndarray
    value: np.ndarray

    @property
    def n_series(self) -> int:
        return self.n_indicators * self.n_regions

    def plans(self) -> list[engine.Plan]:
        return [
            engine.Plan((float(self.baseline_day), float(self.final_day)), (float(b), float(f)))
            for b, f in zip(self.baseline_value, self.final_value, strict=True)
        ]

    def directions(self) -> list[engine.Direction]:
        return ["increase" if up else "decrease" for up in self.increase]


def generate(n_indicators: int, n_regions: int, n_periods: int, seed: int = SEED) -> Data:
    """Deterministic measurements: each region follows its indicator's plan at its own pace, with noise."""
    rng = np.random.default_rng(seed)
    baseline_day, final_day = engine.day_number(BASELINE), engine.day_number(FINAL)
    days = np.array([engine.day_number(d) for d in quarter_ends(BASELINE, n_periods)], dtype=np.int64)
    increase = rng.random(n_indicators) < 0.7
    baseline_value = np.round(rng.uniform(10, 1000, n_indicators), 2)
    final_value = np.round(
        np.where(
            increase,
            baseline_value * rng.uniform(1.2, 4.0, n_indicators),
            baseline_value * rng.uniform(0.2, 0.8, n_indicators),
        ),
        2,
    )
    n_series = n_indicators * n_regions
    indicator = np.arange(n_series) // n_regions
    level = rng.lognormal(0.0, 0.15, n_series)  # the region's level relative to the national plan
    pace = rng.uniform(0.5, 1.3, n_series)  # share of the planned change the region is on course for
    noise = rng.uniform(0.01, 0.08, n_series) * np.abs(final_value - baseline_value)[indicator]
    progress = (days - baseline_day) / (final_day - baseline_day)  # per period
    change = (final_value - baseline_value)[indicator]
    trend = level[:, None] * (baseline_value[indicator][:, None] + pace[:, None] * change[:, None] * progress)
    values = trend + rng.normal(0.0, 1.0, (n_series, n_periods)) * noise[:, None]
    return Data(
        n_indicators=n_indicators,
        n_regions=n_regions,
        increase=increase,
        baseline_value=baseline_value,
        final_value=final_value,
        baseline_day=baseline_day,
        final_day=final_day,
        at=int(days[-1]),
        group=np.repeat(np.arange(n_series, dtype=np.int64), n_periods),
        day=np.tile(days, n_series),
        value=np.round(values, 4).reshape(-1),
    )


# ------------------------------------------------------------------------------------------------ measuring


def _proc_status_kib(field: str) -> int | None:
    """A memory figure of this process from /proc/self/status (``VmHWM``, ``VmRSS``), in KiB."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1])
    except OSError:
        return None
    return None


def _reset_peak_rss() -> bool:
    try:
        Path("/proc/self/clear_refs").write_text("5")
    except OSError:
        return False
    return True


@dataclass
class Timing:
    seconds: list[float]
    peak_rss_mib: float | None = None
    start_rss_mib: float | None = None

    @property
    def best(self) -> float:
        return min(self.seconds)

    @property
    def median(self) -> float:
        return statistics.median(self.seconds)


def timed(function: Callable[[], Any], repeat: int) -> tuple[Any, Timing]:
    """Run ``function`` ``repeat`` times; its last result, the wall times and the peak RSS meanwhile."""
    reset = _reset_peak_rss()
    before = _proc_status_kib("VmRSS")
    seconds, result = [], None
    for _ in range(repeat):
        result = None  # let the previous result go before the next run
        start = time.perf_counter()
        result = function()
        seconds.append(time.perf_counter() - start)
    peak = _proc_status_kib("VmHWM") if reset else None
    return result, Timing(
        seconds, peak / 1024 if peak is not None else None, before / 1024 if before is not None else None
    )


def traced_peak_mib(function: Callable[[], Any]) -> float:
    tracemalloc.start()
    try:
        function()
        return tracemalloc.get_traced_memory()[1] / 2**20
    finally:
        tracemalloc.stop()


# ------------------------------------------------------------------------------------------------ engine


def engine_results(data: Data, group: np.ndarray, day: np.ndarray, value: np.ndarray) -> dict[str, np.ndarray]:
    group_plan = np.arange(data.n_series) // data.n_regions
    result = engine.batch_status(
        data.plans(), data.directions(), group_plan, group, day.astype(np.float64), value, float(data.at), level=LEVEL
    )
    return {
        "planned": result.planned,
        "planned_at_actual": result.planned_at_actual,
        "actual": result.actual,
        "achievement": result.achievement,
        "gap": result.gap,
        "value": result.forecast.value,
        "low": result.forecast.low,
        "high": result.forecast.high,
        "ratio": result.ratio,
        "rag": result.rag,
        "probability": result.probability,
    }


# ------------------------------------------------------------------------------------------------ SQL

# The one-pass fit (sums of products with the day shifted to the status day to keep them small).
FIT_SUMS = """
    agg AS (
        SELECT series, COUNT(*) AS n, SUM(d) AS st, SUM(value) AS sy, SUM(d * d) AS stt, SUM(d * value) AS sty,
               SUM(value * value) AS syy, MAX(day) AS last_day
        FROM m GROUP BY series
    ),
    fit AS (
        SELECT series, n, last_day, st / n AS t_mean, sy / n AS y_mean, stt - st * st / n AS sxx,
               sty - st * sy / n AS sxy, syy - sy * sy / n AS syy
        FROM agg
    )"""

# The same with PostgreSQL's regression aggregates (Youngs–Cramer updates, not raw sums).
FIT_REGR = """
    fit AS (
        SELECT series, regr_count(value, d) AS n, MAX(day) AS last_day, regr_avgx(value, d) AS t_mean,
               regr_avgy(value, d) AS y_mean, regr_sxx(value, d) AS sxx, regr_sxy(value, d) AS sxy,
               regr_syy(value, d) AS syy
        FROM m GROUP BY series
    )"""


def _planned_sql(day: str) -> str:
    """The linear plan (baseline → final target) on ``day``: NULL before the baseline, the target after it."""
    return f"""CASE WHEN {day} < p.baseline_day THEN NULL WHEN {day} >= p.final_day THEN p.final_value
        ELSE p.baseline_value + (p.final_value - p.baseline_value) * ({day} - p.baseline_day)
             / CAST(p.final_day - p.baseline_day AS DOUBLE PRECISION) END"""


def _ratio_sql(num: str, den: str) -> str:
    """num / den with 0/0 = 1 and x/0 = NULL, as the engine does."""
    return f"CASE WHEN {den} = 0 THEN CASE WHEN {num} = 0 THEN 1.0 END ELSE {num} / {den} END"


def status_query(at: int, fit: str) -> str:
    return f"""
    WITH m AS (
        SELECT series, day, CAST(day - {at} AS DOUBLE PRECISION) AS d, value
        FROM fb_measurement WHERE day <= {at} AND value IS NOT NULL
    ),
    {fit},
    line AS (
        SELECT series, n, last_day, t_mean, y_mean, sxx,
               CASE WHEN n >= 3 AND sxx > 0 THEN sxy / sxx END AS slope,
               CASE WHEN n >= 3 AND sxx > 0 THEN
                   sqrt(CASE WHEN syy - sxy / sxx * sxy > 0 THEN syy - sxy / sxx * sxy ELSE 0 END / (n - 2)) END
                   AS sigma
        FROM fit
    ),
    point AS (
        SELECT s.series, p.increase, p.final_value, l.n,
               {_planned_sql(str(at))} AS planned,
               {_planned_sql("l.last_day")} AS planned_then,
               lm.value AS actual,
               l.y_mean + l.slope * (p.final_day - {at} - l.t_mean) AS value,
               q.quantile * l.sigma * sqrt(1.0 + 1.0 / l.n + (p.final_day - {at} - l.t_mean)
                   * (p.final_day - {at} - l.t_mean) / l.sxx) AS half
        FROM fb_series s
        JOIN fb_plan p ON p.indicator = s.indicator
        LEFT JOIN line l ON l.series = s.series
        LEFT JOIN fb_measurement lm ON lm.series = l.series AND lm.day = l.last_day
        LEFT JOIN fb_tquantile q ON q.dof = l.n - 2
    ),
    rated AS (
        SELECT series, planned, planned_then, actual, value, value - half AS low, value + half AS high,
               CASE WHEN increase = 1 THEN {_ratio_sql("actual", "planned_then")}
                    ELSE {_ratio_sql("planned_then", "actual")} END AS achievement,
               CASE WHEN increase = 1 THEN actual - planned_then ELSE planned_then - actual END AS gap,
               CASE WHEN increase = 1 THEN {_ratio_sql("value", "final_value")}
                    ELSE {_ratio_sql("final_value", "value")} END AS ratio
        FROM point
    )
    SELECT series, planned, planned_then, actual, achievement, gap, value, low, high, ratio,
           CASE WHEN ratio IS NULL THEN 4 WHEN ratio >= 1.0 THEN 3 WHEN ratio >= 0.9 THEN 2
                WHEN ratio >= 0.75 THEN 1 ELSE 0 END AS rag
    FROM rated ORDER BY series
    """


def sql_results(connection: Any, query: str, n_series: int) -> dict[str, np.ndarray]:
    cursor = connection.cursor()
    cursor.execute(query)
    rows = cursor.fetchall()
    cursor.close()
    if len(rows) != n_series:
        raise RuntimeError(f"The query returned {len(rows)} rows for {n_series} series.")
    table = np.array(rows, dtype=np.float64)  # None → nan
    out = {name: table[:, i + 1] for i, name in enumerate(COLUMNS)}
    out["rag"] = table[:, -1].astype(np.intp)
    return out


class Database:
    """A scratch SQLite file or PostgreSQL database holding the plain tables."""

    name: str

    def __init__(self, kind: str, keep: bool) -> None:
        self.kind, self.keep = kind, keep
        self.scratch: str | None = None
        if kind == "sqlite":
            self.directory = tempfile.mkdtemp(prefix="aihq_fulfil_")
            self.path = os.path.join(self.directory, "fulfilment.sqlite3")
            self.connection: Any = sqlite3.connect(self.path, isolation_level=None)
            self.connection.execute("PRAGMA journal_mode=WAL")
            self.connection.execute("PRAGMA synchronous=NORMAL")
            self.name = f"SQLite {sqlite3.sqlite_version} ({self.path})"
        else:
            import psycopg

            url = os.environ.get("DATABASE_URL", "")
            if not url.startswith(("postgres://", "postgresql://")):
                raise SystemExit("--database postgresql needs DATABASE_URL=postgresql://…")
            self.url = url
            self.scratch = f"aihq_fulfil_{os.getpid()}"
            with psycopg.connect(url, autocommit=True) as admin:
                admin.execute(f"CREATE DATABASE {self.scratch}")
            self.connection = psycopg.connect(url, dbname=self.scratch, autocommit=True)
            version = self.connection.execute("SHOW server_version").fetchone()[0]
            self.connection.execute("SET work_mem = '64MB'")
            workers = self.connection.execute("SHOW max_parallel_workers_per_gather").fetchone()[0]
            self.name = f"PostgreSQL {version} (database {self.scratch}, work_mem 64MB, {workers} parallel workers)"

    def create(self) -> None:
        without_rowid = " WITHOUT ROWID" if self.kind == "sqlite" else ""
        statements = [
            "CREATE TABLE fb_plan (indicator INTEGER PRIMARY KEY, increase INTEGER NOT NULL, "
            "baseline_day INTEGER NOT NULL, baseline_value DOUBLE PRECISION NOT NULL, final_day INTEGER NOT NULL, "
            "final_value DOUBLE PRECISION NOT NULL)",
            "CREATE TABLE fb_series (series INTEGER PRIMARY KEY, indicator INTEGER NOT NULL)",
            "CREATE TABLE fb_tquantile (dof INTEGER PRIMARY KEY, quantile DOUBLE PRECISION NOT NULL)",
            "CREATE TABLE fb_measurement (series INTEGER NOT NULL, day INTEGER NOT NULL, value DOUBLE PRECISION, "
            f"PRIMARY KEY (series, day)){without_rowid}",
        ]
        for statement in statements:
            self.connection.execute(statement)

    def load(self, data: Data, max_points: int) -> None:
        plans = [
            (i, int(up), data.baseline_day, float(b), data.final_day, float(f))
            for i, (up, b, f) in enumerate(zip(data.increase, data.baseline_value, data.final_value, strict=True))
        ]
        series = [(s, s // data.n_regions) for s in range(data.n_series)]
        quantiles = [(dof, float(stats.t.ppf(0.5 + LEVEL / 2, dof))) for dof in range(1, max_points)]
        if self.kind == "sqlite":
            self._load_sqlite(data, plans, series, quantiles)
        else:
            self._load_postgresql(data, plans, series, quantiles)

    def _load_sqlite(self, data: Data, plans: list[Any], series: list[Any], quantiles: list[Any]) -> None:
        c = self.connection
        c.execute("BEGIN")
        c.executemany("INSERT INTO fb_plan VALUES (?, ?, ?, ?, ?, ?)", plans)
        c.executemany("INSERT INTO fb_series VALUES (?, ?)", series)
        c.executemany("INSERT INTO fb_tquantile VALUES (?, ?)", quantiles)
        rows = zip(data.group.tolist(), data.day.tolist(), data.value.tolist(), strict=True)
        c.executemany("INSERT INTO fb_measurement VALUES (?, ?, ?)", rows)
        c.execute("COMMIT")
        c.execute("ANALYZE")

    def _load_postgresql(self, data: Data, plans: list[Any], series: list[Any], quantiles: list[Any]) -> None:
        c = self.connection
        with c.transaction(), c.cursor() as cursor:
            cursor.executemany("INSERT INTO fb_plan VALUES (%s, %s, %s, %s, %s, %s)", plans)
            cursor.executemany("INSERT INTO fb_series VALUES (%s, %s)", series)
            cursor.executemany("INSERT INTO fb_tquantile VALUES (%s, %s)", quantiles)
            with cursor.copy("COPY fb_measurement (series, day, value) FROM STDIN (FORMAT binary)") as copy:
                copy.write(b"PGCOPY\n\xff\r\n\x00" + struct.pack(">ii", 0, 0))
                for start in range(0, len(data.group), 500_000):
                    chunk = slice(start, start + 500_000)
                    block = np.empty(len(data.group[chunk]), dtype=COPY_ROW)
                    block["fields"], block["l1"], block["l2"], block["l3"] = 3, 4, 4, 8
                    block["series"], block["day"], block["value"] = (
                        data.group[chunk],
                        data.day[chunk],
                        data.value[chunk],
                    )
                    copy.write(block.tobytes())
                copy.write(struct.pack(">h", -1))
        c.execute("VACUUM ANALYZE")

    def fetch(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """All measurements back into numpy arrays, ordered by series and day."""
        query = "SELECT series, day, value FROM fb_measurement ORDER BY series, day"
        if self.kind == "sqlite":
            table = np.array(self.connection.execute(query).fetchall(), dtype=np.float64)
            return table[:, 0].astype(np.int64), table[:, 1].astype(np.int64), table[:, 2]
        chunks: list[bytes] = []
        with self.connection.cursor() as cursor, cursor.copy(f"COPY ({query}) TO STDOUT (FORMAT binary)") as copy:
            chunks.extend(bytes(block) for block in copy)
        raw = b"".join(chunks)
        header = 11 + 4 + 4 + struct.unpack(">i", raw[15:19])[0]
        rows: Any = np.frombuffer(raw[header:-2], dtype=COPY_ROW)
        return rows["series"].astype(np.int64), rows["day"].astype(np.int64), rows["value"].astype(np.float64)

    def close(self) -> None:
        self.connection.close()
        if self.kind == "sqlite":
            if self.keep:
                print(f"kept {self.path}", file=sys.stderr)
            else:
                for suffix in ("", "-wal", "-shm"):
                    Path(self.path + suffix).unlink(missing_ok=True)
                os.rmdir(self.directory)
        elif self.scratch and not self.keep:
            import psycopg

            with psycopg.connect(self.url, autocommit=True) as admin:
                admin.execute(f"DROP DATABASE IF EXISTS {self.scratch}")
        elif self.scratch:
            print(f"kept database {self.scratch}", file=sys.stderr)


@contextmanager
def opened(kind: str, keep: bool) -> Iterator[Database]:
    database = Database(kind, keep)
    try:
        yield database
    finally:
        database.close()


# ------------------------------------------------------------------------------------------------ report


def compare(mine: dict[str, np.ndarray], theirs: dict[str, np.ndarray]) -> dict[str, tuple[float, float]]:
    """Max absolute and relative difference per column (NaN where both are NaN counts as equal)."""
    out = {}
    for name in COLUMNS:
        a, b = mine[name], theirs[name]
        if not np.array_equal(np.isnan(a), np.isnan(b)):
            out[name] = (float("inf"), float("inf"))
            continue
        both = ~np.isnan(a)
        diff = np.abs(a[both] - b[both])
        rel = diff / np.maximum(np.abs(a[both]), 1e-300)
        out[name] = (float(diff.max(initial=0.0)), float(rel.max(initial=0.0)))
    return out


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def fmt_mib(value: float | None) -> str:
    return "n/a" if value is None else f"{value:,.0f}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--indicators", type=int, default=1000)
    parser.add_argument("--regions", type=int, default=89)
    parser.add_argument("--periods", type=int, default=40)
    parser.add_argument("--database", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--repeat", type=int, default=3, help="timed runs of each computation (best and median)")
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument("--keep", action="store_true", help="keep the scratch database")
    args = parser.parse_args(argv)

    start = time.perf_counter()
    data = generate(args.indicators, args.regions, args.periods, args.seed)
    n_rows = len(data.group)
    log(f"generated {n_rows:,} measurements of {data.n_series:,} series in {time.perf_counter() - start:.1f} s")

    engine_out, engine_time = timed(lambda: engine_results(data, data.group, data.day, data.value), args.repeat)
    engine_peak = traced_peak_mib(lambda: engine_results(data, data.group, data.day, data.value))
    log(f"engine: best {engine_time.best:.3f} s")

    with opened(args.database, args.keep) as database:
        database.create()
        start = time.perf_counter()
        database.load(data, args.periods + 1)
        load_seconds = time.perf_counter() - start
        log(f"loaded in {load_seconds:.1f} s")

        (f_group, f_day, f_value), fetch_time = timed(database.fetch, 1)
        same_data = (
            np.array_equal(f_group, data.group)
            and np.array_equal(f_day, data.day)
            and np.array_equal(f_value, data.value)
        )
        fetched_engine, fetched_engine_time = timed(partial(engine_results, data, f_group, f_day, f_value), 1)
        del f_group, f_day, f_value  # the SQL runs without them in memory

        runs: list[tuple[str, dict[str, np.ndarray], Timing]] = []
        variants = [("sql (SUM aggregates)", FIT_SUMS)]
        if args.database == "postgresql":
            variants.append(("sql (regr_* aggregates)", FIT_REGR))
        for label, fit in variants:
            query = status_query(data.at, fit)
            out, timing = timed(partial(sql_results, database.connection, query, data.n_series), args.repeat)
            runs.append((label, out, timing))
            log(f"{label}: best {timing.best:.3f} s")
        database_name = database.name

    print()
    print(f"Fulfilment benchmark — {dt.datetime.now():%Y-%m-%d %H:%M}, {platform.node() or 'host'}, "
          f"{os.cpu_count()} CPUs, Python {platform.python_version()}, numpy {np.__version__}")  # fmt: skip
    print(f"database: {database_name}")
    print(
        f"data: {args.indicators:,} indicators × {args.regions} regions × {args.periods} quarters = "
        f"{n_rows:,} measurements, {data.n_series:,} series; status on {engine.from_day_number(data.at)}, "
        f"forecast at {FINAL} ({LEVEL:.0%} interval); seed {args.seed}; best / median of {args.repeat} runs"
    )
    print()
    header = f"{'computation':<28} {'rows in':>11} {'series out':>10} {'best s':>8} {'median s':>9} {'ratio':>7} "
    print(header + f"{'RSS before':>11} {'peak RSS':>9} {'traced':>7}")
    print("-" * (len(header) + 29))
    print(
        f"{'engine batch_status':<28} {n_rows:>11,} {data.n_series:>10,} {engine_time.best:>8.3f} "
        f"{engine_time.median:>9.3f} {1.0:>7.2f} {fmt_mib(engine_time.start_rss_mib):>11} "
        f"{fmt_mib(engine_time.peak_rss_mib):>9} {engine_peak:>7,.0f}"
    )
    for label, _out, timing in runs:
        print(
            f"{label:<28} {n_rows:>11,} {data.n_series:>10,} {timing.best:>8.3f} {timing.median:>9.3f} "
            f"{timing.best / engine_time.best:>7.2f} {fmt_mib(timing.start_rss_mib):>11} "
            f"{fmt_mib(timing.peak_rss_mib):>9} {'':>7}"
        )
    print()
    print("ratio = SQL best / engine best (above 1: the engine is faster); memory in MiB: this process's RSS")
    print("before the phase and its peak during it, and the engine call's tracemalloc peak (numpy arrays)")
    print(f"not compared: load {load_seconds:.2f} s ({n_rows / load_seconds:,.0f} rows/s); "
          f"fetch into numpy {fetch_time.best:.2f} s (rows identical: {same_data}); "
          f"fetch + engine {fetch_time.best + fetched_engine_time.best:.2f} s")  # fmt: skip
    print()
    worst = 0.0
    for label, out, _timing in runs:
        diffs = compare(engine_out, out)
        rag_same = int((engine_out["rag"] == out["rag"]).sum())
        fetched_same = all(
            np.array_equal(engine_out[name], fetched_engine[name], equal_nan=True) for name in (*COLUMNS, "rag")
        )
        print(f"agreement engine vs {label}: RAG equal for {rag_same:,} of {data.n_series:,} series")
        for name, (absolute, relative) in diffs.items():
            print(f"  {name:<18} max |diff| {absolute:.3g}   max relative {relative:.3g}")
        print(f"  engine on fetched rows identical to engine on generated arrays: {fetched_same}")
        worst = max(worst, diffs["value"][1])
    counts = np.bincount(engine_out["rag"], minlength=len(engine.RAG_ORDER))
    print("engine RAG: " + ", ".join(f"{name} {count:,}" for name, count in zip(engine.RAG_ORDER, counts, strict=True)))
    ok = worst < 1e-6
    print("forecasts agree" if ok else f"FORECASTS DISAGREE (max relative difference {worst:.3g})")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
