"""Notifications API: your own notifications (filter, mark read) and how you want to be told about each kind."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from aihq.notifications import selectors, services
from aihq.notifications.api.serializers import (
    NotificationSerializer,
    PreferencesSerializer,
    ReadAllResultSerializer,
    ReadAllSerializer,
)
from aihq.notifications.kinds import DEFAULT_DELIVERY, Kind
from aihq.notifications.models import Notification

TRUE, FALSE = ("true", "1", "yes"), ("false", "0", "no")


@extend_schema_view(
    list=extend_schema(
        parameters=[
            OpenApiParameter("unread", bool, description="true: only unread ones; false: only read ones."),
            OpenApiParameter("kind", str, enum=Kind.values, description="Only this kind."),
        ]
    )
)
class NotificationViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):  # type: ignore[type-arg]
    """Your notifications, newest first (only your own, whatever your role). Filter with ``unread`` and ``kind``;
    ``read`` marks one read, ``read-all`` all of them (or those of one ``kind``) and answers how many."""

    serializer_class = NotificationSerializer
    queryset = Notification.objects.none()

    def get_queryset(self) -> QuerySet[Notification]:
        notifications = selectors.own_notifications(self.request.user)
        if self.action != "list":
            return notifications
        params = self.request.query_params
        kind = params.get("kind", "")
        if kind and kind not in Kind.values:
            raise ValidationError({"kind": [services.unknown_kind_message(kind)]})
        unread: bool | None = None
        value = params.get("unread", "").strip().lower()
        if value in TRUE:
            unread = True
        elif value in FALSE:
            unread = False
        elif value:
            raise ValidationError({"unread": [_("Use true or false.")]})
        return selectors.filtered(notifications, kind=kind, unread=unread)

    @extend_schema(request=None, responses={200: NotificationSerializer})
    @action(detail=True, methods=["post"])
    def read(self, request: Request, pk: str | None = None) -> Response:
        """Mark one of your notifications read (reading it again keeps the first time)."""
        notification = services.mark_read(actor=request.user, notification=self.get_object())
        return Response(NotificationSerializer(notification).data)

    @extend_schema(request=ReadAllSerializer, responses={200: ReadAllResultSerializer})
    @action(detail=False, methods=["post"], url_path="read-all")
    def read_all(self, request: Request) -> Response:
        """Mark all your unread notifications read (only those of ``kind``, when given); answers how many."""
        serializer = ReadAllSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        count = services.mark_all_read(actor=request.user, kind=serializer.validated_data.get("kind"))
        return Response({"count": count})


class NotificationPreferencesView(APIView):
    """How you want to be told: the language of your e-mails ("" for the site's default) and, for every kind of
    notification, ``immediate`` (an e-mail at once), ``digest`` (in the daily e-mail) or ``off``. PATCH changes the
    kinds it gives; PUT sets every kind, those it leaves out back to their default."""

    def _answer(self, request: Request) -> Response:
        user: Any = request.user
        return Response(
            PreferencesSerializer({"language": user.language, "deliveries": selectors.deliveries(user)}).data
        )

    @extend_schema(responses={200: PreferencesSerializer})
    def get(self, request: Request) -> Response:
        return self._answer(request)

    def _save(self, request: Request, *, partial: bool) -> Response:
        serializer = PreferencesSerializer(data=request.data, partial=partial)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        deliveries = dict(data.get("deliveries", {}))
        if not partial:
            deliveries = {**DEFAULT_DELIVERY, **deliveries}
        user: Any = request.user
        services.preferences_update(actor=user, user=user, deliveries=deliveries, language=data.get("language"))
        return self._answer(request)

    @extend_schema(request=PreferencesSerializer, responses={200: PreferencesSerializer})
    def put(self, request: Request) -> Response:
        return self._save(request, partial=False)

    @extend_schema(request=PreferencesSerializer(partial=True), responses={200: PreferencesSerializer})
    def patch(self, request: Request) -> Response:
        return self._save(request, partial=True)
