"""Reads for sovereignty: the AI-BOMs a user may see, turned into the inputs of the pure measures."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django.db.models import Q, QuerySet

from aihq.objectives.models import Contribution
from aihq.registry.models import UseCase
from aihq.sovereignty import measures
from aihq.sovereignty.models import (
    Agreement,
    AgreementStatus,
    BomEntry,
    Component,
    CutoffScenario,
    SovereigntySettings,
    Supplier,
)


def suppliers(user: Any) -> QuerySet[Supplier]:
    return Supplier.objects.restrict(user).select_related("parent")


def components(user: Any) -> QuerySet[Component]:
    return Component.objects.restrict(user).select_related("supplier")


def bom_entries(user: Any) -> QuerySet[BomEntry]:
    return BomEntry.objects.restrict(user).select_related("component__supplier", "use_case__organisation")


def agreements(user: Any) -> QuerySet[Agreement]:
    return Agreement.objects.restrict(user)


def scenarios(user: Any) -> QuerySet[CutoffScenario]:
    return CutoffScenario.objects.restrict(user)


def settings() -> SovereigntySettings:
    return SovereigntySettings.current()


def weights(current: SovereigntySettings | None = None) -> measures.Weights:
    s = current or settings()
    return measures.Weights(
        jurisdiction=s.weight_jurisdiction,
        hosting=s.weight_hosting,
        licence=s.weight_licence,
        replaceability=s.weight_replaceability,
    )


def agreements_in_force(today: dt.date) -> QuerySet[Agreement]:
    """Agreements that count today: in force, or signed and within their dates."""
    dated = Q(starts_on__isnull=True) | Q(starts_on__lte=today)
    open_ended = Q(ends_on__isnull=True) | Q(ends_on__gte=today)
    return Agreement.objects.filter(
        Q(status=AgreementStatus.IN_FORCE) | (Q(status=AgreementStatus.SIGNED) & dated), open_ended
    )


def covered_jurisdictions(today: dt.date) -> frozenset[str]:
    return frozenset(code for code in agreements_in_force(today).values_list("partner_country", flat=True) if code)


def covered_suppliers(today: dt.date) -> set[int]:
    return set(agreements_in_force(today).values_list("suppliers", flat=True)) - {None}


def use_case_deps(entries: QuerySet[BomEntry]) -> list[measures.UseCaseDeps]:
    """Each use case's dependencies, with its organisation, sectors and regions as groups (three queries)."""
    by_use_case: dict[int, list[measures.Dependency]] = defaultdict(list)
    organisation: dict[int, str] = {}
    for entry in entries.select_related("component__supplier", "use_case__organisation").order_by("use_case_id", "id"):
        component = entry.component
        supplier = component.supplier
        by_use_case[entry.use_case_id].append(
            measures.Dependency(
                component_id=component.pk,
                type=component.type,
                jurisdiction=supplier.jurisdiction if supplier else "",
                hosting=component.hosting,
                criticality=entry.criticality,
                supplier_id=supplier.pk if supplier else None,
                replaceability=component.replaceability,
                licence=component.licence,
                open_weights=component.open_weights,
                model_family=component.model_family,
            )
        )
        organisation[entry.use_case_id] = entry.use_case.organisation.code
    ids = list(by_use_case)
    sectors: dict[int, list[str]] = defaultdict(list)
    for use_case_id, code in UseCase.sectors.through.objects.filter(usecase_id__in=ids).values_list(
        "usecase_id", "sector__code"
    ):
        sectors[use_case_id].append(code)
    regions: dict[int, list[str]] = defaultdict(list)
    for use_case_id, code in UseCase.regions.through.objects.filter(usecase_id__in=ids).values_list(
        "usecase_id", "region__code"
    ):
        regions[use_case_id].append(code)
    return [
        measures.UseCaseDeps(
            use_case_id=use_case_id,
            groups={
                "organisation": (organisation[use_case_id],),
                "sector": tuple(sorted(sectors[use_case_id])),
                "region": tuple(sorted(regions[use_case_id])),
            },
            budget=None,
            dependencies=tuple(deps),
        )
        for use_case_id, deps in by_use_case.items()
    ]


def use_case_score(use_case: UseCase, today: dt.date) -> measures.UseCaseScore:
    current = settings()
    deps = use_case_deps(BomEntry.objects.filter(use_case=use_case))
    dependencies = deps[0].dependencies if deps else ()
    return measures.use_case_score(dependencies, weights(current), current.home_country, covered_jurisdictions(today))


@dataclass
class Dashboard:
    home: str
    use_cases: int
    by_type: dict[str, measures.Share]
    by_organisation: dict[str, measures.Share]
    by_sector: dict[str, measures.Share]
    by_region: dict[str, measures.Share]
    overall: measures.Share | None
    by_supplier: measures.Concentration
    by_jurisdiction: measures.Concentration
    by_family: measures.Concentration
    lowest: list[tuple[UseCase, measures.UseCaseScore]]
    supplier_names: dict[int, str]
    foreign_dependencies: int = 0
    covered_dependencies: int = 0


def dashboard(user: Any, today: dt.date) -> Dashboard:
    """Dependency by jurisdiction and type, concentration, and the lowest-scoring use cases with a critical
    dependency — over the AI-BOMs the user may see."""
    current = settings()
    home = current.home_country
    deps = use_case_deps(bom_entries(user))
    types = sorted({d.type for u in deps for d in u.dependencies})
    # per type, among the use cases that use a component of that type
    by_type = {
        t: measures.foreign_shares(
            [u for u in deps if any(d.type == t for d in u.dependencies)], home, None, component_type=t
        ).get("all")
        for t in types
    }
    supplier_ids = [d.supplier_id for u in deps for d in u.dependencies if d.supplier_id is not None]
    names = dict(Supplier.objects.filter(pk__in=set(supplier_ids)).values_list("pk", "name"))
    # concentration counts use cases per supplier (a use case counts once per supplier it depends on)
    per_supplier = [names[s] for u in deps for s in {d.supplier_id for d in u.dependencies} if s is not None]
    per_jurisdiction = [j for u in deps for j in {d.jurisdiction for d in u.dependencies} if j]
    per_family = [f for u in deps for f in {d.model_family for d in u.dependencies if d.type == "model"} if f]
    covered = covered_jurisdictions(today)
    # every score at once (vectorised), then the explanation only for the ten lowest
    critical = [u for u in deps if any(d.criticality == "critical" for d in u.dependencies)]
    values = measures.use_case_score_values(critical, weights(current), home, covered)
    lowest_ids = sorted((pk for pk, v in values.items() if v is not None), key=lambda pk: (values[pk], pk))[:10]
    by_id = {u.use_case_id: u for u in critical}
    scored = [
        (pk, measures.use_case_score(by_id[pk].dependencies, weights(current), home, covered)) for pk in lowest_ids
    ]
    use_cases = UseCase.objects.in_bulk([pk for pk, _s in scored])
    foreign = [d for u in deps for d in u.dependencies if measures.is_foreign(d, home)]
    by_supplier = covered_suppliers(today)
    covered_count = sum(1 for d in foreign if d.jurisdiction in covered or d.supplier_id in by_supplier)
    return Dashboard(
        home=home,
        use_cases=len(deps),
        by_type={t: s for t, s in by_type.items() if s is not None},
        by_organisation=measures.foreign_shares(deps, home, "organisation"),
        by_sector=measures.foreign_shares(deps, home, "sector"),
        by_region=measures.foreign_shares(deps, home, "region"),
        overall=measures.foreign_shares(deps, home, None).get("all"),
        by_supplier=measures.concentration(per_supplier),
        by_jurisdiction=measures.concentration(per_jurisdiction),
        by_family=measures.concentration(per_family),
        lowest=[(use_cases[pk], score) for pk, score in scored if pk in use_cases],
        supplier_names=names,
        foreign_dependencies=len(foreign),
        covered_dependencies=covered_count,
    )


@dataclass
class AffectedUseCase:
    use_case: UseCase
    impact: measures.Impact
    indicators: list[Any]
    components: dict[int, Component]


@dataclass
class ScenarioResult:
    affected: list[AffectedUseCase]
    breaks: int
    degraded: int
    by_organisation: dict[str, int]
    by_sector: dict[str, int]
    by_region: dict[str, int]
    indicators: list[tuple[Any, int]]


def scenario_result(user: Any, scenario: CutoffScenario) -> ScenarioResult:
    """What breaks, within what the user may see, if the scenario's suppliers, jurisdictions or components go."""
    return scenario_results(user, [scenario])[0]


def scenario_results(user: Any, scenarios: Iterable[CutoffScenario]) -> list[ScenarioResult]:
    """Several scenarios over the same AI-BOMs, read once."""
    deps = use_case_deps(bom_entries(user))
    component_ids = {d.component_id for u in deps for d in u.dependencies}
    components = Component.objects.in_bulk(component_ids)
    parents = dict(Supplier.objects.values_list("pk", "parent_id"))
    return [_result(scenario, deps, components, parents) for scenario in scenarios]


def _result(
    scenario: CutoffScenario,
    deps: list[measures.UseCaseDeps],
    component_rows: dict[int, Component],
    parents: Mapping[int, int | None],
) -> ScenarioResult:
    cut = measures.Cutoff(
        suppliers=frozenset(s.pk for s in scenario.suppliers.all()),
        jurisdictions=frozenset(scenario.jurisdictions or ()),
        components=frozenset(c.pk for c in scenario.components.all()),
    )
    alternatives = {
        pk: bool(c.alternatives.strip()) or c.replaceability == "drop_in" for pk, c in component_rows.items()
    }
    impacts = measures.cutoff_impact(deps, cut, parents, alternatives)
    groups = {u.use_case_id: u.groups for u in deps}
    use_cases = UseCase.objects.select_related("organisation").in_bulk([i.use_case_id for i in impacts])
    contributions: dict[int, list[Any]] = defaultdict(list)
    for contribution in Contribution.objects.filter(use_case_id__in=list(use_cases)).select_related(
        "indicator__objective"
    ):
        contributions[contribution.use_case_id].append(contribution.indicator)
    counted: dict[str, dict[str, int]] = {"organisation": {}, "sector": {}, "region": {}}
    indicator_counts: dict[int, tuple[Any, int]] = {}
    for impact in impacts:
        for dimension, bucket in counted.items():
            for key in groups.get(impact.use_case_id, {}).get(dimension, ()):
                bucket[key] = bucket.get(key, 0) + 1
        for indicator in contributions[impact.use_case_id]:
            previous = indicator_counts.get(indicator.pk, (indicator, 0))
            indicator_counts[indicator.pk] = (indicator, previous[1] + 1)
    return ScenarioResult(
        affected=[
            AffectedUseCase(use_cases[i.use_case_id], i, contributions[i.use_case_id], component_rows)
            for i in impacts
            if i.use_case_id in use_cases
        ],
        breaks=sum(1 for i in impacts if i.breaks),
        degraded=sum(1 for i in impacts if not i.breaks),
        by_organisation=_sorted(counted["organisation"]),
        by_sector=_sorted(counted["sector"]),
        by_region=_sorted(counted["region"]),
        indicators=sorted(indicator_counts.values(), key=lambda item: (-item[1], item[0].code)),
    )


def _sorted(counts: dict[str, int]) -> dict[str, int]:
    return dict(sorted(counts.items(), key=lambda item: (-item[1], item[0])))


def agreements_covering(entries: Iterable[BomEntry], today: dt.date) -> dict[int, list[Agreement]]:
    """For each AI-BOM entry, the agreements in force that cover its supplier or its supplier's country."""
    active = list(agreements_in_force(today).prefetch_related("suppliers"))
    result: dict[int, list[Agreement]] = {}
    for entry in entries:
        supplier = entry.component.supplier
        if supplier is None:
            continue
        found = [
            a
            for a in active
            if (supplier.jurisdiction and a.partner_country == supplier.jurisdiction)
            or any(s.pk == supplier.pk for s in a.suppliers.all())
        ]
        if found:
            result[entry.pk] = found
    return result
