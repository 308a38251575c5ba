"""Lookups that never send the database a value it cannot hold, whatever a form, a query string, a URL or an API
body brought: no row can match such a value, and the database would fail the whole request (a 500).

- integer columns and foreign keys: a number beyond the column's range matches nothing in ``exact``, everything or
  nothing in ``gt``/``gte``/``lt``/``lte``, is left out of ``in`` and clamped in ``range`` (SQLite raises
  OverflowError for 99999999999999999999; Django guards only the plain integer column's comparisons);
- text lookups (``exact``, ``iexact``, ``in``, ``contains``, ...) with a NUL character match nothing: PostgreSQL
  refuses NUL in text, and no AIHQ input stores one (forms and serializers refuse it).
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import EmptyResultSet, FullResultSet
from django.db.models import CharField, ForeignObject, IntegerField, TextField, lookups
from django.db.models.fields.related_lookups import (
    RelatedExact,
    RelatedGreaterThan,
    RelatedGreaterThanOrEqual,
    RelatedIn,
    RelatedLessThan,
    RelatedLessThanOrEqual,
)
from django.db.models.lookups import In, Range


def _integer_range(lookup: Any, connection: Any) -> tuple[int | None, int | None] | None:
    field = lookup.lhs.output_field
    target = getattr(field, "target_field", field)  # a foreign key holds its target's values
    if not isinstance(target, IntegerField):
        return None
    try:
        return connection.ops.integer_field_range(target.get_internal_type())  # type: ignore[no-any-return]
    except KeyError:  # a backend that does not know this type's range
        return None


class _LeavesOutOfRange:
    def process_rhs(self, compiler: Any, connection: Any) -> Any:
        lookup: Any = self
        if lookup.rhs_is_direct_value() and hasattr(lookup.lhs, "output_field"):
            bounds = _integer_range(lookup, connection)
            if bounds is not None:
                low, high = bounds
                lookup.rhs = [
                    value
                    for value in lookup.rhs
                    if not isinstance(value, int) or ((low is None or value >= low) and (high is None or value <= high))
                ]
        return super().process_rhs(compiler, connection)  # type: ignore[misc]


@IntegerField.register_lookup
class IntegerFieldIn(_LeavesOutOfRange, In):  # type: ignore[misc,type-arg]
    """``id__in=[...]``: out-of-range numbers match nothing (an empty list matches no row)."""


@ForeignObject.register_lookup
class RelatedIntegerIn(_LeavesOutOfRange, RelatedIn):  # type: ignore[misc,type-arg]
    """``organisation__in=[...]`` / ``organisation_id__in=[...]``: the same for foreign keys."""


class _ComparesInRange:
    """A single number beyond the range: ``below``/``above`` say what the comparison then matches (EmptyResultSet:
    no row, FullResultSet: every row)."""

    below: type[Exception] = EmptyResultSet
    above: type[Exception] = EmptyResultSet

    def process_rhs(self, compiler: Any, connection: Any) -> Any:
        lookup: Any = self
        value = lookup.rhs
        if lookup.rhs_is_direct_value() and isinstance(value, int) and hasattr(lookup.lhs, "output_field"):
            low, high = _integer_range(lookup, connection) or (None, None)
            if low is not None and value < low:
                raise self.below
            if high is not None and value > high:
                raise self.above
        return super().process_rhs(compiler, connection)  # type: ignore[misc]


@ForeignObject.register_lookup
class RelatedIntegerExact(_ComparesInRange, RelatedExact):  # type: ignore[misc,type-arg]
    pass


@ForeignObject.register_lookup
class RelatedIntegerGreaterThan(_ComparesInRange, RelatedGreaterThan):  # type: ignore[misc,type-arg]
    below = FullResultSet


@ForeignObject.register_lookup
class RelatedIntegerGreaterThanOrEqual(_ComparesInRange, RelatedGreaterThanOrEqual):  # type: ignore[misc,type-arg]
    below = FullResultSet


@ForeignObject.register_lookup
class RelatedIntegerLessThan(_ComparesInRange, RelatedLessThan):  # type: ignore[misc,type-arg]
    above = FullResultSet


@ForeignObject.register_lookup
class RelatedIntegerLessThanOrEqual(_ComparesInRange, RelatedLessThanOrEqual):  # type: ignore[misc,type-arg]
    above = FullResultSet


@IntegerField.register_lookup
class IntegerFieldRange(Range):  # type: ignore[misc,type-arg]
    """``id__range=(a, b)``: bounds beyond the column's range are clamped to it; a range wholly outside matches
    nothing."""

    def process_rhs(self, compiler: Any, connection: Any) -> Any:
        if self.rhs_is_direct_value() and all(isinstance(value, int) for value in self.rhs):
            low, high = _integer_range(self, connection) or (None, None)
            start, end = self.rhs
            if (low is not None and end < low) or (high is not None and start > high):
                raise EmptyResultSet
            self.rhs = (start if low is None else max(start, low), end if high is None else min(end, high))
        return super().process_rhs(compiler, connection)


def _has_nul(value: Any) -> bool:
    return isinstance(value, str) and "\x00" in value


class _NulMatchesNothing:
    def process_rhs(self, compiler: Any, connection: Any) -> Any:
        lookup: Any = self
        if lookup.rhs_is_direct_value():
            if isinstance(lookup.rhs, (list, tuple, set)):
                lookup.rhs = [value for value in lookup.rhs if not _has_nul(value)]  # In: an empty list matches none
            elif _has_nul(lookup.rhs):
                raise EmptyResultSet
        return super().process_rhs(compiler, connection)  # type: ignore[misc]


_TEXT_LOOKUPS = [
    lookups.Exact,
    lookups.IExact,
    lookups.In,
    lookups.Contains,
    lookups.IContains,
    lookups.StartsWith,
    lookups.IStartsWith,
    lookups.EndsWith,
    lookups.IEndsWith,
]
for _base in _TEXT_LOOKUPS:
    _lookup = type(f"NulSafe{_base.__name__}", (_NulMatchesNothing, _base), {"__doc__": "NUL matches nothing."})
    CharField.register_lookup(_lookup)
    TextField.register_lookup(_lookup)
