from __future__ import annotations

from typing import Any

from rest_framework import serializers

from aihq.coordination.models import PairDecision, Verdict
from aihq.core.api import version_field
from aihq.registry.api.serializers import VisibleUseCaseField


class SimilarUseCaseSerializer(serializers.Serializer):  # type: ignore[type-arg]
    id = serializers.IntegerField(source="use_case.pk")
    name = serializers.CharField(source="use_case.name")
    organisation = serializers.CharField(source="use_case.organisation.code")
    stage = serializers.CharField(source="use_case.stage")
    score = serializers.FloatField()
    shared_words = serializers.ListField(child=serializers.CharField())
    shared_components = serializers.ListField(child=serializers.CharField())


class DuplicatePairSerializer(serializers.Serializer):  # type: ignore[type-arg]
    use_case_a = serializers.IntegerField(source="pair.use_case_a_id")
    use_case_b = serializers.IntegerField(source="pair.use_case_b_id")
    name_a = serializers.CharField(source="pair.use_case_a.name")
    name_b = serializers.CharField(source="pair.use_case_b.name")
    organisation_a = serializers.CharField(source="pair.use_case_a.organisation.code")
    organisation_b = serializers.CharField(source="pair.use_case_b.organisation.code")
    score = serializers.FloatField(source="pair.score")
    cluster = serializers.IntegerField(source="pair.cluster")
    verdict = serializers.SerializerMethodField()
    note = serializers.SerializerMethodField()
    reopened = serializers.BooleanField()
    decision_version = serializers.SerializerMethodField()

    def get_verdict(self, obj: Any) -> str | None:
        return obj.decision.verdict if obj.decision else None

    def get_note(self, obj: Any) -> str:
        return obj.decision.note if obj.decision else ""

    def get_decision_version(self, obj: Any) -> int | None:
        return obj.decision.version if obj.decision else None


class PairDecisionSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    use_case_a = VisibleUseCaseField()
    use_case_b = VisibleUseCaseField()
    verdict = serializers.ChoiceField(choices=Verdict.choices)
    note = serializers.CharField(required=False, allow_blank=True, max_length=2000)
    decided_by = serializers.StringRelatedField(read_only=True)  # type: ignore[var-annotated]
    version = version_field()

    class Meta:
        model = PairDecision
        fields = ["id", "use_case_a", "use_case_b", "verdict", "note", "decided_by", "version", "updated_at"]
        read_only_fields = ["updated_at"]
