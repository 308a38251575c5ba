"""Audit log filters: by object, user, action, request and time."""

from __future__ import annotations

import datetime as dt

import django_filters
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from aihq.audit.models import AuditAction, AuditEvent
from aihq.core.filters import IsoDateTimeFilter


class AuditEventFilterSet(django_filters.FilterSet):
    object_type = django_filters.CharFilter(label=_("Object type"), help_text="e.g. registry.usecase")
    object_id = django_filters.CharFilter(label=_("Object id"))
    user = django_filters.CharFilter(field_name="actor_label", label=_("User"))
    action = django_filters.ChoiceFilter(choices=AuditAction.choices, label=_("Action"))
    request_id = django_filters.CharFilter(label=_("Request id"))
    since = IsoDateTimeFilter(field_name="timestamp", lookup_expr="gte", label=_("From"))
    until = IsoDateTimeFilter(label=_("Until"), method="filter_until")

    class Meta:
        model = AuditEvent
        fields: list[str] = []

    def filter_until(self, queryset: QuerySet[AuditEvent], name: str, value: dt.datetime) -> QuerySet[AuditEvent]:
        """Up to the given time; a bare date (2026-11-29) includes that whole day."""
        raw = str(self.data.get("until", ""))
        if len(raw.strip()) == 10:
            try:
                return queryset.filter(timestamp__lt=value + dt.timedelta(days=1))
            except OverflowError:  # the last day there is: no upper bound
                return queryset
        return queryset.filter(timestamp__lte=value)
