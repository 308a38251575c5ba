"""API representations of the registry; related objects by their natural keys (codes)."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from rest_framework import serializers

from aihq.registry.models import Organisation, Region, Sector, UseCase


class VisibleOrganisationField(serializers.SlugRelatedField):  # type: ignore[type-arg]
    """An organisation by code, among those the requesting user can see."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(slug_field="code", **kwargs)

    def get_queryset(self) -> QuerySet[Organisation]:
        request = self.context.get("request")
        return Organisation.objects.restrict(getattr(request, "user", None), "view")


class RegionSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    name = serializers.CharField(read_only=True)
    group = serializers.CharField(read_only=True)

    class Meta:
        model = Region
        fields = ["code", "country", "name", "name_en", "name_ru", "group", "group_en", "group_ru", "updated_at"]
        read_only_fields = ["updated_at"]


class SectorSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    name = serializers.CharField(read_only=True)

    class Meta:
        model = Sector
        fields = ["code", "name", "name_en", "name_ru", "updated_at"]
        read_only_fields = ["updated_at"]


class OrganisationSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    name = serializers.CharField(read_only=True)
    parent = VisibleOrganisationField(required=False, allow_null=True)  # type: ignore[assignment]
    region = serializers.SlugRelatedField(
        slug_field="code", queryset=Region.objects.all(), required=False, allow_null=True
    )

    class Meta:
        model = Organisation
        fields = ["id", "code", "name", "name_en", "name_ru", "kind", "parent", "region", "created_at", "updated_at"]
        read_only_fields = ["id", "created_at", "updated_at"]


class UseCaseSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    organisation = VisibleOrganisationField()
    sectors = serializers.SlugRelatedField(slug_field="code", many=True, queryset=Sector.objects.all(), required=False)
    regions = serializers.SlugRelatedField(slug_field="code", many=True, queryset=Region.objects.all(), required=False)
    tags = serializers.ListField(child=serializers.CharField(max_length=100), required=False, max_length=50)
    version = serializers.IntegerField(
        required=False, min_value=1, help_text="Current version; send it back on update to detect conflicting edits."
    )

    class Meta:
        model = UseCase
        fields = [
            "id",
            "reference",
            "name",
            "description",
            "organisation",
            "unit",
            "sectors",
            "regions",
            "purpose",
            "outputs",
            "stage",
            "development_method",
            "vendors",
            "is_generative",
            "date_initiated",
            "date_deployed",
            "date_retired",
            "is_public",
            "tags",
            "version",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["id", "created_at", "updated_at"]
        # Uniqueness is checked by the model's constraint in the service, with a clear message.
        validators: list[Any] = []
