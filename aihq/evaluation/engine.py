"""The cost–benefit and portfolio-scoring engine: appraisal, sensitivity, normalisation, weighted scores, ranking.

Pure, typed functions over plain numbers — no database, no Django. Services and pages call them; the definitions
below are the ones the help pages repeat.

Cash-flow conventions
---------------------

* ``costs[t]`` and ``benefits[t]`` are non-negative amounts falling at the *end* of year ``t``; year 0 is today
  and is not discounted, so the discount factor of year ``t`` is ``(1 + rate) ** -t``. Sequences of different
  lengths are padded with zeros to the longer one (the horizon).
* ``PV(x) = Σ x[t] · (1 + rate) ** -t``.
* ``NPV = PV(benefits) − PV(costs)``; ``BCR = PV(benefits) / PV(costs)``.
* ``ROI`` is undiscounted: ``(Σ benefits − Σ costs) / Σ costs``.
* Payback (undiscounted): with the cumulative net flow ``cum[t] = Σ_{s ≤ t} (benefits[s] − costs[s])``, payback is
  0 when ``cum[0] ≥ 0``; otherwise the first ``t`` with ``cum[t] ≥ 0``, interpolated linearly within that year,
  ``(t − 1) + (−cum[t − 1]) / (cum[t] − cum[t − 1])``; ``None`` when the costs are not recovered within the
  horizon. Discounted payback is the same on the discounted flows.
* Cost per unit of benefit: ``PV(costs) / benefit_units`` when a positive, finite number of units is given.
* IRR: the rate ``r`` in the open interval (−0.99, 10) at which the NPV of the net flows is zero, found by bisection.
  ``None`` when the net flows never change sign, or when there is no root — or more than one — in that interval.
  When the net flows change sign once (a conventional project) Descartes' rule of signs guarantees at most one
  root; otherwise the NPV is scanned on a fine grid and an IRR is reported only when exactly one root is seen
  (two roots closer together than the grid spacing could go unseen).

Nothing is made up: when no cost or no monetised benefit has been recorded, when the rate is unusable (≤ −1 or not
finite) or the horizon is empty, the appraisal says ``NOT_ENOUGH_DATA``, lists why in ``missing`` and leaves every
figure ``None``.

Portfolio scoring
-----------------

* ``normalise`` — min–max to 0..1 with 1 = best (reversed for criteria where lower is better); ``None`` stays
  ``None``; when every present value is equal, each becomes 0.5.
* ``weighted_score`` — the weighted mean of the normalised components that are present and carry a positive weight,
  the weights renormalised over those, × 100 and rounded to one decimal place.
* ``rank`` — normalise each criterion across the items (risk and cost reversed), score, then sort by score
  descending with unknown scores last and ties broken by key ascending.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

NOT_ENOUGH_DATA = "not_enough_data"
OK = "ok"

#: The reasons an appraisal may lack data, in the order ``missing`` lists them.
MISSING_CODES = ("costs", "benefits", "rate", "horizon")

#: The open interval searched for an internal rate of return.
IRR_LOW = -0.99
IRR_HIGH = 10.0
#: Points of the scan used for net flows that change sign more than once.
_IRR_GRID_POINTS = 4001
_BISECTION_STEPS = 200

DEFAULT_RATES: tuple[float, ...] = (0.0, 0.03, 0.05, 0.07, 0.10)

#: Portfolio criteria. Higher value, fit and readiness are better; higher risk and cost are worse.
CRITERIA = ("value", "fit", "risk", "readiness", "cost")
HIGHER_IS_BETTER: dict[str, bool] = {
    "value": True,
    "fit": True,
    "risk": False,
    "readiness": True,
    "cost": False,
}


# ----------------------------------------------------------------------------------------------------- appraisal


@dataclass(frozen=True)
class Appraisal:
    """The cost–benefit figures of one stream of costs and benefits at one discount rate.

    ``status`` is ``OK`` or ``NOT_ENOUGH_DATA``; with ``NOT_ENOUGH_DATA``, ``missing`` holds the reasons
    (``"costs"``, ``"benefits"``, ``"rate"``, ``"horizon"``) and every figure is ``None``.
    """

    status: str
    missing: tuple[str, ...]
    rate: float
    pv_costs: float | None
    pv_benefits: float | None
    npv: float | None
    bcr: float | None
    roi: float | None
    payback_years: float | None
    discounted_payback_years: float | None
    cost_per_unit: float | None
    irr: float | None
    horizon_years: int = 0  # the number of years considered (length of the padded sequences)

    @property
    def ok(self) -> bool:
        return self.status == OK


def _validated(flows: Sequence[float], name: str) -> list[float]:
    """The flows as floats; a negative, NaN or infinite amount raises ValueError naming its year index."""
    values: list[float] = []
    for t, amount in enumerate(flows):
        value = float(amount)
        if math.isnan(value):
            raise ValueError(f"{name} in year {t} is not a number.")
        if value < 0:
            raise ValueError(f"{name} in year {t} is negative ({value}); record amounts as non-negative.")
        if math.isinf(value):
            raise ValueError(f"{name} in year {t} is infinite.")
        values.append(value)
    return values


def _padded(costs: list[float], benefits: list[float]) -> tuple[list[float], list[float]]:
    horizon = max(len(costs), len(benefits))
    return costs + [0.0] * (horizon - len(costs)), benefits + [0.0] * (horizon - len(benefits))


def _rate_usable(rate: float) -> bool:
    return math.isfinite(rate) and rate > -1


def _discount_factors(rate: float, horizon: int) -> list[float]:
    """``(1 + rate) ** -t`` for t = 0 … horizon − 1; ``inf`` where that overflows (rates close to −1)."""
    factors: list[float] = []
    for t in range(horizon):
        try:
            factors.append((1.0 + rate) ** -t)
        except OverflowError:
            factors.append(math.inf)
    return factors


def _payback(net: Sequence[float]) -> float | None:
    """Years until the cumulative net flow first reaches zero, interpolated within the year; None if never."""
    previous = 0.0
    cumulative = 0.0
    for t, flow in enumerate(net):
        previous, cumulative = cumulative, cumulative + flow
        if cumulative >= 0:
            if t == 0:
                return 0.0
            # previous < 0 ≤ cumulative, so the denominator is positive.
            return (t - 1) + (-previous) / (cumulative - previous)
    return None


def _sign(value: float) -> int:
    return (value > 0) - (value < 0)


def _sign_changes(flows: Sequence[float]) -> int:
    """Sign changes in the sequence, zeros skipped (Descartes' rule of signs)."""
    changes = 0
    last = 0
    for flow in flows:
        sign = _sign(flow)
        if sign == 0:
            continue
        if last and sign != last:
            changes += 1
        last = sign
    return changes


def _scaled_npv(flows: Sequence[float], rate: float) -> float:
    """A positive multiple of the NPV of ``flows`` at ``rate`` (same sign and roots), evaluated without overflow.

    With ``y = 1 + rate``: for ``y ≥ 1``, Horner's scheme in ``1 / y`` gives the NPV itself; for ``y < 1`` it gives
    ``y ** n · NPV = Σ flows[t] · y ** (n − t)`` (n the last index), whose powers of ``y`` stay at most 1.
    """
    growth = 1.0 + rate
    total = 0.0
    if growth >= 1:
        inverse = 1.0 / growth
        for flow in reversed(flows):
            total = total * inverse + flow
    else:
        for flow in flows:
            total = total * growth + flow
    return total


def _bisect(flows: Sequence[float], low: float, high: float) -> float:
    """The root of the NPV of ``flows`` between ``low`` and ``high``, where the scaled NPV has opposite signs."""
    low_sign = _sign(_scaled_npv(flows, low))
    for _ in range(_BISECTION_STEPS):
        middle = (low + high) / 2
        if middle in (low, high):
            break
        middle_sign = _sign(_scaled_npv(flows, middle))
        if middle_sign == 0:
            return middle
        if middle_sign == low_sign:
            low = middle
        else:
            high = middle
    return (low + high) / 2


def _irr_grid() -> list[float]:
    """Rates from IRR_LOW to IRR_HIGH, evenly spaced in log(1 + rate)."""
    start, stop = math.log1p(IRR_LOW), math.log1p(IRR_HIGH)
    step = (stop - start) / (_IRR_GRID_POINTS - 1)
    grid = [math.expm1(start + i * step) for i in range(_IRR_GRID_POINTS)]
    grid[0], grid[-1] = IRR_LOW, IRR_HIGH
    return grid


def _irr(net: Sequence[float]) -> float | None:
    """The internal rate of return of the net flows in (IRR_LOW, IRR_HIGH), or None (see the module docstring)."""
    changes = _sign_changes(net)
    if changes == 0:
        return None
    if changes == 1:
        low_sign = _sign(_scaled_npv(net, IRR_LOW))
        high_sign = _sign(_scaled_npv(net, IRR_HIGH))
        if low_sign == 0 or high_sign == 0 or low_sign == high_sign:
            return None  # the one root lies outside the open interval (or on its edge)
        return _bisect(net, IRR_LOW, IRR_HIGH)

    # Non-conventional flows: scan for roots; an exact zero on an interior grid point counts as one root.
    grid = _irr_grid()
    roots: list[tuple[float, float]] = []  # brackets (low, high); a point root has low == high
    last_rate = grid[0]
    last_sign = _sign(_scaled_npv(net, grid[0]))
    zero_since_last = False
    for i, rate in enumerate(grid[1:], start=1):
        sign = _sign(_scaled_npv(net, rate))
        if sign == 0:
            if i < len(grid) - 1 and not zero_since_last:
                roots.append((rate, rate))
                zero_since_last = True
            continue
        if last_sign and sign != last_sign and not zero_since_last:
            roots.append((last_rate, rate))
        last_rate, last_sign, zero_since_last = rate, sign, False
        if len(roots) > 1:
            return None
    if len(roots) != 1:
        return None
    low, high = roots[0]
    return low if low == high else _bisect(net, low, high)


def not_enough(missing: Sequence[str], rate: float, horizon: int = 0) -> Appraisal:
    """An appraisal with no figures, saying why (the engine's codes in their order, then any caller's own)."""
    ordered = tuple(code for code in MISSING_CODES if code in missing) + tuple(
        code for code in missing if code not in MISSING_CODES
    )
    return Appraisal(
        status=NOT_ENOUGH_DATA,
        missing=ordered,
        rate=rate,
        pv_costs=None,
        pv_benefits=None,
        npv=None,
        bcr=None,
        roi=None,
        payback_years=None,
        discounted_payback_years=None,
        cost_per_unit=None,
        irr=None,
        horizon_years=horizon,
    )


def appraise(
    costs: Sequence[float],
    benefits: Sequence[float],
    rate: float,
    *,
    benefit_units: float | None = None,
    with_irr: bool = True,
) -> Appraisal:
    """Appraise costs and benefits (index = year offset, amounts at the end of the year) at the discount ``rate``.

    Raises ValueError for a negative, NaN or infinite amount, naming the year index. Missing data — no cost, no
    monetised benefit, an unusable rate, an empty horizon — gives ``NOT_ENOUGH_DATA`` with every figure ``None``.
    The IRR is the costly figure (a root search): ``with_irr=False`` leaves it ``None`` for callers that do not
    show it, such as a portfolio of thousands.
    """
    cost_flows, benefit_flows = _padded(_validated(costs, "Cost"), _validated(benefits, "Benefit"))
    horizon = len(cost_flows)
    rate = float(rate)

    missing: list[str] = []
    if not any(cost_flows):
        missing.append("costs")
    if not any(benefit_flows):
        missing.append("benefits")
    if not _rate_usable(rate):
        missing.append("rate")
    if horizon == 0:
        missing.append("horizon")
    if missing:
        return not_enough(missing, rate, horizon)

    factors = _discount_factors(rate, horizon)
    discounted_costs = [c * f for c, f in zip(cost_flows, factors, strict=True)]
    discounted_benefits = [b * f for b, f in zip(benefit_flows, factors, strict=True)]
    pv_costs = math.fsum(discounted_costs)
    pv_benefits = math.fsum(discounted_benefits)
    if not (math.isfinite(pv_costs) and math.isfinite(pv_benefits)):
        return not_enough(["rate"], rate, horizon)  # the discount factors overflow over this horizon

    total_costs = math.fsum(cost_flows)
    total_benefits = math.fsum(benefit_flows)
    net = [b - c for b, c in zip(benefit_flows, cost_flows, strict=True)]
    discounted_net = [b - c for b, c in zip(discounted_benefits, discounted_costs, strict=True)]
    units_usable = benefit_units is not None and math.isfinite(benefit_units) and benefit_units > 0

    return Appraisal(
        status=OK,
        missing=(),
        rate=rate,
        pv_costs=pv_costs,
        pv_benefits=pv_benefits,
        npv=pv_benefits - pv_costs,
        bcr=pv_benefits / pv_costs,
        roi=(total_benefits - total_costs) / total_costs,
        payback_years=_payback(net),
        discounted_payback_years=_payback(discounted_net),
        cost_per_unit=pv_costs / benefit_units if units_usable and benefit_units is not None else None,
        irr=_irr(net) if with_irr else None,
        horizon_years=horizon,
    )


# --------------------------------------------------------------------------------------------------- sensitivity


@dataclass(frozen=True)
class Sensitivity:
    """How the NPV responds to the discount rate and to errors in the estimates.

    * ``by_rate`` — (rate, NPV) for each rate asked; the NPV is ``None`` where that rate is unusable.
    * ``benefits_down`` / ``benefits_up`` — the NPV with every benefit × (1 − swing) / × (1 + swing).
    * ``costs_down`` / ``costs_up`` — the NPV with every cost × (1 − swing) / × (1 + swing).
    * ``switching_benefits`` — NPV / PV(benefits): the fraction by which benefits may fall before the NPV reaches
      zero (negative when the NPV is already negative: the rise needed).
    * ``switching_costs`` — NPV / PV(costs): the fraction by which costs may rise before the NPV reaches zero.

    Every figure is ``None`` when the base appraisal does not have enough data.
    """

    by_rate: tuple[tuple[float, float | None], ...]
    swing: float
    benefits_down: float | None
    benefits_up: float | None
    costs_down: float | None
    costs_up: float | None
    switching_benefits: float | None
    switching_costs: float | None
    base: Appraisal | None = field(default=None, compare=False)


def sensitivity(
    costs: Sequence[float],
    benefits: Sequence[float],
    rate: float,
    *,
    rates: Sequence[float] = DEFAULT_RATES,
    swing: float = 0.2,
) -> Sensitivity:
    """Sensitivity of the NPV at ``rate`` to the rate (over ``rates``) and to a ±``swing`` error in costs and benefits.

    ``swing`` must lie in [0, 1] (ValueError otherwise). The NPV is linear in each scaling, so the swung figures
    are ``(1 ± swing) · PV(benefits) − PV(costs)`` and ``PV(benefits) − (1 ± swing) · PV(costs)``.
    """
    swing = float(swing)
    if not (0 <= swing <= 1):
        raise ValueError(f"The swing must lie between 0 and 1, not {swing}.")
    base = appraise(costs, benefits, rate, with_irr=False)
    by_rate = tuple((float(r), appraise(costs, benefits, r, with_irr=False).npv) for r in rates)
    if base.pv_costs is None or base.pv_benefits is None or base.npv is None:
        return Sensitivity(
            by_rate=by_rate,
            swing=swing,
            benefits_down=None,
            benefits_up=None,
            costs_down=None,
            costs_up=None,
            switching_benefits=None,
            switching_costs=None,
            base=base,
        )
    pv_c, pv_b, npv = base.pv_costs, base.pv_benefits, base.npv
    return Sensitivity(
        by_rate=by_rate,
        swing=swing,
        benefits_down=(1 - swing) * pv_b - pv_c,
        benefits_up=(1 + swing) * pv_b - pv_c,
        costs_down=pv_b - (1 - swing) * pv_c,
        costs_up=pv_b - (1 + swing) * pv_c,
        switching_benefits=npv / pv_b,
        switching_costs=npv / pv_c,
        base=base,
    )


# ----------------------------------------------------------------------------------------------- portfolio scores


def normalise(values: Sequence[float | None], *, higher_is_better: bool = True) -> list[float | None]:
    """Min–max normalisation to 0..1 with 1 = best; ``None`` stays ``None``; all-equal present values give 0.5.

    A NaN or infinite value raises ValueError (record an unknown value as ``None``).
    """
    present: list[float] = []
    for i, value in enumerate(values):
        if value is not None:
            if not math.isfinite(value):
                raise ValueError(f"Value {i} is not a finite number ({value}); use None for unknown.")
            present.append(float(value))
    if not present:
        return [None] * len(values)
    low, high = min(present), max(present)
    if low == high:
        return [None if value is None else 0.5 for value in values]
    span = high - low
    result: list[float | None] = []
    for value in values:
        if value is None:
            result.append(None)
        elif higher_is_better:
            result.append((value - low) / span)
        else:
            result.append((high - value) / span)
    return result


def weighted_score(components: Mapping[str, float | None], weights: Mapping[str, float]) -> float | None:
    """The weighted mean, × 100 and rounded to 1 dp, of the normalised components (0..1, 1 = best).

    Only components that are present (not ``None``) and carry a positive weight count, and the weights are
    renormalised over them. ``None`` when none counts. A negative or non-finite weight, or a component outside
    0..1, raises ValueError.
    """
    for name, weight in weights.items():
        if not math.isfinite(weight) or weight < 0:
            raise ValueError(f"The weight of {name!r} must be a non-negative number, not {weight}.")
    numerator = 0.0
    denominator = 0.0
    for name, value in components.items():
        if value is None:
            continue
        if not (0 <= value <= 1):
            raise ValueError(f"Component {name!r} must be normalised to 0..1, not {value}.")
        weight = float(weights.get(name, 0.0))
        if weight > 0:
            numerator += weight * value
            denominator += weight
    if denominator == 0:
        return None
    return round(100 * numerator / denominator, 1)


@dataclass(frozen=True)
class Ranked:
    """One item of a ranking: its key, its score (0–100, or None) and its normalised components."""

    key: Any
    score: float | None
    components: dict[str, float | None]


def _check_criteria(names: Mapping[str, Any], what: str) -> None:
    unknown = sorted(set(names) - set(CRITERIA))
    if unknown:
        raise ValueError(f"Unknown criteria in {what}: {', '.join(unknown)} (known: {', '.join(CRITERIA)}).")


def rank(items: Mapping[Any, Mapping[str, float | None]], weights: Mapping[str, float]) -> list[Ranked]:
    """Score and order items from their raw criteria (value, fit, risk, readiness, cost; None when unknown).

    Each criterion is normalised across the items (risk and cost reversed, so 1 is always best), then scored with
    ``weighted_score``. The order is by score descending, ``None`` scores last, ties by key ascending (keys must
    be mutually comparable). An unknown criterion name, in an item or in the weights, raises ValueError.
    """
    _check_criteria(weights, "the weights")
    keys = list(items)
    for key in keys:
        _check_criteria(items[key], f"item {key!r}")
    normalised = {
        name: normalise([items[key].get(name) for key in keys], higher_is_better=HIGHER_IS_BETTER[name])
        for name in CRITERIA
    }
    ranked = []
    for i, key in enumerate(keys):
        components = {name: normalised[name][i] for name in CRITERIA}
        ranked.append(Ranked(key=key, score=weighted_score(components, weights), components=components))
    return sorted(ranked, key=lambda r: (r.score is None, -(r.score or 0.0), r.key))
