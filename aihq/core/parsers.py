"""The API's JSON parser (its own module: DRF reads it from the settings while its views are being imported)."""

from __future__ import annotations

import io
from typing import Any

from django.conf import settings
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions, parsers, status


class RequestTooLarge(exceptions.APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_detail = _("The request body is too large.")
    default_code = "request_too_large"


def body_limit_message(limit: int) -> str:
    from aihq.core.uploads import megabytes

    return str(_("The request body is larger than %(limit)s MB.")) % {"limit": megabytes(limit)}


class JSONParser(parsers.JSONParser):
    """DRF's JSON parser, but a body nested too deeply to read is a 400 like any other unreadable body, and a
    body over DATA_UPLOAD_MAX_MEMORY_SIZE a 413 (DRF reads the stream itself, past Django's own check)."""

    def parse(self, stream: Any, media_type: str | None = None, parser_context: Any = None) -> Any:
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        if limit is not None and stream is not None:
            request = (parser_context or {}).get("request")
            try:
                length = int(request.META.get("CONTENT_LENGTH") or 0) if request is not None else 0
            except ValueError:
                length = 0
            if length > limit:
                raise RequestTooLarge(body_limit_message(limit))
            body = stream.read(limit + 1)
            if len(body) > limit:
                raise RequestTooLarge(body_limit_message(limit))
            stream = io.BytesIO(body)
        try:
            return super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise exceptions.ParseError("JSON parse error - the body is nested too deeply.") from None
