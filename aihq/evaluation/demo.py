"""Illustrative evaluations for the Russian demo use cases: benefit metrics with baselines, targets and quarterly
measurements, planned and actual costs in roubles, and stage-gate reviews that tell a few stories — a pilot asking
to go to production, one sent on with conditions, one held, one proven in a single region and asking to scale.

Every figure is invented for the demo (deterministic: the same on every machine for the same date)."""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass
from typing import Any

from aihq.evaluation import services
from aihq.evaluation.models import BenefitMetric, CostCategory, CostKind, GateDecision, GateKind, MetricKind
from aihq.objectives.models import Direction
from aihq.registry.models import Region, Stage, UseCase


@dataclass(frozen=True)
class Story:
    kind: str
    unit: str
    direction: str
    baseline: float
    target: float
    value_per_unit: float  # roubles a year for one unit of improvement
    achieved: float  # share of the promised improvement measured by now
    capex: float  # roubles, first year
    opex: float  # roubles a year
    overrun: float = 0.0  # actual costs above plan, growing each year


M = 1_000_000.0
STORIES: dict[str, Story] = {
    # a pilot that works and asks to go to production
    "RU-DEMO-001": Story(MetricKind.PROCESSING_TIME, "minutes per request", Direction.DECREASE, 12, 4, 9 * M, 0.8,
                         60 * M, 25 * M),
    # a strong performer in production
    "RU-DEMO-012": Story(MetricKind.STAFF_HOURS, "hours a year", Direction.INCREASE, 0, 400_000, 300, 1.1, 40 * M,
                         12 * M),
    # costs rising, accuracy never reached: a stop candidate, its review held
    "RU-DEMO-041": Story(MetricKind.ACCURACY, "%", Direction.INCREASE, 70, 95, 1.2 * M, 0.2, 35 * M, 10 * M, 0.25),
    # proven in one region: a scale candidate
    "RU-DEMO-043": Story(MetricKind.PROCESSING_TIME, "minutes of waiting", Direction.DECREASE, 48, 30, 2.5 * M, 1.05,
                         18 * M, 6 * M),
    # sent on to production with conditions
    "RU-DEMO-010": Story(MetricKind.THROUGHPUT, "km surveyed a day", Direction.INCREASE, 40, 400, 150_000, 0.9,
                         30 * M, 9 * M),
}  # fmt: skip

KINDS = [
    (MetricKind.PROCESSING_TIME, "minutes per case", Direction.DECREASE, (20, 90), (0.3, 0.7)),
    (MetricKind.COST_PER_CASE, "roubles per case", Direction.DECREASE, (300, 2000), (0.4, 0.8)),
    (MetricKind.ACCURACY, "%", Direction.INCREASE, (60, 80), (1.1, 1.25)),
    (MetricKind.STAFF_HOURS, "hours a year", Direction.INCREASE, (0, 0), (0, 0)),
    (MetricKind.SATISFACTION, "score of 5", Direction.INCREASE, (3.0, 3.8), (1.1, 1.25)),
]


def _generated(reference: str) -> Story:
    rng = random.Random(reference)  # noqa: S311 (illustrative figures, not secrets)
    kind, unit, direction, (low, high), (f_low, f_high) = rng.choice(KINDS)
    baseline = round(rng.uniform(low, high), 1)
    if kind == MetricKind.STAFF_HOURS:
        target = float(rng.randrange(20_000, 300_000, 5_000))
    else:
        target = round(baseline * rng.uniform(f_low, f_high), 1)
    gain = abs(target - baseline)
    capex = float(rng.randrange(10, 120)) * M
    opex = round(capex * rng.uniform(0.15, 0.35), -5)
    # value so that the plan's benefit–cost ratio lands between about 0.6 and 3
    yearly_benefit = (capex + 5 * opex) * rng.uniform(0.6, 3.0) / 5
    return Story(
        kind=kind,
        unit=unit,
        direction=direction,
        baseline=baseline,
        target=target,
        value_per_unit=round(yearly_benefit / gain, 2) if gain else 0.0,
        achieved=rng.uniform(0.6, 1.25),
        capex=capex,
        opex=opex,
        overrun=rng.choice([0.0, 0.0, 0.0, 0.05, 0.15]),
    )


def _load_one(actor: Any, use_case: UseCase, story: Story, today: dt.date) -> None:
    start = min((use_case.date_initiated or dt.date(today.year - 2, 1, 1)).year, today.year - 1)
    start = max(start, today.year - 4)
    go_live = start + 1
    metric = services.metric_create(
        actor=actor,
        use_case=use_case,
        kind=story.kind,
        unit=story.unit,
        direction=story.direction,
        baseline=story.baseline,
        baseline_date=dt.date(start, 1, 15),
        target=story.target,
        target_date=dt.date(go_live + 1, 6, 30),
        value_per_unit=story.value_per_unit or None,
        currency="RUB" if story.value_per_unit else "",
        benefits_from=go_live,
    )
    services.cost_create(
        actor=actor, use_case=use_case, year=start, category=CostCategory.DEVELOPMENT, kind=CostKind.CAPITAL,
        planned=story.capex, actual=story.capex * (1 + story.overrun) if start < today.year else None, currency="RUB",
    )  # fmt: skip
    for year in range(go_live, start + 6):
        past = year < today.year
        growth = (1 + story.overrun) ** (year - start)
        services.cost_create(
            actor=actor, use_case=use_case, year=year, category=CostCategory.COMPUTE, kind=CostKind.OPERATING,
            planned=round(story.opex * 0.4), actual=round(story.opex * 0.4 * growth) if past else None, currency="RUB",
        )  # fmt: skip
        services.cost_create(
            actor=actor, use_case=use_case, year=year, category=CostCategory.STAFF, kind=CostKind.OPERATING,
            planned=round(story.opex * 0.6), actual=round(story.opex * 0.6 * growth) if past else None, currency="RUB",
        )  # fmt: skip
    _measure(actor, metric, story, dt.date(go_live, 3, 31), today)
    _risks(actor, use_case)


RISKS = [
    ("1.1", "Unequal accuracy across population groups", "Ошибки чаще для отдельных групп населения"),
    ("2.1", "Personal data exposed through logs or outputs", "Утечка персональных данных через журналы или ответы"),
    ("3.1", "Confidently wrong answers acted upon", "Уверенные, но неверные ответы принимаются к исполнению"),
    ("5.2", "Staff stop checking the system's output", "Сотрудники перестают проверять результаты системы"),
    ("6.5", "Dependence on one foreign supplier", "Зависимость от одного иностранного поставщика"),
    ("7.3", "Performance degrades as data drifts", "Качество падает по мере изменения данных"),
]


def _risks(actor: Any, use_case: UseCase) -> None:
    """Up to three risks per evaluated use case, rated before and after mitigation."""
    from aihq.regulation.services import risk_create

    rng = random.Random(f"{use_case.reference}-risks")  # noqa: S311
    for category, title_en, title_ru in rng.sample(RISKS, rng.randint(0, 3)):
        likelihood, severity = rng.randint(2, 5), rng.randint(2, 5)
        risk_create(
            actor=actor,
            use_case=use_case,
            title=title_ru if use_case.name[:1].isalpha() and not use_case.name[:1].isascii() else title_en,
            category=category,
            likelihood=likelihood,
            severity=severity,
            residual_likelihood=max(1, likelihood - rng.randint(0, 2)),
            residual_severity=max(1, severity - rng.randint(0, 1)),
        )


def _measure(actor: Any, metric: BenefitMetric, story: Story, first: dt.date, today: dt.date) -> None:
    """Quarterly measurements from go-live to today, improving towards the share of the promise achieved."""
    quarters: list[dt.date] = []
    day = _quarter_end(first)
    while day <= today and len(quarters) < 16:
        quarters.append(day)
        day = _quarter_end(day + dt.timedelta(days=1))
    if not quarters:
        return
    rng = random.Random(f"{metric.use_case_id}-measure")  # noqa: S311
    sign = -1 if story.direction == Direction.DECREASE else 1
    promised = abs(story.target - story.baseline)
    for index, when in enumerate(quarters, start=1):
        share = story.achieved * min(1.0, index / len(quarters)) * rng.uniform(0.92, 1.03)
        value = round(story.baseline + sign * promised * share, 1)
        services.measurement_add(
            actor=actor,
            metric=metric,
            measured_on=when,
            value=value,
            source="Operational statistics (demo)",
            evidence="",
        )


def _quarter_end(day: dt.date) -> dt.date:
    month = ((day.month - 1) // 3 + 1) * 3
    following = dt.date(day.year + (month == 12), month % 12 + 1, 1)
    return following - dt.timedelta(days=1)


def _reviews(actor: Any, today: dt.date) -> int:
    by_ref = {uc.reference: uc for uc in UseCase.objects.filter(reference__in=list(STORIES))}
    made = 0
    if "RU-DEMO-010" in by_ref and by_ref["RU-DEMO-010"].stage == Stage.PILOT:
        roads = by_ref["RU-DEMO-010"]
        review = services.review_request(
            actor=actor, use_case=roads, to_stage=Stage.PRODUCTION,
            justification="The pilot on two regions' federal roads surveyed 360 km a day against 40 by crews.",
        )  # fmt: skip
        services.review_decide(
            actor=actor, review=review, decision=GateDecision.GO_WITH_CONDITIONS,
            rationale="Throughput proven; accuracy on wet asphalt still to be shown.",
            criteria={"benefits_evidenced": {"met": True, "note": "Quarterly surveys"},
                      "budget_approved": {"met": True, "note": "Road fund line 2026"}},
            conditions=[("Report accuracy on wet asphalt", today - dt.timedelta(days=20)),
                        ("Publish the record in the public register", today + dt.timedelta(days=60))],
        )  # fmt: skip
        from aihq.registry.services import use_case_update

        use_case_update(actor=actor, use_case=roads, stage=Stage.PRODUCTION)
        made += 1
    if "RU-DEMO-001" in by_ref and by_ref["RU-DEMO-001"].stage == Stage.PILOT:
        services.review_request(
            actor=actor, use_case=by_ref["RU-DEMO-001"], to_stage=Stage.PRODUCTION,
            justification="Answers cut the time to resolve a request from 12 to under 6 minutes in the pilot.",
        )  # fmt: skip
        made += 1
    if "RU-DEMO-041" in by_ref and by_ref["RU-DEMO-041"].stage == Stage.PILOT:
        review = services.review_request(
            actor=actor, use_case=by_ref["RU-DEMO-041"], to_stage=Stage.PRODUCTION,
            justification="The city wants the system on every crossing.",
        )  # fmt: skip
        services.review_decide(
            actor=actor, review=review, decision=GateDecision.HOLD,
            rationale="Accuracy stays far below the 95 % promised, and costs rise every year.",
            criteria={"benefits_evidenced": {"met": False, "note": "74 % accuracy"},
                      "budget_approved": {"met": False, "note": "Overrun 25 % a year"}},
        )  # fmt: skip
        made += 1
    if "RU-DEMO-043" in by_ref:
        regions = list(Region.objects.filter(code__in=["RU-TA", "RU-SAM", "RU-PER"]))
        if regions:
            services.review_request(
                actor=actor, use_case=by_ref["RU-DEMO-043"], kind=GateKind.SCALE, regions=regions,
                justification="Waiting time fell by 19 minutes in Nizhny Novgorod's clinics.",
            )  # fmt: skip
            made += 1
    return made


def load_evaluation(*, actor: Any, today: dt.date | None = None) -> dict[str, int]:
    """Evaluations for the Russian demo use cases in development, pilot or production (once)."""
    if BenefitMetric.objects.exists():
        return {"evaluations": 0}
    today = today or dt.date.today()
    services.settings_update(actor=actor, currency="RUB")
    use_cases = (
        UseCase.objects.filter(reference__startswith="RU-DEMO-")
        .filter(stage__in=[Stage.DEVELOPMENT, Stage.PILOT, Stage.PRODUCTION])
        .order_by("reference")
    )
    count = 0
    for use_case in use_cases:
        story = STORIES.get(use_case.reference) or _generated(use_case.reference)
        _load_one(actor, use_case, story, today)
        count += 1
    return {"evaluations": count, "gate_reviews": _reviews(actor, today)}
