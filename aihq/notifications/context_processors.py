"""Template context for signed-in people: how many of their notifications are unread (for the navigation)."""

from __future__ import annotations

import functools
from typing import Any

from django.http import HttpRequest

from aihq.notifications.selectors import unread_count


def notifications(request: HttpRequest) -> dict[str, Any]:
    """``unread_notifications``: a number counted by one COUNT query the first time a template shows it (a
    template calls it), never for a page that does not; nothing at all for anonymous users."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"unread_notifications": functools.cache(lambda: unread_count(user))}
