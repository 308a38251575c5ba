"""Regulation API: frameworks (HQ admins load versions), classifications, requirements with evidence,
risks, incidents with their reporting deadlines, the public incident library, compliance roll-ups."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import QuerySet
from django.http import HttpResponse
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.serializers import BaseSerializer

from aihq.core.api import VersionedMixin, etag, expected_version
from aihq.core.parsers import JSONParser
from aihq.registry.api.views import ScopedViewSetMixin
from aihq.regulation import selectors, services
from aihq.regulation.api.serializers import (
    ClassificationRevisionSerializer,
    ClassificationSerializer,
    EvidenceSerializer,
    FrameworkDetailSerializer,
    FrameworkLoadSerializer,
    FrameworkSerializer,
    IncidentMoveSerializer,
    IncidentSerializer,
    PublicIncidentSerializer,
    RequirementSerializer,
    RiskSerializer,
)
from aihq.regulation.filtersets import (
    ClassificationFilterSet,
    IncidentFilterSet,
    PublicIncidentFilterSet,
    RequirementFilterSet,
    RiskFilterSet,
)
from aihq.regulation.models import (
    Classification,
    Evidence,
    Framework,
    Incident,
    PublicIncident,
    RequirementStatus,
    Risk,
)


class FrameworkViewSet(viewsets.ReadOnlyModelViewSet):  # type: ignore[type-arg]
    """Framework versions (all signed-in users read them). HQ admins POST a new version; ``make-current``
    chooses the version new classifications use. Filter with ``code`` and ``current``."""

    queryset = Framework.objects.none()

    def get_queryset(self) -> QuerySet[Framework]:
        queryset = Framework.objects.restrict(self.request.user).order_by("code", "-created_at")
        if code := self.request.query_params.get("code", "").strip():
            queryset = queryset.filter(code=code)
        if self.request.query_params.get("current", "").lower() in ("1", "true", "yes"):
            queryset = queryset.filter(is_current=True)
        return queryset if self.action == "retrieve" else queryset.defer("definition")

    def get_serializer_class(self) -> type[BaseSerializer[Any]]:
        return FrameworkDetailSerializer if self.action == "retrieve" else FrameworkSerializer

    @extend_schema(request=FrameworkLoadSerializer, responses={201: FrameworkDetailSerializer})
    def create(self, request: Request) -> Response:
        """Load a framework version (HQ admins only); the same content again is a no-op."""
        serializer = FrameworkLoadSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        framework = services.framework_load(
            actor=request.user, data=data["definition"], make_current=data["make_current"]
        )
        return Response(FrameworkDetailSerializer(framework).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses={200: FrameworkSerializer})
    @action(detail=True, methods=["post"], url_path="make-current")
    def make_current(self, request: Request, pk: str | None = None) -> Response:
        framework = services.framework_make_current(actor=request.user, framework=self.get_object())
        return Response(FrameworkSerializer(framework).data)


class ClassificationViewSet(
    ScopedViewSetMixin,
    VersionedMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,  # type: ignore[type-arg]
):
    """A use case's classification under a framework. POST (use_case, framework, answers) classifies or
    re-classifies; PUT/PATCH changes the answers. ``revisions`` lists the history."""

    if_match_actions = VersionedMixin.if_match_actions | {"create"}

    serializer_class = ClassificationSerializer
    filterset_class = ClassificationFilterSet
    queryset = Classification.objects.none()

    def get_queryset(self) -> QuerySet[Classification]:
        return selectors.classifications(self.request.user).select_related("classified_by")

    def perform_create(self, serializer: BaseSerializer[Classification]) -> None:
        data = dict(serializer.validated_data)
        version, precondition = expected_version(self.request, data)
        serializer.instance = services.classify_use_case(
            actor=self.request.user,
            use_case=data["use_case"],
            framework_code=data["framework_code"],
            answers=data["answers"],
            expected_version=version,
            precondition=precondition,
        )

    def perform_update(self, serializer: BaseSerializer[Classification]) -> None:
        assert serializer.instance is not None
        data = self.versioned(serializer.validated_data)
        serializer.instance = services.classify_use_case(
            actor=self.request.user,
            use_case=serializer.instance.use_case,
            framework_code=serializer.instance.framework_code,
            answers=data.get("answers", serializer.instance.answers),
            expected_version=data["expected_version"],
            precondition=data["precondition"],
        )

    @extend_schema(responses={200: ClassificationRevisionSerializer(many=True)})
    @action(detail=True, methods=["get"], pagination_class=None)  # the whole history, not a page
    def revisions(self, request: Request, pk: str | None = None) -> Response:
        classification = self.get_object()
        rows = classification.revisions.select_related("framework", "classified_by")
        return Response(ClassificationRevisionSerializer(rows, many=True).data)


class RequirementViewSet(
    ScopedViewSetMixin,
    VersionedMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,  # type: ignore[type-arg]
):
    """Requirement statuses (created by classification). Update status, justification, owner, due date, note.
    Filter with organisation, use_case, framework, status, overdue. ``summary`` rolls compliance up."""

    serializer_class = RequirementSerializer
    filterset_class = RequirementFilterSet
    queryset = RequirementStatus.objects.none()

    def get_queryset(self) -> QuerySet[RequirementStatus]:
        return selectors.requirements(self.request.user).order_by("use_case_id", "framework_code", "id")

    def perform_update(self, serializer: BaseSerializer[RequirementStatus]) -> None:
        assert serializer.instance is not None
        serializer.instance = services.requirement_update(
            actor=self.request.user, requirement=serializer.instance, **self.versioned(serializer.validated_data)
        )

    @extend_schema(
        parameters=[
            OpenApiParameter("by", str, enum=["organisation", "framework", "use_case"], description="What to group by.")
        ],
        responses={200: OpenApiTypes.OBJECT},
    )
    @action(detail=False, methods=["get"])
    def summary(self, request: Request) -> Response:
        """Compliance of the filtered, applicable mandatory requirements: closed / total, by group."""
        keys = {
            "organisation": "use_case__organisation__code",
            "framework": "framework_code",
            "use_case": "use_case_id",
        }
        by = request.query_params.get("by", "organisation")
        if by not in keys:
            raise ValidationError({"by": [_("Use organisation, framework or use_case.")]})
        queryset = self.filter_queryset(self.get_queryset())
        groups = selectors.compliance_by(queryset, keys[by], dt.date.today())
        total = selectors.compliance_by(queryset, None, dt.date.today()).get(None, selectors.Compliance())
        return Response(
            {
                "by": by,
                "total": total.as_dict(),
                "results": [
                    {by: key, **value.as_dict()} for key, value in sorted(groups.items(), key=lambda i: str(i[0]))
                ],
            }
        )


class EvidenceViewSet(
    ScopedViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,  # type: ignore[type-arg]
):
    """Evidence for requirements: POST multipart (requirement, title, file) or JSON (requirement, title, url).
    ``download`` returns the file to those who may see the use case. Filter with ``requirement``."""

    serializer_class = EvidenceSerializer
    parser_classes = [JSONParser, MultiPartParser, FormParser]
    queryset = Evidence.objects.none()

    def get_queryset(self) -> QuerySet[Evidence]:
        queryset = Evidence.objects.restrict(self.request.user).select_related("added_by", "requirement__use_case")
        if text := self.request.query_params.get("requirement", "").strip():
            if not (text.isascii() and text.isdecimal() and int(text) < 2**63):
                raise ValidationError({"requirement": [_("Give a requirement id.")]})
            queryset = queryset.filter(requirement_id=int(text))
        return queryset if self.action == "download" else queryset.defer("content")

    def perform_create(self, serializer: BaseSerializer[Evidence]) -> None:
        data = serializer.validated_data
        upload = data.get("file")
        serializer.instance = services.evidence_add(
            actor=self.request.user,
            requirement=data["requirement"],
            title=data.get("title", ""),
            url=data.get("url", ""),
            filename=getattr(upload, "name", ""),
            content=upload.read() if upload is not None else None,
        )

    def perform_destroy(self, instance: Evidence) -> None:
        services.evidence_remove(actor=self.request.user, evidence=instance)

    @extend_schema(responses={(200, "application/octet-stream"): OpenApiTypes.BINARY})
    @action(detail=True, methods=["get"])
    def download(self, request: Request, pk: str | None = None) -> HttpResponse:
        evidence = self.get_object()
        if evidence.kind != "file":
            raise ValidationError({"kind": [_("This evidence is a link, not a file.")]})
        return evidence_file_response(evidence)


def evidence_file_response(evidence: Evidence) -> HttpResponse:
    """The stored file, always as a download (never rendered inline, whatever its type)."""
    from django.utils.http import content_disposition_header

    response = HttpResponse(
        bytes(evidence.content or b""), content_type=evidence.content_type or "application/octet-stream"
    )
    response["Content-Disposition"] = content_disposition_header(True, evidence.filename or "evidence") or "attachment"
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


class RiskViewSet(ScopedViewSetMixin, VersionedMixin, viewsets.ModelViewSet):  # type: ignore[type-arg]
    """The risk register: risks per use case with an MIT domain, likelihood × severity before and after
    mitigation. Filter with organisation, use_case, category (a domain includes its subdomains), status,
    min_score. ``heatmap`` counts open risks on the 5×5 grid."""

    serializer_class = RiskSerializer
    filterset_class = RiskFilterSet
    queryset = Risk.objects.none()

    def get_queryset(self) -> QuerySet[Risk]:
        return selectors.risks(self.request.user)

    def perform_create(self, serializer: BaseSerializer[Risk]) -> None:
        data = dict(serializer.validated_data)
        data.pop("version", None)
        serializer.instance = services.risk_create(actor=self.request.user, **data)

    def perform_update(self, serializer: BaseSerializer[Risk]) -> None:
        assert serializer.instance is not None
        data = self.versioned(serializer.validated_data)
        data.pop("use_case", None)
        serializer.instance = services.risk_update(actor=self.request.user, risk=serializer.instance, **data)

    def perform_destroy(self, instance: Risk) -> None:
        services.risk_delete(actor=self.request.user, risk=instance)

    @extend_schema(
        parameters=[OpenApiParameter("residual", bool, description="Rate by residual likelihood and severity.")],
        responses={200: OpenApiTypes.OBJECT},
    )
    @action(detail=False, methods=["get"])
    def heatmap(self, request: Request) -> Response:
        """Rows are likelihood 5 → 1, columns severity 1 → 5; closed risks are left out."""
        residual = request.query_params.get("residual", "").lower() in ("1", "true", "yes")
        grid = selectors.heatmap(self.filter_queryset(self.get_queryset()), residual=residual)
        return Response(
            {"residual": residual, "likelihood": [5, 4, 3, 2, 1], "severity": [1, 2, 3, 4, 5], "grid": grid}
        )


class IncidentViewSet(ScopedViewSetMixin, VersionedMixin, viewsets.ModelViewSet):  # type: ignore[type-arg]
    """The incident register. ``move`` changes the status (open → investigating → mitigated → closed; back
    needs a note). Each incident carries its reporting deadline where a framework sets one."""

    if_match_actions = VersionedMixin.if_match_actions | {"move"}

    serializer_class = IncidentSerializer
    filterset_class = IncidentFilterSet
    queryset = Incident.objects.none()

    def get_queryset(self) -> QuerySet[Incident]:
        return selectors.incidents(self.request.user).prefetch_related("risks", "transitions__moved_by")

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        items = list(page if page is not None else [])
        context = self.get_serializer_context()
        context["deadlines"] = selectors.deadlines_for(items, dt.date.today())
        data = IncidentSerializer(items, many=True, context=context).data
        return self.get_paginated_response(data)

    def perform_create(self, serializer: BaseSerializer[Incident]) -> None:
        data = dict(serializer.validated_data)
        data.pop("version", None)
        serializer.instance = services.incident_create(actor=self.request.user, **data)

    def perform_update(self, serializer: BaseSerializer[Incident]) -> None:
        assert serializer.instance is not None
        data = self.versioned(serializer.validated_data)
        data.pop("use_case", None)
        serializer.instance = services.incident_update(actor=self.request.user, incident=serializer.instance, **data)

    def perform_destroy(self, instance: Incident) -> None:
        services.incident_delete(actor=self.request.user, incident=instance)

    @extend_schema(request=IncidentMoveSerializer, responses={200: IncidentSerializer})
    @action(detail=True, methods=["post"])
    def move(self, request: Request, pk: str | None = None) -> Response:
        incident = self.get_object()
        serializer = IncidentMoveSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        version, precondition = expected_version(request, data)
        moved = services.incident_move(
            actor=request.user,
            incident=incident,
            to_status=data["status"],
            note=data["note"],
            expected_version=version,
            precondition=precondition,
        )
        response = Response(self.get_serializer(moved).data)
        response["ETag"] = etag(moved.version)
        return response


class PublicIncidentViewSet(viewsets.ReadOnlyModelViewSet):  # type: ignore[type-arg]
    """The public AI incident library (AI Incident Database, CC BY-SA 4.0). Filter with q, domain, deployer,
    developer, year."""

    serializer_class = PublicIncidentSerializer
    filterset_class = PublicIncidentFilterSet
    queryset = PublicIncident.objects.none()

    def get_queryset(self) -> QuerySet[PublicIncident]:
        return selectors.public_incidents(self.request.user)
