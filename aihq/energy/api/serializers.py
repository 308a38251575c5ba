"""API representations of compute sites, profiles, loads, scenarios and runs; related objects by code."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from aihq.core.api import version_field
from aihq.energy.models import ComputeProfile, ComputeSite, ExogenousLoad, Scenario, ScenarioRun
from aihq.registry.api.serializers import VisibleOrganisationField
from aihq.registry.models import Region, UseCase


def _region_field(**kwargs: Any) -> serializers.SlugRelatedField[Region]:
    return serializers.SlugRelatedField(slug_field="code", queryset=Region.objects.all(), **kwargs)


class ComputeSiteSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    operator = VisibleOrganisationField()
    region = _region_field()
    accelerators = serializers.DictField(child=serializers.IntegerField(min_value=0), required=False)
    version = version_field()

    class Meta:
        model = ComputeSite
        fields = [
            "id",
            "name",
            "operator",
            "region",
            "status",
            "commissioning_year",
            "it_capacity_mw",
            "accelerators",
            "pue",
            "utilisation",
            "notes",
            "version",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["id", "created_at", "updated_at"]


class ComputeProfileSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    use_case = serializers.PrimaryKeyRelatedField(queryset=UseCase.objects.none())
    host_region = _region_field(required=False, allow_null=True)

    class Meta:
        model = ComputeProfile
        fields = [
            "id",
            "use_case",
            "accelerator_model",
            "training_accelerator_hours",
            "training_flop",
            "inference_requests_per_day",
            "accelerator_seconds_per_request",
            "accelerators_reserved",
            "host_region",
            "updated_at",
        ]
        read_only_fields = ["id", "updated_at"]
        validators: list[Any] = []

    def get_fields(self) -> dict[str, Any]:
        fields = super().get_fields()
        user = getattr(self.context.get("request"), "user", None)
        fields["use_case"].queryset = UseCase.objects.restrict(user, "view")  # type: ignore[attr-defined]
        return fields


class ExogenousLoadSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    region = _region_field()

    class Meta:
        model = ExogenousLoad
        fields = ["id", "region", "year", "kind", "average_mw", "source", "updated_at"]
        read_only_fields = ["id", "updated_at"]
        validators: list[Any] = []


class ScenarioSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    name = serializers.CharField(read_only=True)
    version = version_field()

    class Meta:
        model = Scenario
        fields = [
            "id",
            "code",
            "name",
            "name_en",
            "name_ru",
            "description_en",
            "description_ru",
            "start_year",
            "end_year",
            "parameters",
            "demand",
            "mix",
            "samples",
            "seed",
            "version",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["id", "created_at", "updated_at"]
        validators: list[Any] = []


class ScenarioRunSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    scenario: serializers.SlugRelatedField[Scenario] = serializers.SlugRelatedField(slug_field="code", read_only=True)
    run_by: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(slug_field="username", read_only=True)

    class Meta:
        model = ScenarioRun
        fields = [
            "id",
            "scenario",
            "scenario_version",
            "samples",
            "seed",
            "seconds",
            "run_by",
            "inputs",
            "results",
            "created_at",
        ]
        read_only_fields = fields
