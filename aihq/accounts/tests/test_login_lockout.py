"""Sign-in lock-out: repeated failures for a username from one address lock that pair out for the cool-off."""

from __future__ import annotations

import datetime as dt

import pytest
from axes.models import AccessAttempt
from django.test import Client
from django.utils import timezone

from aihq.audit.models import AuditEvent

pytestmark = pytest.mark.django_db

PASSWORD = "pw-editor_a-123456"


@pytest.fixture(autouse=True)
def _lockout_settings(settings):
    settings.AXES_FAILURE_LIMIT = 5
    settings.AXES_COOLOFF_TIME = dt.timedelta(minutes=15)


def sign_in(client: Client, password: str, username: str = "editor_a", address: str = "10.0.0.1"):
    return client.post("/login/", {"username": username, "password": password}, REMOTE_ADDR=address)


def fail(client: Client, times: int, **kwargs):
    for _ in range(times):
        response = sign_in(client, "wrong-password", **kwargs)
    return response


def signed_in(client: Client) -> bool:
    return "_auth_user_id" in client.session


def test_a_few_failures_still_let_the_right_password_in(world, client):
    assert fail(client, 4).status_code == 200
    response = sign_in(client, PASSWORD)
    assert response.status_code == 302
    assert signed_in(client)


def test_the_fifth_failure_locks_the_username_out_with_a_clear_message(world, client):
    response = fail(client, 5)
    assert response.status_code == 429
    body = response.content.decode()
    assert "Too many failed sign-ins for this username from your address. Try again in 15 minutes." in body
    assert 'name="password"' in body  # still the sign-in page, not a bare error


def test_the_right_password_is_refused_while_locked_out(world, client):
    fail(client, 5)
    response = sign_in(client, PASSWORD)
    assert response.status_code == 429
    assert "Too many failed sign-ins" in response.content.decode()
    assert not signed_in(client)


def test_the_lockout_page_is_in_the_users_language(world, client):
    fail(client, 5)
    response = client.post(
        "/login/", {"username": "editor_a", "password": PASSWORD}, REMOTE_ADDR="10.0.0.1", HTTP_ACCEPT_LANGUAGE="ru"
    )
    assert response.status_code == 429
    body = response.content.decode()
    assert "Вход в AIHQ" in body
    # The catalogue's third plural form (15 → "минут"), not the English message.
    assert "Слишком много неудачных попыток входа под этим именем с вашего адреса. Повторите через 15 минут." in body
    assert "Too many failed sign-ins" not in body


def test_the_lockout_page_keeps_a_safe_next_and_drops_an_unsafe_one(world, client):
    """The lock-out page is the sign-in view's own page: the same check on "next" as a plain sign-in."""
    fail(client, 5)
    data = {"username": "editor_a", "password": PASSWORD}
    safe = client.post("/login/", {**data, "next": "/use-cases/"}, REMOTE_ADDR="10.0.0.1")
    assert safe.status_code == 429
    assert 'name="next" value="/use-cases/"' in safe.content.decode()
    unsafe = client.post("/login/", {**data, "next": "https://evil.example.org/"}, REMOTE_ADDR="10.0.0.1")
    assert unsafe.status_code == 429
    body = unsafe.content.decode()
    assert "evil.example.org" not in body
    assert 'name="next" value=""' in body


def test_the_lockout_ends_after_the_cool_off(world, client):
    fail(client, 5)
    # Time travel: the failures happened 16 minutes ago.
    AccessAttempt.objects.update(attempt_time=timezone.now() - dt.timedelta(minutes=16))
    response = sign_in(client, PASSWORD)
    assert response.status_code == 302
    assert signed_in(client)


def test_attempts_while_locked_out_do_not_extend_the_lockout(world, client):
    fail(client, 5)
    locked_at = AccessAttempt.objects.get().attempt_time
    fail(client, 3)
    assert AccessAttempt.objects.get().attempt_time == locked_at


def test_a_success_resets_the_count(world, client):
    fail(client, 4)
    assert sign_in(client, PASSWORD).status_code == 302
    client.logout()
    assert not AccessAttempt.objects.exists()
    assert fail(client, 4).status_code == 200  # four more are again allowed
    assert sign_in(client, PASSWORD).status_code == 302


def test_another_address_or_username_is_not_locked_out(world, client):
    fail(client, 5)
    assert sign_in(Client(), PASSWORD, address="10.0.0.2").status_code == 302
    assert sign_in(Client(), "pw-viewer_a-123456", username="viewer_a").status_code == 302


def test_a_lockout_is_logged_and_audited_once(world, client, caplog):
    with caplog.at_level("WARNING"):
        fail(client, 6)
    messages = [record.getMessage() for record in caplog.records]
    assert any("login failure" in m and "editor_a" in m and "10.0.0.1" in m for m in messages)
    assert any("locked out" in m and "editor_a" in m and "10.0.0.1" in m for m in messages)
    assert not any("wrong-password" in m for m in messages)
    events = AuditEvent.objects.filter(object_type="axes.accessattempt")
    assert events.count() == 1
    event = events.get()
    assert event.after["username"] == "editor_a"
    assert event.after["ip_address"] == "10.0.0.1"
    assert event.after["failures"] == 5
    assert event.actor_label == "sign-in"


def test_api_tokens_and_sessions_are_not_affected_by_a_lockout(world, client, page_client_for):
    from aihq.accounts.services import api_token_create

    fail(client, 5)
    _token, key = api_token_create(actor=world.users["editor_a"], user=world.users["editor_a"], name="t")
    api = Client().get("/api/v1/use-cases/", HTTP_AUTHORIZATION=f"Token {key}", REMOTE_ADDR="10.0.0.1")
    assert api.status_code == 200
    assert page_client_for("editor_a").get("/api/v1/use-cases/", REMOTE_ADDR="10.0.0.1").status_code == 200
