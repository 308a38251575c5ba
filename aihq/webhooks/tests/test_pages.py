"""Webhook pages: HQ admins add, edit, rotate, test and delete endpoints and redeliver; the secret shows once;
auditors read; everyone else gets 403; no inline script; the pages' queries do not grow with rows."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from aihq.audit.models import AuditEvent
from aihq.webhooks import delivery, services
from aihq.webhooks.models import Delivery, DeliveryState, Endpoint

pytestmark = pytest.mark.django_db

FORM = {"name": "SIEM", "url": "https://hooks.example.org/aihq", "event_types": ["incident_serious"], "active": "on"}


def _endpoint(world, **fields):
    values = {"name": "SIEM", "url": "https://hooks.example.org/aihq", "event_types": ["incident_serious"], **fields}
    return services.endpoint_create(actor=world.users["hq_admin"], **values)


def _no_inline_script(html: str) -> None:
    assert not re.search(r"\son[a-z]+\s*=", html), "inline event handler"
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html), "inline script"


@pytest.mark.parametrize("name", ["coordinator_a", "editor_a", "viewer_a", "norole"])
def test_others_get_403_everywhere(world, page_client_for, name, make_event):
    endpoint, _ = _endpoint(world)
    services.enqueue(make_event())
    queued = Delivery.objects.get()
    client = page_client_for(name)
    for url in ("/webhooks/", f"/webhooks/{endpoint.pk}/", f"/webhooks/deliveries/{queued.pk}/", "/webhooks/new/",
                f"/webhooks/{endpoint.pk}/edit/", f"/webhooks/{endpoint.pk}/delete/"):  # fmt: skip
        assert client.get(url).status_code == 403, url
    for url in (f"/webhooks/{endpoint.pk}/rotate-secret/", f"/webhooks/{endpoint.pk}/test/",
                f"/webhooks/deliveries/{queued.pk}/redeliver/", "/webhooks/new/"):  # fmt: skip
        assert client.post(url, FORM).status_code == 403, url
    assert Endpoint.objects.get().version == 1
    assert page_client_for(None).get("/webhooks/").status_code == 302  # to the login page


def test_auditors_read_but_change_nothing(world, page_client_for, make_event):
    endpoint, secret = _endpoint(world)
    services.enqueue(make_event())
    queued = Delivery.objects.get()
    auditor = page_client_for("auditor")
    listed = auditor.get("/webhooks/")
    assert listed.status_code == 200
    assert "SIEM" in listed.content.decode()
    assert 'href="/webhooks/new/"' not in listed.content.decode()
    page = auditor.get(f"/webhooks/{endpoint.pk}/").content.decode()
    assert secret not in page
    assert "Rotate" not in page
    assert auditor.get(f"/webhooks/deliveries/{queued.pk}/").status_code == 200
    for url in (f"/webhooks/{endpoint.pk}/rotate-secret/", f"/webhooks/{endpoint.pk}/test/",
                f"/webhooks/deliveries/{queued.pk}/redeliver/", f"/webhooks/{endpoint.pk}/delete/"):  # fmt: skip
        assert auditor.post(url, {"version": 1}).status_code == 403, url
    assert auditor.get("/webhooks/new/").status_code == 403


def test_an_hq_admin_adds_an_endpoint_and_sees_its_secret_once(world, page_client_for):
    admin = page_client_for("hq_admin")
    form = admin.get("/webhooks/new/")
    assert form.status_code == 200
    _no_inline_script(form.content.decode())
    refused = admin.post("/webhooks/new/", {**FORM, "url": "http://hooks.example.org/x"})
    assert refused.status_code == 200
    assert "https" in refused.content.decode()
    assert Endpoint.objects.count() == 0

    created = admin.post("/webhooks/new/", {**FORM, "organisation": world.org_a.pk})
    endpoint = Endpoint.objects.get()
    assert created.status_code == 302
    assert created["Location"] == f"/webhooks/{endpoint.pk}/"
    shown = admin.get(created["Location"])
    html = shown.content.decode()
    assert endpoint.secret in html
    assert "no-store" in shown["Cache-Control"]
    _no_inline_script(html)
    assert endpoint.secret not in admin.get(created["Location"]).content.decode()  # once
    assert endpoint.organisation == world.org_a
    assert endpoint.created_by == world.users["hq_admin"]


def test_edit_rotate_and_delete(world, page_client_for):
    endpoint, old = _endpoint(world)
    admin = page_client_for("hq_admin")
    edit = f"/webhooks/{endpoint.pk}/edit/"
    saved = admin.post(edit, {**FORM, "name": "SIEM 2", "event_types": ["rag_red"], "version": "1"})
    assert saved.status_code == 302
    stale = admin.post(edit, {**FORM, "name": "late", "version": "1"})
    assert stale.status_code == 200
    assert "changed by someone else" in stale.content.decode()
    endpoint.refresh_from_db()
    assert (endpoint.name, endpoint.event_types, endpoint.active, endpoint.version) == ("SIEM 2", ["rag_red"], True, 2)

    rotated = admin.post(f"/webhooks/{endpoint.pk}/rotate-secret/", {"version": "2"})
    assert rotated.status_code == 302
    endpoint.refresh_from_db()
    assert endpoint.secret != old
    assert endpoint.secret in admin.get(rotated["Location"]).content.decode()
    admin.post(f"/webhooks/{endpoint.pk}/rotate-secret/", {"version": "2"})  # stale: refused
    assert Endpoint.objects.get().secret == endpoint.secret

    assert admin.get(f"/webhooks/{endpoint.pk}/delete/").status_code == 200
    assert admin.post(f"/webhooks/{endpoint.pk}/delete/", {"version": "1"}).status_code == 302
    assert Endpoint.objects.count() == 1  # stale version: nothing deleted
    assert admin.post(f"/webhooks/{endpoint.pk}/delete/", {"version": "3"})["Location"] == "/webhooks/"
    assert Endpoint.objects.count() == 0
    actions = list(AuditEvent.objects.filter(object_type="webhooks.endpoint").values_list("action", flat=True))
    assert sorted(actions) == ["create", "delete", "update", "update"]


def test_test_ping_and_redeliver_from_the_page(world, page_client_for, receiver, make_event):
    endpoint, receiver.secret = _endpoint(world, url=receiver.url())
    admin = page_client_for("hq_admin")
    pinged = admin.post(f"/webhooks/{endpoint.pk}/test/", follow=True)
    assert "Test ping delivered" in pinged.content.decode()
    assert receiver.requests[0].signature_ok
    receiver.answers = [500]
    services.enqueue(make_event())
    delivery.deliver_due()
    failed = Delivery.objects.get(event__isnull=False)
    page = admin.get(f"/webhooks/{endpoint.pk}/?state=retrying").content.decode()
    assert "HTTP 500" in page
    assert f"/webhooks/deliveries/{failed.pk}/redeliver/" in page
    ping = Delivery.objects.get(event__isnull=True)
    filtered = admin.get(f"/webhooks/{endpoint.pk}/?event_type=incident_serious").content.decode()
    assert f"/webhooks/deliveries/{failed.pk}/" in filtered
    assert f"/webhooks/deliveries/{ping.pk}/" not in filtered
    assert f"/webhooks/deliveries/{ping.pk}/" in admin.get(f"/webhooks/{endpoint.pk}/").content.decode()
    detail = admin.get(f"/webhooks/deliveries/{failed.pk}/").content.decode()
    assert str(failed.uuid) in detail
    _no_inline_script(detail)
    assert admin.post(f"/webhooks/deliveries/{failed.pk}/redeliver/").status_code == 302
    delivery.deliver_due()
    failed.refresh_from_db()
    assert failed.state == DeliveryState.SUCCEEDED


def test_pages_cost_the_same_whatever_the_rows(world, page_client_for, make_event, closed_url):
    admin = page_client_for("hq_admin")
    first, _ = _endpoint(world, url=closed_url)

    def add(n):
        for i in range(n):
            _endpoint(world, name=f"E{Endpoint.objects.count()}-{i}", url=closed_url)
            services.enqueue(make_event())
        delivery.deliver_due()

    def count(url):
        with CaptureQueriesContext(connection) as queries:
            assert admin.get(url).status_code == 200
        return len(queries)

    urls = ["/webhooks/", f"/webhooks/{first.pk}/"]
    add(1)
    for url in urls:
        count(url)
    few = [count(url) for url in urls]
    add(5)
    assert [count(url) for url in urls] == few
