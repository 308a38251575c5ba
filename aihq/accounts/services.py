"""Writes to accounts: users, memberships, API tokens. Audited like every domain write."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from aihq.accounts.models import ApiToken, Membership, Role, User, hash_token
from aihq.accounts.permissions import forget_scope, require_hq_admin
from aihq.core.services import service
from aihq.registry.models import Organisation


def _require_hq_admin(actor: Any) -> None:
    require_hq_admin(actor, _("Only HQ admins can manage memberships."))


@service
def user_get_or_create(
    *, actor: Any, username: str, password: str | None = None, is_demo: bool = False, **fields: Any
) -> User:
    """The user ``username``, created if missing (without a usable password unless one is given)."""
    _require_hq_admin(actor)
    user = User.objects.filter(username=username).first()
    if user is None:
        user = User(username=username, is_demo=is_demo, **fields)
        user.full_clean(exclude=["password"])
        if password:
            user.set_password(password)
        else:
            user.set_unusable_password()
        user.save()
    elif password:
        user.set_password(password)
        user.save()
    return user


@service
def membership_create(*, actor: Any, user: User, role: str, organisation: Organisation | None = None) -> Membership:
    """Give ``user`` a role (in ``organisation`` for coordinator/editor/viewer); existing grants are kept."""
    _require_hq_admin(actor)
    if role not in Role.values:
        raise ValidationError(
            {
                "role": _("Unknown role %(role)s. Use one of: %(roles)s.")
                % {"role": role, "roles": ", ".join(Role.values)}
            }
        )
    existing: Membership | None = Membership.objects.filter(user=user, role=role, organisation=organisation).first()
    if existing is not None:
        return existing
    membership = Membership(user=user, role=role, organisation=organisation)
    membership.full_clean()
    membership.save()
    forget_scope(user)
    return membership


@service
def membership_delete(*, actor: Any, membership: Membership) -> None:
    """Take a role away."""
    _require_hq_admin(actor)
    if (
        membership.role == Role.HQ_ADMIN
        and not Membership.objects.filter(role=Role.HQ_ADMIN).exclude(pk=membership.pk).exists()
    ):
        raise ValidationError(_("This is the last HQ admin: grant the role to someone else first."))
    user = membership.user
    membership.delete()
    forget_scope(user)


@service
def api_token_create(
    *, actor: Any, user: User, name: str = "", expires_in_days: int | None = None
) -> tuple[ApiToken, str]:
    """A new token for ``user`` (the user themself or an HQ admin); returns it and the key, shown only once."""
    if getattr(actor, "pk", None) != user.pk:
        _require_hq_admin(actor)
    key = ApiToken.generate_key()
    expires = timezone.now() + dt.timedelta(days=expires_in_days) if expires_in_days else None
    token = ApiToken(user=user, name=name, prefix=key[:8], key_hash=hash_token(key), expires_at=expires)
    token.full_clean()
    token.save()
    return token, key


@service
def api_token_revoke(*, actor: Any, token: ApiToken) -> ApiToken:
    """Revoke a token at once (the user themself or an HQ admin)."""
    if getattr(actor, "pk", None) != token.user_id:
        _require_hq_admin(actor)
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at", "updated_at"])
    return token
