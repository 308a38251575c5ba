"""50 clients at once, each on its own HTTP connection to the live API, edit the same use case and the same
indicator with optimistic locking (If-Match for half of them, the ``version`` field for the other half).

Every write either succeeds or is refused as stale (409/412), none is lost: the versions the successes return
are consecutive, the record ends as the last success left it, and the audit log holds exactly one update event
per success, each with that success's value. No 500 and no deadlock (every client finishes in time).

PostgreSQL only: the live server on the in-memory SQLite test database shares one connection between its
threads, so it cannot show what concurrent transactions do.
"""

from __future__ import annotations

import datetime as dt
import http.client
import json
import threading
import time
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import pytest
from django.db import connection

pytestmark = [
    pytest.mark.postgresql,
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="needs PostgreSQL: the live server shares one SQLite connection between its threads",
    ),
]

CLIENTS = 50
ATTEMPTS = 4  # a client that keeps losing the race gives up after this many refusals
TIMEOUT = 60  # seconds for one request, and for the threads to finish: longer means a deadlock


@dataclass
class Outcome:
    """What one client saw."""

    statuses: list[int] = field(default_factory=list)
    # (version the write produced, value written) for each success
    successes: list[tuple[int, str]] = field(default_factory=list)
    error: str = ""


@dataclass
class Target:
    path: str
    field: str  # the field each client writes its own value into
    object_type: str
    pk: int


class Client:
    """One API client: its own HTTP connection, its token."""

    def __init__(self, base_url: str, token: str) -> None:
        parts = urlsplit(base_url)
        self.http = http.client.HTTPConnection(parts.hostname or "localhost", parts.port, timeout=TIMEOUT)
        self.headers = {"Authorization": f"Token {token}", "Accept": "application/json"}

    def request(self, method: str, path: str, body: Any = None, **headers: str) -> tuple[int, Any, Any]:
        payload = None if body is None else json.dumps(body).encode()
        all_headers = {**self.headers, **headers}
        if payload is not None:
            all_headers["Content-Type"] = "application/json"
        self.http.request(method, path, body=payload, headers=all_headers)
        response = self.http.getresponse()
        raw = response.read()
        return response.status, response.headers, json.loads(raw) if raw else None

    def close(self) -> None:
        self.http.close()


def _write(client: Client, target: Target, value: str, use_if_match: bool, outcome: Outcome) -> None:
    """Read the current version, write with it; on 409/412 read again and retry, a few times."""
    for _ in range(ATTEMPTS):
        status, headers, body = client.request("GET", target.path)
        assert status == 200, (status, body)
        version = body["version"]
        assert headers["ETag"] == f'"{version}"'
        if use_if_match:
            status, _headers, body = client.request(
                "PATCH", target.path, {target.field: value}, **{"If-Match": f'"{version}"'}
            )
        else:
            status, _headers, body = client.request("PATCH", target.path, {target.field: value, "version": version})
        outcome.statuses.append(status)
        if status == 200:
            outcome.successes.append((body["version"], body[target.field]))
            return
        if status not in (409, 412):
            return  # reported by the test: only 200, 409 and 412 are answers to a write here


def _run_clients(base_url: str, token: str, targets: list[Target]) -> dict[str, list[Outcome]]:
    outcomes: dict[str, list[Outcome]] = {t.path: [Outcome() for _ in range(CLIENTS)] for t in targets}
    barrier = threading.Barrier(CLIENTS, timeout=TIMEOUT)

    def work(n: int) -> None:
        client = Client(base_url, token)
        try:
            barrier.wait()  # every client starts writing at the same moment
            for target in targets:
                _write(client, target, f"Written by client {n:02d}", n % 2 == 0, outcomes[target.path][n])
        except Exception as exc:  # reported below, with the client's number
            for target in targets:
                outcomes[target.path][n].error = f"client {n}: {type(exc).__name__}: {exc}"
        finally:
            client.close()

    threads = [threading.Thread(target=work, args=(n,), daemon=True) for n in range(CLIENTS)]
    for thread in threads:
        thread.start()
    deadline = time.monotonic() + TIMEOUT * 2
    for thread in threads:
        thread.join(max(0.1, deadline - time.monotonic()))
    stuck = [n for n, thread in enumerate(threads) if thread.is_alive()]
    assert not stuck, f"clients {stuck} did not finish: a deadlock or a hung request"
    return outcomes


@pytest.fixture
def targets(transactional_db, system_actor) -> tuple[str, list[Target]]:
    """A use case and an indicator, and an HQ admin's token (the only role that may edit an indicator)."""
    from aihq.accounts.models import Membership, User
    from aihq.accounts.services import api_token_create
    from aihq.objectives.services import TargetSpec, indicator_create, objective_create
    from aihq.registry.models import Organisation, OrganisationKind, Stage
    from aihq.registry.services import use_case_create

    organisation = Organisation.objects.create(code="CONC", name_en="Concurrency", kind=OrganisationKind.MINISTRY)
    use_case = use_case_create(actor=system_actor, organisation=organisation, name="Shared", stage=Stage.PILOT)
    objective = objective_create(actor=system_actor, code="SHARED", title_en="Shared objective", owner=organisation)
    indicator = indicator_create(
        actor=system_actor,
        objective=objective,
        code="SHARED-KPI",
        name_en="Shared indicator",
        unit="percent",
        baseline_value=0,
        baseline_date=dt.date(2024, 12, 31),
        targets=[TargetSpec(dt.date(2030, 12, 31), 100)],
    )
    admin = User.objects.create_user(username="hq", password="pw-hq-123456")
    Membership.objects.create(user=admin, role="hq_admin")
    _token, key = api_token_create(actor=admin, user=admin, name="concurrency")
    return key, [
        Target(f"/api/v1/use-cases/{use_case.pk}/", "name", "registry.usecase", use_case.pk),
        Target(f"/api/v1/indicators/{indicator.pk}/", "name_en", "objectives.indicator", indicator.pk),
    ]


def test_concurrent_versioned_writes_lose_nothing_and_audit_each_success_once(live_server, targets):
    from aihq.audit.models import AuditEvent
    from aihq.objectives.models import Indicator
    from aihq.registry.models import UseCase

    token, target_list = targets
    start_versions = {t.path: _current_version(t) for t in target_list}
    outcomes = _run_clients(live_server.url, token, target_list)

    for target in target_list:
        results = outcomes[target.path]
        errors = [o.error for o in results if o.error]
        assert not errors, errors
        statuses = [s for o in results for s in o.statuses]
        assert set(statuses) <= {200, 409, 412}, sorted(set(statuses))
        successes = sorted(s for o in results for s in o.successes)
        refusals = [s for s in statuses if s in (409, 412)]
        # The clients really raced (some were refused) and several still got through.
        assert refusals, f"{target.path}: no write was refused; the clients did not overlap"
        assert len(successes) >= 2, f"{target.path}: only {len(successes)} write succeeded"
        # A stale If-Match is a failed precondition (412), a stale version field a conflict (409).
        if_match = {s for n, o in enumerate(results) if n % 2 == 0 for s in o.statuses}
        version_field = {s for n, o in enumerate(results) if n % 2 == 1 for s in o.statuses}
        assert if_match <= {200, 412}, if_match
        assert version_field <= {200, 409}, version_field
        # No lost update: each success made the next version, and the last one is what is stored.
        versions = [version for version, _value in successes]
        first = start_versions[target.path] + 1
        assert versions == list(range(first, first + len(successes))), versions
        model = UseCase if target.object_type == "registry.usecase" else Indicator
        stored = model.objects.get(pk=target.pk)
        assert stored.version == versions[-1]
        assert getattr(stored, target.field) == successes[-1][1]
        # Exactly one audit event per success, each recording that success's value and version.
        events = AuditEvent.objects.filter(
            object_type=target.object_type, object_id=str(target.pk), action="update"
        ).order_by("seq")
        assert [(e.after["version"], e.after[target.field]) for e in events] == successes


def _current_version(target: Target) -> int:
    from aihq.objectives.models import Indicator
    from aihq.registry.models import UseCase

    model = UseCase if target.object_type == "registry.usecase" else Indicator
    return int(model.objects.get(pk=target.pk).version)
