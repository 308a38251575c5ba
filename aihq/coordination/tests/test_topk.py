"""``aihq.coordination.topk`` against an independent brute force: the full score matrix, ``np.argsort``."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from aihq.coordination import topk
from aihq.coordination.topk import all_pairs_top_k, normalise, top_k


def brute_force(q, c, k, *, query_ids=None, query_groups=None, corpus_groups=None, threshold=None):
    """Reference: every score, excluded pairs removed, stable argsort (ties → lower index), first k."""
    q = np.asarray(q, dtype=np.float32)
    c = np.asarray(c, dtype=np.float32)
    n_q, n_c = q.shape[0], c.shape[0]
    idx = np.full((n_q, k), -1, dtype=np.int64)
    val = np.full((n_q, k), -np.inf, dtype=np.float32)
    if n_q == 0 or n_c == 0 or k == 0:
        return idx, val
    scores = q @ c.T
    eligible = np.ones((n_q, n_c), dtype=bool)
    if query_ids is not None:
        eligible[np.arange(n_q), query_ids] = False
    if query_groups is not None:
        eligible &= np.asarray(query_groups)[:, None] != np.asarray(corpus_groups)[None, :]
    if threshold is not None:
        eligible &= scores >= np.float32(threshold)
    order = np.argsort(-scores, axis=1, kind="stable")
    for i in range(n_q):
        chosen = order[i][eligible[i, order[i]]][:k]
        idx[i, : len(chosen)] = chosen
        val[i, : len(chosen)] = scores[i, chosen]
    return idx, val


def assert_same(got, expected):
    got_idx, got_val = got
    exp_idx, exp_val = expected
    assert got_idx.dtype == np.int64
    assert got_val.dtype == np.float32
    assert got_idx.shape == exp_idx.shape
    np.testing.assert_array_equal(got_idx, exp_idx)
    np.testing.assert_array_equal(got_val, exp_val)


def quantise(x):
    """Round to multiples of 1/256: the dot products of such (near-unit) vectors are exact in float32 whatever
    the summation order, so the reference and the blocked products agree bit for bit (BLAS kernels sum in
    different orders for different block shapes, which moves continuous scores by an ulp)."""
    return (np.round(np.asarray(x, dtype=np.float64) * 256) / 256).astype(np.float32)


def random_unit(rng, n, d=32):
    return quantise(normalise(rng.standard_normal((n, d)).astype(np.float32)))


def clustered(rng, n, d=32, centres=20, noise=0.15):
    """Cluster centre + noise: many rows have near neighbours, unlike random unit vectors."""
    c = rng.standard_normal((centres, d)).astype(np.float32)
    labels = rng.integers(0, centres, n)
    return quantise(normalise(c[labels] + noise * rng.standard_normal((n, d)).astype(np.float32)))


def integer_rows(rng, n, d=8, low=-3, high=4):
    """Small integers: every dot product is exact in float32 whatever the summation order, many ties."""
    return rng.integers(low, high, size=(n, d)).astype(np.float32)


# ---------------------------------------------------------------------------------------------------
# normalise


def test_normalise_rows_unit_zero_rows_stay_zero():
    x = np.array([[3.0, 4.0], [0.0, 0.0], [-1.0, 0.0]], dtype=np.float64)
    out = normalise(x)
    assert out.dtype == np.float32
    assert out.flags.c_contiguous
    np.testing.assert_allclose(out, [[0.6, 0.8], [0.0, 0.0], [-1.0, 0.0]], rtol=1e-6)


def test_normalise_empty_and_fortran_input():
    assert normalise(np.zeros((0, 5), dtype=np.float32)).shape == (0, 5)
    x = np.asfortranarray(np.random.default_rng(1).standard_normal((50, 7)).astype(np.float32))
    out = normalise(x)
    assert out.flags.c_contiguous
    np.testing.assert_allclose(np.linalg.norm(out, axis=1), 1.0, rtol=1e-5)


def test_normalise_rejects_1d():
    with pytest.raises(ValueError, match="2-d"):
        normalise(np.ones(3, dtype=np.float32))


# ---------------------------------------------------------------------------------------------------
# top_k: exactness on several shapes


@pytest.mark.parametrize(
    ("n_q", "n_c", "k", "block"),
    [(1, 1, 1, None), (5, 40, 3, None), (37, 300, 10, 8), (64, 1000, 10, 16), (200, 3000, 10, 64), (10, 700, 50, 3)],
)
@pytest.mark.parametrize("kind", ["random", "clustered"])
def test_top_k_matches_brute_force(n_q, n_c, k, block, kind):
    rng = np.random.default_rng(n_q * 1000 + n_c + k)
    make = random_unit if kind == "random" else clustered
    q, c = make(rng, n_q), make(rng, n_c)
    assert_same(top_k(q, c, k, block=block), brute_force(q, c, k))


@pytest.mark.parametrize("block", [1, 7, 4096])
def test_integer_data_exact_with_ties(block):
    rng = np.random.default_rng(7)
    q, c = integer_rows(rng, 60), integer_rows(rng, 900)
    expected = brute_force(q, c, 10)
    # Ties do occur at the cut, so the tie-break is really exercised.
    scores = q @ c.T
    kth = np.sort(scores, axis=1)[:, -10]
    assert ((scores == kth[:, None]).sum(axis=1) > 1).any()
    assert_same(top_k(q, c, 10, block=block), expected)


def test_duplicate_rows_tie_broken_by_lower_index():
    rng = np.random.default_rng(3)
    base = random_unit(rng, 50)
    corpus = np.concatenate([base, base, base[:10]])  # rows i, i + 50 (and i + 100) identical
    q = base[:20]
    idx, val = top_k(q, corpus, 3)
    assert_same((idx, val), brute_force(q, corpus, 3))
    # Row i's best are itself at i, i + 50 and i + 100 (for i < 10), in index order.
    np.testing.assert_array_equal(idx[:10], np.stack([np.arange(10), np.arange(10) + 50, np.arange(10) + 100], 1))


def test_many_duplicates_beyond_k():
    # 500 copies of one vector: every score ties; the lowest indices must win.
    v = normalise(np.ones((1, 16), dtype=np.float32))
    corpus = np.repeat(v, 500, axis=0)
    idx, val = top_k(v, corpus, 10)
    np.testing.assert_array_equal(idx[0], np.arange(10))
    assert_same((idx, val), brute_force(v, corpus, 10))


def test_self_exclusion_with_query_ids():
    rng = np.random.default_rng(11)
    c = clustered(rng, 800)
    ids = rng.choice(800, size=90, replace=False)
    q = c[ids]
    got = top_k(q, c, 10, query_ids=ids, block=32)
    assert_same(got, brute_force(q, c, 10, query_ids=ids))
    assert not (got[0] == ids[:, None]).any()


@pytest.mark.parametrize("n_groups", [1, 2, 7, 500])
def test_groups_only_cross_group_pairs(n_groups):
    rng = np.random.default_rng(n_groups)
    c = clustered(rng, 1200)
    cg = rng.integers(0, n_groups, 1200) * 3 - 5  # not 0..n-1, negative too
    q = clustered(rng, 150)
    qg = rng.integers(0, n_groups + 2, 150) * 3 - 5  # some query groups absent from the corpus
    got = top_k(q, c, 10, query_groups=qg, corpus_groups=cg, block=40)
    assert_same(got, brute_force(q, c, 10, query_groups=qg, corpus_groups=cg))
    found = got[0] >= 0
    assert (cg[np.where(found, got[0], 0)] != qg[:, None])[found].all()


def test_one_group_everywhere_gives_nothing():
    rng = np.random.default_rng(5)
    x = random_unit(rng, 300)
    idx, val = all_pairs_top_k(x, 5, groups=np.zeros(300, dtype=np.int64))
    assert (idx == -1).all()
    assert np.isneginf(val).all()


def test_groups_with_query_ids():
    rng = np.random.default_rng(12)
    c = clustered(rng, 700)
    cg = rng.integers(0, 4, 700)
    ids = rng.choice(700, size=100, replace=False)
    qg = rng.integers(0, 4, 100)  # a query may sit in another group than its corpus row
    got = top_k(c[ids], c, 8, query_ids=ids, query_groups=qg, corpus_groups=cg, block=13)
    assert_same(got, brute_force(c[ids], c, 8, query_ids=ids, query_groups=qg, corpus_groups=cg))


@pytest.mark.parametrize("threshold", [-1.0, 0.0, 0.3, 0.9, 1.5])
def test_threshold(threshold):
    rng = np.random.default_rng(21)
    x = clustered(rng, 1000, noise=0.4)
    got = top_k(x[:100], x, 10, threshold=threshold, block=30)
    assert_same(got, brute_force(x[:100], x, 10, threshold=threshold))
    assert (got[1][got[0] >= 0] >= np.float32(threshold)).all()


def test_threshold_on_exact_scores_keeps_equal():
    q = np.array([[1.0, 0.0]], dtype=np.float32)
    c = np.array([[0.5, 0.0], [0.25, 1.0], [0.5, 9.0], [0.75, 0.0]], dtype=np.float32)
    idx, val = top_k(q, c, 4, threshold=0.5)
    np.testing.assert_array_equal(idx, [[3, 0, 2, -1]])
    np.testing.assert_array_equal(val, np.array([[0.75, 0.5, 0.5, -np.inf]], dtype=np.float32))


@pytest.mark.parametrize(("n_c", "k"), [(5, 10), (300, 301), (1000, 2000), (1, 3)])
def test_k_larger_than_corpus_pads(n_c, k):
    rng = np.random.default_rng(n_c)
    q, c = random_unit(rng, 9), random_unit(rng, n_c)
    idx, val = top_k(q, c, k)
    assert idx.shape == (9, k)
    assert (idx[:, n_c:] == -1).all()
    assert np.isneginf(val[:, n_c:]).all()
    assert_same((idx, val), brute_force(q, c, k))


def test_all_pairs_k_larger_than_corpus():
    rng = np.random.default_rng(2)
    x = random_unit(rng, 6)
    idx, val = all_pairs_top_k(x, 10)
    assert_same((idx, val), brute_force(x, x, 10, query_ids=np.arange(6)))
    assert (idx[:, 5:] == -1).all()


@pytest.mark.parametrize(
    ("q_shape", "c_shape", "k"),
    [((0, 8), (10, 8), 3), ((4, 8), (0, 8), 3), ((0, 8), (0, 8), 3), ((4, 8), (10, 8), 0), ((3, 0), (5, 0), 2)],
)
def test_empty_inputs(q_shape, c_shape, k):
    q = np.ones(q_shape, dtype=np.float32)
    c = np.ones(c_shape, dtype=np.float32)
    idx, val = top_k(q, c, k)
    assert idx.shape == (q_shape[0], k) == val.shape
    assert idx.dtype == np.int64
    assert val.dtype == np.float32
    assert_same((idx, val), brute_force(q, c, k))


def test_all_pairs_empty():
    idx, val = all_pairs_top_k(np.zeros((0, 512), dtype=np.float32), 10)
    assert idx.shape == (0, 10) == val.shape
    idx, val = all_pairs_top_k(np.zeros((0, 512), dtype=np.float32), 10, groups=np.array([], dtype=np.int64))
    assert idx.shape == (0, 10)


def test_zero_vectors():
    rng = np.random.default_rng(4)
    c = random_unit(rng, 600)
    c[[3, 100, 599]] = 0.0
    q = random_unit(rng, 20)
    q[[0, 7]] = 0.0
    # A zero query scores 0 (or -0.0) against everything: the lowest indices win.
    got = top_k(q, c, 10, block=6)
    assert_same(got, brute_force(q, c, 10))
    np.testing.assert_array_equal(got[0][0], np.arange(10))
    got = all_pairs_top_k(c, 10, block=50)
    assert_same(got, brute_force(c, c, 10, query_ids=np.arange(600)))


def test_all_pairs_matches_top_k_with_self_excluded():
    rng = np.random.default_rng(9)
    x = clustered(rng, 2000, d=48)
    g = rng.integers(0, 30, 2000)
    ids = np.arange(2000)
    assert_same(all_pairs_top_k(x, 10, block=300), brute_force(x, x, 10, query_ids=ids))
    assert_same(
        all_pairs_top_k(x, 10, groups=g, block=300),
        brute_force(x, x, 10, query_ids=ids, query_groups=g, corpus_groups=g),
    )
    # Without groups and with the default block, on 512-d vectors, as in production.
    x = clustered(rng, 1500, d=512, noise=0.05)
    assert_same(all_pairs_top_k(x, 10), brute_force(x, x, 10, query_ids=np.arange(1500)))


@pytest.mark.parametrize("workers", [1, 3])
def test_threaded_selection_same_result(monkeypatch, workers):
    # Large blocks select on a thread pool by row slices; force it on a small problem.
    monkeypatch.setattr(topk, "_THREADED_MIN_SCORES", 0)
    monkeypatch.setattr(topk, "_WORKERS", workers)
    rng = np.random.default_rng(23)
    x = clustered(rng, 1500)
    g = rng.integers(0, 9, 1500)
    stats: dict[str, int] = {}
    got = topk._search(x, x, 10, np.arange(1500), g, g, 700, topk._LOWEST, same=True, stats=stats)
    assert_same(got, brute_force(x, x, 10, query_ids=np.arange(1500), query_groups=g, corpus_groups=g))
    # The pruning kept few candidates: about k per row, not the 1,500 columns.
    assert 10 * 1500 <= stats["candidates"] < 40 * 1500


def test_near_duplicates_in_one_contiguous_run():
    # Near neighbours packed together in corpus order and one big group: the bound must stay valid.
    rng = np.random.default_rng(17)
    x = clustered(rng, 3000, centres=3, noise=0.05)
    x = x[np.argsort(x[:, 0], kind="stable")]
    g = np.zeros(3000, dtype=np.int64)
    g[2900:] = 1  # 97 % of the rows in one group
    assert_same(
        all_pairs_top_k(x, 10, groups=g, block=500),
        brute_force(x, x, 10, query_ids=np.arange(3000), query_groups=g, corpus_groups=g),
    )


@pytest.mark.parametrize("kind", ["random", "clustered"])
def test_continuous_512d_equal_up_to_rounding(kind):
    # Production-like float32 unit vectors, unquantised: the blocked products may differ from the full one by an
    # ulp, so an index may differ only where the two candidates' exact scores are within rounding of each other.
    rng = np.random.default_rng(99)
    n, d = 1200, 512
    if kind == "random":
        x = normalise(rng.standard_normal((n, d)).astype(np.float32))
    else:
        centres = rng.standard_normal((40, d)).astype(np.float32)
        x = normalise(centres[rng.integers(0, 40, n)] + 0.5 * rng.standard_normal((n, d)).astype(np.float32))
    g = rng.integers(0, 6, n)
    exact = x.astype(np.float64) @ x.T.astype(np.float64)
    for got, expected in [
        (all_pairs_top_k(x, 10, block=100), brute_force(x, x, 10, query_ids=np.arange(n))),
        (
            all_pairs_top_k(x, 10, groups=g, block=256),
            brute_force(x, x, 10, query_ids=np.arange(n), query_groups=g, corpus_groups=g),
        ),
    ]:
        np.testing.assert_allclose(got[1], expected[1], rtol=0, atol=1e-6)
        rows, ranks = np.nonzero(got[0] != expected[0])
        assert rows.size <= n // 100
        for i, j in zip(rows, ranks, strict=True):
            assert abs(exact[i, got[0][i, j]] - exact[i, expected[0][i, j]]) < 1e-6
        assert (got[0] != np.arange(n)[:, None]).all()


def test_select_fallback_lexsort_agrees():
    # The packed uint64 key and the lexsort used when the key would not fit give the same selection.
    rng = np.random.default_rng(8)
    n = 5000
    rows = np.sort(rng.integers(0, 40, n)).astype(np.int64)
    cols = rng.integers(0, 300, n).astype(np.int64)
    vals = (rng.integers(-4, 5, n) / 4).astype(np.float32)
    results = []
    for n_cols in (300, 2**40):
        idx = np.full((40, 6), -1, dtype=np.int64)
        val = np.full((40, 6), -np.inf, dtype=np.float32)
        topk._select(rows, cols, vals, 40, n_cols, 6, idx, val)
        results.append((idx, val))
    np.testing.assert_array_equal(results[0][0], results[1][0])
    np.testing.assert_array_equal(results[0][1], results[1][1])
    # And both agree with sorting per row.
    for r in range(40):
        sel = rows == r
        order = np.lexsort((cols[sel], -vals[sel]))[:6]
        np.testing.assert_array_equal(results[0][0][r, : order.size], cols[sel][order])


def test_select_negative_zero_ties_with_zero():
    # BLAS does not seem to return -0.0 for a product, but if it does, -0.0 == 0.0 is a tie broken by index.
    rows = np.zeros(4, dtype=np.int64)
    cols = np.array([0, 1, 2, 3], dtype=np.int64)
    vals = np.array([-0.0, 0.0, -0.0, 0.5], dtype=np.float32)
    idx = np.full((1, 4), -1, dtype=np.int64)
    val = np.full((1, 4), -np.inf, dtype=np.float32)
    topk._select(rows, cols, vals, 1, 4, 4, idx, val)
    np.testing.assert_array_equal(idx, [[3, 0, 1, 2]])


def test_minus_infinite_threshold_is_no_threshold():
    # Exclusions are -inf in the score block: a -inf threshold must not let them through.
    rng = np.random.default_rng(31)
    x = clustered(rng, 400)
    g = rng.integers(0, 3, 400)
    expected = all_pairs_top_k(x, 10, groups=g)
    assert_same(all_pairs_top_k(x, 10, groups=g, threshold=-np.inf), expected)
    assert_same(all_pairs_top_k(x, 500, groups=g, threshold=-np.inf), all_pairs_top_k(x, 500, groups=g))
    assert_same(expected, brute_force(x, x, 10, query_ids=np.arange(400), query_groups=g, corpus_groups=g))


def test_input_validation():
    x = np.ones((3, 4), dtype=np.float32)
    with pytest.raises(ValueError, match="dimension"):
        top_k(x, np.ones((3, 5), dtype=np.float32))
    with pytest.raises(ValueError, match="k must be"):
        top_k(x, x, -1)
    with pytest.raises(ValueError, match="both"):
        top_k(x, x, 2, query_groups=np.zeros(3, dtype=np.int64))
    with pytest.raises(ValueError, match="query_ids"):
        top_k(x, x, 2, query_ids=np.array([0, 1, 3]))
    with pytest.raises(ValueError, match="length"):
        all_pairs_top_k(x, 2, groups=np.zeros(2, dtype=np.int64))
    with pytest.raises(TypeError, match="integers"):
        all_pairs_top_k(x, 2, groups=np.zeros(3))
    with pytest.raises(ValueError, match="NaN"):
        top_k(x, x, 2, threshold=float("nan"))
    with pytest.raises(ValueError, match="block"):
        top_k(x, x, 2, block=0)


# ---------------------------------------------------------------------------------------------------
# Property test: small integer-valued matrices (exact scores, frequent ties), every option at random.


@st.composite
def problems(draw):
    # Sizes and options come from hypothesis; the entries from a drawn seed (drawing thousands of entries one by
    # one through hypothesis is slow). Small integers: exact scores and frequent ties.
    d = draw(st.integers(1, 6))
    n_c = draw(st.integers(0, 600))
    n_q = draw(st.integers(0, 40))
    n_groups = draw(st.integers(1, 5))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    spread = draw(st.sampled_from([1, 2, 3]))
    c = rng.integers(-spread, spread + 1, size=(n_c, d)).astype(np.float32)
    mode = draw(st.sampled_from(["plain", "ids", "groups", "ids+groups", "all_pairs", "all_pairs+groups"]))
    q = c if mode.startswith("all_pairs") else rng.integers(-spread, spread + 1, size=(n_q, d)).astype(np.float32)
    return {
        "q": q,
        "c": c,
        "k": draw(st.integers(0, 30)),
        "mode": mode,
        "ids": rng.integers(0, n_c, q.shape[0]) if n_c else None,
        "qg": rng.integers(0, n_groups, q.shape[0]),
        "cg": rng.integers(0, n_groups, n_c),
        "block": draw(st.sampled_from([None, 1, 3, 17, 1000])),
        "threshold": draw(st.sampled_from([None, None, -1.0, 0.0, 1.0, 3.0])),
    }


@settings(max_examples=300, deadline=None)
@given(problems())
def test_property_matches_brute_force(p):
    q, c, k, mode, block, thr = p["q"], p["c"], p["k"], p["mode"], p["block"], p["threshold"]
    n_c = c.shape[0]
    if mode == "all_pairs":
        got = all_pairs_top_k(c, k, block=block, threshold=thr)
        expected = brute_force(c, c, k, query_ids=np.arange(n_c), threshold=thr)
    elif mode == "all_pairs+groups":
        got = all_pairs_top_k(c, k, groups=p["cg"], block=block, threshold=thr)
        expected = brute_force(
            c, c, k, query_ids=np.arange(n_c), query_groups=p["cg"], corpus_groups=p["cg"], threshold=thr
        )
    else:
        kwargs = {"threshold": thr}
        if "ids" in mode and p["ids"] is not None:
            kwargs["query_ids"] = p["ids"]
        if "groups" in mode:
            kwargs["query_groups"] = p["qg"]
            kwargs["corpus_groups"] = p["cg"]
        got = top_k(q, c, k, block=block, **kwargs)
        expected = brute_force(q, c, k, **kwargs)
    assert_same(got, expected)
