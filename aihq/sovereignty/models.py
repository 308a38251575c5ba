"""What the AI stands on: suppliers and their jurisdictions, components, each use case's AI-BOM, partnership
agreements, cut-off scenarios, and the HQ's sovereignty settings."""

from __future__ import annotations

import functools
import gettext as gettext_module
from typing import ClassVar

import pycountry
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models.functions import Lower
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from aihq.core.models import ScopeKind, TimeStampedModel
from aihq.registry.models import Organisation, UseCase


def check_country(value: str, field: str) -> None:
    """An ISO 3166-1 alpha-2 code (upper case), or blank for unknown. The models' clean() upper-cases first."""
    if value and (value != value.upper() or pycountry.countries.get(alpha_2=value) is None):
        raise ValidationError({field: _("Use an ISO 3166-1 two-letter country code, such as RU or US.")})


def country_name(code: str) -> str:
    """The country's name in the reader's language (pycountry ships the ISO 3166 translations)."""
    country = pycountry.countries.get(alpha_2=code) if code else None
    if country is None:
        return code
    name = str(getattr(country, "name", code))
    language = (get_language() or "en").split("-")[0]
    if language != "en":
        return _iso3166(language).gettext(name)
    return name


@functools.cache
def _iso3166(language: str) -> gettext_module.NullTranslations:
    return gettext_module.translation("iso3166-1", pycountry.LOCALES_DIR, languages=[language], fallback=True)


class SupplierKind(models.TextChoices):
    COMPANY = "company", _("Company")
    STATE_BODY = "state_body", _("State body")
    OPEN_SOURCE = "open_source", _("Open-source community")
    ACADEMIC = "academic", _("Academic")


class Supplier(TimeStampedModel):
    """Who makes or provides a component, and under which jurisdiction it falls."""

    name = models.CharField(_("name"), max_length=300)
    jurisdiction = models.CharField(
        _("jurisdiction"), max_length=2, blank=True, db_index=True, help_text=_("ISO 3166-1 alpha-2; blank if unknown.")
    )
    kind = models.CharField(_("kind"), max_length=20, choices=SupplierKind.choices, default=SupplierKind.COMPANY)
    parent = models.ForeignKey(
        "self", verbose_name=_("parent supplier"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    sanctions_notes = models.TextField(_("sanctions and export-control notes"), blank=True)
    website = models.URLField(_("website"), max_length=500, blank=True)
    inferred = models.BooleanField(
        _("inferred"), default=False, help_text=_("Created from an inventory's vendor field, not confirmed.")
    )
    version = models.PositiveIntegerField(_("version"), default=1)

    scope_kind: ClassVar[ScopeKind] = "reference"
    audit_enabled = True

    class Meta:
        verbose_name = _("supplier")
        verbose_name_plural = _("suppliers")
        ordering = ["name"]
        constraints = [models.UniqueConstraint(Lower("name"), name="supplier_name_unique")]

    def __str__(self) -> str:
        return f"{self.name} ({self.jurisdiction})" if self.jurisdiction else self.name

    def clean(self) -> None:
        self.jurisdiction = (self.jurisdiction or "").strip().upper()
        check_country(self.jurisdiction, "jurisdiction")
        node, seen = self.parent, set()
        while node is not None and self.pk is not None:
            if node.pk == self.pk:
                raise ValidationError({"parent": _("A supplier cannot be its own parent.")})
            if node.pk in seen:
                break
            seen.add(node.pk)
            node = node.parent


class ComponentType(models.TextChoices):
    MODEL = "model", _("Model")
    DATASET = "dataset", _("Dataset")
    FRAMEWORK = "framework", _("Software framework")
    CLOUD = "cloud", _("Cloud or hosting")
    HARDWARE = "hardware", _("Hardware")
    API_SERVICE = "api_service", _("API service")


class Hosting(models.TextChoices):
    ON_PREMISES = "on_premises", _("On premises")
    DOMESTIC_CLOUD = "domestic_cloud", _("Domestic cloud")
    FOREIGN_CLOUD = "foreign_cloud", _("Foreign cloud")


class Replaceability(models.TextChoices):
    DROP_IN = "drop_in", _("A drop-in alternative exists")
    EFFORT = "effort", _("Replaceable with effort")
    NONE = "none", _("No alternative")


class Component(TimeStampedModel):
    """A model, dataset, framework, cloud, piece of hardware or API service that use cases are built on."""

    type = models.CharField(_("type"), max_length=20, choices=ComponentType.choices, db_index=True)
    name = models.CharField(_("name"), max_length=300)
    release = models.CharField(_("version"), max_length=100, blank=True)
    supplier = models.ForeignKey(
        Supplier, verbose_name=_("supplier"), null=True, blank=True, on_delete=models.PROTECT, related_name="components"
    )
    licence = models.CharField(_("licence (SPDX expression)"), max_length=300, blank=True)
    open_weights = models.BooleanField(_("open weights"), null=True, blank=True)
    hosting = models.CharField(_("where it runs"), max_length=20, choices=Hosting.choices, blank=True)
    replaceability = models.CharField(_("replaceability"), max_length=20, choices=Replaceability.choices, blank=True)
    alternatives = models.TextField(_("known alternatives"), blank=True)
    switch_cost = models.CharField(
        _("cost or effort to switch"), max_length=300, blank=True, help_text=_("Such as “3 months, 2 engineers”.")
    )
    model_family = models.CharField(_("model family"), max_length=100, blank=True, db_index=True)
    description = models.TextField(_("description"), blank=True)
    model_card = models.JSONField(_("model card"), null=True, blank=True)
    inferred = models.BooleanField(_("inferred"), default=False)
    version = models.PositiveIntegerField(_("record version"), default=1)

    scope_kind: ClassVar[ScopeKind] = "reference"
    audit_enabled = True

    class Meta:
        verbose_name = _("component")
        verbose_name_plural = _("components")
        ordering = ["type", "name", "release"]
        constraints = [
            # Components without a supplier are kept unique by the services (SQLite cannot make NULLs equal).
            models.UniqueConstraint("type", Lower("name"), "release", "supplier", name="component_unique")
        ]

    def __str__(self) -> str:
        return f"{self.name} {self.release}".strip()


class Criticality(models.TextChoices):
    CRITICAL = "critical", _("Critical")
    IMPORTANT = "important", _("Important")
    MINOR = "minor", _("Minor")


class BomEntry(TimeStampedModel):
    """One line of a use case's AI-BOM: a component it uses, in which role, how critical."""

    use_case = models.ForeignKey(UseCase, verbose_name=_("use case"), on_delete=models.CASCADE, related_name="bom")
    component = models.ForeignKey(Component, verbose_name=_("component"), on_delete=models.PROTECT, related_name="uses")
    role = models.CharField(_("role"), max_length=200, blank=True, help_text=_("Such as “inference”, “fine-tuning”."))
    criticality = models.CharField(
        _("criticality"), max_length=20, choices=Criticality.choices, default=Criticality.IMPORTANT
    )
    bom_ref = models.CharField(_("bom-ref"), max_length=200, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    inferred = models.BooleanField(_("inferred"), default=False)

    scope_path: ClassVar[str] = "use_case__organisation"
    audit_enabled = True

    class Meta:
        verbose_name = _("AI-BOM entry")
        verbose_name_plural = _("AI-BOM entries")
        ordering = ["use_case_id", "component__type", "component__name"]
        constraints = [models.UniqueConstraint("use_case", "component", name="bom_entry_unique")]

    def __str__(self) -> str:
        return f"{self.use_case_id}: {self.component}"


class AgreementKind(models.TextChoices):
    COOPERATION = "cooperation", _("Cooperation")
    JOINT_DEVELOPMENT = "joint_development", _("Joint development")
    SUPPLY = "supply", _("Supply")
    RESEARCH = "research", _("Research")


class AgreementStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    SIGNED = "signed", _("Signed")
    IN_FORCE = "in_force", _("In force")
    EXPIRED = "expired", _("Expired")
    TERMINATED = "terminated", _("Terminated")


class Agreement(TimeStampedModel):
    """A partnership that changes who the country depends on (with a partner country or organisation)."""

    title = models.CharField(_("title"), max_length=300)
    partner_country = models.CharField(_("partner country"), max_length=2, blank=True, db_index=True)
    partner_name = models.CharField(_("partner organisation"), max_length=300, blank=True)
    kind = models.CharField(_("kind"), max_length=20, choices=AgreementKind.choices)
    status = models.CharField(
        _("status"), max_length=20, choices=AgreementStatus.choices, default=AgreementStatus.SIGNED
    )
    signed_on = models.DateField(_("signed"), null=True, blank=True)
    starts_on = models.DateField(_("in force from"), null=True, blank=True)
    ends_on = models.DateField(_("in force until"), null=True, blank=True)
    scope = models.TextField(_("scope"), blank=True)
    organisations = models.ManyToManyField(Organisation, verbose_name=_("organisations"), blank=True, related_name="+")
    use_cases = models.ManyToManyField(UseCase, verbose_name=_("use cases"), blank=True, related_name="+")
    suppliers = models.ManyToManyField(Supplier, verbose_name=_("suppliers"), blank=True, related_name="agreements")
    source = models.CharField(_("source"), max_length=500, blank=True)
    version = models.PositiveIntegerField(_("version"), default=1)

    scope_kind: ClassVar[ScopeKind] = "reference"
    audit_enabled = True

    class Meta:
        verbose_name = _("agreement")
        verbose_name_plural = _("agreements")
        ordering = ["-signed_on", "title"]

    def __str__(self) -> str:
        return self.title

    def clean(self) -> None:
        self.partner_country = (self.partner_country or "").strip().upper()
        check_country(self.partner_country, "partner_country")
        if not self.partner_country and not self.partner_name:
            raise ValidationError({"partner_country": _("Name the partner country or the partner organisation.")})
        if self.starts_on and self.ends_on and self.ends_on < self.starts_on:
            raise ValidationError({"ends_on": _("An agreement cannot end before it starts.")})


class CutoffScenario(TimeStampedModel):
    """“What breaks if …”: suppliers, jurisdictions or components become unavailable from a date."""

    name = models.CharField(_("name"), max_length=300)
    description = models.TextField(_("description"), blank=True)
    effective_from = models.DateField(_("unavailable from"), null=True, blank=True)
    jurisdictions = models.JSONField(_("jurisdictions"), default=list, blank=True)
    suppliers = models.ManyToManyField(Supplier, verbose_name=_("suppliers"), blank=True, related_name="+")
    components = models.ManyToManyField(Component, verbose_name=_("components"), blank=True, related_name="+")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("created by"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )  # fmt: skip
    version = models.PositiveIntegerField(_("version"), default=1)

    scope_kind: ClassVar[ScopeKind] = "reference"
    audit_enabled = True

    class Meta:
        verbose_name = _("cut-off scenario")
        verbose_name_plural = _("cut-off scenarios")
        ordering = ["-updated_at", "-id"]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if not isinstance(self.jurisdictions, list):
            raise ValidationError({"jurisdictions": _("Give a list of ISO 3166-1 codes.")})
        self.jurisdictions = sorted({str(code).strip().upper() for code in self.jurisdictions})
        for code in self.jurisdictions:
            check_country(str(code), "jurisdictions")


class SovereigntySettings(TimeStampedModel):
    """The HQ's choices: which country is home, and how the sovereignty score weighs its factors (one row)."""

    home_country = models.CharField(_("home country"), max_length=2, default="RU")
    weight_jurisdiction = models.FloatField(_("weight of jurisdiction"), default=0.4)
    weight_hosting = models.FloatField(_("weight of hosting"), default=0.25)
    weight_licence = models.FloatField(_("weight of licence openness"), default=0.2)
    weight_replaceability = models.FloatField(_("weight of replaceability"), default=0.15)
    version = models.PositiveIntegerField(_("version"), default=1)

    scope_kind: ClassVar[ScopeKind] = "reference"
    audit_enabled = True

    class Meta:
        verbose_name = _("sovereignty settings")
        verbose_name_plural = _("sovereignty settings")

    def __str__(self) -> str:
        return f"{self.home_country}"

    def clean(self) -> None:
        self.home_country = (self.home_country or "").strip().upper()
        check_country(self.home_country, "home_country")
        weights = [self.weight_jurisdiction, self.weight_hosting, self.weight_licence, self.weight_replaceability]
        if any(w < 0 or w > 100 for w in weights) or sum(weights) - self.weight_hosting <= 0:
            raise ValidationError(
                {
                    "weight_jurisdiction": _(
                        "Weights are between 0 and 100, and jurisdiction, licence and replaceability are not all zero."
                    )
                }
            )

    @classmethod
    def current(cls) -> SovereigntySettings:
        found = cls.objects.order_by("pk").first()
        return found if found is not None else cls(version=0)  # not saved yet: no version to compare with
