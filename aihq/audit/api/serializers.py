from __future__ import annotations

from rest_framework import serializers

from aihq.audit.models import AuditEvent


class AuditEventSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    class Meta:
        model = AuditEvent
        fields = [
            "seq",
            "timestamp",
            "actor_label",
            "request_id",
            "object_type",
            "object_id",
            "object_repr",
            "action",
            "before",
            "after",
            "prev_hash",
            "hash",
        ]
        read_only_fields = fields
