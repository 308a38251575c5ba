"""Filters for suppliers, components and AI-BOM entries (pages and API)."""

from __future__ import annotations

import django_filters
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from aihq.core.db import MAX_ID
from aihq.sovereignty.models import BomEntry, Component, ComponentType, Criticality, Hosting, Supplier, SupplierKind


class SupplierFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Name"), field_name="name", lookup_expr="icontains")
    jurisdiction = django_filters.CharFilter(label=_("Jurisdiction"), method="filter_jurisdiction")
    kind = django_filters.ChoiceFilter(label=_("Kind"), choices=SupplierKind.choices)

    class Meta:
        model = Supplier
        fields = ["q", "jurisdiction", "kind", "inferred"]

    def filter_jurisdiction(self, queryset: QuerySet[Supplier], name: str, value: str) -> QuerySet[Supplier]:
        return queryset.filter(jurisdiction=value.strip().upper())


class ComponentFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Name"), method="filter_q")
    type = django_filters.ChoiceFilter(label=_("Type"), choices=ComponentType.choices)
    jurisdiction = django_filters.CharFilter(label=_("Jurisdiction"), method="filter_jurisdiction")
    supplier = django_filters.NumberFilter(
        label=_("Supplier id"), field_name="supplier_id", min_value=1, max_value=MAX_ID, decimal_places=0
    )
    hosting = django_filters.ChoiceFilter(label=_("Where it runs"), choices=Hosting.choices)

    class Meta:
        model = Component
        fields = ["q", "type", "jurisdiction", "supplier", "hosting", "inferred"]

    def filter_q(self, queryset: QuerySet[Component], name: str, value: str) -> QuerySet[Component]:
        return queryset.filter(Q(name__icontains=value) | Q(model_family__icontains=value))

    def filter_jurisdiction(self, queryset: QuerySet[Component], name: str, value: str) -> QuerySet[Component]:
        return queryset.filter(supplier__jurisdiction=value.strip().upper())


class BomEntryFilterSet(django_filters.FilterSet):
    use_case = django_filters.NumberFilter(
        label=_("Use case id"), field_name="use_case_id", min_value=1, max_value=MAX_ID, decimal_places=0
    )
    component = django_filters.NumberFilter(
        label=_("Component id"), field_name="component_id", min_value=1, max_value=MAX_ID, decimal_places=0
    )
    criticality = django_filters.ChoiceFilter(label=_("Criticality"), choices=Criticality.choices)
    organisation = django_filters.CharFilter(label=_("Organisation code"), field_name="use_case__organisation__code")

    class Meta:
        model = BomEntry
        fields = ["use_case", "component", "criticality", "organisation"]
