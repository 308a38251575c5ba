from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import serializers

from aihq.core.api import version_field
from aihq.objectives.models import Indicator
from aihq.registry.models import Organisation
from aihq.routines.models import ReportingCycle, Submission, clean_schedule


class ScheduleStepSerializer(serializers.Serializer):  # type: ignore[type-arg]
    days = serializers.IntegerField(help_text="Days from the due date; negative before it.")
    to = serializers.ChoiceField(choices=["editors", "coordinators", "hq"])


class ReportingCycleSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    organisations: serializers.SlugRelatedField[Organisation] = serializers.SlugRelatedField(
        slug_field="code", many=True, required=False, queryset=Organisation.objects.all()
    )
    indicators: serializers.SlugRelatedField[Indicator] = serializers.SlugRelatedField(
        slug_field="code", many=True, required=False, queryset=Indicator.objects.all()
    )
    schedule = ScheduleStepSerializer(many=True, required=False)
    version = version_field()

    class Meta:
        model = ReportingCycle
        fields = ["id", "name_en", "name_ru", "kind", "frequency", "due_days", "organisations", "indicators",
                  "schedule", "starts_on", "active", "version", "created_at", "updated_at"]  # fmt: skip
        read_only_fields = ["id", "created_at", "updated_at"]

    def validate_schedule(self, value: Any) -> list[dict[str, Any]]:
        try:
            return clean_schedule([dict(step) for step in value])
        except DjangoValidationError as exc:
            raise serializers.ValidationError(exc.messages) from None


class MissingItemSerializer(serializers.Serializer):  # type: ignore[type-arg]
    kind = serializers.CharField()
    id = serializers.IntegerField()
    name_en = serializers.CharField()
    name_ru = serializers.CharField()
    code = serializers.CharField(required=False)


class TaskSerializer(serializers.Serializer):  # type: ignore[type-arg]
    """One organisation's report for one period of one cycle, not yet complete."""

    cycle = serializers.IntegerField(source="cycle.pk")
    cycle_name = serializers.CharField(source="cycle.name")
    kind = serializers.CharField(source="cycle.kind")
    organisation = serializers.CharField(source="organisation.code")
    period_end = serializers.DateField()
    due_date = serializers.DateField()
    state = serializers.SerializerMethodField()
    expected = serializers.IntegerField()
    reported = serializers.IntegerField()
    missing = MissingItemSerializer(many=True)

    def get_state(self, obj: Any) -> str:
        return str(obj.state(self.context["today"]))


class SubmissionSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    organisation: serializers.SlugRelatedField[Organisation] = serializers.SlugRelatedField(
        slug_field="code", queryset=Organisation.objects.all()
    )
    submitted_by = serializers.SlugRelatedField(slug_field="username", read_only=True)  # type: ignore[var-annotated]

    class Meta:
        model = Submission
        fields = ["id", "cycle", "organisation", "period_end", "note", "submitted_by", "created_at"]
        read_only_fields = ["id", "submitted_by", "created_at"]
