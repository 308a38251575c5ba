"""Reads for evaluation: a use case's promised and delivered benefits, its costs and cost–benefit figures, the
scored portfolio with scale and stop candidates, and the stage-gate reviews a user may see or decide.

Cash flows (the engine's conventions): year 0 is the first year with a cost; amounts fall at the end of each year.
- Plan: planned costs, and each monetised metric's promised improvement (target on baseline) × its value per unit
  in every year from the year benefits count (``benefits_from``, else the target date's year, else year 1) to the
  end of the horizon (year 0 + the HQ's appraisal years, or the last cost year if later).
- Delivered: the years up to the last one with an actual cost: actual costs, and each year's latest measurement's
  improvement on the baseline × its value per unit. Nothing is extrapolated: a year whose costs are not in yet
  does not count its benefits either.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Q, QuerySet

from aihq.evaluation import engine
from aihq.evaluation.models import (
    BenefitMeasurement,
    BenefitMetric,
    CostLine,
    EvaluationSettings,
    GateCondition,
    GateDecision,
    GateReview,
    MetricKind,
    improvement,
    stage_rank,
)
from aihq.evaluation.services import current_settings
from aihq.registry.models import Organisation, Region, Stage, UseCase

#: Extra codes ``missing`` may hold beyond the engine's.
MIXED_CURRENCY = "currency"
NO_ACTUALS = "actuals"
OUT_OF_RANGE = "range"


def metrics(user: Any) -> QuerySet[BenefitMetric]:
    return BenefitMetric.objects.restrict(user).select_related("use_case__organisation")


def measurements(user: Any) -> QuerySet[BenefitMeasurement]:
    return BenefitMeasurement.objects.restrict(user).select_related("metric__use_case", "reported_by")


def costs(user: Any) -> QuerySet[CostLine]:
    return CostLine.objects.restrict(user).select_related("use_case__organisation")


def reviews(user: Any) -> QuerySet[GateReview]:
    return (
        GateReview.objects.restrict(user)
        .select_related("use_case__organisation", "requested_by", "decided_by")
        .prefetch_related("conditions", "regions", "reviewers")
    )


def conditions(user: Any) -> QuerySet[GateCondition]:
    return GateCondition.objects.restrict(user).select_related("review__use_case__organisation")


# --- one use case ------------------------------------------------------------------------------------------------


@dataclass
class MetricResult:
    metric: Any  # a BenefitMetric, or its MetricFigures in a portfolio
    latest: Any  # a BenefitMeasurement (or Measured), None when never measured
    promised: float | None  # improvement the target promises, in the metric's unit
    delivered: float | None  # improvement the latest measurement shows
    history: list[Any] = field(default_factory=list)

    @property
    def progress(self) -> float | None:
        """Delivered improvement as a share of the promised one (1.0 = target met)."""
        if self.promised is None or self.delivered is None or self.promised == 0:
            return None
        return self.delivered / self.promised

    @property
    def met(self) -> bool | None:
        progress = self.progress
        return None if progress is None else progress >= 1.0

    @property
    def evidenced(self) -> bool:
        """Measured, with a positive improvement on the baseline."""
        return self.delivered is not None and self.delivered > 0


@dataclass
class Evaluation:
    """Everything the evaluation section of a use case shows."""

    use_case_id: int
    currency: str
    years: list[int]
    planned_costs: list[float | None]
    actual_costs: list[float | None]
    promised_benefits: list[float | None]
    delivered_benefits: list[float | None]
    plan: engine.Appraisal
    delivered: engine.Appraisal
    sensitivity: engine.Sensitivity | None
    metrics: list[MetricResult]

    @property
    def has_data(self) -> bool:
        return bool(self.metrics or self.years)

    @property
    def evidenced(self) -> bool:
        return any(m.evidenced for m in self.metrics)

    @property
    def costs_rising(self) -> bool:
        """The latest two years with actual costs rise, or actual costs overrun the plan by more than 10 %."""
        known = [(a, p) for a, p in zip(self.actual_costs, self.planned_costs, strict=True) if a is not None]
        if len(known) >= 2 and known[-1][0] > known[-2][0]:
            return True
        overrun = [(a, p) for a, p in known if p]
        return bool(overrun) and sum(a for a, _p in overrun) > 1.1 * sum(p for _a, p in overrun if p)


def _appraise(
    costs_: Sequence[float], benefits: Sequence[float], rate: float, units: float | None, with_irr: bool
) -> engine.Appraisal:
    try:
        return engine.appraise(costs_, benefits, rate, benefit_units=units, with_irr=with_irr)
    except (ValueError, OverflowError):  # figures beyond what a float sums (the models bound them; old rows may not)
        return _empty(rate, (OUT_OF_RANGE,))


def _sensitivity(
    costs_: Sequence[float], benefits: Sequence[float], rate: float, swing: float, plan: engine.Appraisal
) -> engine.Sensitivity | None:
    if plan.status != engine.OK:
        return None
    try:
        return engine.sensitivity(costs_, benefits, rate, swing=swing)
    except (ValueError, OverflowError):
        return None


def _empty(rate: float, missing: tuple[str, ...]) -> engine.Appraisal:
    return engine.not_enough(missing, rate)


def evaluate(
    use_case_id: int,
    metric_list: Sequence[BenefitMetric | MetricFigures],
    cost_list: Sequence[CostLine | CostFigures],
    settings: EvaluationSettings,
    today: dt.date | None = None,
    *,
    detail: bool = True,
) -> Evaluation:
    """The cost–benefit evaluation of one use case from its metrics (with ``measurements`` prefetched) and costs.
    ``detail=False`` (a portfolio) leaves out the IRR and the sensitivity, the costly parts."""
    today = today or dt.date.today()
    rate = settings.discount_rate
    results: list[MetricResult] = []
    for metric in metric_list:
        history = _history(metric)
        latest = history[-1] if history else None
        results.append(
            MetricResult(
                metric=metric,
                latest=latest,
                promised=metric.improvement(metric.target),
                delivered=metric.improvement(latest.value if latest else None),
                history=history,
            )
        )
    monetised = [r for r in results if r.metric.value_per_unit is not None]
    currencies = {c.currency for c in cost_list} | {r.metric.currency for r in monetised}
    currency = next(iter(currencies)) if len(currencies) == 1 else (settings.currency if not currencies else "")
    if not cost_list:
        years: list[int] = []
    else:
        first = min(c.year for c in cost_list)
        last = max(max(c.year for c in cost_list), first + settings.appraisal_years)
        years = list(range(first, last + 1))
    planned = [_sum(c.planned for c in cost_list if c.year == y) for y in years]
    actual = [_sum(c.actual for c in cost_list if c.year == y) for y in years]
    promised = [0.0 for _y in years]
    delivered: list[float | None] = [None for _y in years]
    # Units of benefit by year: cost per unit only means something for a single monetised metric.
    units_promised = [0.0 for _y in years]
    units_delivered = [0.0 for _y in years]
    for result in monetised:
        metric = result.metric
        value = metric.value_per_unit or 0.0
        start = metric.benefits_from or (metric.target_date.year if metric.target_date else None)
        start = start or (years[1] if len(years) > 1 else None)
        for index, year in enumerate(years):
            if result.promised is not None and start is not None and year >= start:
                promised[index] += max(result.promised, 0.0) * value
                units_promised[index] += max(result.promised, 0.0)
            in_year = [m for m in result.history if m.measured_on.year == year and m.measured_on <= today]
            gain = metric.improvement(in_year[-1].value) if in_year else None
            if gain is not None:
                delivered[index] = (delivered[index] or 0.0) + max(gain, 0.0) * value
                units_delivered[index] += max(gain, 0.0)
    mixed = (MIXED_CURRENCY,) if len(currencies) > 1 else ()
    if mixed or not years:
        plan = _empty(rate, (*mixed, *(() if years else ("costs",))))
        outturn = _empty(rate, plan.missing)
        sensitivity = None
    else:
        single = len(monetised) == 1
        plan = _appraise(
            [p or 0.0 for p in planned], promised, rate, (sum(units_promised) if single else 0) or None, detail
        )
        sensitivity = (
            _sensitivity([p or 0.0 for p in planned], promised, rate, settings.swing, plan) if detail else None
        )
        known = [i for i, _y in enumerate(years) if actual[i] is not None]
        if not known:
            outturn = _empty(rate, (NO_ACTUALS,))
        else:
            upto = known[-1] + 1
            outturn = _appraise(
                [a or 0.0 for a in actual[:upto]],
                [d or 0.0 for d in delivered[:upto]],
                rate,
                (sum(units_delivered[:upto]) if single else 0) or None,
                detail,
            )
    return Evaluation(
        use_case_id=use_case_id,
        currency=currency,
        years=years,
        planned_costs=planned,
        actual_costs=actual,
        promised_benefits=[p if monetised else None for p in promised],
        delivered_benefits=delivered,
        plan=plan,
        delivered=outturn,
        sensitivity=sensitivity,
        metrics=results,
    )


def _sum(values: Iterable[float | None]) -> float | None:
    known = [v for v in values if v is not None]
    return sum(known) if known else None


@dataclass
class Measured:
    """A measurement's figures (a portfolio reads thousands: plain rows, not model instances)."""

    pk: int
    measured_on: dt.date
    value: float


@dataclass
class MetricFigures:
    """A benefit metric's figures with its measurements in date order, for evaluating many use cases at once."""

    pk: int
    use_case_id: int
    kind: str
    name: str
    direction: str
    baseline: float | None
    target: float | None
    target_date: dt.date | None
    value_per_unit: float | None
    currency: str
    benefits_from: int | None
    history: list[Measured] = field(default_factory=list)

    def improvement(self, value: float | None) -> float | None:
        return improvement(self.direction, self.baseline, value)

    @property
    def label(self) -> str:
        return self.name or str(MetricKind(self.kind).label if self.kind in MetricKind.values else self.kind)


def _history(metric: Any) -> list[Any]:
    if isinstance(metric, MetricFigures):
        return metric.history
    return sorted(metric.measurements.all(), key=lambda m: (m.measured_on, m.pk))


@dataclass
class CostFigures:
    year: int
    planned: float | None
    actual: float | None
    currency: str


METRIC_COLUMNS = ("pk", "use_case_id", "kind", "name", "direction", "baseline", "target", "target_date",
                  "value_per_unit", "currency", "benefits_from")  # fmt: skip


def evaluate_many(
    use_case_ids: Sequence[int], settings: EvaluationSettings | None = None, today: dt.date | None = None
) -> dict[int, Evaluation]:
    """Evaluations of many use cases in three queries (their metrics, measurements and costs), without the IRR and
    the sensitivity."""
    settings = settings or current_settings()
    by_case: dict[int, list[Any]] = defaultdict(list)
    cost_by_case: dict[int, list[Any]] = defaultdict(list)
    ids = list(use_case_ids)
    for chunk in _chunks(ids, 5000):
        metrics_by_pk: dict[int, MetricFigures] = {}
        for row in BenefitMetric.objects.filter(use_case_id__in=chunk).order_by("pk").values_list(*METRIC_COLUMNS):
            figures = MetricFigures(*row)
            metrics_by_pk[figures.pk] = figures
            by_case[figures.use_case_id].append(figures)
        for pk, metric_id, measured_on, value in (
            BenefitMeasurement.objects.filter(metric__use_case_id__in=chunk)
            .order_by("metric_id", "measured_on", "pk")
            .values_list("pk", "metric_id", "measured_on", "value")
        ):
            metrics_by_pk[metric_id].history.append(Measured(pk, measured_on, value))
        for use_case_id, year, planned, actual, currency in CostLine.objects.filter(use_case_id__in=chunk).values_list(
            "use_case_id", "year", "planned", "actual", "currency"
        ):
            cost_by_case[use_case_id].append(CostFigures(year, planned, actual, currency))
    return {
        pk: evaluate(pk, by_case[pk], cost_by_case[pk], settings, today, detail=False)
        for pk in ids
        if pk in by_case or pk in cost_by_case
    }


def _chunks(ids: list[int], size: int) -> Iterable[list[int]]:
    for start in range(0, len(ids), size):
        yield ids[start : start + size]


def for_use_case(use_case: UseCase, *, detail: bool = True) -> Evaluation:
    """The evaluation of one use case the caller may see; ``detail=False`` leaves out the IRR and sensitivity."""
    metric_list = list(
        BenefitMetric.objects.filter(use_case=use_case).prefetch_related("measurements__reported_by").order_by("pk")
    )
    cost_list = list(CostLine.objects.filter(use_case=use_case).order_by("year", "category", "kind"))
    return evaluate(use_case.pk, metric_list, cost_list, current_settings(), detail=detail)


# --- stage gates -------------------------------------------------------------------------------------------------


@dataclass
class GateEvidence:
    """What AIHQ knows about each gate criterion, shown next to the reviewer's tick."""

    benefits_evidenced: bool
    benefits_text: str
    requirements_met: bool | None
    requirements_text: str
    risks_accepted: bool
    risks_text: str
    budget_approved: bool
    budget_text: str


def gate_evidence(use_case: UseCase, evaluation: Evaluation) -> GateEvidence:
    """Suggestions for the checklist from the evaluation, the regulation capability and the risk register."""
    from django.utils.translation import gettext as _

    from aihq.regulation.models import CLOSED_STATES, Risk, RiskStatus

    measured = [m for m in evaluation.metrics if m.evidenced]
    requirements = use_case.requirement_statuses.filter(applicable=True, mandatory=True)
    total = requirements.count()
    closed = requirements.filter(status__in=CLOSED_STATES).count()
    open_risks = list(
        Risk.objects.filter(use_case=use_case).exclude(status__in=[RiskStatus.CLOSED, RiskStatus.ACCEPTED])
    )
    high = [r for r in open_risks if (r.residual_score or r.score) >= 15]
    planned = [c for c in CostLine.objects.filter(use_case=use_case) if c.planned is not None]
    return GateEvidence(
        benefits_evidenced=bool(measured),
        benefits_text=_("%(measured)s of %(total)s metrics show a measured improvement.")
        % {"measured": len(measured), "total": len(evaluation.metrics)},
        requirements_met=None if total == 0 else closed == total,
        requirements_text=(
            _("No mandatory requirement applies (classify the use case under a framework).")
            if total == 0
            else _("%(closed)s of %(total)s mandatory requirements are met, not applicable or waived.")
            % {"closed": closed, "total": total}
        ),
        risks_accepted=not high,
        risks_text=_("%(open)s open risks, %(high)s of them rated 15 or more.")
        % {"open": len(open_risks), "high": len(high)},
        budget_approved=bool(planned),
        budget_text=_("%(count)s planned cost lines.") % {"count": len(planned)},
    )


def reviewer_choices(use_case: UseCase) -> QuerySet[Any]:
    """People who may sit on a review of this use case: members of its organisation or one above, HQ admins."""
    from aihq.accounts.models import User

    chain: list[int] = []
    node: Organisation | None = use_case.organisation
    while node is not None:
        chain.append(node.pk)
        node = node.parent
    return (
        User.objects.filter(is_active=True)
        .filter(Q(memberships__organisation_id__in=chain) | Q(memberships__role="hq_admin"))
        .distinct()
        .order_by("username")
    )


def open_reviews(user: Any) -> QuerySet[GateReview]:
    return reviews(user).filter(decision=GateDecision.PENDING).order_by("created_at", "pk")


def overdue_conditions(user: Any, today: dt.date | None = None) -> QuerySet[GateCondition]:
    return (
        conditions(user).filter(done_at__isnull=True, due_date__lt=today or dt.date.today()).order_by("due_date", "pk")
    )


# --- the portfolio -----------------------------------------------------------------------------------------------


@dataclass
class PortfolioRow:
    use_case: UseCase
    evaluation: Evaluation | None
    raw: dict[str, float | None]
    components: dict[str, float | None]
    score: float | None
    rank: int
    regions: int

    @property
    def npv(self) -> float | None:
        return self.evaluation.plan.npv if self.evaluation else None

    @property
    def pv_costs(self) -> float | None:
        return self.evaluation.plan.pv_costs if self.evaluation else None


@dataclass
class Portfolio:
    rows: list[PortfolioRow]
    weights: dict[str, float]
    settings: EvaluationSettings
    scale_candidates: list[PortfolioRow]
    stop_candidates: list[tuple[PortfolioRow, list[StopReason]]]
    total_regions: int


#: Why a use case is a stop candidate: ("costs", None) for costs rising, ("benefits", date) for a target date
#: passed without the target met (the earliest such date).
StopReason = tuple[str, dt.date | None]


def stop_reasons(evaluation: Evaluation | None, today: dt.date) -> list[StopReason]:
    if evaluation is None:
        return []
    reasons: list[StopReason] = []
    if evaluation.costs_rising:
        reasons.append(("costs", None))
    late = [
        m.metric.target_date
        for m in evaluation.metrics
        if m.metric.target_date is not None and m.metric.target_date < today and not m.met
    ]
    if late:
        reasons.append(("benefits", min(late)))
    return reasons


def stop_reason_text(reason: StopReason) -> str:
    """A stop candidate's reason in words (pages and the briefing)."""
    from django.utils.translation import gettext as _

    code, day = reason
    if code == "costs":
        return _("costs rising")
    return _("benefits unproven past %(date)s") % {"date": day.isoformat() if day else "—"}


#: A scale candidate has met a target and runs in at most this many regions.
SCALE_MAX_REGIONS = 3


def portfolio(
    user: Any,
    *,
    weights: Mapping[str, float] | None = None,
    organisation_ids: Sequence[int] | None = None,
    today: dt.date | None = None,
) -> Portfolio:
    """The use cases the user can see (not retired), scored on value, strategic fit, risk, readiness and cost
    with the HQ's weights (or ``weights`` for a what-if), ranked; and the scale and stop candidates."""
    from aihq.regulation.models import CLOSED_STATES, IncidentSeverity, IncidentStatus

    today = today or dt.date.today()
    settings = current_settings()
    chosen = dict(settings.weights if weights is None else weights)
    # Scoped as everywhere; only the organisation is needed here, not the lists' sectors and regions.
    cases = UseCase.objects.restrict(user, "view").select_related("organisation").exclude(stage=Stage.RETIRED)
    if organisation_ids is not None:
        cases = cases.filter(organisation_id__in=organisation_ids)
    cases = cases.annotate(
        n_regions=Count("regions", distinct=True),
        n_contributions=Count("contributions", distinct=True),
    ).order_by("pk")
    case_list = list(cases)
    ids = [c.pk for c in case_list]
    evaluations = evaluate_many(ids, settings, today)
    risk_max: dict[int, int] = {}
    from aihq.regulation.models import Incident, RequirementStatus, Risk, RiskStatus

    for chunk in _chunks(ids, 5000):
        for use_case_id, likelihood, severity, residual_likelihood, residual_severity in (
            Risk.objects.filter(use_case_id__in=chunk)
            .exclude(status=RiskStatus.CLOSED)
            .values_list("use_case_id", "likelihood", "severity", "residual_likelihood", "residual_severity")
        ):
            # rated after mitigation where that is known (Risk.residual_score), else before
            both = residual_likelihood is not None and residual_severity is not None
            score = residual_likelihood * residual_severity if both else likelihood * severity
            risk_max[use_case_id] = max(risk_max.get(use_case_id, 0), score)
    serious: dict[int, int] = defaultdict(int)
    requirement_share: dict[int, float] = {}
    for chunk in _chunks(ids, 5000):
        for row in (
            Incident.objects.filter(use_case_id__in=chunk)
            .exclude(status=IncidentStatus.CLOSED)
            .exclude(severity=IncidentSeverity.MINOR)
            .values("use_case_id")
            .annotate(n=Count("pk"))
        ):
            serious[row["use_case_id"]] = row["n"]
        for row in (
            RequirementStatus.objects.filter(use_case_id__in=chunk, applicable=True, mandatory=True)
            .values("use_case_id")
            .annotate(total=Count("pk"), closed=Count("pk", filter=Q(status__in=CLOSED_STATES)))
        ):
            requirement_share[row["use_case_id"]] = row["closed"] / row["total"] if row["total"] else 0.0
    raw: dict[int, dict[str, float | None]] = {}
    for case in case_list:
        evaluation = evaluations.get(case.pk)
        rank_ = stage_rank(case.stage)
        stage_part = max(rank_, 0) / 3
        share = requirement_share.get(case.pk)
        # Figures in another currency than the HQ's reporting currency are not compared with the others.
        comparable = evaluation is not None and evaluation.currency == settings.currency
        raw[case.pk] = {
            "value": evaluation.plan.npv if evaluation and comparable else None,
            "fit": float(case.n_contributions),
            "risk": float(risk_max.get(case.pk, 0) + 5 * serious.get(case.pk, 0)),
            "readiness": stage_part if share is None else (stage_part + share) / 2,
            "cost": evaluation.plan.pv_costs if evaluation and comparable else None,
        }
    # No cost–benefit figure is no evidence of value: it scores as the lowest value in the portfolio (the raw
    # figures shown stay as they are).
    known_values = [r["value"] for r in raw.values() if r["value"] is not None]
    floor = min(known_values) if known_values else None
    scored = {pk: {**criteria, "value": floor if criteria["value"] is None else criteria["value"]}
              for pk, criteria in raw.items()}  # fmt: skip
    ranked = engine.rank(scored, chosen)
    by_id = {c.pk: c for c in case_list}
    rows = [
        PortfolioRow(
            use_case=by_id[item.key],
            evaluation=evaluations.get(item.key),
            raw=raw[item.key],
            components=item.components,
            score=item.score,
            rank=position,
            regions=by_id[item.key].n_regions,
        )
        for position, item in enumerate(ranked, start=1)
    ]
    total_regions = Region.objects.count()
    scale = [
        row
        for row in rows
        if row.evaluation is not None
        and any(m.met for m in row.evaluation.metrics)
        and row.use_case.stage in (Stage.PILOT, Stage.PRODUCTION)
        and 1 <= row.regions <= SCALE_MAX_REGIONS
        and row.regions < total_regions
    ]
    stop: list[tuple[PortfolioRow, list[StopReason]]] = []
    for row in rows:
        reasons = stop_reasons(row.evaluation, today)
        if len(reasons) == 2:
            stop.append((row, reasons))
    return Portfolio(
        rows=rows,
        weights=chosen,
        settings=settings,
        scale_candidates=scale,
        stop_candidates=stop,
        total_regions=total_regions,
    )
