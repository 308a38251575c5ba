"""Template context every page gets: the user's roles for the navigation."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest

from aihq import __version__
from aihq.accounts.permissions import scope_for


def aihq(request: HttpRequest) -> dict[str, Any]:
    scope = scope_for(getattr(request, "user", None))
    return {
        "aihq_version": __version__,
        "aihq_production": settings.PRODUCTION,
        "user_scope": scope,
        "can_read_audit": scope.sees_everything,
    }
