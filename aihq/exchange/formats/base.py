"""What every inventory format provides: header detection, row parsing, row export."""

from __future__ import annotations

import abc
import datetime as dt
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.utils.translation import gettext as _

from aihq.exchange import normalise

if TYPE_CHECKING:
    from aihq.registry.models import UseCase


@dataclass
class Problem:
    """One thing wrong (error) or adjusted (warning) in a row, named so a person can fix it."""

    row: int
    field: str
    value: str
    message: str
    level: str = "error"

    def as_dict(self) -> dict[str, Any]:
        return {
            "row": self.row,
            "field": self.field,
            "value": self.value[:200],
            "message": self.message,
            "level": self.level,
        }


@dataclass
class OrgRef:
    """Where a row belongs: an organisation code, or an agency (code, name) and a bureau name to find or create."""

    code: str = ""
    name: str = ""
    bureau: str = ""


@dataclass
class ParsedRow:
    """A row turned into registry values, with what was wrong or adjusted."""

    number: int
    raw: dict[str, Any]
    fields: dict[str, Any] = field(default_factory=dict)
    sectors: list[str] = field(default_factory=list)
    regions: list[str] = field(default_factory=list)
    org: OrgRef = field(default_factory=OrgRef)
    problems: list[Problem] = field(default_factory=list)

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.level == "error"]

    def error(self, column: str, value: Any, message: str) -> None:
        self.problems.append(Problem(self.number, column, normalise.text(value), message, "error"))

    def warn(self, column: str, value: Any, message: str) -> None:
        self.problems.append(Problem(self.number, column, normalise.text(value), message, "warning"))

    def date(self, column: str, value: Any, *, day_first: bool = False) -> dt.date | None:
        """Parse an optional date; what cannot be read is a warning (the original stays in the record)."""
        try:
            parsed, note = normalise.parse_date(value, day_first=day_first)
        except ValueError as exc:
            self.warn(column, value, _("%(problem)s; left empty (the original is kept)") % {"problem": exc})
            return None
        if note:
            self.warn(column, value, note)
        return parsed


class Format(abc.ABC):
    """An inventory format. Subclasses set the names and implement detection, parsing and export."""

    name = ""
    label = ""
    #: columns that must be present (canonical names)
    required: tuple[str, ...] = ()
    #: every column of the format in order (canonical names)
    columns: tuple[str, ...] = ()

    def canonical_header(self, header: str) -> str | None:
        """The canonical column name for a header as found in a file, or None if unknown."""
        cache: dict[str, str | None] = self.__dict__.setdefault("_header_cache", {})
        if header not in cache:
            folded = normalise.key(header)
            cache[header] = next((column for column in self.columns if normalise.key(column) == folded), None)
        return cache[header]

    def detect(self, headers: list[str]) -> float:
        """How sure we are that a file with these headers is in this format (0–1)."""
        known = [h for h in headers if self.canonical_header(h)]
        return len(known) / max(len(self.columns), 1) if known else 0.0

    def header_problems(self, headers: list[str]) -> tuple[list[str], list[str]]:
        """(errors, warnings) about the header: missing required columns, unknown ones."""
        mapped = {self.canonical_header(h) for h in headers}
        missing = [column for column in self.required if column not in mapped]
        unknown = [h for h in headers if self.canonical_header(h) is None]
        errors = [_("Missing required column(s): %(columns)s.") % {"columns": ", ".join(missing)}] if missing else []
        warnings = (
            [
                _("Unknown column(s) kept in the original record but not mapped: %(columns)s.")
                % {"columns": ", ".join(unknown)}
            ]
            if unknown
            else []
        )
        return errors, warnings

    def canonical_row(self, raw: dict[str, Any]) -> dict[str, Any]:
        """The row with canonical column names (unknown columns keep theirs)."""
        return {(self.canonical_header(name) or name): value for name, value in raw.items()}

    @abc.abstractmethod
    def parse(self, number: int, raw: dict[str, Any]) -> ParsedRow:
        """Turn one row (as read, any header spelling) into registry values and problems."""

    @abc.abstractmethod
    def export_row(self, use_case: UseCase) -> dict[str, str]:
        """One use case as a row of this format (canonical column names)."""

    def export_columns(self) -> list[str]:
        return list(self.columns)


def link_codes(use_case: UseCase, name: str) -> list[str]:
    """The codes of a use case's ``sectors`` or ``regions`` in their model's order: loaded in bulk by an export
    (``export_queryset`` sets ``sectors_codes``), else read through the relation."""
    loaded: list[str] | None = getattr(use_case, f"{name}_codes", None)
    if loaded is not None:
        return loaded
    return [item.code for item in getattr(use_case, name).all()]
