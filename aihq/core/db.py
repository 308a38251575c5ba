"""Bulk writes with one prepared statement, for imports of tens of thousands of rows; a day-number function.

Django's ``bulk_create`` builds and compiles a model instance and an expression per cell, and
``bulk_update`` a CASE expression that grows with rows × fields; both cost more than the database
work itself at this scale. These helpers prepare each value with the field's own
``get_db_prep_save`` (so JSON, dates and booleans are stored exactly as the ORM would; plain text,
numbers and booleans go as they are) and hand the rows to the driver. They send no signals:
callers write the audit events themselves.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable, Sequence
from typing import Any

import numpy as np
from django.core.exceptions import EmptyResultSet
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import Func, IntegerField, Model, QuerySet

# Field types whose Python values the database drivers take as they are.
_AS_IS = {"CharField", "TextField", "BooleanField", "IntegerField", "BigIntegerField", "PositiveIntegerField",
          "PositiveBigIntegerField", "SmallIntegerField", "PositiveSmallIntegerField", "BigAutoField", "AutoField",
          "SmallAutoField", "FloatField"}  # fmt: skip


def _fields(model: type[Model], names: Sequence[str]) -> list[Any]:
    return [model._meta.get_field(name) for name in names]


def _as_is(value: Any) -> Any:
    return value


def _prepared(field: Any, conn: Any, value: Any) -> Any:
    return field.get_db_prep_save(value, conn)


# Field types whose values repeat down a bulk write (one time for every row, a few period ends): each distinct
# value is prepared once.
_REPEATING = {"DateField", "DateTimeField", "TimeField"}


def _memoised(prepare: Callable[[Any], Any]) -> Callable[[Any], Any]:
    cache: dict[Any, Any] = {}

    def run(value: Any) -> Any:
        try:
            return cache[value]
        except KeyError:
            cache[value] = result = prepare(value)
            return result
        except TypeError:  # unhashable
            return prepare(value)

    return run


def _preparers(fields: list[Any], conn: Any) -> list[Callable[[Any], Any]]:
    """One function per field turning a value into what the driver takes (decided once, not per cell)."""
    preparers: list[Callable[[Any], Any]] = []
    for field in fields:
        target = field.target_field if field.is_relation else field
        if target.get_internal_type() in _AS_IS:
            preparers.append(_as_is)
        elif target.get_internal_type() in _REPEATING:
            preparers.append(_memoised(functools.partial(_prepared, field, conn)))
        else:
            preparers.append(functools.partial(_prepared, field, conn))
    return preparers


def insert_rows(model: type[Model], names: Sequence[str], rows: Iterable[Sequence[Any]]) -> int:
    """INSERT rows of plain values (in ``names`` order) into ``model``'s table; returns the row count."""
    conn = connections[DEFAULT_DB_ALIAS]
    fields = _fields(model, names)
    prepare = _preparers(fields, conn)
    quote = conn.ops.quote_name
    columns = ", ".join(quote(field.column) for field in fields)
    placeholders = ", ".join(["%s"] * len(fields))
    sql = f"INSERT INTO {quote(model._meta.db_table)} ({columns}) VALUES ({placeholders})"  # noqa: S608
    params = [[p(value) for p, value in zip(prepare, row, strict=True)] for row in rows]
    if params:
        with conn.cursor() as cursor:
            cursor.executemany(sql, params)
    return len(params)


def copy_rows(model: type[Model], names: Sequence[str], rows: Iterable[Sequence[Any]]) -> int:
    """``insert_rows`` for millions of rows: on PostgreSQL through COPY (several times faster than one INSERT per
    row, each value prepared the same way), elsewhere ``insert_rows`` itself."""
    conn = connections[DEFAULT_DB_ALIAS]
    if conn.vendor != "postgresql":
        return insert_rows(model, names, rows)
    fields = _fields(model, names)
    prepare = _preparers(fields, conn)
    quote = conn.ops.quote_name
    columns = ", ".join(quote(field.column) for field in fields)
    count = 0
    with (
        conn.cursor() as cursor,
        cursor.cursor.copy(f"COPY {quote(model._meta.db_table)} ({columns}) FROM STDIN") as copy,
    ):
        for row in rows:
            copy.write_row([p(value) for p, value in zip(prepare, row, strict=True)])
            count += 1
    return count


def insert_returning_ids(
    model: type[Model], names: Sequence[str], rows: Sequence[Sequence[Any]], batch: int = 500
) -> list[int]:
    """INSERT rows and return their new primary keys in order (``RETURNING``: PostgreSQL, SQLite ≥ 3.35)."""
    if not rows:
        return []
    conn = connections[DEFAULT_DB_ALIAS]
    fields = _fields(model, names)
    prepare = _preparers(fields, conn)
    quote = conn.ops.quote_name
    columns = ", ".join(quote(field.column) for field in fields)
    one = "(" + ", ".join(["%s"] * len(fields)) + ")"
    pk_column = quote(model._meta.pk.column)  # type: ignore[union-attr]
    ids: list[int] = []
    if conn.vendor == "postgresql":
        # psycopg runs a one-row statement for every row in one pipeline and hands back each RETURNING;
        # a 500-row VALUES list would have its 12,500 placeholders parsed and quoted in Python each time.
        sql = f"INSERT INTO {quote(model._meta.db_table)} ({columns}) VALUES {one} RETURNING {pk_column}"  # noqa: S608
        with conn.cursor() as cursor:
            raw = cursor.cursor
            raw.executemany(
                sql, [[p(value) for p, value in zip(prepare, row, strict=True)] for row in rows], returning=True
            )
            while True:
                ids.append(raw.fetchone()[0])
                if not raw.nextset():
                    break
        return ids
    with conn.cursor() as cursor:
        for start in range(0, len(rows), batch):
            part = rows[start : start + batch]
            values = ", ".join([one] * len(part))
            sql = f"INSERT INTO {quote(model._meta.db_table)} ({columns}) VALUES {values} RETURNING {pk_column}"  # noqa: S608
            cursor.execute(sql, [p(value) for row in part for p, value in zip(prepare, row, strict=True)])
            ids.extend(row[0] for row in cursor.fetchall())
    return ids


def update_rows(objects: Sequence[Model], names: Sequence[str]) -> int:
    """UPDATE the given fields of each object (by primary key) from its attributes."""
    if not objects:
        return 0
    conn = connections[DEFAULT_DB_ALIAS]
    model = type(objects[0])
    fields = _fields(model, names)
    prepare = _preparers(fields, conn)
    quote = conn.ops.quote_name
    assignments = ", ".join(f"{quote(field.column)} = %s" for field in fields)
    pk_column = quote(model._meta.pk.column)  # type: ignore[union-attr]
    sql = f"UPDATE {quote(model._meta.db_table)} SET {assignments} WHERE {pk_column} = %s"  # noqa: S608
    params = [[p(getattr(obj, f.attname)) for p, f in zip(prepare, fields, strict=True)] + [obj.pk] for obj in objects]
    with conn.cursor() as cursor:
        cursor.executemany(sql, params)
    return len(params)


class DayNumber(Func):
    """A date column as days since 1970-01-01 (an integer), computed by the database."""

    output_field = IntegerField()

    def as_sqlite(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        return self.as_sql(compiler, connection, template="CAST(julianday(%(expressions)s) - 2440587.5 AS INTEGER)")

    def as_postgresql(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        return self.as_sql(compiler, connection, template="(%(expressions)s - DATE '1970-01-01')")


#: The largest id a filter accepts (a bigger number cannot name a row, and SQLite cannot even compare it).
MAX_ID = 2**63 - 1


def analyze(models: Sequence[type[Model]]) -> None:
    """Fresh planner statistics after a bulk load: PostgreSQL would otherwise plan for the empty tables it last
    measured (autovacuum comes later), and a join of use cases and organisations can then take a minute.
    Many-to-many fields' link tables are measured with their model."""
    conn = connections[DEFAULT_DB_ALIAS]
    tables = []
    for model in models:
        tables.append(model._meta.db_table)
        tables += [m2m.m2m_db_table() for m2m in model._meta.local_many_to_many]
    with conn.cursor() as cursor:
        if conn.vendor == "postgresql":
            cursor.execute("ANALYZE " + ", ".join(conn.ops.quote_name(table) for table in tables))
        elif conn.vendor == "sqlite":
            cursor.execute("ANALYZE")


def number_matrix(rows: QuerySet[Any], columns: int) -> np.ndarray[Any, np.dtype[np.float64]]:
    """A ``values_list`` queryset of numbers (ids, day numbers, values, flags) as a float matrix, one row per
    record. Its SQL runs on a plain cursor: Django's converters, called once per value, would take a third of
    the time for the hundred thousand figures of a league."""
    try:
        sql, params = rows.query.sql_with_params()
    except EmptyResultSet:  # a filter that matches nothing by construction (``none()``, ``__in=[]``)
        return np.empty((0, columns), dtype=np.float64)
    with connections[rows.db].cursor() as cursor:
        cursor.execute(sql, params)
        return np.array(cursor.fetchall(), dtype=np.float64).reshape(-1, columns)
