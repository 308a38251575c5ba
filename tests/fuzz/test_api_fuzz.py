"""Schemathesis fuzzes every operation of the API schema (/api/v1/schema/) as an HQ admin and as an editor of one
organisation: no 500s, every status code documented, every response body, header and content type as the
schema says.

``make test`` runs a bounded pass: a few cases an operation, derandomised (the same cases every run).
``make fuzz`` runs a long one: AIHQ_FUZZ_EXAMPLES cases an operation plus schemathesis's coverage phase (edge
values of every parameter), as every demo role, from a random seed (AIHQ_FUZZ_SEED replays one);
AIHQ_FUZZ_USERS picks the roles (e.g. ``editor,viewer``).

The data (tests/seeding.py: the demo without the US inventory, imports, webhooks; then the routines'
notifications) is seeded once for the module inside a transaction rolled back at the end, as Django's
setUpTestData does; every request runs in a savepoint rolled back after it, so each case sees the same data and
nothing is left for other tests. A valid path id is aimed at a real record most of the time, so the detail, update
and action code runs, not just 404.

Nothing leaves the machine: mail goes to Django's test outbox, webhook endpoints point at a closed loopback port
(a test ping is refused at once) and any other destination fails the test before a connection is made.
"""

from __future__ import annotations

import os
import socket
import time
import zlib
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections, transaction
from hypothesis import HealthCheck, Phase, settings
from schemathesis.checks import not_a_server_error
from schemathesis.core.parameters import ParameterLocation
from schemathesis.generation.modes import GenerationMode
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests.seeding import seed_demo_with_imports_and_webhooks

LONG_EXAMPLES = int(os.environ.get("AIHQ_FUZZ_EXAMPLES", "0") or 0)  # 0: the bounded pass of ``make test``
LONG = LONG_EXAMPLES > 0
BOUNDED_EXAMPLES = 2  # cases an operation and user in the bounded pass (fewer where the inputs run out)
DEFAULT_USERS = "admin,coordinator,editor,viewer,auditor" if LONG else "admin,editor"
USERS = os.environ.get("AIHQ_FUZZ_USERS", DEFAULT_USERS).split(",")
SEED = os.environ.get("AIHQ_FUZZ_SEED", "")
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]


def _config() -> schemathesis.Config:
    return schemathesis.Config.from_dict(
        {
            **({"seed": int(SEED)} if SEED else {}),
            "generation": {
                "max-examples": LONG_EXAMPLES or BOUNDED_EXAMPLES,
                # The test sends the user's token; generated Authorization headers would only meet 401s.
                "with-security-parameters": False,
            },
            "phases": {
                "examples": {"enabled": LONG},
                "coverage": {"enabled": LONG},
                "fuzzing": {"enabled": True},
                "stateful": {"enabled": False},
            },
        }
    )


class KeepTestConnection:
    """Django's WSGI handler without closing the database connection at each request's start and end, as
    Django's test client does: that connection holds the test's transaction."""

    def __init__(self) -> None:
        self.handler = WSGIHandler()

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        request_started.disconnect(close_old_connections)
        request_finished.disconnect(close_old_connections)
        try:
            response = self.handler(environ, start_response)
            try:
                return list(response)
            finally:
                response.close()  # request_finished, as a WSGI server would send it
        finally:
            request_started.connect(close_old_connections)
            request_finished.connect(close_old_connections)


app = KeepTestConnection()
schema = schemathesis.openapi.from_wsgi("/api/v1/schema/", app, config=_config())


@dataclass
class FuzzData:
    tokens: dict[str, str]
    # Lookup values of real records by the path's first segment ("use-cases": ids, "organisations": codes).
    known: dict[str, list[Any]]
    cases: Counter[str] = field(default_factory=Counter)


def _closed_loopback_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _seed() -> FuzzData:
    """The shared demo data (webhooks at a closed loopback port), the routines' events, a token for each demo
    account, and the lookup values of real records."""
    from aihq.accounts.models import User
    from aihq.accounts.permissions import SystemActor
    from aihq.accounts.services import api_token_create
    from aihq.api_urls import router
    from aihq.routines.run import run_routines

    actor = SystemActor("fuzz")
    port = _closed_loopback_port()
    seed_demo_with_imports_and_webhooks(actor, hook_url=lambda n: f"https://127.0.0.1:{port}/hook{n}")
    run_routines(send=False)  # notifications, and webhook deliveries to read and redeliver
    tokens = {}
    for username in USERS:
        _token, tokens[username] = api_token_create(actor=actor, user=User.objects.get(username=username))
    known: dict[str, list[Any]] = {}
    for prefix, viewset, _basename in router.registry:
        lookup = getattr(viewset, "lookup_field", "pk")
        rows = viewset.queryset.model._default_manager.order_by("pk")
        known[prefix] = list(rows.values_list("pk" if lookup == "id" else lookup, flat=True)[:40])
    return FuzzData(tokens, known)


@pytest.fixture(scope="module")
def fuzz_data(request, django_db_setup, django_db_blocker) -> Iterator[FuzzData]:
    """Seed once, in a transaction the module's end rolls back; report how many cases ran."""
    started = time.monotonic()
    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            data = _seed()
            seeded = time.monotonic()
            yield data
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)
    reporter = request.config.pluginmanager.get_plugin("terminalreporter")
    capture = request.config.pluginmanager.get_plugin("capturemanager")
    if reporter is not None and capture is not None and data.cases:
        by_user = ", ".join(f"{user} {count}" for user, count in sorted(data.cases.items()))
        with capture.global_and_fixture_disabled():
            reporter.write_line(
                f"\nAPI fuzz: {sum(data.cases.values())} cases ({by_user}) in {time.monotonic() - seeded:.0f} s, "
                f"after seeding in {seeded - started:.0f} s"
            )


@pytest.fixture
def no_outside_network(monkeypatch, settings) -> None:
    """Plain http nowhere, and a delivery to anything but loopback fails the test before it is sent."""
    from aihq.webhooks import delivery

    settings.AIHQ_WEBHOOK_INSECURE_HOSTS = []
    original = delivery.post

    def post(url: str, body: bytes, headers: dict[str, str]) -> tuple[int | None, str]:
        assert urlsplit(url).hostname in ("127.0.0.1", "localhost", "::1"), f"the fuzz test tried to reach {url}"
        return original(url, body, headers)

    monkeypatch.setattr(delivery, "post", post)


def aim(case: Any, known: dict[str, list[Any]]) -> None:
    """Point a valid path id at a real record about 3 times in 4 (which one follows from the generated value)."""
    info = case.meta.components.get(ParameterLocation.PATH) if case.meta is not None else None
    if not case.path_parameters or (info is not None and info.mode != GenerationMode.POSITIVE):
        return
    values = known.get(case.operation.path.removeprefix("/api/v1/").split("/")[0])
    if not values:
        return
    for name, value in list(case.path_parameters.items()):
        slot = zlib.crc32(repr(value).encode()) % (len(values) + len(values) // 3 + 1)
        if slot < len(values):
            case.path_parameters[name] = values[slot]


@pytest.mark.parametrize("username", USERS)
@pytest.mark.filterwarnings("error::django.core.paginator.UnorderedObjectListWarning")  # pages that repeat rows
@schema.parametrize()
@settings(
    deadline=None,
    derandomize=not LONG and not SEED,
    database=None,
    suppress_health_check=list(HealthCheck),
    phases=[Phase.explicit, Phase.generate, Phase.shrink] if LONG else [Phase.explicit, Phase.generate],
)
def test_the_api_answers_every_case_as_its_schema_says(case, username, fuzz_data, no_outside_network, db):
    aim(case, fuzz_data.known)
    fuzz_data.cases[username] += 1
    with transaction.atomic():
        response = case.call(headers={"Authorization": f"Token {fuzz_data.tokens[username]}"})
        transaction.set_rollback(True)
    case.validate_response(response, checks=CHECKS)
