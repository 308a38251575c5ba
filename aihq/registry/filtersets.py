"""Filters shared by the list pages and the API (one FilterSet per model)."""

from __future__ import annotations

from typing import Any

import django_filters
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from aihq.core.filters import IsoDateTimeFilter
from aihq.registry.models import (
    DevelopmentMethod,
    ImpactType,
    Organisation,
    OrganisationKind,
    Region,
    Sector,
    Stage,
    Technique,
    UseCase,
)
from aihq.registry.selectors import organisation_subtree_ids


class UseCaseFilterSet(django_filters.FilterSet):
    """Use-case filters: organisation (optionally with its sub-organisations), region, sector, stage, text."""

    q = django_filters.CharFilter(label=_("Search"), method="filter_q")
    organisation = django_filters.CharFilter(label=_("Organisation code"), method="filter_organisation")
    include_children = django_filters.BooleanFilter(
        label=_("Include sub-organisations"), method="filter_noop", widget=django_filters.widgets.BooleanWidget()
    )
    region = django_filters.CharFilter(label=_("Region code"), method="filter_region")
    sector = django_filters.CharFilter(label=_("Sector code"), method="filter_sector")
    stage = django_filters.MultipleChoiceFilter(label=_("Stage"), choices=Stage.choices, distinct=False)
    development_method = django_filters.ChoiceFilter(label=_("Development method"), choices=DevelopmentMethod.choices)
    is_generative = django_filters.BooleanFilter(
        label=_("Generative AI"), widget=django_filters.widgets.BooleanWidget()
    )
    is_public = django_filters.BooleanFilter(label=_("Public"), widget=django_filters.widgets.BooleanWidget())
    impact_type = django_filters.ChoiceFilter(label=_("Impact type"), choices=ImpactType.choices)
    is_high_impact = django_filters.BooleanFilter(label=_("High-impact"), widget=django_filters.widgets.BooleanWidget())
    technique = django_filters.ChoiceFilter(
        label=_("AI technique"), choices=Technique.choices, method="filter_technique"
    )
    source_format = django_filters.CharFilter(label=_("Imported from"))
    updated_since = IsoDateTimeFilter(field_name="updated_at", lookup_expr="gte", label=_("Updated since"))
    ordering = django_filters.OrderingFilter(
        label=_("Sort by"),
        empty_label=_("Last updated first"),
        fields=(
            ("name", "name"),
            ("updated_at", "updated"),
            ("stage", "stage"),
            ("organisation__code", "organisation"),
            ("date_deployed", "deployed"),
            ("id", "id"),
        ),
        field_labels={
            "name": _("Name"),
            "updated_at": _("Last updated"),
            "stage": _("Stage"),
            "organisation__code": _("Organisation"),
            "date_deployed": _("Deployed"),
            "id": _("Number"),
        },
    )

    class Meta:
        model = UseCase
        fields: list[str] = []

    def filter_noop(self, queryset: QuerySet[UseCase], name: str, value: Any) -> QuerySet[UseCase]:
        return queryset

    def filter_q(self, queryset: QuerySet[UseCase], name: str, value: str) -> QuerySet[UseCase]:
        for word in value.split()[:10]:
            queryset = queryset.filter(
                Q(name__icontains=word)
                | Q(description__icontains=word)
                | Q(purpose__icontains=word)
                | Q(reference__iexact=word)
                | Q(vendors__icontains=word)
                | Q(unit__icontains=word)
            )
        return queryset

    def filter_technique(self, queryset: QuerySet[UseCase], name: str, value: str) -> QuerySet[UseCase]:
        # JSON "contains" is PostgreSQL-only; the quoted code matched in the JSON text works on both databases.
        return queryset.filter(techniques__icontains=f'"{value}"')

    def filter_organisation(self, queryset: QuerySet[UseCase], name: str, value: str) -> QuerySet[UseCase]:
        codes = [code.strip() for code in value.split(",") if code.strip()]
        ids = set(Organisation.objects.filter(code__in=codes).values_list("id", flat=True))
        if self.form.cleaned_data.get("include_children"):
            ids = organisation_subtree_ids(ids)
        return queryset.filter(organisation_id__in=sorted(ids))

    def filter_region(self, queryset: QuerySet[UseCase], name: str, value: str) -> QuerySet[UseCase]:
        return _linked_to(queryset, "regions", value)

    def filter_sector(self, queryset: QuerySet[UseCase], name: str, value: str) -> QuerySet[UseCase]:
        return _linked_to(queryset, "sectors", value)


def _linked_to(queryset: QuerySet[UseCase], relation: str, value: str) -> QuerySet[UseCase]:
    """Use cases linked to any of the comma-separated codes: ``id IN (the link table's rows)`` rather than a join,
    which would repeat a use case per matching link and need DISTINCT over every column to undo it."""
    codes = [code.strip() for code in value.split(",") if code.strip()]
    links = getattr(UseCase, relation).through.objects.filter(**{f"{relation[:-1]}__code__in": codes})
    return queryset.filter(id__in=links.values("usecase_id"))


class OrganisationFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Search"), method="filter_q")
    kind = django_filters.ChoiceFilter(choices=OrganisationKind.choices, label=_("Kind"))
    parent = django_filters.CharFilter(field_name="parent__code", label=_("Parent code"))
    region = django_filters.CharFilter(field_name="region__code", label=_("Region code"))
    ordering = django_filters.OrderingFilter(fields=(("code", "code"), ("name_en", "name"), ("updated_at", "updated")))

    class Meta:
        model = Organisation
        fields: list[str] = []

    def filter_q(self, queryset: QuerySet[Organisation], name: str, value: str) -> QuerySet[Organisation]:
        return queryset.filter(Q(code__icontains=value) | Q(name_en__icontains=value) | Q(name_ru__icontains=value))


class RegionFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Search"), method="filter_q")
    country = django_filters.CharFilter(lookup_expr="iexact", label=_("Country"))

    class Meta:
        model = Region
        fields: list[str] = []

    def filter_q(self, queryset: QuerySet[Region], name: str, value: str) -> QuerySet[Region]:
        return queryset.filter(Q(code__icontains=value) | Q(name_en__icontains=value) | Q(name_ru__icontains=value))


class SectorFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Search"), method="filter_q")

    class Meta:
        model = Sector
        fields: list[str] = []

    def filter_q(self, queryset: QuerySet[Sector], name: str, value: str) -> QuerySet[Sector]:
        return queryset.filter(Q(code__icontains=value) | Q(name_en__icontains=value) | Q(name_ru__icontains=value))
