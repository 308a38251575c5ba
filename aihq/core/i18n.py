"""Helpers for fields kept in English and Russian."""

from __future__ import annotations

from collections.abc import Callable

from django.utils.translation import get_language


def localiser() -> Callable[[str, str], str]:
    """``localised`` for the language active now, looked up once: for the names of hundreds of rows."""
    if (get_language() or "en").startswith("ru"):
        return lambda english, russian: russian or english
    return lambda english, russian: english or russian


def localised(english: str, russian: str) -> str:
    """The Russian text when Russian is active and present, else the English one (or whichever exists)."""
    return localiser()(english, russian)
