"""The public register: the HQ's publication profile, each use case's publication record and its versions."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, ClassVar

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from aihq.core.i18n import localised
from aihq.core.models import ScopeKind, TimeStampedModel
from aihq.publication import fields as catalogue
from aihq.registry.models import Organisation, UseCase


def default_public_fields() -> list[str]:
    return list(catalogue.DEFAULT_PUBLIC)


class PublicationProfile(TimeStampedModel):
    """The HQ's choices for the public register (one row): whether it is open and which fields it shows."""

    enabled = models.BooleanField(
        _("register open"), default=False, help_text=_("When off, /register/ and its open data answer 404.")
    )
    public_fields = models.JSONField(_("public fields"), default=default_public_fields)
    title_en = models.CharField(_("title (English)"), max_length=200, default="Register of AI use in government")
    title_ru = models.CharField(
        _("title (Russian)"), max_length=200, default="Реестр применения искусственного интеллекта в государстве"
    )
    intro_en = models.TextField(_("introduction (English)"), blank=True)
    intro_ru = models.TextField(_("introduction (Russian)"), blank=True)
    publisher = models.CharField(
        _("publisher"),
        max_length=300,
        blank=True,
        help_text=_("Who publishes the register, as named in the open data."),
    )
    licence = models.CharField(
        _("open-data licence"), max_length=200, default="CC BY 4.0", help_text=_("The licence of the open data.")
    )
    licence_url = models.URLField(
        _("licence URL"), max_length=300, blank=True, default="https://creativecommons.org/licenses/by/4.0/"
    )
    version = models.PositiveIntegerField(_("version"), default=1)

    scope_kind: ClassVar[ScopeKind] = "reference"
    audit_enabled = True

    class Meta:
        verbose_name = _("publication profile")
        verbose_name_plural = _("publication profiles")

    def __str__(self) -> str:
        return self.title

    @property
    def title(self) -> str:
        return localised(self.title_en, self.title_ru)

    @property
    def intro(self) -> str:
        return localised(self.intro_en, self.intro_ru)

    def clean(self) -> None:
        keys = self.public_fields
        if not isinstance(keys, list) or not all(isinstance(key, str) for key in keys):
            raise ValidationError({"public_fields": _("Public fields must be a list of field keys.")})
        unknown = sorted(set(keys) - set(catalogue.KEYS))
        if unknown:
            raise ValidationError({"public_fields": _("Unknown fields: %(keys)s.") % {"keys": ", ".join(unknown)}})
        self.public_fields = [key for key in catalogue.KEYS if key in set(keys) | catalogue.REQUIRED]

    @classmethod
    def current(cls) -> PublicationProfile:
        found = cls.objects.order_by("pk").first()
        return found if found is not None else cls(version=0)


class RequestState(models.TextChoices):
    NONE = "", _("No request")
    REQUESTED = "requested", _("Awaiting approval")
    REJECTED = "rejected", _("Sent back")


class PublicationRecord(TimeStampedModel):
    """A use case's place in the public register: its request, its public texts, its current version.

    The record outlives its use case (``use_case`` becomes empty and the record is withdrawn) so the
    published history stays. Facet and search columns hold the *public* view of the current version.
    """

    use_case = models.OneToOneField(
        UseCase,
        verbose_name=_("use case"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="publication",
    )
    organisation = models.ForeignKey(
        Organisation, verbose_name=_("organisation"), on_delete=models.PROTECT, related_name="publications"
    )
    contact = models.CharField(
        _("public contact"), max_length=300, blank=True, help_text=_("An e-mail address or office the public can ask.")
    )
    human_oversight = models.TextField(
        _("human oversight"),
        blank=True,
        help_text=_("For the public: how people oversee and can overturn its outputs."),
    )
    data_used = models.TextField(
        _("data used"), blank=True, help_text=_("For the public: what data it was trained on and works with.")
    )
    request_state = models.CharField(
        _("request"), max_length=20, choices=RequestState.choices, blank=True, default=RequestState.NONE, db_index=True
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("requested by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    requested_at = models.DateTimeField(_("requested"), null=True, blank=True)
    request_note = models.TextField(_("note to the approver"), blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    decision_note = models.TextField(_("decision note"), blank=True)
    current = models.ForeignKey(
        "PublishedVersion",
        verbose_name=_("public version"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    withdrawn_at = models.DateTimeField(_("withdrawn"), null=True, blank=True)
    withdrawal_reason = models.TextField(_("reason for withdrawal"), blank=True)
    # The public view of the current version, for the register's facets and search.
    public_name = models.CharField(_("public name"), max_length=500, blank=True)
    published_at = models.DateTimeField(_("published"), null=True, blank=True, db_index=True)
    facets = models.JSONField(_("facet values"), default=dict, blank=True)
    facet_keys = models.TextField(_("facet keys"), blank=True, help_text=_("|field=code| for each facet value."))
    search_text = models.TextField(_("search text"), blank=True)
    version = models.PositiveIntegerField(_("version"), default=1)

    audit_enabled = True
    audit_exclude = ("facets", "facet_keys", "search_text")

    class Meta:
        verbose_name = _("publication record")
        verbose_name_plural = _("publication records")
        ordering = ["-published_at", "-id"]
        indexes = [models.Index(fields=["current", "published_at"], name="publication_public_idx")]

    def __str__(self) -> str:
        loaded = self._state.fields_cache.get("use_case")  # never a query: the use case may be being deleted
        return self.public_name or (loaded.name if loaded is not None else f"#{self.pk}")

    @property
    def is_published(self) -> bool:
        return self.current_id is not None


class PublishedVersion(TimeStampedModel):
    """One approved state of a record, kept for ever: the public history."""

    record = models.ForeignKey(
        PublicationRecord, verbose_name=_("record"), on_delete=models.CASCADE, related_name="versions"
    )
    number = models.PositiveIntegerField(_("number"))
    published_at = models.DateTimeField(_("published"))
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("approved by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    data = models.JSONField(_("snapshot"), default=dict, blank=True)
    public_fields = models.JSONField(_("public fields"), default=list, blank=True)
    changed = models.JSONField(_("changed fields"), default=list, blank=True)
    use_case_version = models.PositiveIntegerField(_("use case version"), default=0)
    withdrawn_at = models.DateTimeField(_("withdrawn"), null=True, blank=True)

    scope_path: ClassVar[str] = "record__organisation"
    audit_enabled = True
    audit_exclude = ("data",)

    class Meta:
        verbose_name = _("published version")
        verbose_name_plural = _("published versions")
        ordering = ["record", "-number"]
        constraints = [models.UniqueConstraint("record", "number", name="published_version_unique")]

    def __str__(self) -> str:
        return f"{self.record_id} v{self.number}"

    def shown(self, profile_fields: Iterable[str]) -> dict[str, Any]:
        """What the public sees of this version while the profile makes ``profile_fields`` public."""
        return catalogue.public_view(self.data, catalogue.visible_keys(self.public_fields, profile_fields))
