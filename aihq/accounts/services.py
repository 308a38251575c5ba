"""Writes to accounts: users, memberships, API tokens. Audited like every domain write."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Mapping
from typing import Any

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from aihq.accounts import sso
from aihq.accounts.models import (
    ApiToken,
    ExternalIdentity,
    Membership,
    MembershipSource,
    Role,
    SsoMapping,
    User,
    hash_token,
)
from aihq.accounts.permissions import forget_scope, require_hq_admin
from aihq.audit.models import AuditAction
from aihq.audit.recorder import append_event
from aihq.core.services import save_valid, service
from aihq.registry.models import Organisation

logger = logging.getLogger(__name__)


def _require_hq_admin(actor: Any) -> None:
    require_hq_admin(actor, _("Only HQ admins can manage memberships."))


@service
def user_get_or_create(
    *, actor: Any, username: str, password: str | None = None, is_demo: bool = False, **fields: Any
) -> User:
    """The user ``username``, created if missing (without a usable password unless one is given). A password
    must pass the password validators (AUTH_PASSWORD_VALIDATORS)."""
    _require_hq_admin(actor)
    user = User.objects.filter(username=username).first()
    if user is None:
        user = User(username=username, is_demo=is_demo, **fields)
        user.full_clean(exclude=["password"])
        if password:
            _set_password(user, password)
        else:
            user.set_unusable_password()
        user.save()
    elif password:
        _change_password(user, password)
    return user


def _set_password(user: User, password: str) -> None:
    try:
        validate_password(password, user)
    except ValidationError as exc:
        raise ValidationError({"password": exc.messages}) from None
    user.set_password(password)


def _change_password(user: User, password: str) -> None:
    """A new password for an existing user, audited: the hash is never logged (``audit_exclude``), so the event
    says only that it changed, who changed it and when."""
    _set_password(user, password)
    user.save(update_fields=["password"])
    append_event(
        instance=user,
        action=AuditAction.UPDATE,
        before={"password": "previous"},
        after={"password": "changed"},
    )


@service
def password_change(*, actor: Any, user: User, password: str) -> User:
    """Give ``user`` a new password (validated); users change their own, HQ admins anyone's."""
    if getattr(actor, "pk", None) != user.pk:
        require_hq_admin(actor, _("Only HQ admins can set another user's password."))
    _change_password(user, password)
    return user


@service
def membership_create(
    *,
    actor: Any,
    user: User,
    role: str,
    organisation: Organisation | None = None,
    source: str = MembershipSource.MANUAL,
) -> Membership:
    """Give ``user`` a role (in ``organisation`` for coordinator/editor/viewer); existing grants are kept.

    Granting by hand a role single sign-on gave makes it a hand grant, which later logins no longer take away.
    """
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
        if source == MembershipSource.MANUAL and existing.source != MembershipSource.MANUAL:
            existing.source = MembershipSource.MANUAL
            existing.save(update_fields=["source", "updated_at"])
        return existing
    membership = Membership(user=user, role=role, organisation=organisation, source=source)
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


def _require_hq_admin_for_sso(actor: Any) -> None:
    require_hq_admin(actor, _("Only HQ admins can manage single sign-on mappings."))


@service
def sso_mapping_create(
    *, actor: Any, value: str, role: str, organisation: Organisation | None = None, claim: str = ""
) -> SsoMapping:
    """A rule granting ``role`` (in ``organisation``) to single sign-on users whose ``claim`` has ``value``.

    ``claim`` defaults to the groups claim (``AIHQ_OIDC_GROUPS_CLAIM``). Users get the role at their next login.
    """
    _require_hq_admin_for_sso(actor)
    claim = (claim or settings.AIHQ_OIDC_GROUPS_CLAIM).strip()
    return save_valid(SsoMapping(claim=claim, value=value.strip(), role=role, organisation=organisation))


@service
def sso_mapping_delete(*, actor: Any, mapping: SsoMapping) -> None:
    """Remove a rule; the roles it gave are taken away at each user's next login (or by hand on the roles page)."""
    _require_hq_admin_for_sso(actor)
    mapping.delete()


@service
def sso_sign_in(*, actor: Any, issuer: str, subject: str, claims: Mapping[str, Any]) -> User | None:
    """The user behind a verified login at an OpenID Connect provider, or None when they may not sign in.

    The user is found by their identity (``issuer``, ``subject``). A first login links to the one local account
    with the same e-mail only if the provider says the e-mail is verified (``email_verified``) and that account
    has no other identity at this provider; otherwise a new user is created, named from the username claim and
    made unique. Inactive users (and demo accounts in production) are refused without any change. E-mail and
    names follow the provider's claims, and the memberships single sign-on granted follow the mappings.
    """
    require_hq_admin(actor, _("Only the single sign-on process can sign users in."))
    if not issuer or not subject:
        raise ValidationError(_("The identity provider sent no issuer or subject."))
    identity = ExternalIdentity.objects.select_related("user").filter(issuer=issuer, subject=subject).first()
    user = identity.user if identity is not None else _user_by_verified_email(issuer, claims)
    if user is not None and not _may_sign_in(user):
        return None
    if user is None:
        user = _sso_user_create(claims)
    if identity is None:
        identity = save_valid(ExternalIdentity(user=user, issuer=issuer, subject=subject))
    _sso_profile_update(user, claims)
    _sso_memberships_sync(actor=actor, user=user, claims=claims)
    return user


def _may_sign_in(user: User) -> bool:
    from aihq.accounts.authentication import demo_accounts_allowed

    return user.is_active and (not user.is_demo or demo_accounts_allowed())


def _user_by_verified_email(issuer: str, claims: Mapping[str, Any]) -> User | None:
    """The one local account with the claims' e-mail, if the provider verified it; never a guess between several."""
    email = claims.get("email")
    if not isinstance(email, str) or not email.strip() or not sso.is_true(claims.get("email_verified")):
        return None
    matches = list(User.objects.filter(email__iexact=email.strip())[:2])
    if len(matches) != 1:
        return None
    user = matches[0]
    if ExternalIdentity.objects.filter(user=user, issuer=issuer).exists():
        return None  # someone else at this provider already signs in as this account
    return user


def _sso_user_create(claims: Mapping[str, Any]) -> User:
    base = sso.username_base(claims, settings.AIHQ_OIDC_USERNAME_CLAIM)
    username = sso.unique_username(base, lambda name: User.objects.filter(username__iexact=name).exists())
    user = User(username=username)
    user.set_unusable_password()  # signs in through the provider only, until an HQ admin sets a password
    _apply_profile_claims(user, claims)
    user.full_clean(exclude=["password"])
    user.save()
    return user


# The user's field, the claim it follows, and the field's length.
_PROFILE_CLAIMS = [("email", "email", 254), ("first_name", "given_name", 150), ("last_name", "family_name", 150)]


def _apply_profile_claims(user: User, claims: Mapping[str, Any]) -> list[str]:
    """Copy e-mail and names from the claims the provider sent; returns the fields that changed.

    The e-mail only when the provider verified it and no other account has it: notifications go there, and
    a first sign-in links accounts by it."""
    changed = []
    for field, claim, length in _PROFILE_CLAIMS:
        value = claims.get(claim)
        if not isinstance(value, str):
            continue
        value = value.strip()[:length]
        if not value or getattr(user, field) == value:
            continue
        if field == "email" and (
            not sso.is_true(claims.get("email_verified"))
            or User.objects.filter(email__iexact=value).exclude(pk=user.pk).exists()
        ):
            continue
        setattr(user, field, value)
        changed.append(field)
    return changed


def _sso_profile_update(user: User, claims: Mapping[str, Any]) -> None:
    changed = _apply_profile_claims(user, claims)
    if changed:
        user.full_clean(exclude=["password"])
        user.save(update_fields=changed)


def _sso_memberships_sync(*, actor: Any, user: User, claims: Mapping[str, Any]) -> None:
    """Add the roles the mappings grant; take away those single sign-on gave that no mapping grants any more.

    Hand-granted memberships are never touched.
    """
    mappings = list(SsoMapping.objects.select_related("organisation"))
    organisations = {m.organisation_id: m.organisation for m in mappings}
    wanted = sso.granted_roles(mappings, claims)
    held = {(m.role, m.organisation_id): m for m in Membership.objects.filter(user=user)}
    for role, organisation_id in sorted(wanted - held.keys(), key=lambda pair: (pair[0], pair[1] or 0)):
        membership_create(
            actor=actor,
            user=user,
            role=role,
            organisation=organisations[organisation_id],
            source=MembershipSource.SSO,
        )
    for key, membership in held.items():
        if membership.source != MembershipSource.SSO or key in wanted:
            continue
        try:
            membership_delete(actor=actor, membership=membership)
        except ValidationError:
            # The last HQ admin keeps the role rather than leaving no one to manage AIHQ.
            logger.warning("Single sign-on kept %s: it is the last HQ admin", membership)
