"""Every list endpoint of the API costs the same number of queries whatever the page size (no query per row).

One dataset with at least two rows behind every list (the demo without the US inventory, plus what the demo
leaves empty), then each list is read with one row a page and with every row on one page, as the HQ admin and
as an editor of one organisation (the scoped path). A query per row shows up as the difference.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

# Lists outside the router (paginated the same way).
EXTRA_LISTS = ["tasks", "duplicates"]
# At most this many queries for any list page (sessions, tokens and the scope included).
MAX_QUERIES = 25


def _list_urls() -> list[str]:
    from aihq.api_urls import router

    prefixes = [prefix for prefix, viewset, _basename in router.registry if hasattr(viewset, "list")]
    return [f"/api/v1/{prefix}/" for prefix in [*prefixes, *EXTRA_LISTS]]


def _fill_what_the_demo_leaves_empty(actor: Any) -> None:
    """Two rows at least in the lists the demo leaves empty or with one row."""
    from aihq.accounts.services import sso_mapping_create
    from aihq.coordination.models import SimilarPair
    from aihq.coordination.services import decide
    from aihq.energy.models import ExogenousLoad, Scenario
    from aihq.energy.services import profile_set, scenario_create, scenario_run
    from aihq.exchange.services import ImportOptions, import_usecases
    from aihq.notifications.kinds import Kind
    from aihq.registry.models import Organisation, Region, UseCase
    from aihq.regulation.models import RequirementStatus
    from aihq.regulation.services import evidence_add
    from aihq.routines.models import CycleKind, ReportingCycle
    from aihq.routines.run import run_routines
    from aihq.routines.services import confirm
    from aihq.webhooks.services import endpoint_create

    digital = Organisation.objects.get(code="MINTSIFRY")
    for name in ("a.csv", "b.csv"):
        data = f"name,organisation\nImported {name},MINTSIFRY\n".encode()
        import_usecases(actor=actor, data=data, file_name=name, options=ImportOptions(format="csv"))
    for n in range(2):
        endpoint_create(
            actor=actor, name=f"Hook {n}", url=f"https://hooks{n}.example.org/aihq", event_types=[Kind.INCIDENT_SERIOUS]
        )
        sso_mapping_create(actor=actor, value=f"group-{n}", role="editor", organisation=digital)
    # The routines' own events (reminders, the demo's serious incidents) with their webhook deliveries.
    run_routines(send=False)
    mine = list(UseCase.objects.filter(organisation=digital).order_by("pk")[:2])
    others = list(UseCase.objects.exclude(organisation=digital).order_by("pk")[:2])
    regions = list(Region.objects.order_by("pk")[:2])
    for n, (use_case, other, region) in enumerate(zip(mine, others, regions, strict=True)):
        profile_set(actor=actor, use_case=use_case, inference_requests_per_day=1000.0 * (n + 1))
        ExogenousLoad.objects.create(region=region, year=2030, kind="crypto", average_mw=10.0 + n)
        SimilarPair.objects.create(use_case_a=use_case, use_case_b=other, score=0.9, cluster=n, model="test")
        decide(actor=actor, use_case_a=use_case, use_case_b=other, verdict="duplicate")
        requirement = RequirementStatus.objects.filter(use_case__organisation=digital).order_by("pk")[n]
        evidence_add(actor=actor, requirement=requirement, title=f"Link {n}", url=f"https://example.org/{n}")
    scenario = Scenario.objects.order_by("pk").first()
    assert scenario is not None
    copy = scenario_create(
        actor=actor,
        code="copy",
        name_en="Copy",
        start_year=scenario.start_year,
        end_year=scenario.end_year,
        parameters=scenario.parameters,
        mix=scenario.mix,
        demand=scenario.demand,
    )
    scenario_run(actor=actor, scenario=copy, samples=100)
    cycle = ReportingCycle.objects.get(kind=CycleKind.INVENTORY_REFRESH)
    period_end = cycle.starts_on
    for organisation in cycle.organisations.all()[:2] or [digital, Organisation.objects.exclude(pk=digital.pk)[0]]:
        confirm(actor=actor, cycle=cycle, organisation=organisation, period_end=period_end)


@pytest.fixture
def dataset(db, system_actor):
    from aihq.registry.demo import load_demo

    load_demo(actor=system_actor, us_inventory=False)
    _fill_what_the_demo_leaves_empty(system_actor)


def _read(client: APIClient, url: str, page_size: int) -> tuple[int, int, int]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, {"page_size": page_size})
    if response.status_code == 403:
        return -1, 0, 0
    assert response.status_code == 200, (url, response.status_code, response.content[:300])
    body = response.json()
    return len(queries), body["count"], len(body["results"])


@pytest.mark.parametrize("username", ["admin", "editor"])
def test_every_list_endpoint_costs_the_same_queries_for_one_row_and_for_all(dataset, username):
    from aihq.accounts.models import User

    client = APIClient()
    problems = []
    thin = []
    for url in _list_urls():
        # A fresh user each time, as in a real request: nothing cached on it from the request before.
        client.force_authenticate(User.objects.get(username=username))
        one, count, _ = _read(client, url, 1)
        if one < 0:  # the list is not this user's to read (HQ admins' only)
            continue
        client.force_authenticate(User.objects.get(username=username))
        many, _, shown = _read(client, url, 500)
        if count < 2 and username == "admin":
            thin.append(f"{url}: {count} row(s)")
        if many != one:
            problems.append(f"{url}: {one} queries for 1 row, {many} for {shown} rows")
        elif many > MAX_QUERIES:
            problems.append(f"{url}: {many} queries")
    assert not problems, "\n".join(problems)
    assert not thin, "lists without two rows to compare: " + "; ".join(thin)
