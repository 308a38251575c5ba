from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoordinationConfig(AppConfig):
    name = "aihq.coordination"
    label = "coordination"
    verbose_name = _("Coordination across organisations")

    def ready(self) -> None:
        from django.db.models.signals import post_save

        from aihq.exchange.signals import use_cases_imported
        from aihq.registry.models import UseCase

        post_save.connect(_embed_saved, sender=UseCase, dispatch_uid="coordination-embed-saved")
        use_cases_imported.connect(_embed_imported, dispatch_uid="coordination-embed-imported")


def _embed_saved(sender: object, instance: object, raw: bool = False, **kwargs: object) -> None:
    """A use case created or edited one by one is embedded at once (bulk imports: ``aihq embed``)."""
    from django.conf import settings

    if raw or not getattr(settings, "AIHQ_EMBED_ON_SAVE", True):
        return
    from aihq.coordination.embeddings import embed_use_cases

    embed_use_cases([instance.pk])  # type: ignore[attr-defined]


def _embed_imported(sender: object, actor: object, ids: list[int], **kwargs: object) -> None:
    """An import's use cases are embedded in a background thread once the import has committed: the import does
    not wait for them (``aihq embed`` catches up with anything a stopped process left)."""
    from django.conf import settings
    from django.db import transaction

    if not getattr(settings, "AIHQ_EMBED_ON_SAVE", True) or not ids:
        return
    transaction.on_commit(lambda: _start_background(list(ids)))


def _start_background(ids: list[int]) -> None:
    import logging
    import threading

    def work() -> None:
        from django.db import connection

        from aihq.coordination.embeddings import embed_use_cases

        try:
            embed_use_cases(ids)
        except Exception:  # a background job must not die silently
            logging.getLogger("aihq.coordination").exception("Embedding %s imported use cases failed", len(ids))
        finally:
            connection.close()

    threading.Thread(target=work, name="aihq-embed", daemon=True).start()
