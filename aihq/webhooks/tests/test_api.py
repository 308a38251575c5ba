"""The webhooks API: HQ admins manage endpoints (the secret only in create and rotate answers), auditors read,
everyone else is refused; versions guard writes; the delivery log filters, shows attempts and redelivers; list
queries do not grow with rows."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from aihq.webhooks import delivery, services
from aihq.webhooks.models import Delivery, DeliveryState, Endpoint

pytestmark = pytest.mark.django_db

ENDPOINTS = "/api/v1/webhook-endpoints/"
DELIVERIES = "/api/v1/webhook-deliveries/"
NEW = {"name": "SIEM", "url": "https://hooks.example.org/aihq", "event_types": ["incident_serious", "rag_red"]}


def _endpoint(world, **fields):
    values = {**NEW, **fields}
    return services.endpoint_create(actor=world.users["hq_admin"], **values)


class TestAccess:
    @pytest.mark.parametrize("name", ["coordinator_a", "editor_a", "viewer_a", "norole"])
    def test_everyone_but_hq_admins_and_auditors_is_refused(self, world, api_client_for, name, make_event):
        endpoint, _ = _endpoint(world)
        services.enqueue(make_event())
        queued = Delivery.objects.get()
        client = api_client_for(name)
        for url in (ENDPOINTS, f"{ENDPOINTS}{endpoint.pk}/", DELIVERIES, f"{DELIVERIES}{queued.pk}/"):
            assert client.get(url).status_code == 403, url
        assert client.post(ENDPOINTS, NEW, format="json").status_code == 403
        assert client.post(f"{ENDPOINTS}{endpoint.pk}/rotate-secret/").status_code == 403
        assert client.post(f"{DELIVERIES}{queued.pk}/redeliver/").status_code == 403
        assert api_client_for(None).get(ENDPOINTS).status_code in (401, 403)

    def test_auditors_read_without_secrets_and_cannot_write(self, world, api_client_for, make_event):
        endpoint, secret = _endpoint(world)
        services.enqueue(make_event())
        queued = Delivery.objects.get()
        auditor = api_client_for("auditor")
        listed = auditor.get(ENDPOINTS)
        assert listed.status_code == 200
        assert [row["name"] for row in listed.json()["results"]] == ["SIEM"]
        detail = auditor.get(f"{ENDPOINTS}{endpoint.pk}/")
        assert detail.status_code == 200
        assert "secret" not in detail.json()
        assert secret not in listed.content.decode() + detail.content.decode()
        assert auditor.get(f"{DELIVERIES}{queued.pk}/").status_code == 200
        assert auditor.post(ENDPOINTS, NEW, format="json").status_code == 403
        assert auditor.patch(f"{ENDPOINTS}{endpoint.pk}/", {"name": "x"}, format="json").status_code == 403
        assert auditor.delete(f"{ENDPOINTS}{endpoint.pk}/").status_code == 403
        assert auditor.post(f"{ENDPOINTS}{endpoint.pk}/test/").status_code == 403
        assert auditor.post(f"{DELIVERIES}{queued.pk}/redeliver/").status_code == 403
        assert Endpoint.objects.get().version == 1

    def test_unknown_ids_are_404(self, world, api_client_for):
        admin = api_client_for("hq_admin")
        assert admin.get(f"{ENDPOINTS}999/").status_code == 404
        assert admin.get(f"{DELIVERIES}abc/").status_code == 404


class TestEndpoints:
    def test_create_answers_with_the_secret_once(self, world, api_client_for):
        admin = api_client_for("hq_admin")
        created = admin.post(ENDPOINTS, {**NEW, "organisation": "A"}, format="json")
        assert created.status_code == 201, created.json()
        data = created.json()
        secret = data["secret"]
        assert len(secret) >= 43
        assert data["organisation"] == "A"
        assert data["version"] == 1
        assert data["created_by"] == "hq_admin"
        assert created["ETag"] == '"1"'
        assert Endpoint.objects.get().secret == secret
        again = admin.get(f"{ENDPOINTS}{data['id']}/")
        assert "secret" not in again.json()
        assert again["ETag"] == '"1"'
        assert secret not in admin.get(ENDPOINTS).content.decode()

    @pytest.mark.parametrize(
        ("change", "field"),
        [
            ({"event_types": []}, "event_types"),
            ({"event_types": ["nonsense"]}, "event_types"),
            ({"url": "http://hooks.example.org/x"}, "url"),
            ({"url": "https://u:p@hooks.example.org/x"}, "url"),
            ({"organisation": "NOPE"}, "organisation"),
            ({"name": ""}, "name"),
        ],
    )
    def test_bad_input_is_400_naming_the_field(self, world, api_client_for, change, field):
        response = api_client_for("hq_admin").post(ENDPOINTS, {**NEW, **change}, format="json")
        assert response.status_code == 400
        assert field in response.json()["errors"]
        assert Endpoint.objects.count() == 0

    def test_updates_and_deletes_are_versioned(self, world, api_client_for):
        endpoint, _ = _endpoint(world)
        admin = api_client_for("hq_admin")
        url = f"{ENDPOINTS}{endpoint.pk}/"
        ok = admin.patch(url, {"name": "SIEM 2", "version": 1}, format="json")
        assert ok.status_code == 200
        assert ok.json()["version"] == 2
        assert ok["ETag"] == '"2"'
        assert admin.patch(url, {"name": "late", "version": 1}, format="json").status_code == 409
        assert admin.patch(url, {"name": "late"}, format="json", HTTP_IF_MATCH='"1"').status_code == 412
        assert admin.patch(url, {"active": False}, format="json", HTTP_IF_MATCH='"2"').status_code == 200
        assert admin.delete(f"{url}?version=1").status_code == 409
        assert admin.delete(url, HTTP_IF_MATCH='"1"').status_code == 412
        endpoint.refresh_from_db()
        assert (endpoint.name, endpoint.active, endpoint.version) == ("SIEM 2", False, 3)
        assert admin.delete(f"{url}?version=3").status_code == 204
        assert Endpoint.objects.count() == 0

    def test_rotate_secret_answers_with_the_new_secret_and_is_versioned(self, world, api_client_for):
        endpoint, old = _endpoint(world)
        admin = api_client_for("hq_admin")
        url = f"{ENDPOINTS}{endpoint.pk}/rotate-secret/"
        rotated = admin.post(url, {"version": 1}, format="json")
        assert rotated.status_code == 200
        assert rotated.json()["secret"] not in (old, "")
        assert rotated.json()["version"] == 2
        assert admin.post(url, {"version": 1}, format="json").status_code == 409
        assert admin.post(url, format="json", HTTP_IF_MATCH='"1"').status_code == 412
        assert Endpoint.objects.get().secret == rotated.json()["secret"]

    def test_send_a_test_ping(self, world, api_client_for, receiver):
        endpoint, receiver.secret = _endpoint(world, url=receiver.url())
        response = api_client_for("hq_admin").post(f"{ENDPOINTS}{endpoint.pk}/test/")
        assert response.status_code == 201
        data = response.json()
        assert data["event_type"] == "ping"
        assert data["state"] == "succeeded"
        assert data["requested_by"] == "hq_admin"
        assert [a["status_code"] for a in data["attempt_log"]] == [200]
        assert receiver.requests[0].signature_ok


class TestDeliveries:
    def test_the_log_filters_shows_attempts_and_redelivers(self, world, api_client_for, receiver, make_event):
        _first, receiver.secret = _endpoint(world, url=receiver.url())
        second, _ = _endpoint(world, name="Other", url=receiver.url("/other"), event_types=["rag_red"])
        services.enqueue(make_event("incident_serious"))
        services.enqueue(make_event("rag_red"))
        receiver.answers = [200, 200, 500]  # sent in the order queued: the second endpoint's delivery fails
        delivery.deliver_due()
        admin = api_client_for("hq_admin")

        def listed(query):
            return [(row["event_type"], row["state"]) for row in admin.get(DELIVERIES, query).json()["results"]]

        assert sorted(listed({})) == [
            ("incident_serious", "succeeded"),
            ("rag_red", "retrying"),
            ("rag_red", "succeeded"),
        ]
        assert listed({"endpoint": second.pk}) == [("rag_red", "retrying")]
        assert listed({"state": "retrying"}) == [("rag_red", "retrying")]
        assert sorted(listed({"event_type": "rag_red"})) == [("rag_red", "retrying"), ("rag_red", "succeeded")]
        assert admin.get(DELIVERIES, {"state": "lost"}).status_code == 400
        assert admin.get(DELIVERIES, {"endpoint": "x"}).status_code == 400
        row = admin.get(DELIVERIES, {"endpoint": second.pk}).json()["results"][0]
        assert "body" not in row
        detail = admin.get(f"{DELIVERIES}{row['id']}/").json()
        assert detail["uuid"] == row["uuid"]
        assert detail["body"] == Delivery.objects.get(pk=row["id"]).body
        assert [(a["status_code"], a["error"]) for a in detail["attempt_log"]] == [(500, detail["last_error"])]

        again = admin.post(f"{DELIVERIES}{row['id']}/redeliver/")
        assert again.status_code == 200
        assert (again.json()["state"], again.json()["attempts"]) == ("pending", 0)
        delivery.deliver_due()
        assert Delivery.objects.get(pk=row["id"]).state == DeliveryState.SUCCEEDED


class TestQueryCounts:
    def _count(self, client, url):
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return len(queries)

    def test_lists_cost_the_same_whatever_the_rows(self, world, api_client_for, make_event, closed_url):
        admin = api_client_for("hq_admin")
        urls = [ENDPOINTS, DELIVERIES, f"{DELIVERIES}?state=retrying"]

        def add(n):
            for i in range(n):
                _endpoint(world, name=f"E{Endpoint.objects.count()}-{i}", url=closed_url, organisation=world.org_a)
            for _ in range(n):
                services.enqueue(make_event())
            delivery.deliver_due()
            services.send_test(actor=world.users["hq_admin"], endpoint=Endpoint.objects.earliest("pk"))

        add(1)
        for url in urls:
            self._count(admin, url)  # the first request also reads the user's memberships
        few = {url: self._count(admin, url) for url in urls}
        add(4)
        assert Delivery.objects.count() > 20
        assert {url: self._count(admin, url) for url in urls} == few
