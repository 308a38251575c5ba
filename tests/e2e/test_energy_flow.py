"""Compute and power in a real browser: register a site, read the Russia 2030 scenario, in English and Russian."""

from __future__ import annotations

import re

import pytest

from aihq.registry.demo import DEMO_PASSWORD
from tests.e2e.test_registry_flow import sign_in

pytestmark = pytest.mark.e2e


@pytest.fixture
def energy_world(transactional_db, system_actor):
    """Regions, organisations, the demo accounts and the Russia 2030 scenario, run once."""
    from aihq.energy.demo import load_scenarios
    from aihq.registry.demo import load_accounts, load_organisations
    from aihq.registry.loaders import load_regions

    load_regions(actor=system_actor, country="RU")
    load_organisations(actor=system_actor)
    load_accounts(actor=system_actor)
    load_scenarios(actor=system_actor)


def test_editor_registers_a_site_and_reads_the_scenario_in_both_languages(energy_world, live_server, page):
    sign_in(page, live_server, "editor", DEMO_PASSWORD)
    page.click("nav.mainnav >> text=Compute and power")
    page.wait_for_url(re.compile(r".*/energy/$"))
    page.click("text=Register a site")
    page.fill("#id_name", "Innopolis cluster")
    page.select_option("#id_operator", index=1)  # the editor's one organisation, MINTSIFRY
    page.select_option("#id_region", label="Republic of Tatarstan")
    page.fill("#id_commissioning_year", "2027")
    page.fill("#id_it_capacity_mw", "12.8")
    page.fill("#id_accelerators", "H100-SXM=lots")
    page.click("[data-testid=save]")
    assert "MODEL=COUNT" in page.content()
    page.fill("#id_accelerators", "H100-SXM=10000")
    page.click("[data-testid=save]")
    page.wait_for_url(re.compile(r".*/energy/sites/\d+/$"))
    page.click("nav.mainnav >> text=Compute and power")
    assert "Innopolis cluster" in page.locator("[data-testid=sites]").inner_text()
    assert "Republic of Tatarstan" in page.locator("[data-testid=site-regions]").inner_text()

    page.click("[data-testid=scenarios] >> text=Russia 2030")
    page.wait_for_selector("#fan-it_mw svg")
    check = page.locator("[data-testid=claim-check]").inner_text()
    assert "$77 bn" in check
    assert "Gas, combined cycle" in check
    assert page.locator("[data-testid=sensitivity] tr").count() >= 3
    assert page.locator("[data-testid=run]").count() == 0  # editors read, HQ admins run

    page.click("[data-testid=lang-ru]")
    page.wait_for_selector("html[lang=ru]")
    page.wait_for_selector("#fan-it_mw svg")
    assert "Россия-2030" in page.locator("h1").inner_text()
    check = page.locator("[data-testid=claim-check]").inner_text()
    assert "Газ, парогазовый цикл" in check
    assert "Вычисления и энергетика" in page.locator("nav.mainnav").inner_text()
    page.click("[data-testid=lang-en]")
