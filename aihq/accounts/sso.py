"""Single sign-on rules as pure functions: reading claims, choosing a username, which roles a login grants.

Nothing here touches the database; the services load the mappings and users and call these.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Callable, Iterable, Mapping
from typing import Any, Protocol

USERNAME_MAX_LENGTH = 150
# Django's username validator allows letters, digits and @ . + - _ (Unicode letters included).
_NOT_USERNAME = re.compile(r"[^\w.@+-]+")


class MappingRule(Protocol):
    """What a mapping needs to have for ``granted_roles``; an SsoMapping is one."""

    claim: str
    value: str
    role: str
    organisation_id: int | None


def claim_values(claims: Mapping[str, Any], name: str) -> frozenset[str]:
    """The values of claim ``name`` as text: one for a plain value, each item for a list, none if absent."""
    value = claims.get(name)
    if value is None:
        return frozenset()
    items: Iterable[Any] = value if isinstance(value, (list, tuple, set, frozenset)) else [value]
    return frozenset(_as_text(item) for item in items if item is not None)


def _as_text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def is_true(value: Any) -> bool:
    """A boolean claim such as ``email_verified``: true, or the text "true" some providers send."""
    if isinstance(value, bool):
        return value
    return isinstance(value, str) and value.strip().lower() == "true"


def granted_roles(mappings: Iterable[MappingRule], claims: Mapping[str, Any]) -> set[tuple[str, int | None]]:
    """The (role, organisation id) pairs the mappings grant to a user with these claims."""
    granted: set[tuple[str, int | None]] = set()
    for mapping in mappings:
        if mapping.value in claim_values(claims, mapping.claim):
            granted.add((mapping.role, mapping.organisation_id))
    return granted


def username_base(claims: Mapping[str, Any], username_claim: str) -> str:
    """A username from the claims: the username claim, else the e-mail's local part, else one made from ``sub``.

    Characters Django refuses in usernames become "-"; the result is never empty.
    """
    email = claims.get("email")
    candidates = [claims.get(username_claim), email.split("@", 1)[0] if isinstance(email, str) else None]
    for candidate in candidates:
        if not isinstance(candidate, str):
            continue
        cleaned = _NOT_USERNAME.sub("-", unicodedata.normalize("NFKC", candidate)).strip("-")
        if cleaned:
            return cleaned[:USERNAME_MAX_LENGTH]
    digest = hashlib.sha256(str(claims.get("sub", "")).encode("utf-8")).hexdigest()[:12]
    return f"sso-{digest}"


def unique_username(base: str, taken: Callable[[str], bool]) -> str:
    """``base``, or ``base-2``, ``base-3``... : the first that ``taken`` says is free (cut to fit the field)."""
    if not taken(base):
        return base
    number = 2
    while True:
        suffix = f"-{number}"
        candidate = base[: USERNAME_MAX_LENGTH - len(suffix)] + suffix
        if not taken(candidate):
            return candidate
        number += 1
