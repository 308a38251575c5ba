from __future__ import annotations

from rest_framework import serializers

from aihq.accounts.models import User
from aihq.core.api import version_field
from aihq.notifications.kinds import Kind
from aihq.registry.models import Organisation
from aihq.webhooks.models import Attempt, Delivery, DeliveryState, Endpoint


class EndpointSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    """An endpoint as everyone allowed reads it: never with its secret."""

    event_types = serializers.ListField(
        child=serializers.ChoiceField(choices=Kind.choices), allow_empty=False, help_text="Kinds of event sent here."
    )
    organisation = serializers.SlugRelatedField(
        slug_field="code",
        queryset=Organisation.objects.all(),
        allow_null=True,
        required=False,
        help_text="An organisation's code: only its events and those of the organisations below it (null: all).",
    )
    created_by: serializers.SlugRelatedField[User] = serializers.SlugRelatedField(slug_field="username", read_only=True)
    delivery_count = serializers.IntegerField(read_only=True)
    failed_count = serializers.IntegerField(read_only=True, help_text="Deliveries given up.")
    retrying_count = serializers.IntegerField(read_only=True)
    pending_count = serializers.IntegerField(read_only=True)
    last_state = serializers.ChoiceField(
        choices=DeliveryState.choices, read_only=True, allow_null=True, help_text="The latest delivery's state."
    )
    last_status_code = serializers.IntegerField(read_only=True, allow_null=True)
    last_delivery_at = serializers.DateTimeField(read_only=True, allow_null=True)
    version = version_field()

    class Meta:
        model = Endpoint
        fields = ["id", "name", "url", "event_types", "organisation", "active", "description", "created_by",
                  "secret_rotated_at", "delivery_count", "failed_count", "retrying_count", "pending_count",
                  "last_state", "last_status_code", "last_delivery_at", "version", "created_at",
                  "updated_at"]  # fmt: skip
        read_only_fields = ["id", "created_by", "secret_rotated_at", "created_at", "updated_at"]


class EndpointSecretSerializer(EndpointSerializer):
    """An endpoint with its signing secret: only the answer to creating it or rotating the secret."""

    secret = serializers.CharField(read_only=True, help_text="Shown this once: keep it where the receiver runs.")

    class Meta(EndpointSerializer.Meta):
        fields = [*EndpointSerializer.Meta.fields, "secret"]


class VersionSerializer(serializers.Serializer):  # type: ignore[type-arg]
    version = version_field()


class AttemptSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    class Meta:
        model = Attempt
        fields = ["at", "status_code", "error", "duration_ms"]
        read_only_fields = fields


class DeliverySerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    uuid = serializers.UUIDField(read_only=True, help_text="The delivery id: the X-AIHQ-Delivery header's value.")
    event = serializers.SerializerMethodField(help_text="The event's key (null for a test ping).")
    requested_by: serializers.SlugRelatedField[User] = serializers.SlugRelatedField(
        slug_field="username", read_only=True
    )

    class Meta:
        model = Delivery
        fields = ["id", "uuid", "endpoint", "event", "event_type", "state", "attempts", "next_attempt_at",
                  "last_status_code", "last_error", "delivered_at", "requested_by", "requested_at",
                  "created_at"]  # fmt: skip
        read_only_fields = fields

    def get_event(self, obj: Delivery) -> str | None:
        return obj.event.key if obj.event is not None else None


class DeliveryDetailSerializer(DeliverySerializer):
    """A delivery with the exact JSON text it sends and every attempt."""

    attempt_log = AttemptSerializer(many=True, read_only=True)

    class Meta(DeliverySerializer.Meta):
        fields = [*DeliverySerializer.Meta.fields, "body", "attempt_log"]
        read_only_fields = fields
