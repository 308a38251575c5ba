from __future__ import annotations

from rest_framework import serializers

from aihq.accounts.models import Membership, Role, User
from aihq.registry.models import Organisation


class MembershipSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    user = serializers.SlugRelatedField(slug_field="username", queryset=User.objects.all())
    organisation = serializers.SlugRelatedField(
        slug_field="code", queryset=Organisation.objects.all(), required=False, allow_null=True
    )
    role = serializers.ChoiceField(choices=Role.choices)

    class Meta:
        model = Membership
        fields = ["id", "user", "organisation", "role", "created_at"]
        read_only_fields = ["id", "created_at"]
        validators: list[object] = []
