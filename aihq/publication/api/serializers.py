from __future__ import annotations

from typing import Any

from django.urls import reverse
from rest_framework import serializers

from aihq.core.api import unsaved_timestamp, version_field
from aihq.publication import fields as catalogue
from aihq.publication.models import PublicationProfile, PublicationRecord, PublishedVersion
from aihq.registry.api.serializers import VisibleUseCaseField


class PublishedVersionSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    published_by = serializers.StringRelatedField()  # type: ignore[var-annotated]
    public = serializers.SerializerMethodField(help_text="The fields the public sees of this version.")

    class Meta:
        model = PublishedVersion
        fields = ["number", "published_at", "published_by", "changed", "withdrawn_at", "use_case_version", "public"]

    def get_public(self, obj: PublishedVersion) -> dict[str, Any]:
        profile = self.context.get("profile") or PublicationProfile.current()
        return obj.shown(profile.public_fields)


class PublicationSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    """A use case's publication: request, decision, public texts and the public version."""

    use_case = VisibleUseCaseField(help_text="The use case to publish (its id).")
    organisation = serializers.SlugRelatedField(slug_field="code", read_only=True)  # type: ignore[var-annotated]
    note = serializers.CharField(
        write_only=True, required=False, allow_blank=True, max_length=2000, help_text="A note to the approver."
    )
    is_published = serializers.BooleanField(read_only=True)
    public_version = serializers.SerializerMethodField()
    public_url = serializers.SerializerMethodField()
    version = version_field()

    class Meta:
        model = PublicationRecord
        fields = [
            "id", "use_case", "organisation", "contact", "human_oversight", "data_used", "note",
            "request_state", "requested_at", "request_note", "decided_at", "decision_note",
            "is_published", "public_version", "published_at", "public_url", "withdrawn_at", "withdrawal_reason",
            "version", "updated_at",
        ]  # fmt: skip
        read_only_fields = [
            "request_state", "requested_at", "request_note", "decided_at", "decision_note", "published_at",
            "withdrawn_at", "withdrawal_reason", "updated_at",
        ]  # fmt: skip

    def get_public_version(self, obj: PublicationRecord) -> int | None:
        return obj.current.number if obj.current is not None else None

    def get_public_url(self, obj: PublicationRecord) -> str | None:
        if obj.current is None:
            return None
        request = self.context.get("request")
        url = reverse("register-record", args=[obj.pk])
        return request.build_absolute_uri(url) if request else url


class PublicationTextsSerializer(serializers.Serializer):  # type: ignore[type-arg]
    contact = serializers.CharField(required=False, allow_blank=True, max_length=300)
    human_oversight = serializers.CharField(required=False, allow_blank=True, max_length=20000)
    data_used = serializers.CharField(required=False, allow_blank=True, max_length=20000)
    version = version_field()


class PublicationDecisionSerializer(serializers.Serializer):  # type: ignore[type-arg]
    note = serializers.CharField(required=False, allow_blank=True, max_length=2000)
    version = version_field()


class PublicationApprovalSerializer(PublicationDecisionSerializer):
    use_case_version = serializers.IntegerField(
        required=False,
        min_value=1,
        help_text="The use case's version you reviewed: if it changed since, 409 instead of publishing it unseen.",
    )


class PublicationWithdrawSerializer(serializers.Serializer):  # type: ignore[type-arg]
    reason = serializers.CharField(required=False, allow_blank=True, max_length=2000)
    version = version_field()


class PublicationProfileSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    public_fields = serializers.ListField(
        child=serializers.ChoiceField(choices=list(catalogue.KEYS)),
        required=False,
        help_text="Field keys the register shows (name and organisation always).",
    )
    version = version_field(min_value=0)  # 0 until first saved
    updated_at = unsaved_timestamp()

    class Meta:
        model = PublicationProfile
        fields = ["enabled", "public_fields", "title_en", "title_ru", "intro_en", "intro_ru", "publisher", "licence",
                  "licence_url", "version", "updated_at"]  # fmt: skip
        read_only_fields = ["updated_at"]
