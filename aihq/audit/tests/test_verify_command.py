"""aihq audit_verify passes on an intact chain and names the first event altered behind the application's back."""

from __future__ import annotations

import json
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection

from aihq.audit.models import AuditEvent

pytestmark = pytest.mark.django_db


def run_verify() -> tuple[int, dict]:
    out = StringIO()
    try:
        call_command("audit_verify", "--json", stdout=out)
        code = 0
    except SystemExit as exc:
        code = int(exc.code or 0)
    return code, json.loads(out.getvalue())


def drop_guard() -> None:
    """A database owner can remove the trigger; the chain must still expose what they then do."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("DROP TRIGGER IF EXISTS audit_event_append_only ON audit_auditevent")
        else:
            cursor.execute("DROP TRIGGER IF EXISTS audit_event_append_only")


def test_intact_chain_passes(world):
    code, result = run_verify()
    assert code == 0
    assert result["ok"] is True
    assert result["events"] == AuditEvent.objects.count() > 0


def test_edited_row_is_detected(world):
    drop_guard()
    target = AuditEvent.objects.order_by("seq")[2]
    with connection.cursor() as cursor:
        cursor.execute("UPDATE audit_auditevent SET object_repr = %s WHERE id = %s", ["forged", target.pk])
    code, result = run_verify()
    assert code == 1
    assert result["seq"] == target.seq


def test_deleted_row_is_detected(world):
    drop_guard()
    target = AuditEvent.objects.order_by("seq")[1]
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM audit_auditevent WHERE id = %s", [target.pk])
    code, result = run_verify()
    assert code == 1
    assert result["seq"] == target.seq + 1


def test_deleted_last_row_is_detected(world):
    drop_guard()
    last = AuditEvent.objects.order_by("-seq").first()
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM audit_auditevent WHERE id = %s", [last.pk])
    code, result = run_verify()
    assert code == 1
    assert "head" in result["reason"]


def test_inserted_row_is_detected(world):
    first = AuditEvent.objects.order_by("seq").first()
    with connection.cursor() as cursor:
        cursor.execute("UPDATE audit_audithead SET seq = seq + 1")
    AuditEvent.objects.create(
        seq=AuditEvent.objects.order_by("-seq").first().seq + 1,
        timestamp=first.timestamp,
        actor_label="intruder",
        request_id="x",
        object_type="registry.usecase",
        object_id="1",
        object_repr="forged",
        action="create",
        prev_hash=first.hash,
        hash="f" * 64,
    )
    code, result = run_verify()
    assert code == 1
    assert result["ok"] is False
