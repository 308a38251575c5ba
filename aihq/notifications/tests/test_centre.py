"""The notification centre and preferences: pages, API, services; notifications made by ``emit`` as in production."""

from __future__ import annotations

import itertools
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from aihq.audit.models import AuditEvent
from aihq.notifications import services
from aihq.notifications.events import emit
from aihq.notifications.kinds import DEFAULT_DELIVERY, Delivery, Kind
from aihq.notifications.models import EmailState, Notification, Preference

_keys = itertools.count(1)


def _org(org: Any) -> dict[str, Any]:
    return {"id": org.pk, "code": org.code, "name_en": org.name_en, "name_ru": org.name_ru}


def _use_case(use_case: Any) -> dict[str, Any]:
    return {"id": use_case.pk, "name": use_case.name, "organisation": _org(use_case.organisation)}


def condition_overdue(world: Any, users: list[Any], text: str = "Publish the model card") -> Notification | None:
    """Emit a stage-gate condition overdue (delivered in the digest by default) to ``users``."""
    n = next(_keys)
    payload = {"id": n, "text": text, "due_date": "2026-01-31", "use_case": _use_case(world.uc_a)}
    emit(Kind.GATE_CONDITION_OVERDUE, f"test-condition:{n}", payload=payload, recipients=users)
    return Notification.objects.filter(event__key=f"test-condition:{n}").order_by("pk").last()


def serious_incident(world: Any, users: list[Any], title: str = "Wrong diagnoses") -> Notification | None:
    """Emit a serious incident (delivered at once by default) to ``users``."""
    n = next(_keys)
    payload = {
        "id": n,
        "title": title,
        "severity": "serious",
        "detected_on": "2026-02-01",
        "use_case": _use_case(world.uc_a),
        "deadline": "2026-02-04",
        "rule": "Art. 73",
    }
    emit(Kind.INCIDENT_SERIOUS, f"test-incident:{n}", payload=payload, recipients=users)
    return Notification.objects.filter(event__key=f"test-incident:{n}").order_by("pk").last()


@pytest.fixture
def editor(world: Any) -> Any:
    user = world.users["editor_a"]
    user.email = "editor.a@example.org"
    user.save(update_fields=["email"])
    return user


# --- what each person sees ---------------------------------------------------------------------------------------


def test_list_shows_only_your_own_newest_first_with_unread_highlighted(world, editor, page_client_for):
    first = condition_overdue(world, [editor], "First condition")
    second = serious_incident(world, [editor], "Second incident")
    foreign = condition_overdue(world, [world.users["editor_b"]], "Someone else's condition")
    assert first
    assert second
    assert foreign
    services.mark_read(actor=editor, notification=first)

    response = page_client_for("editor_a").get("/notifications/")
    assert response.status_code == 200
    body = response.content.decode()
    assert "Someone else" not in body
    assert body.index("Second incident") < body.index("First condition")
    rows = {("Second" if "Second incident" in r else "First"): r for r in body.split("<tr")[2:]}
    assert 'class="current-row"' in rows["Second"]
    assert 'data-unread="true"' in rows["Second"]
    assert 'class="current-row"' not in rows["First"]
    assert 'data-unread="false"' in rows["First"]
    assert "<strong>Serious incident: Second incident" in rows["Second"]
    assert f"/notifications/{second.pk}/open/" in body


def test_hq_admin_centre_holds_only_their_own(world, editor, page_client_for, api_client_for):
    """HQ admins may read everyone's notifications through ``restrict``; their centre still shows only theirs."""
    theirs = condition_overdue(world, [editor], "Editor's condition")
    assert theirs is not None
    body = page_client_for("hq_admin").get("/notifications/").content.decode()
    assert "Editor&#x27;s condition" not in body
    assert "Editor's condition" not in body
    api = api_client_for("hq_admin")
    assert api.get("/api/v1/notifications/").json()["count"] == 0
    assert api.get(f"/api/v1/notifications/{theirs.pk}/").status_code == 404
    assert api.post(f"/api/v1/notifications/{theirs.pk}/read/").status_code == 404
    assert page_client_for("hq_admin").get(f"/notifications/{theirs.pk}/open/").status_code == 404
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_another_users_notification_is_404_everywhere(world, editor, page_client_for, api_client_for):
    foreign = condition_overdue(world, [world.users["editor_b"]])
    assert foreign is not None
    assert page_client_for("editor_a").get(f"/notifications/{foreign.pk}/open/").status_code == 404
    api = api_client_for("editor_a")
    assert api.get(f"/api/v1/notifications/{foreign.pk}/").status_code == 404
    assert api.post(f"/api/v1/notifications/{foreign.pk}/read/").status_code == 404
    assert foreign.pk not in [n["id"] for n in api.get("/api/v1/notifications/").json()["results"]]
    foreign.refresh_from_db()
    assert foreign.read_at is None


def test_filters_by_kind_and_unread(world, editor, page_client_for):
    condition = condition_overdue(world, [editor], "A condition")
    incident = serious_incident(world, [editor], "An incident")
    assert condition
    assert incident
    services.mark_read(actor=editor, notification=incident)
    client = page_client_for("editor_a")
    body = client.get("/notifications/", {"kind": Kind.INCIDENT_SERIOUS}).content.decode()
    assert "An incident" in body
    assert "A condition" not in body
    body = client.get("/notifications/", {"unread": "on"}).content.decode()
    assert "A condition" in body
    assert "An incident" not in body
    body = client.get("/notifications/", {"unread": "on", "kind": Kind.INCIDENT_SERIOUS}).content.decode()
    assert 'data-testid="no-notifications"' in body


def test_list_is_paginated_by_fifty(world, editor, page_client_for):
    for i in range(52):
        condition_overdue(world, [editor], f"Condition {i}")
    client = page_client_for("editor_a")
    first = client.get("/notifications/").content.decode()
    assert first.count('data-testid="notification"') == 50
    assert "page=2" in first
    second = client.get("/notifications/", {"page": 2}).content.decode()
    assert second.count('data-testid="notification"') == 2


# --- opening, marking read -----------------------------------------------------------------------------------------


def test_open_marks_read_and_goes_to_the_link(world, editor, page_client_for):
    notification = condition_overdue(world, [editor])
    assert notification is not None
    assert notification.read_at is None
    response = page_client_for("editor_a").get(f"/notifications/{notification.pk}/open/")
    assert response.status_code == 302
    assert response["Location"] == f"/use-cases/{world.uc_a.pk}/evaluation/"
    notification.refresh_from_db()
    first_read = notification.read_at
    assert first_read is not None
    page_client_for("editor_a").get(f"/notifications/{notification.pk}/open/")
    notification.refresh_from_db()
    assert notification.read_at == first_read


@pytest.mark.parametrize(
    "url",
    [
        "https://evil.example/phish",
        "//evil.example/phish",
        "/\\evil.example/phish",
        "\\\\evil.example",
        "javascript:alert(1)",
        "/\tevil",
        "",
        "relative/path",
    ],
)
def test_open_never_redirects_off_site(world, editor, page_client_for, url):
    notification = condition_overdue(world, [editor])
    assert notification is not None
    Notification.objects.filter(pk=notification.pk).update(url=url)
    response = page_client_for("editor_a").get(f"/notifications/{notification.pk}/open/")
    assert response.status_code == 302
    assert response["Location"] == "/notifications/"
    notification.refresh_from_db()
    assert notification.read_at is not None


def test_mark_all_read_page_marks_only_yours(world, editor, page_client_for):
    mine = [condition_overdue(world, [editor]), serious_incident(world, [editor])]
    foreign = condition_overdue(world, [world.users["editor_b"]])
    response = page_client_for("editor_a").post("/notifications/read-all/", follow=True)
    assert response.redirect_chain[-1][0] == "/notifications/"
    assert "2 notifications marked as read." in response.content.decode()
    assert all(Notification.objects.get(pk=n.pk).read_at for n in mine if n)
    assert foreign is not None
    assert Notification.objects.get(pk=foreign.pk).read_at is None


def test_mark_all_read_page_keeps_the_kind_filter(world, editor, page_client_for):
    condition = condition_overdue(world, [editor])
    incident = serious_incident(world, [editor])
    assert condition
    assert incident
    response = page_client_for("editor_a").post("/notifications/read-all/", {"kind": Kind.INCIDENT_SERIOUS})
    assert response.status_code == 302
    assert response["Location"] == "/notifications/?kind=incident_serious"
    assert Notification.objects.get(pk=incident.pk).read_at is not None
    assert Notification.objects.get(pk=condition.pk).read_at is None


def test_mark_all_read_is_post_only(world, editor, page_client_for):
    condition_overdue(world, [editor])
    assert page_client_for("editor_a").get("/notifications/read-all/").status_code == 405
    assert Notification.objects.filter(read_at__isnull=True).count() == 1


def test_services_refuse_someone_elses(world, editor, system_actor):
    notification = condition_overdue(world, [editor])
    assert notification is not None
    with pytest.raises(PermissionDenied):
        services.mark_read(actor=world.users["hq_admin"], notification=notification)
    with pytest.raises(PermissionDenied):
        services.mark_all_read(actor=system_actor)
    with pytest.raises(PermissionDenied):
        services.preferences_update(actor=world.users["hq_admin"], user=editor, deliveries={}, language="ru")
    with pytest.raises(ValidationError):
        services.mark_all_read(actor=editor, kind="nonsense")
    assert services.mark_all_read(actor=editor, kind=Kind.GATE_CONDITION_OVERDUE) == 1
    assert services.mark_all_read(actor=editor) == 0


# --- the unread count in the navigation ----------------------------------------------------------------------------


def test_nav_shows_the_unread_count(world, editor, page_client_for):
    for _ in range(3):
        condition_overdue(world, [editor])
    condition_overdue(world, [world.users["editor_b"]])
    client = page_client_for("editor_a")
    body = client.get("/account/").content.decode()
    assert 'data-testid="nav-notifications"' in body
    assert 'data-testid="unread-count">3</span>' in body
    assert "(3 unread)" in body  # the count in words for screen readers, not only the badge
    assert "/notifications/preferences/" in body  # the account page links to the preferences
    services.mark_all_read(actor=editor)
    body = client.get("/account/").content.decode()
    assert 'data-testid="nav-notifications"' in body
    assert 'data-testid="unread-count"' not in body


def test_nav_count_is_one_count_query(world, editor, page_client_for):
    condition_overdue(world, [editor])
    client = page_client_for("editor_a")
    client.get("/account/")
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/account/").status_code == 200
    counts = [q["sql"] for q in queries.captured_queries if "notifications_notification" in q["sql"]]
    assert len(counts) == 1
    assert counts[0].upper().startswith("SELECT COUNT(")


def test_anonymous_gets_no_count_and_must_sign_in(world, client, api_client_for):
    with CaptureQueriesContext(connection) as queries:
        body = client.get("/login/").content.decode()
    assert 'data-testid="nav-notifications"' not in body
    assert not [q for q in queries.captured_queries if "notifications_notification" in q["sql"]]
    for url in ("/notifications/", "/notifications/preferences/", "/notifications/1/open/"):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith("/login/"), url
    assert client.post("/notifications/read-all/").status_code == 302
    api = api_client_for(None)
    for method, url in (
        ("get", "/api/v1/notifications/"),
        ("post", "/api/v1/notifications/read-all/"),
        ("get", "/api/v1/notification-preferences/"),
        ("patch", "/api/v1/notification-preferences/"),
    ):
        assert getattr(api, method)(url).status_code in (401, 403), url


# --- preferences -------------------------------------------------------------------------------------------------


def _form(**changes: str) -> dict[str, str]:
    data = {f"kind_{kind}": delivery for kind, delivery in DEFAULT_DELIVERY.items()}
    data["language"] = ""
    data.update(changes)
    return data


def test_preferences_page_shows_defaults(world, editor, page_client_for):
    body = page_client_for("editor_a").get("/notifications/preferences/").content.decode()
    for kind in Kind:
        assert f'name="kind_{kind.value}"' in body
    assert (
        '<option value="digest" selected>' in body.split('name="kind_gate_condition_overdue"')[1].split("</select>")[0]
    )
    assert '<option value="immediate" selected>' in body.split('name="kind_incident_serious"')[1].split("</select>")[0]


def test_preferences_save_and_change_what_emit_does(world, editor, page_client_for):
    client = page_client_for("editor_a")
    response = client.post(
        "/notifications/preferences/",
        _form(kind_gate_condition_overdue=Delivery.OFF, kind_incident_serious=Delivery.DIGEST, language="ru"),
        follow=True,
    )
    assert response.status_code == 200
    assert "Your notification preferences are saved." in response.content.decode()
    # one row per kind changed, each audited
    assert dict(Preference.objects.filter(user=editor).values_list("kind", "delivery")) == {
        Kind.GATE_CONDITION_OVERDUE: Delivery.OFF,
        Kind.INCIDENT_SERIOUS: Delivery.DIGEST,
    }
    assert AuditEvent.objects.filter(object_type__contains="preference").count() == 2
    editor.refresh_from_db()
    assert editor.language == "ru"

    assert condition_overdue(world, [editor]) is None  # off: no notification at all
    incident = serious_incident(world, [editor])
    assert incident is not None
    assert incident.email_state == EmailState.DIGEST
    # another user's defaults are untouched
    other = world.users["editor_b"]
    other.email = "b@example.org"
    other.save(update_fields=["email"])
    assert serious_incident(world, [other]).email_state == EmailState.PENDING  # type: ignore[union-attr]

    # the page shows what was saved
    body = client.get("/notifications/preferences/").content.decode()
    assert '<option value="off" selected>' in body.split('name="kind_gate_condition_overdue"')[1].split("</select>")[0]
    assert '<option value="ru" selected>' in body.split('id="id_language"')[1].split("</select>")[0]

    # back to immediately: the row changes, no new one
    client.post("/notifications/preferences/", _form(kind_gate_condition_overdue=Delivery.IMMEDIATE, language="ru"))
    assert Preference.objects.get(user=editor, kind=Kind.GATE_CONDITION_OVERDUE).delivery == Delivery.IMMEDIATE
    assert condition_overdue(world, [editor]).email_state == EmailState.PENDING  # type: ignore[union-attr]


def test_preferences_page_refuses_unknown_values(world, editor, page_client_for):
    client = page_client_for("editor_a")
    response = client.post("/notifications/preferences/", _form(kind_rag_red="weekly", language="xx"))
    assert response.status_code == 200
    assert response.content.decode().count('role="alert"') >= 2
    assert not Preference.objects.filter(user=editor).exists()
    editor.refresh_from_db()
    assert editor.language == ""


def test_pages_render_in_russian(world, editor, page_client_for):
    condition_overdue(world, [editor])
    client = page_client_for("editor_a")
    client.cookies["django_language"] = "ru"
    for url in ("/notifications/", "/notifications/preferences/"):
        response = client.get(url)
        assert response.status_code == 200
        body = response.content.decode()
        assert 'lang="ru"' in body
        assert "Русский" in body or "Выйти" in body


# --- API ---------------------------------------------------------------------------------------------------------


def test_api_list_shape_and_filters(world, editor, api_client_for):
    condition = condition_overdue(world, [editor], "A condition")
    incident = serious_incident(world, [editor], "An incident")
    assert condition
    assert incident
    services.mark_read(actor=editor, notification=condition)
    api = api_client_for("editor_a")
    data = api.get("/api/v1/notifications/").json()
    assert data["count"] == 2
    first = data["results"][0]
    assert set(first) == {"id", "kind", "title", "body", "url", "unread", "read_at", "organisation", "created_at"}
    assert first["id"] == incident.pk
    assert first["unread"] is True
    assert first["read_at"] is None
    assert first["url"] == reverse("incident-detail", args=[incident.event.payload["id"]])
    assert [n["id"] for n in api.get("/api/v1/notifications/?unread=true").json()["results"]] == [incident.pk]
    assert [n["id"] for n in api.get("/api/v1/notifications/?unread=false").json()["results"]] == [condition.pk]
    kind = Kind.GATE_CONDITION_OVERDUE
    assert [n["id"] for n in api.get(f"/api/v1/notifications/?kind={kind}").json()["results"]] == [condition.pk]
    bad = api.get("/api/v1/notifications/?kind=weather")
    assert bad.status_code == 400
    assert "weather" in bad.json()["errors"]["kind"][0]
    assert api.get("/api/v1/notifications/?unread=maybe").status_code == 400


def test_api_read_and_read_all(world, editor, api_client_for):
    condition = condition_overdue(world, [editor])
    incident = serious_incident(world, [editor])
    foreign = condition_overdue(world, [world.users["editor_b"]])
    assert condition
    assert incident
    assert foreign
    api = api_client_for("editor_a")
    response = api.post(f"/api/v1/notifications/{condition.pk}/read/")
    assert response.status_code == 200
    assert response.json()["unread"] is False
    assert response.json()["read_at"]
    assert api.post("/api/v1/notifications/read-all/", {"kind": "nonsense"}, format="json").status_code == 400
    assert api.post("/api/v1/notifications/read-all/", {}, format="json").json() == {"count": 1}
    assert api.post("/api/v1/notifications/read-all/", {}, format="json").json() == {"count": 0}
    assert Notification.objects.get(pk=foreign.pk).read_at is None


def test_api_preferences_get_patch_put(world, editor, api_client_for):
    api = api_client_for("editor_a")
    got = api.get("/api/v1/notification-preferences/").json()
    assert got == {"language": "", "deliveries": {str(k): str(v) for k, v in DEFAULT_DELIVERY.items()}}

    patched = api.patch(
        "/api/v1/notification-preferences/", {"deliveries": {"rag_red": "off"}, "language": "ru"}, format="json"
    )
    assert patched.status_code == 200
    assert patched.json()["language"] == "ru"
    assert patched.json()["deliveries"]["rag_red"] == "off"
    assert patched.json()["deliveries"]["reminder"] == DEFAULT_DELIVERY[Kind.REMINDER]
    assert Preference.objects.filter(user=editor).count() == 1

    only_language = api.patch("/api/v1/notification-preferences/", {"language": "en"}, format="json")
    assert only_language.json()["deliveries"]["rag_red"] == "off"
    editor.refresh_from_db()
    assert editor.language == "en"

    # PUT sets every kind: those left out go back to their default
    put = api.put(
        "/api/v1/notification-preferences/",
        {"language": "", "deliveries": {"reminder": "digest"}},
        format="json",
    )
    assert put.status_code == 200
    assert put.json()["deliveries"]["rag_red"] == DEFAULT_DELIVERY[Kind.RAG_RED]
    assert put.json()["deliveries"]["reminder"] == "digest"
    assert put.json()["language"] == ""
    assert api.put("/api/v1/notification-preferences/", {"deliveries": {}}, format="json").status_code == 400


@pytest.mark.parametrize(
    ("payload", "field", "word"),
    [
        ({"deliveries": {"weather": "off"}}, "deliveries", "weather"),
        ({"deliveries": {"rag_red": "weekly"}}, "deliveries", "weekly"),
        ({"deliveries": ["rag_red"]}, "deliveries", ""),
        ({"language": "xx"}, "language", "xx"),
    ],
)
def test_api_preferences_refuse_unknown(world, editor, api_client_for, payload, field, word):
    response = api_client_for("editor_a").patch("/api/v1/notification-preferences/", payload, format="json")
    assert response.status_code == 400
    body = response.json()
    assert field in body["errors"]
    assert word in str(body["errors"][field])
    assert not Preference.objects.filter(user=editor).exists()


def test_service_validates_kinds_deliveries_and_language(world, editor):
    with pytest.raises(ValidationError) as error:
        services.preferences_update(actor=editor, user=editor, deliveries={"weather": "off", "rag_red": "x"})
    assert set(error.value.message_dict) == {"deliveries"}
    with pytest.raises(ValidationError) as error:
        services.preferences_update(actor=editor, user=editor, deliveries={}, language="de")
    assert set(error.value.message_dict) == {"language"}
    # setting a kind to its default stores nothing; language None leaves it as it is
    services.preferences_update(actor=editor, user=editor, deliveries=dict(DEFAULT_DELIVERY), language=None)
    assert not Preference.objects.filter(user=editor).exists()


# --- query counts --------------------------------------------------------------------------------------------------


def test_list_page_and_api_queries_do_not_grow_with_notifications(world, editor, page_client_for, api_client_for):
    page, api = page_client_for("editor_a"), api_client_for("editor_a")

    def measure() -> tuple[int, int]:
        with CaptureQueriesContext(connection) as on_page:
            assert page.get("/notifications/").status_code == 200
        with CaptureQueriesContext(connection) as on_api:
            assert api.get("/api/v1/notifications/").status_code == 200
        return len(on_page), len(on_api)

    condition_overdue(world, [editor])
    serious_incident(world, [editor])
    measure()  # the first requests also read the user's memberships
    few = measure()
    for i in range(8):
        condition_overdue(world, [editor], f"More {i}")
        serious_incident(world, [editor], f"More {i}")
    assert measure() == few
