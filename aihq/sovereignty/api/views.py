"""Sovereignty API: suppliers, components, AI-BOMs (CycloneDX in and out), agreements, cut-off scenarios, the
dashboard's measures and the settings."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import QuerySet
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.parsers import MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.serializers import BaseSerializer
from rest_framework.views import APIView

from aihq.core.api import VersionedMixin, expected_version
from aihq.core.parsers import JSONParser
from aihq.core.uploads import check_upload
from aihq.registry.api.views import ScopedViewSetMixin
from aihq.registry.models import UseCase
from aihq.sovereignty import selectors, services
from aihq.sovereignty.api.serializers import (
    AgreementSerializer,
    AibomImportSerializer,
    BomEntrySerializer,
    ComponentSerializer,
    CutoffScenarioSerializer,
    SettingsSerializer,
    SupplierSerializer,
)
from aihq.sovereignty.filtersets import BomEntryFilterSet, ComponentFilterSet, SupplierFilterSet
from aihq.sovereignty.models import Agreement, BomEntry, Component, CutoffScenario, Supplier


class _ServiceViewSet(ScopedViewSetMixin, VersionedMixin, viewsets.ModelViewSet):  # type: ignore[type-arg]
    """CRUD through the app's services (``create``, ``update``, ``delete`` named by ``noun``)."""

    noun = ""

    def perform_create(self, serializer: BaseSerializer[Any]) -> None:
        data = dict(serializer.validated_data)
        data.pop("version", None)
        serializer.instance = getattr(services, f"{self.noun}_create")(actor=self.request.user, **data)

    def perform_update(self, serializer: BaseSerializer[Any]) -> None:
        serializer.instance = getattr(services, f"{self.noun}_update")(
            actor=self.request.user, **{self.noun: serializer.instance}, **self.versioned(serializer.validated_data)
        )

    def perform_destroy(self, instance: Any) -> None:
        getattr(services, f"{self.noun}_delete")(actor=self.request.user, **{self.noun: instance})


class SupplierViewSet(_ServiceViewSet):
    """Suppliers with their jurisdiction. Editors add them; HQ admins change and delete them."""

    serializer_class = SupplierSerializer
    filterset_class = SupplierFilterSet
    queryset = Supplier.objects.none()
    noun = "supplier"

    def get_queryset(self) -> QuerySet[Supplier]:
        return selectors.suppliers(self.request.user)


class ComponentViewSet(_ServiceViewSet):
    """Models, datasets, frameworks, clouds, hardware and API services. Filter with type, jurisdiction, supplier,
    hosting, q."""

    serializer_class = ComponentSerializer
    filterset_class = ComponentFilterSet
    queryset = Component.objects.none()
    noun = "component"

    def get_queryset(self) -> QuerySet[Component]:
        return selectors.components(self.request.user)


class BomEntryViewSet(
    ScopedViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,  # type: ignore[type-arg]
):
    """AI-BOM entries: which component a use case uses, in which role, how critical (POST adds or changes)."""

    serializer_class = BomEntrySerializer
    filterset_class = BomEntryFilterSet
    queryset = BomEntry.objects.none()

    def get_queryset(self) -> QuerySet[BomEntry]:
        return selectors.bom_entries(self.request.user)

    def perform_create(self, serializer: BaseSerializer[BomEntry]) -> None:
        data = dict(serializer.validated_data)
        serializer.instance = services.bom_add(
            actor=self.request.user, use_case=data.pop("use_case"), component=data.pop("component"), **data
        )

    def perform_destroy(self, instance: BomEntry) -> None:
        services.bom_remove(actor=self.request.user, entry=instance)


class AgreementViewSet(_ServiceViewSet):
    """Partnership agreements (HQ admins write) with the organisations, use cases and suppliers they cover."""

    serializer_class = AgreementSerializer
    queryset = Agreement.objects.none()
    noun = "agreement"

    def get_queryset(self) -> QuerySet[Agreement]:
        return selectors.agreements(self.request.user).prefetch_related("organisations", "use_cases", "suppliers")


class CutoffScenarioViewSet(_ServiceViewSet):
    """Cut-off scenarios (HQ admins write). ``results`` lists what breaks, within what you may see."""

    serializer_class = CutoffScenarioSerializer
    queryset = CutoffScenario.objects.none()
    noun = "scenario"

    def get_queryset(self) -> QuerySet[CutoffScenario]:
        return selectors.scenarios(self.request.user).prefetch_related("suppliers", "components")

    @extend_schema(responses={200: OpenApiTypes.OBJECT})
    @action(detail=True, methods=["get"])
    def results(self, request: Request, pk: str | None = None) -> Response:
        result = selectors.scenario_result(request.user, self.get_object())
        return Response(scenario_result_dict(result))


def scenario_result_dict(result: selectors.ScenarioResult) -> dict[str, Any]:
    return {
        "breaks": result.breaks,
        "degraded": result.degraded,
        "by_organisation": result.by_organisation,
        "by_sector": result.by_sector,
        "by_region": result.by_region,
        "indicators": [{"indicator": i.code, "use_cases": n} for i, n in result.indicators],
        "use_cases": [
            {
                "id": a.use_case.pk,
                "name": a.use_case.name,
                "organisation": a.use_case.organisation.code,
                "breaks": a.impact.breaks,
                "all_have_alternatives": a.impact.all_have_alternatives,
                "indicators": [i.code for i in a.indicators],
                "hit": [
                    {
                        "component": hit.component_id,
                        "name": str(a.components[hit.component_id]) if hit.component_id in a.components else "",
                        "criticality": hit.criticality,
                        "reason": hit.reason,
                        "has_alternative": hit.has_alternative,
                        "switch_cost": getattr(a.components.get(hit.component_id), "switch_cost", ""),
                    }
                    for hit in a.impact.hit
                ],
            }
            for a in result.affected
        ],
    }


class AibomView(APIView):
    """A use case's AI-BOM as CycloneDX 1.6 JSON: GET exports it (valid against the shipped schema), POST
    imports one (a file or the JSON body; ``dry_run`` checks only): all or nothing, problems by component."""

    parser_classes = [JSONParser, MultiPartParser]

    def _use_case(self, request: Request, pk: int, action: str) -> UseCase:
        from aihq.accounts.permissions import get_object_for_user

        use_case: UseCase = get_object_for_user(UseCase.objects.all(), request.user, pk, action)  # type: ignore[arg-type]
        return use_case

    @extend_schema(responses={200: OpenApiTypes.OBJECT})
    def get(self, request: Request, pk: int) -> Response:
        document = services.export_aibom(self._use_case(request, pk, "view"))
        response = Response(document)
        response["Content-Disposition"] = f'attachment; filename="aibom-use-case-{pk}.cdx.json"'
        return response

    @extend_schema(
        request={"application/json": OpenApiTypes.OBJECT, "multipart/form-data": AibomImportSerializer},
        parameters=[OpenApiParameter("dry_run", bool, description="Check only, save nothing.")],
        responses={200: OpenApiTypes.OBJECT, 400: OpenApiTypes.OBJECT},
    )
    def post(self, request: Request, pk: int) -> Response:
        use_case = self._use_case(request, pk, "change")
        body = request.data if isinstance(request.data, Mapping) else {}
        dry_run = str(request.query_params.get("dry_run") or body.get("dry_run", "")).lower() in ("1", "true")
        upload = request.FILES.get("file") if hasattr(request, "FILES") else None
        if upload is not None:
            try:
                check_upload(upload, max_bytes=services.AIBOM_MAX_BYTES, extensions=services.AIBOM_FILE_TYPES)
            except DjangoValidationError as exc:
                raise ValidationError({"file": exc.messages}) from None
            content: Any = upload.read()
        elif "bomFormat" in body:
            content = dict(body)
        else:
            raise ValidationError({"file": [_("Send a CycloneDX JSON file, or the document as the body.")]})
        try:
            outcome = services.import_aibom(actor=request.user, use_case=use_case, content=content, dry_run=dry_run)
        except services.AibomErrors as exc:
            return Response(
                {"detail": str(exc), "errors": {"rows": [p.as_dict() for p in exc.problems]}},
                status=status.HTTP_400_BAD_REQUEST,
            )
        return Response(outcome.as_dict())


class SovereigntySummaryView(APIView):
    """The dashboard's measures: foreign-dependency shares by type, organisation, sector and region;
    concentration (HHI) by supplier, jurisdiction and model family; the lowest-scoring critical use cases."""

    @extend_schema(responses={200: OpenApiTypes.OBJECT})
    def get(self, request: Request) -> Response:
        board = selectors.dashboard(request.user, dt.date.today())

        def shares(groups: dict[str, Any]) -> dict[str, Any]:
            return {key: share_dict(value) for key, value in groups.items()}

        return Response(
            {
                "home_country": board.home,
                "use_cases": board.use_cases,
                "foreign_dependency": share_dict(board.overall) if board.overall else None,
                "by_type": shares(board.by_type),
                "by_organisation": shares(board.by_organisation),
                "by_sector": shares(board.by_sector),
                "by_region": shares(board.by_region),
                "concentration": {
                    name: concentration_dict(value)
                    for name, value in (
                        ("supplier", board.by_supplier),
                        ("jurisdiction", board.by_jurisdiction),
                        ("model_family", board.by_family),
                    )
                },
                "lowest_scores": [
                    {"use_case": u.pk, "name": u.name, "score": round(s.value or 0, 1), "capped_by": s.capped_by}
                    for u, s in board.lowest
                ],
            }
        )


def share_dict(share: Any) -> dict[str, Any]:
    return {"total": share.total, "foreign": share.foreign, "share": share.share}


def concentration_dict(value: Any) -> dict[str, Any]:
    return {
        "hhi": round(value.hhi, 1),
        "effective": None if value.effective is None else round(value.effective, 2),
        "level": value.level,
        "shares": [{"key": k, "share": round(s, 2)} for k, s in value.shares],
    }


class SettingsView(APIView):
    """The home country and the weights of the sovereignty score (HQ admins change them)."""

    if_match_actions = frozenset({"patch"})

    @extend_schema(responses={200: SettingsSerializer})
    def get(self, request: Request) -> Response:
        return Response(SettingsSerializer(selectors.settings()).data)

    @extend_schema(request=SettingsSerializer, responses={200: SettingsSerializer})
    def patch(self, request: Request) -> Response:
        serializer = SettingsSerializer(selectors.settings(), data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        version, precondition = expected_version(request, data)
        saved = services.settings_update(
            actor=request.user, expected_version=version, precondition=precondition, **data
        )
        return Response(SettingsSerializer(saved).data)
