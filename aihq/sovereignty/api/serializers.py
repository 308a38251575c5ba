"""API representations of suppliers, components, AI-BOM entries, agreements and cut-off scenarios."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from aihq.core.api import unsaved_timestamp, version_field
from aihq.registry.api.serializers import VisibleOrganisationField, VisibleUseCaseField
from aihq.sovereignty.models import Agreement, BomEntry, Component, CutoffScenario, SovereigntySettings, Supplier


class SupplierSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    version = version_field()

    class Meta:
        model = Supplier
        fields = ["id", "name", "jurisdiction", "kind", "parent", "sanctions_notes", "website", "inferred", "version",
                  "created_at", "updated_at"]  # fmt: skip
        read_only_fields = ["id", "created_at", "updated_at"]
        validators: list[Any] = []


class ComponentSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    supplier: serializers.Field[Any, Any, Any, Any] = serializers.PrimaryKeyRelatedField(
        queryset=Supplier.objects.all(), required=False, allow_null=True
    )
    # Methods, not CharField(source="supplier.name", default=""): DRF leaves a field with a default out of the
    # answer to a PATCH when the supplier is empty.
    supplier_name = serializers.SerializerMethodField()
    jurisdiction = serializers.SerializerMethodField()
    version = version_field()

    def get_supplier_name(self, obj: Component) -> str:
        return obj.supplier.name if obj.supplier is not None else ""

    def get_jurisdiction(self, obj: Component) -> str:
        return obj.supplier.jurisdiction if obj.supplier is not None else ""

    class Meta:
        model = Component
        fields = ["id", "type", "name", "release", "supplier", "supplier_name", "jurisdiction", "licence",
                  "open_weights", "hosting", "replaceability", "alternatives", "switch_cost", "model_family",
                  "description", "model_card", "inferred", "version", "created_at", "updated_at"]  # fmt: skip
        read_only_fields = ["id", "created_at", "updated_at"]
        validators: list[Any] = []


class BomEntrySerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    use_case = VisibleUseCaseField()
    component: serializers.Field[Any, Any, Any, Any] = serializers.PrimaryKeyRelatedField(
        queryset=Component.objects.all()
    )
    component_name = serializers.CharField(source="component.__str__", read_only=True)
    component_type = serializers.CharField(source="component.type", read_only=True)

    class Meta:
        model = BomEntry
        fields = ["id", "use_case", "component", "component_name", "component_type", "role", "criticality", "notes",
                  "bom_ref", "inferred", "created_at", "updated_at"]  # fmt: skip
        read_only_fields = ["id", "bom_ref", "inferred", "created_at", "updated_at"]
        validators: list[Any] = []


class AgreementSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    organisations = VisibleOrganisationField(many=True, required=False)
    use_cases = VisibleUseCaseField(many=True, required=False)
    suppliers: serializers.Field[Any, Any, Any, Any] = serializers.PrimaryKeyRelatedField(
        many=True, queryset=Supplier.objects.all(), required=False
    )
    version = version_field()

    def to_representation(self, instance: Agreement) -> dict[str, Any]:
        """Organisations and use cases the reader may not see are left out of the lists."""
        from aihq.accounts.permissions import scope_for

        data: dict[str, Any] = super().to_representation(instance)
        request = self.context.get("request")
        scope = scope_for(getattr(request, "user", None))
        if not scope.sees_everything:
            visible = {o.code for o in instance.organisations.all() if scope.can_view_org(o.pk)}
            data["organisations"] = [code for code in data["organisations"] if code in visible]
            readable = {u.pk for u in instance.use_cases.all() if scope.can_view_org(u.organisation_id)}
            data["use_cases"] = [pk for pk in data["use_cases"] if pk in readable]
        return data

    class Meta:
        model = Agreement
        fields = ["id", "title", "partner_country", "partner_name", "kind", "status", "signed_on", "starts_on",
                  "ends_on", "scope", "organisations", "use_cases", "suppliers", "source", "version", "created_at",
                  "updated_at"]  # fmt: skip
        read_only_fields = ["id", "created_at", "updated_at"]


class CutoffScenarioSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    jurisdictions = serializers.ListField(
        child=serializers.CharField(max_length=2, min_length=2), required=False, help_text="ISO 3166-1 alpha-2 codes."
    )
    suppliers: serializers.Field[Any, Any, Any, Any] = serializers.PrimaryKeyRelatedField(
        many=True, queryset=Supplier.objects.all(), required=False
    )
    components: serializers.Field[Any, Any, Any, Any] = serializers.PrimaryKeyRelatedField(
        many=True, queryset=Component.objects.all(), required=False
    )
    version = version_field()

    class Meta:
        model = CutoffScenario
        fields = ["id", "name", "description", "effective_from", "jurisdictions", "suppliers", "components",
                  "version", "created_at", "updated_at"]  # fmt: skip
        read_only_fields = ["id", "created_at", "updated_at"]


class SettingsSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    version = version_field(min_value=0)  # 0 until first saved
    updated_at = unsaved_timestamp()

    class Meta:
        model = SovereigntySettings
        fields = ["home_country", "weight_jurisdiction", "weight_hosting", "weight_licence", "weight_replaceability",
                  "version", "updated_at"]  # fmt: skip
        read_only_fields = ["updated_at"]


class AibomImportSerializer(serializers.Serializer):  # type: ignore[type-arg]
    file = serializers.FileField(required=False, help_text="A CycloneDX 1.6 JSON file (or send the JSON as body).")
    dry_run = serializers.BooleanField(default=False)
