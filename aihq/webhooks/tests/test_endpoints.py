"""Endpoint services: who may manage them, what a valid endpoint is, versions, and an audit log that records every
change but never the secret."""

from __future__ import annotations

import json

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from aihq.audit.models import AuditEvent
from aihq.core.services import ConflictError
from aihq.webhooks import services
from aihq.webhooks.models import Endpoint

pytestmark = pytest.mark.django_db

HTTPS = "https://hooks.example.org/aihq"


def _create(actor, **fields):
    values = {"name": "SIEM", "url": HTTPS, "event_types": ["incident_serious"], **fields}
    return services.endpoint_create(actor=actor, **values)


def _events(endpoint):
    return list(AuditEvent.objects.filter(object_type="webhooks.endpoint", object_id=str(endpoint.pk)).order_by("seq"))


@pytest.mark.parametrize("name", ["auditor", "coordinator_a", "editor_a", "viewer_a", "norole"])
def test_only_hq_admins_manage_endpoints(world, name):
    actor = world.users[name]
    with pytest.raises(PermissionDenied):
        _create(actor)
    endpoint, _ = _create(world.users["hq_admin"])
    for call in (
        lambda: services.endpoint_update(actor=actor, endpoint=endpoint, name="x"),
        lambda: services.endpoint_rotate_secret(actor=actor, endpoint=endpoint),
        lambda: services.endpoint_delete(actor=actor, endpoint=endpoint),
    ):
        with pytest.raises(PermissionDenied):
            call()
    assert Endpoint.objects.restrict(actor, "change").count() == 0
    assert Endpoint.objects.restrict(actor, "view").count() == (1 if name == "auditor" else 0)


def test_create_makes_a_strong_secret_and_returns_it(world):
    endpoint, secret = _create(world.users["hq_admin"], event_types=["rag_red", "incident_serious", "rag_red"])
    _other, other_secret = _create(world.users["hq_admin"])
    assert len(secret) >= 43
    assert secret == endpoint.secret
    assert secret != other_secret
    assert endpoint.created_by == world.users["hq_admin"]
    assert endpoint.event_types == ["incident_serious", "rag_red"]  # known order, once each
    assert endpoint.version == 1


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"event_types": []}, "event_types"),
        ({"event_types": ["incident_serious", "nonsense"]}, "event_types"),
        ({"url": "http://hooks.example.org/x"}, "url"),
        ({"url": "https://me:pw@hooks.example.org/x"}, "url"),
        ({"url": "ftp://hooks.example.org/x"}, "url"),
        ({"name": "  "}, "name"),
    ],
)
def test_bad_endpoints_are_refused_naming_the_field(world, fields, field):
    with pytest.raises(ValidationError) as exc:
        _create(world.users["hq_admin"], **fields)
    assert field in exc.value.message_dict
    assert Endpoint.objects.count() == 0


def test_plain_http_only_to_listed_hosts(world, settings):
    admin = world.users["hq_admin"]
    settings.AIHQ_WEBHOOK_INSECURE_HOSTS = []
    with pytest.raises(ValidationError):
        _create(admin, url="http://127.0.0.1:9000/hook")
    settings.AIHQ_WEBHOOK_INSECURE_HOSTS = ["127.0.0.1"]
    endpoint, _ = _create(admin, url="http://127.0.0.1:9000/hook")
    with pytest.raises(ValidationError):
        services.endpoint_update(actor=admin, endpoint=endpoint, url="http://10.0.0.1/hook")


def test_stale_versions_conflict(world):
    admin = world.users["hq_admin"]
    endpoint, _ = _create(admin)
    services.endpoint_update(actor=admin, endpoint=endpoint, name="SIEM 2", expected_version=1)
    with pytest.raises(ConflictError) as exc:
        services.endpoint_update(actor=admin, endpoint=endpoint, name="SIEM 3", expected_version=1)
    assert exc.value.current_version == 2
    with pytest.raises(ConflictError):
        services.endpoint_rotate_secret(actor=admin, endpoint=endpoint, expected_version=1)
    with pytest.raises(ConflictError):
        services.endpoint_delete(actor=admin, endpoint=endpoint, expected_version=1)
    endpoint.refresh_from_db()
    assert endpoint.name == "SIEM 2"
    with pytest.raises(ValidationError):
        services.endpoint_update(actor=admin, endpoint=endpoint, secret="mine")  # only rotation sets a secret


def test_every_change_is_audited_and_no_event_holds_the_secret(world):
    admin = world.users["hq_admin"]
    endpoint, first = _create(admin)
    services.endpoint_update(actor=admin, endpoint=endpoint, event_types=["rag_red"], active=False)
    _rotated, second = services.endpoint_rotate_secret(actor=admin, endpoint=endpoint)
    pk = endpoint.pk
    services.endpoint_delete(actor=admin, endpoint=endpoint)

    events = AuditEvent.objects.filter(object_type="webhooks.endpoint", object_id=str(pk)).order_by("seq")
    assert [e.action for e in events] == ["create", "update", "update", "delete"]
    assert events[0].actor_label == "hq_admin"
    assert events[1].after["event_types"] == ["rag_red"]
    assert events[2].before["secret_rotated_at"] != events[2].after["secret_rotated_at"]  # the rotation shows
    everything = json.dumps([e.hashed_content() for e in AuditEvent.objects.all()])
    assert first not in everything
    assert second not in everything
    assert "secret" not in events[0].after


def test_deleting_an_endpoint_takes_its_delivery_log(world, make_event):
    from aihq.webhooks.models import Attempt, Delivery

    admin = world.users["hq_admin"]
    endpoint, _ = _create(admin)
    services.enqueue(make_event())
    Attempt.objects.create(delivery=Delivery.objects.get(), at=endpoint.created_at, status_code=500)
    services.endpoint_delete(actor=admin, endpoint=endpoint)
    assert Delivery.objects.count() == 0
    assert Attempt.objects.count() == 0


def test_an_organisation_in_use_as_a_filter_cannot_be_deleted(world):
    from django.db.models import ProtectedError

    _create(world.users["hq_admin"], organisation=world.org_b)
    world.uc_b.delete()
    with pytest.raises(ProtectedError):
        world.org_b.delete()
