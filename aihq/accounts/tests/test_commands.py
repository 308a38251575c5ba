"""grant and create_api_token from the command line."""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import CommandError, call_command

from aihq.accounts.models import ApiToken, Membership, User, hash_token

pytestmark = pytest.mark.django_db


def test_grant_creates_user_and_global_role():
    out = io.StringIO()
    call_command("grant", "alice", "hq_admin", stdout=out)
    user = User.objects.get(username="alice")
    assert not user.has_usable_password()
    assert Membership.objects.filter(user=user, role="hq_admin", organisation=None).exists()
    assert "alice is hq_admin" in out.getvalue()


def test_grant_is_idempotent_and_audited(world):
    from aihq.audit.models import AuditEvent

    call_command("grant", "bob", "editor", "--org", "A", stdout=io.StringIO())
    call_command("grant", "bob", "editor", "--org", "A", stdout=io.StringIO())
    assert Membership.objects.filter(user__username="bob").count() == 1
    event = AuditEvent.objects.filter(object_type="accounts.membership").order_by("-seq").first()
    assert event.actor_label == "cli:grant"


def test_grant_reads_password_from_stdin(world, monkeypatch):
    monkeypatch.setattr("sys.stdin", io.StringIO("s3cret-pass-word\n"))
    call_command("grant", "carol", "viewer", "--org", "B", "--password-stdin", stdout=io.StringIO())
    assert User.objects.get(username="carol").check_password("s3cret-pass-word")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["dan", "editor"], "needs an organisation"),
        (["dan", "auditor", "--org", "A"], "leave out --org"),
        (["dan", "editor", "--org", "NOPE"], "No organisation"),
    ],
)
def test_grant_explains_mistakes(world, args, message):
    with pytest.raises(CommandError, match=message):
        call_command("grant", *args, stdout=io.StringIO())
    assert not User.objects.filter(username="dan").exists()


def test_grant_json_output(world):
    out = io.StringIO()
    call_command("grant", "erin", "coordinator", "--org", "A", "--json", stdout=out)
    assert json.loads(out.getvalue())["organisation"] == "A"


def test_create_api_token_prints_only_a_working_token(world):
    out = io.StringIO()
    call_command("create_api_token", "editor_a", stdout=out)
    key = out.getvalue().strip()
    assert "\n" not in key
    assert len(key) >= 40
    assert ApiToken.objects.get(key_hash=hash_token(key)).user.username == "editor_a"


def test_create_api_token_for_unknown_user_fails():
    with pytest.raises(CommandError, match="No user"):
        call_command("create_api_token", "ghost", stdout=io.StringIO())
