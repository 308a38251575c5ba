"""The inventory formats AIHQ reads and writes, by name."""

from __future__ import annotations

from django.utils.translation import gettext as _

from aihq.exchange.formats.base import Format, OrgRef, ParsedRow, Problem
from aihq.exchange.formats.generic import generic
from aihq.exchange.formats.omb import omb_2024, omb_2025

FORMAT_NAMES = ("omb-2024", "omb-2025", "csv", "xlsx", "json")


def get_format(name: str) -> Format:
    """The format called ``name`` (one of FORMAT_NAMES)."""
    if name == "omb-2024":
        return omb_2024()
    if name == "omb-2025":
        return omb_2025()
    if name in ("csv", "xlsx", "json"):
        return generic(name)
    raise ValueError(
        _("Unknown format %(name)s; use one of: %(formats)s") % {"name": repr(name), "formats": ", ".join(FORMAT_NAMES)}
    )


def detect_format(headers: list[str], kind: str) -> tuple[Format, float]:
    """The format these headers fit best (OMB formats win when clearly theirs), with its score."""
    scored = [(fmt, fmt.detect(headers)) for fmt in (omb_2024(), omb_2025())]
    for fmt, score in sorted(scored, key=lambda pair: pair[1], reverse=True):
        # Clearly an OMB file: much of its header, or every column it requires (a short file keeps only those).
        present = {fmt.canonical_header(header) for header in headers}
        if score >= 0.2 or all(column in present for column in fmt.required):
            return fmt, score
    fallback = generic(kind if kind in ("csv", "xlsx", "json") else "csv")
    return fallback, fallback.detect(headers)


__all__ = ["FORMAT_NAMES", "Format", "OrgRef", "ParsedRow", "Problem", "detect_format", "get_format"]
