"""Reads for the notification centre: a person's own notifications and how they want each kind.

A centre shows only what was sent to the person reading it, even to HQ admins and auditors (who may read
everyone's through ``restrict``).
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from aihq.notifications.kinds import DEFAULT_DELIVERY, Kind
from aihq.notifications.models import Notification, Preference


def _pk(user: Any) -> int:
    """The user's id, or 0 (no row) for anonymous users and command-line actors."""
    return int(getattr(user, "pk", None) or 0)


def own_notifications(user: Any) -> QuerySet[Notification]:
    """The notifications sent to ``user``, newest first."""
    return Notification.objects.restrict(user).filter(recipient_id=_pk(user)).order_by("-created_at", "-pk")


def unread_count(user: Any) -> int:
    """How many of ``user``'s notifications are unread (one COUNT query; none for anonymous users)."""
    pk = _pk(user)
    if not pk:
        return 0
    return Notification.objects.filter(recipient_id=pk, read_at__isnull=True).count()


def filtered(
    notifications: QuerySet[Notification], *, kind: str = "", unread: bool | None = None
) -> QuerySet[Notification]:
    """Narrow to one ``kind`` and to the unread (``unread=True``) or read (``False``) ones."""
    if kind:
        notifications = notifications.filter(kind=kind)
    if unread is not None:
        notifications = notifications.filter(read_at__isnull=unread)
    return notifications


def deliveries(user: Any) -> dict[str, str]:
    """How ``user`` wants every kind: their preference, or the kind's default."""
    chosen = dict(Preference.objects.filter(user_id=_pk(user)).values_list("kind", "delivery"))
    return {str(kind): chosen.get(kind, DEFAULT_DELIVERY[kind]) for kind in Kind.values}
