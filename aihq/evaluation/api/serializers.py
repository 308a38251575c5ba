from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from rest_framework import serializers

from aihq.accounts.models import User
from aihq.core.api import unsaved_timestamp, version_field
from aihq.evaluation.models import (
    CRITERIA,
    STAGE_ORDER,
    BenefitMeasurement,
    BenefitMetric,
    CostLine,
    EvaluationSettings,
    GateCondition,
    GateDecision,
    GateKind,
    GateReview,
)
from aihq.registry.api.serializers import VisibleUseCaseField
from aihq.registry.models import Region

#: The stages a review may lead to, and those a gate may guard (named enums in the OpenAPI schema).
GATE_STAGES = [(s.value, s.label) for s in STAGE_ORDER]
GATED_STAGES = GATE_STAGES[1:]


class VisibleMetricField(serializers.PrimaryKeyRelatedField):  # type: ignore[type-arg]
    def get_queryset(self) -> Any:
        request = self.context.get("request")
        return BenefitMetric.objects.restrict(getattr(request, "user", None), "view")


class BenefitMeasurementSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    metric = VisibleMetricField()
    reported_by: serializers.SlugRelatedField[User] = serializers.SlugRelatedField(
        slug_field="username", read_only=True
    )

    class Meta:
        model = BenefitMeasurement
        fields = ["id", "metric", "measured_on", "value", "source", "evidence", "note", "reported_by", "created_at"]
        read_only_fields = ["id", "reported_by", "created_at"]


class BenefitMetricSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    use_case = VisibleUseCaseField()
    label = serializers.CharField(read_only=True)  # type: ignore[assignment]
    measurements = BenefitMeasurementSerializer(many=True, read_only=True)
    version = version_field()

    class Meta:
        model = BenefitMetric
        fields = ["id", "use_case", "kind", "name", "label", "unit", "direction", "baseline", "baseline_date",
                  "target", "target_date", "value_per_unit", "currency", "benefits_from", "note", "measurements",
                  "version", "created_at", "updated_at"]  # fmt: skip
        read_only_fields = ["id", "created_at", "updated_at"]

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if self.instance is not None and "use_case" in attrs and attrs["use_case"] != self.instance.use_case:
            raise serializers.ValidationError({"use_case": _("A metric cannot move to another use case.")})
        return attrs


class CostLineSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    use_case = VisibleUseCaseField()
    version = version_field()

    class Meta:
        model = CostLine
        fields = ["id", "use_case", "year", "category", "kind", "planned", "actual", "currency", "compute_profile",
                  "note", "version", "created_at", "updated_at"]  # fmt: skip
        read_only_fields = ["id", "created_at", "updated_at"]
        extra_kwargs = {"currency": {"required": False}}

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if self.instance is not None and "use_case" in attrs and attrs["use_case"] != self.instance.use_case:
            raise serializers.ValidationError({"use_case": _("A cost cannot move to another use case.")})
        return attrs


class GateConditionSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    overdue = serializers.SerializerMethodField()

    class Meta:
        model = GateCondition
        fields = ["id", "review", "text", "due_date", "done_at", "overdue"]
        read_only_fields = fields

    def get_overdue(self, obj: GateCondition) -> bool:
        return obj.is_overdue()


class GateReviewSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    use_case = VisibleUseCaseField()
    kind = serializers.ChoiceField(choices=GateKind.choices, default=GateKind.STAGE)
    to_stage = serializers.ChoiceField(choices=GATE_STAGES, required=False, allow_blank=True)
    regions = serializers.SlugRelatedField(
        slug_field="code", many=True, queryset=Region.objects.all(), required=False, help_text="ISO 3166-2 codes."
    )
    requested_by: serializers.SlugRelatedField[User] = serializers.SlugRelatedField(
        slug_field="username", read_only=True
    )
    decided_by: serializers.SlugRelatedField[User] = serializers.SlugRelatedField(slug_field="username", read_only=True)
    reviewers: Any = serializers.SlugRelatedField(slug_field="username", many=True, read_only=True)
    conditions = GateConditionSerializer(many=True, read_only=True)
    version = version_field()

    class Meta:
        model = GateReview
        fields = ["id", "use_case", "kind", "from_stage", "to_stage", "regions", "justification", "requested_by",
                  "criteria", "decision", "rationale", "decided_by", "decided_at", "reviewers", "conditions",
                  "applied_at", "version", "created_at", "updated_at"]  # fmt: skip
        read_only_fields = ["id", "from_stage", "requested_by", "criteria", "decision", "rationale", "decided_by",
                            "decided_at", "applied_at", "created_at", "updated_at"]  # fmt: skip


class ConditionInputSerializer(serializers.Serializer):  # type: ignore[type-arg]
    text = serializers.CharField(max_length=500)
    due_date = serializers.DateField()


class CriterionSerializer(serializers.Serializer):  # type: ignore[type-arg]
    met = serializers.BooleanField(allow_null=True, required=False, default=None)
    note = serializers.CharField(allow_blank=True, required=False, default="", max_length=1000)


class GateDecisionSerializer(serializers.Serializer):  # type: ignore[type-arg]
    decision = serializers.ChoiceField(choices=[c for c in GateDecision.values if c != GateDecision.PENDING])
    rationale = serializers.CharField(allow_blank=True, required=False, default="", max_length=5000)
    criteria = serializers.DictField(child=CriterionSerializer(), required=False, default=dict)
    conditions = ConditionInputSerializer(many=True, required=False, default=list)
    reviewers = serializers.ListField(child=serializers.CharField(max_length=150), required=False, default=list)
    version = version_field()

    def validate_criteria(self, value: dict[str, Any]) -> dict[str, Any]:
        unknown = sorted(set(value) - set(CRITERIA))
        if unknown:
            raise serializers.ValidationError(
                _("Unknown criteria: %(names)s. Use: %(known)s.")
                % {"names": ", ".join(unknown), "known": ", ".join(CRITERIA)}
            )
        return value


class ConditionMetSerializer(serializers.Serializer):  # type: ignore[type-arg]
    met = serializers.BooleanField(default=True)


class EvaluationSettingsSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    version = version_field(min_value=0)  # 0 until first saved
    updated_at = unsaved_timestamp()
    gated_stages = serializers.ListField(child=serializers.ChoiceField(choices=GATED_STAGES), required=False)

    class Meta:
        model = EvaluationSettings
        fields = ["discount_rate", "appraisal_years", "currency", "swing", "weight_value", "weight_fit", "weight_risk",
                  "weight_readiness", "weight_cost", "gated_stages", "version", "updated_at"]  # fmt: skip
        read_only_fields = ["updated_at"]
