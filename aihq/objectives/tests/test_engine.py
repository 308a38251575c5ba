"""Unit and property tests of the fulfilment engine (pure numpy/scipy, no database)."""

from __future__ import annotations

import datetime as dt
import math

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from scipy import stats

from aihq.objectives import engine
from aihq.objectives.engine import (
    RAG_ORDER,
    Plan,
    achievement,
    batch_status,
    day_number,
    fit_groups,
    gap,
    planned,
    predict,
    probability_of_meeting,
    rag_codes,
    rag_for,
    rag_ratio,
    status,
)

D = day_number


def ymd(year: int, month: int, day: int) -> float:
    return float(day_number(dt.date(year, month, day)))


# --------------------------------------------------------------------------------------------------- pinned case


PINNED_DAYS = [ymd(2022, 12, 31), ymd(2023, 12, 31), ymd(2024, 12, 31)]
PINNED_VALUES = [12.0, 20.0, 30.0]
PINNED_PLAN = Plan.from_points([(dt.date(2022, 12, 31), 12), (dt.date(2030, 12, 31), 95)])


def test_pinned_case() -> None:
    at = ymd(2024, 12, 31)
    final = ymd(2030, 12, 31)
    result = status(PINNED_PLAN, "increase", PINNED_DAYS, PINNED_VALUES, at)

    # Independent expectations: interpolation by hand, numpy.polyfit and scipy's t distribution.
    expected_planned = 12 + (95 - 12) * (at - PINNED_DAYS[0]) / (final - PINNED_DAYS[0])
    slope, intercept = np.polyfit(PINNED_DAYS, PINNED_VALUES, 1)
    expected_forecast = intercept + slope * final
    t = np.asarray(PINNED_DAYS)
    residuals = np.asarray(PINNED_VALUES) - (intercept + slope * t)
    sigma = math.sqrt(float(residuals @ residuals) / (len(t) - 2))
    scale = sigma * math.sqrt(1 + 1 / len(t) + (final - t.mean()) ** 2 / float(((t - t.mean()) ** 2).sum()))
    half = stats.t.ppf(0.9, len(t) - 2) * scale
    expected_probability = stats.t.sf((95 - expected_forecast) / scale, len(t) - 2)

    assert expected_planned == pytest.approx(32.76, abs=0.01)
    assert result.planned == pytest.approx(32.76, abs=0.01)
    assert result.planned == pytest.approx(expected_planned, rel=1e-12)
    assert result.actual == 30.0
    assert result.actual_at == at
    assert result.achievement == pytest.approx(0.916, abs=0.001)
    assert result.achievement == pytest.approx(30 / expected_planned, rel=1e-12)
    assert result.gap == pytest.approx(30 - expected_planned, rel=1e-12)
    assert result.target == 95.0
    assert result.target_at == final
    assert result.n_points == 3

    assert result.forecast is not None
    assert result.forecast.date == dt.date(2030, 12, 31)
    assert result.forecast.value == pytest.approx(83.6, abs=0.05)
    assert result.forecast.value == pytest.approx(expected_forecast, rel=1e-9)
    assert result.forecast.low < result.forecast.value < result.forecast.high
    assert result.forecast.low == pytest.approx(expected_forecast - half, rel=1e-9)
    assert result.forecast.high == pytest.approx(expected_forecast + half, rel=1e-9)
    assert result.forecasts == (result.forecast,)
    assert result.probability == pytest.approx(expected_probability, rel=1e-9)
    assert result.ratio == pytest.approx(expected_forecast / 95, rel=1e-9)
    assert result.rag == "amber_red"


def test_pinned_case_batch_agrees() -> None:
    at = ymd(2024, 12, 31)
    batch = batch_status([PINNED_PLAN], ["increase"], [0], [0, 0, 0], PINNED_DAYS, PINNED_VALUES, at)
    assert batch.planned[0] == pytest.approx(32.7642, abs=1e-4)
    assert batch.forecast.value[0] == pytest.approx(83.6247, abs=1e-4)
    assert RAG_ORDER[batch.rag[0]] == "amber_red"


def test_day_number_round_trip() -> None:
    assert D(dt.date(1970, 1, 1)) == 0
    assert D(dt.date(2024, 12, 31)) - D(dt.date(2023, 12, 31)) == 366
    assert engine.from_day_number(D(dt.date(2030, 12, 31))) == dt.date(2030, 12, 31)


# --------------------------------------------------------------------------------------------------- plan


def test_planned_linear_interpolates_in_days() -> None:
    plan = Plan((100.0, 200.0), (10.0, 30.0))
    assert planned(plan, [100, 125, 150, 199, 200]).tolist() == pytest.approx([10, 15, 20, 29.8, 30])


def test_planned_linear_uses_calendar_days_not_years() -> None:
    # 2024 is a leap year: half-way in days is not half-way in years.
    plan = Plan.from_points([(dt.date(2023, 12, 31), 0.0), (dt.date(2025, 12, 31), 731.0)])
    assert planned(plan, ymd(2024, 12, 31))[0] == pytest.approx(366.0)


def test_planned_after_last_target_is_last_target_and_before_first_is_nan() -> None:
    for shape in ("linear", "step"):
        plan = Plan((100.0, 200.0, 300.0), (10.0, 30.0, 20.0), shape)
        out = planned(plan, [99.0, 99.999, 300.0, 301.0, 10_000.0])
        assert np.isnan(out[0])
        assert np.isnan(out[1])
        assert out[2:].tolist() == [20.0, 20.0, 20.0]


def test_planned_step_holds_previous_point_until_next_date() -> None:
    plan = Plan((100.0, 200.0, 300.0), (10.0, 30.0, 20.0), "step")
    days = [100.0, 150.0, 199.999, 200.0, 250.0, 299.0, 300.0]
    assert planned(plan, days).tolist() == [10.0, 10.0, 10.0, 30.0, 30.0, 30.0, 20.0]


def test_planned_multi_target_linear() -> None:
    plan = Plan.from_points(
        [
            (dt.date(2030, 12, 31), 100.0),
            (dt.date(2022, 12, 31), 0.0),  # baseline, given out of order
            (dt.date(2024, 12, 31), 50.0),
        ]
    )
    assert plan.days == (ymd(2022, 12, 31), ymd(2024, 12, 31), ymd(2030, 12, 31))
    mid_first = ymd(2022, 12, 31) + (ymd(2024, 12, 31) - ymd(2022, 12, 31)) / 2
    mid_second = ymd(2024, 12, 31) + (ymd(2030, 12, 31) - ymd(2024, 12, 31)) / 4
    out = planned(plan, [ymd(2022, 12, 31), mid_first, ymd(2024, 12, 31), mid_second, ymd(2030, 12, 31)])
    assert out.tolist() == pytest.approx([0.0, 25.0, 50.0, 62.5, 100.0])
    # The value at each target's own date is that target, exactly.
    assert planned(plan, list(plan.days)).tolist() == list(plan.values)


def test_planned_scalar_gives_one_element_array() -> None:
    out = planned(Plan((0.0,), (5.0,)), 10.0)
    assert out.shape == (1,)
    assert out[0] == 5.0


def test_plan_targets_after() -> None:
    plan = Plan((0.0, 10.0, 20.0), (1.0, 2.0, 3.0))
    assert plan.targets_after(10.0) == [(20.0, 3.0)]
    assert plan.targets_after(-1.0) == [(0.0, 1.0), (10.0, 2.0), (20.0, 3.0)]
    assert plan.targets_after(20.0) == []
    assert (plan.final_day, plan.final_value) == (20.0, 3.0)


def test_plan_refuses_duplicate_dates() -> None:
    with pytest.raises(ValueError, match="strictly increasing"):
        Plan.from_points([(dt.date(2024, 1, 1), 1.0), (dt.date(2024, 1, 1), 2.0)])
    with pytest.raises(ValueError, match="strictly increasing"):
        Plan((1.0, 1.0), (1.0, 2.0))


def test_plan_refuses_unsorted_dates() -> None:
    with pytest.raises(ValueError, match="strictly increasing"):
        Plan((2.0, 1.0), (1.0, 2.0))


@pytest.mark.parametrize(
    ("days", "values", "shape"),
    [((), (), "linear"), ((1.0, 2.0), (1.0,), "linear"), ((1.0,), (1.0,), "quadratic")],
)
def test_plan_refuses_malformed(days, values, shape) -> None:
    with pytest.raises(ValueError):  # noqa: PT011 - the message varies with the fault
        Plan(days, values, shape)


# --------------------------------------------------------------------------------------------------- achievement, gap


def test_achievement_and_gap_increase() -> None:
    assert achievement(30.0, 40.0, "increase").item() == 0.75
    assert gap(30.0, 40.0, "increase").item() == -10.0
    assert gap(50.0, 40.0, "increase").item() == 10.0


def test_achievement_and_gap_decrease() -> None:
    # Lower is better: 30 against a plan of 40 is ahead of plan.
    assert achievement(30.0, 40.0, "decrease").item() == pytest.approx(40 / 30)
    assert gap(30.0, 40.0, "decrease").item() == 10.0
    assert achievement(50.0, 40.0, "decrease").item() == 0.8
    assert gap(50.0, 40.0, "decrease").item() == -10.0


@pytest.mark.parametrize("direction", ["increase", "decrease"])
def test_achievement_zero_handling(direction) -> None:
    assert achievement(0.0, 0.0, direction).item() == 1.0
    # x / 0 is undefined, whichever side the zero is on for the direction.
    zero_denominator = (5.0, 0.0) if direction == "increase" else (0.0, 5.0)
    assert np.isnan(achievement(*zero_denominator, direction).item())
    zero_numerator = (0.0, 5.0) if direction == "increase" else (5.0, 0.0)
    assert achievement(*zero_numerator, direction).item() == 0.0


@pytest.mark.parametrize("direction", ["increase", "decrease"])
@pytest.mark.parametrize(("actual", "plan_value"), [(np.nan, 5.0), (5.0, np.nan), (np.nan, 0.0), (0.0, np.nan)])
def test_nan_inputs_give_nan(direction, actual, plan_value) -> None:
    assert np.isnan(achievement(actual, plan_value, direction).item())
    assert np.isnan(gap(actual, plan_value, direction).item())


def test_achievement_is_judged_against_the_plan_on_the_actual_date() -> None:
    plan = Plan((0.0, 100.0), (0.0, 100.0))
    days, values = [0.0, 25.0, 50.0], [0.0, 25.0, 50.0]
    result = status(plan, "increase", days, values, 75.0)
    assert result.planned == 75.0
    assert result.actual_at == 50.0
    assert result.planned_at_actual == 50.0
    assert result.achievement == 1.0
    assert result.gap == 0.0
    batch = batch_status([plan], ["increase"], [0], [0, 0, 0], days, values, 75.0)
    assert batch.planned[0] == 75.0
    assert batch.planned_at_actual[0] == 50.0
    assert batch.achievement[0] == 1.0


@pytest.mark.parametrize(
    "plan", [Plan((0.0, 10.0), (1.0, 2.0), "step"), Plan((0.0,), (1.0,)), Plan((0.0, 10.0), (1.0, 2.0))]
)
def test_batch_planned_at_actual_is_nan_without_measurements(plan) -> None:
    # Regression: planned() used to map a NaN day to a value for step and one-point plans.
    assert np.isnan(planned(plan, np.nan)).all()
    assert status(plan, "increase", [], [], 5.0).planned_at_actual is None
    batch = batch_status([plan], ["increase"], [0, 0], [0, 0, 0], [1.0, 2.0, 3.0], [1.0, 2.0, 3.0], 5.0)
    assert np.isnan(batch.actual_at[1])
    assert np.isnan(batch.planned_at_actual[1])


def test_achievement_vectorised() -> None:
    out = achievement([0.0, 3.0, 0.0, 6.0], [0.0, 0.0, 2.0, 3.0], "increase")
    assert out[0] == 1.0
    assert np.isnan(out[1])
    assert out[2:].tolist() == [0.0, 2.0]


def test_status_uses_decrease_definitions() -> None:
    plan = Plan((0.0, 100.0), (100.0, 50.0))
    result = status(plan, "decrease", [0.0, 25.0, 50.0], [100.0, 90.0, 70.0], 50.0)
    assert result.planned == 75.0
    assert result.achievement == pytest.approx(75 / 70)
    assert result.gap == 5.0


# --------------------------------------------------------------------------------------------------- forecast


@pytest.mark.parametrize("n", [0, 1, 2])
def test_fewer_than_three_points_give_no_forecast(n) -> None:
    days, values = PINNED_DAYS[:n], PINNED_VALUES[:n]
    result = status(PINNED_PLAN, "increase", days, values, ymd(2024, 12, 31))
    assert result.forecast is None
    assert result.forecasts == ()
    assert result.probability is None
    assert result.ratio is None
    assert result.rag == "insufficient_data"
    assert result.n_points == n
    if n:
        assert result.actual == values[-1]
    else:
        assert result.actual is None
        assert result.achievement is None
    assert not fit_groups(np.zeros(n, dtype=np.intp), days, values, 1).usable[0]


def test_all_points_on_one_day_give_no_forecast() -> None:
    day = ymd(2024, 12, 31)
    result = status(PINNED_PLAN, "increase", [day] * 4, [1.0, 2.0, 3.0, 4.0], day)
    assert result.forecast is None
    assert result.rag == "insufficient_data"
    assert result.n_points == 4
    assert result.actual == 4.0  # the last reported on the latest day
    fits = fit_groups([0, 0, 0, 0], [day] * 4, [1.0, 2.0, 3.0, 4.0], 1)
    assert not fits.usable[0]
    assert np.isnan(predict(fits, day + 100).value[0])


def test_no_plan_gives_no_forecast() -> None:
    result = status(None, "increase", PINNED_DAYS, PINNED_VALUES, ymd(2024, 12, 31))
    assert result.planned is None
    assert result.actual == 30.0
    assert result.forecast is None
    assert result.rag == "insufficient_data"


def test_perfectly_linear_series_increase() -> None:
    plan = Plan((0.0, 400.0), (0.0, 100.0))
    # value = 10 + day / 4 exactly: the forecast at day 400 is 110.
    result = status(plan, "increase", [0.0, 100.0, 200.0, 300.0], [10.0, 35.0, 60.0, 85.0], 300.0)
    assert result.forecast is not None
    assert result.forecast.value == 110.0
    assert result.forecast.low == result.forecast.high == 110.0
    assert result.probability == 1.0
    assert result.rag == "green"

    behind = status(plan, "increase", [0.0, 100.0, 200.0, 300.0], [0.0, 20.0, 40.0, 60.0], 300.0)
    assert behind.forecast is not None
    assert behind.forecast.value == 80.0
    assert behind.forecast.low == behind.forecast.high
    assert behind.probability == 0.0
    assert behind.rag == "amber_red"


def test_perfectly_linear_series_decrease_and_exactly_on_target() -> None:
    plan = Plan((0.0, 400.0), (100.0, 20.0))
    on_target = status(plan, "decrease", [0.0, 100.0, 200.0], [100.0, 80.0, 60.0], 200.0)
    assert on_target.forecast is not None
    assert on_target.forecast.value == 20.0
    assert on_target.forecast.low == on_target.forecast.high
    assert on_target.probability == 1.0  # exactly on target counts as met
    assert on_target.rag == "green"

    behind = status(plan, "decrease", [0.0, 100.0, 200.0], [100.0, 90.0, 80.0], 200.0)
    assert behind.forecast is not None
    assert behind.forecast.value == 60.0
    assert behind.probability == 0.0
    assert behind.rag == "red"  # 20 / 60


def test_last_k_uses_only_the_last_points() -> None:
    # Flat for a long time, then a steep linear rise: the last 3 points alone are a perfect line.
    days = [0.0, 100.0, 200.0, 300.0, 400.0, 500.0]
    values = [5.0, 5.0, 5.0, 10.0, 20.0, 30.0]
    plan = Plan((0.0, 600.0), (0.0, 40.0))
    recent = status(plan, "increase", days, values, 500.0, last_k=3)
    assert recent.n_points == 3
    assert recent.forecast is not None
    assert recent.forecast.value == pytest.approx(40.0)
    assert recent.forecast.high - recent.forecast.low == pytest.approx(0.0, abs=1e-9)

    everything = status(plan, "increase", days, values, 500.0)
    slope, intercept = np.polyfit(days, values, 1)
    assert everything.n_points == 6
    assert everything.forecast is not None
    assert everything.forecast.value == pytest.approx(intercept + slope * 600.0)
    # The order of the measurements does not matter: "last" means latest in time.
    shuffled = status(plan, "increase", days[::-1], values[::-1], 500.0, last_k=3)
    assert shuffled.forecast == recent.forecast


def test_measurements_after_at_are_ignored() -> None:
    at = ymd(2024, 12, 31)
    later_days = [*PINNED_DAYS, ymd(2025, 6, 30), ymd(2025, 12, 31)]
    later_values = [*PINNED_VALUES, 1000.0, -1000.0]
    with_future = status(PINNED_PLAN, "increase", later_days, later_values, at)
    without = status(PINNED_PLAN, "increase", PINNED_DAYS, PINNED_VALUES, at)
    assert with_future == without
    assert with_future.actual == 30.0
    assert with_future.n_points == 3


def test_nan_measurements_are_ignored() -> None:
    at = ymd(2024, 12, 31)
    with_gap = status(PINNED_PLAN, "increase", [*PINNED_DAYS, ymd(2024, 12, 31)], [12.0, 20.0, 30.0, np.nan], at)
    assert with_gap == status(PINNED_PLAN, "increase", PINNED_DAYS, PINNED_VALUES, at)


def test_forecasts_for_each_target_ahead() -> None:
    plan = Plan((0.0, 500.0, 1000.0), (0.0, 60.0, 100.0))
    days, values = [0.0, 100.0, 200.0, 300.0], [1.0, 9.0, 22.0, 31.0]
    result = status(plan, "increase", days, values, 300.0)
    slope, intercept = np.polyfit(days, values, 1)
    assert [f.at for f in result.forecasts] == [500.0, 1000.0]
    assert [f.value for f in result.forecasts] == pytest.approx([intercept + slope * 500, intercept + slope * 1000])
    assert result.forecast == result.forecasts[-1]
    # Past the last target, the final target is still forecast.
    late = status(plan, "increase", days, values, 1200.0)
    assert [f.at for f in late.forecasts] == [1000.0]


def test_predict_refuses_bad_level() -> None:
    fits = fit_groups([0, 0, 0], [0.0, 1.0, 2.0], [0.0, 1.0, 3.0], 1)
    for level in (0.0, 1.0, -0.5, 1.5):
        with pytest.raises(ValueError, match="between 0 and 1"):
            predict(fits, 5.0, level)


def test_predict_matches_textbook_interval_at_95_percent() -> None:
    days = np.array([0.0, 30.0, 70.0, 100.0, 160.0])
    values = np.array([3.0, 4.5, 4.0, 7.5, 9.0])
    fits = fit_groups(np.zeros(5, dtype=np.intp), days, values, 1)
    out = predict(fits, 250.0, 0.95)
    slope, intercept = np.polyfit(days, values, 1)
    residual_sd = math.sqrt(float(((values - (intercept + slope * days)) ** 2).sum()) / 3)
    se = residual_sd * math.sqrt(1 + 1 / 5 + (250 - days.mean()) ** 2 / float(((days - days.mean()) ** 2).sum()))
    assert out.value[0] == pytest.approx(intercept + slope * 250)
    assert out.scale[0] == pytest.approx(se)
    assert out.high[0] - out.value[0] == pytest.approx(stats.t.ppf(0.975, 3) * se)
    assert out.dof[0] == 3


# --------------------------------------------------------------------------------------------------- probability


def _noisy_fits():
    days = np.array([0.0, 100.0, 200.0, 300.0, 400.0])
    values = np.array([10.0, 18.0, 33.0, 38.0, 52.0])
    return fit_groups(np.zeros(5, dtype=np.intp), days, values, 1)


def test_probability_increase_and_decrease_are_complementary() -> None:
    fits = _noisy_fits()
    prediction = predict(fits, 800.0)
    target = 90.0
    z = (target - prediction.value[0]) / prediction.scale[0]
    up = probability_of_meeting(prediction, target, "increase")[0]
    down = probability_of_meeting(prediction, target, "decrease")[0]
    assert up == pytest.approx(stats.t.sf(z, 3), rel=1e-12)
    assert down == pytest.approx(stats.t.cdf(z, 3), rel=1e-12)  # P(value ≤ target)
    assert up + down == pytest.approx(1.0)
    # Forecast above the target: likely met when increasing, unlikely when decreasing.
    assert prediction.value[0] > target
    assert up > 0.5 > down


def test_probability_is_one_half_on_target_with_nonzero_scale() -> None:
    prediction = predict(_noisy_fits(), 800.0)
    assert prediction.scale[0] > 0
    on_target = prediction.value[0]
    for direction in ("increase", "decrease"):
        assert probability_of_meeting(prediction, on_target, direction)[0] == 0.5


def test_probability_nan_without_forecast_or_target() -> None:
    prediction = predict(_noisy_fits(), 800.0)
    assert np.isnan(probability_of_meeting(prediction, np.nan, "increase")[0])
    none = predict(fit_groups([0, 0], [0.0, 1.0], [1.0, 2.0], 1), 5.0)
    assert np.isnan(probability_of_meeting(none, 3.0, "decrease")[0])


def test_probability_in_status_uses_decrease() -> None:
    plan = Plan((0.0, 800.0), (60.0, 20.0))
    days, values = [0.0, 100.0, 200.0, 300.0, 400.0], [60.0, 52.0, 47.0, 37.0, 31.0]
    result = status(plan, "decrease", days, values, 400.0)
    slope, intercept = np.polyfit(days, values, 1)
    residual_sd = math.sqrt(float(((np.array(values) - (intercept + slope * np.array(days))) ** 2).sum()) / 3)
    se = residual_sd * math.sqrt(1 + 1 / 5 + (800 - 200) ** 2 / 100_000)
    assert result.probability == pytest.approx(stats.t.cdf((20 - (intercept + slope * 800)) / se, 3))
    assert result.ratio == pytest.approx(20 / (intercept + slope * 800))


# --------------------------------------------------------------------------------------------------- RAG


@pytest.mark.parametrize(
    ("ratio", "rating"),
    [
        (1.0, "green"),
        (1.5, "green"),
        (math.nextafter(1.0, 0), "amber_green"),
        (0.9, "amber_green"),
        (math.nextafter(0.9, 0), "amber_red"),
        (0.75, "amber_red"),
        (math.nextafter(0.75, 0), "red"),
        (0.0, "red"),
        (-2.0, "red"),
        (np.nan, "insufficient_data"),
    ],
)
def test_rag_thresholds(ratio, rating) -> None:
    assert rag_for(ratio) == rating
    assert RAG_ORDER[int(rag_codes([ratio])[0])] == rating


@pytest.mark.parametrize(
    ("forecast", "target", "direction", "rating"),
    [
        (100.0, 100.0, "increase", "green"),
        (90.0, 100.0, "increase", "amber_green"),
        (75.0, 100.0, "increase", "amber_red"),
        (74.9, 100.0, "increase", "red"),
        (89.9, 100.0, "increase", "amber_red"),
        (100.0, 100.0, "decrease", "green"),
        (100.0, 90.0, "decrease", "amber_green"),  # 90 / 100
        (100.0, 75.0, "decrease", "amber_red"),  # 75 / 100
        (100.0, 74.9, "decrease", "red"),
        (80.0, 100.0, "decrease", "green"),  # below the target is better
        (0.0, 0.0, "increase", "green"),
        (5.0, 0.0, "increase", "green"),  # a target of zero, passed
        (-5.0, 0.0, "increase", "red"),  # a target of zero, missed
        (-150.0, 10.0, "decrease", "green"),  # forecast to fall below zero: met, though target / forecast < 0
        (-5.0, 0.0, "decrease", "green"),
        (5.0, 0.0, "decrease", "red"),
        (-20.0, -10.0, "decrease", "green"),  # negative target and forecast: met
        (-5.0, -10.0, "decrease", "red"),  # ... and missed, though target / forecast = 2
    ],
)
def test_rag_ratio_boundaries_both_directions(forecast, target, direction, rating) -> None:
    assert rag_for(float(rag_ratio(forecast, target, direction))) == rating


@pytest.mark.parametrize(
    ("values", "target", "direction", "forecast", "rating"),
    [
        # Exact lines on days 0, 128, 256 (dyadic slopes, so no rounding), forecast at day 512.
        ([10.0, 32.5, 55.0], 100.0, "increase", 100.0, "green"),
        ([10.0, 30.0, 50.0], 100.0, "increase", 90.0, "amber_green"),
        ([10.0, 26.25, 42.5], 100.0, "increase", 75.0, "amber_red"),
        ([160.0, 145.0, 130.0], 100.0, "decrease", 100.0, "green"),
        ([160.0, 145.0, 130.0], 90.0, "decrease", 100.0, "amber_green"),
        ([160.0, 145.0, 130.0], 75.0, "decrease", 100.0, "amber_red"),
        ([160.0, 145.0, 130.0], 74.0, "decrease", 100.0, "red"),
    ],
)
def test_rag_boundaries_through_status(values, target, direction, forecast, rating) -> None:
    plan = Plan((0.0, 512.0), (values[0], target))
    result = status(plan, direction, [0.0, 128.0, 256.0], values, 256.0)
    assert result.forecast is not None
    assert result.forecast.value == forecast
    assert result.forecast.low == result.forecast.high == forecast
    assert result.rag == rating
    batch = batch_status([plan], [direction], [0], [0, 0, 0], [0.0, 128.0, 256.0], values, 256.0)
    assert RAG_ORDER[batch.rag[0]] == rating


# --------------------------------------------------------------------------------------------------- properties

VALUE = st.floats(-1e6, 1e6, allow_nan=False, allow_infinity=False, allow_subnormal=False)
DAY = st.integers(18_000, 25_000)


@st.composite
def plans(draw):
    n = draw(st.integers(1, 4))
    days = sorted(draw(st.sets(st.integers(18_000, 22_000), min_size=n, max_size=n)))
    values = draw(st.lists(VALUE, min_size=n, max_size=n))
    shape = draw(st.sampled_from(["linear", "step"]))
    return Plan(tuple(float(d) for d in days), tuple(values), shape)


@st.composite
def batches(draw):
    n_plans = draw(st.integers(1, 4))
    plan_list = [draw(st.one_of(plans(), plans(), st.none())) for _ in range(n_plans)]
    directions = [draw(st.sampled_from(["increase", "decrease"])) for _ in range(n_plans)]
    n_groups = draw(st.integers(1, 8))
    group_plan = [draw(st.integers(0, n_plans - 1)) for _ in range(n_groups)]
    rows = []
    for g in range(n_groups):
        for _ in range(draw(st.integers(0, 8))):
            rows.append((g, float(draw(DAY)), draw(VALUE)))
    order = draw(st.permutations(range(len(rows))))
    rows = [rows[i] for i in order]
    at = float(draw(DAY))
    return plan_list, directions, group_plan, rows, at


def _close(a, b, scale):
    """Equal to 1e-9 relative (to the values or, for results near zero by cancellation, to the data's scale).

    ``status`` reports a figure it cannot give as a finite number as None; the arrays keep NaN or ±inf.
    """
    if a is None or math.isnan(a):
        return b is None or not math.isfinite(b)
    if b is None or math.isnan(b):
        return False
    if math.isinf(a) or math.isinf(b):
        return a == b
    return abs(a - b) <= 1e-9 * max(abs(a), abs(b), scale)


@pytest.mark.filterwarnings("ignore:overflow encountered:RuntimeWarning")  # ratios of extreme values overflow to inf
@settings(max_examples=150, deadline=None)
@given(batches())
def test_batch_status_equals_status_per_group(case) -> None:
    plan_list, directions, group_plan, rows, at = case
    group = np.array([r[0] for r in rows], dtype=np.intp)
    t = np.array([r[1] for r in rows], dtype=np.float64)
    y = np.array([r[2] for r in rows], dtype=np.float64)
    batch = batch_status(plan_list, directions, group_plan, group, t, y, at)
    for g, plan_index in enumerate(group_plan):
        plan, direction = plan_list[plan_index], directions[plan_index]
        mine = group == g
        one = status(plan, direction, t[mine], y[mine], at)
        known = y[mine][t[mine] <= at]
        plan_values = plan.values if plan is not None else ()
        scale = max([1.0, *np.abs(known).tolist(), *np.abs(plan_values)])
        assert _close(one.planned, float(batch.planned[g]), scale)
        assert _close(one.actual, float(batch.actual[g]), scale)
        assert _close(one.actual_at, float(batch.actual_at[g]), 1.0)
        assert _close(one.planned_at_actual, float(batch.planned_at_actual[g]), scale)
        assert _close(one.achievement, float(batch.achievement[g]), 1.0)
        assert _close(one.gap, float(batch.gap[g]), scale)
        if one.forecast is None:
            assert np.isnan(batch.ratio[g])
            assert batch.rag[g] == RAG_ORDER.index("insufficient_data")
            assert one.probability is None
            continue
        assert plan is not None
        forecast_scale = max(scale, abs(one.forecast.high - one.forecast.low), abs(one.forecast.value))
        assert float(batch.forecast.at[g]) == plan.final_day
        assert _close(one.forecast.value, float(batch.forecast.value[g]), forecast_scale)
        assert _close(one.forecast.low, float(batch.forecast.low[g]), forecast_scale)
        assert _close(one.forecast.high, float(batch.forecast.high[g]), forecast_scale)
        assert _close(one.ratio, float(batch.ratio[g]), 1.0)
        if one.probability is None:
            assert np.isnan(batch.probability[g])
        else:
            assert abs(one.probability - batch.probability[g]) <= 1e-9
        # The rating agrees unless the ratio sits on a threshold within rounding.
        if one.ratio is None or all(abs(one.ratio - bound) > 1e-9 for bound, _ in engine.RAG_THRESHOLDS):
            assert RAG_ORDER[batch.rag[g]] == one.rag


@st.composite
def noisy_series(draw):
    n = draw(st.integers(3, 12))
    days = draw(st.lists(DAY, min_size=n, max_size=n))
    assume(len(set(days)) > 1)
    values = draw(st.lists(VALUE, min_size=n, max_size=n))
    at = draw(st.integers(18_000, 30_000))
    return np.array(days, dtype=np.float64), np.array(values), float(at)


@settings(max_examples=100, deadline=None)
@given(noisy_series(), st.floats(0.05, 0.9), st.floats(0.01, 0.09))
def test_interval_contains_forecast_and_widens_with_level(series, level, extra) -> None:
    days, values, at = series
    fits = fit_groups(np.zeros(len(days), dtype=np.intp), days, values, 1)
    assert fits.usable[0]
    narrow = predict(fits, at, level)
    wide = predict(fits, at, level + extra)
    assert narrow.low[0] <= narrow.value[0] <= narrow.high[0]
    assert wide.low[0] <= narrow.low[0]
    assert wide.high[0] >= narrow.high[0]
    assert narrow.value[0] == wide.value[0]
    if narrow.scale[0] > 1e-9 * (1.0 + np.abs(values).max()):  # not a perfect fit up to rounding
        assert wide.high[0] - wide.low[0] > narrow.high[0] - narrow.low[0]


@st.composite
def linear_plans(draw):
    n = draw(st.integers(1, 6))
    days = sorted(draw(st.sets(st.integers(18_000, 25_000), min_size=n, max_size=n)))
    values = draw(st.lists(VALUE, min_size=n, max_size=n))
    return Plan(tuple(float(d) for d in days), tuple(values), "linear")


@settings(max_examples=150, deadline=None)
@given(linear_plans(), st.lists(st.floats(0, 10_000, allow_nan=False), min_size=1, max_size=20))
def test_planned_stays_within_plan_values(plan, offsets) -> None:
    days = np.array([plan.days[0] + offset for offset in offsets])
    out = planned(plan, days)
    assert not np.isnan(out).any()
    low, high = min(plan.values), max(plan.values)
    assert (out >= low).all()
    assert (out <= high).all()
    before = planned(plan, plan.days[0] - 0.5)
    assert np.isnan(before).all()


@settings(max_examples=100, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.floats(-1e6, 1e6),  # value at day 20,000
            st.floats(-100, 100),  # slope per day
            st.sets(DAY, min_size=3, max_size=12),
        ),
        min_size=1,
        max_size=6,
    ),
    st.randoms(use_true_random=False),
)
def test_fit_groups_recovers_noise_free_lines(lines, rnd) -> None:
    rows = [(g, float(day), a + b * (day - 20_000)) for g, (a, b, days) in enumerate(lines) for day in days]
    rnd.shuffle(rows)
    group, t, y = (np.array(column) for column in zip(*rows, strict=True))
    fits = fit_groups(group.astype(np.intp), t, y, len(lines))
    assert fits.usable.all()
    for g, (a, b, days) in enumerate(lines):
        span = max(days) - min(days)
        scale = abs(a) + abs(b) * 7_000 + 1.0
        assert fits.n[g] == len(days)
        assert fits.t_mean[g] == pytest.approx(np.mean(sorted(days)), rel=1e-12)
        assert abs(fits.slope[g] - b) <= 1e-9 * scale / span
        line_at_mean = a + b * (fits.t_mean[g] - 20_000)
        assert abs(fits.intercept[g] - line_at_mean) <= 1e-9 * scale
        # Residual standard deviation: zero up to the rounding of the one-pass sum of squares.
        assert fits.sigma[g] <= 1e-6 * scale
        prediction = predict(fits, 24_000.0)
        assert abs(prediction.value[g] - (a + b * 4_000)) <= 1e-9 * scale * 3


@settings(max_examples=60, deadline=None)
@given(
    seed=st.integers(0, 10_000),
    n_series=st.integers(1, 6),
    shape=st.sampled_from(["linear", "step"]),
)
def test_statuses_of_many_series_equal_status_of_each(seed, n_series, shape) -> None:
    rng = np.random.default_rng(seed)
    plans: list = []
    directions: list[engine.Direction] = []
    series: list = []
    for index in range(n_series):
        start = float(rng.integers(18000, 19000))
        plan = None if index == 0 and seed % 3 == 0 else Plan((start, start + 2000.0), (10.0, 90.0), shape)
        plans.append(plan)
        directions.append("decrease" if rng.random() < 0.3 else "increase")
        n = int(rng.integers(0, 8))
        days = np.sort(rng.choice(np.arange(18000, 21000, 30), size=n, replace=False)).astype(float)
        series.append((days, rng.normal(40, 10, n)))
    at = 20500.0
    batch = engine.statuses(plans, directions, series, at)
    for plan, direction, (t, y), got in zip(plans, directions, series, batch, strict=True):
        want = engine.status(plan, direction, t, y, at)
        assert got.rag == want.rag
        assert got.n_points == want.n_points
        for name in (
            "planned",
            "actual",
            "actual_at",
            "planned_at_actual",
            "achievement",
            "gap",
            "probability",
            "ratio",
        ):
            a, b = getattr(got, name), getattr(want, name)
            assert (a is None) == (b is None), name
            if a is not None:
                assert a == pytest.approx(b, rel=1e-9, abs=1e-9), name
        assert (got.forecast is None) == (want.forecast is None)
        if got.forecast is not None:
            assert got.forecast.value == pytest.approx(want.forecast.value, rel=1e-9)
            assert got.forecast.low == pytest.approx(want.forecast.low, rel=1e-9)
