"""API representations of objectives, indicators and measurements; related objects by code."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from aihq.accounts.permissions import scope_for
from aihq.core.uploads import DATA_FILE_TYPES, check_upload
from aihq.exchange.forms import max_upload_bytes
from aihq.objectives.models import Contribution, Indicator, Measurement, Objective, RagRating
from aihq.objectives.services import TargetSpec
from aihq.registry.api.serializers import VisibleOrganisationField
from aihq.registry.models import Region, UseCase


class ObjectiveSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    title = serializers.CharField(read_only=True)
    owner = VisibleOrganisationField(required=False, allow_null=True)
    indicators: serializers.Field[Any, Any, Any, Any] = serializers.SlugRelatedField(
        slug_field="code", many=True, read_only=True
    )
    version = serializers.IntegerField(
        required=False, min_value=1, help_text="Current version; send it back on update to detect conflicting edits."
    )

    class Meta:
        model = Objective
        fields = [
            "id",
            "code",
            "title",
            "title_en",
            "title_ru",
            "description",
            "programme",
            "programme_ru",
            "owner",
            "indicators",
            "version",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["id", "created_at", "updated_at"]
        validators: list[Any] = []


class TargetSerializer(serializers.Serializer):  # type: ignore[type-arg]
    date = serializers.DateField()
    value = serializers.FloatField()
    region = serializers.SlugRelatedField(
        slug_field="code", queryset=Region.objects.all(), required=False, allow_null=True
    )


class IndicatorSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    name = serializers.CharField(read_only=True)
    objective = serializers.SlugRelatedField(slug_field="code", queryset=Objective.objects.all())
    owner = VisibleOrganisationField(required=False, allow_null=True)
    reporting_organisations = VisibleOrganisationField(many=True, required=False)
    targets = TargetSerializer(many=True, required=False)
    version = serializers.IntegerField(
        required=False, min_value=1, help_text="Current version; send it back on update to detect conflicting edits."
    )

    class Meta:
        model = Indicator
        fields = [
            "id",
            "objective",
            "code",
            "name",
            "name_en",
            "name_ru",
            "unit",
            "unit_ru",
            "direction",
            "baseline_value",
            "baseline_date",
            "targets",
            "shape",
            "frequency",
            "aggregation",
            "weight_label",
            "region_country",
            "owner",
            "reporting_organisations",
            "source",
            "notes",
            "version",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["id", "created_at", "updated_at"]
        validators: list[Any] = []

    def to_representation(self, instance: Indicator) -> dict[str, Any]:
        data: dict[str, Any] = super().to_representation(instance)
        # Who must report is listed as far as the reader may see those organisations (the owner is public:
        # accountability for a national objective is not a secret).
        scope = scope_for(getattr(self.context.get("request"), "user", None))
        data["reporting_organisations"] = [
            o.code for o in instance.reporting_organisations.all() if scope.can_view_org(o.pk)
        ]
        data["targets"] = [
            {"date": t.date.isoformat(), "value": t.value, "region": t.region.code if t.region else None}
            for t in sorted(instance.targets.all(), key=lambda t: (t.region_id or 0, t.date))
        ]
        return data

    def service_kwargs(self) -> dict[str, Any]:
        """Validated data as the services take it (targets as TargetSpec)."""
        data = dict(self.validated_data)
        if "targets" in data:
            data["targets"] = [TargetSpec(t["date"], t["value"], t.get("region")) for t in data["targets"]]
        return data


class MeasurementSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    indicator: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(slug_field="code", read_only=True)
    region: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(slug_field="code", read_only=True)
    organisation: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(slug_field="code", read_only=True)
    reported_by: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(slug_field="username", read_only=True)

    class Meta:
        model = Measurement
        fields = [
            "id",
            "indicator",
            "period_end",
            "value",
            "region",
            "organisation",
            "weight",
            "source",
            "note",
            "is_illustrative",
            "reported_by",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class MeasurementUploadSerializer(serializers.Serializer):  # type: ignore[type-arg]
    file = serializers.FileField(help_text="CSV, XLSX or JSON with indicator, period, region, organisation, value.")
    encoding = serializers.CharField(required=False, allow_blank=True, max_length=30)

    def validate_file(self, value: Any) -> Any:
        return check_upload(value, max_bytes=max_upload_bytes(), extensions=DATA_FILE_TYPES)


class RagOverrideSerializer(serializers.Serializer):  # type: ignore[type-arg]
    rating = serializers.ChoiceField(choices=RagRating.choices)
    reason = serializers.CharField(max_length=5000)
    region = serializers.SlugRelatedField(
        slug_field="code", queryset=Region.objects.all(), required=False, allow_null=True
    )


class ContributionSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    indicator = serializers.SlugRelatedField(slug_field="code", queryset=Indicator.objects.all())
    use_case = serializers.PrimaryKeyRelatedField(queryset=UseCase.objects.none())

    class Meta:
        model = Contribution
        fields = ["id", "use_case", "indicator", "note", "created_at"]
        read_only_fields = ["id", "created_at"]
        validators: list[Any] = []

    def get_fields(self) -> dict[str, Any]:
        fields = super().get_fields()
        request = self.context.get("request")
        user = getattr(request, "user", None)
        # Visible use cases: one the user may read but not edit is then refused by the service (403), not "unknown".
        fields["use_case"].queryset = UseCase.objects.restrict(user, "view")  # type: ignore[attr-defined]
        return fields
