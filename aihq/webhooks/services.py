"""Writes to webhooks: HQ admins register, change, rotate and delete endpoints (audited by the model mixin), queue a
test ping or a delivery again; ``enqueue`` queues an event for every endpoint that wants it.

``enqueue`` runs inside the transaction of the user's action (the notifications app calls it when an event is
emitted): it only inserts rows, never touches the network, so a failing endpoint cannot slow or break the action.
Sending is ``deliver_due``'s job (in ``aihq.webhooks.delivery``, importable from here), outside any transaction.
"""

from __future__ import annotations

import secrets
import uuid
from collections.abc import Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from aihq.accounts.permissions import person, require_hq_admin
from aihq.core.services import check_version, reject_unknown_fields, save_valid, service
from aihq.notifications.models import Event
from aihq.registry.models import Organisation
from aihq.webhooks import protocol
from aihq.webhooks.delivery import deliver_due as deliver_due  # the worker, importable from here too
from aihq.webhooks.models import OPEN_STATES, PING, Delivery, DeliveryState, Endpoint

ENDPOINT_FIELDS = frozenset({"name", "url", "event_types", "organisation", "active", "description"})


def _require_admin(actor: Any) -> None:
    require_hq_admin(actor, _("Only HQ admins manage webhooks."))


def new_secret() -> str:
    """A fresh signing secret (256 random bits, URL-safe text)."""
    return secrets.token_urlsafe(32)


# --- endpoints ---------------------------------------------------------------------------------------------------


@service
def endpoint_create(
    *,
    actor: Any,
    name: str,
    url: str,
    event_types: Sequence[str],
    organisation: Organisation | None = None,
    active: bool = True,
    description: str = "",
) -> tuple[Endpoint, str]:
    """Register an endpoint; returns it and its signing secret, which is shown to the HQ admin this once."""
    _require_admin(actor)
    secret = new_secret()
    endpoint = save_valid(
        Endpoint(
            name=name,
            url=url,
            event_types=list(event_types),
            organisation=organisation,
            active=active,
            description=description,
            secret=secret,
            secret_rotated_at=timezone.now(),
            created_by=person(actor),
        )
    )
    return endpoint, secret


def _locked(endpoint: Endpoint, expected_version: int | None, precondition: bool) -> Endpoint:
    current: Endpoint = Endpoint.objects.select_for_update().order_by().get(pk=endpoint.pk)
    check_version(current.version, expected_version, precondition=precondition)
    return current


@service
def endpoint_update(
    *,
    actor: Any,
    endpoint: Endpoint,
    expected_version: int | None = None,
    precondition: bool = False,
    **changes: Any,
) -> Endpoint:
    """Change an endpoint's name, URL, event types, organisation filter, active flag or description."""
    _require_admin(actor)
    reject_unknown_fields(changes, ENDPOINT_FIELDS)
    current = _locked(endpoint, expected_version, precondition)
    for name, value in changes.items():
        setattr(current, name, list(value) if name == "event_types" else value)
    current.version += 1
    return save_valid(current)


@service
def endpoint_rotate_secret(
    *, actor: Any, endpoint: Endpoint, expected_version: int | None = None, precondition: bool = False
) -> tuple[Endpoint, str]:
    """Give the endpoint a new signing secret (the old one stops working at once); returns it, shown this once.
    Deliveries still waiting are signed with the new secret when they are sent."""
    _require_admin(actor)
    current = _locked(endpoint, expected_version, precondition)
    current.secret = new_secret()
    current.secret_rotated_at = timezone.now()
    current.version += 1
    return save_valid(current), current.secret


@service
def endpoint_delete(
    *, actor: Any, endpoint: Endpoint, expected_version: int | None = None, precondition: bool = False
) -> None:
    """Delete an endpoint with its delivery log (the audit log keeps the endpoint's last state)."""
    _require_admin(actor)
    _locked(endpoint, expected_version, precondition).delete()


# --- queueing ----------------------------------------------------------------------------------------------------


def _ancestors(organisation_id: int) -> set[int]:
    """The organisation and every one above it."""
    parent_of: dict[int, int | None] = dict(Organisation.objects.values_list("id", "parent_id"))
    found: set[int] = set()
    node: int | None = organisation_id
    while node is not None and node not in found:
        found.add(node)
        node = parent_of.get(node)
    return found


def event_body(event: Event, delivery: uuid.UUID) -> str:
    """The JSON text one delivery of ``event`` sends."""
    return protocol.build_body(
        event_id=event.key,
        event_type=event.kind,
        occurred_at=event.occurred_at,
        organisation=event.organisation.code if event.organisation is not None else None,
        data=event.payload,
        delivery=str(delivery),
    )


def enqueue(event: Event) -> int:
    """Queue ``event`` for every active endpoint subscribed to its kind (and, for an endpoint limited to an
    organisation, only an event of that organisation or one below it). Returns how many deliveries were queued:
    queueing the same event again queues none. Database inserts only, no network: safe inside the transaction of
    the action that emitted the event."""
    endpoints = [e for e in Endpoint.objects.filter(active=True).order_by("pk") if e.subscribes_to(event.kind)]
    if any(e.organisation_id is not None for e in endpoints):
        above = _ancestors(event.organisation_id) if event.organisation_id is not None else set()
        endpoints = [e for e in endpoints if e.organisation_id is None or e.organisation_id in above]
    if not endpoints:
        return 0
    queued = set(Delivery.objects.filter(event=event, endpoint__in=endpoints).values_list("endpoint_id", flat=True))
    # Due from when the event happened: a worker running on a clock fixed at its start still sends what the same
    # run emitted.
    due = min(timezone.now(), event.occurred_at)
    rows = []
    for endpoint in endpoints:
        if endpoint.pk in queued:
            continue
        key = uuid.uuid4()
        rows.append(
            Delivery(
                endpoint=endpoint,
                event=event,
                event_type=event.kind,
                uuid=key,
                body=event_body(event, key),
                state=DeliveryState.PENDING,
                next_attempt_at=due,
            )
        )
    # A concurrent enqueue of the same event may have won a row since: the unique constraint keeps one.
    Delivery.objects.bulk_create(rows, ignore_conflicts=True)
    return len(rows)


@service
def send_test(*, actor: Any, endpoint: Endpoint) -> Delivery:
    """Queue a test ping for ``endpoint`` (even an inactive one), due at once; it is logged like any delivery but
    tried only once. ``delivery.deliver_now`` sends it."""
    _require_admin(actor)
    now = timezone.now()
    key = uuid.uuid4()
    body = protocol.build_body(
        event_id=f"ping:{key}",
        event_type=PING,
        occurred_at=now,
        organisation=None,
        data={"endpoint": endpoint.name, "message": "Test delivery from AIHQ."},
        delivery=str(key),
    )
    return save_valid(
        Delivery(
            endpoint=endpoint,
            event=None,
            event_type=PING,
            uuid=key,
            body=body,
            state=DeliveryState.PENDING,
            next_attempt_at=now,
            requested_by=person(actor),
            requested_at=now,
        )
    )


@service
def redeliver(*, actor: Any, delivery: Delivery) -> Delivery:
    """Queue a delivery again, due at once, with the same body and delivery id and a fresh round of attempts."""
    _require_admin(actor)
    current: Delivery = Delivery.objects.select_for_update().order_by().select_related("endpoint").get(pk=delivery.pk)
    now = timezone.now()
    if current.lease and current.state in OPEN_STATES and current.next_attempt_at and current.next_attempt_at > now:
        raise ValidationError({"state": _("This delivery is being sent right now: look again in a moment.")})
    if not current.endpoint.active:
        raise ValidationError({"endpoint": _("The endpoint is inactive: activate it first.")})
    current.state = DeliveryState.PENDING
    current.attempts = 0
    current.next_attempt_at = now
    current.lease = ""
    current.requested_by = person(actor)
    current.requested_at = now
    current.save()
    return current
