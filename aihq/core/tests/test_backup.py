"""aihq backup / aihq restore: a round trip gives back every row, and a restore refuses what it should."""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import io
import json
import threading
import uuid
import zipfile
from collections.abc import Callable, Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.apps import apps
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.db.migrations.recorder import MigrationRecorder

from aihq.audit.selectors import verify_audit_chain
from aihq.core import backup as backup_module
from aihq.registry import tallies


def every_row() -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table but sessions, in primary-key order (binary as bytes), found independently
    of the backup module's own list of tables."""
    rows: dict[str, list[tuple[Any, ...]]] = {}
    for model in apps.get_models(include_auto_created=True):
        meta = model._meta
        if meta.proxy or not meta.managed or meta.app_label == "sessions":
            continue
        names = [f.attname for f in meta.concrete_fields]
        rows[meta.db_table] = [
            tuple(bytes(v) if isinstance(v, memoryview) else v for v in row)
            for row in model._base_manager.order_by("pk").values_list(*names)
        ]
    # The use-case tallies are recounted, not restored: their ids and rows at zero may differ, their counts not.
    rows["registry_usecasetally"] = sorted(row[1:] for row in rows["registry_usecasetally"] if row[-1])
    return rows


def per_table_backed_up(rows: dict[str, list[Any]]) -> dict[str, int]:
    return {table: len(found) for table, found in rows.items() if table != "registry_usecasetally"}


def tables_that_differ(before: dict[str, list[Any]], after: dict[str, list[Any]]) -> list[str]:
    return sorted(table for table in before.keys() | after.keys() if before.get(table) != after.get(table))


def run(*args: str) -> dict[str, Any]:
    """Run a command with --json and return its summary."""
    out = io.StringIO()
    call_command(*args, "--json", stdout=out)
    result: dict[str, Any] = json.loads(out.getvalue())
    return result


def empty_database() -> None:
    """Leave the database as `migrate` would: flush, whose post_migrate puts back the content types,
    permissions and shipped frameworks (with their audit events)."""
    connection.check_constraints()  # PostgreSQL: TRUNCATE refuses tables with pending deferred checks
    call_command("flush", interactive=False, verbosity=0)


def rewrite(
    source: Path,
    target: Path,
    *,
    table: str | None = None,
    edit_lines: Callable[[list[str]], list[str]] | None = None,
    fix_checksum: bool = True,
    edit_manifest: Callable[[dict[str, Any]], None] | None = None,
) -> Path:
    """A copy of a backup with one table's lines or the manifest changed (a valid zip either way)."""
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as new:
        manifest = json.loads(old.read("manifest.json"))
        for info in old.infolist():
            if info.filename == "manifest.json":
                continue
            data = old.read(info.filename)
            if table is not None and edit_lines is not None and info.filename == f"tables/{table}.jsonl":
                lines = edit_lines(data.decode().splitlines(keepends=True))
                data = "".join(lines).encode()
                if fix_checksum:
                    entry = next(e for e in manifest["tables"] if e["table"] == table)
                    entry["sha256"], entry["rows"] = hashlib.sha256(data).hexdigest(), len(lines)
            new.writestr(info, data)
        if edit_manifest is not None:
            edit_manifest(manifest)
        new.writestr("manifest.json", json.dumps(manifest))
    return target


def edit_first_row(change: Callable[[list[Any]], None]) -> Callable[[list[str]], list[str]]:
    def edit(lines: list[str]) -> list[str]:
        row = json.loads(lines[0])
        change(row)
        return [json.dumps(row) + "\n", *lines[1:]]

    return edit


def column(table: str, name: str) -> int:
    """The position of a column in a table's rows in a backup (the model's concrete field order)."""
    model = next(m for m in backup_module.backup_models() if m._meta.db_table == table)
    return [f.attname for f in model._meta.concrete_fields].index(name)


@pytest.fixture
def backed_up(world: Any, tmp_path: Path) -> Path:
    """A backup of the permission-matrix world."""
    path = tmp_path / "world.aihq"
    run("backup", str(path))
    return path


def test_every_column_type_survives_the_encoding() -> None:
    types = ["DateTimeField", "DateTimeField", "DateField", "TimeField", "DecimalField", "UUIDField",
             "BinaryField", "DurationField", "JSONField", "FloatField", "BigIntegerField", "TextField",
             "BooleanField", "DateTimeField"]  # fmt: skip
    row = [
        dt.datetime(2024, 2, 29, 23, 59, 59, 999999, tzinfo=dt.UTC),
        dt.datetime(2025, 1, 1, 3, 0, 0, 1, tzinfo=dt.timezone(dt.timedelta(hours=3))),
        dt.date(1, 1, 1),
        dt.time(12, 0, 0, 1),
        Decimal("12345.6789000"),
        uuid.UUID("12345678-1234-5678-1234-567812345678"),
        bytes(range(256)) * 3,
        dt.timedelta(days=-1, microseconds=1),
        {"ключ": [1, 2.5, None, True, {"nested": "ü\n"}], "$dt": "not a tag"},
        0.1 + 0.2,
        2**62 + 1,
        'line\nbreak, "quotes", \u2028 and \\',
        False,
        None,
    ]
    line = backup_module.encode_row(row, backup_module.encoders_for(types))
    assert line.count("\n") == 1
    assert line.endswith("\n")
    decoded = backup_module.decode_row(line.encode(), backup_module.decoders_for(types), len(types))
    assert decoded == row
    assert decoded[1].utcoffset() == dt.timedelta(hours=3)
    assert str(decoded[4]) == "12345.6789000"


def test_a_backup_restored_into_an_emptied_database_gives_back_every_row(
    db: Any, system_actor: Any, tmp_path: Path
) -> None:
    from aihq.registry.demo import load_demo
    from aihq.regulation.models import RequirementStatus
    from aihq.regulation.services import evidence_add

    load_demo(actor=system_actor, us_inventory=False)
    evidence_add(
        actor=system_actor,
        requirement=RequirementStatus.objects.order_by("pk")[0],
        filename="scan.pdf",
        content=b"%PDF-1.7\n" + bytes(range(256)) * 40,
    )
    before = every_row()
    assert bool(before["registry_usecasetally"]) is tallies.kept()
    for table in ("accounts_user", "accounts_membership", "registry_usecase_sectors", "objectives_measurement",
                  "regulation_evidence", "audit_auditevent", "energy_scenario"):  # fmt: skip
        assert before[table], table
    path = tmp_path / "demo.aihq"

    made = run("backup", str(path))

    assert made["per_table"] == per_table_backed_up(before)
    assert path.stat().st_mode & 0o077 == 0  # password hashes inside: the owner's eyes only
    assert [p.name for p in tmp_path.iterdir()] == ["demo.aihq"]  # no temporary file left beside it
    with zipfile.ZipFile(path) as zf:
        manifest = json.loads(zf.read("manifest.json"))
    assert manifest["vendor"] == connection.vendor
    assert {tuple(m) for m in manifest["migrations"]} == set(MigrationRecorder(connection).applied_migrations())
    empty_database()
    assert tables_that_differ(before, every_row())  # the flush did empty it

    restored = run("restore", str(path))  # no --force needed: only what migrate creates was there

    after = every_row()
    assert tables_that_differ(before, after) == []
    assert after == before
    assert restored["audit_chain"] == {"ok": True, "events": len(before["audit_auditevent"]), "break": None}
    assert verify_audit_chain() == (None, len(before["audit_auditevent"]))


def test_restore_with_force_puts_the_backup_back_over_changed_data(
    world: Any, system_actor: Any, tmp_path: Path
) -> None:
    from aihq.accounts.models import Membership
    from aihq.registry.services import organisation_update, use_case_create

    path = tmp_path / "world.aihq"
    run("backup", str(path))
    before = every_row()
    use_case_create(actor=system_actor, organisation=world.org_b, name="Made after the backup")
    organisation_update(actor=system_actor, organisation=world.org_a, name_en="Renamed after the backup")
    Membership.objects.filter(user=world.users["editor_a"]).delete()
    assert tables_that_differ(before, every_row())

    restored = run("restore", str(path), "--force")

    assert every_row() == before
    assert restored["audit_chain"]["ok"] is True
    # The sequences follow the restored rows: the next use case gets a new id and the chain goes on intact.
    latest = max(pk for pk, *_ in before["registry_usecase"])
    assert use_case_create(actor=system_actor, organisation=world.org_b, name="After the restore").pk > latest
    assert verify_audit_chain()[0] is None


def test_restore_refuses_a_database_that_holds_data_without_force(
    backed_up: Path, world: Any, system_actor: Any
) -> None:
    from aihq.registry.services import use_case_create

    use_case_create(actor=system_actor, organisation=world.org_b, name="Not in the backup")
    before = every_row()
    with pytest.raises(CommandError, match="--force") as refused:
        run("restore", str(backed_up))
    assert "holds data (accounts_user, accounts_membership, " in str(refused.value)
    assert every_row() == before


def test_the_check_for_existing_data_names_the_tables_without_counting_their_rows(world: Any) -> None:
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        found = backup_module.existing_data()
    assert {"accounts_user", "accounts_membership", "registry_usecase"} <= set(found)
    assert "regulation_framework" not in found  # what migrate loads by itself does not count
    assert not [q["sql"] for q in queries.captured_queries if "COUNT(" in q["sql"].upper()]


def test_a_restored_audit_chain_that_does_not_verify_says_what_it_means_and_what_to_do(
    backed_up: Path, tmp_path: Path
) -> None:
    repr_at = column("audit_auditevent", "object_repr")
    edited = rewrite(
        backed_up,
        tmp_path / "edited.aihq",
        table="audit_auditevent",
        edit_lines=edit_first_row(lambda row: row.__setitem__(repr_at, "Edited after the fact")),
    )  # checksums rewritten too: the file itself passes its checks

    summary = backup_module.restore(edited, force=True)

    assert summary.audit_ok is False
    assert summary.audit_break == "event #1: content does not match its hash (edited)"
    message = summary.audit_message
    assert message.startswith("Audit chain BROKEN at event #1: content does not match its hash (edited).")
    assert "changed outside AIHQ" in message
    assert "before the backup was taken, or in the backup file after it was written" in message
    assert "Run `aihq audit_verify`" in message
    assert "restore an earlier backup" in message
    assert backup_module.restore(backed_up, force=True).audit_message.startswith("Audit chain intact:")


def test_restore_refuses_a_missing_file(db: Any, tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="no such file"):
        run("restore", str(tmp_path / "nowhere.aihq"))


def test_restore_refuses_a_file_that_is_not_a_backup(db: Any, tmp_path: Path) -> None:
    text = tmp_path / "notes.txt"
    text.write_text("hello")
    other_zip = tmp_path / "other.zip"
    with zipfile.ZipFile(other_zip, "w") as zf:
        zf.writestr("readme.txt", "hello")
    for path in (text, other_zip):
        with pytest.raises(CommandError, match="is not an AIHQ backup"):
            run("restore", str(path))


def test_restore_refuses_a_backup_cut_short(backed_up: Path) -> None:
    data = backed_up.read_bytes()
    backed_up.write_bytes(data[: len(data) // 2])
    before = every_row()
    with pytest.raises(CommandError, match=r"damaged or incomplete AIHQ backup .*cut short"):
        run("restore", str(backed_up), "--force")
    assert every_row() == before


def test_restore_refuses_a_backup_whose_table_was_altered(backed_up: Path, tmp_path: Path) -> None:
    name_at = column("registry_usecase", "name")
    tampered = rewrite(
        backed_up,
        tmp_path / "tampered.aihq",
        table="registry_usecase",
        edit_lines=edit_first_row(lambda row: row.__setitem__(name_at, "Tampered")),
        fix_checksum=False,
    )
    before = every_row()
    with pytest.raises(CommandError, match="table registry_usecase does not match its checksum"):
        run("restore", str(tampered), "--force")
    assert every_row() == before


@pytest.mark.parametrize("case", ["newer backup", "older backup", "database behind the backup"])
def test_restore_refuses_a_backup_whose_migrations_differ(backed_up: Path, tmp_path: Path, case: str) -> None:
    latest = MigrationRecorder.Migration.objects.filter(app="registry").order_by("-id").first()
    assert latest is not None
    pair = [latest.app, latest.name]
    if case == "newer backup":
        path = rewrite(
            backed_up, tmp_path / "x.aihq", edit_manifest=lambda m: m["migrations"].append(["registry", "9999_future"])
        )
        expected = r"newer version of AIHQ .*registry\.9999_future"
    elif case == "older backup":
        path = rewrite(backed_up, tmp_path / "x.aihq", edit_manifest=lambda m: m["migrations"].remove(pair))
        expected = rf"older version of AIHQ .*registry\.{latest.name}"
    else:
        path = backed_up
        latest.delete()
        expected = rf"lacks migrations the backup has \(registry\.{latest.name}\): run `aihq migrate` first"
    with pytest.raises(CommandError, match=expected):
        run("restore", str(path), "--force")


@pytest.mark.parametrize("fault", ["unreadable date", "dangling foreign key"])
def test_a_restore_that_fails_midway_leaves_the_database_as_it_was(
    backed_up: Path, world: Any, system_actor: Any, tmp_path: Path, fault: str
) -> None:
    from aihq.registry.services import use_case_create

    value: str | int
    if fault == "unreadable date":
        at, value, expected = column("registry_usecase", "created_at"), "yesterday", "Row 1 of table registry_usecase"
    else:
        at, value, expected = column("registry_usecase", "organisation_id"), 987654, "foreign key"
    broken = rewrite(
        backed_up,
        tmp_path / "broken.aihq",
        table="registry_usecase",
        edit_lines=edit_first_row(lambda row: row.__setitem__(at, value)),
    )
    use_case_create(actor=system_actor, organisation=world.org_b, name="Made after the backup")
    before = every_row()
    with pytest.raises(CommandError, match=expected):
        run("restore", str(broken), "--force")
    assert every_row() == before
    assert verify_audit_chain()[0] is None


def test_a_failed_backup_leaves_no_file_and_keeps_the_previous_one(world: Any, tmp_path: Path) -> None:
    path = tmp_path / "nightly.aihq"
    path.write_bytes(b"yesterday's backup")
    started: list[str] = []

    @contextlib.contextmanager
    def interrupted_at_the_third_table(description: str, total: int) -> Iterator[Callable[[int], None]]:
        started.append(description)
        if len(started) == 3:
            raise KeyboardInterrupt
        yield lambda n: None

    with pytest.raises(KeyboardInterrupt):
        backup_module.backup(path, progress=interrupted_at_the_third_table)
    assert [p.name for p in tmp_path.iterdir()] == ["nightly.aihq"]
    assert path.read_bytes() == b"yesterday's backup"


@pytest.mark.postgresql
@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="needs PostgreSQL: the in-memory SQLite test database has one writer"
)
@pytest.mark.django_db(transaction=True)
def test_a_writer_committing_during_a_backup_does_not_appear_in_it(
    world: Any, system_actor: Any, tmp_path: Path
) -> None:
    from aihq.audit.models import AuditEvent
    from aihq.registry.models import UseCase
    from aihq.registry.services import use_case_create

    events = AuditEvent.objects.count()
    use_cases = UseCase.objects.count()
    written: list[int] = []

    def writer() -> None:
        try:
            written.append(use_case_create(actor=system_actor, organisation=world.org_b, name="Written meanwhile").pk)
        finally:
            connection.close()

    @contextlib.contextmanager
    def progress(description: str, total: int) -> Iterator[Callable[[int], None]]:
        # The audit log is already read; the use cases are next. Without one snapshot, the new use case
        # would be in the backup and its audit event not.
        if description == "registry_usecase":
            thread = threading.Thread(target=writer)
            thread.start()
            thread.join(30)
            assert not thread.is_alive(), "the backup blocked a writer"
            assert written
        yield lambda n: None

    summary = backup_module.backup(tmp_path / "live.aihq", progress=progress)

    assert UseCase.objects.count() == use_cases + 1  # the writer did commit
    assert summary.per_table["registry_usecase"] == use_cases
    assert summary.per_table["audit_auditevent"] == events
    with zipfile.ZipFile(tmp_path / "live.aihq") as zf:
        assert b"Written meanwhile" not in zf.read("tables/registry_usecase.jsonl")
        assert b"Written meanwhile" not in zf.read("tables/audit_auditevent.jsonl")
