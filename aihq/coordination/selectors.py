"""Reads for coordination: similar use cases (scoped), similar public incidents, the duplicate review's pairs and
clusters, and the coordination report of an organisation."""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from django.db.models import Exists, OuterRef, Q, QuerySet

from aihq.accounts.permissions import scope_for
from aihq.coordination import embeddings
from aihq.coordination.models import PairDecision, SimilarPair, UseCaseEmbedding
from aihq.registry.models import UseCase

#: How many candidates are checked against the reader's scope before giving up on a global ranking.
CANDIDATES = 300
#: Below this cosine similarity two texts are not shown as alike (unrelated texts score about 0.05–0.25;
#: translations of each other 0.55–0.8 with this model).
MIN_SCORE = 0.3
#: "Similar as you type" shows only close matches: it interrupts someone filling in a form.
MIN_SCORE_TYPING = 0.5
WORD = re.compile(r"\w+", re.UNICODE)
STOPWORDS = frozenset(
    re.findall(
        r"\S+",
        "about after also among and are based been being between both data from have into more most other over "
        "such than that their them then there these they this those through used uses using which while will "
        "with within system systems model models tool tools use case cases information process processes "
        "provide provides для или как что это при его она они также может которые который которая которое "
        "через между более данных система системы систем модель модели использование использования"
    )
)  # fmt: skip


@dataclass
class Similar:
    use_case: UseCase
    score: float
    shared_words: list[str] = field(default_factory=list)
    shared_components: list[str] = field(default_factory=list)


def words(text: str) -> set[str]:
    return {w for w in WORD.findall(text.casefold()) if len(w) >= 4 and not w.isdigit() and w not in STOPWORDS}


def shared_words(first: str, second: str, limit: int = 8) -> list[str]:
    """The content words two texts have in common, longest first (what a reader recognises as the link)."""
    return sorted(words(first) & words(second), key=lambda w: (-len(w), w))[:limit]


def use_case_text(use_case: UseCase) -> str:
    return embeddings.use_case_text(use_case.name, use_case.description, use_case.purpose, use_case.outputs)


def _vector_of(use_case: UseCase) -> np.ndarray:
    """The use case's stored vector, or its text encoded now when it has none yet (just imported)."""
    index = embeddings.use_case_index()
    where = np.flatnonzero(index.ids == use_case.pk)
    if len(where):
        return index.matrix[where[0]]  # type: ignore[no-any-return]
    return embeddings.encode([use_case_text(use_case)])[0]  # type: ignore[no-any-return]


def _ranked(query: np.ndarray, exclude: set[int]) -> list[tuple[int, float]]:
    index = embeddings.use_case_index()
    if not len(index.ids):
        return []
    scores = index.matrix @ query
    take = min(len(scores), CANDIDATES + len(exclude))
    top = np.argpartition(-scores, take - 1)[:take] if take < len(scores) else np.arange(len(scores))
    top = top[np.lexsort((index.ids[top], -scores[top]))]
    return [(int(index.ids[i]), float(scores[i])) for i in top if int(index.ids[i]) not in exclude]


def _visible(user: Any, ranked: list[tuple[int, float]], other_than: int | None) -> list[tuple[UseCase, float]]:
    if not ranked:
        return []
    visible = UseCase.objects.restrict(user).select_related("organisation").filter(pk__in=[pk for pk, _s in ranked])
    if other_than is not None:
        visible = visible.exclude(organisation_id=other_than)
    found = {uc.pk: uc for uc in visible}
    return [(found[pk], score) for pk, score in ranked if pk in found]


def _explain(subject_text: str, subject_id: int | None, rows: list[tuple[UseCase, float]]) -> list[Similar]:
    from aihq.sovereignty.models import BomEntry

    components: dict[int, dict[int, str]] = defaultdict(dict)
    ids = [uc.pk for uc, _s in rows] + ([subject_id] if subject_id else [])
    for use_case_id, component_id, name in BomEntry.objects.filter(use_case_id__in=ids).values_list(
        "use_case_id", "component_id", "component__name"
    ):
        components[use_case_id][component_id] = name
    own = components.get(subject_id or 0, {})
    result = []
    for use_case, score in rows:
        shared = shared_words(subject_text, use_case_text(use_case))
        common = sorted(name for cid, name in components.get(use_case.pk, {}).items() if cid in own)
        result.append(Similar(use_case, score, shared, common))
    return result


def similar_use_cases(user: Any, use_case: UseCase, k: int = 10) -> list[Similar]:
    """The use cases of other organisations most like ``use_case`` that ``user`` may see, best first, each with
    the words and AI-BOM components they share."""
    query = _vector_of(use_case)
    rows = _visible(user, _ranked(query, {use_case.pk}), use_case.organisation_id)[:k]
    if len(rows) < k and not scope_for(user).sees_everything:
        rows = _within_scope(user, query, use_case, k)
    return _explain(use_case_text(use_case), use_case.pk, [(uc, s) for uc, s in rows if s >= MIN_SCORE])


def _within_scope(user: Any, query: np.ndarray, use_case: UseCase, k: int) -> list[tuple[UseCase, float]]:
    """The best matches among only what ``user`` sees (when the global best are mostly out of their sight)."""
    index = embeddings.use_case_index()
    visible = set(
        UseCase.objects.restrict(user).exclude(organisation_id=use_case.organisation_id).values_list("pk", flat=True)
    )
    mask = np.isin(index.ids, np.fromiter(visible, dtype=np.int64, count=len(visible)))
    positions = np.flatnonzero(mask)
    if not len(positions):
        return []
    scores = index.matrix[positions] @ query
    order = np.lexsort((index.ids[positions], -scores))[:k]
    ranked = [(int(index.ids[positions[i]]), float(scores[i])) for i in order]
    return _visible(user, ranked, use_case.organisation_id)


def similar_to_text(user: Any, text: str, k: int = 5, exclude: int | None = None) -> list[Similar]:
    """Registered use cases (any organisation the user may see) most like a text being typed."""
    text = text.strip()
    if len(text) < 12:
        return []
    query = embeddings.encode([text])[0]
    rows = _visible(user, _ranked(query, {exclude} if exclude else set()), None)[:k]
    return _explain(text, None, [(uc, s) for uc, s in rows if s >= MIN_SCORE_TYPING])


def similar_incidents(use_case: UseCase, k: int = 5) -> list[tuple[Any, float]]:
    """The public incidents most like ``use_case``: what went wrong elsewhere with systems like it."""
    from aihq.regulation.models import PublicIncident

    index = embeddings.incident_index()
    if not len(index.ids):
        return []
    scores = index.matrix @ _vector_of(use_case)
    order = [j for j in np.lexsort((index.ids, -scores))[:k] if scores[j] >= MIN_SCORE]
    found = {i.pk: i for i in PublicIncident.objects.filter(pk__in=[int(index.ids[j]) for j in order])}
    return [(found[int(index.ids[j])], float(scores[j])) for j in order if int(index.ids[j]) in found]


# -- the duplicate review -------------------------------------------------------------------------------------------


def pairs(user: Any) -> QuerySet[SimilarPair]:
    """The pairs whose two use cases ``user`` may both see, each marked ``settled`` when it has a verdict given on
    the texts the two use cases have now (a changed text reopens it)."""
    rows = SimilarPair.objects.select_related("use_case_a__organisation", "use_case_b__organisation")
    scope = scope_for(user)
    if not scope.sees_everything:
        rows = rows.filter(
            use_case_a__organisation_id__in=scope.view_org_ids, use_case_b__organisation_id__in=scope.view_org_ids
        )
    settled = PairDecision.objects.filter(
        use_case_a=OuterRef("use_case_a"),
        use_case_b=OuterRef("use_case_b"),
        text_hash_a=OuterRef("use_case_a__embedding__text_hash"),
        text_hash_b=OuterRef("use_case_b__embedding__text_hash"),
    )
    annotated: QuerySet[SimilarPair] = rows.annotate(settled=Exists(settled))
    return annotated


def unsettled(rows: QuerySet[SimilarPair]) -> QuerySet[SimilarPair]:
    """The pairs of ``pairs()`` still to review: no verdict, or one given on texts that have changed since."""
    return rows.filter(settled=False)  # type: ignore[misc]  # the annotation of pairs()


def decisions_for(pair_keys: list[tuple[int, int]]) -> dict[tuple[int, int], PairDecision]:
    if not pair_keys:
        return {}
    ids = {a for a, _b in pair_keys} | {b for _a, b in pair_keys}
    found = PairDecision.objects.filter(use_case_a_id__in=ids, use_case_b_id__in=ids).select_related("decided_by")
    wanted = set(pair_keys)
    return {(d.use_case_a_id, d.use_case_b_id): d for d in found if (d.use_case_a_id, d.use_case_b_id) in wanted}


def current_hashes(ids: set[int]) -> dict[int, str]:
    return dict(UseCaseEmbedding.objects.filter(use_case_id__in=ids).values_list("use_case_id", "text_hash"))


@dataclass
class Review:
    pair: SimilarPair
    decision: PairDecision | None
    #: the texts changed since the decision: it is shown again
    reopened: bool

    @property
    def open(self) -> bool:
        return self.decision is None or self.reopened


def reviews(rows: list[SimilarPair]) -> list[Review]:
    keys = [(p.use_case_a_id, p.use_case_b_id) for p in rows]
    decided = decisions_for(keys)
    hashes = current_hashes({k for key in keys for k in key})
    result = []
    for pair in rows:
        decision = decided.get((pair.use_case_a_id, pair.use_case_b_id))
        reopened = decision is not None and (
            hashes.get(pair.use_case_a_id) != decision.text_hash_a
            or hashes.get(pair.use_case_b_id) != decision.text_hash_b
        )
        result.append(Review(pair, decision, reopened))
    return result


@dataclass
class Cluster:
    number: int
    reviews: list[Review]

    @property
    def best(self) -> float:
        return max(r.pair.score for r in self.reviews)

    @property
    def use_cases(self) -> list[UseCase]:
        seen: dict[int, UseCase] = {}
        for r in self.reviews:
            seen.setdefault(r.pair.use_case_a_id, r.pair.use_case_a)
            seen.setdefault(r.pair.use_case_b_id, r.pair.use_case_b)
        return list(seen.values())

    @property
    def organisations(self) -> list[str]:
        return sorted({uc.organisation.code for uc in self.use_cases})

    @property
    def open(self) -> int:
        return sum(r.open for r in self.reviews)


def clusters(user: Any, *, min_score: float = 0.0, only_open: bool = True, q: str = "") -> list[Cluster]:
    """The pairs ``user`` may see grouped by cluster, best cluster first; decided pairs left out unless their
    texts changed (or ``only_open`` is off)."""
    rows = pairs(user).filter(score__gte=min_score)
    if q:
        rows = rows.filter(
            Q(use_case_a__name__icontains=q) | Q(use_case_b__name__icontains=q)
            | Q(use_case_a__organisation__code__iexact=q) | Q(use_case_b__organisation__code__iexact=q)
        )  # fmt: skip
    if only_open:
        rows = unsettled(rows)
    grouped: dict[int, list[Review]] = defaultdict(list)
    for review in reviews(list(rows.order_by("-score", "pk")[:5000])):
        grouped[review.pair.cluster].append(review)
    found = [Cluster(number, items) for number, items in grouped.items()]
    found.sort(key=lambda c: (-c.best, -len(c.reviews), c.number))
    return found


def organisation_report(user: Any, organisation_id: int) -> list[Review]:
    """Every pair involving an organisation's use cases that ``user`` may see, with its verdict."""
    rows = pairs(user).filter(
        Q(use_case_a__organisation_id=organisation_id) | Q(use_case_b__organisation_id=organisation_id)
    )
    return reviews(list(rows.order_by("-score", "pk")[:2000]))
