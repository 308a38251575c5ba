"""Single sign-on with an OpenID Connect provider, on mozilla-django-oidc: the backend and AIHQ's two views.

The library runs the authorization-code flow (state, nonce, PKCE), exchanges the code at the provider's token
endpoint, checks the ID token's signature with the provider's keys and reads userinfo. AIHQ adds: the token must
be for this client, userinfo must be about the same subject, and ``services.sso_sign_in`` decides who the user
is and which roles single sign-on gives them. Everything answers 404 while single sign-on is off.
"""

from __future__ import annotations

import logging
from typing import Any

import jwt
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import SuspiciousOperation, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from mozilla_django_oidc.auth import OIDCAuthenticationBackend
from mozilla_django_oidc.views import OIDCAuthenticationCallbackView, OIDCAuthenticationRequestView

from aihq.accounts import services
from aihq.accounts.authentication import AIHQModelBackend
from aihq.accounts.models import User
from aihq.accounts.permissions import SystemActor

logger = logging.getLogger(__name__)

#: the actor the audit log names for what single sign-on writes (users, identities, memberships)
SSO_ACTOR_LABEL = "sso"


def sso_enabled() -> bool:
    """Whether single sign-on is on (``AIHQ_OIDC_CLIENT_ID`` is set)."""
    return bool(getattr(settings, "OIDC_RP_CLIENT_ID", ""))


def provider_name() -> str:
    """The provider's name for the sign-in button, or "" for the generic label."""
    return str(getattr(settings, "AIHQ_OIDC_PROVIDER_NAME", ""))


class SsoBackend(OIDCAuthenticationBackend, AIHQModelBackend):  # type: ignore[misc]
    """Signs in the user behind a provider's login; answers nothing else (password logins go to the next backend)."""

    def authenticate(self, request: HttpRequest | None, **kwargs: Any) -> User | None:  # type: ignore[override]
        # Only the callback view passes a nonce: a password login never reaches the provider.
        if not sso_enabled() or request is None or "nonce" not in kwargs:
            return None
        try:
            user: User | None = super().authenticate(request, **kwargs)
        # The provider unreachable or answering an error (requests' errors are OSErrors), a token that fails a check.
        except (OSError, SuspiciousOperation, jwt.PyJWTError, ValueError, KeyError) as exc:
            logger.warning("Single sign-on refused: %s", exc)
            return None
        return user

    def verify_token(self, token: str, **kwargs: Any) -> dict[str, Any]:
        """The library checks signature, algorithm, expiry and nonce; the audience must be this client too."""
        payload: dict[str, Any] = super().verify_token(token, **kwargs)
        audience = payload.get("aud")
        audiences = [audience] if isinstance(audience, str) else list(audience or [])
        if self.OIDC_RP_CLIENT_ID not in audiences:
            raise SuspiciousOperation("The ID token was issued to another client.")
        issuer = settings.AIHQ_OIDC_ISSUER
        if issuer and payload.get("iss") != issuer:
            raise SuspiciousOperation("The ID token was issued by another provider.")
        return payload

    def get_or_create_user(self, access_token: str, id_token: str, payload: dict[str, Any]) -> User | None:
        userinfo = self.get_userinfo(access_token, id_token, payload)
        if not isinstance(userinfo, dict) or str(userinfo.get("sub")) != str(payload.get("sub")):
            raise SuspiciousOperation("Userinfo describes another subject than the ID token.")
        # Claims may come in either (groups are often only in one); the identity is the ID token's.
        claims = {**payload, **userinfo}
        try:
            return services.sso_sign_in(
                actor=SystemActor(SSO_ACTOR_LABEL),
                issuer=str(payload.get("iss") or ""),
                subject=str(payload.get("sub") or ""),
                claims=claims,
            )
        except ValidationError as exc:
            logger.warning("Single sign-on could not sign in %s: %s", payload.get("sub"), exc)
            return None

    def get_user(self, user_id: Any) -> User | None:
        # Django's check, not the library's: inactive users and (in production) demo accounts lose their session.
        user: User | None = ModelBackend.get_user(self, user_id)
        return user


class _OnlyWhenOn:
    """Not found while single sign-on is off."""

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not sso_enabled():
            raise Http404
        response: HttpResponse = super().dispatch(request, *args, **kwargs)  # type: ignore[misc]
        return response


class SsoAuthenticateView(_OnlyWhenOn, OIDCAuthenticationRequestView):  # type: ignore[misc]
    """/oidc/authenticate/: off to the provider's login page (``?next=`` only to this site)."""


class SsoCallbackView(_OnlyWhenOn, OIDCAuthenticationCallbackView):  # type: ignore[misc]
    """/oidc/callback/: the provider sends the browser back here with a code to exchange."""

    def get(self, request: HttpRequest) -> HttpResponse:
        try:
            response: HttpResponse = super().get(request)
        except SuspiciousOperation as exc:  # a state this browser never started: forged, replayed or stale
            logger.warning("Single sign-on callback refused: %s", exc)
            return self.login_failure()
        return response

    def login_failure(self) -> HttpResponse:
        messages.error(self.request, _("Single sign-on did not sign you in. Try again, or sign in with a password."))
        return redirect("login")
