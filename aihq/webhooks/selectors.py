"""Reads for webhooks, scoped by the user: HQ admins and auditors see endpoints and their delivery log."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, OuterRef, Q, QuerySet, Subquery

from aihq.webhooks.models import Delivery, DeliveryState, Endpoint


def endpoints(user: Any) -> QuerySet[Endpoint]:
    """The endpoints a user may see, with what their pages show beside them."""
    rows: QuerySet[Endpoint] = Endpoint.objects.restrict(user).select_related("organisation", "created_by")
    return rows


def endpoint_list(user: Any) -> QuerySet[Endpoint]:
    """Endpoints with their delivery counts by state and their latest delivery's state, status and time."""
    latest = Delivery.objects.filter(endpoint=OuterRef("pk")).order_by("-created_at", "-pk")
    annotated: QuerySet[Endpoint] = endpoints(user).annotate(
        delivery_count=Count("deliveries"),
        failed_count=Count("deliveries", filter=Q(deliveries__state=DeliveryState.FAILED)),
        retrying_count=Count("deliveries", filter=Q(deliveries__state=DeliveryState.RETRYING)),
        pending_count=Count("deliveries", filter=Q(deliveries__state=DeliveryState.PENDING)),
        last_state=Subquery(latest.values("state")[:1]),
        last_status_code=Subquery(latest.values("last_status_code")[:1]),
        last_delivery_at=Subquery(latest.values("created_at")[:1]),
    )
    return annotated


def delivery_list(user: Any) -> QuerySet[Delivery]:
    """Deliveries newest first, without their bodies (the detail reads those)."""
    return (
        Delivery.objects.restrict(user)
        .select_related("endpoint", "event", "requested_by")
        .defer("body", "endpoint__secret", "event__payload")
        .order_by("-created_at", "-pk")
    )


def delivery_detail(user: Any) -> QuerySet[Delivery]:
    """Deliveries with their bodies and every attempt."""
    return (
        Delivery.objects.restrict(user)
        .select_related("endpoint", "event", "requested_by")
        .prefetch_related("attempt_log")
        .order_by("-created_at", "-pk")
    )
