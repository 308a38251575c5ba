"""Writes of the notification centre: marking notifications read, and each person's preferences.

Everyone manages only their own: an HQ admin who may read others' notifications still cannot mark them read or
change how someone else is told.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from aihq.accounts.models import User
from aihq.accounts.permissions import person
from aihq.core.services import service
from aihq.notifications import selectors
from aihq.notifications.kinds import Delivery, Kind
from aihq.notifications.models import Notification, Preference


def _own_person(actor: Any, owner_id: int | None) -> User:
    """The signed-in person acting, who must be ``owner_id``."""
    who = person(actor)
    if who is None or who.pk != owner_id:
        raise PermissionDenied(_("You can only manage your own notifications."))
    return who  # type: ignore[no-any-return]


def language_codes() -> list[str]:
    return [code for code, _name in settings.LANGUAGES]


def unknown_kind_message(kind: str) -> str:
    return _("Unknown kind “%(kind)s”. Use one of: %(known)s.") % {"kind": kind, "known": ", ".join(Kind.values)}


def validate_kind(kind: str, field: str = "kind") -> None:
    if kind not in Kind.values:
        raise ValidationError({field: unknown_kind_message(kind)})


@service
def mark_read(*, actor: Any, notification: Notification) -> Notification:
    """Mark one of the actor's notifications read (once: reading it again keeps the first time)."""
    _own_person(actor, notification.recipient_id)
    if notification.read_at is None:
        now = timezone.now()
        Notification.objects.filter(pk=notification.pk, read_at__isnull=True).update(read_at=now, updated_at=now)
        notification.refresh_from_db(fields=["read_at", "updated_at"])
    return notification


@service
def mark_all_read(*, actor: Any, kind: str | None = None) -> int:
    """Mark all the actor's unread notifications (of ``kind``, when given) read; returns how many."""
    who = person(actor)
    if who is None:
        raise PermissionDenied(_("You can only manage your own notifications."))
    if kind:
        validate_kind(kind)
    now = timezone.now()
    unread = selectors.filtered(Notification.objects.filter(recipient_id=who.pk), kind=kind or "", unread=True)
    return unread.update(read_at=now, updated_at=now)


@service
def preferences_update(
    *, actor: Any, user: User, deliveries: Mapping[str, str], language: str | None = None
) -> dict[str, str]:
    """Change how ``user`` is told about each kind in ``deliveries`` and, unless None, the language of their
    e-mails ("" for the site's default). Only kinds whose delivery changes get a row. Returns every kind's
    delivery afterwards."""
    _own_person(actor, user.pk)
    errors: dict[str, list[str]] = {}
    unknown = sorted(str(k) for k in deliveries if k not in Kind.values)
    if unknown:
        errors.setdefault("deliveries", []).append(
            _("Unknown kinds: %(kinds)s. Use: %(known)s.")
            % {"kinds": ", ".join(unknown), "known": ", ".join(Kind.values)}
        )
    wrong = sorted(str(k) for k, v in deliveries.items() if v not in Delivery.values)
    if wrong:
        errors.setdefault("deliveries", []).append(
            _("Unknown delivery for %(kinds)s. Use: %(known)s.")
            % {"kinds": ", ".join(wrong), "known": ", ".join(Delivery.values)}
        )
    if language is not None and language not in ["", *language_codes()]:
        errors["language"] = [
            _("Unknown language “%(language)s”. Use one of: %(known)s, or leave it empty for the site's default.")
            % {"language": language, "known": ", ".join(language_codes())}
        ]
    if errors:
        raise ValidationError(errors)

    current = selectors.deliveries(user)
    existing = {p.kind: p for p in Preference.objects.select_for_update().filter(user=user)}
    for kind, delivery in deliveries.items():
        if current[kind] == delivery:
            continue
        preference = existing.get(kind) or Preference(user=user, kind=kind)
        preference.delivery = delivery
        preference.full_clean()
        preference.save()
        current[kind] = delivery
    if language is not None and language != user.language:
        user.language = language
        user.save(update_fields=["language"])
    return current
