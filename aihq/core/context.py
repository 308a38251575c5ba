"""Who is acting and in which request: read by the audit recorder, set by middleware and commands."""

from __future__ import annotations

import contextlib
import contextvars
import uuid
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from aihq.accounts.models import User

_request_id: contextvars.ContextVar[str] = contextvars.ContextVar("aihq_request_id", default="")
_actor: contextvars.ContextVar[Any] = contextvars.ContextVar("aihq_actor", default=None)
_actor_label: contextvars.ContextVar[str] = contextvars.ContextVar("aihq_actor_label", default="")


def new_request_id() -> str:
    """A fresh request id (32 hex characters)."""
    return uuid.uuid4().hex


def get_request_id() -> str:
    """The current request id, or a new one for work outside a request."""
    return _request_id.get() or new_request_id()


def get_actor() -> User | None:
    """The authenticated user on whose behalf the current code runs, if any."""
    user = _actor.get()
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    return user  # type: ignore[no-any-return]


def get_actor_label() -> str:
    """A label for the actor when there is no user: ``cli:load_demo``, ``system``."""
    return _actor_label.get() or "system"


@contextlib.contextmanager
def acting(user: Any = None, *, label: str = "", request_id: str = "") -> Iterator[None]:
    """Run a block as ``user`` (or a labelled system actor) within one request id."""
    tokens = (
        _actor.set(user),
        _actor_label.set(label),
        _request_id.set(request_id or _request_id.get() or new_request_id()),
    )
    try:
        yield
    finally:
        _request_id.reset(tokens[2])
        _actor_label.reset(tokens[1])
        _actor.reset(tokens[0])


def set_request_id(value: str) -> contextvars.Token[str]:
    return _request_id.set(value)


def reset_request_id(token: contextvars.Token[str]) -> None:
    _request_id.reset(token)


def set_actor(user: Any) -> contextvars.Token[Any]:
    return _actor.set(user)


def reset_actor(token: contextvars.Token[Any]) -> None:
    _actor.reset(token)
