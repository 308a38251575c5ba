"""The OpenAPI schema's generator: drf-spectacular's, plus the JSON errors every operation can answer with."""

from __future__ import annotations

import copy
from typing import Any

from django.core.exceptions import FieldDoesNotExist
from drf_spectacular.openapi import AutoSchema as SpectacularAutoSchema
from drf_spectacular.utils import OpenApiResponse
from rest_framework import serializers
from rest_framework.fields import empty
from rest_framework.permissions import AllowAny


class ErrorSerializer(serializers.Serializer):  # type: ignore[type-arg]
    """An error: what went wrong, and the messages by field."""

    def get_fields(self) -> dict[str, serializers.Field]:  # type: ignore[type-arg]
        # Declared here, not as attributes: a field named "errors" would hide Serializer.errors.
        return {
            "detail": serializers.CharField(help_text="What went wrong, in the user's language."),
            "errors": serializers.DictField(
                child=serializers.JSONField(),
                help_text="Messages by field name (`non_field_errors` for the whole request).",
            ),
            "current_version": serializers.IntegerField(
                required=False, help_text="The record's version now (409 and 412 only): read it again and retry."
            ),
        }


_ERRORS = {
    "400": "Invalid input: the messages name the fields.",
    "401": "Not signed in: send `Authorization: Token <key>` or a session cookie.",
    "403": "Signed in, but not allowed to do this (the record is visible but read-only, or the role is missing).",
    "404": "No such record among those the user can see (or no such page of a list).",
    "409": "A conflicting edit: the version sent is stale, or the change clashes with other data.",
    "412": "The If-Match header names a version that is no longer current.",
    "413": "The request body is larger than the server accepts.",
    "415": "The request body's content type is not one the API reads.",
    "429": "Too many requests: wait as the Retry-After header says.",
}
_UNSAFE = {"POST", "PUT", "PATCH", "DELETE"}


def _model_and_source(field: serializers.Field) -> tuple[Any, list[str]]:  # type: ignore[type-arg]
    """The model of a model serializer's field and the attribute path it reads (no model: None)."""
    model = getattr(getattr(field.parent, "Meta", None), "model", None)
    source = field.source
    if model is None or not isinstance(source, str) or not source or source == "*":
        return None, []
    return model, source.split(".")


def _model_field(field: serializers.Field) -> Any:  # type: ignore[type-arg]
    """The model field a field of a model serializer reads directly (None for anything else)."""
    model, parts = _model_and_source(field)
    if model is None or len(parts) != 1:
        return None
    try:
        return model._meta.get_field(parts[0])
    except FieldDoesNotExist:
        return None


def _source_is_nullable(field: serializers.Field) -> bool:  # type: ignore[type-arg]
    """Whether a field of a model serializer reads a nullable model field (or one reached through a nullable
    relation): a read-only field declared by hand has no ``allow_null`` though its value can be null."""
    model, parts = _model_and_source(field)
    for position, part in enumerate(parts, start=1):
        try:
            model_field = model._meta.get_field(part)
        except FieldDoesNotExist:  # a property or method: it says nothing
            return False
        if not model_field.concrete:  # a reverse relation: a list, never null
            return False
        if model_field.null:
            # Through a null relation DRF gives the field's default, if it has one.
            return position == len(parts) or field.default is empty
        model = model_field.related_model
        if model is None:
            return False
    return False


class AutoSchema(SpectacularAutoSchema):
    """Document the errors as well as the success, so clients (and the API fuzz test) know every status code."""

    def error_codes(self) -> list[str]:
        """The error statuses this operation can answer with, from its method, path and permissions."""
        codes = ["400", "403", "404", "429"]
        if not all(isinstance(permission, AllowAny) for permission in self.view.get_permissions()):
            codes.append("401")
        if self.method in _UNSAFE:
            codes.append("409")  # a stale version field, or a clash with other data
            action = getattr(self.view, "action", None) or self.method.lower()
            if action in getattr(self.view, "if_match_actions", ()):
                codes.append("412")  # a stale If-Match, on the writes that read it
            if self.method != "DELETE":
                codes += ["413", "415"]
        return sorted(codes)

    def _map_serializer_field(self, field: Any, direction: Any, bypass_extensions: bool = False) -> Any:
        # A read-only choice loses allow_blank in DRF, but a model field with blank=True still holds "".
        if (
            isinstance(field, serializers.ChoiceField)
            and field.read_only
            and not field.allow_blank
            and getattr(_model_field(field), "blank", False)
        ):
            field = copy.copy(field)
            field.allow_blank = True
        return super()._map_serializer_field(field, direction, bypass_extensions)  # type: ignore[no-untyped-call]

    def _get_serializer_field_meta(self, field: Any, direction: Any) -> dict[str, Any]:
        meta: dict[str, Any] = super()._get_serializer_field_meta(field, direction)  # type: ignore[no-untyped-call]
        if isinstance(field, serializers.Field) and field.read_only and _source_is_nullable(field):
            meta["nullable"] = True
        return meta

    def _get_response_bodies(self, direction: Any = "response") -> dict[str, Any]:
        responses: dict[str, Any] = super()._get_response_bodies(direction)
        if direction != "response":
            return responses
        for code in self.error_codes():
            if code not in responses:
                response = OpenApiResponse(response=ErrorSerializer, description=_ERRORS[code])
                responses[code] = self._get_response_for_code(response, code, direction=direction)  # type: ignore[no-untyped-call]
        return responses
