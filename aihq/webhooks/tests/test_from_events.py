"""From an action to a receiver: a serious incident logged by an editor reaches a registered endpoint through
``aihq run_routines`` — signed so the receiver can verify it, retried after the receiver failed, never in the way
of the editor's action."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.utils import timezone

from aihq.regulation.services import incident_create
from aihq.routines.run import run_routines
from aihq.webhooks.models import Delivery

pytestmark = pytest.mark.django_db


def test_an_incident_reaches_the_receiver_signed_and_retried(world, receiver, make_endpoint):
    _endpoint, receiver.secret = make_endpoint(receiver.url(), event_types=["incident_serious", "gate_decision"])
    receiver.answers = [503]  # the first try fails
    incident = incident_create(actor=world.users["editor_a"], use_case=world.uc_a, title="Wrong denials",
                               occurred_on=dt.date(2026, 11, 1), detected_on=dt.date(2026, 11, 2),
                               severity="serious")  # fmt: skip
    assert receiver.count == 0  # logging it sent nothing: the routines do
    now = timezone.now()
    summary = run_routines(now)
    assert summary.counts["incidents"] == 1
    assert summary.counts.get("webhooks to retry") == 1, summary.counts
    assert receiver.count == 1
    run_routines(now + dt.timedelta(seconds=30))  # before the backoff: nothing more
    assert receiver.count == 1
    summary = run_routines(now + dt.timedelta(minutes=2))
    assert summary.counts["webhooks delivered"] == 1
    assert receiver.count == 2
    first, second = receiver.requests
    assert first.signature_ok
    assert second.signature_ok
    assert first.headers["X-AIHQ-Delivery"] == second.headers["X-AIHQ-Delivery"]
    body = json.loads(second.body)
    assert body["type"] == "incident_serious"
    assert body["organisation"] == "A"
    assert body["data"]["id"] == incident.pk
    assert body["data"]["title"] == "Wrong denials"
    delivery = Delivery.objects.get()
    assert delivery.state == "succeeded"
    assert delivery.attempts == 2
    run_routines(now + dt.timedelta(hours=1))
    assert receiver.count == 2  # delivered once: never again


def test_a_delivery_taken_back_after_its_lease_is_sent_once(world, receiver, make_endpoint, make_event):
    """A worker claims a batch, stalls past the lease; another takes the delivery back and sends it. When the
    first worker comes to it, its lease is gone: it does not send it again."""
    from aihq.webhooks.delivery import LEASE, attempt, claim_due
    from aihq.webhooks.services import enqueue

    _endpoint, receiver.secret = make_endpoint(receiver.url())
    enqueue(make_event())
    now = timezone.now()
    (stalled,) = claim_due(now)
    (taken,) = claim_due(now + LEASE + dt.timedelta(minutes=1))
    assert attempt(taken, now + LEASE + dt.timedelta(minutes=1)) == "succeeded"
    assert attempt(stalled, now) == ""
    assert receiver.count == 1
