"""Filters shared by several apps' FilterSets: datetimes compared in UTC."""

from __future__ import annotations

import datetime as dt
from typing import Any

import django_filters
from django.core.exceptions import ValidationError
from django.utils import timezone
from django_filters.fields import IsoDateTimeField


class UtcIsoDateTimeField(IsoDateTimeField):  # type: ignore[misc]
    """An ISO 8601 date and time, in UTC: Python takes offsets up to ±23:59 but PostgreSQL only up to ±15:59, so
    ``2026-11-30T09:00-21:43`` is compared as the instant it names instead of failing the query (a 500)."""

    def to_python(self, value: Any) -> dt.datetime | None:
        result: dt.datetime | None = super().to_python(value)
        if result is not None and timezone.is_aware(result):
            try:
                return result.astimezone(dt.UTC)
            except OverflowError:  # beyond the calendar once in UTC
                raise ValidationError(self.error_messages["invalid"], code="invalid") from None
        return result


class IsoDateTimeFilter(django_filters.IsoDateTimeFilter):  # type: ignore[misc]
    """django-filter's IsoDateTimeFilter, with the value in UTC."""

    field_class = UtcIsoDateTimeField
