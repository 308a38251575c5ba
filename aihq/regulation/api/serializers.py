"""API representations of frameworks, classifications, requirements, evidence, risks and incidents."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.urls import reverse
from rest_framework import serializers

from aihq.accounts.models import User
from aihq.core.api import version_field
from aihq.registry.api.serializers import VisibleUseCaseField
from aihq.regulation import taxonomy
from aihq.regulation.models import (
    Classification,
    ClassificationRevision,
    Evidence,
    Framework,
    Harm,
    Incident,
    IncidentTransition,
    PublicIncident,
    RequirementStatus,
    Risk,
)


class UserField(serializers.SlugRelatedField):  # type: ignore[type-arg]
    """A person by username. An unknown name gets the same answer as a person who may not own the record,
    so the field cannot be used to find out which usernames exist."""

    default_error_messages = {
        "does_not_exist": "The owner must be someone who can see this use case.",
        "invalid": "The owner must be someone who can see this use case.",
    }

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(slug_field="username", queryset=User.objects.filter(is_active=True), **kwargs)


class FrameworkSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    title = serializers.CharField(read_only=True)

    class Meta:
        model = Framework
        fields = ["id", "code", "version", "title", "title_en", "title_ru", "kind", "jurisdiction", "is_current",
                  "sha256", "created_at"]  # fmt: skip
        read_only_fields = fields


class FrameworkDetailSerializer(FrameworkSerializer):
    class Meta(FrameworkSerializer.Meta):
        fields = [*FrameworkSerializer.Meta.fields, "definition"]
        read_only_fields = fields


class FrameworkLoadSerializer(serializers.Serializer):  # type: ignore[type-arg]
    definition = serializers.JSONField(help_text="The framework file's content (see frameworks/README.md).")
    make_current = serializers.BooleanField(default=True)


class ClassificationSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    use_case = VisibleUseCaseField()
    framework = serializers.CharField(source="framework_code", help_text="Framework code, such as eu-ai-act.")
    framework_version = serializers.CharField(source="framework.version", read_only=True)
    answers = serializers.JSONField()
    classified_by: serializers.Field[Any, Any, Any, Any] = serializers.SlugRelatedField(
        slug_field="username", read_only=True
    )
    version = version_field()

    class Meta:
        model = Classification
        fields = ["id", "use_case", "framework", "framework_version", "answers", "tier", "role", "flags", "result",
                  "source", "classified_by", "version", "created_at", "updated_at"]  # fmt: skip
        read_only_fields = ["id", "tier", "role", "flags", "result", "source", "created_at", "updated_at"]
        validators: list[Any] = []

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if self.instance is not None:
            for name, current in (
                ("use_case", self.instance.use_case),
                ("framework_code", self.instance.framework_code),
            ):
                if name in attrs and attrs[name] != current:
                    raise serializers.ValidationError({name: "Cannot be changed; classify under a new record."})
        return attrs


class ClassificationRevisionSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    framework_version = serializers.CharField(source="framework.version", read_only=True)
    classified_by: serializers.Field[Any, Any, Any, Any] = serializers.SlugRelatedField(
        slug_field="username", read_only=True
    )

    class Meta:
        model = ClassificationRevision
        fields = ["number", "framework_version", "answers", "tier", "result", "source", "classified_by", "created_at"]
        read_only_fields = fields


class RequirementSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    use_case: serializers.Field[Any, Any, Any, Any] = serializers.PrimaryKeyRelatedField(read_only=True)
    organisation = serializers.CharField(source="use_case.organisation.code", read_only=True)
    framework = serializers.CharField(source="framework_code", read_only=True)
    title = serializers.CharField(read_only=True)
    owner = UserField(required=False, allow_null=True)
    overdue = serializers.SerializerMethodField()
    version = version_field()

    class Meta:
        model = RequirementStatus
        fields = ["id", "use_case", "organisation", "framework", "requirement_id", "cite", "title", "title_en",
                  "title_ru", "group", "mandatory", "applicable", "status", "justification", "owner", "due_date",
                  "overdue", "note", "version", "updated_at"]  # fmt: skip
        read_only_fields = ["id", "requirement_id", "cite", "title_en", "title_ru", "group", "mandatory",
                            "applicable", "updated_at"]  # fmt: skip

    def get_overdue(self, obj: RequirementStatus) -> bool:
        return obj.is_overdue()


class EvidenceSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    requirement: serializers.Field[Any, Any, Any, Any] = serializers.PrimaryKeyRelatedField(
        queryset=RequirementStatus.objects.none()
    )
    file = serializers.FileField(write_only=True, required=False, help_text="The document (or give url).")
    added_by: serializers.Field[Any, Any, Any, Any] = serializers.SlugRelatedField(
        slug_field="username", read_only=True
    )
    download = serializers.SerializerMethodField()

    class Meta:
        model = Evidence
        fields = ["id", "requirement", "kind", "title", "url", "file", "filename", "content_type", "size", "sha256",
                  "added_by", "download", "created_at"]  # fmt: skip
        read_only_fields = ["id", "kind", "filename", "content_type", "size", "sha256", "created_at"]
        extra_kwargs = {"title": {"required": False, "allow_blank": True}, "url": {"required": False}}

    def get_fields(self) -> dict[str, Any]:
        fields = super().get_fields()
        request = self.context.get("request")
        fields["requirement"].queryset = RequirementStatus.objects.restrict(getattr(request, "user", None), "view")  # type: ignore[attr-defined]
        return fields

    def validate_file(self, upload: Any) -> Any:
        from aihq.core.uploads import check_upload
        from aihq.regulation.services import EVIDENCE_EXTENSIONS, evidence_max_bytes

        if upload is not None:
            check_upload(upload, max_bytes=evidence_max_bytes(), extensions=EVIDENCE_EXTENSIONS)
        return upload

    def get_download(self, obj: Evidence) -> str | None:
        if obj.kind != "file":
            return None
        return reverse("evidence-download", args=[obj.pk])


class ScaleField(serializers.IntegerField):
    def __init__(self, **kwargs: Any) -> None:
        super().__init__(min_value=1, max_value=5, **kwargs)


class RiskSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    use_case = VisibleUseCaseField()
    category = serializers.ChoiceField(
        choices=[c.code for c in (*taxonomy.DOMAINS, *taxonomy.SUBDOMAINS)],
        help_text="MIT AI risk domain (1–7) or subdomain (such as 1.2).",
    )
    category_name = serializers.SerializerMethodField()
    likelihood = ScaleField()
    severity = ScaleField()
    residual_likelihood = ScaleField(required=False, allow_null=True)
    residual_severity = ScaleField(required=False, allow_null=True)
    score = serializers.IntegerField(read_only=True)
    residual_score = serializers.IntegerField(read_only=True, allow_null=True)
    owner = UserField(required=False, allow_null=True)
    version = version_field()

    class Meta:
        model = Risk
        fields = ["id", "use_case", "title", "description", "category", "category_name", "likelihood", "severity",
                  "score", "mitigations", "residual_likelihood", "residual_severity", "residual_score", "owner",
                  "status", "version", "created_at", "updated_at"]  # fmt: skip
        read_only_fields = ["id", "created_at", "updated_at"]

    def get_category_name(self, obj: Risk) -> str:
        found = taxonomy.category(obj.category)
        return found.name if found else ""

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if self.instance is not None and "use_case" in attrs and attrs["use_case"] != self.instance.use_case:
            raise serializers.ValidationError({"use_case": "A risk cannot move to another use case."})
        return attrs


class IncidentTransitionSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    moved_by: serializers.Field[Any, Any, Any, Any] = serializers.SlugRelatedField(
        slug_field="username", read_only=True
    )

    class Meta:
        model = IncidentTransition
        fields = ["from_status", "to_status", "note", "moved_by", "created_at"]
        read_only_fields = fields


class IncidentSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    use_case = VisibleUseCaseField()
    harms = serializers.ListField(child=serializers.ChoiceField(choices=Harm.choices), required=False)
    risks: serializers.Field[Any, Any, Any, Any] = serializers.PrimaryKeyRelatedField(
        many=True, required=False, queryset=Risk.objects.none()
    )
    reported_by: serializers.Field[Any, Any, Any, Any] = serializers.SlugRelatedField(
        slug_field="username", read_only=True
    )
    transitions = IncidentTransitionSerializer(many=True, read_only=True)
    reporting_deadline = serializers.SerializerMethodField()
    version = version_field()

    class Meta:
        model = Incident
        fields = ["id", "use_case", "title", "description", "occurred_on", "detected_on", "severity", "harms",
                  "widespread_infringement", "affected_groups", "immediate_actions", "corrective_actions", "status",
                  "reported_on", "reporting_deadline", "risks", "reported_by", "transitions", "version",
                  "created_at", "updated_at"]  # fmt: skip
        read_only_fields = ["id", "status", "created_at", "updated_at"]

    def get_fields(self) -> dict[str, Any]:
        fields = super().get_fields()
        request = self.context.get("request")
        fields["risks"].child_relation.queryset = Risk.objects.restrict(getattr(request, "user", None), "view")  # type: ignore[attr-defined]
        return fields

    def get_reporting_deadline(self, obj: Incident) -> dict[str, Any] | None:
        """From the list's deadlines, read for the whole page at once; a single incident reads its own."""
        from aihq.regulation.selectors import deadlines_for

        deadlines = self.context.get("deadlines")
        if deadlines is None:
            deadlines = deadlines_for([obj], dt.date.today())
        found = deadlines.get(obj.pk)
        return found.as_dict() if found else None

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if self.instance is not None and "use_case" in attrs and attrs["use_case"] != self.instance.use_case:
            raise serializers.ValidationError({"use_case": "An incident cannot move to another use case."})
        return attrs


class IncidentMoveSerializer(serializers.Serializer):  # type: ignore[type-arg]
    status = serializers.ChoiceField(choices=["open", "investigating", "mitigated", "closed"])
    note = serializers.CharField(required=False, allow_blank=True, default="")
    version = version_field()


class PublicIncidentSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    class Meta:
        model = PublicIncident
        fields = ["id", "source", "source_id", "date", "title", "description", "deployers", "developers",
                  "harmed_parties", "report_count", "mit_domain", "mit_subdomain", "mit_entity", "mit_intent",
                  "mit_timing"]  # fmt: skip
        read_only_fields = fields
