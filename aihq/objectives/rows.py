"""Measurement rows from CSV, XLSX, JSON or API bodies: codes and texts into ``MeasurementInput``.

Columns (case-insensitive): ``indicator`` (code), ``period`` or ``period_end`` (2024-12-31, 2024-Q4,
2024-12 or 2024 — the end of that period), ``value``, and optionally ``region`` (ISO 3166-2),
``organisation`` (code), ``weight``, ``source``, ``note``.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from collections.abc import Iterable
from typing import Any

from django.utils.translation import gettext as _

from aihq.exchange.formats.base import Problem
from aihq.exchange.normalise import text
from aihq.objectives.models import MAX_VALUE, Indicator
from aihq.objectives.services import MeasurementInput
from aihq.registry.models import Organisation, Region

COLUMNS = ("indicator", "period", "region", "organisation", "value", "weight", "source", "note")
_ALIASES = {
    "period_end": "period",
    "organization": "organisation",
    "org": "organisation",
    "indicator_code": "indicator",
}
_QUARTER = re.compile(r"^(\d{4})-?[Qq]([1-4])$")
_MONTH = re.compile(r"^(\d{4})-(\d{1,2})$")
_YEAR = re.compile(r"^(\d{4})$")


def parse_period(text: str) -> dt.date:
    """The last day of the period ``text`` names: a date, a month (2024-03), a quarter (2024-Q1) or a year."""
    text = text.strip()
    if match := _YEAR.match(text):
        return dt.date(int(match.group(1)), 12, 31)
    if match := _QUARTER.match(text):
        year, quarter = int(match.group(1)), int(match.group(2))
        month = quarter * 3
        return dt.date(year, month, calendar.monthrange(year, month)[1])
    if match := _MONTH.match(text):
        year, month = int(match.group(1)), int(match.group(2))
        if 1 <= month <= 12:
            return dt.date(year, month, calendar.monthrange(year, month)[1])
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise ValueError(_("Give the period as 2024-12-31, 2024-12, 2024-Q4 or 2024.")) from None


def parse_number(value: Any) -> float:
    """A number from a cell: 1234.5, "1 234,5" or "1234,5" (decimal comma)."""
    if isinstance(value, bool):
        raise ValueError(_("A number is needed, not yes/no."))
    if isinstance(value, (int, float)):
        try:
            number = float(value)
        except OverflowError:
            raise ValueError(_("Use a number between -10¹⁵ and 10¹⁵.")) from None
    else:
        text = str(value).strip().replace("\u00a0", "").replace("\u202f", "").replace(" ", "")
        if "," in text and "." in text:
            raise ValueError(_("Write the number without thousands separators, such as 1234.5."))
        try:
            number = float(text.replace(",", "."))
        except ValueError:
            raise ValueError(_("Not a number.")) from None
    if number != number or number in (float("inf"), float("-inf")):
        raise ValueError(_("A value must be a finite number."))
    if abs(number) > MAX_VALUE:
        raise ValueError(_("Use a number between -10¹⁵ and 10¹⁵."))
    return number


def _normalise(row: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in row.items():
        name = str(key).strip().lower()
        out[_ALIASES.get(name, name)] = value
    return out


def _codes(normalised: list[tuple[int, dict[str, Any]]], column: str) -> set[str]:
    codes = {text(row.get(column)) for _, row in normalised}
    return {code for code in codes if code} | {code.upper() for code in codes if code}


def parse_rows(
    rows: Iterable[tuple[int, dict[str, Any]]], user: Any, *, indicator: Indicator | None = None
) -> tuple[list[MeasurementInput], list[Problem]]:
    """Rows (row number, cells) into inputs, with every problem named by row and column.

    Organisations are looked up among those ``user`` can see. With ``indicator`` given, rows need no
    indicator column (and may not name another one).
    """
    rows = list(rows)
    items: list[MeasurementInput] = []
    problems: list[Problem] = []
    normalised = [(number, _normalise(row)) for number, row in rows]
    indicators = {
        i.code.lower(): i
        for i in Indicator.objects.restrict(user, "view").filter(code__in=_codes(normalised, "indicator"))
    }
    if indicator is not None:
        indicators[indicator.code.lower()] = indicator
    regions = {r.code.upper(): r for r in Region.objects.filter(code__in=_codes(normalised, "region"))}
    organisations = {
        o.code.lower(): o
        for o in Organisation.objects.restrict(user, "view").filter(code__in=_codes(normalised, "organisation"))
    }
    unknown_seen: set[str] = set()
    for number, row in normalised:
        before = len(problems)
        problems.extend(
            Problem(number, str(name), "", _("Contains a NUL character."))
            for name, cell in row.items()
            if isinstance(cell, str) and "\x00" in cell
        )
        unknown = sorted(set(row) - set(COLUMNS) - unknown_seen)
        unknown_seen.update(unknown)  # each unknown column is named once, where it first appears
        problems.extend(Problem(number, name, "", _("Unknown column.")) for name in unknown if name)
        code = text(row.get("indicator"))
        found = indicators.get(code.lower()) if code else indicator
        if found is None:
            problems.append(
                Problem(
                    number, "indicator", code, _("No indicator has this code.") if code else _("Give the indicator.")
                )
            )
        elif indicator is not None and found.pk != indicator.pk:
            problems.append(
                Problem(number, "indicator", code, _("This upload is for %(code)s.") % {"code": indicator.code})
            )
        period_text = text(row.get("period"))
        period: dt.date | None = None
        try:
            period = parse_period(period_text) if period_text else None
            if period is None:
                problems.append(Problem(number, "period", "", _("Give the period.")))
        except ValueError as exc:
            problems.append(Problem(number, "period", period_text, str(exc)))
        value: float | None = None
        raw_value = row.get("value")
        if raw_value is None or text(raw_value) == "":
            problems.append(Problem(number, "value", "", _("Give the value.")))
        else:
            try:
                value = parse_number(raw_value)
            except ValueError as exc:
                problems.append(Problem(number, "value", text(raw_value), str(exc)))
        weight: float | None = None
        if text(row.get("weight")):
            try:
                weight = parse_number(row.get("weight"))
            except ValueError as exc:
                problems.append(Problem(number, "weight", text(row.get("weight")), str(exc)))
        region_code = text(row.get("region")).upper()
        region = regions.get(region_code) if region_code else None
        if region_code and region is None:
            problems.append(Problem(number, "region", region_code, _("No region has this ISO 3166-2 code.")))
        org_code = text(row.get("organisation"))
        organisation = organisations.get(org_code.lower()) if org_code else None
        if org_code and organisation is None:
            problems.append(Problem(number, "organisation", org_code, _("No organisation has this code.")))
        if len(problems) > before or found is None or period is None or value is None:
            continue
        items.append(
            MeasurementInput(
                indicator=found,
                period_end=period,
                value=value,
                region=region,
                organisation=organisation,
                weight=weight,
                source=text(row.get("source"))[:500],
                note=text(row.get("note")),
                row=number,
            )
        )
    return items, problems
