"""Coordination: the embeddings that make use cases comparable, and the HQ's decisions on similar pairs."""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from aihq.core.models import ScopeKind, TimeStampedModel
from aihq.registry.models import UseCase


class Embedding(TimeStampedModel):
    """A text as a unit vector, with the model that made it and the text's fingerprint; derived data, not audited."""

    model = models.CharField(_("model"), max_length=50)
    text_hash = models.CharField(_("text hash"), max_length=64)
    vector = models.BinaryField(_("vector"))

    class Meta:
        abstract = True


class UseCaseEmbedding(Embedding):
    """A use case's text (name, description, purpose, outputs) as a unit vector."""

    use_case = models.OneToOneField(
        UseCase, verbose_name=_("use case"), on_delete=models.CASCADE, related_name="embedding"
    )

    scope_path: ClassVar[str] = "use_case__organisation"

    class Meta:
        verbose_name = _("use case embedding")
        verbose_name_plural = _("use case embeddings")

    def __str__(self) -> str:
        return f"{self.use_case_id} ({self.model})"


class IncidentEmbedding(Embedding):
    """A public incident's title and description as a unit vector."""

    incident = models.OneToOneField(
        "regulation.PublicIncident", verbose_name=_("incident"), on_delete=models.CASCADE, related_name="embedding"
    )

    scope_kind: ClassVar[ScopeKind] = "reference"

    class Meta:
        verbose_name = _("incident embedding")
        verbose_name_plural = _("incident embeddings")

    def __str__(self) -> str:
        return f"{self.incident_id} ({self.model})"


class SimilarPair(TimeStampedModel):
    """Two use cases of different organisations whose texts are close: found by ``aihq find_duplicates``."""

    use_case_a = models.ForeignKey(UseCase, on_delete=models.CASCADE, related_name="+", verbose_name=_("use case"))
    use_case_b = models.ForeignKey(UseCase, on_delete=models.CASCADE, related_name="+", verbose_name=_("use case"))
    score = models.FloatField(_("similarity"), db_index=True)
    cluster = models.PositiveIntegerField(_("cluster"), db_index=True)
    model = models.CharField(_("model"), max_length=50)

    scope_path: ClassVar[str] = "use_case_a__organisation"

    class Meta:
        verbose_name = _("similar pair")
        verbose_name_plural = _("similar pairs")
        ordering = ["-score", "use_case_a", "use_case_b"]
        constraints = [
            models.UniqueConstraint("use_case_a", "use_case_b", name="similar_pair_unique"),
            models.CheckConstraint(
                condition=models.Q(use_case_a__lt=models.F("use_case_b")), name="similar_pair_order"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.use_case_a_id}–{self.use_case_b_id} {self.score:.2f}"


class Verdict(models.TextChoices):
    DUPLICATE = "duplicate", _("Duplicate")
    SHARE_COMPONENT = "share_component", _("Related — share a component")
    REUSE = "reuse", _("Reuse candidate")
    NOT_RELATED = "not_related", _("Not related")


class PairDecision(TimeStampedModel):
    """A reviewer's verdict on a pair, remembered with the texts it was given on: when either text changes,
    the pair comes back for review."""

    use_case_a = models.ForeignKey(UseCase, on_delete=models.CASCADE, related_name="+", verbose_name=_("use case"))
    use_case_b = models.ForeignKey(UseCase, on_delete=models.CASCADE, related_name="+", verbose_name=_("use case"))
    verdict = models.CharField(_("verdict"), max_length=20, choices=Verdict.choices)
    note = models.TextField(_("note"), blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("decided by"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )  # fmt: skip
    text_hash_a = models.CharField(_("text hash"), max_length=64)
    text_hash_b = models.CharField(_("text hash"), max_length=64)
    version = models.PositiveIntegerField(_("version"), default=1)

    scope_path: ClassVar[str] = "use_case_a__organisation"
    audit_enabled = True

    class Meta:
        verbose_name = _("pair decision")
        verbose_name_plural = _("pair decisions")
        ordering = ["-updated_at"]
        constraints = [
            models.UniqueConstraint("use_case_a", "use_case_b", name="pair_decision_unique"),
            models.CheckConstraint(
                condition=models.Q(use_case_a__lt=models.F("use_case_b")), name="pair_decision_order"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.use_case_a_id}–{self.use_case_b_id}: {self.get_verdict_display()}"

    def clean(self) -> None:
        if self.use_case_a_id is not None and self.use_case_a_id == self.use_case_b_id:
            raise ValidationError({"use_case_b": _("A use case is not compared with itself.")})
