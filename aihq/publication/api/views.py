"""Publication API: ask for publication, approve, send back, withdraw, the published versions, the profile.

The public register itself needs no API token: its open data lives at /register/register.json and
/register/records/<id>.json.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from aihq.core.api import etag, expected_version
from aihq.publication import selectors, services
from aihq.publication.api.serializers import (
    PublicationApprovalSerializer,
    PublicationDecisionSerializer,
    PublicationProfileSerializer,
    PublicationSerializer,
    PublicationTextsSerializer,
    PublicationWithdrawSerializer,
    PublishedVersionSerializer,
)
from aihq.publication.models import PublicationProfile, PublicationRecord
from aihq.registry.api.views import ScopedViewSetMixin


class PublicationViewSet(
    ScopedViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,  # type: ignore[type-arg]
):
    """Publication records of the use cases you can see. POST asks for publication (or republication) of a use
    case; coordinators and HQ admins approve or send back; editors and approvers withdraw. Filter with
    ``request_state`` (requested, rejected) and ``published`` (true, false)."""

    if_match_actions = frozenset({"create", "texts", "approve", "send_back", "withdraw"})

    serializer_class = PublicationSerializer
    queryset = PublicationRecord.objects.none()

    def get_queryset(self) -> QuerySet[PublicationRecord]:
        records = selectors.records(self.request.user).order_by("-updated_at", "-pk")
        state = self.request.query_params.get("request_state")
        if state in ("requested", "rejected"):
            records = records.filter(request_state=state)
        published = self.request.query_params.get("published")
        if published in ("true", "false"):
            records = records.filter(current__isnull=published == "false")
        return records

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        response = super().retrieve(request, *args, **kwargs)
        response["ETag"] = etag(response.data["version"])
        return response

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        version, precondition = expected_version(request, data)
        record = services.request_publication(
            actor=request.user,
            use_case=data.pop("use_case"),
            note=data.pop("note", ""),
            expected_version=version,
            precondition=precondition,
            **data,
        )
        return Response(self.get_serializer(record).data, status=status.HTTP_201_CREATED)

    def _act(self, request: Request, serializer_class: Any, run: Any) -> Response:
        record = self.get_object()
        serializer = serializer_class(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        version, precondition = expected_version(request, data)
        run(record, data, version, precondition)
        # not through the scoped list: the action may have taken the record out of it
        record = PublicationRecord.objects.select_related("use_case", "organisation", "current").get(pk=record.pk)
        response = Response(self.get_serializer(record).data)
        response["ETag"] = etag(record.version)
        return response

    @extend_schema(request=PublicationTextsSerializer, responses={200: PublicationSerializer})
    @action(detail=True, methods=["post"], url_path="texts")
    def texts(self, request: Request, pk: str | None = None) -> Response:
        """Change the public texts (contact, human oversight, data used); published with the next version."""
        return self._act(
            request,
            PublicationTextsSerializer,
            lambda record, data, version, pre: services.update_texts(
                actor=request.user, record=record, expected_version=version, precondition=pre, **data
            ),
        )

    @extend_schema(request=PublicationApprovalSerializer, responses={200: PublicationSerializer})
    @action(detail=True, methods=["post"])
    def approve(self, request: Request, pk: str | None = None) -> Response:
        """Publish the use case as it is now (coordinators of its organisation and HQ admins)."""
        return self._act(
            request,
            PublicationApprovalSerializer,
            lambda record, data, version, pre: services.approve(
                actor=request.user,
                record=record,
                note=data.get("note", ""),
                expected_version=version,
                precondition=pre,
                use_case_version=data.get("use_case_version"),
            ),
        )

    @extend_schema(request=PublicationDecisionSerializer, responses={200: PublicationSerializer})
    @action(detail=True, methods=["post"], url_path="send-back")
    def send_back(self, request: Request, pk: str | None = None) -> Response:
        """Refuse a pending request, with a note saying why."""
        return self._act(
            request,
            PublicationDecisionSerializer,
            lambda record, data, version, pre: services.send_back(
                actor=request.user, record=record, note=data.get("note", ""), expected_version=version, precondition=pre
            ),
        )

    @extend_schema(request=PublicationWithdrawSerializer, responses={200: PublicationSerializer})
    @action(detail=True, methods=["post"])
    def withdraw(self, request: Request, pk: str | None = None) -> Response:
        """Take the record off the public register (its history stays), or cancel a pending request."""
        return self._act(
            request,
            PublicationWithdrawSerializer,
            lambda record, data, version, pre: services.withdraw(
                actor=request.user,
                record=record,
                reason=data.get("reason", ""),
                expected_version=version,
                precondition=pre,
            ),
        )

    @extend_schema(responses={200: PublishedVersionSerializer(many=True)})
    @action(detail=True, methods=["get"], pagination_class=None)  # every version, not a page
    def versions(self, request: Request, pk: str | None = None) -> Response:
        """Every published version, newest first, with what the public sees of it."""
        record = self.get_object()
        context = {**self.get_serializer_context(), "profile": PublicationProfile.current()}
        return Response(PublishedVersionSerializer(record.versions.all(), many=True, context=context).data)


class PublicationProfileView(APIView):
    """The public register's profile: open or closed, the public fields, titles, publisher and licence."""

    if_match_actions = frozenset({"patch"})

    @extend_schema(responses={200: PublicationProfileSerializer})
    def get(self, request: Request) -> Response:
        return Response(PublicationProfileSerializer(PublicationProfile.current()).data)

    @extend_schema(request=PublicationProfileSerializer, responses={200: PublicationProfileSerializer})
    def patch(self, request: Request) -> Response:
        serializer = PublicationProfileSerializer(PublicationProfile.current(), data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        version, precondition = expected_version(request, data)
        saved = services.profile_update(actor=request.user, expected_version=version, precondition=precondition, **data)
        return Response(PublicationProfileSerializer(saved).data)
