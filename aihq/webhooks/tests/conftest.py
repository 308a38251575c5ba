"""A real HTTP receiver on loopback that checks each delivery's signature on its own (the README's recipe, not
AIHQ's code) and answers with the statuses a test scripts; endpoints and events to send it."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import itertools
import socket
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

_keys = itertools.count(1)
_ORG_A: Any = object()


@dataclass
class Received:
    path: str
    headers: Any  # the request's HTTPMessage: names are case-insensitive, as in HTTP
    body: bytes
    signature_ok: bool


@dataclass
class Receiver:
    """What the receiver got; ``answers`` are the statuses it gives next (200 once they run out)."""

    base_url: str
    secret: str = ""
    answers: list[int] = field(default_factory=list)
    requests: list[Received] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def url(self, path: str = "/hook") -> str:
        return self.base_url + path

    @property
    def count(self) -> int:
        with self.lock:
            return len(self.requests)


def signature_matches(secret: str, headers: Any, body: bytes) -> bool:
    """How a receiver checks a delivery, written from the documentation alone."""
    timestamp = headers.get("X-AIHQ-Timestamp", "")
    expected = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return hmac.compare_digest("sha256=" + expected, headers.get("X-AIHQ-Signature", ""))


@pytest.fixture
def receiver(settings):
    """A ThreadingHTTPServer on 127.0.0.1 (a free port); plain http to it is allowed for the test."""
    settings.AIHQ_WEBHOOK_INSECURE_HOSTS = ["127.0.0.1"]
    state = Receiver(base_url="")

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            headers = self.headers
            with state.lock:
                state.requests.append(
                    Received(self.path, headers, body, signature_matches(state.secret, headers, body))
                )
                code = state.answers.pop(0) if state.answers else 200
            self.send_response(code)
            if 300 <= code < 400:
                self.send_header("Location", "/elsewhere")
            self.send_header("Content-Length", "2")
            self.end_headers()
            self.wfile.write(b"ok")

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    state.base_url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


@pytest.fixture
def closed_url(settings) -> str:
    """A loopback URL where nothing listens (connections are refused)."""
    settings.AIHQ_WEBHOOK_INSECURE_HOSTS = ["127.0.0.1"]
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}/hook"


@pytest.fixture
def make_endpoint(world, system_actor):
    """An endpoint made through the service, with its secret (for the receiver)."""
    from aihq.webhooks.services import endpoint_create

    def make(url: str, *, event_types=("incident_serious",), **fields: Any):
        endpoint, secret = endpoint_create(
            actor=system_actor, name=fields.pop("name", "Receiver"), url=url, event_types=list(event_types), **fields
        )
        return endpoint, secret

    return make


@pytest.fixture
def make_event(world):
    """An event as the notifications app records it."""
    from aihq.notifications.models import Event

    def make(kind: str = "incident_serious", organisation: Any = _ORG_A, **payload: Any):
        number = next(_keys)
        return Event.objects.create(
            kind=kind,
            key=f"test:{kind}:{number}",
            organisation=world.org_a if organisation is _ORG_A else organisation,
            payload=payload or {"incident": number, "title": "Сбой модели"},
            occurred_at=dt.datetime(2026, 11, 30, 9, 15, tzinfo=dt.UTC),
        )

    return make
