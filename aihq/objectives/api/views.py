"""Objectives API: CRUD, measurements (one, many, or a file), status, league tables, RAG overrides."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Prefetch, QuerySet
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.generics import get_object_or_404
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.serializers import BaseSerializer

from aihq.core.api import VersionedMixin
from aihq.core.parsers import JSONParser
from aihq.exchange.readers import FileProblem, read_table
from aihq.objectives import rows, selectors, services
from aihq.objectives.api.serializers import (
    ContributionSerializer,
    IndicatorSerializer,
    MeasurementSerializer,
    MeasurementUploadSerializer,
    ObjectiveSerializer,
    RagOverrideSerializer,
)
from aihq.objectives.filtersets import IndicatorFilterSet, MeasurementFilterSet, ObjectiveFilterSet
from aihq.objectives.models import Contribution, Indicator, Measurement, Objective, Target
from aihq.registry.api.views import ScopedViewSetMixin
from aihq.registry.models import Organisation, Region

AT_PARAMETER = OpenApiParameter("at", OpenApiTypes.DATE, description="The day to assess (default: today).")


def parse_at(request: Request) -> dt.date:
    text = request.query_params.get("at", "").strip()
    if not text:
        return dt.date.today()
    try:
        day = dt.date.fromisoformat(text)
    except ValueError:
        raise ValidationError({"at": [_("Give the date as YYYY-MM-DD.")]}) from None
    if not selectors.EARLIEST <= day <= selectors.LATEST:
        raise ValidationError({"at": [_("Give a date between 1900 and 2200.")]})
    return day


class ObjectiveViewSet(ScopedViewSetMixin, VersionedMixin, viewsets.ModelViewSet):  # type: ignore[type-arg]
    """Objectives: read by every signed-in user, set by HQ admins. ``league`` ranks regions or organisations."""

    serializer_class = ObjectiveSerializer
    filterset_class = ObjectiveFilterSet
    queryset = Objective.objects.none()

    def get_queryset(self) -> QuerySet[Objective]:
        return selectors.objective_list(self.request.user).prefetch_related("indicators")

    def perform_create(self, serializer: BaseSerializer[Objective]) -> None:
        data = dict(serializer.validated_data)
        data.pop("version", None)
        serializer.instance = services.objective_create(actor=self.request.user, **data)

    def perform_update(self, serializer: BaseSerializer[Objective]) -> None:
        assert serializer.instance is not None
        serializer.instance = services.objective_update(
            actor=self.request.user, objective=serializer.instance, **self.versioned(serializer.validated_data)
        )

    def perform_destroy(self, instance: Objective) -> None:
        services.objective_delete(actor=self.request.user, objective=instance)

    @extend_schema(
        parameters=[
            AT_PARAMETER,
            OpenApiParameter("by", str, enum=["region", "organisation"], description="Rank regions or organisations."),
        ],
        responses={200: OpenApiTypes.OBJECT},
    )
    @action(detail=True, methods=["get"])
    def league(self, request: Request, pk: str | None = None) -> Response:
        """Regions or organisations ranked by mean achievement over the objective's indicators."""
        objective = self.get_object()
        return _league_response(request, list(selectors.indicator_list(request.user).filter(objective=objective)))


def _league_response(request: Request, indicators: list[Indicator]) -> Response:
    by = request.query_params.get("by", "region")
    if by not in ("region", "organisation"):
        raise ValidationError({"by": [_("Use region or organisation.")]})
    at = parse_at(request)
    table = selectors.league(request.user, at, by, indicators)  # type: ignore[arg-type]
    codes = {indicator.pk: indicator.code for indicator in indicators}
    return Response(
        {
            "at": at.isoformat(),
            "by": by,
            "indicators": list(codes.values()),
            "results": [
                {
                    "rank": row.rank,
                    "code": row.code,
                    "name": row.label,
                    "achievement": row.achievement,
                    "worst_rag": row.worst_rag,
                    "by_indicator": {codes[pk]: value for pk, value in row.by_indicator.items()},
                }
                for row in table
            ],
        }
    )


class IndicatorViewSet(ScopedViewSetMixin, VersionedMixin, viewsets.ModelViewSet):  # type: ignore[type-arg]
    """Indicators with their targets; ``status`` and ``league`` assess them, ``rag-override`` rates by judgement."""

    serializer_class = IndicatorSerializer
    filterset_class = IndicatorFilterSet
    queryset = Indicator.objects.none()

    def get_queryset(self) -> QuerySet[Indicator]:
        # Targets with their region in one query, run whether or not any target has a region.
        targets = Prefetch("targets", queryset=Target.objects.select_related("region"))
        return selectors.indicator_list(self.request.user).prefetch_related(targets, "reporting_organisations")

    def perform_create(self, serializer: BaseSerializer[Indicator]) -> None:
        data = serializer.service_kwargs()  # type: ignore[attr-defined]
        data.pop("version", None)
        serializer.instance = services.indicator_create(actor=self.request.user, **data)

    def perform_update(self, serializer: BaseSerializer[Indicator]) -> None:
        data = serializer.service_kwargs()  # type: ignore[attr-defined]
        assert serializer.instance is not None
        serializer.instance = services.indicator_update(
            actor=self.request.user, indicator=serializer.instance, **self.versioned(data)
        )

    def perform_destroy(self, instance: Indicator) -> None:
        services.indicator_delete(actor=self.request.user, indicator=instance)

    @extend_schema(
        parameters=[
            AT_PARAMETER,
            OpenApiParameter("region", str, description="ISO 3166-2 code: the region's status."),
            OpenApiParameter("organisation", str, description="Organisation code: the organisation's status."),
            OpenApiParameter("last_k", int, description="Forecast from the last k measurements only."),
        ],
        responses={200: OpenApiTypes.OBJECT},
    )
    @action(detail=True, methods=["get"])
    def status(self, request: Request, pk: str | None = None) -> Response:
        """planned, actual, achievement, gap, forecast {at, value, low, high}, probability, rag, rag_override."""
        indicator = self.get_object()
        region = organisation = None
        if code := request.query_params.get("region", "").strip():
            region = Region.objects.filter(code__iexact=code).first()
            if region is None:
                raise ValidationError({"region": [_("No region has this ISO 3166-2 code.")]})
        if code := request.query_params.get("organisation", "").strip():
            organisation = Organisation.objects.restrict(request.user, "view").filter(code__iexact=code).first()
            if organisation is None:
                raise ValidationError({"organisation": [_("No organisation has this code.")]})
        last_k = None
        if text := request.query_params.get("last_k", "").strip():
            if not (text.isascii() and text.isdecimal()) or int(text) < 3:
                raise ValidationError({"last_k": [_("Give a whole number of at least 3.")]})
            last_k = int(text)
        rated = selectors.indicator_status(
            indicator, request.user, parse_at(request), region=region, organisation=organisation, last_k=last_k
        )
        body = {"indicator": indicator.code, "region": getattr(region, "code", None)}
        body["organisation"] = getattr(organisation, "code", None)
        return Response({**body, **selectors.status_dict(rated)})

    @extend_schema(
        parameters=[AT_PARAMETER, OpenApiParameter("by", str, enum=["region", "organisation"])],
        responses={200: OpenApiTypes.OBJECT},
    )
    @action(detail=True, methods=["get"])
    def league(self, request: Request, pk: str | None = None) -> Response:
        """Regions or organisations ranked by achievement on this indicator."""
        return _league_response(request, [self.get_object()])

    @extend_schema(
        request=RagOverrideSerializer,
        parameters=[OpenApiParameter("region", str, description="On DELETE: the region whose override to clear.")],
        responses={200: OpenApiTypes.OBJECT, 204: None},
    )
    @action(detail=True, methods=["post", "delete"], url_path="rag-override")
    def rag_override(self, request: Request, pk: str | None = None) -> Response:
        """Set (POST rating, reason, region) or clear (DELETE ?region=) a judged rating."""
        # Coordinators of the responsible organisation may rate an indicator they cannot edit: the service decides.
        indicator = get_object_or_404(self.get_queryset(), pk=pk)
        if request.method == "DELETE":
            region = None
            if code := request.query_params.get("region", "").strip():
                region = get_object_or_404(Region, code__iexact=code)
            services.rag_override_clear(actor=request.user, indicator=indicator, region=region)
            return Response(status=status.HTTP_204_NO_CONTENT)
        serializer = RagOverrideSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        override = services.rag_override_set(actor=request.user, indicator=indicator, **serializer.validated_data)
        return Response(
            {"rating": override.rating, "reason": override.reason, "region": getattr(override.region, "code", None)}
        )


def _rows_error(exc: services.RowErrors) -> Response:
    return Response(
        {"detail": str(exc), "errors": {"rows": [problem.as_dict() for problem in exc.problems]}},
        status=status.HTTP_400_BAD_REQUEST,
    )


def _report(request: Request, items: list[services.MeasurementInput], problems: list[Any]) -> Response:
    if problems:
        return _rows_error(services.RowErrors(problems))
    if not items:
        raise ValidationError({"non_field_errors": [_("Nothing to report.")]})
    try:
        outcome = services.measurements_report(actor=request.user, items=items)
    except services.RowErrors as exc:
        return _rows_error(exc)
    return Response(
        {
            "created": len(outcome.created),
            "updated": len(outcome.updated),
            "unchanged": len(outcome.unchanged),
            "ids": [m.pk for m in outcome.created + outcome.updated + outcome.unchanged],
        },
        status=status.HTTP_201_CREATED,
    )


class MeasurementViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,  # type: ignore[type-arg]
):
    """Reported values. POST one object or a list (all or nothing; a period already reported is replaced);
    POST a file to ``upload``. Editors report for their organisation, HQ admins national and regional statistics."""

    serializer_class = MeasurementSerializer
    filterset_class = MeasurementFilterSet
    queryset = Measurement.objects.none()
    parser_classes = [JSONParser, MultiPartParser, FormParser]

    def get_queryset(self) -> QuerySet[Measurement]:
        return selectors.measurement_list(self.request.user)

    @extend_schema(request=OpenApiTypes.OBJECT, responses={201: OpenApiTypes.OBJECT})
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """One measurement {indicator, period_end, value, region?, organisation?, weight?, source?, note?} or a list."""
        body = request.data
        many = isinstance(body, list)
        records: list[Any] = list(body) if many else [body]
        if not records or not all(isinstance(record, dict) for record in records):
            raise ValidationError({"non_field_errors": [_("Send an object or a list of objects.")]})
        if len(records) > 10_000:
            raise ValidationError({"non_field_errors": [_("Send at most 10,000 values at once, or upload a file.")]})
        items, problems = rows.parse_rows(enumerate(records, start=1), request.user)
        return _report(request, items, problems)

    @extend_schema(request={"multipart/form-data": MeasurementUploadSerializer}, responses={201: OpenApiTypes.OBJECT})
    @action(detail=False, methods=["post"], parser_classes=[MultiPartParser, FormParser])
    def upload(self, request: Request) -> Response:
        """A CSV, XLSX or JSON file of measurements; a row-level report of errors, and nothing saved, if any."""
        serializer = MeasurementUploadSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        upload = serializer.validated_data["file"]
        try:
            table = read_table(data=upload.read(), name=upload.name, encoding=serializer.validated_data.get("encoding"))
            records = list(table.rows)
        except FileProblem as exc:
            raise ValidationError({"file": [str(exc)]}) from None
        items, problems = rows.parse_rows(records, request.user)
        return _report(request, items, problems)

    def perform_destroy(self, instance: Measurement) -> None:
        services.measurement_delete(actor=self.request.user, measurement=instance)


class ContributionViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,  # type: ignore[type-arg]
):
    """The delivery chain: which use cases contribute to which indicators."""

    serializer_class = ContributionSerializer
    queryset = Contribution.objects.none()
    filterset_fields = ["indicator__code", "use_case"]

    def get_queryset(self) -> QuerySet[Contribution]:
        return Contribution.objects.restrict(self.request.user, "view").select_related("indicator", "use_case")

    def perform_create(self, serializer: BaseSerializer[Contribution]) -> None:
        serializer.instance = services.contribution_add(actor=self.request.user, **serializer.validated_data)

    def perform_destroy(self, instance: Contribution) -> None:
        services.contribution_remove(actor=self.request.user, contribution=instance)
