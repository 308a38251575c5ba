"""Evaluation API: benefit metrics and measurements, costs, stage-gate reviews (request, decide, conditions), a use
case's cost–benefit figures, the ranked portfolio with what-if weights, and the HQ's evaluation settings."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.serializers import BaseSerializer
from rest_framework.views import APIView

from aihq.core.api import VersionedMixin, etag, expected_version
from aihq.evaluation import engine, selectors, services
from aihq.evaluation.api.serializers import (
    BenefitMeasurementSerializer,
    BenefitMetricSerializer,
    ConditionMetSerializer,
    CostLineSerializer,
    EvaluationSettingsSerializer,
    GateConditionSerializer,
    GateDecisionSerializer,
    GateReviewSerializer,
)
from aihq.evaluation.models import BenefitMeasurement, BenefitMetric, CostLine, GateCondition, GateReview
from aihq.registry.api.views import ScopedViewSetMixin
from aihq.registry.selectors import organisation_list, organisation_subtree_ids, use_case_list


class _UseCaseFilter:
    """``?use_case=<id>`` narrows a list to one use case."""

    use_case_lookup = "use_case"

    def narrow(self, queryset: QuerySet[Any]) -> QuerySet[Any]:
        value = self.request.query_params.get("use_case", "")  # type: ignore[attr-defined]
        if value:
            if not value.isdigit():
                raise ValidationError({"use_case": [_("Give a use case id.")]})
            queryset = queryset.filter(**{self.use_case_lookup: int(value)})
        return queryset


class BenefitMetricViewSet(_UseCaseFilter, ScopedViewSetMixin, VersionedMixin, viewsets.ModelViewSet):  # type: ignore[type-arg]
    """What each use case promises to improve: metric, unit, direction, baseline, target and (optionally) the money
    value of one unit of improvement a year, with the measurements taken. Filter with ``use_case``."""

    serializer_class = BenefitMetricSerializer
    queryset = BenefitMetric.objects.none()

    def get_queryset(self) -> QuerySet[BenefitMetric]:
        return self.narrow(selectors.metrics(self.request.user).prefetch_related("measurements__reported_by")).order_by(
            "pk"
        )

    def perform_create(self, serializer: BaseSerializer[BenefitMetric]) -> None:
        data = dict(serializer.validated_data)
        data.pop("version", None)
        serializer.instance = services.metric_create(actor=self.request.user, **data)

    def perform_update(self, serializer: BaseSerializer[BenefitMetric]) -> None:
        assert serializer.instance is not None
        data = self.versioned(serializer.validated_data)
        data.pop("use_case", None)
        serializer.instance = services.metric_update(actor=self.request.user, metric=serializer.instance, **data)

    def perform_destroy(self, instance: BenefitMetric) -> None:
        services.metric_delete(actor=self.request.user, metric=instance)


class BenefitMeasurementViewSet(
    _UseCaseFilter,
    ScopedViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,  # type: ignore[type-arg]
):
    """What a metric measured, when, from which source, with what evidence. Filter with ``use_case``."""

    serializer_class = BenefitMeasurementSerializer
    queryset = BenefitMeasurement.objects.none()
    use_case_lookup = "metric__use_case"

    def get_queryset(self) -> QuerySet[BenefitMeasurement]:
        return self.narrow(selectors.measurements(self.request.user)).order_by("metric", "measured_on", "pk")

    def perform_create(self, serializer: BaseSerializer[BenefitMeasurement]) -> None:
        serializer.instance = services.measurement_add(actor=self.request.user, **serializer.validated_data)

    def perform_destroy(self, instance: BenefitMeasurement) -> None:
        services.measurement_delete(actor=self.request.user, measurement=instance)


class CostLineViewSet(_UseCaseFilter, ScopedViewSetMixin, VersionedMixin, viewsets.ModelViewSet):  # type: ignore[type-arg]
    """Costs per use case, year, category (development, licences, compute, staff, infrastructure, other) and kind
    (capital, operating): planned and actual, in one currency. Filter with ``use_case``."""

    serializer_class = CostLineSerializer
    queryset = CostLine.objects.none()

    def get_queryset(self) -> QuerySet[CostLine]:
        return self.narrow(selectors.costs(self.request.user)).order_by("use_case", "year", "category", "kind")

    def perform_create(self, serializer: BaseSerializer[CostLine]) -> None:
        data = dict(serializer.validated_data)
        data.pop("version", None)
        serializer.instance = services.cost_create(actor=self.request.user, **data)

    def perform_update(self, serializer: BaseSerializer[CostLine]) -> None:
        assert serializer.instance is not None
        data = self.versioned(serializer.validated_data)
        data.pop("use_case", None)
        serializer.instance = services.cost_update(actor=self.request.user, cost=serializer.instance, **data)

    def perform_destroy(self, instance: CostLine) -> None:
        services.cost_delete(actor=self.request.user, cost=instance)


class GateReviewViewSet(
    _UseCaseFilter,
    ScopedViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,  # type: ignore[type-arg]
):
    """Stage-gate reviews. POST asks for one (``kind`` stage with ``to_stage``, or scale with ``regions``);
    ``decide`` records go / go_with_conditions / hold / stop with the checklist, conditions and reviewers
    (coordinators of the organisation or HQ admins, never the person who asked). A gated stage change (entering
    production, by default) is refused until a go decision exists. Filter with ``use_case`` and ``decision``."""

    if_match_actions = frozenset({"decide"})

    serializer_class = GateReviewSerializer
    queryset = GateReview.objects.none()

    def get_queryset(self) -> QuerySet[GateReview]:
        reviews = self.narrow(selectors.reviews(self.request.user))
        decision = self.request.query_params.get("decision", "")
        if decision:
            reviews = reviews.filter(decision=decision)
        return reviews.order_by("-created_at", "-pk")

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        response = super().retrieve(request, *args, **kwargs)
        response["ETag"] = etag(response.data["version"])
        return response

    def perform_create(self, serializer: BaseSerializer[GateReview]) -> None:
        data = dict(serializer.validated_data)
        data.pop("version", None)
        serializer.instance = services.review_request(
            actor=self.request.user,
            use_case=data["use_case"],
            kind=data.get("kind", "stage"),
            to_stage=data.get("to_stage", ""),
            regions=data.get("regions", []),
            justification=data.get("justification", ""),
        )

    @extend_schema(request=GateDecisionSerializer, responses={200: GateReviewSerializer})
    @action(detail=True, methods=["post"])
    def decide(self, request: Request, pk: str | None = None) -> Response:
        review = self.get_object()
        serializer = GateDecisionSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        version, precondition = expected_version(request, data)
        names = set(data.get("reviewers", []))
        people = list(selectors.reviewer_choices(review.use_case).filter(username__in=names))
        if len(people) != len(names):
            raise ValidationError(
                {"reviewers": [_("Reviewers are members of the organisation (or one above it) or HQ admins.")]}
            )
        decided = services.review_decide(
            actor=request.user,
            review=review,
            decision=data["decision"],
            rationale=data.get("rationale", ""),
            criteria=data.get("criteria", {}),
            conditions=[(c["text"], c["due_date"]) for c in data.get("conditions", [])],
            reviewers=people,
            expected_version=version,
            precondition=precondition,
        )
        decided = selectors.reviews(request.user).get(pk=decided.pk)
        return Response(GateReviewSerializer(decided, context=self.get_serializer_context()).data)

    def check_object_permissions(self, request: Request, obj: Any) -> None:
        # Deciding is for approvers, who may not be editors: the service checks who may decide.
        if self.action == "decide":
            return
        super().check_object_permissions(request, obj)


class GateConditionViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):  # type: ignore[type-arg]
    """Conditions set by go-with-conditions decisions; ``?overdue=true`` lists those past due and not met;
    ``met`` marks one met (or, with ``{"met": false}``, not met again)."""

    serializer_class = GateConditionSerializer
    queryset = GateCondition.objects.none()

    def get_queryset(self) -> QuerySet[GateCondition]:
        if self.request.query_params.get("overdue") in ("1", "true"):
            return selectors.overdue_conditions(self.request.user)
        return selectors.conditions(self.request.user).order_by("due_date", "pk")

    @extend_schema(request=ConditionMetSerializer, responses={200: GateConditionSerializer})
    @action(detail=True, methods=["post"])
    def met(self, request: Request, pk: str | None = None) -> Response:
        condition = self.get_object()
        serializer = ConditionMetSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        saved = services.condition_met(actor=request.user, condition=condition, met=serializer.validated_data["met"])
        return Response(GateConditionSerializer(saved).data)


def _appraisal(appraisal: engine.Appraisal) -> dict[str, Any]:
    return asdict(appraisal)


class UseCaseEvaluationView(APIView):
    """A use case's cost–benefit figures: plan and delivered to date (NPV, BCR, ROI, payback, IRR, cost per unit),
    the flows by year, each metric's promised and delivered improvement, and the plan's sensitivity. A figure
    AIHQ cannot work out is null, with the reasons in ``missing``."""

    @extend_schema(responses={200: OpenApiTypes.OBJECT})
    def get(self, request: Request, pk: int) -> Response:
        use_case = get_object_or_404(use_case_list(request.user), pk=pk)
        evaluation = selectors.for_use_case(use_case)
        return Response(
            {
                "use_case": use_case.pk,
                "currency": evaluation.currency,
                "discount_rate": evaluation.plan.rate,
                "years": evaluation.years,
                "planned_costs": evaluation.planned_costs,
                "actual_costs": evaluation.actual_costs,
                "promised_benefits": evaluation.promised_benefits,
                "delivered_benefits": evaluation.delivered_benefits,
                "plan": _appraisal(evaluation.plan),
                "delivered": _appraisal(evaluation.delivered),
                "sensitivity": _sensitivity(evaluation.sensitivity),
                "metrics": [
                    {
                        "id": m.metric.pk,
                        "label": m.metric.label,
                        "unit": m.metric.unit,
                        "promised_improvement": m.promised,
                        "delivered_improvement": m.delivered,
                        "progress": m.progress,
                        "met": m.met,
                        "latest": m.latest.measured_on if m.latest else None,
                    }
                    for m in evaluation.metrics
                ],
            }
        )


def _sensitivity(sensitivity: engine.Sensitivity | None) -> dict[str, Any] | None:
    if sensitivity is None:
        return None
    return {
        "by_rate": [{"rate": rate, "npv": npv} for rate, npv in sensitivity.by_rate],
        "swing": sensitivity.swing,
        "benefits_down": sensitivity.benefits_down,
        "benefits_up": sensitivity.benefits_up,
        "costs_down": sensitivity.costs_down,
        "costs_up": sensitivity.costs_up,
        "switching_benefits": sensitivity.switching_benefits,
        "switching_costs": sensitivity.switching_costs,
    }


WEIGHT_PARAMS = [
    OpenApiParameter(name, float, description=f"What-if weight of {name} (relative; default: the HQ's).")
    for name in engine.CRITERIA
]


class PortfolioView(APIView):
    """The ranked portfolio of the use cases you can see (not retired): score 0–100 with its normalised
    components and raw criteria, plan NPV and BCR; scale and stop candidates. Weights as query parameters give a
    what-if ranking. ``organisation`` (a code) narrows to it and the organisations under it; ``limit`` (default
    100, at most 5000) and ``offset`` page the ranking."""

    @extend_schema(
        parameters=[
            *WEIGHT_PARAMS,
            OpenApiParameter("organisation", str),
            OpenApiParameter("limit", int),
            OpenApiParameter("offset", int),
        ],
        responses={200: OpenApiTypes.OBJECT},
    )
    def get(self, request: Request) -> Response:
        params = request.query_params
        weights: dict[str, float] | None = None
        given = {k: params[k] for k in engine.CRITERIA if k in params}
        if given:
            try:
                parsed = {k: float(v) for k, v in given.items()}
            except ValueError:
                parsed = {}
            if not parsed or not all(0 <= v <= 100 for v in parsed.values()) or sum(parsed.values()) <= 0:
                raise ValidationError({"weights": [_("Weights are numbers from 0 to 100, not all zero.")]})
            weights = {k: parsed.get(k, 0.0) for k in engine.CRITERIA}
        ids = None
        code = params.get("organisation", "")
        if code:
            organisation = organisation_list(request.user).filter(code=code).first()
            if organisation is None:
                raise ValidationError(
                    {"organisation": [_("No organisation %(code)s that you can see.") % {"code": code}]}
                )
            ids = sorted(organisation_subtree_ids({organisation.pk}))
        try:
            limit = min(max(int(params.get("limit", 100)), 1), 5000)
            offset = max(int(params.get("offset", 0)), 0)
        except ValueError:
            raise ValidationError({"limit": [_("limit and offset are whole numbers.")]}) from None
        data = selectors.portfolio(request.user, weights=weights, organisation_ids=ids)

        def row(r: selectors.PortfolioRow) -> dict[str, Any]:
            plan = r.evaluation.plan if r.evaluation else None
            return {
                "rank": r.rank,
                "use_case": r.use_case.pk,
                "name": r.use_case.name,
                "organisation": r.use_case.organisation.code,
                "stage": r.use_case.stage,
                "score": r.score,
                "components": r.components,
                "criteria": r.raw,
                "npv": plan.npv if plan else None,
                "bcr": plan.bcr if plan else None,
                "currency": r.evaluation.currency if r.evaluation else None,
                "regions": r.regions,
            }

        return Response(
            {
                "weights": data.weights,
                "count": len(data.rows),
                "results": [row(r) for r in data.rows[offset : offset + limit]],
                "scale_candidates": [r.use_case.pk for r in data.scale_candidates],
                "stop_candidates": [
                    {
                        "use_case": r.use_case.pk,
                        "reasons": [{"reason": code, "since": since} for code, since in reasons],
                    }
                    for r, reasons in data.stop_candidates
                ],
            }
        )


class EvaluationSettingsView(APIView):
    """The HQ's evaluation settings: discount rate, appraisal horizon, currency, sensitivity swing, portfolio
    weights and the stages that need a go decision. Everyone signed in reads them; HQ admins change them."""

    if_match_actions = frozenset({"patch"})

    @extend_schema(responses={200: EvaluationSettingsSerializer})
    def get(self, request: Request) -> Response:
        return Response(EvaluationSettingsSerializer(services.current_settings()).data)

    @extend_schema(request=EvaluationSettingsSerializer, responses={200: EvaluationSettingsSerializer})
    def patch(self, request: Request) -> Response:
        serializer = EvaluationSettingsSerializer(services.current_settings(), data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        version, precondition = expected_version(request, data)
        saved = services.settings_update(
            actor=request.user, expected_version=version, precondition=precondition, **data
        )
        return Response(EvaluationSettingsSerializer(saved).data, status=status.HTTP_200_OK)
