"""The webhook wire format as pure functions: the JSON body, the signature and its check, the headers, the retry
schedule and which URLs may receive events. No database, no network.

A receiver checks a delivery with ``verify`` (it needs only the standard library: copy it).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import time
from collections.abc import Iterable
from typing import Any
from urllib.parse import urlsplit

from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.utils.translation import gettext as _

MAX_URL_LENGTH = 500
USER_AGENT = "AIHQ-Webhooks/1"
HEADER_EVENT = "X-AIHQ-Event"
HEADER_DELIVERY = "X-AIHQ-Delivery"
HEADER_TIMESTAMP = "X-AIHQ-Timestamp"
HEADER_SIGNATURE = "X-AIHQ-Signature"
SIGNATURE_SCHEME = "sha256="

#: Minutes to wait after the 1st, 2nd, … failed attempt; the last value repeats.
BACKOFF_MINUTES = (1, 2, 4, 8, 16, 32, 60, 120)
#: A delivery that failed this many attempts in a row is given up (state failed).
MAX_ATTEMPTS = 8
#: How far a receiver accepts a timestamp from its own clock, in seconds (against replayed deliveries).
DEFAULT_TOLERANCE = 300


def iso8601(value: dt.datetime) -> str:
    """A time as ISO 8601 in UTC with a ``Z``."""
    return value.astimezone(dt.UTC).isoformat().replace("+00:00", "Z")


def build_body(
    *,
    event_id: str,
    event_type: str,
    occurred_at: dt.datetime,
    organisation: str | None,
    data: Any,
    delivery: str,
) -> str:
    """The JSON text POSTed for one delivery (built once, when it is queued, and sent byte for byte each time)."""
    document = {
        "id": event_id,
        "type": event_type,
        "occurred_at": iso8601(occurred_at),
        "organisation": organisation,
        "data": data,
        "delivery": delivery,
    }
    return json.dumps(document, cls=DjangoJSONEncoder, ensure_ascii=False, separators=(",", ":"))


def sign(secret: str, timestamp: int | str, body: bytes) -> str:
    """Hex HMAC-SHA256, keyed with the endpoint's secret, of ``"<timestamp>."`` followed by the body's bytes."""
    message = f"{timestamp}.".encode() + body
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def verify(
    secret: str,
    timestamp: int | str,
    body: bytes,
    header: str,
    tolerance: int = DEFAULT_TOLERANCE,
    now: float | None = None,
) -> bool:
    """Whether ``header`` (``X-AIHQ-Signature``) signs ``body`` at ``timestamp`` (``X-AIHQ-Timestamp``) with
    ``secret``, and the timestamp is within ``tolerance`` seconds of now (0: any time)."""
    text = str(timestamp).strip()
    try:
        sent = int(text)
    except ValueError:
        return False
    current = time.time() if now is None else now
    if tolerance and abs(current - sent) > tolerance:
        return False
    if not header.startswith(SIGNATURE_SCHEME):
        return False
    return hmac.compare_digest(sign(secret, text, body), header[len(SIGNATURE_SCHEME) :].strip())


def headers(*, event_type: str, delivery: str, timestamp: int, signature: str) -> dict[str, str]:
    """The request headers of one attempt."""
    return {
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
        HEADER_EVENT: event_type,
        HEADER_DELIVERY: delivery,
        HEADER_TIMESTAMP: str(timestamp),
        HEADER_SIGNATURE: SIGNATURE_SCHEME + signature,
    }


def is_success(status_code: int | None) -> bool:
    return status_code is not None and 200 <= status_code < 300


def retry_delay(attempts: int, max_attempts: int = MAX_ATTEMPTS) -> dt.timedelta | None:
    """How long to wait after ``attempts`` failed attempts in a row; None when it is time to give up."""
    if attempts >= max_attempts:
        return None
    index = min(max(attempts, 1), len(BACKOFF_MINUTES)) - 1
    return dt.timedelta(minutes=BACKOFF_MINUTES[index])


def validate_url(url: str, insecure_hosts: Iterable[str]) -> None:
    """Refuse a URL that is not https (http only to ``insecure_hosts``), carries credentials, or is malformed."""

    def refuse(message: str) -> ValidationError:
        return ValidationError({"url": message})

    if not url:
        raise refuse(_("Give the URL to send events to."))
    if len(url) > MAX_URL_LENGTH:
        raise refuse(_("A URL has at most %(count)s characters.") % {"count": MAX_URL_LENGTH})
    if any(ch.isspace() or ord(ch) < 32 or ord(ch) == 127 for ch in url):
        raise refuse(_("A URL has no spaces or control characters."))
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        raise refuse(_("This is not a valid URL.")) from None
    scheme = parts.scheme.lower()
    if scheme not in ("https", "http"):
        raise refuse(_("Use an https:// URL."))
    if parts.username is not None or parts.password is not None or "@" in parts.netloc:
        raise refuse(_("Put no user name or password in the URL: deliveries are signed with the secret instead."))
    host = (parts.hostname or "").lower()
    if not host or port == 0:
        raise refuse(_("This is not a valid URL."))
    if parts.fragment or url.endswith("#"):
        raise refuse(_("A webhook URL has no #fragment."))
    allowed = [h.strip().lower() for h in insecure_hosts if h.strip()]
    if scheme == "http" and host not in allowed:
        raise refuse(
            _("Use https://: plain http:// is allowed only to hosts the operators listed (%(hosts)s).")
            % {"hosts": ", ".join(allowed) or _("none")}
        )
