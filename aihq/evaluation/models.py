"""What projects deliver: benefit metrics and their measurements, costs per year, stage-gate reviews with their
conditions, and the HQ's evaluation settings (discount rate, horizon, scoring weights, gated stages)."""

from __future__ import annotations

import datetime as dt
from typing import ClassVar

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from aihq.core.models import ScopeKind, TimeStampedModel
from aihq.energy.models import YEAR
from aihq.objectives.models import Direction
from aihq.registry.models import Region, Stage, UseCase

#: The lifecycle order a gate looks at: entering a gated stage from an earlier one needs a go decision.
STAGE_ORDER = (Stage.PLANNED, Stage.DEVELOPMENT, Stage.PILOT, Stage.PRODUCTION)


def stage_rank(stage: str) -> int:
    """Position in the lifecycle; retired (and anything unknown) is outside it."""
    return STAGE_ORDER.index(stage) if stage in STAGE_ORDER else -1  # type: ignore[arg-type]


def check_currency(value: str, field: str = "currency") -> None:
    if len(value) != 3 or not value.isalpha() or value != value.upper():
        raise ValidationError({field: _("Use an ISO 4217 three-letter currency code, such as RUB or USD.")})


class MetricKind(models.TextChoices):
    PROCESSING_TIME = "processing_time", _("Processing time")
    COST_PER_CASE = "cost_per_case", _("Cost per case")
    ACCURACY = "accuracy", _("Accuracy")
    THROUGHPUT = "throughput", _("Throughput")
    SATISFACTION = "satisfaction", _("Citizen satisfaction")
    STAFF_HOURS = "staff_hours", _("Staff hours saved")
    CUSTOM = "custom", _("Custom")


#: Each kind's usual unit: a metric saved without a unit takes it.
KIND_UNITS: dict[str, str] = {
    MetricKind.PROCESSING_TIME: "minutes per case",
    MetricKind.COST_PER_CASE: "per case",
    MetricKind.ACCURACY: "%",
    MetricKind.THROUGHPUT: "cases a day",
    MetricKind.SATISFACTION: "score",
    MetricKind.STAFF_HOURS: "hours a year",
}


def improvement(direction: str, baseline: float | None, value: float | None) -> float | None:
    """How far ``value`` is better than the baseline, in the metric's unit (negative when worse)."""
    if value is None or baseline is None:
        return None
    gain = value - baseline
    return -gain if direction == Direction.DECREASE else gain


#: Bounds that keep every sum and product of the cost–benefit figures finite (and the inputs plausible).
MONEY = [MinValueValidator(0.0), MaxValueValidator(1e15)]
FIGURE = [MinValueValidator(-1e12), MaxValueValidator(1e12)]
WEIGHT = [MinValueValidator(0.0), MaxValueValidator(100.0)]


class BenefitMetric(TimeStampedModel):
    """What a use case promises to improve: a metric with a baseline, a target and, optionally, its money value."""

    use_case = models.ForeignKey(
        UseCase, verbose_name=_("use case"), on_delete=models.CASCADE, related_name="benefit_metrics"
    )
    kind = models.CharField(_("metric"), max_length=30, choices=MetricKind.choices, default=MetricKind.CUSTOM)
    name = models.CharField(_("name"), max_length=200, blank=True, help_text=_("Blank: the metric's kind."))
    unit = models.CharField(_("unit"), max_length=50, blank=True, help_text=_("Blank: the usual unit of the metric."))
    direction = models.CharField(_("direction"), max_length=10, choices=Direction.choices, default=Direction.INCREASE)
    baseline = models.FloatField(_("baseline (before)"), null=True, blank=True, validators=FIGURE)
    baseline_date = models.DateField(_("baseline measured on"), null=True, blank=True)
    target = models.FloatField(_("target (promised)"), null=True, blank=True, validators=FIGURE)
    target_date = models.DateField(_("target date"), null=True, blank=True)
    value_per_unit = models.FloatField(
        _("value of one unit of improvement a year"),
        null=True,
        blank=True,
        validators=MONEY,
        help_text=_(
            "Money a one-unit improvement on the baseline is worth over a year (for example 1,500 for one minute "
            "saved on each of 100,000 cases a year). Blank: the benefit is not monetised."
        ),
    )
    currency = models.CharField(_("currency"), max_length=3, blank=True)
    benefits_from = models.PositiveSmallIntegerField(
        _("benefits count from year"),
        null=True,
        blank=True,
        validators=YEAR,
        help_text=_("The first year the promised improvement is expected. Blank: the target date's year."),
    )
    note = models.TextField(_("note"), blank=True)
    version = models.PositiveIntegerField(_("version"), default=1)

    scope_path: ClassVar[str] = "use_case__organisation"
    audit_enabled = True

    class Meta:
        verbose_name = _("benefit metric")
        verbose_name_plural = _("benefit metrics")
        ordering = ["use_case", "id"]

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        return self.name or str(self.get_kind_display())

    def improvement(self, value: float | None) -> float | None:
        return improvement(self.direction, self.baseline, value)

    def clean(self) -> None:
        self.currency = (self.currency or "").strip().upper()
        if self.currency:
            check_currency(self.currency)
        self.unit = (self.unit or "").strip() or KIND_UNITS.get(self.kind, "")
        if not self.unit:
            raise ValidationError({"unit": _("Give the unit the metric is measured in.")})
        if self.value_per_unit is not None and not self.currency:
            raise ValidationError({"currency": _("Give the currency the value per unit is in.")})
        if self.value_per_unit is not None and self.baseline is None:
            raise ValidationError({"baseline": _("A monetised benefit needs a baseline to measure improvement from.")})
        if self.target is not None and self.baseline is not None and self.target == self.baseline:
            raise ValidationError({"target": _("The target equals the baseline: it promises no improvement.")})
        if self.target is not None and self.baseline is not None and (self.improvement(self.target) or 0) < 0:
            raise ValidationError(
                {
                    "target": _("The target is worse than the baseline (%(direction)s).")
                    % {"direction": self.get_direction_display()}
                }
            )
        if self.baseline_date and self.target_date and self.target_date < self.baseline_date:
            raise ValidationError({"target_date": _("The target date is before the baseline date.")})


class BenefitMeasurement(TimeStampedModel):
    """What a metric measured at a date, with where the figure comes from."""

    metric = models.ForeignKey(
        BenefitMetric, verbose_name=_("metric"), on_delete=models.CASCADE, related_name="measurements"
    )
    measured_on = models.DateField(_("measured on"))
    value = models.FloatField(_("value"), validators=FIGURE)
    source = models.CharField(_("source"), max_length=300, help_text=_("Where the figure comes from."))
    evidence = models.CharField(
        _("evidence"), max_length=500, blank=True, help_text=_("A link or document reference that backs it.")
    )
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reported by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    note = models.TextField(_("note"), blank=True)

    scope_path: ClassVar[str] = "metric__use_case__organisation"
    audit_enabled = True

    class Meta:
        verbose_name = _("benefit measurement")
        verbose_name_plural = _("benefit measurements")
        ordering = ["metric", "measured_on", "id"]
        indexes = [models.Index(fields=["metric", "measured_on"], name="benefit_measured_idx")]

    def __str__(self) -> str:
        return f"{self.metric}: {self.value:g} ({self.measured_on})"

    def clean(self) -> None:
        if self.measured_on and self.measured_on > dt.date.today():
            raise ValidationError({"measured_on": _("A measurement cannot be dated in the future.")})


class CostCategory(models.TextChoices):
    DEVELOPMENT = "development", _("Development")
    LICENCES = "licences", _("Licences")
    COMPUTE = "compute", _("Compute")
    STAFF = "staff", _("Staff")
    INFRASTRUCTURE = "infrastructure", _("Infrastructure")
    OTHER = "other", _("Other")


class CostKind(models.TextChoices):
    CAPITAL = "capital", _("Capital")
    OPERATING = "operating", _("Operating")


class CostLine(TimeStampedModel):
    """One year's cost of a use case in one category: planned and, once known, actual."""

    use_case = models.ForeignKey(UseCase, verbose_name=_("use case"), on_delete=models.CASCADE, related_name="costs")
    year = models.PositiveSmallIntegerField(_("year"), validators=YEAR)
    category = models.CharField(_("category"), max_length=20, choices=CostCategory.choices)
    kind = models.CharField(_("kind"), max_length=10, choices=CostKind.choices, default=CostKind.OPERATING)
    planned = models.FloatField(_("planned"), null=True, blank=True, validators=MONEY)
    actual = models.FloatField(_("actual"), null=True, blank=True, validators=MONEY)
    currency = models.CharField(_("currency"), max_length=3)
    compute_profile = models.ForeignKey(
        "energy.ComputeProfile",
        verbose_name=_("compute profile"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("For compute costs: the use case's compute profile they pay for."),
    )
    note = models.CharField(_("note"), max_length=500, blank=True)
    version = models.PositiveIntegerField(_("version"), default=1)

    scope_path: ClassVar[str] = "use_case__organisation"
    audit_enabled = True

    class Meta:
        verbose_name = _("cost")
        verbose_name_plural = _("costs")
        ordering = ["use_case", "year", "category", "kind"]
        constraints = [
            models.UniqueConstraint(
                "use_case",
                "year",
                "category",
                "kind",
                name="cost_line_once",
                violation_error_message=_("This use case already has a cost line for that year, category and kind."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.use_case} {self.year} {self.get_category_display()}"

    def clean(self) -> None:
        self.currency = (self.currency or "").strip().upper()
        check_currency(self.currency)
        if self.planned is None and self.actual is None:
            raise ValidationError({"planned": _("Give the planned amount, the actual amount, or both.")})
        if self.compute_profile_id is not None:
            if self.category != CostCategory.COMPUTE:
                raise ValidationError({"compute_profile": _("Only compute costs link a compute profile.")})
            if self.compute_profile is not None and self.compute_profile.use_case_id != self.use_case_id:
                raise ValidationError({"compute_profile": _("Link the compute profile of this same use case.")})


class GateKind(models.TextChoices):
    STAGE = "stage", _("Move to another stage")
    SCALE = "scale", _("Scale to more regions")


class GateDecision(models.TextChoices):
    PENDING = "pending", _("Awaiting decision")
    GO = "go", _("Go")
    GO_WITH_CONDITIONS = "go_with_conditions", _("Go with conditions")
    HOLD = "hold", _("Hold")
    STOP = "stop", _("Stop")


#: Decisions that let the change go ahead.
GO_DECISIONS = frozenset({GateDecision.GO, GateDecision.GO_WITH_CONDITIONS})

#: The checklist every review answers; the page shows AIHQ's evidence next to each.
CRITERIA = ("benefits_evidenced", "requirements_met", "risks_accepted", "budget_approved")


class GateReview(TimeStampedModel):
    """A stage-gate review: a use case asks to move stage (or to scale to more regions), reviewers check the
    criteria and decide. A gated stage change waits for a go decision and uses it up."""

    use_case = models.ForeignKey(
        UseCase, verbose_name=_("use case"), on_delete=models.CASCADE, related_name="gate_reviews"
    )
    kind = models.CharField(_("kind"), max_length=10, choices=GateKind.choices, default=GateKind.STAGE)
    from_stage = models.CharField(_("from stage"), max_length=20, choices=Stage.choices)
    to_stage = models.CharField(_("to stage"), max_length=20, choices=Stage.choices)
    regions = models.ManyToManyField(Region, verbose_name=_("regions to add"), blank=True, related_name="+")
    justification = models.TextField(_("case for the change"))
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("requested by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    criteria = models.JSONField(_("criteria"), default=dict, blank=True)
    decision = models.CharField(
        _("decision"), max_length=20, choices=GateDecision.choices, default=GateDecision.PENDING, db_index=True
    )
    rationale = models.TextField(_("rationale"), blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    reviewers = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name=_("reviewers"), blank=True, related_name="gate_reviews"
    )
    applied_at = models.DateTimeField(
        _("used"), null=True, blank=True, help_text=_("When the stage change this decision allowed took place.")
    )
    lapsed_at = models.DateTimeField(
        _("lapsed"),
        null=True,
        blank=True,
        help_text=_("When an unused go decision lapsed: the use case left the stage it was decided from."),
    )
    version = models.PositiveIntegerField(_("version"), default=1)

    scope_path: ClassVar[str] = "use_case__organisation"
    audit_enabled = True

    class Meta:
        verbose_name = _("stage-gate review")
        verbose_name_plural = _("stage-gate reviews")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.use_case}: {self.get_from_stage_display()} → {self.get_to_stage_display()}"

    @property
    def is_go(self) -> bool:
        return self.decision in GO_DECISIONS

    @property
    def is_open(self) -> bool:
        return self.decision == GateDecision.PENDING


class GateCondition(TimeStampedModel):
    """A condition a go-with-conditions decision attached, with its due date."""

    review = models.ForeignKey(
        GateReview, verbose_name=_("review"), on_delete=models.CASCADE, related_name="conditions"
    )
    text = models.CharField(_("condition"), max_length=500)
    due_date = models.DateField(_("due"))
    done_at = models.DateTimeField(_("met"), null=True, blank=True)

    scope_path: ClassVar[str] = "review__use_case__organisation"
    audit_enabled = True

    class Meta:
        verbose_name = _("gate condition")
        verbose_name_plural = _("gate conditions")
        ordering = ["due_date", "id"]

    def __str__(self) -> str:
        return self.text

    def is_overdue(self, today: dt.date | None = None) -> bool:
        return self.done_at is None and self.due_date < (today or dt.date.today())


def default_gated_stages() -> list[str]:
    return [Stage.PRODUCTION.value]


class EvaluationSettings(TimeStampedModel):
    """The HQ's evaluation rules (one row): appraisal, scoring weights and which stages need a gate review."""

    discount_rate = models.FloatField(
        _("discount rate"),
        default=0.05,
        validators=[MinValueValidator(0.0), MaxValueValidator(0.5)],
        help_text=_("A year, as a fraction: 0.05 is 5 %."),
    )
    appraisal_years = models.PositiveSmallIntegerField(
        _("appraisal horizon, years"),
        default=5,
        validators=[MinValueValidator(1), MaxValueValidator(30)],
        help_text=_("Years of benefits counted after the first year of costs."),
    )
    currency = models.CharField(_("reporting currency"), max_length=3, default="RUB")
    swing = models.FloatField(
        _("sensitivity swing"),
        default=0.2,
        validators=[MinValueValidator(0.0), MaxValueValidator(1.0)],
        help_text=_("How far benefits and costs are moved up and down in the sensitivity table: 0.2 is ±20 %."),
    )
    weight_value = models.FloatField(_("weight of value"), default=0.3, validators=WEIGHT)
    weight_fit = models.FloatField(_("weight of strategic fit"), default=0.25, validators=WEIGHT)
    weight_risk = models.FloatField(_("weight of risk"), default=0.2, validators=WEIGHT)
    weight_readiness = models.FloatField(_("weight of readiness"), default=0.15, validators=WEIGHT)
    weight_cost = models.FloatField(_("weight of cost"), default=0.1, validators=WEIGHT)
    gated_stages = models.JSONField(
        _("stages that need a go decision"),
        default=default_gated_stages,
        blank=True,
        help_text=_("Entering one of these stages from an earlier one needs a stage-gate review with a go decision."),
    )
    version = models.PositiveIntegerField(_("version"), default=1)

    scope_kind: ClassVar[ScopeKind] = "reference"
    audit_enabled = True

    class Meta:
        verbose_name = _("evaluation settings")
        verbose_name_plural = _("evaluation settings")

    def __str__(self) -> str:
        return str(_("Evaluation settings"))

    @property
    def weights(self) -> dict[str, float]:
        return {
            "value": self.weight_value,
            "fit": self.weight_fit,
            "risk": self.weight_risk,
            "readiness": self.weight_readiness,
            "cost": self.weight_cost,
        }

    def clean(self) -> None:
        self.currency = (self.currency or "").strip().upper()
        check_currency(self.currency)
        if not isinstance(self.gated_stages, list) or any(s not in STAGE_ORDER for s in self.gated_stages):
            raise ValidationError(
                {"gated_stages": _("Choose among: %(stages)s.") % {"stages": ", ".join(STAGE_ORDER[1:])}}
            )
        if sum(self.weights.values()) <= 0:
            raise ValidationError({"weight_value": _("At least one weight must be above zero.")})
