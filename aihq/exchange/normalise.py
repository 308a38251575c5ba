"""Pure functions that turn the messy cells of real inventories into clean values.

Every function takes text (or what a spreadsheet cell holds) and returns a value, or raises
``ValueError`` with a message a person can act on, in the active language. No database, no Django models.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import unicodedata
from collections.abc import Iterable, Mapping
from typing import Any

from django.utils.translation import gettext as _

# One rule for every export, and for reading AIHQ's own files back: aihq.core.exports.
from aihq.core.exports import FORMULA_PREFIXES as FORMULA_PREFIXES
from aihq.core.exports import neutralise_formula as neutralise_formula
from aihq.core.exports import restore_formula as restore_formula

_DASHES = dict.fromkeys(map(ord, "‐‑‒–—―−ñ"), "-")  # "ñ" is how cp1252 mangles an en dash in OMB files
_QUOTES = dict.fromkeys(map(ord, "‘’ʼ`´í"), "'") | dict.fromkeys(map(ord, "“”„"), '"')
_SPACES = re.compile(r"\s+")
MONTHS = {
    name: number
    for number, names in enumerate(
        [
            ("jan", "january", "янв", "январь", "января"),
            ("feb", "february", "фев", "февраль", "февраля"),
            ("mar", "march", "мар", "март", "марта"),
            ("apr", "april", "апр", "апрель", "апреля"),
            ("may", "мая", "май"),
            ("jun", "june", "июн", "июнь", "июня"),
            ("jul", "july", "июл", "июль", "июля"),
            ("aug", "august", "авг", "август", "августа"),
            ("sep", "sept", "september", "сен", "сентябрь", "сентября"),
            ("oct", "october", "окт", "октябрь", "октября"),
            ("nov", "november", "ноя", "ноябрь", "ноября"),
            ("dec", "december", "дек", "декабрь", "декабря"),
        ],
        start=1,
    )
    for name in names
}
NOT_APPLICABLE = {"n/a", "na", "n.a.", "none", "not applicable", "-", "--", "нет данных", "не применимо"}


def text(value: Any) -> str:
    """A cell as text: None → "", numbers as written, non-breaking spaces and stray whitespace removed."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value).replace("\xa0", " ").replace("\ufeff", "").strip()


def key(value: Any) -> str:
    """A comparison key: case, dashes, quotes, spacing and a trailing full stop do not matter."""
    folded = unicodedata.normalize("NFKC", text(value)).translate(_DASHES).translate(_QUOTES).casefold()
    folded = _SPACES.sub(" ", folded).strip()
    return folded.rstrip(".").strip()


def strip_letter(value: str) -> str:
    """Drop an answer's list letter: "b) Pilot – ..." → "Pilot – ..." (also repeated: "a) a) ...")."""
    result = value.strip()
    while re.match(r"^[a-z]\)\s*", result):
        result = re.sub(r"^[a-z]\)\s*", "", result, count=1).strip()
    return result


def is_blank(value: Any) -> bool:
    return text(value) == ""


def is_not_applicable(value: Any) -> bool:
    folded = key(value)
    return folded in NOT_APPLICABLE or folded.startswith(("n/a ", "n/a;", "n/a -", "n/a,"))


def match_choice(value: Any, table: Mapping[str, str]) -> str | None:
    """The canonical value for ``value`` in ``table`` (keys already passed through ``key``), else None.

    Tries the whole value, then without a list letter, then the part before a colon or a dash
    ("Limited documentation for review: ..." → "limited documentation for review").
    """
    folded = key(value)
    if not folded:
        return None
    candidates = [folded, key(strip_letter(folded))]
    for separator in (":", " - "):
        if separator in candidates[-1]:
            candidates.append(candidates[-1].split(separator, 1)[0].strip())
    for candidate in candidates:
        if candidate in table:
            return table[candidate]
    return None


def choice_table(pairs: Iterable[tuple[str, str]]) -> dict[str, str]:
    """Build a lookup for ``match_choice`` from (spelling, canonical) pairs."""
    table: dict[str, str] = {}
    for spelling, canonical in pairs:
        table.setdefault(key(spelling), canonical)
        table.setdefault(key(strip_letter(spelling)), canonical)
    return table


_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[T ][\d:.]+(?:Z|[+-]\d{2}:?\d{2})?)?$")
_ISO_PREFIX = re.compile(r"^(\d{4})-(\d{2})-(\d{2})\b")
_US = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4}|\d{2})$")
_DOTTED = re.compile(r"^(\d{1,2})\.(\d{1,2})\.(\d{4})$")
_YEAR_MONTH = re.compile(r"^(\d{4})-(\d{1,2})\b")
_MONTH_YEAR_NUM = re.compile(r"^(\d{1,2})/(\d{4})$")
_YY_MON = re.compile(r"^(\d{2})-([A-Za-zА-Яа-я]{3,})$")
_MON_YY = re.compile(r"^([A-Za-zА-Яа-я]{3,})[- ](\d{2}|\d{4})$")


def _year(value: str) -> int:
    year = int(value)
    return year + 2000 if year < 100 else year


def parse_date(value: Any, *, day_first: bool = False) -> tuple[dt.date | None, str]:
    """A date from ISO, M/D/YYYY (D.M.YYYY), month-year ("24-Nov", "Nov 2024", "2022-08") forms.

    Returns (date, note): the note explains an approximation ("month only: first day used",
    "text after the date ignored"). Blank and N/A give (None, ""). Raises ValueError otherwise.
    """
    if isinstance(value, dt.datetime):
        return value.date(), ""
    if isinstance(value, dt.date):
        return value, ""
    raw = text(value)
    if not raw or is_not_applicable(raw):
        return None, ""
    try:
        if match := _ISO.match(raw):
            return dt.date(int(match[1]), int(match[2]), int(match[3])), ""
        if match := _US.match(raw):
            first, second = int(match[1]), int(match[2])
            month, day = (second, first) if day_first else (first, second)
            return dt.date(_year(match[3]), month, day), ""
        if match := _DOTTED.match(raw):
            return dt.date(int(match[3]), int(match[2]), int(match[1])), ""
        if match := _ISO_PREFIX.match(raw):
            return dt.date(int(match[1]), int(match[2]), int(match[3])), _("text after the date ignored")
        if match := _YEAR_MONTH.match(raw):
            return dt.date(int(match[1]), int(match[2]), 1), _("month only: first day used")
        if match := _MONTH_YEAR_NUM.match(raw):
            return dt.date(int(match[2]), int(match[1]), 1), _("month only: first day used")
        if (match := _YY_MON.match(raw)) and match[2].casefold() in MONTHS:
            return dt.date(_year(match[1]), MONTHS[match[2].casefold()], 1), _("month only: first day used")
        if (match := _MON_YY.match(raw)) and match[1].casefold() in MONTHS:
            return dt.date(_year(match[2]), MONTHS[match[1].casefold()], 1), _("month only: first day used")
    except ValueError:
        raise ValueError(_("%(value)s is not a valid date") % {"value": repr(raw)}) from None
    raise ValueError(_("%(value)s is not a date (use YYYY-MM-DD, M/D/YYYY or a month and year)") % {"value": repr(raw)})


_TRUE = {"yes", "y", "true", "t", "1", "да", "x", "✓"}
_FALSE = {"no", "n", "false", "f", "0", "нет"}


def parse_bool(value: Any) -> bool | None:
    """yes/no, true/false, 1/0, да/нет (any case, trailing full stop); blank and N/A give None."""
    if isinstance(value, bool):
        return value
    folded = key(value)
    if not folded or is_not_applicable(folded):
        return None
    if folded in _TRUE:
        return True
    if folded in _FALSE:
        return False
    raise ValueError(_("%(value)s is not yes or no") % {"value": repr(text(value))})


def split_list(value: Any) -> list[str]:
    """A multi-valued cell: a JSON list ('["a","b"]') or values separated by ";" (or "," when no ";")."""
    raw = text(value)
    if not raw:
        return []
    if raw.startswith("[") and raw.endswith("]"):
        try:
            loaded = json.loads(raw)
        except json.JSONDecodeError:
            loaded = None
        if isinstance(loaded, list):
            return [text(item) for item in loaded if text(item)]
    separator = ";" if ";" in raw else ("," if "," in raw and "\n" not in raw else "\n")
    return [part.strip() for part in raw.split(separator) if part.strip()]


def answer(value: Any) -> Any:
    """A minimum-practice or other inventory answer, normalised for comparison and reporting.

    yes/no variants become "yes"/"no", N/A variants "n/a", "Planned or in-progress" "in_progress",
    JSON lists become lists, long enumerated answers keep their label before the colon.
    """
    raw = text(value)
    if not raw:
        return None
    folded = key(raw)
    if folded in _TRUE or folded in {"yes", "true"}:
        return "yes"
    if folded in _FALSE:
        return "no"
    if is_not_applicable(raw):
        return "n/a"
    plain = key(strip_letter(raw))
    if "in-progress" in plain or "in progress" in plain or plain.startswith("planned or"):
        return "in_progress"
    if "waived" in plain and "caio" in plain:
        return "waived"
    if raw.startswith("[") and raw.endswith("]"):
        items = split_list(raw)
        if items:
            return items
    if ":" in raw and len(raw.split(":", 1)[0]) <= 80:
        return strip_letter(raw.split(":", 1)[0]).strip()
    return strip_letter(raw)
