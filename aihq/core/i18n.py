"""Helpers for fields kept in English and Russian."""

from __future__ import annotations

from django.utils.translation import get_language


def localised(english: str, russian: str) -> str:
    """The Russian text when Russian is active and present, else the English one (or whichever exists)."""
    if (get_language() or "en").startswith("ru"):
        return russian or english
    return english or russian
