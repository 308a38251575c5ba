"""Compute and power API: sites, compute profiles, exogenous loads, scenarios and their runs."""

from __future__ import annotations

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.serializers import BaseSerializer

from aihq.core.api import VersionedMixin
from aihq.energy import selectors, services
from aihq.energy.api.serializers import (
    ComputeProfileSerializer,
    ComputeSiteSerializer,
    ExogenousLoadSerializer,
    ScenarioRunSerializer,
    ScenarioSerializer,
)
from aihq.energy.models import ComputeProfile, ComputeSite, ExogenousLoad, Scenario, ScenarioRun
from aihq.registry.api.views import ScopedViewSetMixin


class ComputeSiteViewSet(ScopedViewSetMixin, VersionedMixin, viewsets.ModelViewSet):  # type: ignore[type-arg]
    """Data centres and clusters; editors of the operator register them."""

    serializer_class = ComputeSiteSerializer
    queryset = ComputeSite.objects.none()
    filterset_fields = ["status", "region__code", "operator__code"]

    def get_queryset(self) -> QuerySet[ComputeSite]:
        return selectors.site_list(self.request.user)

    def perform_create(self, serializer: BaseSerializer[ComputeSite]) -> None:
        data = dict(serializer.validated_data)
        data.pop("version", None)
        serializer.instance = services.site_create(actor=self.request.user, **data)

    def perform_update(self, serializer: BaseSerializer[ComputeSite]) -> None:
        assert serializer.instance is not None
        serializer.instance = services.site_update(
            actor=self.request.user, site=serializer.instance, **self.versioned(serializer.validated_data)
        )

    def perform_destroy(self, instance: ComputeSite) -> None:
        services.site_delete(actor=self.request.user, site=instance)


class ComputeProfileViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,  # type: ignore[type-arg]
):
    """Use cases' compute needs. POST sets (creates or replaces) the profile of a use case you may edit."""

    serializer_class = ComputeProfileSerializer
    queryset = ComputeProfile.objects.none()

    def get_queryset(self) -> QuerySet[ComputeProfile]:
        return ComputeProfile.objects.restrict(self.request.user, "view").select_related("use_case", "host_region")

    def perform_create(self, serializer: BaseSerializer[ComputeProfile]) -> None:
        data = dict(serializer.validated_data)
        serializer.instance = services.profile_set(actor=self.request.user, **data)


class ExogenousLoadViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,  # type: ignore[type-arg]
):
    """Loads that share the grid (crypto mining, other data centres) by region and year; HQ admins set them."""

    serializer_class = ExogenousLoadSerializer
    queryset = ExogenousLoad.objects.none()
    filterset_fields = ["year", "kind", "region__code"]

    def get_queryset(self) -> QuerySet[ExogenousLoad]:
        return ExogenousLoad.objects.restrict(self.request.user, "view").select_related("region")

    def perform_create(self, serializer: BaseSerializer[ExogenousLoad]) -> None:
        serializer.instance = services.load_save(actor=self.request.user, **serializer.validated_data)


class ScenarioViewSet(ScopedViewSetMixin, VersionedMixin, viewsets.ModelViewSet):  # type: ignore[type-arg]
    """Planning scenarios; HQ admins write them and run them (``run``), everyone reads."""

    serializer_class = ScenarioSerializer
    queryset = Scenario.objects.none()

    def get_queryset(self) -> QuerySet[Scenario]:
        return selectors.scenario_list(self.request.user)

    def perform_create(self, serializer: BaseSerializer[Scenario]) -> None:
        data = dict(serializer.validated_data)
        data.pop("version", None)
        serializer.instance = services.scenario_create(actor=self.request.user, **data)

    def perform_update(self, serializer: BaseSerializer[Scenario]) -> None:
        assert serializer.instance is not None
        serializer.instance = services.scenario_update(
            actor=self.request.user, scenario=serializer.instance, **self.versioned(serializer.validated_data)
        )

    @extend_schema(request=None, responses={201: ScenarioRunSerializer})
    @action(detail=True, methods=["post"])
    def run(self, request: Request, pk: str | None = None) -> Response:
        """Run the scenario's Monte Carlo now (HQ admins); 201 with the run and its percentiles."""
        scenario = self.get_object()
        run = services.scenario_run(actor=request.user, scenario=scenario)
        return Response(ScenarioRunSerializer(run).data, status=status.HTTP_201_CREATED)


class ScenarioRunViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):  # type: ignore[type-arg]
    """Scenario runs with their inputs and P10 / P50 / P90 results."""

    serializer_class = ScenarioRunSerializer
    queryset = ScenarioRun.objects.none()
    filterset_fields = ["scenario__code"]

    def get_queryset(self) -> QuerySet[ScenarioRun]:
        return selectors.run_list(self.request.user)
