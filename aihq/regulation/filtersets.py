"""Filters for classifications, requirements, risks, incidents and the public incident library (pages and API)."""

from __future__ import annotations

import datetime as dt

import django_filters
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from aihq.core.db import MAX_ID
from aihq.registry.selectors import organisation_subtree_ids
from aihq.regulation import taxonomy
from aihq.regulation.models import (
    Classification,
    Incident,
    IncidentSeverity,
    IncidentStatus,
    PublicIncident,
    RequirementState,
    RequirementStatus,
    Risk,
    RiskStatus,
)


class _OrganisationFilter(django_filters.FilterSet):
    """An organisation by code, with everything below it in the tree."""

    organisation = django_filters.CharFilter(label=_("Organisation code"), method="filter_organisation")
    use_case = django_filters.NumberFilter(
        label=_("Use case id"), field_name="use_case_id", min_value=1, max_value=MAX_ID, decimal_places=0
    )

    organisation_path = "use_case__organisation"

    def filter_organisation(self, queryset: QuerySet, name: str, value: str) -> QuerySet:  # type: ignore[type-arg]
        from aihq.registry.models import Organisation

        ids = set(Organisation.objects.filter(code__iexact=value.strip()).values_list("pk", flat=True))
        return queryset.filter(**{f"{self.organisation_path}_id__in": sorted(organisation_subtree_ids(ids))})


class ClassificationFilterSet(_OrganisationFilter):
    framework = django_filters.CharFilter(label=_("Framework code"), field_name="framework_code")
    tier = django_filters.CharFilter(label=_("Tier"))

    class Meta:
        model = Classification
        fields = ["organisation", "use_case", "framework", "tier", "source"]


class RequirementFilterSet(_OrganisationFilter):
    framework = django_filters.CharFilter(label=_("Framework code"), field_name="framework_code")
    status = django_filters.ChoiceFilter(label=_("Status"), choices=RequirementState.choices)
    overdue = django_filters.BooleanFilter(
        label=_("Overdue only"), method="filter_overdue", widget=django_filters.widgets.BooleanWidget()
    )
    applicable = django_filters.BooleanFilter(label=_("Applies now"), widget=django_filters.widgets.BooleanWidget())
    owner = django_filters.CharFilter(label=_("Owner username"), field_name="owner__username")

    class Meta:
        model = RequirementStatus
        fields = ["organisation", "use_case", "framework", "status", "overdue", "applicable", "mandatory", "owner"]

    def filter_overdue(self, queryset: QuerySet, name: str, value: bool | None) -> QuerySet:  # type: ignore[type-arg]
        if value is None:
            return queryset
        from aihq.regulation.selectors import overdue_q

        late = overdue_q(dt.date.today())
        return queryset.filter(late) if value else queryset.exclude(late)


def _category_filter(queryset: QuerySet, field: str, value: str) -> QuerySet:  # type: ignore[type-arg]
    """A domain ("1") matches itself and its subdomains ("1.2"); a subdomain matches itself."""
    value = value.strip()
    if "." in value:
        return queryset.filter(**{field: value})
    return queryset.filter(Q(**{field: value}) | Q(**{f"{field}__startswith": f"{value}."}))


class RiskFilterSet(_OrganisationFilter):
    category = django_filters.ChoiceFilter(
        label=_("Risk domain"),
        choices=[(c.code, c.label) for c in (*taxonomy.DOMAINS, *taxonomy.SUBDOMAINS)],
        method="filter_category",
    )
    status = django_filters.ChoiceFilter(label=_("Status"), choices=RiskStatus.choices)
    min_score = django_filters.NumberFilter(
        label=_("Lowest score"), method="filter_min_score", min_value=1, max_value=25, decimal_places=0
    )

    class Meta:
        model = Risk
        fields = ["organisation", "use_case", "category", "status", "min_score"]

    def filter_category(self, queryset: QuerySet, name: str, value: str) -> QuerySet:  # type: ignore[type-arg]
        return _category_filter(queryset, "category", value)

    def filter_min_score(self, queryset: QuerySet, name: str, value: float) -> QuerySet:  # type: ignore[type-arg]
        from django.db.models import F

        filtered: QuerySet = queryset.alias(score=F("likelihood") * F("severity")).filter(score__gte=value)  # type: ignore[type-arg]
        return filtered


class IncidentFilterSet(_OrganisationFilter):
    status = django_filters.ChoiceFilter(label=_("Status"), choices=IncidentStatus.choices)
    severity = django_filters.ChoiceFilter(label=_("Severity"), choices=IncidentSeverity.choices)
    open = django_filters.BooleanFilter(
        label=_("Open only"), method="filter_open", widget=django_filters.widgets.BooleanWidget()
    )

    class Meta:
        model = Incident
        fields = ["organisation", "use_case", "status", "severity", "open"]

    def filter_open(self, queryset: QuerySet, name: str, value: bool | None) -> QuerySet:  # type: ignore[type-arg]
        if value is None:
            return queryset
        closed = Q(status=IncidentStatus.CLOSED)
        return queryset.exclude(closed) if value else queryset.filter(closed)


class PublicIncidentFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Search"), method="filter_q")
    domain = django_filters.ChoiceFilter(
        label=_("MIT risk domain"),
        choices=[(c.code, c.label) for c in (*taxonomy.DOMAINS, *taxonomy.SUBDOMAINS)],
        method="filter_domain",
    )
    deployer = django_filters.CharFilter(label=_("Deployer"), method="filter_deployer")
    developer = django_filters.CharFilter(label=_("Developer"), method="filter_developer")
    year = django_filters.NumberFilter(
        label=_("Year"), field_name="date__year", min_value=1900, max_value=2200, decimal_places=0
    )

    class Meta:
        model = PublicIncident
        fields = ["q", "domain", "deployer", "developer", "year"]

    def filter_q(self, queryset: QuerySet, name: str, value: str) -> QuerySet:  # type: ignore[type-arg]
        return queryset.filter(Q(title__icontains=value) | Q(description__icontains=value))

    def filter_domain(self, queryset: QuerySet, name: str, value: str) -> QuerySet:  # type: ignore[type-arg]
        if "." in value:
            return queryset.filter(mit_subdomain=value)
        return queryset.filter(mit_domain=value)

    # Deployers and developers are JSON lists of slugs; a slug is matched with its quotes so "uber" does not
    # match "uber-eats" (a text match on the stored JSON works the same on SQLite and PostgreSQL).
    def filter_deployer(self, queryset: QuerySet, name: str, value: str) -> QuerySet:  # type: ignore[type-arg]
        return _slug_in(queryset, "deployers", value)

    def filter_developer(self, queryset: QuerySet, name: str, value: str) -> QuerySet:  # type: ignore[type-arg]
        return _slug_in(queryset, "developers", value)


def slugify_party(value: str) -> str:
    return "-".join(value.strip().lower().split())


def _slug_in(queryset: QuerySet, field: str, value: str) -> QuerySet:  # type: ignore[type-arg]
    from django.db.models import TextField
    from django.db.models.functions import Cast

    slug = slugify_party(value)
    alias = {f"{field}_text": Cast(field, TextField())}
    filtered: QuerySet = queryset.alias(**alias).filter(**{f"{field}_text__contains": f'"{slug}"'})  # type: ignore[type-arg]
    return filtered
