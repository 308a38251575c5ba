from __future__ import annotations

from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from rest_framework import serializers

from aihq.notifications.kinds import Delivery, Kind
from aihq.notifications.models import Notification

#: The languages e-mails can be written in; "" is the site's default (a named enum in the OpenAPI schema).
EMAIL_LANGUAGES = [("", gettext_lazy("Site default")), *settings.LANGUAGES]


class NotificationSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    unread = serializers.SerializerMethodField()

    class Meta:
        model = Notification
        fields = ["id", "kind", "title", "body", "url", "unread", "read_at", "organisation", "created_at"]
        read_only_fields = fields

    def get_unread(self, obj: Notification) -> bool:
        return obj.read_at is None


class ReadAllSerializer(serializers.Serializer):  # type: ignore[type-arg]
    kind = serializers.ChoiceField(
        choices=Kind.choices, required=False, help_text="Only this kind (default: every kind)."
    )


class ReadAllResultSerializer(serializers.Serializer):  # type: ignore[type-arg]
    count = serializers.IntegerField(help_text="How many notifications were marked read.")


class PreferencesSerializer(serializers.Serializer):  # type: ignore[type-arg]
    language = serializers.ChoiceField(
        choices=EMAIL_LANGUAGES,
        allow_blank=True,
        help_text='The language of e-mails and notifications ("" for the site\'s default).',
    )
    deliveries = serializers.DictField(
        child=serializers.ChoiceField(choices=Delivery.choices),
        help_text="How each kind of notification is delivered: immediate (e-mail at once), digest (daily "
        "e-mail) or off. Reading answers every kind; writing may give some.",
    )

    def validate_deliveries(self, value: dict[str, Any]) -> dict[str, Any]:
        unknown = sorted(set(value) - set(Kind.values))
        if unknown:
            raise serializers.ValidationError(
                _("Unknown kinds: %(kinds)s. Use: %(known)s.")
                % {"kinds": ", ".join(unknown), "known": ", ".join(Kind.values)}
            )
        return value
