from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PublicationConfig(AppConfig):
    name = "aihq.publication"
    label = "publication"
    verbose_name = _("Public register")

    def ready(self) -> None:
        from django.db.models.signals import post_save, pre_delete

        from aihq.registry.models import UseCase
        from aihq.regulation.models import Classification

        pre_delete.connect(_withdraw_deleted, sender=UseCase, dispatch_uid="publication-withdraw-deleted")
        post_save.connect(_follow_move, sender=UseCase, dispatch_uid="publication-follow-move")
        post_save.connect(_withdraw_non_public, sender=Classification, dispatch_uid="publication-withdraw-non-public")


def _withdraw_deleted(sender: object, instance: object, **kwargs: object) -> None:
    from aihq.core.context import get_actor
    from aihq.publication.services import withdraw_for

    withdraw_for(actor=get_actor(), use_case_ids=[instance.pk], reason="The use case was deleted.")  # type: ignore[attr-defined]


def _withdraw_non_public(sender: object, instance: object, raw: bool = False, **kwargs: object) -> None:
    """A use case classified into Annex III points 6 or 7 leaves the register at once (Art. 49(4))."""
    if raw or getattr(instance, "framework_code", "") != "eu-ai-act":
        return
    from aihq.core.context import get_actor
    from aihq.publication import snapshot
    from aihq.publication.services import withdraw_for

    use_case = instance.use_case  # type: ignore[attr-defined]
    reason = snapshot.non_public_reason(use_case)
    if reason:
        withdraw_for(actor=get_actor(), use_case_ids=[use_case.pk], reason=reason)


def _follow_move(sender: object, instance: object, raw: bool = False, **kwargs: object) -> None:
    """A use case moved to another organisation takes its publication record along (who approves, who sees it)."""
    if raw:
        return
    from aihq.publication.models import PublicationRecord

    organisation_id = instance.organisation_id  # type: ignore[attr-defined]
    for record in PublicationRecord.objects.filter(use_case_id=instance.pk).exclude(  # type: ignore[attr-defined]
        organisation_id=organisation_id
    ):
        record.organisation_id = organisation_id
        record.save(update_fields=["organisation", "updated_at"])
