"""Reporting cycles the HQ sets, what organisations confirm, and the indicator ratings last seen."""

from __future__ import annotations

from typing import Any, ClassVar

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from aihq.core.i18n import localised
from aihq.core.models import ScopeKind, TimeStampedModel
from aihq.objectives.models import Frequency, Indicator
from aihq.registry.models import Organisation


class CycleKind(models.TextChoices):
    INDICATOR_MEASUREMENTS = "indicator_measurements", _("Indicator measurements")
    BENEFIT_UPDATES = "benefit_updates", _("Benefit updates")
    INVENTORY_REFRESH = "inventory_refresh", _("Inventory refresh")


class Audience(models.TextChoices):
    EDITORS = "editors", _("The organisation's editors")
    COORDINATORS = "coordinators", _("The organisation's coordinators")
    HQ = "hq", _("The HQ's admins")


MIN_DAYS, MAX_DAYS, MAX_STEPS = -90, 180, 12
FIRST_YEAR, LAST_YEAR = 2000, 2100  # a cycle's first period: far dates would only overflow the calendar


def default_schedule() -> list[dict[str, Any]]:
    """7 days before, on the day, 3 days after to the coordinators, 10 days after to the HQ."""
    return [
        {"days": -7, "to": Audience.EDITORS.value},
        {"days": 0, "to": Audience.EDITORS.value},
        {"days": 3, "to": Audience.COORDINATORS.value},
        {"days": 10, "to": Audience.HQ.value},
    ]


def clean_schedule(value: Any) -> list[dict[str, Any]]:
    """The schedule's steps checked and sorted: ``days`` from the due date (negative before) and ``to`` whom."""
    if not isinstance(value, list) or not value:
        raise ValidationError(_("Give at least one reminder: a number of days from the due date and to whom."))
    if len(value) > MAX_STEPS:
        raise ValidationError(_("At most %(n)d reminders per cycle.") % {"n": MAX_STEPS})
    steps: list[dict[str, Any]] = []
    for item in value:
        if not isinstance(item, dict) or set(item) != {"days", "to"}:
            raise ValidationError(_('Each reminder is {"days": number, "to": "editors", "coordinators" or "hq"}.'))
        days, to = item["days"], item["to"]
        if isinstance(days, bool) or not isinstance(days, int) or not MIN_DAYS <= days <= MAX_DAYS:
            raise ValidationError(
                _("Days are whole numbers from %(min)d to %(max)d.") % {"min": MIN_DAYS, "max": MAX_DAYS}
            )
        if to not in Audience.values:
            raise ValidationError(_("“%(to)s” is not one of editors, coordinators or hq.") % {"to": to})
        steps.append({"days": days, "to": to})
    if len({(s["days"], s["to"]) for s in steps}) != len(steps):
        raise ValidationError(_("The same reminder is given twice."))
    return sorted(steps, key=lambda s: (s["days"], Audience.values.index(s["to"])))


class ReportingCycle(TimeStampedModel):
    """What organisations report, how often, by when after each period, and the reminders around the date."""

    name_en = models.CharField(_("name (English)"), max_length=200, blank=True)
    name_ru = models.CharField(_("name (Russian)"), max_length=200, blank=True)
    kind = models.CharField(_("what is reported"), max_length=30, choices=CycleKind.choices)
    frequency = models.CharField(_("frequency"), max_length=10, choices=Frequency.choices, default=Frequency.MONTHLY)
    due_days = models.PositiveSmallIntegerField(
        _("due (days after the period)"),
        default=10,
        help_text=_("The report for a period is due this many days after the period ends."),
    )
    organisations = models.ManyToManyField(
        Organisation,
        verbose_name=_("organisations"),
        blank=True,
        related_name="+",
        help_text=_(
            "Who reports. Empty: the indicators' reporting organisations, or every organisation with use cases."
        ),
    )
    indicators = models.ManyToManyField(
        Indicator,
        verbose_name=_("indicators"),
        blank=True,
        related_name="+",
        help_text=_("The indicators measured (indicator measurements only)."),
    )
    schedule = models.JSONField(_("reminders"), default=default_schedule)
    starts_on = models.DateField(_("first period ends on or after"))
    active = models.BooleanField(_("active"), default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    version = models.PositiveIntegerField(_("version"), default=1)

    scope_kind: ClassVar[ScopeKind] = "reference"
    audit_enabled = True

    class Meta:
        verbose_name = _("reporting cycle")
        verbose_name_plural = _("reporting cycles")
        ordering = ["name_en", "pk"]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return localised(self.name_en, self.name_ru) or f"#{self.pk}"

    def clean(self) -> None:
        if not self.name_en and not self.name_ru:
            raise ValidationError({"name_en": _("Give the name in English or in Russian.")})
        if self.due_days > 365:
            raise ValidationError({"due_days": _("A report cannot be due more than a year after its period.")})
        if self.starts_on and not FIRST_YEAR <= self.starts_on.year <= LAST_YEAR:
            raise ValidationError(
                {"starts_on": _("Give a date from %(first)d to %(last)d.") % {"first": FIRST_YEAR, "last": LAST_YEAR}}
            )
        self.schedule = clean_schedule(self.schedule)


class Submission(TimeStampedModel):
    """An organisation's confirmation that it has reported for a period (how an inventory refresh is done)."""

    cycle = models.ForeignKey(
        ReportingCycle, verbose_name=_("reporting cycle"), on_delete=models.CASCADE, related_name="submissions"
    )
    organisation = models.ForeignKey(
        Organisation, verbose_name=_("organisation"), on_delete=models.CASCADE, related_name="+"
    )
    period_end = models.DateField(_("period end"))
    note = models.CharField(_("note"), max_length=500, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("confirmed by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    audit_enabled = True

    class Meta:
        verbose_name = _("confirmation")
        verbose_name_plural = _("confirmations")
        ordering = ["-period_end", "organisation"]
        constraints = [
            models.UniqueConstraint(
                fields=["cycle", "organisation", "period_end"],
                name="submission_once_per_period",
                violation_error_message=_("This period is confirmed already."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.cycle} {self.organisation} {self.period_end}"


class RagState(models.Model):
    """The national rating an indicator had when the routines last looked, to notice it turning red."""

    indicator = models.OneToOneField(Indicator, on_delete=models.CASCADE, related_name="+")
    rag = models.CharField(max_length=20)
    since = models.DateField()

    def __str__(self) -> str:
        return f"{self.indicator_id}: {self.rag}"
