"""Sending webhook deliveries: claim what is due, POST it signed, log the attempt, schedule a retry or give up.

Run ``deliver_due`` outside any transaction (``aihq run_routines`` does, every few minutes): each delivery is
claimed in a short transaction of its own (a lease: several workers never send one delivery twice), then sent
with no transaction open, so a slow or failing receiver holds no lock and blocks nobody.
"""

from __future__ import annotations

import datetime as dt
import http.client
import logging
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone

from aihq.webhooks import protocol
from aihq.webhooks.models import OPEN_STATES, Attempt, Delivery, DeliveryState

logger = logging.getLogger(__name__)

#: How long a worker holds a claimed delivery; one it crashed on is sent again after this.
LEASE = dt.timedelta(minutes=5)
#: Seconds to wait for a receiver to connect and answer.
TIMEOUT = 10
#: The most of a receiver's answer read (and thrown away): enough to let it finish, never a memory risk.
MAX_RESPONSE_BYTES = 64 * 1024


@dataclass
class DeliverySummary:
    """What one run of the worker did."""

    claimed: int = 0
    succeeded: int = 0
    retrying: int = 0
    failed: int = 0


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    """A redirect is an answer, not a success: the event is not re-sent to wherever it points."""

    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


_opener = urllib.request.build_opener(_NoRedirects())


def claim_due(now: dt.datetime | None = None, limit: int = 200, *, ids: Sequence[int] | None = None) -> list[Delivery]:
    """Take up to ``limit`` deliveries due at ``now`` (of active endpoints; ``ids``: just those, active or not)
    and lease them to this worker. A delivery another worker holds is skipped (PostgreSQL skips its locked rows;
    everywhere, the conditional update only leases rows still due)."""
    now = now or timezone.now()
    lease = uuid.uuid4().hex
    with transaction.atomic():
        due = Delivery.objects.filter(state__in=OPEN_STATES, next_attempt_at__lte=now)
        due = due.filter(pk__in=list(ids)) if ids is not None else due.filter(endpoint__active=True)
        due = due.order_by("next_attempt_at", "pk")
        if connection.features.has_select_for_update_skip_locked:
            due = due.select_for_update(skip_locked=True, of=("self",))
        candidates = list(due.values_list("pk", flat=True)[:limit])
        if not candidates:
            return []
        Delivery.objects.filter(pk__in=candidates, state__in=OPEN_STATES, next_attempt_at__lte=now).update(
            lease=lease, next_attempt_at=now + LEASE
        )
    return list(Delivery.objects.filter(pk__in=candidates, lease=lease).select_related("endpoint").order_by("pk"))


def post(url: str, body: bytes, headers: dict[str, str]) -> tuple[int | None, str]:
    """POST once: the HTTP status (None when no answer came) and what went wrong ("" for a 2xx). Never raises."""
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")  # noqa: S310 (https, or http to listed hosts)
    try:
        with _opener.open(request, timeout=TIMEOUT) as response:
            response.read(MAX_RESPONSE_BYTES)
            status: int = response.status
    except urllib.error.HTTPError as exc:
        exc.close()
        note = " (redirects are not followed)" if 300 <= exc.code < 400 else ""
        return exc.code, f"HTTP {exc.code} {exc.reason}{note}"
    except urllib.error.URLError as exc:
        return None, str(exc.reason) or type(exc.reason).__name__
    except (OSError, http.client.HTTPException, ValueError) as exc:
        return None, f"{type(exc).__name__}: {exc}".rstrip(": ")
    except Exception as exc:  # whatever a receiver does, the worker logs it and goes on
        logger.exception("Webhook POST to %s failed unexpectedly", url)
        return None, f"{type(exc).__name__}: {exc}".rstrip(": ")
    return status, "" if protocol.is_success(status) else f"HTTP {status}"


def _send(delivery: Delivery) -> tuple[int | None, str, int]:
    endpoint = delivery.endpoint
    try:  # the operators may have withdrawn an insecure host since the endpoint was saved
        protocol.validate_url(endpoint.url, settings.AIHQ_WEBHOOK_INSECURE_HOSTS)
    except ValidationError as exc:
        return None, " ".join(exc.messages), 0
    body = delivery.body.encode()
    timestamp = int(time.time())  # the receiver's clock checks it, whatever clock the schedule runs on
    headers = protocol.headers(
        event_type=delivery.event_type,
        delivery=str(delivery.uuid),
        timestamp=timestamp,
        signature=protocol.sign(endpoint.secret, timestamp, body),
    )
    started = time.monotonic()
    status, error = post(endpoint.url, body, headers)
    return status, error, int((time.monotonic() - started) * 1000)


def attempt(delivery: Delivery, now: dt.datetime | None = None) -> str:
    """Send one claimed delivery, log the attempt and move it on; returns its new state ("" when another worker
    took it back because this one's lease ran out while it sent others: that worker sends it, not this one)."""
    renewed = (
        max(now or timezone.now(), timezone.now()) + LEASE
    )  # the lease covers this attempt, however long the batch
    if not Delivery.objects.filter(pk=delivery.pk, lease=delivery.lease).update(next_attempt_at=renewed):
        return ""
    status, error, duration = _send(delivery)
    at = now or timezone.now()
    attempts = delivery.attempts + 1
    error = error[:500]
    changes: dict[str, Any] = {"attempts": attempts, "lease": "", "last_status_code": status, "last_error": error}
    if protocol.is_success(status):
        changes.update(state=DeliveryState.SUCCEEDED, next_attempt_at=None, delivered_at=at)
    else:
        delay = protocol.retry_delay(attempts, 1 if delivery.is_ping else protocol.MAX_ATTEMPTS)
        if delay is None:
            changes.update(state=DeliveryState.FAILED, next_attempt_at=None)
        else:
            changes.update(state=DeliveryState.RETRYING, next_attempt_at=at + delay)
        logger.info("Webhook delivery %s attempt %s failed: %s", delivery.uuid, attempts, error)
    with transaction.atomic():
        Attempt.objects.create(delivery=delivery, at=at, status_code=status, error=error, duration_ms=duration)
        # Only while this worker still holds the lease: a delivery queued again meanwhile keeps its new round.
        Delivery.objects.filter(pk=delivery.pk, lease=delivery.lease).update(**changes)
    state: str = changes["state"]
    return state


def deliver_due(now: dt.datetime | None = None, limit: int = 200) -> DeliverySummary:
    """Send up to ``limit`` deliveries due at ``now`` (default: the current time; tests move it). A receiver
    that is down, slow or answering errors never raises here: the attempt is logged and retried with backoff
    (1, 2, 4, 8, 16, 32, 60 minutes) until the 8th failure, which gives it up."""
    summary = DeliverySummary()
    for delivery in claim_due(now, limit):
        summary.claimed += 1
        state = attempt(delivery, now)
        if not state:
            summary.claimed -= 1
        elif state == DeliveryState.SUCCEEDED:
            summary.succeeded += 1
        elif state == DeliveryState.RETRYING:
            summary.retrying += 1
        else:
            summary.failed += 1
    return summary


def deliver_now(delivery: Delivery, now: dt.datetime | None = None) -> Delivery:
    """Send one delivery at once if it is due and no worker holds it (a test ping from the page); returns it as
    it now stands."""
    for claimed in claim_due(now, 1, ids=[delivery.pk]):
        attempt(claimed, now)
    current: Delivery = Delivery.objects.select_related("endpoint").get(pk=delivery.pk)
    return current
