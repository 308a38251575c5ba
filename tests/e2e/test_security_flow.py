"""The Content-Security-Policy in a real browser: the key pages work with no inline script allowed.

Every page is visited with a listener for ``securitypolicyviolation`` events and console CSP errors; the charts
must draw, the confirm dialog must still ask, the region selects must still submit and the print button print.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import pytest

from tests.e2e.test_registry_flow import sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

SHIPPED = {"eu-ai-act", "omb-m-25-21", "nist-ai-rmf", "ru-ai-ethics"}
# Pushed to the console by every page, before its own scripts run, for each violation the browser reports.
REPORT_VIOLATIONS = """
document.addEventListener("securitypolicyviolation", function (e) {
  console.error("CSP-VIOLATION " + e.violatedDirective + " " + e.blockedURI + " " + e.sourceFile + ":" + e.lineNumber);
});
"""


@dataclass
class Site:
    password: str
    use_case: Any
    indicator: Any
    scenario: Any
    record: Any
    empty_organisation: Any


@pytest.fixture
def site(transactional_db, system_actor) -> Site:
    """Regions, sectors, organisations, demo accounts, the objectives, the Russia 2030 scenario with a run, the
    shipped frameworks, one published use case and an organisation with nothing in it (deletable)."""
    from aihq.energy.demo import load_scenarios
    from aihq.energy.models import Scenario
    from aihq.objectives.demo import load_objectives
    from aihq.objectives.models import Indicator
    from aihq.publication import services as publication
    from aihq.publication.models import PublicationRecord
    from aihq.registry.demo import DEMO_PASSWORD, load_accounts, load_organisations
    from aihq.registry.loaders import load_regions, load_sectors
    from aihq.registry.models import Organisation, OrganisationKind, Stage
    from aihq.registry.services import organisation_create, use_case_create
    from aihq.regulation.models import Framework
    from aihq.regulation.services import load_shipped_frameworks

    load_regions(actor=system_actor, country="RU")
    load_sectors(actor=system_actor)
    load_organisations(actor=system_actor)
    load_accounts(actor=system_actor)
    load_objectives(actor=system_actor)
    load_scenarios(actor=system_actor)
    if set(Framework.objects.filter(is_current=True).values_list("code", flat=True)) < SHIPPED:
        load_shipped_frameworks(system_actor)
    use_case = use_case_create(
        actor=system_actor,
        organisation=Organisation.objects.get(code="MINTSIFRY"),
        name="Citizen services chatbot",
        description="Answers questions about public services.",
        stage=Stage.PILOT,
    )
    publication.profile_update(actor=system_actor, enabled=True)
    publication.publish(actor=system_actor, use_case=use_case, contact="ai@example.org")
    empty = organisation_create(
        actor=system_actor, code="EMPTY-ORG", name_en="Empty agency", kind=OrganisationKind.AGENCY
    )
    return Site(
        password=DEMO_PASSWORD,
        use_case=use_case,
        indicator=Indicator.objects.get(code="AI-SKILLED-WORKERS"),
        scenario=Scenario.objects.get(code="RU-2030"),
        record=PublicationRecord.objects.get(use_case=use_case),
        empty_organisation=empty,
    )


@pytest.fixture
def watched(page):
    """The page, with every CSP violation and console error it reports collected in ``page.problems``."""
    problems: list[str] = []
    page.add_init_script(REPORT_VIOLATIONS)
    page.on(
        "console",
        lambda message: (
            problems.append(message.text)
            if message.type == "error"
            and ("CSP-VIOLATION" in message.text or "Content Security Policy" in message.text)
            else None
        ),
    )
    page.on("pageerror", lambda error: problems.append(f"page error: {error}"))
    page.problems = problems
    return page


def visit(page, url: str, ready: str) -> None:
    """Open ``url``, wait for ``ready`` to be on it, and fail on any CSP problem so far."""
    page.goto(url)
    page.wait_for_selector(ready)
    page.wait_for_load_state("networkidle")
    assert page.problems == [], f"{url}: {page.problems}"


def test_the_key_pages_work_under_the_content_security_policy(site, live_server, watched):
    page = watched
    base = live_server.url
    response = page.goto(f"{base}/login/")
    policy = response.headers["content-security-policy"]
    assert "script-src 'self';" in policy + ";"
    assert "unsafe-inline" not in policy.split("script-src", 1)[1].split(";", 1)[0]
    sign_in(page, live_server, "admin", site.password)

    # Dashboard charts (ECharts from the package's static files).
    visit(page, f"{base}/", "#chart-stage svg")

    # Use-case list: htmx search (no eval needed) and the form.
    visit(page, f"{base}/use-cases/", "[data-testid=filter-q]")
    page.fill("[data-testid=filter-q]", "chatbot")
    page.wait_for_url(re.compile(r".*q=chatbot.*"))
    assert "Citizen services chatbot" in page.locator("#results").inner_text()
    visit(page, f"{base}/use-cases/new/", "#id_name")
    assert page.problems == []

    # Indicator detail: its trajectory chart, and the region select submits by itself.
    visit(page, f"{base}/indicators/{site.indicator.pk}/", "#trajectory svg")
    page.select_option("[data-testid=region-select]", "RU-MOW")
    page.wait_for_url(re.compile(r".*region=RU-MOW.*"))
    page.wait_for_selector("#trajectory svg")
    assert page.locator("[data-testid=region-select]").input_value() == "RU-MOW"

    # Energy scenario: fan charts, and its region select submits too.
    visit(page, f"{base}/energy/scenarios/{site.scenario.pk}/", "#fan-it_mw svg")
    region = page.locator("[data-testid=scenario-region] option").nth(1).get_attribute("value")
    page.select_option("[data-testid=scenario-region]", region)
    page.wait_for_url(re.compile(rf".*region={region}.*"))
    page.wait_for_selector("#fan-it_mw svg")

    # The regulation questionnaire shows conditional questions from its static script.
    visit(page, f"{base}/use-cases/{site.use_case.pk}/classify/eu-ai-act/", "form[data-testid=questionnaire]")
    public_body = page.locator("fieldset.question[data-question=public_body]")
    assert public_body.is_hidden()
    page.locator("fieldset.question[data-question=role] input[value=deployer]").check()
    public_body.wait_for(state="visible")

    # The publication dashboard's coverage map.
    visit(page, f"{base}/publication/", "#coverage-map svg")

    # The confirm dialog still asks before a delete: dismissed, nothing happens; accepted, it goes.
    dialogs: list[str] = []

    def answer(dialog: Any, accept: bool) -> None:
        dialogs.append(dialog.message)
        dialog.accept() if accept else dialog.dismiss()

    visit(page, f"{base}/organisations/EMPTY-ORG/", "text=Delete")
    page.once("dialog", lambda dialog: answer(dialog, False))
    page.click("button:has-text('Delete')")
    assert dialogs == ["Delete this organisation?"]
    assert page.url.endswith("/organisations/EMPTY-ORG/")
    page.once("dialog", lambda dialog: answer(dialog, True))
    page.click("button:has-text('Delete')")
    page.wait_for_url(re.compile(r".*/organisations/$"))
    assert len(dialogs) == 2
    from aihq.registry.models import Organisation

    assert not Organisation.objects.filter(code="EMPTY-ORG").exists()

    # The API documentation: Swagger UI started from a file.
    visit(page, f"{base}/api/v1/docs/", ".swagger-ui .info .title")
    assert "AIHQ API" in page.locator(".swagger-ui .info .title").inner_text()

    # The public register, signed out: the list, a record, and its print button.
    page.context.clear_cookies()
    visit(page, f"{base}/register/", "[data-testid=register-lang-en]")
    visit(page, f"{base}/register/records/{site.record.pk}/", "[data-testid=public-record]")
    # (An arrow function: Playwright would call a function that a bare expression evaluated to.)
    page.evaluate("() => { window.__printed = 0; window.print = () => { window.__printed += 1; }; }")
    page.click("[data-print]")
    assert page.evaluate("window.__printed") == 1
    assert page.problems == []


def test_an_inline_script_would_be_caught(site, live_server, watched):
    """The watch itself works: a script injected into a page is refused and reported."""
    page = watched
    page.goto(f"{live_server.url}/login/")
    page.evaluate(
        """() => { const s = document.createElement("script"); s.textContent = "window.__ran = 1";
                   document.body.appendChild(s); }"""
    )
    page.wait_for_timeout(200)
    assert page.evaluate("window.__ran") is None
    assert any("script-src" in problem for problem in page.problems), page.problems
