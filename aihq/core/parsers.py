"""The API's JSON parser (its own module: DRF reads it from the settings while its views are being imported)."""

from __future__ import annotations

import io
from typing import Any

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.utils.translation import gettext as _
from rest_framework import exceptions, parsers


def nul_at(value: Any, path: str = "") -> str | None:
    """Where in a parsed JSON body a key or a text holds a NUL character ("attributes.note", "tags[2]"), or None.
    PostgreSQL cannot store one in text or jsonb, and no AIHQ input means one."""
    if isinstance(value, str):
        return (path or "$") if "\x00" in value else None
    if isinstance(value, dict):
        for key, item in value.items():
            where = f"{path}.{key}" if path else str(key)
            if "\x00" in str(key):
                return where
            found = nul_at(item, where)
            if found is not None:
                return found
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found = nul_at(item, f"{path}[{index}]")
            if found is not None:
                return found
    return None


class JSONParser(parsers.JSONParser):
    """DRF's JSON parser, but a body nested too deeply to read is a 400 like any other unreadable body, a text
    with a NUL character too, and a body over DATA_UPLOAD_MAX_MEMORY_SIZE a 413 (DRF reads the stream itself, past
    Django's own check)."""

    def parse(self, stream: Any, media_type: str | None = None, parser_context: Any = None) -> Any:
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        if limit is not None and stream is not None:
            body = stream.read(limit + 1)  # never more than one byte past the limit in memory
            if len(body) > limit:
                raise RequestDataTooBig  # the exception handler's 413, as for a form body
            stream = io.BytesIO(body)
        try:
            data = super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise exceptions.ParseError("JSON parse error - the body is nested too deeply.") from None
        where = nul_at(data)
        if where is not None:
            raise exceptions.ParseError(
                _("A text in the body contains a NUL character (at %(where)s); remove it.") % {"where": where}
            )
        return data
