"""Unit and property tests of the cost–benefit and portfolio-scoring engine (pure Python, no database)."""

from __future__ import annotations

import math

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from aihq.evaluation.engine import (
    CRITERIA,
    DEFAULT_RATES,
    NOT_ENOUGH_DATA,
    OK,
    Appraisal,
    appraise,
    normalise,
    rank,
    sensitivity,
    weighted_score,
)

# --------------------------------------------------------------------------------------------------- pinned case

# The example worked by hand: an upfront cost of 100, then five years of 20 running costs against 60 benefits.
COSTS = [100, 20, 20, 20, 20, 20]
BENEFITS = [0, 60, 60, 60, 60, 60]
RATE = 0.05

# Annuity factor a = Σ_{t=1..5} 1.05^-t = (1 − 1.05^-5) / 0.05.
# 1.05^5 = 1.2762815625, 1 / 1.2762815625 = 0.7835261665, so a = 0.2164738335 / 0.05 = 4.32947667.
ANNUITY = (1 - 1.05**-5) / 0.05
# PV(costs) = 100 + 20 a = 100 + 86.5895 = 186.5895; PV(benefits) = 60 a = 259.7686.
PV_COSTS = 186.5895
PV_BENEFITS = 259.7686
# NPV = 259.7686 − 186.5895 = 73.1791 (= −100 + 40 a); BCR = 259.7686 / 186.5895 = 1.39219.
NPV = 73.1791
BCR = 1.39219


def npv_at(flows: list[float], rate: float) -> float:
    return sum(flow * (1 + rate) ** -t for t, flow in enumerate(flows))


def test_annuity_factor_by_hand():
    annuity = sum(1.05**-t for t in range(1, 6))
    assert annuity == pytest.approx(4.32947667, abs=1e-8)
    assert annuity == pytest.approx(ANNUITY, abs=1e-12)


def test_pinned_example():
    a = appraise(COSTS, BENEFITS, RATE)
    assert a.status == OK
    assert a.missing == ()
    assert a.rate == RATE
    assert a.horizon_years == 6
    assert a.pv_costs == pytest.approx(PV_COSTS, abs=1e-4)
    assert a.pv_benefits == pytest.approx(PV_BENEFITS, abs=1e-4)
    assert a.npv is not None
    assert a.npv == pytest.approx(NPV, abs=1e-4)
    assert round(a.npv, 2) == 73.18
    assert a.npv == pytest.approx(-100 + 40 * ANNUITY, abs=1e-9)
    assert a.bcr == pytest.approx(BCR, abs=1e-5)
    # ROI = (300 − 200) / 200 = 0.5 (undiscounted).
    assert a.roi == pytest.approx(0.5)
    # Cumulative net: −100, −60, −20, +20 … → 2 + 20 / 40 = 2.5 years.
    assert a.payback_years == pytest.approx(2.5)
    # IRR: 40 · a(r) = 100, a(r) = 2.5 → r ≈ 0.2865; the NPV at that rate is (close to) zero.
    assert a.irr is not None
    assert a.irr == pytest.approx(0.2865, abs=1e-4)
    assert npv_at([-100, 40, 40, 40, 40, 40], a.irr) == pytest.approx(0, abs=1e-9)
    assert npv_at([-100, 40, 40, 40, 40, 40], 0.2864) > 0
    assert npv_at([-100, 40, 40, 40, 40, 40], 0.2866) < 0
    assert a.cost_per_unit is None


def test_pinned_discounted_payback():
    # Discounted net: −100, 40/1.05 = 38.0952, 40/1.1025 = 36.2812, 40/1.157625 = 34.5535.
    # Cumulative: −100, −61.9048, −25.6236, +8.9299 → 2 + 25.6236 / 34.5535 = 2.7416 years.
    a = appraise(COSTS, BENEFITS, RATE)
    assert a.discounted_payback_years == pytest.approx(2.7416, abs=1e-4)
    assert a.payback_years is not None
    assert a.discounted_payback_years is not None
    assert a.discounted_payback_years > a.payback_years


def test_cost_per_unit():
    # PV(costs) / units = 186.5895 / 10.
    a = appraise(COSTS, BENEFITS, RATE, benefit_units=10)
    assert a.cost_per_unit == pytest.approx(18.65895, abs=1e-4)


@pytest.mark.parametrize("units", [None, 0, -5, math.nan, math.inf])
def test_cost_per_unit_none_without_positive_units(units):
    assert appraise(COSTS, BENEFITS, RATE, benefit_units=units).cost_per_unit is None


def test_zero_rate_is_undiscounted():
    a = appraise(COSTS, BENEFITS, 0.0)
    assert a.pv_costs == 200
    assert a.pv_benefits == 300
    assert a.npv == 100
    assert a.bcr == pytest.approx(1.5)
    assert a.discounted_payback_years == a.payback_years


def test_year_zero_is_not_discounted():
    a = appraise([100], [150], 0.5)
    assert a.pv_costs == 100
    assert a.pv_benefits == 150
    assert a.npv == 50


# --------------------------------------------------------------------------------------------------- missing data


def assert_all_figures_none(a: Appraisal) -> None:
    assert a.status == NOT_ENOUGH_DATA
    figures = (
        a.pv_costs,
        a.pv_benefits,
        a.npv,
        a.bcr,
        a.roi,
        a.payback_years,
        a.discounted_payback_years,
        a.cost_per_unit,
        a.irr,
    )
    assert figures == (None,) * len(figures)


def test_no_costs():
    a = appraise([0, 0, 0], BENEFITS, RATE, benefit_units=10)
    assert a.missing == ("costs",)
    assert_all_figures_none(a)


def test_no_benefits():
    a = appraise(COSTS, [0, 0], RATE)
    assert a.missing == ("benefits",)
    assert_all_figures_none(a)


def test_no_costs_nor_benefits():
    a = appraise([0], [0, 0], RATE)
    assert a.missing == ("costs", "benefits")
    assert_all_figures_none(a)


@pytest.mark.parametrize("rate", [-1.0, -1.5, math.nan, math.inf, -math.inf])
def test_unusable_rate(rate):
    a = appraise(COSTS, BENEFITS, rate)
    assert a.missing == ("rate",)
    assert_all_figures_none(a)


def test_empty_horizon():
    a = appraise([], [], RATE)
    assert "horizon" in a.missing
    assert a.missing == ("costs", "benefits", "horizon")
    assert a.horizon_years == 0
    assert_all_figures_none(a)


def test_rate_overflowing_over_a_long_horizon_is_not_enough_data():
    a = appraise([100] + [0] * 400, [0] * 400 + [1], -0.99)
    assert a.missing == ("rate",)
    assert_all_figures_none(a)


# --------------------------------------------------------------------------------------------------- inputs


def test_padding_with_zeros():
    short = appraise([100], [0, 60, 60], 0.1)
    padded = appraise([100, 0, 0], [0, 60, 60], 0.1)
    assert short == padded
    assert short.horizon_years == 3
    # 60/1.1 + 60/1.21 = 54.5455 + 49.5868 = 104.1322.
    assert short.pv_benefits == pytest.approx(104.1322, abs=1e-4)
    assert short.npv == pytest.approx(4.1322, abs=1e-4)


def test_padding_of_longer_costs():
    a = appraise([100, 10, 10, 10], [150], 0.0)
    assert a.pv_costs == 130
    assert a.npv == 20


@pytest.mark.parametrize(
    ("costs", "benefits", "match"),
    [
        ([100, -1], [0, 60], r"Cost in year 1 is negative"),
        ([100], [0, 60, -0.5], r"Benefit in year 2 is negative"),
        ([math.nan], [60], r"Cost in year 0 is not a number"),
        ([100], [0, math.nan], r"Benefit in year 1 is not a number"),
        ([100], [math.inf], r"Benefit in year 0 is infinite"),
    ],
)
def test_invalid_amounts_raise(costs, benefits, match):
    with pytest.raises(ValueError, match=match):
        appraise(costs, benefits, RATE)


def test_integers_and_floats_accepted():
    assert appraise((100, 20), (0.0, 150.0), 0.0).npv == 30


# --------------------------------------------------------------------------------------------------- payback


def test_payback_at_zero():
    a = appraise([50], [80, 10], RATE)
    assert a.payback_years == 0
    assert a.discounted_payback_years == 0


def test_payback_at_zero_when_exactly_even():
    assert appraise([50], [50, 10], RATE).payback_years == 0


def test_payback_never():
    # Net −100, +30, +30, +30: cumulative −10 at the end of the horizon.
    a = appraise([100], [0, 30, 30, 30], 0.0)
    assert a.payback_years is None
    assert a.discounted_payback_years is None
    assert a.npv == -10


def test_payback_recovered_undiscounted_but_not_discounted():
    # Undiscounted: −100, −50, 0 → 2 years exactly. Discounted at 10 %: 50/1.1 + 50/1.21 = 86.78 < 100.
    a = appraise([100], [0, 50, 50], 0.1)
    assert a.payback_years == pytest.approx(1 + 50 / 50)
    assert a.payback_years == 2
    assert a.discounted_payback_years is None


def test_payback_interpolated():
    # Cumulative −100, −70, −40, +50 → 2 + 40 / 90.
    a = appraise([100], [0, 30, 30, 90], 0.0)
    assert a.payback_years == pytest.approx(2 + 40 / 90)


def test_payback_is_first_crossing():
    # Cumulative −100, +20, −30, −10: recovered in year 1 (at 1 − 1 + 100/120), lost again afterwards.
    a = appraise([100, 0, 50, 0], [0, 120, 0, 20], 0.0)
    assert a.payback_years == pytest.approx(100 / 120)


# --------------------------------------------------------------------------------------------------- IRR


def test_irr_simple():
    # −100 now, +110 in a year: exactly 10 %.
    a = appraise([100], [0, 110], RATE)
    assert a.irr == pytest.approx(0.1, abs=1e-10)


def test_irr_none_without_sign_change():
    # Every net flow is non-negative: benefits arrive with or before the costs.
    a = appraise([10, 10], [20, 20], RATE)
    assert a.irr is None
    assert a.npv is not None
    assert a.npv > 0


def test_irr_none_when_benefits_never_outweigh_costs():
    # Net flows −100, −10, 0: no sign change.
    a = appraise([100, 20], [0, 10], RATE)
    assert a.irr is None


def test_irr_none_when_root_outside_interval():
    # −100, +2000: the IRR is 1900 %, above the searched interval (−0.99, 10).
    assert appraise([100], [0, 2000], RATE).irr is None


def test_irr_negative():
    # −100, +50: the IRR is −50 %.
    assert appraise([100], [0, 50], RATE).irr == pytest.approx(-0.5, abs=1e-10)


def test_irr_none_with_two_roots():
    # Net −100, +230, −132 = −100 (1+r)^-0 … roots at 1 + r = 1.1 and 1.2 (product 1.32, sum 2.3).
    assert npv_at([-100, 230, -132], 0.1) == pytest.approx(0, abs=1e-9)
    assert npv_at([-100, 230, -132], 0.2) == pytest.approx(0, abs=1e-9)
    assert appraise([100, 0, 132], [0, 230], RATE).irr is None


def test_irr_none_when_non_conventional_flows_have_no_root():
    # −100 + 250 x − 300 x² has a negative discriminant (62 500 − 120 000): no IRR at all.
    assert appraise([100, 0, 300], [0, 250], RATE).irr is None


def test_irr_non_conventional_with_one_root_in_interval():
    # −100 y² + 2110 y − 2200 = −100 (y − 1.1)(y − 20): roots at r = 0.1 and r = 19, only the first in range.
    a = appraise([100, 0, 2200], [0, 2110], RATE)
    assert a.irr == pytest.approx(0.1, abs=1e-9)


# --------------------------------------------------------------------------------------------------- sensitivity


def test_sensitivity_pinned():
    s = sensitivity(COSTS, BENEFITS, RATE)
    assert s.swing == 0.2
    # Benefits −20 %: −100 + (48 − 20) a = −100 + 28 × 4.32948 = 21.2253.
    assert s.benefits_down == pytest.approx(21.2253, abs=1e-4)
    assert s.benefits_down == pytest.approx(-100 + 28 * ANNUITY, abs=1e-9)
    # Benefits +20 %: −100 + (72 − 20) a = −100 + 52 × 4.32948 = 125.1328.
    assert s.benefits_up == pytest.approx(125.1328, abs=1e-4)
    # Costs −20 %: −80 + (60 − 16) a = −80 + 44 × 4.32948 = 110.4970.
    assert s.costs_down == pytest.approx(110.4970, abs=1e-4)
    # Costs +20 %: −120 + (60 − 24) a = −120 + 36 × 4.32948 = 35.8612.
    assert s.costs_up == pytest.approx(35.8612, abs=1e-4)
    # Switching values: 73.1791 / 259.7686 = 0.28171 and 73.1791 / 186.5895 = 0.39219 (= BCR − 1).
    assert s.switching_benefits == pytest.approx(0.28171, abs=1e-5)
    assert s.switching_costs == pytest.approx(0.39219, abs=1e-5)
    assert s.switching_costs == pytest.approx(BCR - 1, abs=1e-5)


def test_sensitivity_by_rate():
    s = sensitivity(COSTS, BENEFITS, RATE)
    assert [r for r, _ in s.by_rate] == list(DEFAULT_RATES)
    npvs = dict(s.by_rate)
    assert npvs[0.0] == pytest.approx(100)  # 300 − 200 undiscounted
    assert npvs[0.05] == pytest.approx(NPV, abs=1e-4)
    # At 10 %: −100 + 40 × 3.790787 = 51.6315.
    assert npvs[0.10] == pytest.approx(51.6315, abs=1e-4)
    values = [v for _, v in s.by_rate]
    assert values == sorted(values, reverse=True)  # type: ignore[type-var]


def test_switching_values_bring_npv_to_zero():
    s = sensitivity(COSTS, BENEFITS, RATE)
    assert s.switching_benefits is not None
    assert s.switching_costs is not None
    scaled_benefits = [b * (1 - s.switching_benefits) for b in BENEFITS]
    scaled_costs = [c * (1 + s.switching_costs) for c in COSTS]
    assert appraise(COSTS, scaled_benefits, RATE).npv == pytest.approx(0, abs=1e-9)
    assert appraise(scaled_costs, BENEFITS, RATE).npv == pytest.approx(0, abs=1e-9)


def test_switching_values_negative_when_npv_negative():
    s = sensitivity([100], [0, 30, 30, 30], 0.0)
    assert s.switching_benefits == pytest.approx(-10 / 90)
    assert s.switching_costs == pytest.approx(-10 / 100)


def test_sensitivity_full_swing_allowed():
    s = sensitivity(COSTS, BENEFITS, RATE, swing=1.0)
    assert s.benefits_down == pytest.approx(-PV_COSTS, abs=1e-4)
    assert s.costs_down == pytest.approx(PV_BENEFITS, abs=1e-4)


def test_sensitivity_custom_rates_with_an_unusable_rate():
    s = sensitivity(COSTS, BENEFITS, RATE, rates=(0.0, -1.0))
    assert [r for r, _ in s.by_rate] == [0.0, -1.0]
    assert s.by_rate[0][1] == pytest.approx(100)
    assert s.by_rate[1][1] is None


def test_sensitivity_not_enough_data():
    s = sensitivity([0, 0], BENEFITS, RATE, rates=(0.0, 0.05), swing=0.1)
    assert s.by_rate == ((0.0, None), (0.05, None))
    assert s.swing == 0.1
    figures = (
        s.benefits_down,
        s.benefits_up,
        s.costs_down,
        s.costs_up,
        s.switching_benefits,
        s.switching_costs,
    )
    assert figures == (None,) * 6


@pytest.mark.parametrize("swing", [-0.1, 1.01, math.nan])
def test_sensitivity_swing_validated(swing):
    with pytest.raises(ValueError, match="swing"):
        sensitivity(COSTS, BENEFITS, RATE, swing=swing)


def test_sensitivity_rejects_negative_amounts():
    with pytest.raises(ValueError, match="year 1"):
        sensitivity([100, -1], BENEFITS, RATE)


# --------------------------------------------------------------------------------------------------- normalise


def test_normalise_higher_is_better():
    assert normalise([10, 20, 30]) == [0.0, 0.5, 1.0]


def test_normalise_lower_is_better():
    assert normalise([10, 20, 30], higher_is_better=False) == [1.0, 0.5, 0.0]


def test_normalise_keeps_none():
    assert normalise([None, 4, None, 2]) == [None, 1.0, None, 0.0]


def test_normalise_ties():
    assert normalise([7, None, 7]) == [0.5, None, 0.5]
    assert normalise([7], higher_is_better=False) == [0.5]


def test_normalise_all_none_and_empty():
    assert normalise([None, None]) == [None, None]
    assert normalise([]) == []


def test_normalise_rejects_nan():
    with pytest.raises(ValueError, match="Value 1"):
        normalise([1.0, math.nan])


# --------------------------------------------------------------------------------------------------- weighted score


def test_weighted_score_all_present():
    # (2 × 1.0 + 1 × 0.4 + 1 × 0.0) / 4 = 0.6 → 60.0
    assert weighted_score({"value": 1.0, "fit": 0.4, "risk": 0.0}, {"value": 2, "fit": 1, "risk": 1}) == 60.0


def test_weighted_score_renormalises_over_present():
    # risk unknown: (2 × 1.0 + 1 × 0.4) / 3 = 0.8 → 80.0
    assert weighted_score({"value": 1.0, "fit": 0.4, "risk": None}, {"value": 2, "fit": 1, "risk": 1}) == 80.0


def test_weighted_score_ignores_zero_weights_and_unweighted_components():
    assert weighted_score({"value": 0.25, "fit": 1.0, "cost": 0.0}, {"value": 1, "fit": 0}) == 25.0


def test_weighted_score_rounds_to_one_decimal():
    # (1/3) × 100 = 33.33… → 33.3
    assert weighted_score({"value": 1.0, "fit": 0.0, "risk": 0.0}, {"value": 1, "fit": 1, "risk": 1}) == 33.3


def test_weighted_score_none():
    assert weighted_score({"value": None, "fit": None}, {"value": 1, "fit": 1}) is None
    assert weighted_score({"value": 0.5}, {"value": 0}) is None
    assert weighted_score({}, {}) is None


def test_weighted_score_rejects_negative_weight():
    with pytest.raises(ValueError, match="'risk'"):
        weighted_score({"value": 0.5}, {"value": 1, "risk": -1})


def test_weighted_score_rejects_unnormalised_component():
    with pytest.raises(ValueError, match="'value'"):
        weighted_score({"value": 1.5}, {"value": 1})


# --------------------------------------------------------------------------------------------------- rank

EQUAL = dict.fromkeys(CRITERIA, 1.0)


def test_rank_orders_by_score_with_directions():
    items = {
        "a": {"value": 100, "fit": 1, "risk": 5, "readiness": 1, "cost": 50},  # worst on everything
        "b": {"value": 300, "fit": 3, "risk": 1, "readiness": 3, "cost": 10},  # best on everything
        "c": {"value": 200, "fit": 2, "risk": 3, "readiness": 2, "cost": 30},  # middle
    }
    ranked = rank(items, EQUAL)
    assert [r.key for r in ranked] == ["b", "c", "a"]
    assert [r.score for r in ranked] == [100.0, 50.0, 0.0]
    # Risk and cost are reversed: the lowest risk and cost normalise to 1.
    assert ranked[0].components == dict.fromkeys(CRITERIA, 1.0)
    assert ranked[-1].components == dict.fromkeys(CRITERIA, 0.0)


def test_rank_cost_counts_against():
    items = {"cheap": {"cost": 10}, "dear": {"cost": 90}}
    ranked = rank(items, {"cost": 1})
    assert [(r.key, r.score) for r in ranked] == [("cheap", 100.0), ("dear", 0.0)]


def test_rank_ties_broken_by_key():
    items = {"z": {"value": 5}, "m": {"value": 5}, "a": {"value": 5}, "top": {"value": 9}}
    ranked = rank(items, {"value": 1})
    assert [r.key for r in ranked] == ["top", "a", "m", "z"]


def test_rank_none_scores_last():
    items: dict[int, dict[str, float | None]] = {
        1: {"value": None, "fit": None},
        2: {"value": 1, "fit": 2},
        3: {"value": 3, "fit": None},
        0: {},
    }
    ranked = rank(items, {"value": 1, "fit": 1})
    # 3: value 1.0 alone → 100; 2: value 0.0, fit 0.5 (only one fit known) → 25; 0 and 1 unknown, by key.
    assert [(r.key, r.score) for r in ranked] == [(3, 100.0), (2, 25.0), (0, None), (1, None)]
    assert ranked[-1].components == dict.fromkeys(CRITERIA)


def test_rank_weights_matter():
    items = {"valuable": {"value": 10, "risk": 9}, "safe": {"value": 1, "risk": 1}}
    assert rank(items, {"value": 3, "risk": 1})[0].key == "valuable"
    assert rank(items, {"value": 1, "risk": 3})[0].key == "safe"


def test_rank_is_deterministic_whatever_the_input_order():
    items = {"b": {"value": 2}, "a": {"value": 2}, "c": {"value": 1}}
    reversed_items = dict(reversed(list(items.items())))
    assert rank(items, {"value": 1}) == rank(reversed_items, {"value": 1})


def test_rank_empty():
    assert rank({}, EQUAL) == []


def test_rank_rejects_unknown_criteria():
    with pytest.raises(ValueError, match="valeu"):
        rank({"a": {"valeu": 1}}, EQUAL)
    with pytest.raises(ValueError, match="benefit"):
        rank({"a": {"value": 1}}, {"benefit": 1})


def test_rank_rejects_negative_weight():
    with pytest.raises(ValueError, match="'fit'"):
        rank({"a": {"value": 1}}, {"value": 1, "fit": -0.5})


# --------------------------------------------------------------------------------------------------- properties

amounts = st.floats(min_value=0, max_value=1e6, allow_nan=False, allow_infinity=False)
rates = st.floats(min_value=-0.5, max_value=2.0, allow_nan=False, allow_infinity=False)


@settings(max_examples=200, deadline=None)
@given(
    upfront=st.floats(min_value=1, max_value=1e6),
    net=st.lists(amounts, min_size=1, max_size=25),
    noise=st.lists(amounts, min_size=0, max_size=25),
    r1=rates,
    r2=rates,
)
def test_npv_decreasing_in_rate_for_conventional_flows(upfront, net, noise, r1, r2):
    """A cost at t = 0 followed by non-negative net flows: a higher rate never raises the NPV."""
    noise = (noise + [0.0] * len(net))[: len(net)]
    costs = [upfront, *noise]
    benefits = [0.0, *(n + x for n, x in zip(net, noise, strict=True))]
    assume(any(b > 0 for b in benefits))  # after the noise is cut to the horizon
    low, high = sorted((r1, r2))
    a_low, a_high = appraise(costs, benefits, low), appraise(costs, benefits, high)
    assert a_low.npv is not None
    assert a_high.npv is not None
    scale = upfront + sum(benefits) * 2 ** len(benefits)
    assert a_high.npv <= a_low.npv + 1e-12 * scale


@settings(max_examples=200, deadline=None)
@given(
    costs=st.lists(amounts, max_size=20),
    benefits=st.lists(amounts, max_size=20),
    rate=rates,
)
def test_npv_is_pv_benefits_minus_pv_costs(costs, benefits, rate):
    a = appraise(costs, benefits, rate)
    if a.status == NOT_ENOUGH_DATA:
        assert a.npv is None
        assert a.missing
        return
    assert a.pv_costs is not None
    assert a.pv_benefits is not None
    assert a.npv == a.pv_benefits - a.pv_costs
    assert a.bcr == pytest.approx(a.pv_benefits / a.pv_costs)
    assert (a.npv > 0) == (a.bcr is not None and a.bcr > 1)


@settings(max_examples=200, deadline=None)
@given(
    upfront=st.floats(min_value=1, max_value=1e6),
    net=st.lists(st.floats(min_value=0, max_value=1e6), min_size=1, max_size=15),
)
def test_irr_is_a_root_of_the_npv(upfront, net):
    """For conventional flows, the IRR (when in range) zeroes the NPV and separates positive from negative NPVs."""
    assume(sum(net) > 1e-6 * upfront)
    flows = [-upfront, *net]
    a = appraise([upfront], [0.0, *net], 0.0)
    if a.irr is None:
        return
    assert -0.99 < a.irr < 10
    scale = upfront + sum(net)
    growth = 1 + a.irr
    # The NPV times (1 + irr)^n when the rate is negative, so that the check stays bounded.
    weight = growth ** (len(flows) - 1) if growth < 1 else 1.0
    assert abs(npv_at(flows, a.irr) * weight) <= 1e-8 * scale
