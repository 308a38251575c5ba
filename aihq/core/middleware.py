"""Request id and current user, carried in context variables for the audit log; NUL characters and bodies larger
than any upload refused."""

from __future__ import annotations

import re
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, JsonResponse
from django.utils.translation import gettext as _

from aihq.core import context

_VALID_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")


class RequestContextMiddleware:
    """Give every request an id (a client's X-Request-ID if well-formed) and echo it in the response."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        incoming = request.headers.get("X-Request-ID", "")
        request_id = incoming if _VALID_REQUEST_ID.match(incoming) else context.new_request_id()
        request.request_id = request_id  # type: ignore[attr-defined]
        token = context.set_request_id(request_id)
        try:
            response = self.get_response(request)
        finally:
            context.reset_request_id(token)
        response["X-Request-ID"] = request_id
        return response


class CurrentUserMiddleware:
    """Make the session user the audit actor; API token users are set by the authentication class."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        token = context.set_actor(request.user)
        try:
            return self.get_response(request)
        finally:
            context.reset_actor(token)


class RejectNulMiddleware:
    """Refuse a query string with a NUL character (400): no database stores one, PostgreSQL fails on it."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if any("\x00" in key or any("\x00" in value for value in values) for key, values in request.GET.lists()):
            message = _("The address contains a NUL character.")
            if request.path.startswith("/api/"):
                return JsonResponse({"detail": message, "errors": {}}, status=400)
            return HttpResponseBadRequest(message)
        return self.get_response(request)


def largest_body_bytes() -> int:
    """The largest request body any page or endpoint accepts: the largest upload (imports, evidence) or JSON
    body, and 1 MB for the form around it."""
    megabytes = max(
        int(getattr(settings, "AIHQ_IMPORT_MAX_MB", 50)),
        int(getattr(settings, "AIHQ_EVIDENCE_MAX_MB", 10)),
        (settings.DATA_UPLOAD_MAX_MEMORY_SIZE or 0) // (1024 * 1024),
    )
    return (megabytes + 1) * 1024 * 1024


class BodySizeLimitMiddleware:
    """Refuse (413) a request whose declared body is larger than anything AIHQ accepts, before any of it is read
    or spooled to a temporary file; each upload then has its own, smaller limit, named in its form's error."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        limit = largest_body_bytes()
        if length > limit:
            message = _("The request is larger than %(limit)s MB, more than AIHQ accepts.") % {
                "limit": limit // (1024 * 1024)
            }
            if request.path.startswith("/api/"):
                return JsonResponse({"detail": message, "errors": {}}, status=413)
            return HttpResponse(message, status=413, content_type="text/plain; charset=utf-8")
        return self.get_response(request)
