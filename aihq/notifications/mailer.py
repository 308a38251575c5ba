"""Sending what notifications say by e-mail: one at a time when immediate, gathered in the daily digest.

E-mails go through Django's mail framework (SMTP in production) in the recipient's language, as plain text
with an HTML alternative. Several workers can run this at once: each claims its rows before sending them.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.core.mail.backends.base import BaseEmailBackend
from django.db import IntegrityError, connection, transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.text import Truncator
from django.utils.translation import gettext as _

from aihq.accounts.models import User
from aihq.notifications.events import language_of
from aihq.notifications.models import DigestSent, EmailState, Notification

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 8  # a message the server refuses is tried after 5, 10, 20 … 320 minutes, then given up
RETRY_FIRST = dt.timedelta(minutes=5)
RETRY_DOWN = dt.timedelta(minutes=2)  # the server did not answer at all: try again soon, no attempt used up
BATCH = 300  # e-mails per run, so a batch (at EMAIL_TIMEOUT each at worst) ends well within the lease
LEASE = dt.timedelta(hours=1)  # a worker that died while sending gives its rows back after this


@dataclass(frozen=True)
class Section:
    """A heading and its items in an e-mail; each item is a title, a few lines and a link."""

    heading: str
    items: Sequence[tuple[str, str, str]]


def absolute(url: str) -> str:
    return url if url.startswith(("http://", "https://")) or not url else f"{settings.AIHQ_SITE_URL}{url}"


def compose(user: User, subject: str, intro: str, sections: Sequence[Section], *, kind: str) -> EmailMultiAlternatives:
    """An e-mail to ``user`` in their language: plain text and the same in HTML."""
    with translation.override(language_of(user)):
        context = {
            "user": user,
            "subject": subject,
            "intro": intro,
            "sections": [
                {"heading": s.heading, "items": [(t, b, absolute(u)) for t, b, u in s.items]} for s in sections
            ],
            "preferences_url": absolute(reverse("notification-preferences")),
            "site_url": settings.AIHQ_SITE_URL,
        }
        text = render_to_string("notifications/email.txt", context)
        html = render_to_string("notifications/email.html", context)
        language = translation.get_language()
    message = EmailMultiAlternatives(
        subject=f"[AIHQ] {Truncator(' '.join(subject.split())).chars(150)}",  # one line: a title may hold breaks
        body=text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[user.email],
    )
    message.attach_alternative(html, "text/html")
    message.extra_headers["Content-Language"] = language or settings.LANGUAGE_CODE
    message.extra_headers["Auto-Submitted"] = "auto-generated"
    message.extra_headers["X-AIHQ-Kind"] = kind
    return message


def _claim(now: dt.datetime, limit: int) -> list[int]:
    """Mark up to ``limit`` immediate e-mails as being sent by this worker (stamped with ``now``); rows another
    worker holds are skipped, and rows a worker left half-sent come back after the lease."""
    with transaction.atomic():
        ready = Q(email_retry_at__isnull=True) | Q(email_retry_at__lte=now)
        waiting = Notification.objects.filter(
            (Q(email_state=EmailState.PENDING) & ready) | Q(email_state=EmailState.SENDING, emailed_at__lt=now - LEASE)
        ).order_by("created_at", "pk")
        if connection.features.has_select_for_update_skip_locked:
            waiting = waiting.select_for_update(skip_locked=True)
        ids = list(waiting.values_list("pk", flat=True)[:limit])
        Notification.objects.filter(pk__in=ids).update(email_state=EmailState.SENDING, emailed_at=now)
    return ids


@dataclass
class Sent:
    sent: int = 0
    failed: int = 0


def send_pending(now: dt.datetime | None = None, limit: int = BATCH) -> Sent:
    """Send the immediate notifications' e-mails, one each; failures are retried with backoff on later runs."""
    now = now or timezone.now()
    result = Sent()
    ids = _claim(now, limit)
    if not ids:
        return result
    rows = Notification.objects.filter(pk__in=ids).select_related("recipient").order_by("pk")
    backend = get_connection(fail_silently=False)
    try:
        backend.open()
    except Exception as exc:  # the mail server is down: nothing was tried, so no attempt is used up
        Notification.objects.filter(pk__in=ids, email_state=EmailState.SENDING, emailed_at=now).update(
            email_state=EmailState.PENDING, emailed_at=None, email_retry_at=now + RETRY_DOWN, email_error=_error(exc)
        )
        log.warning("mail server unavailable, %d e-mails wait: %s", len(ids), exc)
        result.failed += len(ids)
        return result
    try:
        for notification in rows:
            # Still ours? Another worker takes rows back only after the lease: then it sends them, not us.
            if not Notification.objects.filter(
                pk=notification.pk, email_state=EmailState.SENDING, emailed_at=now
            ).exists():
                continue
            _send_one(backend, notification, now, result)
    finally:
        backend.close()
    return result


def _error(exc: Exception) -> str:
    return (str(exc) or type(exc).__name__)[:500]


def _failed(notification: Notification, exc: Exception, now: dt.datetime) -> None:
    """This one message failed (the server refused it): try again later, less and less often, then give up."""
    attempts = notification.email_attempts + 1
    if attempts >= MAX_ATTEMPTS:
        state, retry = EmailState.FAILED, None
        log.error("e-mail to %s given up after %d attempts: %s", notification.recipient.email, attempts, exc)
    else:
        state, retry = EmailState.PENDING, now + RETRY_FIRST * 2 ** (attempts - 1)
        log.warning("e-mail to %s failed (attempt %d): %s", notification.recipient.email, attempts, exc)
    Notification.objects.filter(pk=notification.pk).update(
        email_state=state, email_attempts=attempts, email_error=_error(exc), email_retry_at=retry, emailed_at=None
    )


def _send_one(backend: BaseEmailBackend, notification: Notification, now: dt.datetime, result: Sent) -> None:
    user = notification.recipient
    with translation.override(language_of(user)):
        section = Section("", [(notification.title, notification.body, notification.url)])
        message = compose(user, notification.title, "", [section], kind=notification.kind)
    message.connection = backend
    try:
        message.send()
    except Exception as exc:  # any failure of the mail server is recorded, never raised
        _failed(notification, exc, now)
        result.failed += 1
        return
    Notification.objects.filter(pk=notification.pk).update(
        email_state=EmailState.SENT,
        emailed_at=now,
        email_attempts=notification.email_attempts + 1,
        email_error="",
        email_retry_at=None,
    )
    result.sent += 1


def digest_due(now: dt.datetime) -> bool:
    return timezone.localtime(now).hour >= settings.AIHQ_DIGEST_HOUR


def send_daily_digests(now: dt.datetime | None = None) -> int:
    """Once a day from the digest hour: each person's notifications waiting for the digest, in one e-mail."""
    now = now or timezone.now()
    if not digest_due(now):
        return 0
    period = f"day:{timezone.localdate(now).isoformat()}"
    waiting: dict[int, list[int]] = defaultdict(list)
    for pk, user_id in Notification.objects.filter(email_state=EmailState.DIGEST).values_list("pk", "recipient_id"):
        waiting[user_id].append(pk)
    sent = 0
    for user in User.objects.filter(pk__in=waiting, is_active=True).order_by("pk"):
        sent += _send_digest(user, period, waiting[user.pk], now)
    return sent


def _send_digest(user: User, period: str, ids: list[int], now: dt.datetime) -> int:
    rows = list(Notification.objects.filter(pk__in=ids, email_state=EmailState.DIGEST).order_by("kind", "-pk"))
    if not rows:
        return 0
    with translation.override(language_of(user)):
        by_kind: dict[str, list[Notification]] = defaultdict(list)
        for row in rows:
            by_kind[row.get_kind_display()].append(row)
        sections = [Section(k, [(n.title, n.body, n.url) for n in v]) for k, v in by_kind.items()]
        subject = _("Your daily digest: %(count)d new") % {"count": len(rows)}
        message = compose(user, subject, _("What happened since yesterday's digest."), sections, kind="digest")
    if not _send_once(user, period, message):
        return 0
    Notification.objects.filter(pk__in=[r.pk for r in rows]).update(email_state=EmailState.SENT, emailed_at=now)
    return 1


def _send_once(user: User, period: str, message: EmailMultiAlternatives) -> bool:
    """Send ``message`` unless this period's went already. The claim is its own short transaction (SQLite's one
    writer is never held while the mail server talks); a failed send gives the claim back for the next run."""
    try:
        with transaction.atomic():
            claim = DigestSent.objects.create(user=user, period=period)
    except IntegrityError:
        return False  # sent already, or being sent by another worker
    try:
        message.send()
    except Exception as exc:  # the next run tries again
        DigestSent.objects.filter(pk=claim.pk).delete()
        log.warning("%s to %s failed: %s", period, user.email, exc)
        return False
    return True


def send_summary(user: User, period: str, subject: str, intro: str, sections: Sequence[Section], *, kind: str) -> bool:
    """Send a summary (such as the weekly digest) once per ``period``; False when it went already or failed."""
    return _send_once(user, period, compose(user, subject, intro, sections, kind=kind))
