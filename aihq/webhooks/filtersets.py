"""Delivery log filters, shared by the endpoint page and the API: by endpoint, state and event type."""

from __future__ import annotations

import django_filters
from django.utils.translation import gettext_lazy as _

from aihq.core.db import MAX_ID
from aihq.webhooks.models import EVENT_TYPES, Delivery, DeliveryState


class DeliveryFilterSet(django_filters.FilterSet):
    endpoint = django_filters.NumberFilter(
        field_name="endpoint_id", label=_("Endpoint"), min_value=1, max_value=MAX_ID, decimal_places=0
    )
    state = django_filters.ChoiceFilter(choices=DeliveryState.choices, label=_("State"))
    event_type = django_filters.ChoiceFilter(choices=EVENT_TYPES, label=_("Event type"))

    class Meta:
        model = Delivery
        fields: list[str] = []
