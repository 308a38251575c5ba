"""Reads of the audit log (HQ admins and auditors only) and the chain check."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.db.models import Model, QuerySet

from aihq.audit.hashing import ChainBreak, verify_chain
from aihq.audit.models import AuditEvent, AuditHead


def audit_event_list(user: Any) -> QuerySet[AuditEvent]:
    return AuditEvent.objects.restrict(user, "view").select_related("actor")


def object_history(obj: Model) -> QuerySet[AuditEvent]:
    """The events of one object, newest first; callers show it only to users who can see the object."""
    meta = obj._meta
    return AuditEvent.objects.filter(object_type=f"{meta.app_label}.{meta.model_name}", object_id=str(obj.pk))


def _events_in_order(batch_size: int = 2000) -> Iterator[dict[str, Any]]:
    last = 0
    while True:
        batch = list(AuditEvent.objects.filter(seq__gt=last).order_by("seq")[:batch_size])
        if not batch:
            return
        for event in batch:
            yield event.hashed_content()
        last = batch[-1].seq


def verify_audit_chain() -> tuple[ChainBreak | None, int]:
    """Check the whole chain; returns the first break (or None) and how many events were read."""
    head = AuditHead.objects.filter(pk=1).first()
    count = 0

    def counted() -> Iterator[dict[str, Any]]:
        nonlocal count
        for event in _events_in_order():
            count += 1
            yield event

    result = verify_chain(counted(), head.seq if head else None, head.hash if head else None)
    return result, count
