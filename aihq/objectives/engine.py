"""The fulfilment engine: plan, achievement, gap, forecast, probability and RAG rating.

Pure, typed functions over numbers and numpy arrays — no database. Time is a day number
(days since 1970-01-01, see ``day_number``), so "linear" means linear in days.

Definitions (the indicator page's help repeats them):

* ``planned(t)`` — piecewise-linear through the plan points (the baseline, then each dated target);
  a ``step`` plan holds the previous point's value until the next date; after the last target, the
  last target; before the first point, undefined (NaN).
* ``achievement`` — actual / planned for ``increase``, planned / actual for ``decrease``, the latest
  actual compared with the plan for the same date (a report made in December is judged against
  December's plan, not against today's). A zero
  denominator gives 1.0 when the numerator is zero too (met exactly) and NaN (undefined) otherwise;
  a missing value gives NaN.
* ``gap`` — actual − planned, sign flipped for ``decrease`` (positive is ahead of plan).
* ``forecast(T)`` — ordinary least squares of value on day over the measurements (all of them, or the
  last *k*), evaluated at T, with a two-sided prediction interval (80 % by default, Student t with
  n − 2 degrees of freedom). Fewer than 3 measurements, or all on one day: no forecast.
* ``probability`` — P(value at T ≥ target) under that predictive distribution (≤ for ``decrease``).
* ``rag`` — from r = forecast / target (target / forecast for ``decrease``): r ≥ 1.0 green, ≥ 0.9
  amber-green, ≥ 0.75 amber-red, else red; no forecast gives "insufficient data". A forecast that
  meets the target always counts as r ≥ 1 and one that misses it as r < 1, whatever the signs (a
  decrease forecast to fall below zero, a target of zero).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
import numpy.typing as npt
from scipy import stats

Direction = Literal["increase", "decrease"]
Shape = Literal["linear", "step"]
Rag = Literal["green", "amber_green", "amber_red", "red", "insufficient_data"]
FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.intp]

EPOCH = dt.date(1970, 1, 1)
#: Lower bounds of r for each rating, best first.
RAG_THRESHOLDS: tuple[tuple[float, Rag], ...] = ((1.0, "green"), (0.9, "amber_green"), (0.75, "amber_red"))
RAG_ORDER: tuple[Rag, ...] = ("red", "amber_red", "amber_green", "green", "insufficient_data")
MIN_POINTS = 3
DEFAULT_LEVEL = 0.8


def day_number(day: dt.date) -> int:
    """Days since 1970-01-01."""
    return (day - EPOCH).days


def from_day_number(day: float) -> dt.date:
    return EPOCH + dt.timedelta(days=round(day))


@dataclass(frozen=True)
class Plan:
    """A trajectory: dated plan points (the baseline first, when there is one), strictly increasing in time."""

    days: tuple[float, ...]
    values: tuple[float, ...]
    shape: Shape = "linear"

    def __post_init__(self) -> None:
        if not self.days or len(self.days) != len(self.values):
            raise ValueError("A plan needs at least one point, with one value per date.")
        if any(b <= a for a, b in zip(self.days, self.days[1:], strict=False)):
            raise ValueError("Plan dates must be strictly increasing.")
        if self.shape not in ("linear", "step"):
            raise ValueError(f"Unknown trajectory shape {self.shape!r}.")

    @classmethod
    def from_points(cls, points: Iterable[tuple[dt.date, float]], shape: Shape = "linear") -> Plan:
        """A plan from (date, value) pairs in any order; two values on one date are refused."""
        ordered = sorted((day_number(day), float(value)) for day, value in points)
        return cls(tuple(float(d) for d, _ in ordered), tuple(v for _, v in ordered), shape)

    @property
    def final_day(self) -> float:
        return self.days[-1]

    @property
    def final_value(self) -> float:
        return self.values[-1]

    def targets_after(self, day: float) -> list[tuple[float, float]]:
        """The plan points after ``day`` (the targets still ahead)."""
        return [(d, v) for d, v in zip(self.days, self.values, strict=True) if d > day]


def planned(plan: Plan, t: npt.ArrayLike) -> FloatArray:
    """The planned value at each day in ``t`` (NaN before the first plan point)."""
    days = np.asarray(plan.days, dtype=np.float64)
    values = np.asarray(plan.values, dtype=np.float64)
    times = np.atleast_1d(np.asarray(t, dtype=np.float64))
    if plan.shape == "linear":
        out = np.interp(times, days, values)
    else:
        index = np.searchsorted(days, times, side="right") - 1
        out = values[np.clip(index, 0, len(values) - 1)]
    return np.where((times < days[0]) | np.isnan(times), np.nan, out)  # an unknown day has no plan


def _ratio(numerator: npt.ArrayLike, denominator: npt.ArrayLike) -> FloatArray:
    """numerator / denominator with 0/0 = 1 and x/0 = NaN."""
    num = np.asarray(numerator, dtype=np.float64)
    den = np.asarray(denominator, dtype=np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        out = np.where(den == 0, np.where(num == 0, 1.0, np.nan), num / np.where(den == 0, 1.0, den))
    return np.asarray(out, dtype=np.float64)


def achievement(actual: npt.ArrayLike, plan_value: npt.ArrayLike, direction: Direction) -> FloatArray:
    """Degree of achievement: actual / planned (``increase``) or planned / actual (``decrease``)."""
    if direction == "increase":
        return _ratio(actual, plan_value)
    return _ratio(plan_value, actual)


def gap(actual: npt.ArrayLike, plan_value: npt.ArrayLike, direction: Direction) -> FloatArray:
    """actual − planned, positive when ahead of plan whatever the direction."""
    diff = np.asarray(actual, dtype=np.float64) - np.asarray(plan_value, dtype=np.float64)
    return diff if direction == "increase" else -diff


@dataclass(frozen=True)
class Fits:
    """Least-squares lines of value on day, one per group (NaN where a group has too few points)."""

    n: IntArray
    slope: FloatArray
    intercept: FloatArray  # at day t_mean, i.e. value = intercept + slope * (t - t_mean)
    t_mean: FloatArray
    sxx: FloatArray
    sigma: FloatArray  # residual standard deviation, n − 2 degrees of freedom

    @property
    def usable(self) -> npt.NDArray[np.bool_]:
        return (self.n >= MIN_POINTS) & (self.sxx > 0)


def fit_groups(group: npt.ArrayLike, t: npt.ArrayLike, y: npt.ArrayLike, n_groups: int) -> Fits:
    """One OLS line per group in a single vectorised pass (group ids are 0 … n_groups − 1)."""
    g = np.asarray(group, dtype=np.intp)
    times = np.asarray(t, dtype=np.float64)
    values = np.asarray(y, dtype=np.float64)
    n = np.bincount(g, minlength=n_groups)
    with np.errstate(divide="ignore", invalid="ignore"):
        t_mean = np.bincount(g, times, minlength=n_groups) / n
        y_mean = np.bincount(g, values, minlength=n_groups) / n
        dt_ = times - t_mean[g]
        dy = values - y_mean[g]
        sxx = np.bincount(g, dt_ * dt_, minlength=n_groups)
        sxy = np.bincount(g, dt_ * dy, minlength=n_groups)
        slope = sxy / sxx
        # Residuals summed directly (not syy − slope·sxy): an exact line gets exactly zero spread.
        residual = dy - np.where(sxx > 0, slope, 0.0)[g] * dt_
        sse = np.bincount(g, residual * residual, minlength=n_groups)
        sigma = np.sqrt(sse / (n - 2))
    usable = (n >= MIN_POINTS) & (sxx > 0)
    nan = np.full(n_groups, np.nan)
    return Fits(
        n=n.astype(np.intp),
        slope=np.where(usable, slope, nan),
        intercept=np.where(usable, y_mean, nan),
        t_mean=np.where(usable, t_mean, nan),
        sxx=np.where(n > 0, sxx, 0.0),
        sigma=np.where(usable, sigma, nan),
    )


@dataclass(frozen=True)
class Predictions:
    """Point forecasts with their prediction intervals and predictive scale, one per group."""

    at: FloatArray
    value: FloatArray
    low: FloatArray
    high: FloatArray
    scale: FloatArray  # standard error of a new observation at ``at``
    dof: FloatArray


def predict(fits: Fits, at: npt.ArrayLike, level: float = DEFAULT_LEVEL) -> Predictions:
    """Forecast each group's line at day ``at`` (a scalar, one day per group, or many days for one group)."""
    if not 0 < level < 1:
        raise ValueError("The interval level must be between 0 and 1.")
    days = np.asarray(at, dtype=np.float64)
    # One day per group, one day for all groups, or several days for a single group.
    at_days = np.broadcast_to(days, np.broadcast_shapes(days.shape, fits.slope.shape)).astype(np.float64)
    value = fits.intercept + fits.slope * (at_days - fits.t_mean)
    dof = (fits.n - 2).astype(np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        scale = fits.sigma * np.sqrt(1.0 + 1.0 / fits.n + (at_days - fits.t_mean) ** 2 / fits.sxx)
        quantile = stats.t.ppf(0.5 + level / 2.0, np.where(dof > 0, dof, np.nan))
    half = quantile * scale
    return Predictions(at_days, value, value - half, value + half, scale, dof)


def probability_of_meeting(predictions: Predictions, target: npt.ArrayLike, direction: Direction) -> FloatArray:
    """P(value ≥ target) (``increase``) or P(value ≤ target) (``decrease``) under the predictive t distribution."""
    goal = np.asarray(target, dtype=np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        z = (goal - predictions.value) / predictions.scale
        below = stats.t.cdf(z, np.where(predictions.dof > 0, predictions.dof, np.nan))
    # A perfect fit (zero scale) is certain: the forecast itself decides, exactly on target counts as met.
    exact = predictions.scale == 0
    below = np.where(exact, np.where(predictions.value < goal, 1.0, 0.0), below)
    met_exact = exact & (predictions.value == goal)
    prob = 1.0 - below if direction == "increase" else below
    prob = np.where(met_exact, 1.0, prob)
    return np.where(np.isnan(predictions.value) | np.isnan(goal), np.nan, prob)


def rag_ratio(forecast_value: npt.ArrayLike, target: npt.ArrayLike, direction: Direction) -> FloatArray:
    """r = forecast / target (``increase``), target / forecast (``decrease``).

    Whatever the signs and zeros, a forecast that meets the target gives r ≥ 1 and one that misses it
    r < 1 (a decrease forecast to fall below zero has met its target; a target of zero is met or not).
    """
    forecast = np.asarray(forecast_value, dtype=np.float64)
    goal = np.asarray(target, dtype=np.float64)
    r = achievement(forecast, goal, direction)
    met = forecast >= goal if direction == "increase" else forecast <= goal
    undefined = np.isnan(r)
    r = np.where(met, np.where(undefined | (r < 1.0), 1.0, r), np.where(undefined | (r >= 1.0), 0.0, r))
    return np.where(np.isnan(forecast) | np.isnan(goal), np.nan, r)


def rag_codes(ratio: npt.ArrayLike) -> IntArray:
    """Each ratio's rating as an index into ``RAG_ORDER`` (NaN → insufficient data)."""
    r = np.asarray(ratio, dtype=np.float64)
    codes = np.full(r.shape, RAG_ORDER.index("red"), dtype=np.intp)
    for bound, rating in reversed(RAG_THRESHOLDS):
        codes = np.where(r >= bound, RAG_ORDER.index(rating), codes)
    return np.where(np.isnan(r), RAG_ORDER.index("insufficient_data"), codes).astype(np.intp)


def rag_for(ratio: float) -> Rag:
    return RAG_ORDER[int(rag_codes(np.array([ratio]))[0])]


@dataclass(frozen=True)
class Forecast:
    at: float
    value: float
    low: float
    high: float

    @property
    def date(self) -> dt.date:
        return from_day_number(self.at)


@dataclass(frozen=True)
class Status:
    """Where one series stands on ``at``: the plan, the latest actual, the forecast and its rating."""

    at: float
    planned: float | None  # where it should be on ``at``
    actual: float | None
    actual_at: float | None
    planned_at_actual: float | None  # where it should have been when the latest actual was measured
    achievement: float | None
    gap: float | None
    target: float | None
    target_at: float | None
    forecast: Forecast | None
    forecasts: tuple[Forecast, ...] = field(default=())
    probability: float | None = None
    ratio: float | None = None
    rag: Rag = "insufficient_data"
    n_points: int = 0


def _number(value: float | np.floating | FloatArray) -> float | None:
    number = float(np.asarray(value).reshape(-1)[0]) if isinstance(value, np.ndarray) else float(value)
    return number if np.isfinite(number) else None


def status(
    plan: Plan | None,
    direction: Direction,
    t: Sequence[float] | FloatArray,
    y: Sequence[float] | FloatArray,
    at: float,
    *,
    last_k: int | None = None,
    level: float = DEFAULT_LEVEL,
) -> Status:
    """The status of one series on day ``at``, using only the measurements made by then."""
    times = np.asarray(t, dtype=np.float64)
    values = np.asarray(y, dtype=np.float64)
    known = (times <= at) & ~np.isnan(values)
    times, values = times[known], values[known]
    order = np.argsort(times, kind="stable")
    times, values = times[order], values[order]
    actual = float(values[-1]) if len(values) else float("nan")
    actual_at = float(times[-1]) if len(times) else None
    plan_now = float(planned(plan, at)[0]) if plan is not None else float("nan")
    plan_then = float(planned(plan, actual_at)[0]) if plan is not None and actual_at is not None else float("nan")
    if last_k is not None and last_k > 0:
        times, values = times[-last_k:], values[-last_k:]
    fits = fit_groups(np.zeros(len(times), dtype=np.intp), times, values, 1)
    result_forecasts: list[Forecast] = []
    forecast = None
    probability = ratio = float("nan")
    target = target_at = None
    if plan is not None:
        target, target_at = plan.final_value, plan.final_day
        ahead = plan.targets_after(at) or [(plan.final_day, plan.final_value)]
        if bool(fits.usable[0]):
            for day, _value in ahead:
                p = predict(fits, day, level)
                result_forecasts.append(Forecast(day, float(p.value[0]), float(p.low[0]), float(p.high[0])))
            final = predict(fits, plan.final_day, level)
            forecast = Forecast(plan.final_day, float(final.value[0]), float(final.low[0]), float(final.high[0]))
            probability = float(probability_of_meeting(final, plan.final_value, direction)[0])
            ratio = float(rag_ratio(final.value, plan.final_value, direction)[0])
    return Status(
        at=at,
        planned=_number(plan_now),
        actual=_number(actual),
        actual_at=actual_at,
        planned_at_actual=_number(plan_then),
        achievement=_number(achievement(actual, plan_then, direction)),
        gap=_number(gap(actual, plan_then, direction)),
        target=target,
        target_at=target_at,
        forecast=forecast,
        forecasts=tuple(result_forecasts),
        probability=_number(probability),
        ratio=_number(ratio),
        rag=rag_for(ratio),
        n_points=int(fits.n[0]),
    )


def latest_per_group(
    group: npt.ArrayLike, t: npt.ArrayLike, y: npt.ArrayLike, n_groups: int
) -> tuple[FloatArray, FloatArray]:
    """Each group's latest day and its value (NaN for an empty group)."""
    g = np.asarray(group, dtype=np.intp)
    times = np.asarray(t, dtype=np.float64)
    order = np.lexsort((times, g))
    days = np.full(n_groups, np.nan)
    out = np.full(n_groups, np.nan)
    if len(order):
        sorted_groups = g[order]
        last = np.flatnonzero(np.r_[sorted_groups[1:] != sorted_groups[:-1], True])
        days[sorted_groups[last]] = times[order][last]
        out[sorted_groups[last]] = np.asarray(y, dtype=np.float64)[order][last]
    return days, out


@dataclass(frozen=True)
class BatchStatus:
    """The statuses of many series at once (arrays, one entry per group)."""

    planned: FloatArray
    actual: FloatArray
    actual_at: FloatArray
    planned_at_actual: FloatArray
    achievement: FloatArray
    gap: FloatArray
    forecast: Predictions
    probability: FloatArray
    ratio: FloatArray
    rag: IntArray  # indexes into RAG_ORDER


def batch_status(
    plans: Sequence[Plan | None],
    directions: Sequence[Direction],
    group_plan: npt.ArrayLike,
    group: npt.ArrayLike,
    t: npt.ArrayLike,
    y: npt.ArrayLike,
    at: float,
    *,
    level: float = DEFAULT_LEVEL,
) -> BatchStatus:
    """Statuses of every series in one vectorised pass.

    ``group``/``t``/``y`` are the measurements (series id, day, value); ``group_plan[g]`` is the index
    in ``plans`` and ``directions`` of series ``g``'s plan (several series — say, the regions of one
    indicator — share a plan). Equivalent to calling ``status`` on each series.
    """
    g = np.asarray(group, dtype=np.intp)
    times = np.asarray(t, dtype=np.float64)
    values = np.asarray(y, dtype=np.float64)
    which_plan = np.asarray(group_plan, dtype=np.intp)
    n_groups = len(which_plan)
    known = (times <= at) & ~np.isnan(values)
    g, times, values = g[known], times[known], values[known]
    fits = fit_groups(g, times, values, n_groups)
    actual_at, actual = latest_per_group(g, times, values, n_groups)
    plan_now = np.full(n_groups, np.nan)
    plan_then = np.full(n_groups, np.nan)
    final_day = np.full(n_groups, np.nan)
    final_value = np.full(n_groups, np.nan)
    increase = np.zeros(n_groups, dtype=bool)
    # The series of each plan, found once by sorting (not one scan of all series per plan).
    by_plan = np.argsort(which_plan, kind="stable")
    starts = np.searchsorted(which_plan[by_plan], np.arange(len(plans)), side="left")
    ends = np.searchsorted(which_plan[by_plan], np.arange(len(plans)), side="right")
    for index, plan in enumerate(plans):
        members = by_plan[starts[index] : ends[index]]
        increase[members] = directions[index] == "increase"
        if plan is None or not len(members):
            continue
        plan_now[members] = planned(plan, at)[0]
        plan_then[members] = planned(plan, actual_at[members])
        final_day[members] = plan.final_day
        final_value[members] = plan.final_value
    prediction = predict(fits, np.where(np.isnan(final_day), at, final_day), level)
    up_prob = probability_of_meeting(prediction, final_value, "increase")
    down_prob = probability_of_meeting(prediction, final_value, "decrease")
    ratio = np.where(
        increase,
        rag_ratio(prediction.value, final_value, "increase"),
        rag_ratio(prediction.value, final_value, "decrease"),
    )
    ratio = np.where(fits.usable & ~np.isnan(final_value), ratio, np.nan)
    return BatchStatus(
        planned=plan_now,
        actual=actual,
        actual_at=actual_at,
        planned_at_actual=plan_then,
        achievement=np.where(
            increase, achievement(actual, plan_then, "increase"), achievement(actual, plan_then, "decrease")
        ),
        gap=np.where(increase, gap(actual, plan_then, "increase"), gap(actual, plan_then, "decrease")),
        forecast=prediction,
        probability=np.where(increase, up_prob, down_prob),
        ratio=ratio,
        rag=rag_codes(ratio),
    )


def statuses(
    plans: Sequence[Plan | None],
    directions: Sequence[Direction],
    series: Sequence[tuple[npt.ArrayLike, npt.ArrayLike]],
    at: float,
    *,
    level: float = DEFAULT_LEVEL,
) -> list[Status]:
    """``status`` of many series (each with its own plan and direction) in one vectorised pass.

    The same figures as calling ``status`` on each, except ``forecasts`` (the final target's only).
    """
    sizes = [len(np.asarray(t)) for t, _ in series]
    group = np.repeat(np.arange(len(series), dtype=np.intp), sizes)
    t = np.concatenate([np.asarray(t, dtype=np.float64) for t, _ in series]) if series else np.empty(0)
    y = np.concatenate([np.asarray(y, dtype=np.float64) for _, y in series]) if series else np.empty(0)
    batch = batch_status(plans, directions, np.arange(len(series)), group, t, y, at, level=level)
    known = (t <= at) & ~np.isnan(y)
    counts = np.bincount(group[known], minlength=len(series))
    out: list[Status] = []
    for i, plan in enumerate(plans):
        forecast = None
        if plan is not None and not np.isnan(batch.forecast.value[i]):
            p = batch.forecast
            forecast = Forecast(plan.final_day, float(p.value[i]), float(p.low[i]), float(p.high[i]))
        out.append(
            Status(
                at=at,
                planned=_number(batch.planned[i]),
                actual=_number(batch.actual[i]),
                actual_at=_number(batch.actual_at[i]),
                planned_at_actual=_number(batch.planned_at_actual[i]),
                achievement=_number(batch.achievement[i]),
                gap=_number(batch.gap[i]),
                target=plan.final_value if plan is not None else None,
                target_at=plan.final_day if plan is not None else None,
                forecast=forecast,
                forecasts=(forecast,) if forecast is not None else (),
                probability=_number(batch.probability[i]) if forecast is not None else None,
                ratio=_number(batch.ratio[i]),
                rag=RAG_ORDER[int(batch.rag[i])],
                n_points=int(counts[i]),
            )
        )
    return out
