"""Registry API: thin views over selectors (reads) and services (writes)."""

from __future__ import annotations

from typing import Any

from django.db.models import Model, QuerySet
from django.http import HttpResponse
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.permissions import SAFE_METHODS
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.serializers import BaseSerializer

from aihq.accounts.permissions import can_change
from aihq.core.api import VersionedMixin, expected_version
from aihq.exchange.formats import FORMAT_NAMES
from aihq.registry import selectors, services
from aihq.registry.api.serializers import (
    LIST_COLUMNS,
    OrganisationSerializer,
    RegionSerializer,
    RollupSerializer,
    SectorSerializer,
    UseCaseSerializer,
    use_case_rows,
)
from aihq.registry.filtersets import OrganisationFilterSet, RegionFilterSet, SectorFilterSet, UseCaseFilterSet
from aihq.registry.models import Organisation, Region, Sector, UseCase


class ScopedViewSetMixin:
    """Objects outside the user's view scope are 404; visible but not writable ones are 403 on writes."""

    def check_object_permissions(self, request: Request, obj: Any) -> None:
        super().check_object_permissions(request, obj)  # type: ignore[misc]
        if request.method not in SAFE_METHODS and not can_change(request.user, obj):
            self.permission_denied(request, message="You can read this record but not change it.")  # type: ignore[attr-defined]


class UseCaseViewSet(ScopedViewSetMixin, VersionedMixin, viewsets.ModelViewSet):  # type: ignore[type-arg]
    """AI use cases. Filter with organisation (+include_children), region, sector, stage, q, updated_since."""

    if_match_actions = VersionedMixin.if_match_actions | {"destroy"}

    serializer_class = UseCaseSerializer
    filterset_class = UseCaseFilterSet
    queryset = UseCase.objects.none()

    def get_queryset(self) -> QuerySet[UseCase]:
        return selectors.use_case_list(self.request.user)

    @extend_schema(
        parameters=[OpenApiParameter("format", str, enum=list(FORMAT_NAMES), description="File format (default csv).")],
        responses={
            # The format chooses the content type: omb-2024, omb-2025 and csv are CSV files.
            (200, "text/csv"): OpenApiTypes.BINARY,
            (200, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"): OpenApiTypes.BINARY,
            (200, "application/json"): {"type": "array", "items": {"type": "object", "additionalProperties": True}},
        },
    )
    @action(detail=False, methods=["get"], url_path="export")
    def export(self, request: Request) -> HttpResponse:
        """The use cases the filters select, as a file: omb-2024, omb-2025, csv, xlsx or json."""
        from aihq.exchange.views import export_response

        format_name = request.query_params.get("format", "csv")
        if format_name not in FORMAT_NAMES:
            raise ValidationError({"format": [_("Use one of: %(formats)s.") % {"formats": ", ".join(FORMAT_NAMES)}]})
        return export_response(self.filter_queryset(self.get_queryset()), format_name)

    @extend_schema(
        parameters=[OpenApiParameter("by", str, enum=list(selectors.ROLLUPS), required=True)],
        responses={200: RollupSerializer},
    )
    @action(detail=False, methods=["get"], pagination_class=None)
    def rollup(self, request: Request) -> Response:
        """Use cases counted by stage, sector, region or organisation (their own, not rolled up the tree),
        largest first, over the ones the list's filters select."""
        by = request.query_params.get("by", "")
        if by not in selectors.ROLLUPS:
            raise ValidationError({"by": [_("Use one of: %(values)s.") % {"values": ", ".join(selectors.ROLLUPS)}]})
        filtered = set(request.query_params) - {"by"}
        selected = self.filter_queryset(self.get_queryset()) if filtered else None
        rows = selectors.use_case_rollup(request.user, by, selected)
        return Response({"by": by, "rows": rows})

    def perform_create(self, serializer: BaseSerializer[UseCase]) -> None:
        data = dict(serializer.validated_data)
        data.pop("version", None)
        serializer.instance = services.use_case_create(actor=self.request.user, **data)

    def perform_update(self, serializer: BaseSerializer[UseCase]) -> None:
        assert serializer.instance is not None
        serializer.instance = services.use_case_update(
            actor=self.request.user, use_case=serializer.instance, **self.versioned(serializer.validated_data)
        )

    def perform_destroy(self, instance: UseCase) -> None:
        version, precondition = expected_version(self.request, dict(self.request.query_params.items()))
        services.use_case_delete(
            actor=self.request.user, use_case=instance, expected_version=version, precondition=precondition
        )

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """A page read as values, not model instances, and written by the serializer's own fields: the same JSON
        as the serializer gives (a test compares them), without building 150 objects a page."""
        queryset = self.filter_queryset(self.get_queryset()).prefetch_related(None)
        page = self.paginate_queryset(queryset.values(*LIST_COLUMNS))
        rows = use_case_rows(page or [])
        return self.get_paginated_response(rows)


class OrganisationViewSet(ScopedViewSetMixin, viewsets.ModelViewSet):  # type: ignore[type-arg]
    """Organisations (a tree through ``parent``), by code. HQ admins create, change and delete them."""

    serializer_class = OrganisationSerializer
    filterset_class = OrganisationFilterSet
    lookup_field = "code"
    lookup_value_regex = "[^/]+"
    queryset = Organisation.objects.none()

    def get_queryset(self) -> QuerySet[Organisation]:
        return selectors.organisation_list(self.request.user)

    def perform_create(self, serializer: BaseSerializer[Organisation]) -> None:
        serializer.instance = services.organisation_create(actor=self.request.user, **serializer.validated_data)

    def perform_update(self, serializer: BaseSerializer[Organisation]) -> None:
        assert serializer.instance is not None
        serializer.instance = services.organisation_update(
            actor=self.request.user, organisation=serializer.instance, **serializer.validated_data
        )

    def perform_destroy(self, instance: Organisation) -> None:
        services.organisation_delete(actor=self.request.user, organisation=instance)


def _keep_code(code: str, data: dict[str, Any]) -> dict[str, Any]:
    """Codes are natural keys other records refer to: they cannot be changed through an update."""
    if data.get("code", code) != code:
        raise ValidationError({"code": [_("A code cannot be changed; create a new record instead.")]})
    return {**data, "code": code}


class _ReferenceViewSet(ScopedViewSetMixin, viewsets.ModelViewSet):  # type: ignore[type-arg]
    lookup_field = "code"
    lookup_value_regex = "[^/]+"
    model: type[Model]

    def get_queryset(self) -> QuerySet[Any]:
        return self.model.objects.restrict(self.request.user, "view")  # type: ignore[attr-defined,no-any-return]


class RegionViewSet(_ReferenceViewSet):
    """Regions by ISO 3166-2 code; readable by every signed-in user, written by HQ admins."""

    serializer_class = RegionSerializer
    filterset_class = RegionFilterSet
    queryset = Region.objects.none()
    model = Region

    def perform_create(self, serializer: BaseSerializer[Region]) -> None:
        serializer.instance = services.region_save(actor=self.request.user, **serializer.validated_data)

    def perform_update(self, serializer: BaseSerializer[Region]) -> None:
        assert serializer.instance is not None
        data = _keep_code(serializer.instance.code, serializer.validated_data)
        serializer.instance = services.region_save(actor=self.request.user, **data)

    def perform_destroy(self, instance: Region) -> None:
        services.region_delete(actor=self.request.user, region=instance)


class SectorViewSet(_ReferenceViewSet):
    """Sectors by code; readable by every signed-in user, written by HQ admins."""

    serializer_class = SectorSerializer
    filterset_class = SectorFilterSet
    queryset = Sector.objects.none()
    model = Sector

    def perform_create(self, serializer: BaseSerializer[Sector]) -> None:
        serializer.instance = services.sector_save(actor=self.request.user, **serializer.validated_data)

    def perform_update(self, serializer: BaseSerializer[Sector]) -> None:
        assert serializer.instance is not None
        current = serializer.instance
        data = _keep_code(
            current.code, {"name_en": current.name_en, "name_ru": current.name_ru, **serializer.validated_data}
        )
        serializer.instance = services.sector_save(actor=self.request.user, **data)

    def perform_destroy(self, instance: Sector) -> None:
        services.sector_delete(actor=self.request.user, sector=instance)
