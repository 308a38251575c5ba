"""Sign-in: the lock-out check, the password backend (no demo accounts in production) and API tokens."""

from __future__ import annotations

import logging
from typing import Any

from axes.backends import AxesStandaloneBackend
from django.conf import settings
from django.contrib.auth.backends import ModelBackend
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import authentication, exceptions, throttling
from rest_framework.request import Request

from aihq.accounts.models import ApiToken, User, hash_token
from aihq.core import context

logger = logging.getLogger(__name__)


def client_address(request: HttpRequest | Request) -> str | None:
    """The client's address for the sign-in lock-out and every rate limit: REMOTE_ADDR, or with
    ``AIHQ_TRUSTED_PROXIES`` = N the N-th X-Forwarded-For entry from the right (the one the outermost trusted proxy
    wrote); what a client writes itself further left is never believed."""
    address: str | None = throttling.BaseThrottle().get_ident(request)  # type: ignore[arg-type]  # reads only META
    return address  # None without REMOTE_ADDR (a test client), as django-axes expects


def demo_accounts_allowed() -> bool:
    return not settings.PRODUCTION


class LockoutBackend(AxesStandaloneBackend):  # type: ignore[misc]
    """django-axes' lock-out check for sign-ins through a request; a sign-in without one (a script calling
    ``authenticate`` with credentials, the test client's ``login``) has no address to lock out and is let through."""

    def authenticate(  # type: ignore[override]
        self, request: HttpRequest | None, username: str | None = None, password: str | None = None, **kwargs: Any
    ) -> None:
        if request is None:
            return None
        return super().authenticate(request, username, password, **kwargs)  # type: ignore[no-any-return]


class AIHQModelBackend(ModelBackend):
    """Django's password backend, refusing demo accounts when running in production."""

    def user_can_authenticate(self, user: Any) -> bool:
        if getattr(user, "is_demo", False) and not demo_accounts_allowed():
            return False
        return super().user_can_authenticate(user)


class FailedTokenThrottle(throttling.SimpleRateThrottle):
    """Wrong tokens per client address (rate ``failed_token``). Authentication fails before DRF's own throttles
    run, so without this a client could try keys without limit; over the rate every token is refused, right or
    wrong, until the window has room again."""

    scope = "failed_token"

    def get_cache_key(self, request: Any, view: Any) -> str:
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}

    def over_limit(self, request: Request) -> bool:
        """Whether this address has used up its failures (counting nothing)."""
        allowed, seconds = self.parse_rate(self.rate)
        if allowed is None or seconds is None:
            return False
        self.key = self.get_cache_key(request, None)
        self.now = self.timer()
        self.history = [moment for moment in self.cache.get(self.key, []) if moment > self.now - seconds]
        return len(self.history) >= allowed

    def record_failure(self) -> None:
        _allowed, seconds = self.parse_rate(self.rate)
        self.history.insert(0, self.now)
        self.cache.set(self.key, self.history, seconds)


class TokenAuthentication(authentication.BaseAuthentication):
    """``Authorization: Token <key>``; keys are looked up by their hash, wrong ones throttled per address."""

    keyword = "Token"

    def authenticate(self, request: Request) -> tuple[User, ApiToken] | None:
        header = authentication.get_authorization_header(request).split()
        if not header or header[0].lower() != self.keyword.lower().encode():
            return None
        throttle = FailedTokenThrottle()
        if throttle.over_limit(request):
            raise exceptions.Throttled(throttle.wait())
        try:
            return self._check(header)
        except exceptions.AuthenticationFailed as exc:
            logger.warning("API token refused for %s: %s", throttle.get_ident(request), exc.detail)
            if throttle.rate is not None:
                throttle.record_failure()
            raise

    def _check(self, header: list[bytes]) -> tuple[User, ApiToken]:
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
