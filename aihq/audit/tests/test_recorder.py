"""Every change to a domain object becomes one audit event with actor, request id, before and after."""

from __future__ import annotations

import pytest
from django.db import DatabaseError, connection, transaction

from aihq.audit.models import AuditEvent
from aihq.core import context

pytestmark = pytest.mark.django_db


def events_for(obj):
    return list(
        AuditEvent.objects.filter(
            object_type=f"{obj._meta.app_label}.{obj._meta.model_name}", object_id=str(obj.pk)
        ).order_by("seq")
    )


def test_service_create_writes_one_event_with_relations(world):
    [event] = events_for(world.uc_a)
    assert event.action == "create"
    assert event.before is None
    assert event.after["name"] == "Chatbot A"
    assert event.after["sectors"] == [world.sector.pk]
    assert event.after["regions"] == [world.region.pk]


def test_service_update_writes_before_and_after(world):
    from aihq.registry.services import use_case_update

    user = world.users["editor_a"]
    with context.acting(user, request_id="req-0123456789"):
        use_case_update(actor=user, use_case=world.uc_a, name="Chatbot A v2", sectors=[])
    event = events_for(world.uc_a)[-1]
    assert event.action == "update"
    assert event.actor_id == user.pk
    assert event.actor_label == "editor_a"
    assert event.request_id == "req-0123456789"
    assert event.before["name"] == "Chatbot A"
    assert event.after["name"] == "Chatbot A v2"
    assert event.before["sectors"] == [world.sector.pk]
    assert event.after["sectors"] == []
    assert {c["field"] for c in event.changed_fields()} >= {"name", "sectors", "version"}


def test_delete_keeps_last_state(world, system_actor):
    from aihq.registry.services import use_case_delete

    pk = world.uc_b.pk
    use_case_delete(actor=system_actor, use_case=world.uc_b)
    event = AuditEvent.objects.filter(object_type="registry.usecase", object_id=str(pk)).order_by("-seq").first()
    assert event.action == "delete"
    assert event.after is None
    assert event.before["name"] == "Forecast B"


def test_change_outside_services_is_audited_too(world):
    world.org_b.name_en = "Ministry B renamed"
    world.org_b.save()
    event = events_for(world.org_b)[-1]
    assert event.action == "update"
    assert event.after["name_en"] == "Ministry B renamed"
    world.uc_b.regions.add(world.region)
    event = events_for(world.uc_b)[-1]
    assert event.before["regions"] == []
    assert event.after["regions"] == [world.region.pk]


def test_reverse_many_to_many_change_is_recorded_on_the_use_case(world):
    world.region.use_cases.add(world.uc_b)
    event = events_for(world.uc_b)[-1]
    assert event.after["regions"] == [world.region.pk]


def test_save_without_changes_writes_no_event(world):
    before = AuditEvent.objects.count()
    world.org_b.save()
    assert AuditEvent.objects.count() == before


def test_membership_changes_are_audited(world, system_actor):
    from aihq.accounts.services import membership_create, membership_delete

    membership = membership_create(
        actor=system_actor, user=world.users["norole"], role="viewer", organisation=world.org_b
    )
    assert events_for(membership)[-1].action == "create"
    pk = membership.pk
    membership_delete(actor=system_actor, membership=membership)
    assert AuditEvent.objects.filter(object_type="accounts.membership", object_id=str(pk), action="delete").exists()


def test_failed_service_writes_no_event(world):
    from django.core.exceptions import PermissionDenied

    from aihq.registry.services import use_case_update

    before = AuditEvent.objects.count()
    with pytest.raises(PermissionDenied):
        use_case_update(actor=world.users["viewer_a"], use_case=world.uc_a, name="nope")
    assert AuditEvent.objects.count() == before


def test_passwords_and_token_hashes_never_reach_the_log(world, system_actor):
    from aihq.accounts.services import api_token_create

    token, key = api_token_create(actor=system_actor, user=world.users["editor_a"])
    for event in AuditEvent.objects.all():
        text = str(event.before) + str(event.after)
        assert "password" not in (event.after or {})
        assert "password" not in (event.before or {})
        assert key not in text
        assert token.key_hash not in text


def test_api_write_records_request_id_from_header(world, api_client_for):
    client = api_client_for("editor_a")
    response = client.patch(
        f"/api/v1/use-cases/{world.uc_a.pk}/", {"name": "Via API"}, format="json", HTTP_X_REQUEST_ID="client-req-42"
    )
    assert response.status_code == 200
    assert response["X-Request-ID"] == "client-req-42"
    event = events_for(world.uc_a)[-1]
    assert event.request_id == "client-req-42"
    assert event.actor_label == "editor_a"


def test_database_refuses_to_update_an_event(world):
    event = AuditEvent.objects.order_by("seq").first()
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEvent.objects.filter(pk=event.pk).update(object_repr="tampered")


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="needs PostgreSQL: SQLite keeps DELETE for the test flush"
)
def test_postgresql_refuses_to_delete_an_event(world):
    event = AuditEvent.objects.order_by("seq").first()
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM audit_auditevent WHERE id = %s", [event.pk])


def test_audit_filters_by_object_user_and_day(world, api_client_for):
    from django.utils import timezone

    client = api_client_for("auditor")
    client_editor = api_client_for("editor_a")
    client_editor.patch(f"/api/v1/use-cases/{world.uc_a.pk}/", {"name": "Filtered"}, format="json")
    rows = client.get("/api/v1/audit-events/", {"object_type": "registry.usecase", "object_id": world.uc_a.pk}).json()
    assert [r["action"] for r in rows["results"]] == ["update", "create"]
    rows = client.get("/api/v1/audit-events/", {"user": "editor_a"}).json()
    assert rows["count"] == 1
    today = timezone.now().date().isoformat()
    assert client.get("/api/v1/audit-events/", {"until": today}).json()["count"] == AuditEvent.objects.count()
    assert client.get("/api/v1/audit-events/", {"until": "2000-01-01"}).json()["count"] == 0
    assert client.get("/api/v1/audit-events/", {"since": "2100-01-01T00:00:00Z"}).json()["count"] == 0


def test_use_case_history_is_shown_to_those_who_see_the_use_case(world, page_client_for):
    body = page_client_for("viewer_a").get(f"/use-cases/{world.uc_a.pk}/").content.decode()
    assert "History" in body
    assert "/audit/" not in body.split("History")[1]  # no links into the log for non-auditors
