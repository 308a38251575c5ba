"""Use cases counted by organisation and stage, sector or region (``UseCaseTally``), kept by database triggers.

Triggers, not signals: imports, the scale generator, restores and raw SQL write use cases and their links in bulk,
and each of them is counted the same way. An insert adds one to its row (creating it), a delete takes one away,
a change of stage or organisation moves the use case (and its sectors and regions) from one row to another, and a
link added or removed moves its sector's or region's row. Rows at zero stay, so a delete never needs to know
whether its row exists. ``rebuild()`` recounts everything from the use cases (after a restore, or to check).

On SQLite only. An import writes its use cases one statement each in one transaction, so one counter row is
updated thousands of times in a transaction: SQLite changes the row in place, but PostgreSQL keeps every version
until the transaction ends and walks them all on each update, which makes an import quadratic (minutes for a few
thousand rows). PostgreSQL counts the use cases live instead, with its parallel aggregates (``kept()`` says which).
"""

# ruff: noqa: S608  -- every statement here is built from this module's constants, never from input.
from __future__ import annotations

from django.db import connection

_TALLY = "registry_usecasetally"
_LINKS = {"sector": "registry_usecase_sectors", "region": "registry_usecase_regions"}
_TEXT = "CAST(%s AS TEXT)"  # a sector's or region's id as the key
_CONFLICT = "ON CONFLICT (organisation_id, dimension, key) DO UPDATE SET n = registry_usecasetally.n + excluded.n"


def _add(org: str, dimension: str, key: str, source: str = "") -> str:
    """One more use case in (org, dimension, key); ``source`` a FROM ... WHERE clause the values come from."""
    values = f"SELECT {org}, '{dimension}', {key}, 1 {source}" if source else f"VALUES ({org}, '{dimension}', {key}, 1)"
    return f"INSERT INTO {_TALLY} (organisation_id, dimension, key, n) {values} {_CONFLICT};"


def _remove(org: str, dimension: str, key: str) -> str:
    where = f"organisation_id = {org} AND dimension = '{dimension}' AND key = {key}"
    return f"UPDATE {_TALLY} SET n = n - 1 WHERE {where};"


def _bodies() -> dict[str, dict[str, list[str]]]:
    """The triggers' statements by table and event, with OLD/NEW rows."""
    new_stage, old_stage = "NEW.stage", "OLD.stage"
    use_case = {
        "INSERT": [_add("NEW.organisation_id", "stage", new_stage)],
        "DELETE": [_remove("OLD.organisation_id", "stage", old_stage)],
        "UPDATE": [_remove("OLD.organisation_id", "stage", old_stage), _add("NEW.organisation_id", "stage", new_stage)],
    }
    moved = "OLD.organisation_id <> NEW.organisation_id"
    for dimension, table in _LINKS.items():
        column = _TEXT % f"{dimension}_id"
        use_case["UPDATE"] += [
            f"UPDATE {_TALLY} SET n = n - 1 WHERE {moved} AND organisation_id = OLD.organisation_id "
            f"AND dimension = '{dimension}' AND key IN (SELECT {column} FROM {table} WHERE usecase_id = NEW.id);",
            _add("NEW.organisation_id", dimension, column, f"FROM {table} WHERE {moved} AND usecase_id = NEW.id"),
        ]
    bodies = {"registry_usecase": use_case}
    for dimension, table in _LINKS.items():
        new_key, old_key = _TEXT % f"NEW.{dimension}_id", _TEXT % f"OLD.{dimension}_id"
        owner = "(SELECT organisation_id FROM registry_usecase WHERE id = %s.usecase_id)"
        add = _add("organisation_id", dimension, new_key, "FROM registry_usecase WHERE id = NEW.usecase_id")
        remove = _remove(owner % "OLD", dimension, old_key)
        bodies[table] = {"INSERT": [add], "DELETE": [remove], "UPDATE": [remove, add]}
    return bodies


def _trigger_name(table: str, event: str) -> str:
    return f"{table}_tally_{event.lower()}"


def kept(vendor: str | None = None) -> bool:
    """Whether the database (``vendor``, else the default connection's) keeps the tallies."""
    return (vendor or connection.vendor) == "sqlite"


def create_sql(vendor: str) -> list[str]:
    """The statements that create the triggers on ``vendor`` (none where the tallies are not kept)."""
    statements: list[str] = []
    if kept(vendor):
        for table, events in _bodies().items():
            for event, body in events.items():
                when = ""
                if table == "registry_usecase" and event == "UPDATE":
                    event = "UPDATE OF stage, organisation_id"
                    when = " WHEN OLD.stage <> NEW.stage OR OLD.organisation_id <> NEW.organisation_id"
                name = _trigger_name(table, event.split()[0])
                statements.append(
                    f"CREATE TRIGGER {name} AFTER {event} ON {table} FOR EACH ROW{when} BEGIN {' '.join(body)} END;"
                )
    return statements


def drop_sql(vendor: str) -> list[str]:
    """The statements that drop what ``create_sql`` made on ``vendor``."""
    if not kept(vendor):
        return []
    return [
        f"DROP TRIGGER IF EXISTS {_trigger_name(table, event)};"
        for table, events in _bodies().items()
        for event in events
    ]


def rebuild() -> None:
    """Recount every tally from the use cases and their links (in the caller's transaction), where kept."""
    if not kept():
        return
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {_TALLY}")
        cursor.execute(
            f"INSERT INTO {_TALLY} (organisation_id, dimension, key, n) "
            "SELECT organisation_id, 'stage', stage, COUNT(*) FROM registry_usecase GROUP BY organisation_id, stage"
        )
        for dimension, table in _LINKS.items():
            column = _TEXT % f"l.{dimension}_id"
            cursor.execute(
                f"INSERT INTO {_TALLY} (organisation_id, dimension, key, n) "
                f"SELECT u.organisation_id, '{dimension}', {column}, COUNT(*) FROM {table} l "
                f"JOIN registry_usecase u ON u.id = l.usecase_id GROUP BY u.organisation_id, {column}"
            )
