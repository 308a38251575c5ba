"""What every upload must pass: a size limit, an allowed file type, and content that is what its name claims.

The type comes from the file's name (never the browser's Content-Type); its first bytes must then agree: a PDF
starts with ``%PDF-``, an Office or OpenDocument file is a ZIP, a text file holds no binary data and is no web page.
Programs are refused whatever they are called: a binary one by its signature, or (named as text) by the binary
data it holds; a script by its ``#!`` line.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

HEAD_BYTES = 4096

_ZIP = (b"PK\x03\x04", b"PK\x05\x06")
#: The first bytes a binary file of each type starts with.
SIGNATURES: dict[str, tuple[bytes, ...]] = {
    ".pdf": (b"%PDF-",),
    ".png": (b"\x89PNG\r\n\x1a\n",),
    ".jpg": (b"\xff\xd8\xff",),
    ".jpeg": (b"\xff\xd8\xff",),
    ".gif": (b"GIF87a", b"GIF89a"),
    ".zip": _ZIP,
    ".docx": _ZIP,
    ".xlsx": _ZIP,
    ".pptx": _ZIP,
    ".odt": _ZIP,
    ".ods": _ZIP,
    ".odp": _ZIP,
}
#: Types that must be text.
TEXT_TYPES = frozenset({".csv", ".tsv", ".txt", ".md", ".json", ".yaml", ".yml"})
#: Binary programs (Windows, Linux, macOS), refused under any name but a text type's: their signatures are
#: plain letters ("MZ code" may begin a CSV), so a text file is checked for binary data instead, which every
#: one of them holds in its first bytes.
_PROGRAMS = (
    (b"MZ", "Windows"),
    (b"\x7fELF", "ELF"),
    (b"\xfe\xed\xfa\xce", "Mach-O"),
    (b"\xfe\xed\xfa\xcf", "Mach-O"),
    (b"\xce\xfa\xed\xfe", "Mach-O"),
    (b"\xcf\xfa\xed\xfe", "Mach-O"),
    (b"\xca\xfe\xba\xbe", "Mach-O"),
)
#: A script is text: refused under every name, text types included.
_SCRIPT = b"#!"
#: An OLE compound file: what Office writes for an encrypted (password-protected) .docx/.xlsx/.pptx, and the
#: old .doc/.xls/.ppt formats (aihq.exchange.readers tells an import the same).
OLE_SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_OFFICE_OPEN_XML = frozenset({".docx", ".xlsx", ".pptx"})
_WEB_PAGE = ("<!doctype html", "<html", "<head", "<body", "<script", "<svg", "<iframe", "<?xml")
_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")

#: The data files AIHQ imports (use cases, measurements).
DATA_FILE_TYPES = frozenset({".csv", ".tsv", ".txt", ".xlsx", ".json"})


def megabytes(size: int, *, round_up: bool = False) -> str:
    """A size in MB as people write it: 10, 2.5 (rounded up for a file over a limit, so it never looks equal)."""
    tenths = size * 10 / (1024 * 1024)
    return f"{(math.ceil(tenths) if round_up else round(tenths)) / 10:.1f}".removesuffix(".0")


def _as_text(head: bytes) -> str:
    if head.startswith(_UTF16_BOMS):
        return head.decode("utf-16", errors="ignore")
    return head.decode("utf-8", errors="ignore")


def _program(extension: str, head: bytes) -> str | None:
    """The kind of program ``head`` begins, by signature (binary ones only for a file not named as text)."""
    if head.startswith(_SCRIPT):
        return "script"
    if extension in TEXT_TYPES:
        return None  # the binary-data check below refuses a binary program named as text
    return next((kind for signature, kind in _PROGRAMS if head.startswith(signature)), None)


def content_problem(name: str, head: bytes) -> str | None:
    """Why a file called ``name`` starting with ``head`` is not what its name says (None when it is)."""
    extension = Path(name).suffix.lower()
    program = _program(extension, head)
    if program:
        return _("This file is a program (%(kind)s), not a document: it is not accepted.") % {"kind": program}
    if extension in SIGNATURES:
        if extension in _OFFICE_OPEN_XML and head.startswith(OLE_SIGNATURE):
            return _(
                "This %(extension)s file is encrypted (password-protected), or is an old Office file (.doc, .xls, "
                ".ppt) renamed. Remove the password and save it as %(extension)s, then upload it again."
            ) % {"extension": extension}
        if not head.startswith(SIGNATURES[extension]):
            return _("The file is named %(extension)s but its content is not a %(extension)s file.") % {
                "extension": extension
            }
        return None
    if extension in TEXT_TYPES:
        if b"\x00" in head and not head.startswith(_UTF16_BOMS):
            return _("The file is named %(extension)s but holds binary data, not text.") % {"extension": extension}
        if _as_text(head).lstrip("\ufeff \t\r\n").lower().startswith(_WEB_PAGE):
            return _("The file is named %(extension)s but holds a web page (HTML or SVG): it is not accepted.") % {
                "extension": extension
            }
    return None


def upload_problems(name: str, size: int, head: bytes, *, max_bytes: int, extensions: Iterable[str]) -> list[str]:
    """Everything wrong with an upload: too large, a type not accepted here, content unlike its type."""
    allowed = sorted(extensions)
    extension = Path(name).suffix.lower()
    if size > max_bytes:
        return [
            _("The file is %(size)s MB; the limit is %(limit)s MB.")
            % {"size": megabytes(size, round_up=True), "limit": megabytes(max_bytes)}
        ]
    if extension not in allowed:
        return [
            _("Files of type %(extension)s are not accepted here; use one of: %(types)s.")
            % {"extension": extension or _("(no extension)"), "types": ", ".join(allowed)}
        ]
    problem = content_problem(name, head)
    return [problem] if problem else []


def check_upload(upload: Any, *, max_bytes: int, extensions: Iterable[str]) -> Any:
    """An uploaded file (Django's UploadedFile) passed as is, or a ValidationError saying what is wrong.

    For a form's or a serializer's ``clean_file``/``validate_file``; reads only the first bytes (and puts the
    file back at its start)."""
    head = b""
    if upload.size <= max_bytes:
        upload.seek(0)
        head = upload.read(HEAD_BYTES)
        upload.seek(0)
    problems = upload_problems(upload.name or "", upload.size, head, max_bytes=max_bytes, extensions=extensions)
    if problems:
        raise ValidationError(problems)
    return upload
