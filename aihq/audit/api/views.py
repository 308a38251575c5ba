"""The audit log over the API: read-only, for HQ admins and auditors."""

from __future__ import annotations

from django.db.models import QuerySet
from rest_framework import viewsets

from aihq.audit.api.serializers import AuditEventSerializer
from aihq.audit.filtersets import AuditEventFilterSet
from aihq.audit.models import AuditEvent
from aihq.audit.selectors import audit_event_list


class AuditEventViewSet(viewsets.ReadOnlyModelViewSet):  # type: ignore[type-arg]
    """Every recorded change, newest first. Filter by object_type, object_id, user, action, request_id, since, until."""

    serializer_class = AuditEventSerializer
    filterset_class = AuditEventFilterSet
    lookup_field = "seq"
    queryset = AuditEvent.objects.none()

    def get_queryset(self) -> QuerySet[AuditEvent]:
        return audit_event_list(self.request.user)
