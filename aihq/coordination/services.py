"""Writes for coordination: the duplicate job (all cross-organisation pairs above a threshold, in clusters) and
the reviewers' verdicts."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

from aihq.accounts.permissions import person, require_hq_admin, scope_for
from aihq.coordination import embeddings
from aihq.coordination.models import PairDecision, SimilarPair, UseCaseEmbedding, Verdict
from aihq.coordination.topk import all_pairs_top_k
from aihq.core.services import check_version, save_valid, service
from aihq.registry.models import UseCase

#: Pairs at or above this cosine similarity are listed for review (calibrated on the US 2024 inventory).
DEFAULT_THRESHOLD = 0.7
NEIGHBOURS = 10


def find_duplicates(
    *,
    actor: Any,
    threshold: float = DEFAULT_THRESHOLD,
    neighbours: int = NEIGHBOURS,
    progress: Callable[[int], None] | None = None,
) -> dict[str, Any]:
    """Embed what is missing, then list every pair of use cases of different organisations among each other's
    ``neighbours`` nearest at or above ``threshold``, grouped into clusters (connected components). Replaces the
    previous list in one transaction; verdicts are kept apart and stay."""
    require_hq_admin(actor, _("Only HQ admins run the duplicate search."))
    if not 0.0 < threshold <= 1.0:
        raise ValidationError({"threshold": _("The threshold is a similarity between 0 and 1.")})
    embedded = embeddings.embed_use_cases(progress=progress)
    index = embeddings.use_case_index()
    organisation_of = dict(UseCase.objects.values_list("pk", "organisation_id"))
    keep = np.array([int(pk) in organisation_of for pk in index.ids], dtype=bool)
    ids, matrix = index.ids[keep], index.matrix[keep]
    groups = np.array([organisation_of[int(pk)] for pk in ids], dtype=np.int64)
    found: dict[tuple[int, int], float] = {}
    if len(ids) > 1:
        neighbour, score = all_pairs_top_k(matrix, neighbours, groups=groups, threshold=threshold)
        rows, cols = np.nonzero((neighbour >= 0) & (score >= threshold))
        for row, col in zip(rows.tolist(), cols.tolist(), strict=True):
            a, b = int(ids[row]), int(ids[neighbour[row, col]])
            key = (a, b) if a < b else (b, a)
            found[key] = max(found.get(key, -1.0), float(score[row, col]))
    keys = list(found)
    cluster_of: dict[int, int] = {}
    if keys:
        nodes = sorted({n for key in keys for n in key})
        position = {n: i for i, n in enumerate(nodes)}
        graph = coo_matrix(
            (np.ones(len(keys)), ([position[a] for a, _b in keys], [position[b] for _a, b in keys])),
            shape=(len(nodes), len(nodes)),
        )
        _count, labels = connected_components(graph, directed=False)
        cluster_of = {n: int(labels[position[n]]) + 1 for n in nodes}
    with transaction.atomic():
        SimilarPair.objects.all().delete()
        SimilarPair.objects.bulk_create(
            [
                SimilarPair(
                    use_case_a_id=a, use_case_b_id=b, score=found[(a, b)], cluster=cluster_of[a], model=embeddings.MODEL
                )
                for a, b in keys
            ],
            batch_size=1000,
        )
    return {
        "embedded": embedded,
        "use_cases": len(ids),
        "pairs": len(keys),
        "clusters": len(set(cluster_of.values())),
        "threshold": threshold,
    }


def can_decide(actor: Any, organisation_ids: tuple[int, int]) -> bool:
    """HQ admins decide on any pair; a coordinator on pairs wholly within what they coordinate."""
    scope = scope_for(actor)
    return scope.is_hq_admin or all(org in scope.coordinated_org_ids for org in organisation_ids)


@service
def decide(
    *,
    actor: Any,
    use_case_a: UseCase,
    use_case_b: UseCase,
    verdict: str,
    note: str = "",
    expected_version: int | None = None,
    precondition: bool = False,
) -> PairDecision:
    """Record a verdict on a pair (either order), with the texts it was given on."""
    if use_case_a.pk == use_case_b.pk:
        raise ValidationError({"use_case_b": _("A use case is not compared with itself.")})
    if use_case_b.pk < use_case_a.pk:
        use_case_a, use_case_b = use_case_b, use_case_a
    if not can_decide(actor, (use_case_a.organisation_id, use_case_b.organisation_id)):
        raise PermissionDenied(_("Only HQ admins, or a coordinator of both organisations, decide on a pair."))
    if verdict not in Verdict.values:
        raise ValidationError({"verdict": _("Choose one of: %(values)s.") % {"values": ", ".join(Verdict.values)}})
    # the use case rows' locks serialise verdicts on the pair (two first verdicts at once would both insert)
    UseCase.objects.select_for_update().order_by().filter(pk__in=[use_case_a.pk, use_case_b.pk]).exists()
    embeddings.embed_use_cases([use_case_a.pk, use_case_b.pk])
    hashes = dict(
        UseCaseEmbedding.objects.filter(use_case_id__in=[use_case_a.pk, use_case_b.pk]).values_list(
            "use_case_id", "text_hash"
        )
    )
    decision = PairDecision.objects.select_for_update().filter(use_case_a=use_case_a, use_case_b=use_case_b).first()
    if decision is None:
        decision = PairDecision(use_case_a=use_case_a, use_case_b=use_case_b, version=0)
    else:
        check_version(decision.version, expected_version, precondition=precondition)
    decision.verdict = verdict
    decision.note = (note or "").strip()
    decision.decided_by = person(actor)
    decision.text_hash_a = hashes.get(use_case_a.pk, "")
    decision.text_hash_b = hashes.get(use_case_b.pk, "")
    decision.version += 1
    return save_valid(decision)
