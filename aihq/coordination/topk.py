"""Exact top-k similarity search over sentence embeddings, by blocked matrix products.

The numerical core of the coordination capability (finding duplicate or similar AI projects across
organisations): pure numpy functions over float32 matrices, no Django.

``top_k`` scores a block of query rows against the whole corpus with one BLAS product
(``block @ corpus.T`` into a reused float32 buffer), then selects the ``k`` best columns of every row of
the block. The selection costs little beside the product because it prunes by a per-row threshold
before sorting anything:

1. **Exclusions** are written into the score block as ``-inf``: the query's own column
   (``query_ids``), and the columns of the query's own group (``query_groups``/``corpus_groups``). For
   groups, corpus and queries are first sorted by group (stable), so the same-group columns of a run of
   same-group rows are one rectangle of the block.
2. **A lower bound of each row's k-th best score**: the columns are dealt into ``c`` interleaved chunks
   (column ``j`` goes to chunk ``j mod c``; ``c`` ≥ 256 and ≥ 4k); the k-th largest of the ``c`` chunk
   maxima is ≤ the row's k-th best eligible score, since the k chunks with the largest maxima hold k
   distinct eligible columns scoring at least that much. Excluded columns are ``-inf`` and so never set
   it; a row with fewer than k chunks holding an eligible column gets no bound (``-inf``). The bound is
   raised to ``threshold`` when one is given. It is rank-based: whatever the distribution of the scores,
   only about k columns per row reach it (many more only with exactly tied scores, e.g. duplicate rows
   or a zero query).
3. **One vectorised pass** ``scores >= bound[:, None]`` and ``np.flatnonzero`` collect those candidates.
   The bound is clamped to the most negative finite float32, so the ``-inf`` exclusions never pass.
   Steps 2–4 run on row slices of the block (4 MiB of boolean mask each, reused, so it stays in the
   cache), on a few threads for large blocks: numpy releases the GIL in these passes, and the BLAS
   threads are idle meanwhile.
4. **Exact selection among the candidates**: each candidate is packed into one uint64 sort key (row,
   score descending, original column index) and the keys are sorted; the first k of each row are kept.
   Every column in a row's true top k scores at least the k-th best, hence at least the bound, so the
   result is identical to a brute-force sort of the whole score matrix (ties broken by lower corpus
   index; -0.0 counts as 0.0).

Rows with fewer than k eligible candidates are padded with index -1 and score -inf. Inputs must be
finite; a NaN score is never selected.

Cost, measured on 2 cores (AMD EPYC VM, OpenBLAS; ``benchmarks/bench_similarity.py``): all-pairs top-10 of
100,000 × 512 rows takes about 1.1 times the bare blocked product (about a minute), on random and on
clustered vectors, with or without groups; about 10.2 candidates per row are sorted. Memory: the score
block (``block × n_corpus`` float32), a 4 MiB mask per thread, the candidates of one slice (many only for
rows with massively tied scores: a zero query makes every column a candidate), and with groups a sorted
copy of the corpus (and of the queries).
"""

from __future__ import annotations

import os
import threading
from concurrent.futures import ThreadPoolExecutor

import numpy as np
from numpy.typing import ArrayLike, NDArray

__all__ = [
    "DEFAULT_BLOCK_BYTES",
    "all_pairs_top_k",
    "choose_block",
    "normalise",
    "top_k",
]

#: Largest float32 score block ``choose_block`` picks.
DEFAULT_BLOCK_BYTES = 1024 * 1024 * 1024
_MIN_BLOCK = 256
_MAX_BLOCK = 4096
_MIN_CHUNKS = 256
_LOWEST = np.float32(np.finfo(np.float32).min)  # the most negative finite float32
_NEG_INF = np.float32(-np.inf)
_SIGN = np.uint32(0x80000000)
#: Threads for the selection passes (the product uses BLAS's own threads, one after the other).
_WORKERS = max(1, min(4, os.cpu_count() or 1))
#: Below this many scores per block the selection runs in the calling thread.
_THREADED_MIN_SCORES = 4_000_000
#: Size of one boolean candidate mask (one per selection thread, reused): row slices of the score block are
#: selected so that their mask stays in the CPU cache.
_SLICE_BYTES = 4 * 1024 * 1024


def normalise(x: ArrayLike) -> NDArray[np.float32]:
    """Rows of ``x`` scaled to unit L2 norm, as a C-contiguous float32 array; zero rows stay zero."""
    a = np.asarray(x, dtype=np.float32)
    if a.ndim != 2:
        raise ValueError(f"expected a 2-d array, got shape {a.shape}")
    norms = np.sqrt(np.einsum("ij,ij->i", a, a, dtype=np.float64)).astype(np.float32)
    out = np.zeros(a.shape, dtype=np.float32)
    np.divide(a, norms[:, None], out=out, where=norms[:, None] > 0)
    return out


def choose_block(n_corpus: int, block_bytes: int = DEFAULT_BLOCK_BYTES) -> int:
    """Rows per block: the largest power of two whose float32 score block of ``n_corpus`` columns fits in
    ``block_bytes`` (so it takes between half of it and all of it), within [256, 4096].

    On 2 cores (OpenBLAS, n = 100,000) blocks of 512 to 4,096 rows ran the product at the same speed within
    5–10 %, 2,048 and 4,096 slightly ahead; 2,048 rows at 100,000 columns make an 800 MB score block.
    """
    rows = max(1, block_bytes // (4 * max(n_corpus, 1)))
    return int(min(_MAX_BLOCK, max(_MIN_BLOCK, 1 << (rows.bit_length() - 1))))


def top_k(
    queries: ArrayLike,
    corpus: ArrayLike,
    k: int = 10,
    *,
    query_ids: ArrayLike | None = None,
    query_groups: ArrayLike | None = None,
    corpus_groups: ArrayLike | None = None,
    block: int | None = None,
    threshold: float | None = None,
) -> tuple[NDArray[np.int64], NDArray[np.float32]]:
    """For each query row, the ``k`` corpus rows with the highest dot product, best first.

    Vectors are expected to be normalised already (``normalise``), so the dot product is the cosine.
    Returns ``(indices, scores)``, both of shape ``(n_queries, k)``: int64 corpus indices and their
    float32 scores in descending order, ties broken by lower corpus index; rows with fewer than ``k``
    candidates are padded with -1 and -inf.

    - ``query_ids``: the corpus index of each query when the queries are corpus rows; that column is
      excluded from the query's row (no self-match).
    - ``query_groups`` and ``corpus_groups`` (give both or neither): integer group of each query and of
      each corpus row; pairs within the same group are excluded (only cross-group pairs are returned).
    - ``threshold``: scores below it (compared in float32) are dropped.
    - ``block``: query rows per matrix product; by default ``choose_block(n_corpus)`` (a score block of
      0.5–1 GiB; 2,048 rows at 100,000 columns).
    """
    q = _as_matrix(queries, "queries")
    c = _as_matrix(corpus, "corpus")
    if q.shape[1] != c.shape[1]:
        raise ValueError(f"queries have dimension {q.shape[1]}, corpus {c.shape[1]}")
    n_q, n_c = q.shape[0], c.shape[0]
    k = _check_k(k)
    ids = None if query_ids is None else _as_index(query_ids, "query_ids", n_q)
    if ids is not None and ids.size and (ids.min() < 0 or ids.max() >= n_c):
        raise ValueError("query_ids must be corpus indices in [0, n_corpus)")
    if (query_groups is None) != (corpus_groups is None):
        raise ValueError("give both query_groups and corpus_groups, or neither")
    qg = None if query_groups is None else _as_index(query_groups, "query_groups", n_q)
    cg = None if corpus_groups is None else _as_index(corpus_groups, "corpus_groups", n_c)
    thr = _check_threshold(threshold)
    return _search(q, c, k, ids, qg, cg, block, thr, same=False)


def all_pairs_top_k(
    x: ArrayLike,
    k: int = 10,
    *,
    groups: ArrayLike | None = None,
    block: int | None = None,
    threshold: float | None = None,
) -> tuple[NDArray[np.int64], NDArray[np.float32]]:
    """``top_k`` of ``x`` against itself: each row's ``k`` nearest other rows (of other groups if ``groups``)."""
    a = _as_matrix(x, "x")
    n = a.shape[0]
    k = _check_k(k)
    g = None if groups is None else _as_index(groups, "groups", n)
    ids = np.arange(n, dtype=np.int64)
    return _search(a, a, k, ids, g, g, block, _check_threshold(threshold), same=True)


# --------------------------------------------------------------------------------------------------
# Implementation


def _as_matrix(x: ArrayLike, name: str) -> NDArray[np.float32]:
    a = np.ascontiguousarray(x, dtype=np.float32)
    if a.ndim != 2:
        raise ValueError(f"{name} must be a 2-d array, got shape {a.shape}")
    return a


def _as_index(x: ArrayLike, name: str, n: int) -> NDArray[np.int64]:
    a = np.asarray(x)
    if a.size == 0:
        a = a.astype(np.int64)
    if a.ndim != 1 or a.shape[0] != n:
        raise ValueError(f"{name} must be a 1-d array of length {n}, got shape {a.shape}")
    if not np.issubdtype(a.dtype, np.integer):
        raise TypeError(f"{name} must be integers, got {a.dtype}")
    return np.ascontiguousarray(a, dtype=np.int64)


def _check_k(k: int) -> int:
    if isinstance(k, bool) or not isinstance(k, int | np.integer) or k < 0:
        raise ValueError(f"k must be a non-negative integer, got {k!r}")
    return int(k)


def _check_threshold(threshold: float | None) -> np.float32:
    if threshold is None:
        return _LOWEST
    t = np.float32(threshold)
    if np.isnan(t):
        raise ValueError("threshold must not be NaN")
    return max(t, _LOWEST)


def _group_ranges(
    sorted_groups: NDArray[np.int64],
) -> tuple[NDArray[np.int64], NDArray[np.int64], NDArray[np.int64]]:
    """Distinct values of a sorted group array with the [start, end) of each."""
    values, starts, counts = np.unique(sorted_groups, return_index=True, return_counts=True)
    return values.astype(np.int64), starts.astype(np.int64), (starts + counts).astype(np.int64)


def _search(
    q: NDArray[np.float32],
    c: NDArray[np.float32],
    k: int,
    ids: NDArray[np.int64] | None,
    qg: NDArray[np.int64] | None,
    cg: NDArray[np.int64] | None,
    block: int | None,
    thr: np.float32,
    *,
    same: bool,
    stats: dict[str, int] | None = None,
) -> tuple[NDArray[np.int64], NDArray[np.float32]]:
    """The search; ``stats``, if given, receives ``candidates`` (total) and ``max_candidates`` (of one row)."""
    n_q, n_c = q.shape[0], c.shape[0]
    out_idx = np.full((n_q, k), -1, dtype=np.int64)
    out_val = np.full((n_q, k), _NEG_INF, dtype=np.float32)
    if n_q == 0 or n_c == 0 or k == 0:
        return out_idx, out_val

    # Sort corpus and queries by group so that the same-group columns of a run of same-group query rows
    # are one rectangle of the score block. ``col_orig`` maps a (sorted) column back to its corpus index.
    col_orig: NDArray[np.int64] | None = None
    row_orig: NDArray[np.int64] | None = None
    runs: list[tuple[int, int, int, int]] = []  # (row start, row end, column start, column end), sorted rows
    if qg is not None and cg is not None:
        col_orig = np.argsort(cg, kind="stable").astype(np.int64)
        c = c[col_orig]
        cg_sorted = cg[col_orig]
        if same:
            row_orig, q, qg_sorted = col_orig, c, cg_sorted
        else:
            row_orig = np.argsort(qg, kind="stable").astype(np.int64)
            q = q[row_orig]
            qg_sorted = qg[row_orig]
        c_values, c_starts, c_ends = _group_ranges(cg_sorted)
        q_values, q_starts, q_ends = _group_ranges(qg_sorted)
        where = np.searchsorted(c_values, q_values)
        found = (where < c_values.size) & (c_values[np.minimum(where, c_values.size - 1)] == q_values)
        for gi in np.flatnonzero(found):
            w = where[gi]
            runs.append((int(q_starts[gi]), int(q_ends[gi]), int(c_starts[w]), int(c_ends[w])))

    # Column of each (sorted) query row to exclude, as a position in the (sorted) corpus.
    self_pos: NDArray[np.int64] | None = None
    if ids is not None:
        if col_orig is not None:
            inverse = np.empty(n_c, dtype=np.int64)
            inverse[col_orig] = np.arange(n_c, dtype=np.int64)
            self_pos = inverse[ids]
        else:
            self_pos = ids
        if row_orig is not None:
            self_pos = self_pos[row_orig]

    rows_per_block = choose_block(n_c) if block is None else int(block)
    if rows_per_block < 1:
        raise ValueError("block must be at least 1")
    rows_per_block = min(rows_per_block, n_q)
    scores = np.empty((rows_per_block, n_c), dtype=np.float32)
    ct = c.T
    chunks = min(n_c, max(_MIN_CHUNKS, 4 * k))
    # The selection runs by row slices whose boolean mask (one per thread, reused) fits in the CPU cache.
    slice_rows = max(1, min(rows_per_block, _SLICE_BYTES // n_c))
    local = threading.local()
    threaded = _WORKERS > 1 and rows_per_block * n_c >= _THREADED_MIN_SCORES
    pool = ThreadPoolExecutor(_WORKERS, thread_name_prefix="topk") if threaded else None
    counts: list[tuple[int, int]] = []
    try:
        run_i = 0
        for r0 in range(0, n_q, rows_per_block):
            r1 = min(r0 + rows_per_block, n_q)
            nb = r1 - r0
            s = scores[:nb]
            np.matmul(q[r0:r1], ct, out=s)
            # Exclusions.
            if self_pos is not None:
                s[np.arange(nb), self_pos[r0:r1]] = _NEG_INF
            while run_i < len(runs) and runs[run_i][1] <= r0:
                run_i += 1
            j = run_i
            while j < len(runs) and runs[j][0] < r1:
                a, b, lo, hi = runs[j]
                s[max(a, r0) - r0 : min(b, r1) - r0, lo:hi] = _NEG_INF
                j += 1
            # Selection, by row slices (numpy releases the GIL in each pass).
            slices = [(a, min(a + slice_rows, nb)) for a in range(0, nb, slice_rows)]

            def work(ab: tuple[int, int], r0: int = r0, s: NDArray[np.float32] = s) -> tuple[int, int]:
                a, b = ab
                mask = getattr(local, "mask", None)
                if mask is None:
                    mask = local.mask = np.empty((slice_rows, n_c), dtype=bool)
                return _select_block(
                    s[a:b], mask[: b - a], k, chunks, thr, col_orig, out_idx[r0 + a : r0 + b], out_val[r0 + a : r0 + b]
                )

            counts.extend(pool.map(work, slices) if pool is not None else map(work, slices))
    finally:
        if pool is not None:
            pool.shutdown()
    if stats is not None:
        stats["candidates"] = sum(n for n, _ in counts)
        stats["max_candidates"] = max(most for _, most in counts)

    if row_orig is not None:
        final_idx = np.empty_like(out_idx)
        final_val = np.empty_like(out_val)
        final_idx[row_orig] = out_idx
        final_val[row_orig] = out_val
        return final_idx, final_val
    return out_idx, out_val


def _select_block(
    s: NDArray[np.float32],
    mask: NDArray[np.bool_],
    k: int,
    chunks: int,
    thr: np.float32,
    col_orig: NDArray[np.int64] | None,
    out_idx: NDArray[np.int64],
    out_val: NDArray[np.float32],
) -> tuple[int, int]:
    """Top ``k`` of each row of the score block ``s`` (exclusions already -inf) into the outputs.

    Returns the number of candidates that were sorted and the largest number of one row.
    """
    nb, n_c = s.shape
    # Lower bound of each row's k-th best eligible score: the k-th largest maximum of interleaved chunks.
    if k <= chunks:
        per_chunk = n_c // chunks
        maxima = s[:, : per_chunk * chunks].reshape(nb, per_chunk, chunks).max(axis=1)
        bound = np.partition(maxima, chunks - k, axis=1)[:, chunks - k]
        np.maximum(bound, thr, out=bound)
    else:
        bound = np.full(nb, thr, dtype=np.float32)
    # Candidates: one comparison pass, then exact selection among them.
    np.greater_equal(s, bound[:, None], out=mask)
    flat = np.flatnonzero(mask)
    if flat.size == 0:
        return 0, 0
    rows = flat // n_c
    cols = flat - rows * n_c
    vals = s.reshape(-1)[flat]
    if col_orig is not None:
        cols = col_orig[cols]
    _select(rows, cols, vals, nb, n_c, k, out_idx, out_val)
    return int(flat.size), int(np.bincount(rows).max())


def _select(
    rows: NDArray[np.int64],
    cols: NDArray[np.int64],
    vals: NDArray[np.float32],
    n_rows: int,
    n_cols: int,
    k: int,
    out_idx: NDArray[np.int64],
    out_val: NDArray[np.float32],
) -> None:
    """Write the best ``k`` candidates of each row (score descending, column ascending) into the outputs."""
    if rows.size == 0:
        return
    vals = vals + np.float32(0.0)  # -0.0 → 0.0: equal scores, ordered by column like any tie
    # Float32 bits → uint32 that sorts in descending order of the float.
    bits = vals.view(np.uint32)
    ascending = np.where(bits & _SIGN, ~bits, bits | _SIGN)
    descending = ~ascending
    col_bits = max(1, (n_cols - 1).bit_length())
    row_bits = max(1, (n_rows - 1).bit_length())
    if row_bits + 32 + col_bits <= 64:
        key = (
            (rows.astype(np.uint64) << np.uint64(32 + col_bits))
            | (descending.astype(np.uint64) << np.uint64(col_bits))
            | cols.astype(np.uint64)
        )
        key.sort()
        rows = (key >> np.uint64(32 + col_bits)).astype(np.int64)
        cols = (key & np.uint64((1 << col_bits) - 1)).astype(np.int64)
        ascending = ~((key >> np.uint64(col_bits)).astype(np.uint32))
        bits = np.where(ascending & _SIGN, ascending & ~_SIGN, ~ascending)
        vals = bits.view(np.float32)
    else:  # too wide for one 64-bit key
        order = np.lexsort((cols, descending, rows))
        rows, cols, vals = rows[order], cols[order], vals[order]
    counts = np.bincount(rows, minlength=n_rows)
    starts = np.cumsum(counts) - counts
    rank = np.arange(rows.size, dtype=np.int64) - starts[rows]
    keep = rank < k
    out_idx[rows[keep], rank[keep]] = cols[keep]
    out_val[rows[keep], rank[keep]] = vals[keep]
