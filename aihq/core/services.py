"""What every service shares: one transaction, one audit batch, domain errors."""

from __future__ import annotations

import contextlib
import functools
from collections.abc import Callable, Iterable
from typing import ParamSpec, TypeVar

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils.translation import gettext as _

from aihq.audit.recorder import audit_batch
from aihq.core import context

P = ParamSpec("P")
R = TypeVar("R")


class ConflictError(Exception):
    """A write based on a stale version of an object (HTTP 409, or 412 with If-Match)."""

    def __init__(self, message: str, *, current_version: int, precondition: bool = False) -> None:
        super().__init__(message)
        self.current_version = current_version
        self.precondition = precondition


def service(func: Callable[P, R]) -> Callable[P, R]:
    """Run a write service in one transaction and one audit batch (one event per object changed).

    The service's ``actor`` is the one the audit log names, however the request was authenticated.
    """

    @functools.wraps(func)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        actor = kwargs.get("actor")
        acting = context.acting(actor) if actor is not None else contextlib.nullcontext()
        with acting, transaction.atomic(), audit_batch():
            return func(*args, **kwargs)

    return wrapper


def check_version(current: int, expected: int | None, *, precondition: bool) -> None:
    """Refuse a write based on version ``expected`` of a record now at version ``current``."""
    if expected is not None and int(expected) != current:
        raise ConflictError(
            _("This record was changed by someone else (you had version %(expected)s, it is now %(current)s).")
            % {"expected": expected, "current": current},
            current_version=current,
            precondition=precondition,
        )


def reject_unknown_fields(fields: Iterable[str], allowed: frozenset[str]) -> None:
    """A service's keyword arguments must be fields it knows."""
    unknown = sorted(set(fields) - allowed)
    if unknown:
        raise ValidationError({name: _("Unknown field.") for name in unknown})


M = TypeVar("M", bound=models.Model)


def save_valid(instance: M) -> M:
    """Validate a model instance completely, then save it."""
    instance.full_clean()
    instance.save()
    return instance
