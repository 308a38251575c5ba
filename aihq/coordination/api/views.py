"""Coordination API: a use case's similar use cases, the duplicate pairs with their verdicts, verdicts."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from aihq.accounts.permissions import get_object_for_user, scope_for
from aihq.coordination import selectors, services
from aihq.coordination.api.serializers import DuplicatePairSerializer, PairDecisionSerializer, SimilarUseCaseSerializer
from aihq.coordination.models import PairDecision
from aihq.core.api import Pagination, expected_version
from aihq.registry.models import UseCase


class SimilarUseCasesView(APIView):
    """The use cases of other organisations most like this one that you may see (top 10), with the words and
    AI-BOM components they share."""

    @extend_schema(
        parameters=[OpenApiParameter("limit", OpenApiTypes.INT, description="How many (1–50, default 10).")],
        responses={200: SimilarUseCaseSerializer(many=True)},
    )
    def get(self, request: Request, pk: int) -> Response:
        use_case = get_object_for_user(UseCase.objects.select_related("organisation"), request.user, pk)
        try:
            limit = min(max(int(request.query_params.get("limit", 10)), 1), 50)
        except ValueError:
            raise ValidationError({"limit": ["A whole number from 1 to 50."]}) from None
        found = selectors.similar_use_cases(request.user, use_case, limit)
        return Response(SimilarUseCaseSerializer(found, many=True).data)


class DuplicatesView(APIView):
    """Pairs of use cases of different organisations found similar (both of which you may see), best first, with
    their verdicts. Filters: ``min_score``, ``organisation`` (code), ``open`` (true: undecided or texts changed)."""

    pagination_class = Pagination  # the schema shows the page, as the answer is

    @extend_schema(
        parameters=[
            OpenApiParameter("min_score", OpenApiTypes.FLOAT),
            OpenApiParameter("organisation", OpenApiTypes.STR),
            OpenApiParameter("open", OpenApiTypes.BOOL),
        ],
        responses={200: DuplicatePairSerializer(many=True)},
    )
    def get(self, request: Request) -> Response:
        rows = selectors.pairs(request.user)
        try:
            if request.query_params.get("min_score"):
                rows = rows.filter(score__gte=float(request.query_params["min_score"]))
        except ValueError:
            raise ValidationError({"min_score": ["A number from 0 to 1."]}) from None
        code = request.query_params.get("organisation")
        if code:
            rows = rows.filter(Q(use_case_a__organisation__code=code) | Q(use_case_b__organisation__code=code))
        if request.query_params.get("open") == "true":
            rows = selectors.unsettled(rows)
        reviews = selectors.reviews(list(rows.order_by("-score", "pk")[:5000]))
        paginator = self.pagination_class()
        page: Any = paginator.paginate_queryset(reviews, request, view=self)  # type: ignore[arg-type]
        return paginator.get_paginated_response(DuplicatePairSerializer(page, many=True).data)


class PairDecisionViewSet(mixins.ListModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet):  # type: ignore[type-arg]
    """Verdicts on pairs: ``POST {use_case_a, use_case_b, verdict, note, version}`` records or changes one (HQ
    admins, or a coordinator of both organisations); audited."""

    if_match_actions = frozenset({"create"})

    serializer_class = PairDecisionSerializer
    queryset = PairDecision.objects.none()

    def get_queryset(self) -> QuerySet[PairDecision]:
        decisions = PairDecision.objects.select_related("decided_by").order_by("-updated_at", "pk")
        scope = scope_for(self.request.user)
        if scope.sees_everything:
            return decisions
        return decisions.filter(
            use_case_a__organisation_id__in=scope.view_org_ids, use_case_b__organisation_id__in=scope.view_org_ids
        )

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        version, precondition = expected_version(request, data)
        decision = services.decide(
            actor=request.user,
            use_case_a=data["use_case_a"],
            use_case_b=data["use_case_b"],
            verdict=data["verdict"],
            note=data.get("note", ""),
            expected_version=version,
            precondition=precondition,
        )
        return Response(self.get_serializer(decision).data, status=status.HTTP_201_CREATED)
