"""The quarterly briefing pack: the portfolio, objectives, risks and incidents, compliance and evaluation of what
a user may see (or of one organisation and those below it), as plain data (``collect``) and as a PDF
(``render_pdf``, WeasyPrint).

``collect`` does not depend on the active language: names kept in English and Russian are stored as ``Text`` and
choice fields as codes, so one briefing renders in either language. Figures are formatted when the template
prints them, under the language ``render_pdf`` activates.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import importlib
import io
import logging
import math
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.db.models import Count, F, Q, QuerySet
from django.db.models.functions import Coalesce
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.formats import number_format
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from aihq.core.i18n import localised
from aihq.evaluation import charts
from aihq.evaluation import selectors as evaluation_selectors
from aihq.evaluation.forms import parse_period
from aihq.evaluation.models import BenefitMeasurement, GateDecision, GateKind, GateReview
from aihq.registry.models import Organisation, Stage

FONTS = Path(__file__).resolve().parent / "data" / "fonts"
TEMPLATE = "evaluation/briefing.html"
TOP = 10
#: Rows of a long list the pack prints before it says how many more there are.
MAX_INDICATORS = 30
MAX_INCIDENTS = 15
MAX_REVIEWS = 10
CHART_WIDTH = 640

LIVE_STAGES = (Stage.PILOT, Stage.PRODUCTION)
ACTIVE_STAGES = (Stage.PLANNED, Stage.DEVELOPMENT, Stage.PILOT, Stage.PRODUCTION)
SERIOUS_SEVERITIES = ("serious", "very_serious", "critical")
#: Ratings best first, as the RAG bar reads left to right.
RAG_DISPLAY_ORDER = ("green", "amber_green", "amber_red", "red", "insufficient_data")
RAG_COLOURS = {
    "green": charts.GREEN,
    "amber_green": "#b7950b",
    "amber_red": charts.AMBER,
    "red": charts.RED,
    "insufficient_data": charts.NO_DATA,
}
SEVERITY_COLOURS = {"minor": charts.NO_DATA, "serious": charts.AMBER, "very_serious": charts.RED, "critical": "#7b241c"}
LEVEL_COLOURS = {"low": charts.GREEN, "medium": "#b7950b", "high": charts.AMBER, "critical": charts.RED}
MINUS = "\u2212"


# --- display helpers: formatted when printed, in the language active then ---------------------------------------


@dataclass(frozen=True)
class Text:
    """A name kept in English and Russian, printed in the active language (the other one when it is missing)."""

    en: str
    ru: str = ""

    def __str__(self) -> str:
        return localised(self.en, self.ru)


def _number(value: float, places: int) -> str:
    text = str(number_format(round(abs(value), places), decimal_pos=places, force_grouping=True))
    return (MINUS if value < 0 and round(value, places) != 0 else "") + text


def not_enough_data() -> str:
    return _("not enough data")


def fmt_amount(value: float | None, currency: str = "") -> str:
    """``1,234.6 m RUB`` from a million up (tables stay narrow), ``12,345 RUB`` below, and two decimals below
    10,000 (``73.18 RUB``)."""
    if value is None or not math.isfinite(value):
        return not_enough_data()
    if abs(value) >= 1_000_000:
        text = _("%(amount)s m") % {"amount": _number(value / 1_000_000, 1)}
    else:
        text = _number(value, 0 if abs(value) >= 10_000 else 2)
    return f"{text}\u00a0{currency}" if currency else text


def fmt_ratio(value: float | None) -> str:
    return not_enough_data() if value is None or not math.isfinite(value) else _number(value, 2)


def fmt_years(value: float | None) -> str:
    return not_enough_data() if value is None or not math.isfinite(value) else _number(value, 1)


def fmt_count(value: int) -> str:
    return _number(value, 0)


def fmt_percent(value: float | None) -> str:
    """A share (0.916) as ``92 %``; a dash when undefined."""
    if value is None or not math.isfinite(value):
        return "—"
    if 0 < abs(value) < 0.005:  # a handful among thousands is not "0 %"
        return "<\u00a01\u00a0%"
    return f"{_number(value * 100, 0)}\u00a0%"


def fmt_figure(value: float | None) -> str:
    """A measured or planned indicator value with sensible precision; a dash when undefined."""
    if value is None or not math.isfinite(value):
        return "—"
    magnitude = abs(value)
    return _number(value, 0 if magnitude >= 1000 else 1 if magnitude >= 10 else 2)


def stage_label(code: str) -> str:
    return str(Stage(code).label) if code in Stage.values else code


def rag_label(code: str) -> str:
    labels = {
        "green": _("Green"),
        "amber_green": _("Amber-green"),
        "amber_red": _("Amber-red"),
        "red": _("Red"),
        "insufficient_data": _("Insufficient data"),
    }
    return labels.get(code, code)


def _choice_label(choices: Any, code: str) -> str:
    return str(choices(code).label) if code in choices.values else code


# --- the briefing as plain data ---------------------------------------------------------------------------------


class Printable:
    """Template helpers: ``<field>_n`` prints an integer field with thousands separators, ``<field>_pct`` a share
    as a whole percentage, both in the active language (templates cannot pass arguments to a formatter)."""

    def __getattr__(self, name: str) -> str:
        for suffix, formatter in (("_n", fmt_count), ("_pct", fmt_percent)):
            base = name[: -len(suffix)]
            if name.endswith(suffix) and base and not base.startswith("_"):
                return formatter(object.__getattribute__(self, base))  # type: ignore[operator]
        raise AttributeError(name)


@dataclass
class StageCount(Printable):
    stage: str
    count: int

    @property
    def label(self) -> str:
        return stage_label(self.stage)


@dataclass
class OrganisationCount(Printable):
    code: str
    name: Text
    total: int
    live: int
    generative: int


@dataclass
class Glance(Printable):
    """Section 1: how many use cases there are, at which stage, where."""

    total: int
    live: int
    pilot: int
    production: int
    generative: int
    organisations: int
    by_stage: list[StageCount]
    by_organisation: list[OrganisationCount]
    elsewhere: int  # use cases of organisations outside the top 10
    registered_in_period: int

    @property
    def generative_share(self) -> float | None:
        return self.generative / self.total if self.total else None

    @property
    def live_share(self) -> float | None:
        return self.live / self.total if self.total else None


@dataclass
class QuarterFigures(Printable):
    """What happened in the quarter: items dated within it."""

    incidents: int
    serious_incidents: int
    indicator_values: int
    benefit_measurements: int
    gate_decisions: int


@dataclass
class IndicatorRow(Printable):
    code: str
    name: Text
    objective: Text
    owner: str
    unit: Text
    rag: str
    computed_rag: str
    override_reason: str
    actual: float | None
    forecast: float | None
    target: float | None
    target_at: dt.date | None
    probability: float | None
    achievement: float | None
    ratio: float | None

    @property
    def rag_label(self) -> str:
        return rag_label(self.rag)

    @property
    def rag_colour(self) -> str:
        return RAG_COLOURS.get(self.rag, charts.NO_DATA)

    @property
    def overridden(self) -> bool:
        return self.rag != self.computed_rag

    @property
    def computed_label(self) -> str:
        return rag_label(self.computed_rag)

    @property
    def actual_text(self) -> str:
        return fmt_figure(self.actual)

    @property
    def forecast_text(self) -> str:
        return fmt_figure(self.forecast)

    @property
    def target_text(self) -> str:
        return fmt_figure(self.target)


@dataclass
class Objectives(Printable):
    """Section 2: each indicator's national rating at the quarter's end, and the stocktake (red, amber-red)."""

    at: dt.date
    indicators: list[IndicatorRow]
    total: int
    counts: dict[str, int]
    stocktake: list[IndicatorRow]


@dataclass
class RiskRow(Printable):
    title: str
    use_case: str
    organisation: str
    organisation_name: Text
    likelihood: int
    severity: int
    residual_likelihood: int | None
    residual_severity: int | None
    score: int
    status: str

    @property
    def level(self) -> str:
        from aihq.regulation.selectors import risk_level

        return risk_level(self.score)

    @property
    def level_label(self) -> str:
        labels = {"low": _("Low"), "medium": _("Medium"), "high": _("High"), "critical": _("Critical")}
        return labels[self.level]

    @property
    def level_colour(self) -> str:
        return LEVEL_COLOURS[self.level]

    @property
    def status_label(self) -> str:
        from aihq.regulation.models import RiskStatus

        return _choice_label(RiskStatus, self.status)


@dataclass
class IncidentRow(Printable):
    title: str
    use_case: str
    organisation: str
    severity: str
    status: str
    detected_on: dt.date
    reported_on: dt.date | None
    deadline: dt.date | None
    deadline_cite: str
    deadline_framework: str
    deadline_overdue: bool

    @property
    def severity_label(self) -> str:
        from aihq.regulation.models import IncidentSeverity

        return _choice_label(IncidentSeverity, self.severity)

    @property
    def severity_colour(self) -> str:
        return SEVERITY_COLOURS.get(self.severity, charts.NO_DATA)

    @property
    def status_label(self) -> str:
        from aihq.regulation.models import IncidentStatus

        return _choice_label(IncidentStatus, self.status)


@dataclass
class Risks(Printable):
    """Section 3: the highest open risks and the open serious incidents with their reporting deadlines."""

    open_risks: int
    high_risks: int  # scored 10 or more
    top_risks: list[RiskRow]
    serious_open: int
    incidents: list[IncidentRow]  # the first MAX_INCIDENTS, overdue deadlines first
    overdue_deadlines: int


@dataclass
class FrameworkCompliance(Printable):
    code: str
    title: Text
    total: int
    met: int
    not_applicable: int
    waived: int
    in_progress: int
    not_started: int
    overdue: int

    @property
    def closed(self) -> int:
        return self.met + self.not_applicable + self.waived

    @property
    def excused(self) -> int:
        return self.not_applicable + self.waived

    @property
    def share(self) -> float | None:
        return self.closed / self.total if self.total else None


@dataclass
class OverdueRequirement:
    use_case: str
    organisation: str
    framework: str
    cite: str
    title: Text
    status: str
    due_date: dt.date | None

    @property
    def status_label(self) -> str:
        from aihq.regulation.models import RequirementState

        return _choice_label(RequirementState, self.status)


@dataclass
class Compliance(Printable):
    """Section 4: mandatory, applicable requirements by framework, and the overdue ones."""

    as_of: dt.date
    frameworks: list[FrameworkCompliance]
    total: FrameworkCompliance
    overdue: list[OverdueRequirement]
    overdue_count: int


@dataclass
class ValueRow(Printable):
    """One use case's cost–benefit figures (the plan) and its place in the scored portfolio."""

    rank: int
    use_case: str
    organisation: str
    stage: str
    currency: str
    ok: bool
    pv_costs: float | None
    pv_benefits: float | None
    npv: float | None
    bcr: float | None
    roi: float | None
    payback_years: float | None
    delivered_npv: float | None
    score: float | None
    risk: float | None
    regions: int
    reasons: list[tuple[str, dt.date | None]] = field(default_factory=list)  # stop candidates: (code, date)

    @property
    def stage_label(self) -> str:
        return stage_label(self.stage)

    @property
    def pv_costs_text(self) -> str:
        return fmt_amount(self.pv_costs, self.currency)

    @property
    def pv_benefits_text(self) -> str:
        return fmt_amount(self.pv_benefits, self.currency)

    @property
    def npv_text(self) -> str:
        return fmt_amount(self.npv, self.currency)

    @property
    def delivered_npv_text(self) -> str:
        return fmt_amount(self.delivered_npv, self.currency)

    @property
    def bcr_text(self) -> str:
        return fmt_ratio(self.bcr)

    @property
    def roi_text(self) -> str:
        return fmt_ratio(self.roi)

    @property
    def payback_text(self) -> str:
        if self.ok and self.payback_years is None:  # the figures are there: it never pays back
            return _("not paid back")
        return fmt_years(self.payback_years)

    @property
    def score_text(self) -> str:
        return "—" if self.score is None else _number(self.score, 1)

    @property
    def risk_text(self) -> str:
        return "—" if self.risk is None else _number(self.risk, 0)

    @property
    def reason_texts(self) -> list[str]:
        return [evaluation_selectors.stop_reason_text(reason) for reason in self.reasons]


@dataclass
class ReviewRow(Printable):
    use_case: str
    organisation: str
    kind: str
    from_stage: str
    to_stage: str
    regions: int
    requested_on: dt.date
    requested_by: str
    waiting_days: int

    @property
    def change(self) -> str:
        if self.kind == GateKind.SCALE:
            return _("scale to more regions (%(count)s)") % {"count": self.regions}
        return f"{stage_label(self.from_stage)} → {stage_label(self.to_stage)}"


@dataclass
class ConditionRow(Printable):
    use_case: str
    organisation: str
    text: str
    due_date: dt.date
    days_overdue: int


@dataclass
class Value(Printable):
    """Section 5: what the portfolio is worth, what to scale, what to stop, and the gate decisions waiting."""

    scored: int
    appraised: int  # plan figures complete
    best: list[ValueRow]
    worst: list[ValueRow]
    top: list[ValueRow]
    scale: list[ValueRow]
    stop: list[ValueRow]
    plotted: list[ValueRow]  # appraised rows for the value-vs-risk chart
    reviews: list[ReviewRow]
    reviews_count: int
    conditions: list[ConditionRow]
    conditions_count: int
    weights: dict[str, float]
    discount_rate: float

    @property
    def currencies(self) -> list[str]:
        return sorted({row.currency for row in self.plotted if row.currency})


@dataclass
class Briefing(Printable):
    """Everything the briefing pack prints, for one scope and one quarter."""

    period: str
    start: dt.date
    end: dt.date
    prepared: dt.date
    scope_code: str  # blank: every organisation the user may see
    scope_name: Text
    glance: Glance
    quarter: QuarterFigures
    objectives: Objectives
    risks: Risks
    compliance: Compliance
    value: Value

    @property
    def everything(self) -> bool:
        return not self.scope_code


# --- collecting -------------------------------------------------------------------------------------------------


def _scoped(queryset: QuerySet[Any], path: str, ids: set[int] | None) -> QuerySet[Any]:
    return queryset if ids is None else queryset.filter(**{f"{path}__in": ids})


def collect(
    user: Any,
    *,
    organisation: Organisation | None = None,
    period: str,
    today: dt.date | None = None,
    on_step: Callable[[str], None] | None = None,
) -> Briefing:
    """The briefing of what ``user`` may see (a ``SystemActor`` sees everything) for the quarter ``period``
    (``YYYY-QN``), of ``organisation`` and its sub-organisations when given. ValueError for a bad period.
    ``on_step`` hears the name of each part before it is read (for a progress display)."""
    from aihq.registry.selectors import organisation_subtree_ids

    bounds = parse_period(period)
    if bounds is None:
        raise ValueError(f"Give the period as YYYY-QN, such as 2026-Q4 (not {period!r}).")
    start, end = bounds
    today = today or dt.date.today()
    ids = None if organisation is None else organisation_subtree_ids({organisation.pk})

    def step(name: str) -> None:
        if on_step is not None:
            on_step(name)

    step("the portfolio")
    glance = _glance(user, organisation, ids, start, end)
    quarter = _quarter(user, ids, start, end)
    step("objectives")
    objectives = _objectives(user, ids, end)
    step("risks and incidents")
    risks = _risks(user, ids, today)
    step("compliance")
    compliance = _compliance(user, ids, today)
    step("evaluation")
    value = _value(user, ids, today)
    return Briefing(
        period=period.strip().upper(),
        start=start,
        end=end,
        prepared=today,
        scope_code=organisation.code if organisation else "",
        scope_name=Text(organisation.name_en, organisation.name_ru) if organisation else Text(""),
        glance=glance,
        quarter=quarter,
        objectives=objectives,
        risks=risks,
        compliance=compliance,
        value=value,
    )


def _glance(user: Any, organisation: Organisation | None, ids: set[int] | None, start: dt.date, end: dt.date) -> Glance:
    from aihq.accounts.permissions import scope_for
    from aihq.registry.selectors import rollup_targets, use_case_list

    cases = _scoped(use_case_list(user), "organisation_id", ids).exclude(stage=Stage.RETIRED).prefetch_related(None)
    by_stage = dict(cases.order_by().values_list("stage").annotate(n=Count("id")).values_list("stage", "n"))
    per_org = list(
        cases.order_by()
        .values("organisation_id")
        .annotate(
            n=Count("id"),
            live=Count("id", filter=Q(stage__in=LIVE_STAGES)),
            generative=Count("id", filter=Q(is_generative=True)),
        )
    )
    # Roll bureaus and units up into their ministry (as the dashboard does); within one organisation's pack,
    # into the organisation's direct children.
    nodes = {pk: (parent, kind) for pk, parent, kind in Organisation.objects.values_list("id", "parent_id", "kind")}
    scope = scope_for(user)
    visible: set[int] | None = None if scope.sees_everything else set(scope.view_org_ids)
    if organisation is not None and ids is not None:
        visible = (ids - {organisation.pk}) if visible is None else (ids - {organisation.pk}) & visible
    targets = rollup_targets(nodes, visible)
    totals: dict[int, list[int]] = {}
    for row in per_org:
        target = targets.get(row["organisation_id"], row["organisation_id"])
        item = totals.setdefault(target, [0, 0, 0])
        item[0] += row["n"]
        item[1] += row["live"]
        item[2] += row["generative"]
    ordered = sorted(totals.items(), key=lambda item: (-item[1][0], item[0]))
    names = Organisation.objects.in_bulk([pk for pk, _counts in ordered[:TOP]])
    total = sum(by_stage.values())
    top = [
        OrganisationCount(names[pk].code, Text(names[pk].name_en, names[pk].name_ru), n, live, generative)
        for pk, (n, live, generative) in ordered[:TOP]
    ]
    return Glance(
        total=total,
        live=sum(by_stage.get(s, 0) for s in LIVE_STAGES),
        pilot=by_stage.get(Stage.PILOT, 0),
        production=by_stage.get(Stage.PRODUCTION, 0),
        generative=cases.filter(is_generative=True).count(),
        organisations=len(per_org),
        by_stage=[StageCount(stage, by_stage.get(stage, 0)) for stage in ACTIVE_STAGES],
        by_organisation=top,
        elsewhere=total - sum(item.total for item in top),
        registered_in_period=cases.filter(created_at__date__range=(start, end)).count(),
    )


def _quarter(user: Any, ids: set[int] | None, start: dt.date, end: dt.date) -> QuarterFigures:
    from aihq.objectives.selectors import measurement_list
    from aihq.regulation.selectors import incidents

    in_period = _scoped(incidents(user), "use_case__organisation_id", ids).filter(detected_on__range=(start, end))
    values = measurement_list(user).filter(period_end__range=(start, end))
    if ids is not None:
        values = values.filter(organisation_id__in=ids)
    benefit = BenefitMeasurement.objects.restrict(user).filter(measured_on__range=(start, end))
    decided = GateReview.objects.restrict(user).exclude(decision=GateDecision.PENDING)
    return QuarterFigures(
        incidents=in_period.count(),
        serious_incidents=in_period.filter(severity__in=SERIOUS_SEVERITIES).count(),
        indicator_values=values.count(),
        benefit_measurements=_scoped(benefit, "metric__use_case__organisation_id", ids).count(),
        gate_decisions=_scoped(decided, "use_case__organisation_id", ids)
        .filter(decided_at__date__range=(start, end))
        .count(),
    )


def _indicator_row(indicator: Any, rated: Any) -> IndicatorRow:
    status = rated.status
    owner = indicator.responsible
    target_at = None
    if status.target_at is not None:
        from aihq.objectives import engine

        target_at = engine.from_day_number(status.target_at)
    return IndicatorRow(
        code=indicator.code,
        name=Text(indicator.name_en or indicator.code, indicator.name_ru),
        objective=Text(indicator.objective.title_en or indicator.objective.code, indicator.objective.title_ru),
        owner=owner.code if owner else "",
        unit=Text(indicator.unit, indicator.unit_ru),
        rag=rated.rag,
        computed_rag=rated.computed_rag,
        override_reason=rated.override.reason if rated.override is not None else "",
        actual=status.actual,
        forecast=status.forecast.value if status.forecast is not None else None,
        target=status.target,
        target_at=target_at,
        probability=status.probability,
        achievement=status.achievement,
        ratio=status.ratio,
    )


def _objectives(user: Any, ids: set[int] | None, at: dt.date) -> Objectives:
    from aihq.objectives import engine
    from aihq.objectives.selectors import indicator_list, national_statuses, rag_counts

    queryset = indicator_list(user)
    if ids is not None:  # the organisation's own indicators and those its use cases contribute to
        queryset = queryset.filter(
            Q(owner_id__in=ids)
            | Q(owner__isnull=True, objective__owner_id__in=ids)
            | Q(contributions__use_case__organisation_id__in=ids)
        ).distinct()
    indicators = list(queryset.order_by("objective__code", "code"))
    statuses = national_statuses(indicators, user, at)
    rows = [_indicator_row(i, statuses[i.pk]) for i in indicators]
    # The stocktake's order: worst rating first, then the lowest forecast ratio.
    behind = sorted(
        (row for row in rows if row.rag in ("red", "amber_red")),
        key=lambda r: (engine.RAG_ORDER.index(r.rag), r.ratio or 0.0, r.code),  # type: ignore[arg-type]
    )
    return Objectives(
        at=at,
        indicators=rows[:MAX_INDICATORS],
        total=len(rows),
        counts=rag_counts(statuses.values()),
        stocktake=behind,
    )


def _risks(user: Any, ids: set[int] | None, today: dt.date) -> Risks:
    from aihq.regulation import selectors
    from aihq.regulation.models import RiskStatus

    score = Coalesce(F("residual_likelihood") * F("residual_severity"), F("likelihood") * F("severity"))
    open_risks = (
        _scoped(selectors.risks(user), "use_case__organisation_id", ids)
        .exclude(status=RiskStatus.CLOSED)
        .annotate(rating=score)
    )
    top = [
        RiskRow(
            title=risk.title,
            use_case=risk.use_case.name,
            organisation=risk.use_case.organisation.code,
            organisation_name=Text(risk.use_case.organisation.name_en, risk.use_case.organisation.name_ru),
            likelihood=risk.likelihood,
            severity=risk.severity,
            residual_likelihood=risk.residual_likelihood,
            residual_severity=risk.residual_severity,
            score=risk.rating,
            status=risk.status,
        )
        for risk in open_risks.order_by("-rating", "-likelihood", "-severity", "-id")[:TOP]
    ]
    serious = list(
        selectors.open_incidents(_scoped(selectors.incidents(user), "use_case__organisation_id", ids)).filter(
            severity__in=SERIOUS_SEVERITIES
        )
    )
    deadlines = selectors.deadlines_for(serious, today)
    rows = []
    for incident in serious:
        deadline = deadlines.get(incident.pk)
        rows.append(
            IncidentRow(
                title=incident.title,
                use_case=incident.use_case.name,
                organisation=incident.use_case.organisation.code,
                severity=incident.severity,
                status=incident.status,
                detected_on=incident.detected_on,
                reported_on=incident.reported_on,
                deadline=deadline.due if deadline else None,
                deadline_cite=deadline.cite if deadline else "",
                deadline_framework=deadline.framework_code if deadline else "",
                deadline_overdue=bool(deadline and deadline.overdue),
            )
        )
    severity_rank = {code: i for i, code in enumerate(reversed(SERIOUS_SEVERITIES))}
    rows.sort(
        key=lambda r: (
            not r.deadline_overdue,
            r.deadline is None or r.reported_on is not None,
            r.deadline or dt.date.max,
            severity_rank.get(r.severity, 9),
            r.detected_on,
        )
    )
    return Risks(
        open_risks=open_risks.count(),
        high_risks=open_risks.filter(rating__gte=10).count(),
        top_risks=top,
        serious_open=len(rows),
        incidents=rows[:MAX_INCIDENTS],
        overdue_deadlines=sum(1 for r in rows if r.deadline_overdue),
    )


def _framework_compliance(code: str, title: Text, item: Any) -> FrameworkCompliance:
    return FrameworkCompliance(
        code=code,
        title=title,
        total=item.total,
        met=item.met,
        not_applicable=item.not_applicable,
        waived=item.waived,
        in_progress=item.in_progress,
        not_started=item.not_started,
        overdue=item.overdue,
    )


def _compliance(user: Any, ids: set[int] | None, today: dt.date) -> Compliance:
    from aihq.regulation import selectors

    rows = _scoped(selectors.requirements(user), "use_case__organisation_id", ids)
    by_framework = selectors.compliance_by(rows, "framework_code", today)
    titles = {f.code: Text(f.title_en, f.title_ru) for f in selectors.frameworks()}
    order = list(titles)
    frameworks = [
        _framework_compliance(code, titles.get(code, Text(code)), item)
        for code, item in sorted(
            by_framework.items(), key=lambda kv: (order.index(kv[0]) if kv[0] in order else len(order), kv[0])
        )
    ]
    total = selectors.compliance_by(rows, None, today).get(None, selectors.Compliance())
    late = selectors.overdue(rows, today)
    return Compliance(
        as_of=today,
        frameworks=frameworks,
        total=_framework_compliance("", Text(""), total),
        overdue=[
            OverdueRequirement(
                use_case=item.use_case.name,
                organisation=item.use_case.organisation.code,
                framework=item.framework_code,
                cite=item.cite or item.requirement_id,
                title=Text(item.title_en, item.title_ru),
                status=item.status,
                due_date=item.due_date,
            )
            for item in late[:TOP]
        ],
        overdue_count=late.count(),
    )


def _value_row(row: evaluation_selectors.PortfolioRow) -> ValueRow:
    evaluation = row.evaluation
    plan = evaluation.plan if evaluation else None
    ok = plan is not None and plan.ok
    return ValueRow(
        rank=row.rank,
        use_case=row.use_case.name,
        organisation=row.use_case.organisation.code,
        stage=row.use_case.stage,
        currency=evaluation.currency if evaluation else "",
        ok=ok,
        pv_costs=plan.pv_costs if plan and ok else None,
        pv_benefits=plan.pv_benefits if plan and ok else None,
        npv=plan.npv if plan and ok else None,
        bcr=plan.bcr if plan and ok else None,
        roi=plan.roi if plan and ok else None,
        payback_years=plan.payback_years if plan and ok else None,
        delivered_npv=evaluation.delivered.npv if evaluation and evaluation.delivered.ok else None,
        score=row.score,
        risk=row.raw.get("risk"),
        regions=row.regions,
    )


def _value(user: Any, ids: set[int] | None, today: dt.date) -> Value:
    portfolio = evaluation_selectors.portfolio(
        user, organisation_ids=sorted(ids) if ids is not None else None, today=today
    )
    rows = {row.use_case.pk: _value_row(row) for row in portfolio.rows}
    appraised = [rows[r.use_case.pk] for r in portfolio.rows if rows[r.use_case.pk].ok]
    by_bcr = sorted(appraised, key=lambda r: (-(r.bcr or 0.0), r.rank))
    # Five each; a small portfolio splits in halves so no use case is both a best and a worst performer.
    split = min(5, (len(by_bcr) + 1) // 2)
    best = by_bcr[:split]
    worst = list(reversed(by_bcr[split:]))[:5]
    stop = []
    for row, reasons in portfolio.stop_candidates:
        item = rows[row.use_case.pk]
        item.reasons = reasons
        stop.append(item)
    reviews = _scoped(evaluation_selectors.open_reviews(user), "use_case__organisation_id", ids)
    conditions = _scoped(evaluation_selectors.overdue_conditions(user, today), "review__use_case__organisation_id", ids)
    return Value(
        scored=sum(1 for r in portfolio.rows if r.evaluation is not None),
        appraised=len(appraised),
        best=best,
        worst=worst,
        top=[rows[r.use_case.pk] for r in portfolio.rows if r.score is not None][:TOP],
        scale=[rows[r.use_case.pk] for r in portfolio.scale_candidates][:TOP],
        stop=stop[:TOP],
        plotted=appraised,
        reviews=[
            ReviewRow(
                use_case=review.use_case.name,
                organisation=review.use_case.organisation.code,
                kind=review.kind,
                from_stage=review.from_stage,
                to_stage=review.to_stage,
                regions=review.regions.count(),
                requested_on=review.created_at.date(),
                requested_by=review.requested_by.get_username() if review.requested_by else "",
                waiting_days=max((today - review.created_at.date()).days, 0),
            )
            for review in reviews[:MAX_REVIEWS]
        ],
        reviews_count=reviews.count(),
        conditions=[
            ConditionRow(
                use_case=condition.review.use_case.name,
                organisation=condition.review.use_case.organisation.code,
                text=condition.text,
                due_date=condition.due_date,
                days_overdue=(today - condition.due_date).days,
            )
            for condition in conditions[:MAX_REVIEWS]
        ],
        conditions_count=conditions.count(),
        weights=dict(portfolio.weights),
        discount_rate=portfolio.settings.discount_rate,
    )


# --- rendering --------------------------------------------------------------------------------------------------


def _safe(svg: str) -> SafeString:
    return mark_safe(svg)  # noqa: S308 -- the chart module escapes every text it writes


def _charts(briefing: Briefing, lang: str) -> dict[str, SafeString]:
    """The pack's charts as inline SVG, labelled in the active language and with its way of writing numbers."""
    with charts.number_style(charts.style_for(lang)):
        return _draw_charts(briefing)


def _draw_charts(briefing: Briefing) -> dict[str, SafeString]:
    empty = _("No data")
    glance = briefing.glance
    stage_chart = charts.column_chart(
        [item.label for item in glance.by_stage],
        [(_("Use cases"), [item.count for item in glance.by_stage], charts.NAVY)],
        title=_("Use cases by stage"),
        width=CHART_WIDTH,
        height=200,
        empty_text=empty,
    )
    counts = briefing.objectives.counts
    rag_chart = charts.stacked_bar(
        [(rag_label(code), float(counts.get(code, 0)), RAG_COLOURS[code]) for code in RAG_DISPLAY_ORDER],
        title=_("Indicators by rating at %(date)s") % {"date": briefing.objectives.at.isoformat()},
        width=CHART_WIDTH,
        empty_text=empty,
    )
    total = briefing.compliance.total
    compliance_chart = charts.stacked_bar(
        [
            (_("Met"), float(total.met), charts.GREEN),
            (_("Not applicable or waived"), float(total.not_applicable + total.waived), charts.NO_DATA),
            (_("In progress"), float(total.in_progress), charts.AMBER),
            (_("Not started"), float(total.not_started), charts.RED),
        ],
        title=_("Mandatory requirements by status"),
        width=CHART_WIDTH,
        empty_text=empty,
    )
    value = briefing.value
    currencies = value.currencies
    unit = currencies[0] if len(currencies) == 1 else ""

    def label(row: ValueRow) -> str:
        return row.use_case if unit or not row.currency else f"{row.use_case} ({row.currency})"

    shown = value.best + [row for row in value.worst if row not in value.best]
    npv_chart = charts.hbar_chart(
        [(label(row), float(row.npv or 0.0)) for row in sorted(shown, key=lambda r: -(r.npv or 0.0))],
        title=_("Net present value of the best and worst performers"),
        unit=unit,
        width=CHART_WIDTH,
        bar_height=14,
        empty_text=empty,
    )
    scale = {id(row) for row in value.scale}
    stop = {id(row) for row in value.stop}
    bubbles = [
        charts.Bubble(
            label=row.use_case,
            x=float(row.npv or 0.0),
            y=float(row.risk or 0.0),
            size=float(row.pv_costs or 0.0),
            colour=charts.RED if id(row) in stop else charts.GREEN if id(row) in scale else charts.NAVY,
        )
        for row in value.plotted
    ]
    bubble_chart = charts.bubble_chart(
        bubbles,
        title=_("Value against risk"),
        x_label=_("Net present value (plan)") + (f", {unit}" if unit else ""),
        y_label=_("Risk score"),
        width=CHART_WIDTH,
        height=330,
        label_top=4,
        empty_text=empty,
    )
    return {
        "stages": _safe(stage_chart),
        "rag": _safe(rag_chart),
        "compliance": _safe(compliance_chart),
        "npv": _safe(npv_chart),
        "bubbles": _safe(bubble_chart),
    }


def _css_string(text: str) -> str:
    """``text`` as a CSS string literal (for generated content in @page margin boxes)."""
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", " ").replace("<", "\\3c ")
    return f'"{escaped}"'


def _css_counter_text(template: str, **counters: str) -> str:
    """A translated sentence with counters, such as "Page %(page)s of %(pages)s", as CSS ``content``."""
    parts: list[str] = []
    rest = template
    while rest:
        positions = [(rest.find(f"%({name})s"), name) for name in counters if f"%({name})s" in rest]
        if not positions:
            parts.append(_css_string(rest))
            break
        index, name = min(positions)
        if index:
            parts.append(_css_string(rest[:index]))
        parts.append(counters[name])
        rest = rest[index + len(f"%({name})s") :]
    return " ".join(parts)


def _rate(rate: float) -> str:
    """A discount rate as a percentage: ``5 %``, ``3.5 %``."""
    places = 0 if round(rate * 100, 1).is_integer() else 1
    return f"{_number(rate * 100, places)}\u00a0%"


def _weights(weights: dict[str, float]) -> str:
    """The scoring weights as ``value 30 %, strategic fit 25 %, ...`` (shares of their sum)."""
    names = {
        "value": _("NPV"),
        "fit": _("strategic fit"),
        "risk": _("risk"),
        "readiness": _("readiness"),
        "cost": _("cost"),
    }
    total = sum(w for w in weights.values() if w > 0) or 1.0
    return ", ".join(f"{names.get(key, key)} {fmt_percent(weight / total)}" for key, weight in weights.items())


def render_html(briefing: Briefing, *, lang: str) -> str:
    """The pack as the standalone HTML document WeasyPrint lays out."""
    with translation.override(lang):
        title = _("AI portfolio briefing")
        scope = str(briefing.scope_name) if briefing.scope_code else _("All organisations")
        context = {
            "b": briefing,
            "lang": lang,
            "title": title,
            "scope": scope,
            "charts": _charts(briefing, lang),
            "font_regular": (FONTS / "DejaVuSans.ttf").as_uri(),
            "font_bold": (FONTS / "DejaVuSans-Bold.ttf").as_uri(),
            "rag_colours": RAG_COLOURS,
            "css_header": _css_string(f"{title} · {scope}"),
            "css_period": _css_string(_("Quarter %(period)s") % {"period": briefing.period}),
            "css_marking": _css_string(_("Official — for internal use")),
            "css_page": _css_counter_text(
                _("Page %(page)s of %(pages)s"), page="counter(page)", pages="counter(pages)"
            ),
            "rate": _rate(briefing.value.discount_rate),
            "weights": _weights(briefing.value.weights),
            "nothing_to_report": [
                heading
                for heading, rows in (
                    (_("Stage-gate reviews awaiting a decision"), briefing.value.reviews),
                    (_("Overdue conditions of past decisions"), briefing.value.conditions),
                    (_("Candidates to scale"), briefing.value.scale),
                    (_("Candidates to stop"), briefing.value.stop),
                )
                if not rows
            ],
            "value_groups": [
                (_("Best performers"), briefing.value.best),
                (_("Worst performers"), briefing.value.worst),
            ],
        }
        return render_to_string(TEMPLATE, context)


def _weasyprint() -> Any:
    """WeasyPrint, or a RuntimeError that names the system library it could not load."""
    try:
        return importlib.import_module("weasyprint")
    except OSError as exc:  # WeasyPrint is installed but Pango (and its friends) are not
        raise RuntimeError(
            "The briefing pack needs WeasyPrint's system libraries: Pango (libpango-1.0, libpangoft2-1.0) "
            f"could not be loaded ({exc}). Install them, for example `apt-get install libpango-1.0-0 "
            "libpangoft2-1.0-0`."
        ) from exc
    except ImportError as exc:
        raise RuntimeError(f"The briefing pack needs the weasyprint package ({exc}).") from exc


@dataclass(frozen=True)
class Rendered:
    pdf: bytes
    pages: int


@contextlib.contextmanager
def _quiet_progress() -> Iterator[None]:
    """WeasyPrint logs every layout step at INFO; the pack's own progress is enough."""
    logger = logging.getLogger("weasyprint.progress")
    level = logger.level
    logger.setLevel(logging.WARNING)
    try:
        yield
    finally:
        logger.setLevel(level)


def render(briefing: Briefing, *, lang: str) -> Rendered:
    """The PDF and its page count."""
    html = render_html(briefing, lang=lang)
    with _quiet_progress():
        weasyprint = _weasyprint()  # its import parses the default stylesheets, logging as it goes
        document = weasyprint.HTML(string=html, base_url=str(FONTS)).render()
        buffer = io.BytesIO()
        document.write_pdf(buffer)
    return Rendered(buffer.getvalue(), len(document.pages))


def render_pdf(briefing: Briefing, *, lang: str) -> bytes:
    """The briefing as a PDF in ``lang`` (``en`` or ``ru``)."""
    return render(briefing, lang=lang).pdf


def briefing_pdf(user: Any, *, organisation: Organisation | None, period: str, lang: str) -> bytes:
    """Collect and render in one go."""
    return render_pdf(collect(user, organisation=organisation, period=period), lang=lang)
