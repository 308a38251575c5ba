"""Every list endpoint of the API costs the same number of queries whatever the page size (no query per row).

One dataset with at least two rows behind every list, for the HQ admin and for the demo editor alike (the demo
without the US inventory, plus what the demo leaves empty or with one row, seeded inside the editor's own
organisation), then each list is read with one row a page and with every row on one page, as the HQ admin and
as that editor (the scoped path). A query per row shows up as the difference; a list with fewer than two rows
would hide it, so the test fails on one.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from tests.seeding import EDITOR, EDITOR_ORGANISATION, seed_demo_with_imports_and_webhooks

# Lists outside the router (paginated the same way).
EXTRA_LISTS = ["tasks", "duplicates"]
# At most this many queries for any list page (sessions, tokens and the scope included).
MAX_QUERIES = 25
# HQ admins' and auditors' lists (scope "admin"): an editor reads an empty page whatever rows there are.
EMPTY_FOR_AN_EDITOR = {"memberships", "sso-mappings", "audit-events"}
# Lists an editor may not read at all (403).
FORBIDDEN_TO_AN_EDITOR = {"webhook-endpoints", "webhook-deliveries"}


def _list_urls() -> list[str]:
    from aihq.api_urls import router

    prefixes = [prefix for prefix, viewset, _basename in router.registry if hasattr(viewset, "list")]
    return [f"/api/v1/{prefix}/" for prefix in [*prefixes, *EXTRA_LISTS]]


def _fill_what_the_demo_leaves_thin(actor: Any) -> None:
    """Two rows at least in the lists the demo leaves empty or with one row, for the HQ admin and inside the
    demo editor's organisation (the editor sees no other's)."""
    from aihq.accounts.models import User
    from aihq.accounts.services import membership_create, sso_mapping_create
    from aihq.coordination.models import SimilarPair
    from aihq.coordination.services import decide
    from aihq.energy.models import ExogenousLoad, Scenario
    from aihq.energy.services import profile_set, scenario_create, scenario_run, site_create
    from aihq.evaluation.models import STAGE_ORDER, GateDecision
    from aihq.evaluation.services import review_decide, review_request
    from aihq.objectives.models import Indicator
    from aihq.objectives.services import contribution_add
    from aihq.registry.models import Organisation, OrganisationKind, Region, UseCase
    from aihq.registry.services import organisation_create
    from aihq.regulation.models import RequirementStatus
    from aihq.regulation.services import evidence_add, incident_create
    from aihq.routines.models import CycleKind, ReportingCycle
    from aihq.routines.obligations import shift
    from aihq.routines.run import run_routines
    from aihq.routines.services import confirm

    today = dt.date.today()
    digital = Organisation.objects.get(code=EDITOR_ORGANISATION)
    editor = User.objects.get(username=EDITOR)
    regions = list(Region.objects.order_by("pk")[:2])
    for n in range(2):
        sso_mapping_create(actor=actor, value=f"group-{n}", role="editor", organisation=digital)
    # An editor sees only the organisations it has a role in: a viewer's role in a unit of its own makes two.
    lab = organisation_create(
        actor=actor,
        code=f"{EDITOR_ORGANISATION}-LAB",
        name_en="Digital lab",
        name_ru="Цифровая лаборатория",
        kind=OrganisationKind.AGENCY,
        parent=digital,
    )
    membership_create(actor=actor, user=editor, role="viewer", organisation=lab)
    # The demo gives the editor's organisation one compute site, contribution, incident and gate review.
    imported = UseCase.objects.get(organisation=digital, name="Imported a.csv")
    site_create(
        actor=actor,
        name="Digital lab cluster",
        operator=digital,
        region=regions[0],
        commissioning_year=today.year + 1,
        it_capacity_mw=5.0,
    )
    indicator = Indicator.objects.order_by("pk").first()
    assert indicator is not None
    contribution_add(actor=actor, use_case=imported, indicator=indicator)
    # A serious incident and a gate decision, both told to the editor by the routines below.
    incident_create(
        actor=actor, use_case=imported, title="Wrong answers", occurred_on=today, detected_on=today, severity="serious"
    )
    review = review_request(
        actor=actor,
        use_case=imported,
        to_stage=STAGE_ORDER[STAGE_ORDER.index(imported.stage) + 1],
        justification="Ready to move on.",
    )
    review_decide(
        actor=actor,
        review=review,
        decision=GateDecision.GO_WITH_CONDITIONS,
        conditions=[
            ("Publish the DPIA", today + dt.timedelta(days=30)),
            ("Train the staff", today + dt.timedelta(days=60)),
        ],
    )
    # The routines' own events (reminders, serious incidents, decisions) with their webhook deliveries.
    run_routines(send=False)
    mine = list(UseCase.objects.filter(organisation=digital).order_by("pk")[:3])
    for n, (use_case, region) in enumerate(zip(mine, regions, strict=False)):
        profile_set(actor=actor, use_case=use_case, inference_requests_per_day=1000.0 * (n + 1))
        ExogenousLoad.objects.create(region=region, year=2030, kind="crypto", average_mw=10.0 + n)
        requirement = RequirementStatus.objects.filter(use_case__organisation=digital).order_by("pk")[n]
        evidence_add(actor=actor, requirement=requirement, title=f"Link {n}", url=f"https://example.org/{n}")
    # Pairs within the editor's organisation: an editor sees a pair (and its verdict) only when it sees both sides.
    for n, other in enumerate(mine[1:]):
        SimilarPair.objects.create(use_case_a=mine[0], use_case_b=other, score=0.9, cluster=n, model="test")
        decide(actor=actor, use_case_a=mine[0], use_case_b=other, verdict="duplicate")
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
    # Two periods confirmed by the editor's organisation.
    cycle = ReportingCycle.objects.get(kind=CycleKind.INVENTORY_REFRESH)
    for period_end in (cycle.starts_on, shift(cycle.frequency, cycle.starts_on, 1)):
        confirm(actor=actor, cycle=cycle, organisation=digital, period_end=period_end)


@pytest.fixture
def dataset(db, system_actor):
    seed_demo_with_imports_and_webhooks(system_actor, hook_url=lambda n: f"https://hooks{n}.example.org/aihq")
    _fill_what_the_demo_leaves_thin(system_actor)


def _read(client: APIClient, url: str, page_size: int) -> tuple[int, int, int]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, {"page_size": page_size})
    if response.status_code == 403:
        return -1, 0, 0
    assert response.status_code == 200, (url, response.status_code, response.content[:300])
    body = response.json()
    return len(queries), body["count"], len(body["results"])


@pytest.mark.parametrize("username", ["admin", EDITOR])
def test_every_list_endpoint_costs_the_same_queries_for_one_row_and_for_all(dataset, username):
    from aihq.accounts.models import User

    client = APIClient()
    problems = []
    thin = []
    for url in _list_urls():
        name = url.removeprefix("/api/v1/").strip("/")
        # A fresh user each time, as in a real request: nothing cached on it from the request before.
        client.force_authenticate(User.objects.get(username=username))
        one, count, _ = _read(client, url, 1)
        forbidden = username == EDITOR and name in FORBIDDEN_TO_AN_EDITOR
        if (one < 0) != forbidden:
            problems.append(f"{url}: {'403' if one < 0 else 'readable'} for {username}, expected the opposite")
        if one < 0:
            continue
        client.force_authenticate(User.objects.get(username=username))
        many, _, shown = _read(client, url, 500)
        if username == EDITOR and name in EMPTY_FOR_AN_EDITOR:
            if count:
                problems.append(f"{url}: {count} row(s) for an editor, expected none (HQ admins' and auditors' only)")
        elif count < 2 or shown < 2:
            thin.append(f"{url}: {count} row(s), {shown} on the full page")
        if many != one:
            problems.append(f"{url}: {one} queries for 1 row, {many} for {shown} rows")
        elif many > MAX_QUERIES:
            problems.append(f"{url}: {many} queries")
    assert not thin, f"lists without two rows to compare, as {username}: " + "; ".join(thin)
    assert not problems, "\n".join(problems)
