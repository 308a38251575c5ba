"""Webhooks API: HQ admins register endpoints (the secret is in the answer to create and rotate-secret only),
send a test ping, read the delivery log and queue a delivery again; auditors read; everyone else gets 403."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import SAFE_METHODS, BasePermission, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.serializers import BaseSerializer

from aihq.accounts.permissions import scope_for
from aihq.core.api import VersionedMixin, etag, expected_version
from aihq.registry.api.views import ScopedViewSetMixin
from aihq.webhooks import delivery, selectors, services
from aihq.webhooks.api.serializers import (
    DeliveryDetailSerializer,
    DeliverySerializer,
    EndpointSecretSerializer,
    EndpointSerializer,
    VersionSerializer,
)
from aihq.webhooks.filtersets import DeliveryFilterSet
from aihq.webhooks.models import Delivery, Endpoint


class WebhookAccess(BasePermission):
    """HQ admins read and write, auditors read; everyone else is refused before anything is looked up."""

    def has_permission(self, request: Request, view: Any) -> bool:
        scope = scope_for(request.user)
        return scope.sees_everything if request.method in SAFE_METHODS else scope.is_hq_admin


class EndpointViewSet(ScopedViewSetMixin, VersionedMixin, viewsets.ModelViewSet):  # type: ignore[type-arg]
    """Webhook endpoints: where events of the chosen types are POSTed, signed with the endpoint's secret
    (``X-AIHQ-Signature: sha256=<hex HMAC-SHA256 of "<X-AIHQ-Timestamp>." + body>``). The secret is returned by
    create and ``rotate-secret`` only. Updates and deletes take ``version`` or ``If-Match``."""

    if_match_actions = VersionedMixin.if_match_actions | {"destroy", "rotate_secret"}

    serializer_class = EndpointSerializer
    queryset = Endpoint.objects.none()
    permission_classes = [IsAuthenticated, WebhookAccess]

    def get_queryset(self) -> QuerySet[Endpoint]:
        return selectors.endpoint_list(self.request.user).order_by("name", "pk")

    def _answer(self, endpoint: Endpoint, serializer_class: Any = EndpointSerializer, **kwargs: Any) -> Response:
        fresh = self.get_queryset().get(pk=endpoint.pk)
        response = Response(serializer_class(fresh, context=self.get_serializer_context()).data, **kwargs)
        response["ETag"] = etag(fresh.version)
        return response

    @extend_schema(responses={201: EndpointSecretSerializer})
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        data.pop("version", None)
        endpoint, _secret = services.endpoint_create(actor=request.user, **data)
        return self._answer(endpoint, EndpointSecretSerializer, status=status.HTTP_201_CREATED)

    def perform_update(self, serializer: BaseSerializer[Endpoint]) -> None:
        assert serializer.instance is not None
        saved = services.endpoint_update(
            actor=self.request.user, endpoint=serializer.instance, **self.versioned(serializer.validated_data)
        )
        serializer.instance = self.get_queryset().get(pk=saved.pk)

    @extend_schema(parameters=[OpenApiParameter("version", int, description="The version you are deleting.")])
    def destroy(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().destroy(request, *args, **kwargs)

    def perform_destroy(self, instance: Endpoint) -> None:
        version, precondition = expected_version(self.request, dict(self.request.query_params.items()))
        services.endpoint_delete(
            actor=self.request.user, endpoint=instance, expected_version=version, precondition=precondition
        )

    @extend_schema(request=VersionSerializer, responses={200: EndpointSecretSerializer})
    @action(detail=True, methods=["post"], url_path="rotate-secret")
    def rotate_secret(self, request: Request, pk: str | None = None) -> Response:
        """A new signing secret, returned this once; the old one stops working at once."""
        endpoint = self.get_object()
        body = request.data if hasattr(request.data, "get") else {}
        version, precondition = expected_version(request, {"version": body.get("version")})
        rotated, _secret = services.endpoint_rotate_secret(
            actor=request.user, endpoint=endpoint, expected_version=version, precondition=precondition
        )
        return self._answer(rotated, EndpointSecretSerializer)

    @extend_schema(request=None, responses={201: DeliveryDetailSerializer})
    @action(detail=True, methods=["post"])
    def test(self, request: Request, pk: str | None = None) -> Response:
        """Send a test ping now (event type ``ping``) and answer with its delivery: state, status, attempts."""
        endpoint = self.get_object()
        queued = services.send_test(actor=request.user, endpoint=endpoint)
        delivery.deliver_now(queued)
        sent = selectors.delivery_detail(request.user).get(pk=queued.pk)
        return Response(DeliveryDetailSerializer(sent).data, status=status.HTTP_201_CREATED)


class DeliveryViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):  # type: ignore[type-arg]
    """The delivery log, newest first: one row per event and endpoint (and per test ping), its state
    (pending, retrying, succeeded, failed), attempts, last HTTP status and error. The detail adds the exact JSON
    body and every attempt. Filter with ``endpoint``, ``state`` and ``event_type``; ``redeliver`` queues one
    again (HQ admins)."""

    serializer_class = DeliverySerializer
    filterset_class = DeliveryFilterSet
    queryset = Delivery.objects.none()
    permission_classes = [IsAuthenticated, WebhookAccess]
    ordering_fields = ["created_at", "next_attempt_at", "state"]

    def get_queryset(self) -> QuerySet[Delivery]:
        if self.action == "list":
            return selectors.delivery_list(self.request.user)
        return selectors.delivery_detail(self.request.user)

    def get_serializer_class(self) -> Any:
        return DeliverySerializer if self.action == "list" else DeliveryDetailSerializer

    @extend_schema(request=None, responses={200: DeliveryDetailSerializer})
    @action(detail=True, methods=["post"])
    def redeliver(self, request: Request, pk: str | None = None) -> Response:
        """Queue the delivery again, due at once: same body and delivery id, a fresh round of attempts."""
        queued = services.redeliver(actor=request.user, delivery=self.get_object())
        fresh = self.get_queryset().get(pk=queued.pk)
        return Response(DeliveryDetailSerializer(fresh).data)
