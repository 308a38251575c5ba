"""Weak passwords are refused wherever a password is set: the account page, ``aihq grant``, the service."""

from __future__ import annotations

import io

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command

from aihq.accounts import services
from aihq.accounts.models import User
from aihq.audit.models import AuditEvent

pytestmark = pytest.mark.django_db

WEAK = {
    "short": ("x7#kq2", "This password is too short. It must contain at least 10 characters."),
    "common": ("password123", "This password is too common."),
    "numeric": ("4829174650193", "This password is entirely numeric."),
}


@pytest.mark.parametrize("kind", sorted(WEAK))
def test_the_account_page_refuses_a_weak_new_password_with_the_validators_message(world, page_client_for, kind):
    weak, message = WEAK[kind]
    client = page_client_for("editor_a")
    response = client.post(
        "/account/password/",
        {"old_password": "pw-editor_a-123456", "new_password1": weak, "new_password2": weak},
    )
    assert response.status_code == 200
    assert message in response.content.decode()
    world.users["editor_a"].refresh_from_db()
    assert world.users["editor_a"].check_password("pw-editor_a-123456")


def test_a_password_like_the_username_is_refused(world, page_client_for):
    response = page_client_for("editor_a").post(
        "/account/password/",
        {"old_password": "pw-editor_a-123456", "new_password1": "editor_a_1", "new_password2": "editor_a_1"},
    )
    assert "The password is too similar to the username." in response.content.decode()


def test_the_account_page_changes_a_strong_password_and_keeps_the_user_signed_in(world, page_client_for):
    client = page_client_for("editor_a")
    strong = "Violet-harbour-73-lantern"
    response = client.post(
        "/account/password/", {"old_password": "pw-editor_a-123456", "new_password1": strong, "new_password2": strong}
    )
    assert response.status_code == 302
    assert User.objects.get(username="editor_a").check_password(strong)
    assert client.get("/account/").status_code == 200  # the session survives its own password change


def test_a_password_change_is_audited_once_without_the_hash(world, page_client_for):
    user = world.users["editor_a"]
    strong = "Violet-harbour-73-lantern"
    page_client_for("editor_a").post(
        "/account/password/", {"old_password": "pw-editor_a-123456", "new_password1": strong, "new_password2": strong}
    )
    events = list(AuditEvent.objects.filter(object_type="accounts.user", object_id=str(user.pk)).order_by("seq"))
    assert [(e.action, e.actor_id, e.after) for e in events[-1:]] == [("update", user.pk, {"password": "changed"})]
    hashed = User.objects.get(pk=user.pk).password
    assert all(hashed not in str([e.before, e.after]) for e in events)


def test_an_hq_admin_setting_anothers_password_is_audited_as_the_admin(world):
    admin, viewer = world.users["hq_admin"], world.users["viewer_a"]
    before = AuditEvent.objects.count()
    services.password_change(actor=admin, user=viewer, password="Violet-harbour-73-lantern")
    event = AuditEvent.objects.order_by("-seq").first()
    assert AuditEvent.objects.count() == before + 1
    assert (event.object_id, event.actor_id, event.after) == (str(viewer.pk), admin.pk, {"password": "changed"})


def test_the_wrong_current_password_changes_nothing(world, page_client_for):
    strong = "Violet-harbour-73-lantern"
    response = page_client_for("editor_a").post(
        "/account/password/", {"old_password": "not-it", "new_password1": strong, "new_password2": strong}
    )
    assert response.status_code == 200
    assert User.objects.get(username="editor_a").check_password("pw-editor_a-123456")


def test_a_single_sign_on_user_without_a_password_is_sent_back(world, page_client_for):
    user = world.users["viewer_a"]
    user.set_unusable_password()
    user.save()
    assert page_client_for("viewer_a").get("/account/password/").status_code == 302


@pytest.mark.parametrize("kind", sorted(WEAK))
def test_grant_refuses_a_weak_password_from_stdin_and_creates_no_user(world, monkeypatch, kind):
    weak, message = WEAK[kind]
    monkeypatch.setattr("sys.stdin", io.StringIO(weak + "\n"))
    with pytest.raises(CommandError, match=message.split(".")[0]):
        call_command("grant", "dana", "viewer", "--org", "B", "--password-stdin", stdout=io.StringIO())
    assert not User.objects.filter(username="dana").exists()


def test_grant_refuses_a_weak_password_for_an_existing_user_and_keeps_the_old_one(world, monkeypatch):
    monkeypatch.setattr("sys.stdin", io.StringIO("password123\n"))
    with pytest.raises(CommandError, match="too common"):
        call_command("grant", "viewer_a", "viewer", "--org", "A", "--password-stdin", stdout=io.StringIO())
    assert User.objects.get(username="viewer_a").check_password("pw-viewer_a-123456")


def test_only_hq_admins_set_another_users_password(world):
    with pytest.raises(Exception, match="Only HQ admins"):
        services.password_change(
            actor=world.users["editor_a"], user=world.users["viewer_a"], password="Violet-harbour-73-lantern"
        )
    with pytest.raises(ValidationError) as caught:
        services.password_change(actor=world.users["hq_admin"], user=world.users["viewer_a"], password="12345678901")
    assert "This password is entirely numeric." in caught.value.messages
