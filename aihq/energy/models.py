"""Compute sites, use cases' compute profiles, exogenous loads, and scenarios with their Monte Carlo runs."""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from aihq.core.i18n import localised
from aihq.core.models import ScopeKind, TimeStampedModel
from aihq.registry.models import Organisation, Region, UseCase, code_validator

YEAR = [MinValueValidator(1990), MaxValueValidator(2100)]
SHARE = [MinValueValidator(0.0), MaxValueValidator(1.0)]


def check_accelerators(value: object) -> None:
    """Accelerators by model: ``{"H100-SXM": 1024}`` with whole, non-negative counts."""
    if not isinstance(value, dict) or not all(
        isinstance(k, str) and isinstance(v, int) and not isinstance(v, bool) and 0 <= v <= 10_000_000
        for k, v in value.items()
    ):
        raise ValidationError(_("Give accelerators as model: count pairs, such as H100-SXM: 1024."))


class SiteStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    CONSTRUCTION = "construction", _("Under construction")
    OPERATING = "operating", _("Operating")


class ComputeSite(TimeStampedModel):
    """A data centre or cluster: where AI compute runs, how much, drawing how much power."""

    name = models.CharField(_("name"), max_length=300)
    operator = models.ForeignKey(
        Organisation, verbose_name=_("operator"), on_delete=models.PROTECT, related_name="compute_sites"
    )
    region = models.ForeignKey(Region, verbose_name=_("region"), on_delete=models.PROTECT, related_name="+")
    status = models.CharField(_("status"), max_length=15, choices=SiteStatus.choices, default=SiteStatus.PLANNED)
    commissioning_year = models.PositiveIntegerField(_("commissioning year"), validators=YEAR)
    it_capacity_mw = models.FloatField(
        _("IT capacity, MW"), validators=[MinValueValidator(0.0), MaxValueValidator(100_000.0)]
    )
    accelerators = models.JSONField(_("accelerators"), default=dict, blank=True, validators=[check_accelerators])
    pue = models.FloatField(
        _("PUE"),
        default=1.3,
        validators=[MinValueValidator(1.0), MaxValueValidator(3.0)],
        help_text=_("Power usage effectiveness."),
    )
    utilisation = models.FloatField(_("utilisation"), default=0.7, validators=SHARE)
    notes = models.TextField(_("notes"), blank=True)
    version = models.PositiveIntegerField(_("version"), default=1)

    scope_path: ClassVar[str] = "operator"
    audit_enabled = True

    class Meta:
        verbose_name = _("compute site")
        verbose_name_plural = _("compute sites")
        ordering = ["region__name_en", "name"]

    def __str__(self) -> str:
        return self.name


class ComputeProfile(TimeStampedModel):
    """What a use case needs in compute: training and inference, on which accelerator, where."""

    use_case = models.OneToOneField(
        UseCase, verbose_name=_("use case"), on_delete=models.CASCADE, related_name="compute_profile"
    )
    accelerator_model = models.CharField(_("accelerator model"), max_length=50, default="H100-SXM")
    training_accelerator_hours = models.FloatField(
        _("training accelerator-hours a year"), null=True, blank=True, validators=[MinValueValidator(0.0)]
    )
    training_flop = models.FloatField(
        _("training compute, FLOP"), null=True, blank=True, validators=[MinValueValidator(0.0)]
    )
    inference_requests_per_day = models.FloatField(
        _("inference requests a day"), null=True, blank=True, validators=[MinValueValidator(0.0)]
    )
    accelerator_seconds_per_request = models.FloatField(
        _("accelerator-seconds per request"), null=True, blank=True, validators=[MinValueValidator(0.0)]
    )
    accelerators_reserved = models.PositiveIntegerField(_("accelerators reserved"), null=True, blank=True)
    host_region = models.ForeignKey(
        Region, verbose_name=_("host region"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    scope_path: ClassVar[str] = "use_case__organisation"
    audit_enabled = True

    class Meta:
        verbose_name = _("compute profile")
        verbose_name_plural = _("compute profiles")
        ordering = ["use_case"]

    def __str__(self) -> str:
        return f"{self.use_case}: {self.accelerator_model}"


class LoadKind(models.TextChoices):
    CRYPTO = "crypto", _("Crypto mining")
    DATA_CENTRES = "data_centres", _("Other data centres")
    OTHER = "other", _("Other")


class ExogenousLoad(TimeStampedModel):
    """A load outside AIHQ's sites and use cases that shares the grid: crypto mining, other data centres."""

    region = models.ForeignKey(Region, verbose_name=_("region"), on_delete=models.PROTECT, related_name="+")
    year = models.PositiveIntegerField(_("year"), validators=YEAR)
    kind = models.CharField(_("kind"), max_length=15, choices=LoadKind.choices)
    average_mw = models.FloatField(_("average load, MW"), validators=[MinValueValidator(0.0)])
    source = models.CharField(_("source"), max_length=500, blank=True)

    scope_kind: ClassVar[ScopeKind] = "reference"
    audit_enabled = True

    class Meta:
        verbose_name = _("exogenous load")
        verbose_name_plural = _("exogenous loads")
        ordering = ["region__name_en", "year", "kind"]
        constraints = [models.UniqueConstraint("region", "year", "kind", name="exogenous_load_once")]

    def __str__(self) -> str:
        return f"{self.region_id} {self.year} {self.kind}: {self.average_mw:g} MW"


class Scenario(TimeStampedModel):
    """A planning scenario: horizon, parameters with their uncertainty, technology mix, exchange rate."""

    code = models.CharField(_("code"), max_length=50, unique=True, validators=[code_validator])
    name_en = models.CharField(_("name (English)"), max_length=300, blank=True)
    name_ru = models.CharField(_("name (Russian)"), max_length=300, blank=True)
    description_en = models.TextField(_("description (English)"), blank=True)
    description_ru = models.TextField(_("description (Russian)"), blank=True)
    start_year = models.PositiveIntegerField(_("first year"), validators=YEAR)
    end_year = models.PositiveIntegerField(_("last year"), validators=YEAR)
    parameters = models.JSONField(_("parameters"), default=dict, blank=True)
    demand = models.JSONField(
        _("demand"),
        default=dict,
        blank=True,
        help_text=_("Accelerators and exogenous loads by region and year, when not taken from sites and use cases."),
    )
    mix = models.JSONField(_("technology mix"), default=dict, blank=True)
    samples = models.PositiveIntegerField(
        _("samples"), default=10_000, validators=[MinValueValidator(100), MaxValueValidator(100_000)]
    )
    seed = models.PositiveIntegerField(_("seed"), default=1)
    version = models.PositiveIntegerField(_("version"), default=1)

    scope_kind: ClassVar[ScopeKind] = "reference"
    audit_enabled = True

    class Meta:
        verbose_name = _("scenario")
        verbose_name_plural = _("scenarios")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return localised(self.name_en, self.name_ru) or self.code

    @property
    def description(self) -> str:
        return localised(self.description_en, self.description_ru)

    def clean(self) -> None:
        if self.start_year and self.end_year and self.end_year < self.start_year:
            raise ValidationError({"end_year": _("The last year cannot come before the first.")})
        if self.start_year and self.end_year and self.end_year - self.start_year > 50:
            raise ValidationError({"end_year": _("A horizon of at most 50 years.")})


class ScenarioRun(TimeStampedModel):
    """One Monte Carlo run of a scenario: its inputs as used, and the percentiles it produced."""

    scenario = models.ForeignKey(Scenario, verbose_name=_("scenario"), on_delete=models.CASCADE, related_name="runs")
    scenario_version = models.PositiveIntegerField(_("scenario version"))
    samples = models.PositiveIntegerField(_("samples"))
    seed = models.PositiveIntegerField(_("seed"))
    inputs = models.JSONField(_("inputs"), default=dict)
    results = models.JSONField(_("results"), default=dict)
    seconds = models.FloatField(_("seconds"), default=0.0)
    run_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("run by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    scope_kind: ClassVar[ScopeKind] = "reference"
    audit_enabled = True
    audit_exclude = ("results", "inputs")

    class Meta:
        verbose_name = _("scenario run")
        verbose_name_plural = _("scenario runs")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.scenario.code} #{self.pk}"
