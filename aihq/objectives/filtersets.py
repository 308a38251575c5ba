"""Filters for objectives, indicators and measurements (pages and API)."""

from __future__ import annotations

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from aihq.objectives.models import Indicator, Measurement, Objective


class ObjectiveFilterSet(django_filters.FilterSet):
    programme = django_filters.CharFilter(label=_("Programme"), method="filter_programme")
    owner = django_filters.CharFilter(label=_("Owner organisation code"), field_name="owner__code")

    class Meta:
        model = Objective
        fields = ["programme", "owner"]

    def filter_programme(self, queryset, name, value):  # type: ignore[no-untyped-def]
        return queryset.filter(Q(programme__icontains=value) | Q(programme_ru__icontains=value))


class IndicatorFilterSet(django_filters.FilterSet):
    objective = django_filters.CharFilter(label=_("Objective code"), field_name="objective__code")
    owner = django_filters.CharFilter(label=_("Responsible organisation code"), field_name="owner__code")

    class Meta:
        model = Indicator
        fields = ["objective", "owner", "direction", "frequency"]


class MeasurementFilterSet(django_filters.FilterSet):
    indicator = django_filters.CharFilter(label=_("Indicator code"), field_name="indicator__code")
    region = django_filters.CharFilter(label=_("Region code"), field_name="region__code")
    organisation = django_filters.CharFilter(label=_("Organisation code"), field_name="organisation__code")
    national = django_filters.BooleanFilter(
        label=_("National values only"), method="filter_national", widget=django_filters.widgets.BooleanWidget()
    )
    period_from = django_filters.DateFilter(label=_("Period from"), field_name="period_end", lookup_expr="gte")
    period_to = django_filters.DateFilter(label=_("Period to"), field_name="period_end", lookup_expr="lte")

    class Meta:
        model = Measurement
        fields = ["indicator", "region", "organisation", "period_from", "period_to", "is_illustrative"]

    def filter_national(self, queryset, name, value):  # type: ignore[no-untyped-def]
        if value is None:
            return queryset
        national = {"region__isnull": True, "organisation__isnull": True}
        return queryset.filter(**national) if value else queryset.exclude(**national)
