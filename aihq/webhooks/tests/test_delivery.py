"""Queueing and sending with a real receiver on loopback: signed deliveries, retries on the clock, giving up,
idempotent queueing, who gets what, leases between workers, and a receiver that is down never raising."""

from __future__ import annotations

import datetime as dt
import json
import threading
from typing import Any

import pytest
from django.db import connection, transaction
from django.utils import timezone

from aihq.webhooks import delivery, protocol, services
from aihq.webhooks.models import Attempt, Delivery, DeliveryState

pytestmark = pytest.mark.django_db


def _minutes(n: float) -> dt.timedelta:
    return dt.timedelta(minutes=n)


class TestSending:
    def test_a_delivery_is_posted_signed_and_logged(self, receiver, make_endpoint, make_event):
        endpoint, secret = make_endpoint(receiver.url())
        receiver.secret = secret
        event = make_event()
        assert services.enqueue(event) == 1
        assert receiver.count == 0  # queueing sends nothing

        summary = delivery.deliver_due()

        assert summary == delivery.DeliverySummary(claimed=1, succeeded=1)
        [got] = receiver.requests
        queued = Delivery.objects.get(endpoint=endpoint, event=event)
        assert got.signature_ok
        assert got.path == "/hook"
        assert got.body == queued.body.encode()
        assert got.headers["Content-Type"] == "application/json"
        assert got.headers["User-Agent"] == "AIHQ-Webhooks/1"
        assert got.headers["X-AIHQ-Event"] == "incident_serious"
        assert got.headers["X-AIHQ-Delivery"] == str(queued.uuid)
        assert abs(int(got.headers["X-AIHQ-Timestamp"]) - timezone.now().timestamp()) < 60
        assert protocol.verify(secret, got.headers["X-AIHQ-Timestamp"], got.body, got.headers["X-AIHQ-Signature"])
        body = json.loads(got.body)
        assert body == {
            "id": event.key,
            "type": "incident_serious",
            "occurred_at": "2026-11-30T09:15:00Z",
            "organisation": "A",
            "data": event.payload,
            "delivery": str(queued.uuid),
        }
        assert queued.state == DeliveryState.SUCCEEDED
        assert queued.attempts == 1
        assert queued.last_status_code == 200
        assert queued.delivered_at is not None
        assert queued.next_attempt_at is None
        assert queued.lease == ""
        [logged] = Attempt.objects.filter(delivery=queued)
        assert (logged.status_code, logged.error) == (200, "")

    def test_a_500_is_retried_after_its_backoff_and_not_before(self, receiver, make_endpoint, make_event):
        endpoint, receiver.secret = make_endpoint(receiver.url())
        receiver.answers = [500]
        services.enqueue(make_event())
        start = timezone.now()

        first = delivery.deliver_due(now=start)

        queued = Delivery.objects.get(endpoint=endpoint)
        assert first == delivery.DeliverySummary(claimed=1, retrying=1)
        assert queued.state == DeliveryState.RETRYING
        assert queued.attempts == 1
        assert queued.last_status_code == 500
        assert "500" in queued.last_error
        assert queued.next_attempt_at == start + _minutes(1)

        assert delivery.deliver_due(now=start + dt.timedelta(seconds=59)).claimed == 0
        assert receiver.count == 1

        later = delivery.deliver_due(now=start + dt.timedelta(seconds=61))

        assert later == delivery.DeliverySummary(claimed=1, succeeded=1)
        assert receiver.count == 2
        assert all(r.signature_ok for r in receiver.requests)
        assert receiver.requests[0].body == receiver.requests[1].body  # the same bytes each time
        queued.refresh_from_db()
        assert queued.state == DeliveryState.SUCCEEDED
        assert queued.attempts == 2
        assert queued.last_error == ""
        assert list(Attempt.objects.filter(delivery=queued).values_list("status_code", flat=True)) == [500, 200]

    def test_a_receiver_that_is_down_never_raises_and_is_retried(self, closed_url, make_endpoint, make_event):
        endpoint, _secret = make_endpoint(closed_url)
        services.enqueue(make_event())

        summary = delivery.deliver_due()

        assert summary == delivery.DeliverySummary(claimed=1, retrying=1)
        queued = Delivery.objects.get(endpoint=endpoint)
        assert queued.state == DeliveryState.RETRYING
        assert queued.last_status_code is None
        assert "refused" in queued.last_error.lower()
        [logged] = Attempt.objects.filter(delivery=queued)
        assert logged.status_code is None
        assert logged.error == queued.last_error

    def test_after_eight_failures_it_is_given_up(self, receiver, make_endpoint, make_event):
        endpoint, receiver.secret = make_endpoint(receiver.url())
        receiver.answers = [503] * 20
        services.enqueue(make_event())
        now = timezone.now()
        waits = []
        for _attempt in range(8):
            assert delivery.deliver_due(now=now).claimed == 1
            queued = Delivery.objects.get(endpoint=endpoint)
            if queued.next_attempt_at is not None:
                waits.append(queued.next_attempt_at - now)
                now = queued.next_attempt_at
        assert waits == [_minutes(m) for m in (1, 2, 4, 8, 16, 32, 60)]
        assert queued.state == DeliveryState.FAILED
        assert queued.attempts == 8
        assert delivery.deliver_due(now=now + dt.timedelta(days=30)).claimed == 0
        assert receiver.count == 8
        assert Attempt.objects.filter(delivery=queued).count() == 8

    def test_redirects_are_not_followed(self, receiver, make_endpoint, make_event):
        endpoint, receiver.secret = make_endpoint(receiver.url())
        receiver.answers = [302]
        services.enqueue(make_event())
        delivery.deliver_due()
        queued = Delivery.objects.get(endpoint=endpoint)
        assert receiver.count == 1
        assert [r.path for r in receiver.requests] == ["/hook"]
        assert queued.state == DeliveryState.RETRYING
        assert queued.last_status_code == 302

    def test_a_url_no_longer_allowed_is_not_called(self, receiver, make_endpoint, make_event, settings):
        endpoint, receiver.secret = make_endpoint(receiver.url())
        services.enqueue(make_event())
        settings.AIHQ_WEBHOOK_INSECURE_HOSTS = []  # the operators withdrew plain http to this host
        delivery.deliver_due()
        queued = Delivery.objects.get(endpoint=endpoint)
        assert receiver.count == 0
        assert queued.state == DeliveryState.RETRYING
        assert "https" in queued.last_error

    def test_deliveries_are_signed_with_the_secret_of_the_moment(self, receiver, make_endpoint, make_event):
        endpoint, old = make_endpoint(receiver.url())
        services.enqueue(make_event())
        _rotated, new = services.endpoint_rotate_secret(actor=_admin(), endpoint=endpoint)
        receiver.secret = new
        delivery.deliver_due()
        assert new != old
        assert receiver.requests[0].signature_ok


def _admin():
    from aihq.accounts.permissions import SystemActor

    return SystemActor("test")


class TestQueueing:
    def test_queueing_the_same_event_twice_queues_it_once(self, receiver, make_endpoint, make_event):
        make_endpoint(receiver.url())
        event = make_event()
        assert services.enqueue(event) == 1
        assert services.enqueue(event) == 0
        assert Delivery.objects.filter(event=event).count() == 1

    def test_only_active_endpoints_subscribed_to_the_kind_get_it(self, receiver, make_endpoint, make_event):
        wants, _ = make_endpoint(receiver.url("/wants"), event_types=["incident_serious", "rag_red"])
        make_endpoint(receiver.url("/other"), event_types=["rag_red", "gate_decision"])
        make_endpoint(receiver.url("/off"), event_types=["incident_serious"], active=False)
        event = make_event("incident_serious")
        assert services.enqueue(event) == 1
        assert list(Delivery.objects.values_list("endpoint_id", flat=True)) == [wants.pk]
        delivery.deliver_due()
        assert [r.path for r in receiver.requests] == ["/wants"]

    def test_an_organisation_filter_takes_its_subtree_only(self, world, receiver, make_endpoint, make_event):
        limited, _ = make_endpoint(receiver.url("/a"), organisation=world.org_a)
        everything, _ = make_endpoint(receiver.url("/all"))
        for organisation, expected in [
            (world.org_a, {limited.pk, everything.pk}),
            (world.org_a1, {limited.pk, everything.pk}),  # below A
            (world.org_b, {everything.pk}),
            (None, {everything.pk}),
        ]:
            event = make_event(organisation=organisation)
            services.enqueue(event)
            assert set(Delivery.objects.filter(event=event).values_list("endpoint_id", flat=True)) == expected
            body = json.loads(Delivery.objects.filter(event=event).first().body)
            assert body["organisation"] == (organisation.code if organisation else None)

    def test_an_inactive_endpoint_is_sent_nothing_that_waits_for_it(self, receiver, make_endpoint, make_event):
        endpoint, receiver.secret = make_endpoint(receiver.url())
        services.enqueue(make_event())
        services.endpoint_update(actor=_admin(), endpoint=endpoint, active=False)
        assert delivery.deliver_due().claimed == 0
        services.endpoint_update(actor=_admin(), endpoint=endpoint, active=True)
        assert delivery.deliver_due().succeeded == 1

    def test_a_run_on_a_clock_fixed_at_its_start_sends_what_it_emitted(self, receiver, make_endpoint, make_event):
        make_endpoint(receiver.url())
        run_started = timezone.now()
        event = make_event()
        event.occurred_at = run_started
        event.save()
        services.enqueue(event)  # a moment after the run's clock
        assert delivery.deliver_due(now=run_started).succeeded == 1

    def test_queueing_inside_a_transaction_that_rolls_back_leaves_nothing(self, receiver, make_endpoint, make_event):
        make_endpoint(receiver.url())
        event = make_event()

        def failing_action() -> None:
            with transaction.atomic():
                services.enqueue(event)
                raise RuntimeError("the user's action failed")

        with pytest.raises(RuntimeError):
            failing_action()
        assert Delivery.objects.count() == 0
        assert delivery.deliver_due().claimed == 0
        assert receiver.count == 0


class TestLeases:
    def test_a_claimed_delivery_is_not_claimed_again_until_its_lease_runs_out(
        self, receiver, make_endpoint, make_event
    ):
        make_endpoint(receiver.url())
        for _ in range(3):
            services.enqueue(make_event())
        now = timezone.now()
        first = delivery.claim_due(now)
        assert len(first) == 3
        assert delivery.claim_due(now) == []  # a second worker finds nothing
        assert delivery.deliver_due(now=now + _minutes(4)).claimed == 0
        # the first worker died without sending: after the lease another worker takes them over
        again = delivery.claim_due(now + delivery.LEASE + dt.timedelta(seconds=1))
        assert sorted(d.pk for d in again) == sorted(d.pk for d in first)
        assert receiver.count == 0

    def test_a_worker_that_lost_its_lease_does_not_overwrite_the_new_round(self, receiver, make_endpoint, make_event):
        endpoint, receiver.secret = make_endpoint(receiver.url())
        services.enqueue(make_event())
        now = timezone.now()
        [stale] = delivery.claim_due(now)
        later = now + delivery.LEASE + _minutes(1)
        [fresh] = delivery.claim_due(later)
        delivery.attempt(fresh, later)
        receiver.answers = [500]
        assert delivery.attempt(stale, now) == ""  # the first worker wakes up late: its lease is gone, it sends nothing
        queued = Delivery.objects.get(endpoint=endpoint)
        assert queued.state == DeliveryState.SUCCEEDED
        assert Attempt.objects.filter(delivery=queued).count() == 1
        assert receiver.count == 1

    def test_limit_caps_a_run(self, receiver, make_endpoint, make_event):
        make_endpoint(receiver.url())
        for _ in range(5):
            services.enqueue(make_event())
        assert delivery.deliver_due(limit=2).succeeded == 2
        assert delivery.deliver_due(limit=10).succeeded == 3
        assert receiver.count == 5


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL: SQLite has one writer at a time")
def test_concurrent_workers_never_send_a_delivery_twice(receiver, make_endpoint, make_event):
    make_endpoint(receiver.url())
    for _ in range(40):
        services.enqueue(make_event())
    results: list[delivery.DeliverySummary] = []
    errors: list[BaseException] = []

    def work() -> None:
        try:
            results.append(delivery.deliver_due(limit=40))
        except BaseException as exc:  # reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=work) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert not errors
    assert sum(r.claimed for r in results) == 40
    assert receiver.count == 40
    assert len({r.headers["X-AIHQ-Delivery"] for r in receiver.requests}) == 40


class TestByHand:
    def test_a_test_ping_is_sent_at_once_and_logged(self, receiver, make_endpoint, world):
        endpoint, receiver.secret = make_endpoint(receiver.url())
        admin = world.users["hq_admin"]
        sent = delivery.deliver_now(services.send_test(actor=admin, endpoint=endpoint))
        assert sent.state == DeliveryState.SUCCEEDED
        assert sent.event_id is None
        assert sent.requested_by == admin
        [got] = receiver.requests
        assert got.signature_ok
        assert got.headers["X-AIHQ-Event"] == "ping"
        assert json.loads(got.body)["type"] == "ping"

    def test_a_failed_ping_is_not_retried(self, closed_url, make_endpoint, world):
        endpoint, _ = make_endpoint(closed_url)
        sent = delivery.deliver_now(services.send_test(actor=world.users["hq_admin"], endpoint=endpoint))
        assert sent.state == DeliveryState.FAILED
        assert sent.attempts == 1

    def test_redeliver_sends_the_same_delivery_again(self, receiver, make_endpoint, make_event, world):
        endpoint, receiver.secret = make_endpoint(receiver.url())
        services.enqueue(make_event())
        delivery.deliver_due()
        done = Delivery.objects.get(endpoint=endpoint)
        again = services.redeliver(actor=world.users["hq_admin"], delivery=done)
        assert (again.state, again.attempts, again.requested_by) == (DeliveryState.PENDING, 0, world.users["hq_admin"])
        delivery.deliver_due()
        assert receiver.count == 2
        assert receiver.requests[0].body == receiver.requests[1].body
        assert receiver.requests[1].headers["X-AIHQ-Delivery"] == str(done.uuid)
        done.refresh_from_db()
        assert done.state == DeliveryState.SUCCEEDED
        assert done.attempts == 1
        assert Attempt.objects.filter(delivery=done).count() == 2

    def test_a_delivery_being_sent_cannot_be_queued_again(self, receiver, make_endpoint, make_event, world):
        from django.core.exceptions import PermissionDenied, ValidationError

        make_endpoint(receiver.url())
        services.enqueue(make_event())
        [claimed] = delivery.claim_due()
        with pytest.raises(ValidationError):
            services.redeliver(actor=world.users["hq_admin"], delivery=claimed)
        with pytest.raises(PermissionDenied):
            services.redeliver(actor=world.users["auditor"], delivery=claimed)
        with pytest.raises(PermissionDenied):
            services.send_test(actor=world.users["editor_a"], endpoint=claimed.endpoint)


def test_the_readme_recipe_verifies_a_real_delivery(receiver, make_endpoint, make_event):
    """The verification snippet in the README, run as written, accepts what AIHQ sent and refuses a forgery."""
    from pathlib import Path

    readme = (Path(__file__).resolve().parents[3] / "README.md").read_text(encoding="utf-8")
    section = readme.split("### Webhooks", 1)[1]
    code = section.split("```python", 1)[1].split("```", 1)[0]
    recipe: dict[str, Any] = {}
    exec(compile(code, "README.md", "exec"), recipe)
    verify = recipe["verify"]
    _endpoint, secret = make_endpoint(receiver.url())
    services.enqueue(make_event())
    delivery.deliver_due()
    [got] = receiver.requests
    timestamp, header = got.headers["X-AIHQ-Timestamp"], got.headers["X-AIHQ-Signature"]
    assert verify(secret, timestamp, got.body, header)
    assert not verify(secret, timestamp, got.body.replace(b"incident", b"incidenT"), header)
    assert not verify("not-the-secret", timestamp, got.body, header)
    assert not verify(secret, str(int(timestamp) - 3600), got.body, header)
