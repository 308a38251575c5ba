"""API representations of the registry; related objects by their natural keys (codes)."""

from __future__ import annotations

import functools
from typing import Any

from django.db.models import QuerySet
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field, inline_serializer
from rest_framework import serializers

from aihq.accounts.permissions import scope_for
from aihq.registry import selectors
from aihq.registry.models import Organisation, Region, Sector, Technique, UseCase


@extend_schema_field(OpenApiTypes.STR)
class VisibleOrganisationField(serializers.SlugRelatedField):  # type: ignore[type-arg]
    """An organisation by code, among those the requesting user can see."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(slug_field="code", **kwargs)

    def get_queryset(self) -> QuerySet[Organisation]:
        request = self.context.get("request")
        return Organisation.objects.restrict(getattr(request, "user", None), "view")


class VisibleUseCaseField(serializers.PrimaryKeyRelatedField):  # type: ignore[type-arg]
    """A use case by id, among those the requesting user can see."""

    def get_queryset(self) -> Any:
        request = self.context.get("request")
        return UseCase.objects.restrict(getattr(request, "user", None), "view")


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

    def to_representation(self, instance: Organisation) -> dict[str, Any]:
        data: dict[str, Any] = super().to_representation(instance)
        request = self.context.get("request")
        # A parent the user cannot see stays unnamed, as on the organisation page.
        if instance.parent_id is not None and not scope_for(getattr(request, "user", None)).can_view_org(
            instance.parent_id
        ):
            data["parent"] = None
        return data


class UseCaseSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    organisation = VisibleOrganisationField()
    sectors = serializers.SlugRelatedField(slug_field="code", many=True, queryset=Sector.objects.all(), required=False)
    regions = serializers.SlugRelatedField(slug_field="code", many=True, queryset=Region.objects.all(), required=False)
    tags = serializers.ListField(child=serializers.CharField(max_length=100), required=False, max_length=50)
    techniques = serializers.ListField(
        child=serializers.ChoiceField(choices=Technique.choices), required=False, max_length=10
    )
    attributes = serializers.DictField(required=False, help_text="Other answers of an inventory format, by field name.")
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
            "impact_type",
            "is_high_impact",
            "techniques",
            "attributes",
            "source_format",
            "version",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["id", "source_format", "created_at", "updated_at"]
        # Uniqueness is checked by the model's constraint in the service, with a clear message.
        validators: list[Any] = []


_RELATED = ("organisation", "sectors", "regions")
#: What a list page reads of each use case: the serializer's plain fields and the organisation's id. Its code comes
#: in a query of its own: a join in the values would stay in the page's COUNT (44 ms instead of 2).
LIST_COLUMNS = (*(name for name in UseCaseSerializer.Meta.fields if name not in _RELATED), "organisation_id")


@functools.cache
def _plain_formats() -> dict[str, Any]:
    """Each plain field's ``to_representation`` (none needs the request: the related fields are not among them)."""
    fields = UseCaseSerializer().fields
    return {name: fields[name].to_representation for name in LIST_COLUMNS if name in fields}


def use_case_rows(page: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """A page of use cases read as ``values(*LIST_COLUMNS)``, written exactly as UseCaseSerializer writes them, with
    two queries for the sector and region codes and one for the organisations' codes."""
    formats = _plain_formats()
    ids = [values["id"] for values in page]
    organisations = dict(
        Organisation.objects.filter(pk__in={values["organisation_id"] for values in page}).values_list("pk", "code")
    )
    links = {name: selectors.link_codes(ids, name) for name in ("sectors", "regions")}
    rows = []
    for values in page:
        row: dict[str, Any] = {}
        for name in UseCaseSerializer.Meta.fields:
            if name == "organisation":
                row[name] = organisations[values["organisation_id"]]
            elif name in links:
                row[name] = links[name][values["id"]]
            else:
                row[name] = None if values[name] is None else formats[name](values[name])
        rows.append(row)
    return rows


class RollupSerializer(serializers.Serializer):  # type: ignore[type-arg]
    """Use cases counted by one dimension: ``rows`` of {key, label, count}, largest first."""

    by = serializers.ChoiceField(choices=["stage", "sector", "region", "organisation"])
    rows = inline_serializer(
        "RollupRow",
        fields={
            "key": serializers.CharField(help_text="The stage, or the sector's, region's or organisation's code."),
            "label": serializers.CharField(),
            "count": serializers.IntegerField(),
        },
        many=True,
    )
