from __future__ import annotations

from rest_framework import serializers

from aihq.accounts.models import Membership, Role, SsoMapping, User
from aihq.registry.models import Organisation


class MembershipSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    user = serializers.SlugRelatedField(slug_field="username", queryset=User.objects.all())
    organisation = serializers.SlugRelatedField(
        slug_field="code", queryset=Organisation.objects.all(), required=False, allow_null=True
    )
    role = serializers.ChoiceField(choices=Role.choices)

    class Meta:
        model = Membership
        fields = ["id", "user", "organisation", "role", "source", "created_at"]
        read_only_fields = ["id", "source", "created_at"]
        validators: list[object] = []


class SsoMappingSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    claim = serializers.CharField(
        max_length=100,
        required=False,
        allow_blank=True,
        help_text="The identity provider's claim; empty or left out for the groups claim (AIHQ_OIDC_GROUPS_CLAIM).",
    )
    organisation = serializers.SlugRelatedField(
        slug_field="code", queryset=Organisation.objects.all(), required=False, allow_null=True
    )
    role = serializers.ChoiceField(choices=Role.choices)

    class Meta:
        model = SsoMapping
        fields = ["id", "claim", "value", "organisation", "role", "created_at"]
        read_only_fields = ["id", "created_at"]
        validators: list[object] = []
