"""Reads from the registry, always scoped by the user's memberships."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from django.db.models import Count, Q, QuerySet, Sum

from aihq.accounts.permissions import descendants, scope_for
from aihq.core.i18n import localiser
from aihq.registry import tallies
from aihq.registry.models import Organisation, OrganisationKind, Region, Sector, Stage, UseCase, UseCaseTally


def use_case_list(user: Any) -> QuerySet[UseCase]:
    """Use cases the user may see, with what list pages and the API show loaded in a fixed number of queries."""
    return UseCase.objects.restrict(user, "view").select_related("organisation").prefetch_related("sectors", "regions")


def link_codes(use_case_ids: Sequence[int], name: str) -> dict[int, list[str]]:
    """The codes of each use case's ``sectors`` or ``regions`` in one query, in their model's own order (as
    ``use_case.sectors.all()`` gives them): for pages and exports that read values, not model instances."""
    target = name[:-1]
    model: Any = Sector if name == "sectors" else Region
    ordering = [f"{target}__{item}" for item in model._meta.ordering or []]
    links = getattr(UseCase, name).through.objects.filter(usecase_id__in=use_case_ids)
    codes: dict[int, list[str]] = {pk: [] for pk in use_case_ids}
    for use_case, code in links.order_by(*ordering, f"{target}__id").values_list("usecase_id", f"{target}__code"):
        codes[use_case].append(code)
    return codes


def organisation_list(user: Any) -> QuerySet[Organisation]:
    return Organisation.objects.restrict(user, "view").select_related("parent", "region")


def organisation_subtree_ids(organisation_ids: set[int]) -> set[int]:
    """The given organisations and all below them."""
    parent_of = dict(Organisation.objects.values_list("id", "parent_id"))
    return descendants(parent_of, organisation_ids)


def organisation_tree(user: Any) -> list[tuple[Organisation, int]]:
    """Visible organisations in tree order with their depth; orphans of invisible parents start at depth 0."""
    organisations = list(
        organisation_list(user).annotate(use_case_count=Count("use_cases", distinct=True)).order_by("code")
    )
    by_parent: dict[int | None, list[Organisation]] = {}
    visible = {org.pk for org in organisations}
    for org in organisations:
        parent = org.parent_id if org.parent_id in visible else None
        by_parent.setdefault(parent, []).append(org)
    ordered: list[tuple[Organisation, int]] = []

    def walk(parent: int | None, depth: int) -> None:
        for org in by_parent.get(parent, []):
            ordered.append((org, depth))
            walk(org.pk, depth + 1)

    walk(None, 0)
    return ordered


def rollup_targets(nodes: Mapping[int, tuple[int | None, str]], visible: set[int] | None) -> dict[int, int]:
    """Each organisation's ministry-level ancestor: the highest one above it that the user can see and that
    is not an umbrella (kind "other", such as a country's whole government); itself when there is none."""
    targets: dict[int, int] = {}
    for org_id in nodes:
        target, parent = org_id, nodes[org_id][0]
        seen = {org_id}
        while parent is not None and parent in nodes and parent not in seen:
            seen.add(parent)
            if (visible is not None and parent not in visible) or nodes[parent][1] == OrganisationKind.OTHER:
                break
            target, parent = parent, nodes[parent][0]
        targets[org_id] = target
    return targets


def _by_top_organisation(user: Any) -> list[dict[str, Any]]:
    """Visible use cases counted by ministry, agency or regional government (bureaus roll up into them)."""
    per_org = _visible_counts(user, "organisation")
    if not per_org:
        return []
    nodes = {pk: (parent, kind) for pk, parent, kind in Organisation.objects.values_list("id", "parent_id", "kind")}
    scope = scope_for(user)
    targets = rollup_targets(nodes, None if scope.sees_everything else set(scope.view_org_ids))
    totals: dict[int, int] = {}
    for org_id, count in per_org.items():
        totals[targets.get(org_id, org_id)] = totals.get(targets.get(org_id, org_id), 0) + count
    top = sorted(totals.items(), key=lambda item: -item[1])[:15]
    names = Organisation.objects.in_bulk([pk for pk, _n in top])
    return [{"key": names[pk].code, "label": names[pk].name, "count": n, "pk": pk} for pk, n in top]


ROLLUPS = ("stage", "sector", "region", "organisation")


def use_case_rollup(user: Any, by: str, selected: QuerySet[UseCase] | None = None) -> list[dict[str, Any]]:
    """Visible use cases (or the ``selected`` ones of them) counted by stage, sector, region or (their own)
    organisation, largest first; only non-zero rows. Without a selection the counts come from the tallies the
    database keeps by organisation (thousands of rows, on SQLite); otherwise one grouped query over the use cases
    or the link table counts them. Then the labels by primary key."""
    if by not in ROLLUPS:
        raise ValueError(by)
    counts = _visible_counts(user, by) if selected is None else _counted(selected.order_by(), by)
    if by == "stage":
        labels = dict(Stage.choices)
        rows = [{"key": key, "label": str(labels.get(key, key)), "count": n} for key, n in counts.items()]
    else:
        model: Any = {"sector": Sector, "region": Region, "organisation": Organisation}[by]
        name = localiser()
        named = model.objects.order_by().filter(pk__in=list(counts)).values_list("pk", "code", "name_en", "name_ru")
        rows = [{"key": code, "label": name(en, ru), "count": counts[pk]} for pk, code, en, ru in named]
    rows.sort(key=lambda row: (-row["count"], row["key"]))
    return rows


def _visible_counts(user: Any, by: str) -> dict[Any, int]:
    """Every use case the user sees, counted by ``by``: from the tallies where the database keeps them, else live."""
    if tallies.kept():
        return _tallied(user, by)
    visible = UseCase.objects.restrict(user, "view").order_by()
    return _counted(visible, by, every=scope_for(user).sees_everything)


def _tallied(user: Any, by: str) -> dict[Any, int]:
    """The visible use cases' counts by ``by`` from UseCaseTally, restricted like the use cases themselves."""
    scope = scope_for(user)
    rows = UseCaseTally.objects.order_by().filter(n__gt=0)
    if not scope.sees_everything:
        rows = rows.filter(organisation_id__in=sorted(scope.view_org_ids))
    # Every use case has one stage: its stage rows add up to its organisation's count.
    column = "organisation_id" if by == "organisation" else "key"
    dimension = "stage" if by == "organisation" else by
    grouped = rows.filter(dimension=dimension).values_list(column).annotate(total=Sum("n"))
    counts = dict(grouped.values_list(column, "total"))
    if by in ("sector", "region"):
        return {int(key): n for key, n in counts.items()}  # their ids, as text
    return counts


def _counted(selected: QuerySet[UseCase], by: str, *, every: bool = False) -> dict[Any, int]:
    """The ``selected`` use cases' counts by ``by``, by one grouped query (``every``: they are all of them, so the
    link table is read without a subquery)."""
    if by in ("sector", "region"):
        links = getattr(UseCase, f"{by}s").through.objects.order_by()
        if not every:
            links = links.filter(usecase__in=selected)
        return dict(links.values_list(f"{by}_id").annotate(n=Count("*")).values_list(f"{by}_id", "n"))
    column = "stage" if by == "stage" else "organisation_id"
    return dict(selected.values_list(column).annotate(n=Count("*")).values_list(column, "n"))


def dashboard_counts(user: Any) -> dict[str, Any]:
    """Counts of visible use cases by stage, sector, region and organisation."""
    visible = UseCase.objects.restrict(user, "view")
    # One pass over the use cases for the four figures, not one each.
    figures = visible.order_by().aggregate(
        total=Count("id"),
        generative=Count("id", filter=Q(is_generative=True)),
        public=Count("id", filter=Q(is_public=True)),
        organisations=Count("organisation", distinct=True),
    )
    by_stage_raw = {row["key"]: row["count"] for row in use_case_rollup(user, "stage")}
    by_stage = [
        {"key": value, "label": str(label), "count": by_stage_raw.get(value, 0)} for value, label in Stage.choices
    ]
    by_sector = use_case_rollup(user, "sector")[:15]
    by_region = use_case_rollup(user, "region")[:15]
    by_org = _by_top_organisation(user)
    return {
        **figures,
        "by_stage": by_stage,
        "by_sector": by_sector,
        "by_region": by_region,
        "by_organisation": by_org,
    }
