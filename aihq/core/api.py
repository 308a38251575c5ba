"""API plumbing shared by every app: pagination, JSON errors, optimistic-locking helpers."""

from __future__ import annotations

import re
from typing import Any, ClassVar

from django.conf import settings
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError
from django.db.models import QuerySet
from django.http import HttpRequest, JsonResponse
from django.utils.translation import gettext as _
from rest_framework import exceptions, serializers, status
from rest_framework.pagination import PageNumberPagination
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from aihq.core.services import ConflictError


class Pagination(PageNumberPagination):
    """``?page=N&page_size=M`` (up to 500 a page), in a total order: ``?ordering=name`` would leave rows with the
    same name in any order the database likes, so a row could show on two pages and another on none. The model's
    own ordering, then the primary key, break the ties."""

    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 500

    def paginate_queryset(self, queryset: Any, request: Request, view: Any = None) -> list[Any] | None:
        if isinstance(queryset, QuerySet):
            queryset = totally_ordered(queryset)
        return super().paginate_queryset(queryset, request, view)


def totally_ordered(queryset: QuerySet[Any]) -> QuerySet[Any]:
    """``queryset`` in a total order, so that pages neither repeat nor skip rows that tie: its order (or the model's
    default, also when a client's ``?ordering=`` cleared it), completed by the model's ordering and then the primary
    key, up to the first unique field. A grouped queryset is left as it is (more columns would split its groups)."""
    query = queryset.query
    if query.group_by is not None:
        return queryset
    ordering = model_ordering = list(queryset.model._meta.ordering)
    if query.order_by:
        ordering = list(query.order_by)
    meta = queryset.model._meta
    named: set[str] = set()
    complete: list[Any] = []
    for item in [*ordering, *model_ordering, "pk"]:
        name = item.lstrip("-") if isinstance(item, str) else None
        if name is None:
            complete.append(item)  # an expression: kept, but it proves nothing unique
            continue
        if name == "pk":
            name = meta.pk.name
        if name in named:
            continue
        complete.append(item)
        named.add(name)
        field = meta._forward_fields_map.get(name) if "__" not in name else None
        if field is not None and (field.primary_key or (field.unique and not field.null)):
            break
    return queryset.order_by(*complete)


def _errors_from_django(exc: DjangoValidationError) -> dict[str, Any]:
    if hasattr(exc, "error_dict"):
        return {("non_field_errors" if k == "__all__" else k): [str(m) for m in v] for k, v in exc.message_dict.items()}
    return {"non_field_errors": [str(m) for m in exc.messages]}


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """Every API error as ``{"detail": ..., "errors": {...}}`` with the right status; bad input is never a 500."""
    if isinstance(exc, ConflictError):
        code = status.HTTP_412_PRECONDITION_FAILED if exc.precondition else status.HTTP_409_CONFLICT
        return Response(
            {"detail": str(exc), "errors": {"version": [str(exc)]}, "current_version": exc.current_version}, status=code
        )
    if isinstance(exc, DjangoValidationError):
        errors = _errors_from_django(exc)
        return Response({"detail": _("Invalid input."), "errors": errors}, status=status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, IntegrityError):
        return Response(
            {"detail": _("The change conflicts with existing data (a duplicate or a reference in use)."), "errors": {}},
            status=status.HTTP_409_CONFLICT,
        )
    if isinstance(exc, RequestDataTooBig):
        from aihq.core.uploads import megabytes

        detail = _("The request body is larger than %(limit)s MB.") % {
            "limit": megabytes(settings.DATA_UPLOAD_MAX_MEMORY_SIZE or 0)
        }
        return Response({"detail": detail, "errors": {}}, status=status.HTTP_413_REQUEST_ENTITY_TOO_LARGE)
    if isinstance(exc, TooManyFieldsSent):
        detail = _("The request has more than %(limit)s fields.") % {"limit": settings.DATA_UPLOAD_MAX_NUMBER_FIELDS}
        return Response({"detail": detail, "errors": {}}, status=status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, TooManyFilesSent):
        detail = _("The request has more than %(limit)s files.") % {"limit": settings.DATA_UPLOAD_MAX_NUMBER_FILES}
        return Response({"detail": detail, "errors": {}}, status=status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, DjangoPermissionDenied) and exc.args:
        exc = exceptions.PermissionDenied(str(exc.args[0]))
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    data = response.data
    if isinstance(exc, exceptions.ValidationError):
        errors = data if isinstance(data, dict) else {"non_field_errors": data}
        response.data = {"detail": _("Invalid input."), "errors": errors}
    elif isinstance(data, dict) and "detail" in data:
        response.data = {"detail": data["detail"], "errors": {}}
    else:
        response.data = {"detail": data, "errors": {}}
    return response


VERSION_HELP = "Current version; send it back on update to detect conflicting edits."


def version_field(*, min_value: int = 1) -> serializers.IntegerField:
    """The optional ``version`` of a versioned record's serializer (a stale one gets 409).

    Settings kept as one row show version 0 until first saved (``min_value=0``): a client sends back what it read.
    """
    return serializers.IntegerField(required=False, min_value=min_value, help_text=VERSION_HELP)


def unsaved_timestamp() -> serializers.DateTimeField:
    """``updated_at`` of settings kept as one row: null until they are first saved."""
    return serializers.DateTimeField(read_only=True, allow_null=True)


_IF_MATCH = re.compile(r'^\s*(?:W/)?"?(\d+)"?\s*$')


def expected_version(request: Request, data: dict[str, Any]) -> tuple[int | None, bool]:
    """The version a write is based on: from ``If-Match`` (precondition, 412) or a ``version`` field (409)."""
    header = request.headers.get("If-Match")
    version = data.pop("version", None)  # never a field to write, whichever way the version came
    if header:
        match = _IF_MATCH.match(header)
        if not match:
            raise exceptions.ValidationError({"If-Match": [_('Use the ETag you received, such as "3".')]})
        return int(match.group(1)), True
    if version is None or version == "":
        return None, False
    try:
        return int(version), False
    except (TypeError, ValueError):
        raise exceptions.ValidationError({"version": [_("A version is a whole number.")]}) from None


def etag(version: int) -> str:
    return f'"{version}"'


def is_api_request(request: HttpRequest) -> bool:
    return request.path.startswith("/api/")


def json_not_found(request: HttpRequest, exception: Exception | None = None) -> JsonResponse:
    return JsonResponse({"detail": _("Not found."), "errors": {}}, status=404)


def json_server_error(request: HttpRequest) -> JsonResponse:
    return JsonResponse(
        {"detail": _("Server error. The request id in X-Request-ID helps the operators."), "errors": {}}, status=500
    )


class VersionedMixin:
    """Retrieve and update answer with the version as ETag; If-Match or ``version`` guard updates.

    ``if_match_actions`` names the actions that read If-Match (the schema documents 412 on those alone); a view
    that reads it elsewhere (an API view's ``patch``, a ``destroy``) says so with the same attribute."""

    if_match_actions: ClassVar[frozenset[str]] = frozenset({"update", "partial_update"})

    def versioned(self, data: dict[str, Any]) -> dict[str, Any]:
        """An update's fields with the version it is based on, as ``*_update`` services take them."""
        fields = dict(data)
        version, precondition = expected_version(self.request, fields)  # type: ignore[attr-defined]
        return {**fields, "expected_version": version, "precondition": precondition}

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        response: Response = super().retrieve(request, *args, **kwargs)  # type: ignore[misc]
        response["ETag"] = etag(response.data["version"])
        return response

    def update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        response: Response = super().update(request, *args, **kwargs)  # type: ignore[misc]
        response["ETag"] = etag(response.data["version"])
        return response
