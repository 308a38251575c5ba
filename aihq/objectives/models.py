"""Objectives, their indicators with targets, and the measurements reported against them."""

from __future__ import annotations

import datetime as dt
from typing import ClassVar

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from aihq.core.i18n import localised
from aihq.core.models import ScopeKind, TimeStampedModel
from aihq.registry.models import Organisation, Region, UseCase, code_validator

#: The largest magnitude a value, target or weight may have (beyond it the arithmetic loses all meaning).
MAX_VALUE = 1e15


def check_magnitude(value: float | None, field: str) -> None:
    if value is not None and not (abs(value) <= MAX_VALUE):  # also refuses NaN
        raise ValidationError({field: _("Use a number between -10¹⁵ and 10¹⁵.")})


class Objective(TimeStampedModel):
    """A strategic goal of a programme or strategy, measured by its indicators."""

    code = models.CharField(_("code"), max_length=50, unique=True, validators=[code_validator])
    title_en = models.CharField(_("title (English)"), max_length=300, blank=True)
    title_ru = models.CharField(_("title (Russian)"), max_length=300, blank=True)
    description = models.TextField(_("description"), blank=True)
    programme = models.CharField(
        _("programme or strategy"), max_length=300, blank=True, help_text=_("Such as National AI Strategy 2030.")
    )
    programme_ru = models.CharField(_("programme or strategy (Russian)"), max_length=300, blank=True)
    owner = models.ForeignKey(
        Organisation,
        verbose_name=_("owner organisation"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="objectives",
    )
    version = models.PositiveIntegerField(_("version"), default=1)

    scope_kind: ClassVar[ScopeKind] = "reference"
    audit_enabled = True

    class Meta:
        verbose_name = _("objective")
        verbose_name_plural = _("objectives")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.title

    @property
    def title(self) -> str:
        return localised(self.title_en, self.title_ru) or self.code

    @property
    def programme_name(self) -> str:
        return localised(self.programme, self.programme_ru)

    def clean(self) -> None:
        if not self.title_en and not self.title_ru:
            raise ValidationError({"title_en": _("Give the title in English or in Russian.")})


class Direction(models.TextChoices):
    INCREASE = "increase", _("Higher is better")
    DECREASE = "decrease", _("Lower is better")


class Shape(models.TextChoices):
    LINEAR = "linear", _("Linear between targets")
    STEP = "step", _("Steps: each target holds until the next")


class Frequency(models.TextChoices):
    MONTHLY = "monthly", _("Monthly")
    QUARTERLY = "quarterly", _("Quarterly")
    YEARLY = "yearly", _("Yearly")


class Aggregation(models.TextChoices):
    SUM = "sum", _("Sum of the regions")
    MEAN = "mean", _("Mean of the regions")
    WEIGHTED_MEAN = "weighted_mean", _("Mean of the regions weighted by each measurement's weight")


class Indicator(TimeStampedModel):
    """A key performance indicator: unit, direction, baseline, dated targets, how regions add up."""

    objective = models.ForeignKey(
        Objective, verbose_name=_("objective"), on_delete=models.PROTECT, related_name="indicators"
    )
    code = models.CharField(_("code"), max_length=50, unique=True, validators=[code_validator])
    name_en = models.CharField(_("name (English)"), max_length=300, blank=True)
    name_ru = models.CharField(_("name (Russian)"), max_length=300, blank=True)
    unit = models.CharField(_("unit"), max_length=50, help_text=_("Such as percent, persons, bn RUB."))
    unit_ru = models.CharField(_("unit (Russian)"), max_length=50, blank=True)
    direction = models.CharField(_("direction"), max_length=10, choices=Direction.choices, default=Direction.INCREASE)
    baseline_value = models.FloatField(_("baseline value"), null=True, blank=True)
    baseline_date = models.DateField(_("baseline date"), null=True, blank=True)
    shape = models.CharField(_("trajectory"), max_length=10, choices=Shape.choices, default=Shape.LINEAR)
    frequency = models.CharField(
        _("reporting frequency"), max_length=10, choices=Frequency.choices, default=Frequency.YEARLY
    )
    aggregation = models.CharField(
        _("regional aggregation"), max_length=15, choices=Aggregation.choices, default=Aggregation.MEAN
    )
    weight_label = models.CharField(
        _("weight"),
        max_length=100,
        blank=True,
        help_text=_("What a measurement's weight counts for a weighted mean, such as organisations surveyed."),
    )
    region_country = models.CharField(
        _("regions report"),
        max_length=2,
        blank=True,
        help_text=_("ISO 3166-1 code of the country whose every region is expected to report; blank for none."),
    )
    owner = models.ForeignKey(
        Organisation,
        verbose_name=_("responsible organisation"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="owned_indicators",
    )
    reporting_organisations = models.ManyToManyField(
        Organisation,
        verbose_name=_("organisations that report"),
        blank=True,
        related_name="reported_indicators",
    )
    source = models.CharField(_("source of the target"), max_length=500, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    version = models.PositiveIntegerField(_("version"), default=1)

    scope_kind: ClassVar[ScopeKind] = "reference"
    audit_enabled = True

    class Meta:
        verbose_name = _("indicator")
        verbose_name_plural = _("indicators")
        ordering = ["objective__code", "code"]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return localised(self.name_en, self.name_ru) or self.code

    @property
    def unit_label(self) -> str:
        return localised(self.unit, self.unit_ru)

    @property
    def responsible(self) -> Organisation | None:
        return self.owner or self.objective.owner

    def clean(self) -> None:
        errors: dict[str, str] = {}
        if not self.name_en and not self.name_ru:
            errors["name_en"] = str(_("Give the name in English or in Russian."))
        if (self.baseline_value is None) != (self.baseline_date is None):
            errors["baseline_date"] = str(_("Give both the baseline value and its date, or neither."))
        try:
            check_magnitude(self.baseline_value, "baseline_value")
        except ValidationError as exc:
            errors.update({k: str(v[0]) for k, v in exc.message_dict.items()})
        if self.region_country and not (len(self.region_country) == 2 and self.region_country.isalpha()):
            errors["region_country"] = str(_("Use a two-letter ISO 3166-1 code, such as RU."))
        self.region_country = self.region_country.upper()
        if errors:
            raise ValidationError(errors)


class Target(TimeStampedModel):
    """A dated target value of an indicator, national (no region) or for one region.

    A region's own trajectory is its target rows in date order, the first one being its baseline.
    """

    indicator = models.ForeignKey(
        Indicator, verbose_name=_("indicator"), on_delete=models.CASCADE, related_name="targets"
    )
    region = models.ForeignKey(
        Region, verbose_name=_("region"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    date = models.DateField(_("date"))
    value = models.FloatField(_("value"))

    scope_kind: ClassVar[ScopeKind] = "reference"
    audit_enabled = True

    class Meta:
        verbose_name = _("target")
        verbose_name_plural = _("targets")
        ordering = ["indicator", "region", "date"]
        constraints = [
            models.UniqueConstraint(
                "indicator",
                Coalesce("region", 0),
                "date",
                name="target_one_value_per_date",
                violation_error_message=_("This indicator already has a target on this date."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.indicator.code} {self.date}: {self.value:g}"


class Measurement(TimeStampedModel):
    """A value of an indicator for a period: national, for a region, or for an organisation.

    Rows with an organisation are scoped by it (its editors report them, its viewers read them);
    national and regional statistics without one are read by everyone and reported by HQ admins.
    """

    indicator = models.ForeignKey(
        Indicator, verbose_name=_("indicator"), on_delete=models.PROTECT, related_name="measurements"
    )
    period_end = models.DateField(_("period end"))
    value = models.FloatField(_("value"))
    region = models.ForeignKey(
        Region, verbose_name=_("region"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("organisation"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="measurements",
    )
    weight = models.FloatField(_("weight"), null=True, blank=True)
    source = models.CharField(_("source"), max_length=500, blank=True)
    note = models.TextField(_("note"), blank=True)
    is_illustrative = models.BooleanField(
        _("illustrative"), default=False, help_text=_("Made-up demonstration data, not a real statistic.")
    )
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reported by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    scope_kind: ClassVar[ScopeKind] = "organisation_or_reference"
    audit_enabled = True

    class Meta:
        verbose_name = _("measurement")
        verbose_name_plural = _("measurements")
        ordering = ["indicator", "period_end", "region", "organisation"]
        constraints = [
            models.UniqueConstraint(
                "indicator",
                "period_end",
                Coalesce("region", 0),
                Coalesce("organisation", 0),
                name="measurement_one_value_per_period",
                violation_error_message=_("A value for this period, region and organisation is already reported."),
            )
        ]
        indexes = [models.Index(fields=["indicator", "region", "period_end"], name="measurement_series_idx")]

    def __str__(self) -> str:
        return f"{self.indicator.code} {self.period_end}: {self.value:g}"

    def clean(self) -> None:
        check_magnitude(self.value, "value")
        check_magnitude(self.weight, "weight")
        if self.weight is not None and self.weight < 0:
            raise ValidationError({"weight": _("A weight cannot be negative.")})
        if self.period_end and self.period_end > dt.date.today() + dt.timedelta(days=366):
            raise ValidationError({"period_end": _("A measurement cannot be for a period more than a year ahead.")})


class Contribution(TimeStampedModel):
    """A use case contributes to an indicator: one link of the delivery chain."""

    use_case = models.ForeignKey(
        UseCase, verbose_name=_("use case"), on_delete=models.CASCADE, related_name="contributions"
    )
    indicator = models.ForeignKey(
        Indicator, verbose_name=_("indicator"), on_delete=models.CASCADE, related_name="contributions"
    )
    note = models.CharField(_("how it contributes"), max_length=500, blank=True)

    scope_path: ClassVar[str] = "use_case__organisation"
    audit_enabled = True

    class Meta:
        verbose_name = _("contribution")
        verbose_name_plural = _("contributions")
        ordering = ["indicator", "use_case"]
        constraints = [
            models.UniqueConstraint(
                "use_case",
                "indicator",
                name="contribution_once",
                violation_error_message=_("This use case is already linked to this indicator."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.use_case} → {self.indicator.code}"


class RagRating(models.TextChoices):
    GREEN = "green", _("Green")
    AMBER_GREEN = "amber_green", _("Amber-green")
    AMBER_RED = "amber_red", _("Amber-red")
    RED = "red", _("Red")


class RagOverride(TimeStampedModel):
    """A coordinator's or HQ admin's own rating of an indicator (nationally or for a region), with the reason."""

    indicator = models.ForeignKey(
        Indicator, verbose_name=_("indicator"), on_delete=models.CASCADE, related_name="rag_overrides"
    )
    region = models.ForeignKey(
        Region, verbose_name=_("region"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    rating = models.CharField(_("rating"), max_length=12, choices=RagRating.choices)
    reason = models.TextField(_("reason"))
    set_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("set by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    scope_kind: ClassVar[ScopeKind] = "reference"
    audit_enabled = True

    class Meta:
        verbose_name = _("RAG override")
        verbose_name_plural = _("RAG overrides")
        ordering = ["indicator", "region"]
        constraints = [
            models.UniqueConstraint(
                "indicator",
                Coalesce("region", 0),
                name="rag_override_one_per_series",
                violation_error_message=_("This indicator already has an override here."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.indicator.code}: {self.rating}"


class NationalValue(TimeStampedModel):
    """An indicator's national value for one period, kept up to date as values are reported.

    Derived data: the reported national value, or else the regions' values (without organisation)
    aggregated by the indicator's rule. Reading this instead of aggregating millions of regional
    rows keeps the overview and the stocktake fast at national scale.
    """

    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="national_values")
    period_end = models.DateField(_("period end"))
    value = models.FloatField(_("value"))
    derived = models.BooleanField(_("aggregated from the regions"), default=False)
    regions = models.PositiveIntegerField(_("regions"), default=0)

    scope_kind: ClassVar[ScopeKind] = "reference"

    class Meta:
        verbose_name = _("national value")
        verbose_name_plural = _("national values")
        ordering = ["indicator", "period_end"]
        constraints = [models.UniqueConstraint("indicator", "period_end", name="national_value_one_per_period")]

    def __str__(self) -> str:
        return f"{self.indicator_id} {self.period_end}: {self.value:g}"
