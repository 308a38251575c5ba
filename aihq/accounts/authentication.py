"""Sign-in: the password backend (no demo accounts in production) and API tokens."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth.backends import ModelBackend
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import authentication, exceptions
from rest_framework.request import Request

from aihq.accounts.models import ApiToken, User, hash_token
from aihq.core import context


def demo_accounts_allowed() -> bool:
    return not settings.PRODUCTION


class AIHQModelBackend(ModelBackend):
    """Django's password backend, refusing demo accounts when running in production."""

    def user_can_authenticate(self, user: Any) -> bool:
        if getattr(user, "is_demo", False) and not demo_accounts_allowed():
            return False
        return super().user_can_authenticate(user)


class TokenAuthentication(authentication.BaseAuthentication):
    """``Authorization: Token <key>``; keys are looked up by their hash."""

    keyword = "Token"

    def authenticate(self, request: Request) -> tuple[User, ApiToken] | None:
        header = authentication.get_authorization_header(request).split()
        if not header or header[0].lower() != self.keyword.lower().encode():
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed(_("Invalid token header: give exactly one token after 'Token'."))
        try:
            key = header[1].decode("ascii")
        except UnicodeError:
            raise exceptions.AuthenticationFailed(
                _("Invalid token header: the token has invalid characters.")
            ) from None
        token = ApiToken.objects.select_related("user").filter(key_hash=hash_token(key)).first()
        if token is None or not token.is_valid:
            raise exceptions.AuthenticationFailed(_("Invalid, expired or revoked token."))
        user = token.user
        if not user.is_active or (user.is_demo and not demo_accounts_allowed()):
            raise exceptions.AuthenticationFailed(_("User inactive or not allowed."))
        now = timezone.now()
        if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
            ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        context.set_actor(user)
        return user, token

    def authenticate_header(self, request: Request) -> str:
        return self.keyword
