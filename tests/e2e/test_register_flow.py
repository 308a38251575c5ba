"""The public register in a real browser: an editor asks to publish a use case, its coordinator approves, an
anonymous visitor finds it by search and facet and sees only the public fields; a second version keeps the first;
a withdrawal takes it off. The public pages pass axe-core's WCAG 2.1 A/AA rules in English and Russian, and print
without their navigation."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import pytest

from tests.e2e.test_registry_flow import sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

NAME = "Hospital bed forecasting"
NEW_NAME = "Hospital bed and ward forecasting"
#: Words that only the published use case's public texts contain.
DESCRIPTION = "Forecasts sepsis admissions so wards can plan their beds."
OVERSIGHT = "A duty nurse reviews every forecast before beds are moved."
#: Values the profile keeps private: they must never reach a public page or dump.
REFERENCE = "ZX-SECRET-REF-48213"
CONTACT = "zx-ai-office@health.example"
DRAFT = "Unpublished triage draft"
OTHER = "Road traffic signal timing"
PUBLIC_FIELDS = [
    "organisation_kind",
    "description",
    "purpose",
    "stage",
    "sectors",
    "regions",
    "is_generative",
    "human_oversight",
    "data_used",
]  # without "reference" and "contact"
WCAG = {
    "runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]},
    "resultTypes": ["violations"],
}


@dataclass
class Small:
    published: Any  # the use case the flow publishes (organisation A)
    draft: Any  # a use case of A whose publication is asked for but never approved
    other: Any  # a use case of B, published from the start


def password(username: str) -> str:
    return f"pw-{username}-2026"


@pytest.fixture
def small(transactional_db, system_actor) -> Small:
    """Organisations A and B, an editor and a coordinator of A, three use cases; the register open without the
    reference and contact fields, and one record of B already published so searches and facets have to narrow."""
    from aihq.accounts.models import Membership, User
    from aihq.publication import services
    from aihq.registry.models import Organisation, OrganisationKind, Region, Sector, Stage
    from aihq.registry.services import use_case_create

    health = Sector.objects.create(code="healthcare", name_en="Health and medicine", name_ru="Здравоохранение")
    transport = Sector.objects.create(code="transport", name_en="Transport", name_ru="Транспорт")
    tatarstan = Region.objects.create(code="RU-TA", country="RU", name_en="Tatarstan", name_ru="Татарстан")
    org_a = Organisation.objects.create(
        code="A", name_en="Ministry of Health", name_ru="Министерство здравоохранения", kind=OrganisationKind.MINISTRY
    )
    org_b = Organisation.objects.create(
        code="B", name_en="Road Agency", name_ru="Дорожное агентство", kind=OrganisationKind.AGENCY
    )
    for username, role, organisation in (("editor_a", "editor", org_a), ("coordinator_a", "coordinator", org_a)):
        user = User.objects.create_user(username=username, password=password(username))
        Membership.objects.create(user=user, role=role, organisation=organisation)
    published = use_case_create(
        actor=system_actor,
        organisation=org_a,
        name=NAME,
        reference=REFERENCE,
        description=DESCRIPTION,
        purpose="Fewer cancelled operations.",
        stage=Stage.PILOT,
        sectors=[health],
        regions=[tatarstan],
    )
    draft = use_case_create(
        actor=system_actor, organisation=org_a, name=DRAFT, description="Sepsis triage, not ready.", stage=Stage.PILOT
    )
    other = use_case_create(
        actor=system_actor,
        organisation=org_b,
        name=OTHER,
        description="Adapts signal timing to traffic.",
        stage=Stage.PRODUCTION,
        sectors=[transport],
    )
    services.profile_update(actor=system_actor, enabled=True, public_fields=PUBLIC_FIELDS)
    services.publish(actor=system_actor, use_case=other, contact="roads@example.org")
    return Small(published, draft, other)


@contextmanager
def fresh_page(browser) -> Iterator[Any]:
    """A page in a new browser context: no cookies, no cache — a new visitor."""
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-GB")
    page = context.new_page()
    page.set_default_timeout(15_000)
    try:
        yield page
    finally:
        context.close()


def record_of(use_case) -> Any:
    from aihq.publication.models import PublicationRecord

    return PublicationRecord.objects.get(use_case=use_case)


def count(page) -> int:
    text = page.locator("[data-testid=register-count]").inner_text()
    found = re.match(r"(\d+) ", text)
    assert found, text
    return int(found.group(1))


def names(page) -> list[str]:
    return page.locator("[data-testid=register-record] h3").all_inner_texts()


def ask_and_approve(page, live_server, use_case, expect, **texts: str) -> None:
    """The editor asks for publication (with ``texts``), the coordinator approves, in the same page."""
    page.context.clear_cookies()
    sign_in(page, live_server, "editor_a", password("editor_a"))
    page.goto(f"{live_server.url}/use-cases/{use_case.pk}/publication/")
    for key, value in texts.items():
        page.fill(f"#id_{key}", value)
    page.click("[data-testid=request]")
    page.wait_for_load_state()
    expect(page.locator(".pagehead")).to_contain_text("awaiting approval")
    expect(page.locator("[data-testid=approve]")).to_have_count(0)  # an editor does not approve

    page.context.clear_cookies()
    sign_in(page, live_server, "coordinator_a", password("coordinator_a"))
    page.goto(f"{live_server.url}/use-cases/{use_case.pk}/publication/")
    page.click("[data-testid=approve]")
    page.wait_for_load_state()
    expect(page.locator(".pagehead")).not_to_contain_text("awaiting approval")


def dumps(page, live_server, record_id: int) -> tuple[int, str, str, str]:
    """The visitor's register.json, register.csv and records/<id>.json: (JSON count, the three bodies)."""
    register = page.request.get(f"{live_server.url}/register/register.json")
    assert register.status == 200
    body = register.text()
    csv = page.request.get(f"{live_server.url}/register/register.csv")
    assert csv.status == 200
    one = page.request.get(f"{live_server.url}/register/records/{record_id}.json")
    return json.loads(body)["register"]["count"], body, csv.text(), one.text() if one.status == 200 else ""


def test_publish_find_version_and_withdraw(browser, page, live_server, small):
    from playwright.sync_api import expect

    register = f"{live_server.url}/register/?lang=en"

    # Request with a public contact and oversight text; the coordinator approves.
    ask_and_approve(page, live_server, small.published, expect, contact=CONTACT, human_oversight=OVERSIGHT)
    expect(page.locator(".pagehead")).to_contain_text("public version 1")
    record_id = record_of(small.published).pk
    # The draft's publication is asked for but never approved: it has a record, not a public one.
    page.context.clear_cookies()
    sign_in(page, live_server, "editor_a", password("editor_a"))
    page.goto(f"{live_server.url}/use-cases/{small.draft.pk}/publication/")
    page.click("[data-testid=request]")
    expect(page.locator(".pagehead")).to_contain_text("awaiting approval")
    draft_id = record_of(small.draft).pk

    with fresh_page(browser) as visitor:
        visitor.goto(register)
        assert count(visitor) == 2
        assert sorted(names(visitor)) == sorted([NAME, OTHER])
        assert DRAFT not in visitor.content()

        # Full-text search on a word of the description.
        visitor.fill("#register-q", "sepsis")
        visitor.locator(".searchrow button[type=submit]").click()
        visitor.wait_for_url(re.compile(r".*q=sepsis.*"))
        assert count(visitor) == 1
        assert names(visitor) == [NAME]
        # The private reference is not searchable.
        visitor.fill("#register-q", REFERENCE)
        visitor.locator(".searchrow button[type=submit]").click()
        visitor.wait_for_url(re.compile(rf".*q={REFERENCE}.*"))
        assert count(visitor) == 0
        assert names(visitor) == []

        # A facet checkbox: the sector.
        visitor.goto(register)
        facet = visitor.locator("[data-testid=facet-sectors]")
        expect(facet).to_contain_text("Health and medicine (1)")
        expect(facet).to_contain_text("Transport (1)")
        facet.get_by_label(re.compile("Health and medicine")).check()
        visitor.locator(".facets button[type=submit]").click()
        visitor.wait_for_url(re.compile(r".*sectors=healthcare.*"))
        assert count(visitor) == 1
        assert names(visitor) == [NAME]
        expect(visitor.locator("[data-testid=facet-sectors] input[value=healthcare]")).to_be_checked()

        # The record page shows the public fields and not the private ones.
        visitor.get_by_role("link", name=NAME).click()
        visitor.wait_for_url(re.compile(rf".*/register/records/{record_id}/\?lang=en$"))
        shown = visitor.locator("[data-testid=public-record]")
        expect(shown.locator("h1")).to_have_text(NAME)
        expect(shown).to_contain_text("version 1")
        fields = shown.locator(".fieldrow").evaluate_all("rows => rows.map(r => r.dataset.field)")
        assert {"organisation", "description", "stage", "sectors", "regions", "human_oversight"} <= set(fields)
        assert "reference" not in fields
        assert "contact" not in fields
        expect(shown.locator("[data-field=description] dd")).to_have_text(DESCRIPTION)
        expect(shown.locator("[data-field=human_oversight] dd")).to_have_text(OVERSIGHT)
        expect(shown.locator("[data-field=organisation] dd")).to_have_text("Ministry of Health")
        expect(shown.locator("[data-field=regions] dd")).to_have_text("Tatarstan")
        html = visitor.content()
        assert REFERENCE not in html
        assert CONTACT not in html
        expect(visitor.locator("[data-testid=record-history] tbody tr")).to_have_count(1)

        # The open data: the record is there, its private fields are not; the draft is nowhere.
        total, register_json, register_csv, record_json = dumps(visitor, live_server, record_id)
        assert total == 2
        for body in (register_json, register_csv, record_json):
            assert NAME in body
            assert REFERENCE not in body
            assert CONTACT not in body
            assert DRAFT not in body
        assert json.loads(record_json)["id"] == record_id

        # The never-published use case: its record, a made-up record and their JSON are 404s.
        for missing in (draft_id, record_id + draft_id + 1000):
            assert visitor.goto(f"{live_server.url}/register/records/{missing}/?lang=en").status == 404
            assert visitor.request.get(f"{live_server.url}/register/records/{missing}.json").status == 404
            assert visitor.goto(f"{live_server.url}/register/records/{missing}/versions/1/").status == 404

    # The editor renames the use case on its edit page, asks again; the coordinator approves version 2.
    page.context.clear_cookies()
    sign_in(page, live_server, "editor_a", password("editor_a"))
    page.goto(f"{live_server.url}/use-cases/{small.published.pk}/edit/")
    page.fill("#id_name", NEW_NAME)
    page.click("[data-testid=save]")
    page.wait_for_url(re.compile(rf".*/use-cases/{small.published.pk}/$"))
    page.goto(f"{live_server.url}/use-cases/{small.published.pk}/publication/")
    expect(page.locator("[data-testid=out-of-date]")).to_contain_text("Name")
    ask_and_approve(page, live_server, small.published, expect)
    expect(page.locator(".pagehead")).to_contain_text("public version 2")

    with fresh_page(browser) as visitor:
        visitor.goto(f"{live_server.url}/register/records/{record_id}/?lang=en")
        shown = visitor.locator("[data-testid=public-record]")
        expect(shown.locator("h1")).to_have_text(NEW_NAME)
        expect(shown).to_contain_text("version 2")
        history = visitor.locator("[data-testid=record-history] tbody tr")
        expect(history).to_have_count(2)
        expect(history.nth(0)).to_contain_text("Name")  # version 2 changed the name
        expect(history.nth(1)).to_contain_text("First publication")
        html = visitor.content()
        assert REFERENCE not in html
        assert CONTACT not in html

        history.nth(1).get_by_role("link", name="1").click()
        visitor.wait_for_url(re.compile(rf".*/register/records/{record_id}/versions/1/\?lang=en$"))
        expect(visitor.locator("h1")).to_have_text(NAME)
        expect(visitor.locator("[data-testid=public-record]")).to_contain_text("version 1")
        expect(visitor.locator("[data-testid=public-record]")).to_contain_text("This is an earlier version")

        visitor.goto(register)
        assert count(visitor) == 2
        assert sorted(names(visitor)) == sorted([NEW_NAME, OTHER])

    # The editor withdraws it: gone for a new visitor, pages and dumps alike.
    page.context.clear_cookies()
    sign_in(page, live_server, "editor_a", password("editor_a"))
    page.goto(f"{live_server.url}/use-cases/{small.published.pk}/publication/")
    page.fill("#id_reason", "The pilot ended.")
    page.click("[data-testid=withdraw]")
    page.wait_for_load_state()
    expect(page.locator(".pagehead")).to_contain_text("not public")

    with fresh_page(browser) as visitor:
        assert visitor.goto(f"{live_server.url}/register/records/{record_id}/?lang=en").status == 404
        assert visitor.goto(f"{live_server.url}/register/records/{record_id}/versions/1/").status == 404
        visitor.goto(register)
        assert count(visitor) == 1
        assert names(visitor) == [OTHER]
        total, register_json, _csv, record_json = dumps(visitor, live_server, record_id)
        assert total == 1
        assert record_json == ""
        assert visitor.request.get(f"{live_server.url}/register/records/{record_id}.json").status == 404
        assert NEW_NAME not in register_json
        assert NAME not in register_json


# -- accessibility and print --------------------------------------------------------------------------------------


@pytest.fixture
def published(small, system_actor) -> int:
    """The use case of A published twice (a version page exists); returns its record id."""
    from aihq.publication import services
    from aihq.registry.services import use_case_update

    services.publish(actor=system_actor, use_case=small.published, contact=CONTACT, human_oversight=OVERSIGHT)
    use_case_update(actor=system_actor, use_case=small.published, name=NEW_NAME)
    small.published.refresh_from_db()
    services.publish(actor=system_actor, use_case=small.published)
    return record_of(small.published).pk


def describe(violations: list[dict[str, Any]]) -> str:
    lines = []
    for violation in violations:
        targets = [" ".join(map(str, node.get("target", []))) for node in violation.get("nodes", [])[:3]]
        lines.append(f"{violation['id']} [{violation.get('impact')}] {violation.get('help')}: {targets}")
    return "\n".join(lines)


@pytest.mark.parametrize("lang", ["en", "ru"])
def test_public_pages_pass_axe_wcag_21_aa(browser, live_server, published, lang):
    from axe_playwright_python.sync_playwright import Axe

    axe = Axe()
    pages = {
        "register": f"/register/?lang={lang}",
        "filtered": f"/register/?q=sepsis&sectors=healthcare&lang={lang}",
        "record": f"/register/records/{published}/?lang={lang}",
        "version": f"/register/records/{published}/versions/1/?lang={lang}",
        "open data": f"/register/data/?lang={lang}",
    }
    failures = []
    with fresh_page(browser) as page:
        for label, path in pages.items():
            response = page.goto(f"{live_server.url}{path}")
            assert response.status == 200, (label, response.status)
            assert page.locator("html").get_attribute("lang") == lang, label
            assert page.locator("h1").count() == 1, label
            page.keyboard.press("Tab")
            focused = page.evaluate("document.activeElement && document.activeElement.getAttribute('href')")
            assert (focused or "").endswith("#main"), (label, focused)
            violations = axe.run(page, options=WCAG).response["violations"]
            serious = [v for v in violations if v.get("impact") in ("serious", "critical")]
            if serious:
                failures.append(f"{label} ({path}):\n{describe(serious)}")
        # The pages had content: the register listed both records and the filter narrowed to one.
        page.goto(f"{live_server.url}{pages['filtered']}")
        assert count(page) == 1
        page.goto(f"{live_server.url}{pages['register']}")
        assert count(page) == 2
    assert not failures, "axe found serious or critical violations:\n" + "\n".join(failures)


def test_a_record_prints_without_navigation(browser, live_server, published):
    from playwright.sync_api import expect

    with fresh_page(browser) as page:
        page.goto(f"{live_server.url}/register/records/{published}/?lang=en")
        expect(page.locator("header.topbar")).to_be_visible()
        page.emulate_media(media="print")
        expect(page.locator("header.topbar")).to_be_hidden()
        expect(page.locator(".skip")).to_be_hidden()
        expect(page.get_by_role("button", name="Print")).to_be_hidden()
        expect(page.locator("h1")).to_have_text(NEW_NAME)
        expect(page.locator("[data-field=description]")).to_be_visible()
        expect(page.locator("[data-field=human_oversight] dd")).to_have_text(OVERSIGHT)
        expect(page.locator("[data-testid=record-history]")).to_be_visible()

        page.emulate_media(media="screen")
        page.goto(f"{live_server.url}/register/?lang=en")
        expect(page.locator(".facets")).to_be_visible()
        page.emulate_media(media="print")
        expect(page.locator(".facets")).to_be_hidden()
        expect(page.locator("header.topbar")).to_be_hidden()
        expect(page.locator("[data-testid=register-record]")).to_have_count(2)
        for card in page.locator("[data-testid=register-record]").all():
            expect(card).to_be_visible()
