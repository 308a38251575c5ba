"""Cells for CSV and XLSX exports: text a spreadsheet would run as a formula is neutralised (OWASP CSV injection).

A text cell starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return gets a single quote in front, so
Excel and LibreOffice show it as text. Numbers stay numbers: a number value is written as one, and a text that is
a plain number ("-12.5") is data, not a formula, and is left alone. Every export writes its cells through
``safe_cell``; an import of AIHQ's own files takes the quote off again with ``restore_formula``.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from typing import Any

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")


def is_plain_number(value: str) -> bool:
    """Whether ``value`` is a number as a spreadsheet reads one ("-12.5", "+3", "1e6"), nothing more."""
    return _PLAIN_NUMBER.fullmatch(value) is not None


def neutralise_formula(value: str) -> str:
    """Prefix a quote to text a spreadsheet would run as a formula (=, +, -, @, tab, CR); plain numbers stay.

    A value that already starts with quotes before such a character gets one more, so that ``restore_formula``
    gives back exactly the value ("'=1" is written "''=1", read back "'=1"; "'-1" is written "''-1").
    """
    if is_plain_number(value):
        return value
    return "'" + value if value.lstrip("'").startswith(FORMULA_PREFIXES) else value


def restore_formula(value: str) -> str:
    """Undo ``neutralise_formula`` when reading back a file AIHQ wrote."""
    if value.startswith("'") and value.lstrip("'").startswith(FORMULA_PREFIXES):
        return value[1:]
    return value


def safe_cell(value: Any) -> Any:
    """A value as an export writes it: text neutralised; numbers, booleans, dates and None as they are."""
    if isinstance(value, str):
        return neutralise_formula(value)
    if value is None or isinstance(value, (bool, int, float, Decimal, dt.date, dt.time)):
        return value
    return neutralise_formula(str(value))


def safe_row(values: list[Any]) -> list[Any]:
    return [safe_cell(value) for value in values]
