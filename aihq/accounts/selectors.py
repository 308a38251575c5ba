"""Reads from accounts, scoped by the requesting user's memberships."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from aihq.accounts.models import ApiToken, Membership, SsoMapping


def membership_list(user: Any) -> QuerySet[Membership]:
    return Membership.objects.restrict(user, "view").select_related("user", "organisation")


def sso_mapping_list(user: Any) -> QuerySet[SsoMapping]:
    """Single sign-on mappings: HQ admins and auditors see them all, others none."""
    return SsoMapping.objects.restrict(user, "view").select_related("organisation")


def own_memberships(user: Any) -> QuerySet[Membership]:
    """A user's own roles (for their account page), whatever else they may see."""
    return Membership.objects.filter(user_id=_pk(user)).select_related("organisation")


def own_tokens(user: Any) -> QuerySet[ApiToken]:
    return ApiToken.objects.filter(user_id=_pk(user))


def _pk(user: Any) -> int:
    """The user's id, or 0 (no row) for anonymous users."""
    return int(getattr(user, "pk", None) or 0)
