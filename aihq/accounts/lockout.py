"""Sign-in lock-out (django-axes): the page a locked-out sign-in gets, and an audit event for each lock-out."""

from __future__ import annotations

import datetime as dt
import logging
import math
from typing import Any

from axes.models import AccessAttempt  # type: ignore[import-untyped]
from axes.signals import user_locked_out  # type: ignore[import-untyped]
from django.conf import settings
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import ngettext

from aihq.accounts.views import LoginView
from aihq.audit.models import AuditAction
from aihq.audit.recorder import append_event
from aihq.core import context

logger = logging.getLogger(__name__)


def _attempt(username: str | None, ip_address: str | None) -> AccessAttempt | None:
    attempt: AccessAttempt | None = (
        AccessAttempt.objects.filter(username=username, ip_address=ip_address).order_by("-attempt_time").first()
    )
    return attempt


def minutes_left(username: str | None, ip_address: str | None, now: dt.datetime | None = None) -> int:
    """Whole minutes until the lock-out of this username and address ends (at least one)."""
    cool_off: dt.timedelta = settings.AXES_COOLOFF_TIME
    attempt = _attempt(username, ip_address)
    ends = (attempt.attempt_time if attempt else (now or timezone.now())) + cool_off
    return max(1, math.ceil((ends - (now or timezone.now())).total_seconds() / 60))


def lockout_message(minutes: int) -> str:
    return ngettext(
        "Too many failed sign-ins for this username from your address. Try again in %(minutes)s minute.",
        "Too many failed sign-ins for this username from your address. Try again in %(minutes)s minutes.",
        minutes,
    ) % {"minutes": minutes}


def lockout_response(
    request: HttpRequest, original_response: HttpResponse | None, credentials: dict[str, Any] | None
) -> HttpResponse:
    """The sign-in page again (429), saying the username is locked out here and for how long; even the right
    password is refused until then."""
    username = (credentials or {}).get("username") or request.POST.get("username", "")
    minutes = minutes_left(username, getattr(request, "axes_ip_address", None))
    # The sign-in view's own context (the checked "next", single sign-on), with the username kept and the
    # lock-out as the form's only error; the password is not bound, so the form does not try to sign in.
    view = LoginView()
    view.setup(request)
    form = view.get_form_class()(request, data={"username": username})
    form.errors.clear()
    form.add_error(None, lockout_message(minutes))
    return render(request, view.template_name, view.get_context_data(form=form), status=429)


@receiver(user_locked_out, dispatch_uid="aihq-audit-lockout")
def audit_lockout(
    sender: Any, request: HttpRequest, username: str | None, ip_address: str | None, **kwargs: Any
) -> None:
    """Log every lock-out, and audit the first one (the one that locked the pair out, not later tries)."""
    logger.warning("Sign-in locked out: username %r from %s", username, ip_address)
    attempt = _attempt(username, ip_address)
    if attempt is None or getattr(request, "axes_failures_since_start", None) is None:
        return  # a try while already locked out: the lock-out itself is audited once
    after = {
        "username": username,
        "ip_address": ip_address,
        "failures": attempt.failures_since_start,
        "locked_until": (attempt.attempt_time + settings.AXES_COOLOFF_TIME).isoformat(),
    }
    with context.acting(None, label="sign-in"):
        append_event(
            instance=attempt,
            action=AuditAction.CREATE,
            before=None,
            after=after,
            object_repr=f"sign-in lock-out: {username} from {ip_address}",
        )
