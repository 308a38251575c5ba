"""The whole database to one file and back: ``aihq backup FILE`` and ``aihq restore FILE``.

The file is a zip archive, written to a temporary file beside FILE and renamed at the end:

``AIHQ-BACKUP``
    the first member, stored uncompressed: the format's name and version, so that even a file cut short
    is recognised as a damaged backup rather than as "not a backup";
``tables/<table>.jsonl``
    one member per table, one JSON array per row (the columns in the manifest's order), rows in
    primary-key order;
``manifest.json``
    the last member: format version, AIHQ version, the database vendor, the applied migrations, the
    creation time, and per table its model, columns, column types, row count and the SHA-256 of its member.

Cells are encoded by the column's field type rather than tagged: dates, times and datetimes as ISO text
(datetimes keep their offset and microseconds), decimals and UUIDs as text, binary as base64, durations as
microseconds, JSON columns as the JSON value itself. The values are those the ORM reads (``from_db_value``)
and are written back through each field's ``get_db_prep_save`` (``aihq.core.db.insert_rows``), so a backup
taken on SQLite restores on PostgreSQL and the other way round. A JSON column holding a top-level JSON
``null`` comes back as SQL NULL, as Django itself stores ``None``.

Everything is streamed: a table is read in chunks and written line by line, and read back the same way.
"""

from __future__ import annotations

import base64
import contextlib
import datetime as dt
import hashlib
import json
import logging
import os
import tempfile
import time
import uuid
import zipfile
import zlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.management.color import no_style
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections, transaction
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.recorder import MigrationRecorder
from django.db.models import Model
from django.utils import timezone
from django.utils.duration import duration_microseconds
from django.utils.translation import gettext as _

import aihq
from aihq.audit.hashing import ChainBreak
from aihq.core.cli import Advance, ProgressFactory, no_progress
from aihq.core.db import copy_rows
from aihq.registry import tallies

logger = logging.getLogger("aihq.backup")

FORMAT = "aihq-backup"
FORMAT_VERSION = 1
MARKER = "AIHQ-BACKUP"
MANIFEST = "manifest.json"
#: Apps whose tables are left out of a backup (and emptied by a restore: a session must not outlive its user).
EXCLUDED_APPS = frozenset({"sessions"})
#: Tables the post_migrate handlers fill by themselves (regulation loads the shipped frameworks); with the
#: audit events those handlers write (by a ``system:`` actor), they do not make a database "non-empty".
SEEDED_MODELS = frozenset({"regulation.framework"})
#: The audit chain's head follows from the events; it holds no data of its own.
DERIVED_MODELS = frozenset({"audit.audithead"})
#: Tables a restore recounts instead of loading (the use-case tallies follow from the use cases and their links).
RECOUNTED_MODELS = frozenset({"registry.usecasetally"})

ROWS_PER_CHUNK = 2000
#: Rows per chunk for tables with binary columns (evidence files up to several MB each).
BINARY_ROWS_PER_CHUNK = 16
#: A batch of rows to insert is sent when it holds this many bytes of encoded rows, whatever its length.
BATCH_BYTES = 16 * 1024 * 1024
COMPRESSLEVEL = 3


class BackupError(Exception):
    """A backup or restore refused or failed, with a message for the person running it."""


# --- Cell encoding ------------------------------------------------------------------------------------------

_ENCODERS: dict[str, Callable[[Any], Any]] = {
    "DateTimeField": lambda value: value.isoformat(),
    "DateField": lambda value: value.isoformat(),
    "TimeField": lambda value: value.isoformat(),
    "DecimalField": str,
    "UUIDField": str,
    "BinaryField": lambda value: base64.b64encode(value).decode("ascii"),
    "DurationField": duration_microseconds,
}
_DECODERS: dict[str, Callable[[Any], Any]] = {
    "DateTimeField": dt.datetime.fromisoformat,
    "DateField": dt.date.fromisoformat,
    "TimeField": dt.time.fromisoformat,
    "DecimalField": Decimal,
    "UUIDField": uuid.UUID,
    "BinaryField": lambda text: base64.b64decode(text, validate=True),
    "DurationField": lambda micros: dt.timedelta(microseconds=micros),
}


def column_type(model_field: Any) -> str:
    """The internal type of the value a column holds (a foreign key holds its target's)."""
    while model_field.is_relation:
        model_field = model_field.target_field
    return str(model_field.get_internal_type())


# One encoder for every row: json.dumps with options builds a new one per call.
_to_json = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode


def encode_row(row: Iterable[Any], encoders: list[tuple[int, Callable[[Any], Any]]]) -> str:
    """One row as a line of JSON (with its newline)."""
    values = list(row)
    for index, encode in encoders:
        if values[index] is not None:
            values[index] = encode(values[index])
    return _to_json(values) + "\n"


def decode_row(line: bytes, decoders: list[tuple[int, Callable[[Any], Any]]], width: int) -> list[Any]:
    """A line of JSON back to the row's Python values; ValueError if it is not a row of ``width`` cells."""
    values = json.loads(line)
    if not isinstance(values, list) or len(values) != width:
        raise ValueError(_("expected a list of %(width)s values") % {"width": width})
    for index, decode in decoders:
        if values[index] is not None:
            values[index] = decode(values[index])
    return values


def encoders_for(types: list[str]) -> list[tuple[int, Callable[[Any], Any]]]:
    """For a table's column types, the positions that need encoding and how."""
    return [(index, _ENCODERS[kind]) for index, kind in enumerate(types) if kind in _ENCODERS]


def decoders_for(types: list[str]) -> list[tuple[int, Callable[[Any], Any]]]:
    """For a table's column types, the positions that need decoding and how."""
    return [(index, _DECODERS[kind]) for index, kind in enumerate(types) if kind in _DECODERS]


# --- What is backed up --------------------------------------------------------------------------------------


def _concrete_models() -> list[type[Model]]:
    seen: set[str] = set()
    models: list[type[Model]] = []
    for model in apps.get_models(include_auto_created=True):
        meta = model._meta
        if meta.proxy or not meta.managed or meta.db_table in seen:
            continue
        seen.add(meta.db_table)
        models.append(model)
    return models


def backup_models() -> list[type[Model]]:
    """Every table a backup holds: each concrete model of each installed app (M2M tables too), but sessions and
    what a restore recounts."""
    return [
        model
        for model in _concrete_models()
        if model._meta.app_label not in EXCLUDED_APPS and model._meta.label_lower not in RECOUNTED_MODELS
    ]


def _columns(model: type[Model]) -> tuple[list[str], list[str]]:
    fields = model._meta.concrete_fields
    return [f.attname for f in fields], [column_type(f) for f in fields]


@dataclass(frozen=True)
class TableEntry:
    """One table in the manifest."""

    table: str
    model: str
    columns: list[str]
    types: list[str]
    rows: int
    sha256: str

    @property
    def member(self) -> str:
        return f"tables/{self.table}.jsonl"


@dataclass(frozen=True)
class Manifest:
    """What a backup holds and where it came from."""

    format_version: int
    aihq_version: str
    vendor: str
    created_at: str
    migrations: frozenset[tuple[str, str]]
    tables: list[TableEntry]

    @property
    def rows(self) -> int:
        return sum(entry.rows for entry in self.tables)

    def as_json(self) -> dict[str, Any]:
        return {
            "format": FORMAT,
            "format_version": self.format_version,
            "aihq_version": self.aihq_version,
            "vendor": self.vendor,
            "created_at": self.created_at,
            "migrations": sorted([app, name] for app, name in self.migrations),
            "tables": [entry.__dict__ for entry in self.tables],
        }


def applied_migrations() -> frozenset[tuple[str, str]]:
    """The (app, name) pairs recorded in django_migrations."""
    return frozenset(MigrationRecorder(connections[DEFAULT_DB_ALIAS]).applied_migrations())


# --- Backup ---------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class BackupSummary:
    """What ``backup`` wrote."""

    path: Path
    tables: int
    rows: int
    size: int
    seconds: float
    vendor: str
    per_table: dict[str, int] = field(default_factory=dict)


@contextlib.contextmanager
def read_snapshot() -> Iterator[None]:
    """Run the block's reads in one snapshot of the database, without blocking writers.

    PostgreSQL: a ``REPEATABLE READ READ ONLY`` transaction. SQLite (WAL): one deferred read transaction,
    whose snapshot is taken at its first read (``BEGIN IMMEDIATE``, the project's mode for writes, would
    shut writers out). Inside a caller's transaction (tests), that transaction is the snapshot.
    """
    conn = connections[DEFAULT_DB_ALIAS]
    if conn.in_atomic_block:
        yield
        return
    if conn.vendor == "postgresql":
        with transaction.atomic():
            with conn.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
            yield
        return
    if conn.vendor == "sqlite":
        conn.ensure_connection()
        with conn.cursor() as cursor:
            cursor.execute("BEGIN DEFERRED")
        try:
            yield
        finally:
            with conn.cursor() as cursor:
                cursor.execute("ROLLBACK")  # nothing was written; ending the read is all
        return
    with transaction.atomic():
        yield


def _write_table(zf: zipfile.ZipFile, model: type[Model], advance: Advance) -> TableEntry:
    meta = model._meta
    columns, types = _columns(model)
    encoders = encoders_for(types)
    chunk = BINARY_ROWS_PER_CHUNK if "BinaryField" in types else ROWS_PER_CHUNK
    digest = hashlib.sha256()
    count = 0
    pending: list[str] = []
    pending_size = 0
    rows = model._base_manager.order_by("pk").values_list(*columns).iterator(chunk_size=chunk)
    with zf.open(f"tables/{meta.db_table}.jsonl", "w", force_zip64=True) as member:

        def flush() -> None:
            nonlocal pending_size
            data = "".join(pending).encode("utf-8")
            digest.update(data)
            member.write(data)
            advance(len(pending))
            pending.clear()
            pending_size = 0

        for row in rows:
            try:
                line = encode_row(row, encoders)
            except (TypeError, ValueError) as exc:
                raise BackupError(
                    _("Row %(row)s of table %(table)s cannot be written: %(error)s")
                    % {"row": count + 1, "table": meta.db_table, "error": exc}
                ) from exc
            pending.append(line)
            pending_size += len(line)
            count += 1
            if len(pending) >= chunk or pending_size >= BATCH_BYTES:
                flush()
        if pending:
            flush()
    return TableEntry(meta.db_table, meta.label, columns, types, count, digest.hexdigest())


def _check_tables_exist(models: list[type[Model]]) -> None:
    conn = connections[DEFAULT_DB_ALIAS]
    existing = set(conn.introspection.table_names())
    missing = sorted(model._meta.db_table for model in models if model._meta.db_table not in existing)
    if missing:
        raise BackupError(
            _("The database lacks tables (%(tables)s): run `aihq migrate` first.") % {"tables": _names(missing)}
        )


def backup(path: Path, *, progress: ProgressFactory = no_progress) -> BackupSummary:
    """Write the whole database, as one consistent snapshot, to ``path`` (replaced only when complete).

    The file holds password hashes and secrets: it is created readable by its owner only.
    """
    started = time.monotonic()
    path = Path(path)
    if not path.parent.is_dir():
        raise BackupError(_("The folder %(folder)s does not exist.") % {"folder": path.parent})
    if path.is_dir():
        raise BackupError(_("%(path)s is a folder; give the backup file's name.") % {"path": path})
    conn = connections[DEFAULT_DB_ALIAS]
    models = backup_models()
    _check_tables_exist(models)
    try:
        handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".partial")
    except OSError as exc:
        raise BackupError(_("Cannot write in %(folder)s: %(error)s") % {"folder": path.parent, "error": exc}) from exc
    os.close(handle)
    try:
        with (
            zipfile.ZipFile(temporary, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=COMPRESSLEVEL) as zf,
            read_snapshot(),
        ):
            now = timezone.now()
            marker = zipfile.ZipInfo(MARKER, date_time=now.timetuple()[:6])
            zf.writestr(marker, json.dumps({"format": FORMAT, "format_version": FORMAT_VERSION}))
            migrations = applied_migrations()
            entries = []
            for model in models:
                total = model._base_manager.count()
                with progress(model._meta.db_table, total) as advance:
                    entries.append(_write_table(zf, model, advance))
            manifest = Manifest(FORMAT_VERSION, aihq.__version__, conn.vendor, now.isoformat(), migrations, entries)
            zf.writestr(MANIFEST, json.dumps(manifest.as_json(), ensure_ascii=False, indent=1))
        with open(temporary, "rb") as written:
            os.fsync(written.fileno())
        os.replace(temporary, path)
    except BaseException as exc:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temporary)
        if isinstance(exc, OSError):  # a full disk, a file system that refuses the rename
            raise BackupError(_("Cannot write %(path)s: %(error)s") % {"path": path, "error": exc}) from exc
        raise
    logger.info("Backed up %s rows of %s tables to %s", manifest.rows, len(entries), path)
    return BackupSummary(
        path=path,
        tables=len(entries),
        rows=manifest.rows,
        size=path.stat().st_size,
        seconds=time.monotonic() - started,
        vendor=conn.vendor,
        per_table={entry.table: entry.rows for entry in entries},
    )


# --- Reading a backup -----------------------------------------------------------------------------------------


def _damaged(path: Path, detail: Any) -> BackupError:
    return BackupError(
        _("%(path)s is a damaged or incomplete AIHQ backup (%(detail)s); nothing was restored.")
        % {"path": path, "detail": detail}
    )


def _not_a_backup(path: Path) -> BackupError:
    return BackupError(_("%(path)s is not an AIHQ backup.") % {"path": path})


def _starts_like_a_backup(path: Path) -> bool:
    """Whether the file begins with the backup's marker member (a zip local header named AIHQ-BACKUP)."""
    with open(path, "rb") as file:
        head = file.read(30 + len(MARKER))
    if len(head) < 30 + len(MARKER) or head[:4] != b"PK\x03\x04":
        return False
    name_length = int.from_bytes(head[26:28], "little")
    return name_length == len(MARKER) and head[30:] == MARKER.encode("ascii")


def _parse_manifest(data: dict[str, Any]) -> Manifest:
    tables = [
        TableEntry(
            table=str(item["table"]),
            model=str(item["model"]),
            columns=[str(c) for c in item["columns"]],
            types=[str(t) for t in item["types"]],
            rows=int(item["rows"]),
            sha256=str(item["sha256"]),
        )
        for item in data["tables"]
    ]
    for entry in tables:
        if len(entry.columns) != len(entry.types):
            raise ValueError(entry.table)
    return Manifest(
        format_version=int(data["format_version"]),
        aihq_version=str(data["aihq_version"]),
        vendor=str(data["vendor"]),
        created_at=str(data["created_at"]),
        migrations=frozenset((str(app), str(name)) for app, name in data["migrations"]),
        tables=tables,
    )


def open_backup(path: Path) -> tuple[zipfile.ZipFile, Manifest]:
    """Open a backup and read its manifest; BackupError if it is missing, not a backup, damaged or too new."""
    path = Path(path)
    if not path.is_file():
        raise BackupError(_("%(path)s: no such file.") % {"path": path})
    try:
        zf = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as exc:
        if _starts_like_a_backup(path):
            raise _damaged(path, _("its table of contents is missing: the file was cut short")) from exc
        raise _not_a_backup(path) from exc
    try:
        names = set(zf.namelist())
        if MARKER not in names:
            raise _not_a_backup(path)
        try:
            marker = json.loads(zf.read(MARKER))
            if marker.get("format") != FORMAT:
                raise _not_a_backup(path)
            version = int(marker["format_version"])
        except (ValueError, KeyError, TypeError, AttributeError, zipfile.BadZipFile) as exc:
            raise _not_a_backup(path) from exc
        if version > FORMAT_VERSION:
            raise BackupError(
                _("%(path)s is in backup format %(found)s; this version of AIHQ reads format %(known)s at most.")
                % {"path": path, "found": version, "known": FORMAT_VERSION}
            )
        if MANIFEST not in names:
            raise _damaged(path, _("it has no manifest: the backup did not finish"))
        try:
            manifest = _parse_manifest(json.loads(zf.read(MANIFEST)))
        except (ValueError, KeyError, TypeError, zipfile.BadZipFile, zlib.error) as exc:
            raise _damaged(path, _("its manifest cannot be read")) from exc
        missing = sorted(entry.member for entry in manifest.tables if entry.member not in names)
        if missing:
            raise _damaged(path, _("members are missing: %(names)s") % {"names": _names(missing)})
    except BaseException:
        zf.close()
        raise
    return zf, manifest


def verify_backup(
    zf: zipfile.ZipFile, manifest: Manifest, path: Path, *, progress: ProgressFactory = no_progress
) -> None:
    """Check every table's member against the manifest's row count and SHA-256."""
    for entry in manifest.tables:
        digest = hashlib.sha256()
        rows = 0
        with progress(_("checking %(table)s") % {"table": entry.table}, entry.rows) as advance:
            try:
                with zf.open(entry.member) as member:
                    while data := member.read(1 << 20):
                        digest.update(data)
                        lines = data.count(b"\n")
                        rows += lines
                        advance(lines)
            except (zipfile.BadZipFile, zlib.error, EOFError, OSError) as exc:
                raise _damaged(path, _("table %(table)s: %(error)s") % {"table": entry.table, "error": exc}) from exc
        if digest.hexdigest() != entry.sha256 or rows != entry.rows:
            raise _damaged(
                path,
                _("table %(table)s does not match its checksum: it was altered or corrupted") % {"table": entry.table},
            )


# --- Restore --------------------------------------------------------------------------------------------------


def _names(items: Iterable[Any], limit: int = 5) -> str:
    items = list(items)
    text = ", ".join(str(item) for item in items[:limit])
    if len(items) > limit:
        text += " " + _("and %(count)s more") % {"count": len(items) - limit}
    return text


def _migration_names(pairs: Iterable[tuple[str, str]]) -> str:
    return _names(f"{app}.{name}" for app, name in sorted(pairs))


def check_migrations(manifest: Manifest) -> None:
    """The database must be migrated to exactly the backup's migrations; else say what to do."""
    database = applied_migrations()
    theirs = manifest.migrations
    if database == theirs:
        return
    version = manifest.aihq_version
    if not database:
        raise BackupError(_("The database is not migrated: run `aihq migrate` first, then restore."))
    known = set(MigrationLoader(None, ignore_no_migrations=True).disk_migrations)
    unknown = theirs - known
    if unknown:
        raise BackupError(
            _(
                "The backup is from a newer version of AIHQ (%(version)s): it has migrations this version does not "
                "know (%(names)s). Restore it with AIHQ %(version)s or later."
            )
            % {"version": version, "names": _migration_names(unknown)}
        )
    missing = theirs - database
    extra = database - theirs
    if not extra:
        raise BackupError(
            _("The database lacks migrations the backup has (%(names)s): run `aihq migrate` first.")
            % {"names": _migration_names(missing)}
        )
    raise BackupError(
        _(
            "The backup is from an older version of AIHQ (%(version)s): the database has migrations the backup "
            "lacks (%(names)s). Migrate an empty database back to the backup's migrations (`aihq migrate APP "
            "MIGRATION`), restore, then run `aihq migrate`."
        )
        % {"version": version, "names": _migration_names(extra)}
    )


def _target_models(manifest: Manifest) -> dict[str, type[Model]]:
    """The model for each of the backup's tables, checking that the columns and their types agree."""
    models = {model._meta.db_table: model for model in backup_models()}
    ours, theirs = set(models), {entry.table for entry in manifest.tables}
    if ours != theirs:
        raise BackupError(
            _("The backup's tables differ from this database's (only in the backup: %(theirs)s; only here: %(ours)s).")
            % {"theirs": _names(sorted(theirs - ours)) or "-", "ours": _names(sorted(ours - theirs)) or "-"}
        )
    for entry in manifest.tables:
        columns, types = _columns(models[entry.table])
        if dict(zip(columns, types, strict=True)) != dict(zip(entry.columns, entry.types, strict=True)):
            raise BackupError(
                _("Table %(table)s has other columns in the backup (%(theirs)s) than here (%(ours)s).")
                % {"table": entry.table, "theirs": ", ".join(entry.columns), "ours": ", ".join(columns)}
            )
    return models


def existing_data() -> list[str]:
    """The tables holding rows ``migrate`` would not have put there: any user or group, any row of an AIHQ app.

    What migrate writes by itself does not count: content types and permissions, the shipped frameworks
    and the audit events their loading wrote. Each table is asked whether it holds such a row (an EXISTS),
    never counted: a large database is told at once that it is not empty.
    """
    from aihq.audit.models import AuditEvent

    user_model = get_user_model()
    found: list[str] = []
    for model in backup_models():
        meta = model._meta
        if meta.label_lower in SEEDED_MODELS or meta.label_lower in DERIVED_MODELS:
            continue
        if model is AuditEvent:
            seeded = {"object_type__in": SEEDED_MODELS, "actor_label__startswith": "system:"}
            holds = AuditEvent.objects.exclude(**seeded).exists()
        elif model is user_model or meta.label_lower == "auth.group" or meta.app_config.name.startswith("aihq."):
            holds = model._base_manager.exists()
        else:
            continue
        if holds:
            found.append(meta.db_table)
    return found


def _refuse_existing_data() -> None:
    found = existing_data()
    if found:
        raise BackupError(
            _(
                "The database already holds data (%(details)s). A restore replaces everything in it: "
                "run it again with --force to do so."
            )
            % {"details": _names(found)}
        )


def _chain_break_place(chain_break: ChainBreak) -> str:
    if chain_break.seq is None:
        return _("the start of the log")
    return _("event #%(seq)s") % {"seq": chain_break.seq}


def audit_chain_message(chain_break: ChainBreak | None, events: int) -> str:
    """What a restored audit chain's state means, and, when it does not verify, what to do about it."""
    if chain_break is None:
        return _("Audit chain intact: %(events)s events verified.") % {"events": events}
    # The backup's checksums matched, so the break is in what the backup holds, not made by the restore.
    return _(
        "Audit chain BROKEN at %(where)s: %(reason)s. The data is restored exactly as the backup holds it, but its "
        "audit log was changed outside AIHQ: edited in the database before the backup was taken, or in the backup "
        "file after it was written. Run `aihq audit_verify` to see the first broken event; if the backup file may "
        "have been altered, restore an earlier backup instead."
    ) % {"where": _chain_break_place(chain_break), "reason": chain_break.reason}


@dataclass(frozen=True)
class RestoreSummary:
    """What ``restore`` did, and the state of the restored audit chain."""

    path: Path
    tables: int
    rows: int
    seconds: float
    source_vendor: str
    source_version: str
    created_at: str
    audit_ok: bool
    audit_events: int
    audit_break: str | None
    #: The chain's state in a sentence: intact, or broken with what it means and what to do.
    audit_message: str


def _load_table(zf: zipfile.ZipFile, entry: TableEntry, model: type[Model], path: Path, advance: Advance) -> None:
    decoders = decoders_for(entry.types)
    width = len(entry.columns)
    digest = hashlib.sha256()
    batch: list[list[Any]] = []
    batch_size = 0
    first = 1
    number = 0

    def send() -> None:
        nonlocal batch_size, first
        try:
            copy_rows(model, entry.columns, batch)
        except (DatabaseError, ValueError, TypeError) as exc:
            raise BackupError(
                _("Rows %(first)s–%(last)s of table %(table)s were refused: %(error)s")
                % {"first": first, "last": number, "table": entry.table, "error": exc}
            ) from exc
        advance(len(batch))
        first = number + 1
        batch.clear()
        batch_size = 0

    try:
        with zf.open(entry.member) as member:
            for line in member:
                number += 1
                digest.update(line)
                try:
                    batch.append(decode_row(line, decoders, width))
                except (ValueError, TypeError) as exc:
                    raise BackupError(
                        _("Row %(row)s of table %(table)s cannot be read: %(error)s")
                        % {"row": number, "table": entry.table, "error": exc}
                    ) from exc
                batch_size += len(line)
                if len(batch) >= ROWS_PER_CHUNK or batch_size >= BATCH_BYTES:
                    send()
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError) as exc:
        raise _damaged(path, _("table %(table)s: %(error)s") % {"table": entry.table, "error": exc}) from exc
    if batch:
        send()
    if digest.hexdigest() != entry.sha256 or number != entry.rows:
        raise _damaged(path, _("table %(table)s changed while it was being restored") % {"table": entry.table})


def _load(
    zf: zipfile.ZipFile, manifest: Manifest, models: dict[str, type[Model]], path: Path, progress: ProgressFactory
) -> None:
    """Empty the tables and load the backup's rows, in the caller's transaction."""
    conn = connections[DEFAULT_DB_ALIAS]
    flushed = [model._meta.db_table for model in _concrete_models()]
    with conn.cursor() as cursor:
        if conn.vendor == "postgresql":
            # Fire the caller's pending deferred checks now: TRUNCATE refuses tables with pending trigger events.
            conn.check_constraints()
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")
        elif conn.vendor == "sqlite":
            cursor.execute("PRAGMA defer_foreign_keys = ON")  # until the transaction ends
        # TRUNCATE on PostgreSQL, which also passes the audit log's append-only trigger (it guards rows).
        for sql in conn.ops.sql_flush(no_style(), flushed, reset_sequences=True):
            cursor.execute(sql)
    for entry in manifest.tables:
        with progress(entry.table, entry.rows) as advance:
            _load_table(zf, entry, models[entry.table], path, advance)
    try:
        conn.check_constraints(table_names=[entry.table for entry in manifest.tables])
    except DatabaseError as exc:
        raise BackupError(_("The backup's rows break a foreign key: %(error)s") % {"error": exc}) from exc
    tallies.rebuild()  # the triggers counted the rows in whatever order the tables came
    with conn.cursor() as cursor:
        for sql in conn.ops.sequence_reset_sql(no_style(), list(models.values())):
            cursor.execute(sql)
        quote = conn.ops.quote_name
        for entry in manifest.tables:
            cursor.execute(f"SELECT COUNT(*) FROM {quote(entry.table)}")  # noqa: S608
            (count,) = cursor.fetchone()
            if count != entry.rows:
                raise BackupError(
                    _("Table %(table)s holds %(count)s rows after the restore, not %(rows)s.")
                    % {"table": entry.table, "count": count, "rows": entry.rows}
                )


def restore(path: Path, *, force: bool = False, progress: ProgressFactory = no_progress) -> RestoreSummary:
    """Replace the database's contents with a backup's, in one transaction (a failure changes nothing).

    The file is checked first (manifest, format, checksums), then the database: migrated to exactly the
    backup's migrations, and empty (see ``existing_data``) unless ``force``. Then every table is emptied and
    loaded, foreign keys checked at the end, PostgreSQL's sequences reset and the row counts compared.

    A restore writes no audit events: the restored log must be the backup's, event for event, for its hash
    chain to verify. It is logged instead (the ``aihq.backup`` logger, and the command's output); the chain
    is verified after the restore and the result returned.
    """
    from aihq.audit.selectors import verify_audit_chain

    started = time.monotonic()
    path = Path(path)
    zf, manifest = open_backup(path)
    with zf:
        verify_backup(zf, manifest, path, progress=progress)
        check_migrations(manifest)
        models = _target_models(manifest)
        with transaction.atomic():  # the check too: on SQLite the transaction already shuts other writers out
            if not force:
                _refuse_existing_data()
            logger.info(
                "Restoring %s (taken %s on %s, AIHQ %s) over the database; not recorded in the audit log.",
                path,
                manifest.created_at,
                manifest.vendor,
                manifest.aihq_version,
            )
            _load(zf, manifest, models, path, progress)
    from django.contrib.contenttypes.models import ContentType

    ContentType.objects.clear_cache()
    chain_break, events = verify_audit_chain()
    logger.info("Restored %s rows of %s tables from %s.", manifest.rows, len(manifest.tables), path)
    return RestoreSummary(
        path=path,
        tables=len(manifest.tables),
        rows=manifest.rows,
        seconds=time.monotonic() - started,
        source_vendor=manifest.vendor,
        source_version=manifest.aihq_version,
        created_at=manifest.created_at,
        audit_ok=chain_break is None,
        audit_events=events,
        audit_break=None if chain_break is None else f"{_chain_break_place(chain_break)}: {chain_break.reason}",
        audit_message=audit_chain_message(chain_break, events),
    )
