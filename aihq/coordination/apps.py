from __future__ import annotations

import atexit
import logging
import queue
import threading

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

log = logging.getLogger("aihq.coordination")


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


def _enabled() -> bool:
    from django.conf import settings

    return bool(getattr(settings, "AIHQ_EMBED_ON_SAVE", True))


def _embed(ids: list[int]) -> None:
    """Embed, never failing the caller: a use case is saved whatever the encoder does (``aihq embed`` retries)."""
    from aihq.coordination.embeddings import embed_use_cases

    try:
        embed_use_cases(ids)
    except Exception:
        log.exception("Embedding %s use cases failed; `aihq embed` will retry", len(ids))


def _embed_saved(sender: object, instance: object, raw: bool = False, **kwargs: object) -> None:
    """A use case created or edited one by one is embedded once its transaction has committed."""
    if raw or not _enabled():
        return
    from django.db import transaction

    pk = instance.pk  # type: ignore[attr-defined]
    transaction.on_commit(lambda: _embed([pk]))


# -- imports: one background worker per process, drained before the process exits ------------------------------

_work: queue.Queue[list[int]] = queue.Queue()
_worker: threading.Thread | None = None
_worker_lock = threading.Lock()


def _embed_imported(sender: object, actor: object, ids: list[int], **kwargs: object) -> None:
    """An import's use cases are embedded by a background worker once the import has committed: the import does not
    wait for them; a command-line import waits at exit (``aihq embed`` catches up with anything a killed process
    left)."""
    if not _enabled() or not ids:
        return
    from django.db import transaction

    chunk = list(ids)
    transaction.on_commit(lambda: _enqueue(chunk))


def _enqueue(ids: list[int]) -> None:
    global _worker
    _work.put(ids)
    with _worker_lock:
        if _worker is None or not _worker.is_alive():
            _worker = threading.Thread(target=_run, name="aihq-embed", daemon=True)
            _worker.start()


def _run() -> None:
    from django.db import connection

    try:
        while True:
            try:
                ids = _work.get(timeout=5)
            except queue.Empty:
                return
            try:
                _embed(ids)
            finally:
                _work.task_done()
    finally:
        connection.close()


@atexit.register
def _drain() -> None:
    """Let the worker finish what was queued (a command-line import would otherwise exit with it undone)."""
    worker = _worker
    if worker is not None and worker.is_alive():
        worker.join(timeout=600)
