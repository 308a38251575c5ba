"""Emitting an event: recorded once, told to each recipient in their language, queued for webhooks.

Nothing here touches the network: e-mails and webhook deliveries are sent by ``aihq run_routines``, so a slow
mail server or a failing endpoint never holds up the action that caused the event.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone, translation

from aihq.accounts import permissions
from aihq.accounts.models import Membership, User
from aihq.notifications import messages
from aihq.notifications.kinds import DEFAULT_DELIVERY, Delivery
from aihq.notifications.models import EmailState, Event, Notification, Preference
from aihq.registry.models import Organisation


def language_of(user: User) -> str:
    return user.language or settings.LANGUAGE_CODE


def deliveries(users: Iterable[User], kind: str) -> dict[int, str]:
    """How each user wants ``kind``: their preference, or the kind's default."""
    ids = [u.pk for u in users]
    chosen = dict(Preference.objects.filter(user__in=ids, kind=kind).values_list("user_id", "delivery"))
    return {pk: chosen.get(pk, DEFAULT_DELIVERY[kind]) for pk in ids}


def emit(
    kind: str,
    key: str,
    *,
    payload: Mapping[str, Any],
    recipients: Iterable[User],
    organisation: Organisation | int | None = None,
    occurred_at: dt.datetime | None = None,
) -> Event | None:
    """Record the event under ``key`` and notify ``recipients``; None when that key was emitted before."""
    organisation_id = organisation.pk if isinstance(organisation, Organisation) else organisation
    try:
        with transaction.atomic():
            event = Event.objects.create(
                kind=kind,
                key=key,
                organisation_id=organisation_id,
                payload=dict(payload),
                occurred_at=occurred_at or timezone.now(),
            )
            people = {u.pk: u for u in recipients if u.is_active}
            wanted = deliveries(people.values(), kind)
            rows = []
            for user in people.values():
                delivery = wanted[user.pk]
                if delivery == Delivery.OFF:
                    continue
                with translation.override(language_of(user)):
                    message = messages.render(kind, payload)
                if not user.email:
                    state = EmailState.NONE
                else:
                    state = EmailState.PENDING if delivery == Delivery.IMMEDIATE else EmailState.DIGEST
                rows.append(
                    Notification(
                        recipient=user,
                        event=event,
                        kind=kind,
                        organisation_id=organisation_id,
                        title=message.title[:300],
                        body=message.body,
                        url=message.url,
                        email_state=state,
                    )
                )
            Notification.objects.bulk_create(rows)
            from aihq.webhooks.services import enqueue

            enqueue(event)
    except IntegrityError:
        if Event.objects.filter(key=key).exists():
            return None  # emitted before, or by another worker at the same moment
        raise
    return event


def emitted(keys: Iterable[str]) -> set[str]:
    """Which of ``keys`` were emitted already (one query), so scanners skip them without trying."""
    keys = list(keys)
    found: set[str] = set()
    for start in range(0, len(keys), 500):
        found.update(Event.objects.filter(key__in=keys[start : start + 500]).values_list("key", flat=True))
    return found


class People:
    """Who to tell in an organisation: its editors, its coordinators (or those above it), the HQ's admins."""

    def __init__(self) -> None:
        self._parent = dict(Organisation.objects.values_list("pk", "parent_id"))
        self._by_org_role: dict[tuple[int | None, str], list[User]] = {}
        memberships = Membership.objects.filter(user__is_active=True).select_related("user")
        for membership in memberships.filter(Q(organisation__isnull=False) | Q(role=permissions.HQ_ADMIN)):
            self._by_org_role.setdefault((membership.organisation_id, membership.role), []).append(membership.user)

    def _role(self, organisation_id: int | None, role: str) -> list[User]:
        return list(self._by_org_role.get((organisation_id, role), []))

    def editors(self, organisation_id: int) -> list[User]:
        """The people who report for the organisation: its editors, or its coordinators when it has none."""
        return self._role(organisation_id, permissions.EDITOR) or self.coordinators(organisation_id)

    def coordinators(self, organisation_id: int) -> list[User]:
        """The organisation's coordinators, or the nearest ones above it."""
        seen: set[int] = set()
        current: int | None = organisation_id
        while current is not None and current not in seen:
            seen.add(current)
            found = self._role(current, permissions.COORDINATOR)
            if found:
                return found
            current = self._parent.get(current)
        return []

    def hq(self) -> list[User]:
        return self._role(None, permissions.HQ_ADMIN)

    def responsible(self, organisation_id: int | None) -> list[User]:
        """Editors and coordinators of the organisation: those who act on what happens to its use cases."""
        if organisation_id is None:
            return self.hq()
        return _unique(self._role(organisation_id, permissions.EDITOR) + self.coordinators(organisation_id))


def _unique(users: Iterable[User]) -> list[User]:
    return list({u.pk: u for u in users}.values())
