"""Import runs: what was imported from which file, by whom, with the row-level report."""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from aihq.core.models import ScopeKind, TimeStampedModel


class ImportStatus(models.TextChoices):
    APPLIED = "applied", _("Imported")
    DRY_RUN = "dry_run", _("Preview (nothing written)")
    ABORTED = "aborted", _("Aborted (nothing written)")
    FAILED = "failed", _("Failed (nothing written)")


class ImportRun(TimeStampedModel):
    """One import of one file: its options, counts, problems and where the rejected rows went."""

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    actor_label = models.CharField(_("by"), max_length=150)
    file_name = models.CharField(_("file"), max_length=255)
    file_sha256 = models.CharField(_("file checksum"), max_length=64)
    file_size = models.PositiveBigIntegerField(_("file size"), default=0)
    stored_file = models.CharField(_("stored copy"), max_length=500, blank=True)
    format = models.CharField(_("format"), max_length=20, blank=True)
    format_detected = models.BooleanField(_("format detected"), default=False)
    organisation = models.ForeignKey(
        "registry.Organisation",
        verbose_name=_("organisation"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    options = models.JSONField(_("options"), default=dict, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=ImportStatus.choices)
    counts = models.JSONField(_("counts"), default=dict, blank=True)
    problems = models.JSONField(_("problems"), default=list, blank=True)
    problem_count = models.PositiveIntegerField(_("problems found"), default=0)
    notes = models.JSONField(_("notes"), default=list, blank=True)
    error = models.TextField(_("error"), blank=True)
    rejects_file = models.CharField(_("rejected rows file"), max_length=500, blank=True)
    duration_ms = models.PositiveIntegerField(_("duration (ms)"), default=0)
    preview_of = models.ForeignKey(
        "self", verbose_name=_("preview"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    scope_kind: ClassVar[ScopeKind] = "own"
    owner_path: ClassVar[str] = "actor"

    class Meta:
        verbose_name = _("import")
        verbose_name_plural = _("imports")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.file_name} ({self.get_status_display()})"
