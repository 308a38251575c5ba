"""The registry: organisations, regions, sectors and the AI use cases they build and run."""

from __future__ import annotations

from typing import ClassVar

from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _

from aihq.core.i18n import localised
from aihq.core.models import ScopeKind, TimeStampedModel

code_validator = RegexValidator(
    r"^[A-Za-z0-9][A-Za-z0-9._-]*$",
    _("Use letters, digits, dots, dashes and underscores, starting with a letter or digit."),
)


class Region(TimeStampedModel):
    """A territory: a federal subject of Russia, a US state, any ISO 3166-2 subdivision."""

    code = models.CharField(_("ISO 3166-2 code"), max_length=10, unique=True)
    country = models.CharField(_("country"), max_length=2, db_index=True, help_text=_("ISO 3166-1 alpha-2"))
    name_en = models.CharField(_("name (English)"), max_length=200)
    name_ru = models.CharField(_("name (Russian)"), max_length=200, blank=True)
    group_en = models.CharField(
        _("grouping (English)"), max_length=100, blank=True, help_text=_("Federal district, state grouping")
    )
    group_ru = models.CharField(_("grouping (Russian)"), max_length=100, blank=True)

    scope_kind: ClassVar[ScopeKind] = "reference"
    audit_enabled = True

    class Meta:
        verbose_name = _("region")
        verbose_name_plural = _("regions")
        ordering = ["country", "name_en"]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return localised(self.name_en, self.name_ru)

    @property
    def group(self) -> str:
        return localised(self.group_en, self.group_ru)


class Sector(TimeStampedModel):
    """An industry or topic area a use case serves."""

    code = models.CharField(_("code"), max_length=50, unique=True, validators=[code_validator])
    name_en = models.CharField(_("name (English)"), max_length=200)
    name_ru = models.CharField(_("name (Russian)"), max_length=200, blank=True)

    scope_kind: ClassVar[ScopeKind] = "reference"
    audit_enabled = True

    class Meta:
        verbose_name = _("sector")
        verbose_name_plural = _("sectors")
        ordering = ["name_en"]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return localised(self.name_en, self.name_ru)


class OrganisationKind(models.TextChoices):
    MINISTRY = "ministry", _("Ministry")
    AGENCY = "agency", _("Agency")
    REGIONAL_GOVERNMENT = "regional_government", _("Regional government")
    STATE_COMPANY = "state_company", _("State company")
    COMPANY = "company", _("Company")
    OTHER = "other", _("Other")


class Organisation(TimeStampedModel):
    """A ministry, agency, region's government or company; organisations form a tree."""

    code = models.CharField(
        _("code"),
        max_length=50,
        unique=True,
        validators=[code_validator],
        help_text=_("Short unique code, such as MINTSIFRY or DHS."),
    )
    name_en = models.CharField(_("name (English)"), max_length=300)
    name_ru = models.CharField(_("name (Russian)"), max_length=300, blank=True)
    kind = models.CharField(_("kind"), max_length=30, choices=OrganisationKind.choices, default=OrganisationKind.OTHER)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent organisation"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    region = models.ForeignKey(
        Region, verbose_name=_("region"), null=True, blank=True, on_delete=models.PROTECT, related_name="organisations"
    )

    scope_path: ClassVar[str] = "pk"
    audit_enabled = True

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} — {self.name}"

    @property
    def name(self) -> str:
        return localised(self.name_en, self.name_ru)

    def clean(self) -> None:
        if not self.name_en and not self.name_ru:
            raise ValidationError({"name_en": _("Give the name in English or in Russian.")})
        # Walk up from the new parent: meeting ourselves means the move would make a cycle.
        node = self.parent
        seen: set[int] = set()
        while node is not None and self.pk is not None:
            if node.pk == self.pk:
                raise ValidationError(
                    {"parent": _("An organisation cannot be placed under itself or its descendants.")}
                )
            if node.pk in seen:
                break
            seen.add(node.pk)
            node = node.parent


class Stage(models.TextChoices):
    """Lifecycle stages of a use case (each inventory format's stages map onto these)."""

    PLANNED = "planned", _("Planned")
    DEVELOPMENT = "development", _("Development")
    PILOT = "pilot", _("Pilot")
    PRODUCTION = "production", _("Production")
    RETIRED = "retired", _("Retired")


class DevelopmentMethod(models.TextChoices):
    IN_HOUSE = "in_house", _("Developed in-house")
    CONTRACTED = "contracted", _("From a vendor or under contract")
    MIXED = "mixed", _("In-house and contracted")
    OFF_THE_SHELF = "off_the_shelf", _("Commercial off-the-shelf")
    UNKNOWN = "unknown", _("Unknown")


class ImpactType(models.TextChoices):
    """Whether a use case affects rights or safety (OMB M-24-10); blank when not assessed."""

    RIGHTS = "rights", _("Rights-impacting")
    SAFETY = "safety", _("Safety-impacting")
    BOTH = "both", _("Rights- and safety-impacting")
    NEITHER = "neither", _("Neither")


class Technique(models.TextChoices):
    """The AI classification of OMB M-25-21's inventory."""

    AGENTIC = "agentic", _("Agentic AI")
    CLASSICAL_ML = "classical_ml", _("Classical/predictive machine learning")
    COMPUTER_VISION = "computer_vision", _("Computer vision")
    GENAI = "genai", _("Generative AI")
    NLP = "nlp", _("Natural language processing")
    RL = "rl", _("Reinforcement learning")


class UseCase(TimeStampedModel):
    """An AI project or system in use, owned by one organisation."""

    reference = models.CharField(
        _("reference"),
        max_length=100,
        blank=True,
        help_text=_("The owner's own identifier, such as an inventory ID (DHS-2400)."),
    )
    name = models.CharField(_("name"), max_length=500)
    description = models.TextField(_("description"), blank=True)
    organisation = models.ForeignKey(
        Organisation, verbose_name=_("organisation"), on_delete=models.PROTECT, related_name="use_cases"
    )
    unit = models.CharField(_("unit or bureau"), max_length=300, blank=True)
    sectors = models.ManyToManyField(Sector, verbose_name=_("sectors"), blank=True, related_name="use_cases")
    regions = models.ManyToManyField(Region, verbose_name=_("regions"), blank=True, related_name="use_cases")
    purpose = models.TextField(_("purpose and benefits"), blank=True)
    outputs = models.TextField(_("outputs"), blank=True)
    stage = models.CharField(_("stage"), max_length=20, choices=Stage.choices, default=Stage.PLANNED, db_index=True)
    development_method = models.CharField(
        _("development method"), max_length=20, choices=DevelopmentMethod.choices, default=DevelopmentMethod.UNKNOWN
    )
    vendors = models.CharField(_("vendors"), max_length=500, blank=True)
    is_generative = models.BooleanField(_("generative AI"), default=False)
    date_initiated = models.DateField(_("initiated"), null=True, blank=True)
    date_deployed = models.DateField(_("deployed"), null=True, blank=True)
    date_retired = models.DateField(_("retired"), null=True, blank=True)
    is_public = models.BooleanField(_("public"), default=False, help_text=_("Shown in the public register."))
    tags = models.JSONField(_("tags"), default=list, blank=True)
    impact_type = models.CharField(
        _("impact type"), max_length=10, choices=ImpactType.choices, blank=True, db_index=True
    )
    is_high_impact = models.BooleanField(_("high-impact"), null=True, blank=True)
    techniques = models.JSONField(_("AI techniques"), default=list, blank=True)
    attributes = models.JSONField(
        _("inventory answers"),
        default=dict,
        blank=True,
        help_text=_("Other answers of the inventory format, normalised."),
    )
    source_format = models.CharField(_("imported from"), max_length=20, blank=True)
    source_record = models.JSONField(
        _("original record"),
        null=True,
        blank=True,
        help_text=_("The imported row exactly as it was, column by column."),
    )
    version = models.PositiveIntegerField(_("version"), default=1)

    audit_enabled = True

    class Meta:
        verbose_name = _("use case")
        verbose_name_plural = _("use cases")
        ordering = ["-updated_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                "organisation",
                Lower("reference"),
                condition=~models.Q(reference=""),
                name="usecase_reference_unique_per_organisation",
                violation_error_message=_("This organisation already has a use case with this reference."),
            )
        ]
        indexes = [
            models.Index(fields=["organisation", "stage"], name="usecase_org_stage_idx"),
            # The lists' default order, alone and within a stage: the first page without sorting every row.
            models.Index(fields=["-updated_at", "-id"], name="usecase_updated_idx"),
            models.Index(fields=["stage", "-updated_at", "-id"], name="usecase_stage_updated_idx"),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        errors: dict[str, str] = {}
        if not isinstance(self.tags, list) or not all(isinstance(tag, str) for tag in self.tags):
            errors["tags"] = str(_("Tags must be a list of words."))
        if not isinstance(self.techniques, list) or not set(self.techniques) <= set(Technique.values):
            errors["techniques"] = str(
                _("Techniques must be a list of: %(choices)s.") % {"choices": ", ".join(Technique.values)}
            )
        if not isinstance(self.attributes, dict):
            errors["attributes"] = str(_("Inventory answers must be an object of field names and values."))
        if self.date_initiated and self.date_deployed and self.date_deployed < self.date_initiated:
            errors["date_deployed"] = str(_("A use case cannot be deployed before it was initiated."))
        if self.date_retired:
            start = self.date_deployed or self.date_initiated
            if start and self.date_retired < start:
                errors["date_retired"] = str(_("A use case cannot be retired before it started."))
        if errors:
            raise ValidationError(errors)


class UseCaseTally(models.Model):
    """How many use cases each organisation has at each stage, in each sector and in each region, kept by
    database triggers (``aihq.registry.tallies``) on every write, however it is made: a service, an import, a
    bulk load or raw SQL. Roll-ups then add up hundreds of rows instead of counting a hundred thousand."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.DO_NOTHING, db_constraint=False, related_name="+", verbose_name=_("organisation")
    )
    dimension = models.CharField(_("dimension"), max_length=10)  # stage, sector or region
    key = models.CharField(_("key"), max_length=50)  # the stage, or the sector's or region's id
    n = models.IntegerField(_("use cases"), default=0)

    class Meta:
        verbose_name = _("use-case tally")
        verbose_name_plural = _("use-case tallies")
        constraints = [
            models.UniqueConstraint(fields=["organisation", "dimension", "key"], name="usecasetally_unique"),
        ]
        # A roll-up adds up one dimension by key: read in key order from the index alone, without a sort.
        indexes = [models.Index(fields=["dimension", "key", "n"], name="usecasetally_rollup_idx")]

    def __str__(self) -> str:
        return f"{self.organisation_id} {self.dimension}={self.key}: {self.n}"
