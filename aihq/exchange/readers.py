"""Reading uploaded inventories: CSV (any sensible encoding), XLSX and JSON, as header + rows.

Everything that can go wrong with the file as a whole raises ``FileProblem`` with a message a
person can act on; nothing here touches the database.
"""

from __future__ import annotations

import csv
import io
import json
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.utils import translation
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from aihq.core.uploads import OLE_SIGNATURE

MAX_CELL_CHARS = 100_000
_BESIDE_ASCII_LETTER = re.compile(rb"(?<=[A-Za-z])[\x80-\xff]|[\x80-\xff](?=[A-Za-z])")
_QUOTED = re.compile(r'"[^"]*"')


class FileProblem(Exception):
    """The file cannot be read at all (encoding, structure, size); nothing is imported."""


def _count(number: int) -> str:
    """A count with thousands grouped as the active language writes them ("100,000", "100 000")."""
    if translation.get_language() is None:
        return f"{number:,}"
    return str(number_format(number, force_grouping=True))


@dataclass
class Table:
    """A file read as a header and rows (dicts by header), with notes about how it was read."""

    headers: list[str]
    rows: Iterator[tuple[int, dict[str, Any]]]
    kind: str
    encoding: str = ""
    notes: list[str] = field(default_factory=list)


def sniff_kind(name: str, head: bytes) -> str:
    """csv, xlsx or json, from the file's first bytes and then its name."""
    if head.startswith(b"PK\x03\x04"):
        return "xlsx"
    if head.startswith(OLE_SIGNATURE):
        raise FileProblem(
            _(
                "This is an encrypted (password-protected) workbook or an old .xls file. "
                "Remove the password and save it as .xlsx (or CSV), then import again."
            )
        )
    stripped = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    if stripped[:1] in (b"[", b"{"):
        return "json"
    lower = name.lower()
    if lower.endswith(".xlsx"):
        return "xlsx"
    if lower.endswith(".json"):
        return "json"
    return "csv"


def decode(data: bytes, encoding: str | None = None) -> tuple[str, str]:
    """The text and the encoding it was read with: UTF-8 (with or without BOM), UTF-16 with BOM,
    Windows-1251 or Latin-1 when the bytes clearly are that; otherwise a clear refusal."""
    if encoding:
        try:
            return data.decode(encoding), encoding
        except (UnicodeDecodeError, LookupError) as exc:
            raise FileProblem(
                _("The file is not valid %(encoding)s: %(error)s.") % {"encoding": encoding, "error": exc}
            ) from None
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16"), "utf-16"
        except UnicodeDecodeError as exc:
            raise FileProblem(
                _("The file starts like UTF-16 text but is not valid UTF-16: %(error)s.") % {"error": exc}
            ) from None
    try:
        return data.decode("utf-8-sig"), "utf-8"
    except UnicodeDecodeError as exc:
        position = exc.start
    non_ascii = [byte for byte in data if byte >= 0x80]
    cyrillic = sum(1 for byte in non_ascii if byte >= 0xC0 or byte in (0xA8, 0xB8))
    # Russian letters come in whole words; an accented Latin-1 letter sits next to ASCII letters ("café", "Öl").
    in_latin_words = len(_BESIDE_ASCII_LETTER.findall(data))
    if non_ascii and cyrillic / len(non_ascii) >= 0.9 and in_latin_words / len(non_ascii) < 0.5:
        candidate = data.decode("cp1251", errors="replace")
        letters = [ch for ch in candidate if ord(ch) >= 0x80]
        if letters and sum("а" <= ch.lower() <= "я" or ch in "ёЁ" for ch in letters) / len(letters) >= 0.8:
            return candidate, "cp1251"
    latin = data.decode("latin-1")
    accented = [ch for ch in latin if ord(ch) >= 0x80]
    if accented and sum(ch.isalpha() or ch in "«»°£€©®" for ch in accented) / len(accented) >= 0.9:
        return latin, "latin-1"
    raise FileProblem(
        _(
            "The file is not UTF-8 (first bad byte at position %(position)s) and does not look like "
            "Windows-1251 or Latin-1 text. Save it as UTF-8, or name its encoding with --encoding."
        )
        % {"position": position}
    )


def _check_cell(value: Any, row: int, column: str) -> Any:
    if isinstance(value, str) and "\x00" in value:
        raise FileProblem(
            _("Row %(row)s, column %(column)s holds a NUL character: is this a binary file?")
            % {"row": row, "column": repr(column)}
        )
    if isinstance(value, str) and len(value) > MAX_CELL_CHARS:
        raise FileProblem(
            _(
                "Row %(row)s, column %(column)s: the cell holds %(length)s characters; "
                "the limit is %(limit)s. Is the file damaged?"
            )
            % {"row": row, "column": repr(column), "length": _count(len(value)), "limit": _count(MAX_CELL_CHARS)}
        )
    return value


def _unique_headers(raw: list[Any]) -> list[str]:
    headers: list[str] = []
    for position, header in enumerate(raw, start=1):
        name = "" if header is None else str(header).replace("\ufeff", "").strip()
        if not name:
            name = f"column {position}"
        if name in headers:
            raise FileProblem(_("The column %(column)s appears twice in the header.") % {"column": repr(name)})
        headers.append(name)
    return headers


def read_csv(data: bytes, encoding: str | None = None) -> Table:
    content, used = decode(data, encoding)
    if not content.strip():
        raise FileProblem(_("The file is empty."))
    # The delimiter is whichever of , ; tab the header line uses most (Excel in Russia writes ";"),
    # outside quoted headers (which may hold commas and line breaks, as OMB's do).
    first_line = _QUOTED.sub("", content[:65536]).split("\n", 1)[0]
    delimiter = max((",", ";", "\t"), key=first_line.count)
    csv.field_size_limit(MAX_CELL_CHARS * 4 + 1)
    reader = csv.reader(io.StringIO(content, newline=""), csv.excel, delimiter=delimiter)
    try:
        header = next(reader)
    except csv.Error as exc:
        raise FileProblem(_("The header row cannot be read: %(error)s.") % {"error": exc}) from None
    headers = _unique_headers(header)

    def rows() -> Iterator[tuple[int, dict[str, Any]]]:
        # Rows are numbered as a spreadsheet shows them (the header is row 1), whatever line breaks cells hold.
        number = 1
        try:
            for cells in reader:
                number += 1
                if not any(cell.strip() for cell in cells):
                    continue
                if len(cells) > len(headers) and any(cell.strip() for cell in cells[len(headers) :]):
                    raise FileProblem(
                        _("Row %(row)s has %(cells)s cells but the header has %(columns)s.")
                        % {"row": number, "cells": len(cells), "columns": len(headers)}
                    )
                yield (
                    number,
                    {h: _check_cell(cells[i], number, h) if i < len(cells) else "" for i, h in enumerate(headers)},
                )
        except csv.Error as exc:
            raise FileProblem(
                _("Row %(row)s: %(error)s (a cell may be larger than %(limit)s characters).")
                % {"row": number + 1, "error": exc, "limit": _count(MAX_CELL_CHARS)}
            ) from None

    notes = [_("read as %(encoding)s") % {"encoding": used}] if used not in ("utf-8",) else []
    return Table(headers, rows(), "csv", used, notes)


def read_xlsx(data: bytes) -> Table:
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, OSError, ValueError, AttributeError, TypeError) as exc:
        raise FileProblem(
            _("The workbook cannot be opened (truncated or not an .xlsx file): %(error)s.") % {"error": exc}
        ) from None
    # The first sheet that holds cells (a chart sheet has none).
    sheet = next((ws for ws in workbook.worksheets if hasattr(ws, "iter_rows")), None)
    if sheet is None:
        raise FileProblem(_("The workbook has no sheet with cells."))
    iterator = sheet.iter_rows(values_only=True)
    try:
        header = next(iterator)
    except StopIteration:
        raise FileProblem(_("The workbook's first sheet is empty.")) from None
    except (zipfile.BadZipFile, OSError, KeyError, ValueError) as exc:
        raise FileProblem(_("The workbook is damaged: %(error)s.") % {"error": exc}) from None
    while header and header[-1] is None:
        header = header[:-1]
    headers = _unique_headers(list(header))

    def rows() -> Iterator[tuple[int, dict[str, Any]]]:
        number = 1
        try:
            for cells in iterator:
                number += 1
                if not any(cell not in (None, "") for cell in cells):
                    continue
                yield (
                    number,
                    {h: _check_cell(cells[i] if i < len(cells) else None, number, h) for i, h in enumerate(headers)},
                )
        except (zipfile.BadZipFile, OSError, KeyError, ValueError, EOFError) as exc:
            raise FileProblem(
                _("The workbook is damaged after row %(row)s: %(error)s.") % {"row": number, "error": exc}
            ) from None
        finally:
            workbook.close()

    return Table(headers, rows(), "xlsx", notes=[_("sheet %(sheet)s") % {"sheet": repr(sheet.title)}])


def read_json(data: bytes, encoding: str | None = None) -> Table:
    content, used = decode(data, encoding)
    if not content.strip():
        raise FileProblem(_("The file is empty."))
    try:
        loaded = json.loads(content)
    except json.JSONDecodeError as exc:
        raise FileProblem(
            _("The JSON is not valid: %(error)s at line %(line)s, column %(column)s.")
            % {"error": exc.msg, "line": exc.lineno, "column": exc.colno}
        ) from None
    if isinstance(loaded, dict):
        for wrapper in ("use_cases", "results", "data", "items"):
            if isinstance(loaded.get(wrapper), list):
                loaded = loaded[wrapper]
                break
    if not isinstance(loaded, list) or not all(isinstance(item, dict) for item in loaded):
        if isinstance(loaded, list):
            message = _(
                'The JSON must be a list of objects, one per use case (or {"use_cases": [...]}), '
                "not a list holding %(type)s."
            )
            found = type(next(i for i in loaded if not isinstance(i, dict))).__name__
        else:
            message = _('The JSON must be a list of objects, one per use case (or {"use_cases": [...]}), not %(type)s.')
            found = type(loaded).__name__
        raise FileProblem(message % {"type": found})
    headers: list[str] = []
    for item in loaded:
        for name in item:
            if name not in headers:
                headers.append(str(name))

    def rows() -> Iterator[tuple[int, dict[str, Any]]]:
        for number, item in enumerate(loaded, start=1):
            yield number, {h: _check_cell(_json_cell(item.get(h)), number, h) for h in headers}

    return Table(headers, rows(), "json", used)


def _json_cell(value: Any) -> Any:
    if isinstance(value, list):
        return ";".join("" if item is None else str(item) for item in value)
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False)
    return value


def read_table(
    path: Path | None = None, *, data: bytes | None = None, name: str = "", encoding: str | None = None
) -> Table:
    """Open an inventory file of any supported kind."""
    if data is None:
        assert path is not None
        data = path.read_bytes()
        name = name or path.name
    if not data.strip():
        raise FileProblem(_("The file is empty."))
    kind = sniff_kind(name, data[:64])
    if kind == "xlsx":
        return read_xlsx(data)
    if kind == "json":
        return read_json(data, encoding)
    return read_csv(data, encoding)
