"""Regulation, risks and incidents: frameworks as data, classifications of use cases under them,
the requirements that follow with their evidence, the risk register, the incident register and the
public incident library."""

from __future__ import annotations

import datetime as dt
from typing import ClassVar

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from aihq.core.i18n import localised
from aihq.core.models import ScopeKind, TimeStampedModel
from aihq.registry.models import UseCase


class FrameworkKind(models.TextChoices):
    BINDING = "binding", _("Binding law or policy")
    VOLUNTARY = "voluntary", _("Voluntary framework")


class Framework(TimeStampedModel):
    """One version of a regulatory framework, loaded from its data file (see frameworks/README.md).

    Classifications point at the version they used, so loading a new version never rewrites the past.
    """

    code = models.CharField(_("code"), max_length=50, db_index=True)
    version = models.CharField(_("version"), max_length=100)
    title_en = models.CharField(_("title (English)"), max_length=300)
    title_ru = models.CharField(_("title (Russian)"), max_length=300, blank=True)
    kind = models.CharField(_("kind"), max_length=20, choices=FrameworkKind.choices)
    jurisdiction = models.CharField(_("jurisdiction"), max_length=30, blank=True)
    definition = models.JSONField(_("definition"), help_text=_("The parsed framework file."))
    sha256 = models.CharField(_("SHA-256 of the definition"), max_length=64)
    is_current = models.BooleanField(_("current version"), default=True)

    scope_kind: ClassVar[ScopeKind] = "reference"
    audit_enabled = True
    audit_exclude: ClassVar[frozenset[str]] = frozenset({"definition"})  # the SHA-256 stands for it

    class Meta:
        verbose_name = _("framework")
        verbose_name_plural = _("frameworks")
        ordering = ["code", "-created_at"]
        constraints = [
            models.UniqueConstraint("code", "version", name="framework_code_version_unique"),
            models.UniqueConstraint("code", condition=models.Q(is_current=True), name="framework_one_current_version"),
        ]

    def __str__(self) -> str:
        return f"{self.title} ({self.version})"

    @property
    def title(self) -> str:
        return localised(self.title_en, self.title_ru)


class ClassificationSource(models.TextChoices):
    QUESTIONNAIRE = "questionnaire", _("Questionnaire")
    INVENTORY = "inventory", _("Pre-filled from the inventory")


class Classification(TimeStampedModel):
    """A use case's current classification under one framework (the latest answers and their result)."""

    use_case = models.ForeignKey(
        UseCase, verbose_name=_("use case"), on_delete=models.CASCADE, related_name="classifications"
    )
    framework_code = models.CharField(_("framework"), max_length=50)
    framework = models.ForeignKey(
        Framework, verbose_name=_("framework version"), on_delete=models.PROTECT, related_name="classifications"
    )
    answers = models.JSONField(_("answers"), default=dict, blank=True)
    result = models.JSONField(_("result"), default=dict)
    tier = models.CharField(_("tier"), max_length=50, db_index=True)
    role = models.CharField(_("role"), max_length=50, blank=True)
    flags = models.JSONField(_("flags"), default=list, blank=True)
    source = models.CharField(
        _("source"), max_length=20, choices=ClassificationSource.choices, default=ClassificationSource.QUESTIONNAIRE
    )
    classified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("classified by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    version = models.PositiveIntegerField(_("version"), default=1)

    scope_path: ClassVar[str] = "use_case__organisation"
    audit_enabled = True

    class Meta:
        verbose_name = _("classification")
        verbose_name_plural = _("classifications")
        ordering = ["framework_code"]
        constraints = [
            models.UniqueConstraint("use_case", "framework_code", name="classification_one_per_framework"),
        ]

    def __str__(self) -> str:
        return f"{self.use_case} — {self.framework_code}: {self.tier}"


class ClassificationRevision(TimeStampedModel):
    """One past or present state of a classification; never changed once written."""

    classification = models.ForeignKey(
        Classification, verbose_name=_("classification"), on_delete=models.CASCADE, related_name="revisions"
    )
    number = models.PositiveIntegerField(_("revision"))
    framework = models.ForeignKey(Framework, verbose_name=_("framework version"), on_delete=models.PROTECT)
    answers = models.JSONField(_("answers"), default=dict, blank=True)
    result = models.JSONField(_("result"), default=dict)
    tier = models.CharField(_("tier"), max_length=50)
    source = models.CharField(_("source"), max_length=20, choices=ClassificationSource.choices)
    classified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("classified by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    scope_path: ClassVar[str] = "classification__use_case__organisation"
    audit_enabled = False  # the classification's own audit events carry the same change

    class Meta:
        verbose_name = _("classification revision")
        verbose_name_plural = _("classification revisions")
        ordering = ["-number"]
        constraints = [
            models.UniqueConstraint("classification", "number", name="classification_revision_unique"),
        ]


class RequirementState(models.TextChoices):
    NOT_STARTED = "not_started", _("Not started")
    IN_PROGRESS = "in_progress", _("In progress")
    MET = "met", _("Met")
    NOT_APPLICABLE = "not_applicable", _("Not applicable")
    WAIVED = "waived", _("Waived")


#: States that close a requirement (it counts as done and is never overdue).
CLOSED_STATES = frozenset({RequirementState.MET, RequirementState.NOT_APPLICABLE, RequirementState.WAIVED})


class RequirementStatus(TimeStampedModel):
    """Where one use case stands on one requirement of a framework.

    Rows outlive the classification that created them: when a re-classification drops a requirement the
    row is kept (``applicable`` false) with its evidence, and comes back as it was if the requirement
    applies again.
    """

    use_case = models.ForeignKey(
        UseCase, verbose_name=_("use case"), on_delete=models.CASCADE, related_name="requirement_statuses"
    )
    framework_code = models.CharField(_("framework"), max_length=50)
    requirement_id = models.CharField(_("requirement"), max_length=100)
    cite = models.CharField(_("citation"), max_length=100, blank=True)
    title_en = models.CharField(_("title (English)"), max_length=500)
    title_ru = models.CharField(_("title (Russian)"), max_length=500, blank=True)
    group = models.CharField(_("group"), max_length=100, blank=True)
    mandatory = models.BooleanField(_("mandatory"), default=True)
    applicable = models.BooleanField(_("applies now"), default=True, db_index=True)
    status = models.CharField(
        _("status"), max_length=20, choices=RequirementState.choices, default=RequirementState.NOT_STARTED
    )
    justification = models.TextField(
        _("justification"), blank=True, help_text=_("Why the requirement does not apply or was waived.")
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="owned_requirements",
    )
    due_date = models.DateField(_("due"), null=True, blank=True)
    due_computed = models.DateField(
        _("due by the framework"),
        null=True,
        blank=True,
        editable=False,
        help_text=_("The date the framework gave at the last classification; a due date still equal to it follows it."),
    )
    note = models.TextField(_("note"), blank=True)
    version = models.PositiveIntegerField(_("version"), default=1)

    scope_path: ClassVar[str] = "use_case__organisation"
    audit_enabled = True

    class Meta:
        verbose_name = _("requirement status")
        verbose_name_plural = _("requirement statuses")
        ordering = ["framework_code", "id"]
        constraints = [
            models.UniqueConstraint("use_case", "framework_code", "requirement_id", name="requirement_status_unique"),
        ]
        indexes = [models.Index(fields=["applicable", "status", "due_date"], name="requirement_open_due_idx")]

    def __str__(self) -> str:
        return f"{self.cite or self.requirement_id} — {self.title}"

    @property
    def title(self) -> str:
        return localised(self.title_en, self.title_ru)

    @property
    def is_closed(self) -> bool:
        return self.status in CLOSED_STATES

    def is_overdue(self, today: dt.date | None = None) -> bool:
        """Applies, has a due date that has passed, and is not closed (selectors.overdue is the same in SQL)."""
        day = today or dt.date.today()
        return bool(self.applicable and self.due_date and self.due_date < day and not self.is_closed)

    def clean(self) -> None:
        if self.status in (RequirementState.NOT_APPLICABLE, RequirementState.WAIVED) and not self.justification.strip():
            raise ValidationError({"justification": _("Say why the requirement does not apply or was waived.")})


class EvidenceKind(models.TextChoices):
    FILE = "file", _("File")
    LINK = "link", _("Web link")


class Evidence(TimeStampedModel):
    """A document or link that shows a requirement is met. Files live in the database, served only to
    those who may see the use case."""

    requirement = models.ForeignKey(
        RequirementStatus, verbose_name=_("requirement"), on_delete=models.CASCADE, related_name="evidence"
    )
    kind = models.CharField(_("kind"), max_length=10, choices=EvidenceKind.choices)
    title = models.CharField(_("title"), max_length=300)
    url = models.URLField(_("link"), max_length=1000, blank=True)
    filename = models.CharField(_("file name"), max_length=255, blank=True)
    content_type = models.CharField(_("content type"), max_length=100, blank=True)
    size = models.PositiveBigIntegerField(_("size in bytes"), default=0)
    sha256 = models.CharField(_("SHA-256"), max_length=64, blank=True)
    content = models.BinaryField(_("content"), null=True, blank=True, editable=False)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("added by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    scope_path: ClassVar[str] = "requirement__use_case__organisation"
    audit_enabled = True
    audit_exclude: ClassVar[frozenset[str]] = frozenset({"content"})

    class Meta:
        verbose_name = _("evidence")
        verbose_name_plural = _("evidence")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.title


class RiskStatus(models.TextChoices):
    OPEN = "open", _("Open")
    MITIGATING = "mitigating", _("Being mitigated")
    ACCEPTED = "accepted", _("Accepted")
    CLOSED = "closed", _("Closed")


SCALE = [MinValueValidator(1), MaxValueValidator(5)]


class Risk(TimeStampedModel):
    """Something that could go wrong with a use case, rated likelihood × severity before and after mitigation."""

    use_case = models.ForeignKey(UseCase, verbose_name=_("use case"), on_delete=models.CASCADE, related_name="risks")
    title = models.CharField(_("title"), max_length=300)
    description = models.TextField(_("description"), blank=True)
    category = models.CharField(
        _("risk domain"), max_length=10, db_index=True, help_text=_("MIT AI risk domain or subdomain, such as 1.1.")
    )
    likelihood = models.PositiveSmallIntegerField(_("likelihood (1–5)"), validators=SCALE)
    severity = models.PositiveSmallIntegerField(_("severity (1–5)"), validators=SCALE)
    mitigations = models.TextField(_("mitigations"), blank=True)
    residual_likelihood = models.PositiveSmallIntegerField(
        _("residual likelihood (1–5)"), null=True, blank=True, validators=SCALE
    )
    residual_severity = models.PositiveSmallIntegerField(
        _("residual severity (1–5)"), null=True, blank=True, validators=SCALE
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="owned_risks",
    )
    status = models.CharField(_("status"), max_length=20, choices=RiskStatus.choices, default=RiskStatus.OPEN)
    version = models.PositiveIntegerField(_("version"), default=1)

    scope_path: ClassVar[str] = "use_case__organisation"
    audit_enabled = True

    class Meta:
        verbose_name = _("risk")
        verbose_name_plural = _("risks")
        ordering = ["-updated_at", "-id"]

    def __str__(self) -> str:
        return self.title

    @property
    def score(self) -> int:
        return self.likelihood * self.severity

    @property
    def residual_score(self) -> int | None:
        if self.residual_likelihood is None or self.residual_severity is None:
            return None
        return self.residual_likelihood * self.residual_severity

    def clean(self) -> None:
        from aihq.regulation.taxonomy import is_category

        errors: dict[str, str] = {}
        if not is_category(self.category):
            errors["category"] = str(_("Use an MIT AI risk domain or subdomain code, such as 1 or 1.1."))
        if (self.residual_likelihood is None) != (self.residual_severity is None):
            errors["residual_severity"] = str(_("Give both residual likelihood and residual severity, or neither."))
        if errors:
            raise ValidationError(errors)


#: The earliest date an incident may carry (AI incidents before it are history, not a register's business).
EARLIEST = dt.date(1950, 1, 1)


class IncidentSeverity(models.TextChoices):
    MINOR = "minor", _("Minor")
    SERIOUS = "serious", _("Serious")
    VERY_SERIOUS = "very_serious", _("Very serious")
    CRITICAL = "critical", _("Critical")


class IncidentStatus(models.TextChoices):
    OPEN = "open", _("Open")
    INVESTIGATING = "investigating", _("Investigating")
    MITIGATED = "mitigated", _("Mitigated")
    CLOSED = "closed", _("Closed")


class Harm(models.TextChoices):
    """Harm categories; the first five are the serious-incident outcomes of EU AI Act Art. 3(49)."""

    DEATH = "death", _("Death of a person")
    HEALTH = "health", _("Serious harm to health")
    CRITICAL_INFRASTRUCTURE = "critical_infrastructure", _("Disruption of critical infrastructure")
    FUNDAMENTAL_RIGHTS = "fundamental_rights", _("Infringement of fundamental rights")
    PROPERTY_ENVIRONMENT = "property_environment", _("Serious harm to property or the environment")
    FINANCIAL = "financial", _("Financial loss")
    PRIVACY = "privacy", _("Privacy or data breach")
    DISCRIMINATION = "discrimination", _("Discrimination")
    MISINFORMATION = "misinformation", _("Misinformation")
    SERVICE = "service", _("Service disruption")
    REPUTATION = "reputation", _("Reputational harm")
    OTHER = "other", _("Other")


class Incident(TimeStampedModel):
    """Something that went wrong with a use case, tracked from detection to closure."""

    use_case = models.ForeignKey(
        UseCase, verbose_name=_("use case"), on_delete=models.CASCADE, related_name="incidents"
    )
    title = models.CharField(_("title"), max_length=300)
    description = models.TextField(_("description"), blank=True)
    occurred_on = models.DateField(_("occurred on"))
    detected_on = models.DateField(_("detected on"), help_text=_("When the organisation became aware of it."))
    severity = models.CharField(_("severity"), max_length=20, choices=IncidentSeverity.choices, db_index=True)
    harms = models.JSONField(_("harm categories"), default=list, blank=True)
    widespread_infringement = models.BooleanField(
        _("widespread infringement"), default=False, help_text=_("EU AI Act Art. 3(61).")
    )
    affected_groups = models.TextField(_("affected groups"), blank=True)
    immediate_actions = models.TextField(_("immediate actions"), blank=True)
    corrective_actions = models.TextField(_("corrective actions"), blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=IncidentStatus.choices, default=IncidentStatus.OPEN, db_index=True
    )
    reported_on = models.DateField(
        _("reported to the authority"), null=True, blank=True, help_text=_("Clears the reporting deadline.")
    )
    risks = models.ManyToManyField(Risk, verbose_name=_("related risks"), blank=True, related_name="incidents")
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("logged by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    version = models.PositiveIntegerField(_("version"), default=1)

    scope_path: ClassVar[str] = "use_case__organisation"
    audit_enabled = True

    class Meta:
        verbose_name = _("incident")
        verbose_name_plural = _("incidents")
        ordering = ["-detected_on", "-id"]

    def __str__(self) -> str:
        return self.title

    def clean(self) -> None:
        errors: dict[str, str] = {}
        if not isinstance(self.harms, list) or not set(self.harms) <= set(Harm.values):
            errors["harms"] = str(
                _("Harm categories must be a list of: %(choices)s.") % {"choices": ", ".join(Harm.values)}
            )
        latest = dt.date.today() + dt.timedelta(days=1)  # a day's slack for time zones
        for name in ("occurred_on", "detected_on", "reported_on"):
            value = getattr(self, name)
            if value is not None and not (EARLIEST <= value <= latest):
                errors[name] = str(_("Give a date between 1950 and today."))
        if self.occurred_on and self.detected_on and self.detected_on < self.occurred_on:
            errors.setdefault("detected_on", str(_("An incident cannot be detected before it occurred.")))
        if self.reported_on and self.detected_on and self.reported_on < self.detected_on:
            errors.setdefault("reported_on", str(_("An incident cannot be reported before it was detected.")))
        if errors:
            raise ValidationError(errors)


class IncidentTransition(TimeStampedModel):
    """Who moved an incident from one status to another, and why."""

    incident = models.ForeignKey(
        Incident, verbose_name=_("incident"), on_delete=models.CASCADE, related_name="transitions"
    )
    from_status = models.CharField(_("from status"), max_length=20, choices=IncidentStatus.choices, blank=True)
    to_status = models.CharField(_("to status"), max_length=20, choices=IncidentStatus.choices)
    note = models.TextField(_("note"), blank=True)
    moved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("moved by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    scope_path: ClassVar[str] = "incident__use_case__organisation"
    audit_enabled = True

    class Meta:
        verbose_name = _("incident transition")
        verbose_name_plural = _("incident transitions")
        ordering = ["created_at", "id"]


class PublicIncident(TimeStampedModel):
    """An AI incident from a public library (the AI Incident Database), for lessons and comparison."""

    source = models.CharField(_("source"), max_length=20, default="aiid")
    source_id = models.PositiveIntegerField(_("source id"))
    date = models.DateField(_("date"), null=True, blank=True, db_index=True)
    title = models.CharField(_("title"), max_length=500)
    description = models.TextField(_("description"), blank=True)
    deployers = models.JSONField(_("alleged deployers"), default=list, blank=True)
    developers = models.JSONField(_("alleged developers"), default=list, blank=True)
    harmed_parties = models.JSONField(_("alleged harmed parties"), default=list, blank=True)
    report_count = models.PositiveIntegerField(_("report count"), default=0)
    mit_domain = models.CharField(_("MIT risk domain"), max_length=5, blank=True, db_index=True)
    mit_subdomain = models.CharField(_("MIT risk subdomain"), max_length=10, blank=True)
    mit_entity = models.CharField(_("entity"), max_length=20, blank=True)
    mit_intent = models.CharField(_("intent"), max_length=20, blank=True)
    mit_timing = models.CharField(_("timing"), max_length=20, blank=True)

    scope_kind: ClassVar[ScopeKind] = "reference"
    audit_enabled = False  # bulk reference data, re-imported from its source; the import itself is audited

    class Meta:
        verbose_name = _("public incident")
        verbose_name_plural = _("public incidents")
        ordering = ["-date", "-source_id"]
        constraints = [models.UniqueConstraint("source", "source_id", name="public_incident_unique")]

    def __str__(self) -> str:
        return f"{self.source.upper()} #{self.source_id}: {self.title}"
