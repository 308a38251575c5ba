"""The key flow in a real browser: sign in, register a use case, find it in the list, switch to Russian."""

from __future__ import annotations

import re

import pytest

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def editor(transactional_db):
    from aihq.accounts.models import Membership, User
    from aihq.registry.models import Organisation, Sector, UseCase

    Sector.objects.create(code="healthcare", name_en="Health and medicine", name_ru="Здравоохранение и медицина")
    org = Organisation.objects.create(
        code="MINZDRAV", name_en="Ministry of Health", name_ru="Минздрав России", kind="ministry"
    )
    user = User.objects.create_user(username="eva", password="browser-pass-2024")
    Membership.objects.create(user=user, organisation=org, role="editor")
    UseCase.objects.create(organisation=org, name="Hospital bed forecasting", stage="production")
    return user


def sign_in(page, live_server, username: str, password: str) -> None:
    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("[data-testid=login]")
    page.wait_for_url(re.compile(r".*/$"))


def test_sign_in_register_find_and_switch_to_russian(page, live_server, editor):
    sign_in(page, live_server, "eva", "browser-pass-2024")
    assert page.locator("h1").inner_text() == "AI use cases at a glance"

    page.click("text=Use cases")
    page.click("text=Register a use case")
    page.fill("#id_name", "Radiology triage assistant")
    page.select_option("#id_organisation", label="MINZDRAV — Ministry of Health")
    page.select_option("#id_stage", "pilot")
    page.fill("#id_description", "Prioritises chest X-rays for radiologists.")
    page.check("text=Health and medicine")
    page.fill("#id_tags", "radiology, triage")
    page.click("[data-testid=save]")
    page.wait_for_url(re.compile(r".*/use-cases/\d+/$"))
    assert page.locator("h1").inner_text() == "Radiology triage assistant"
    assert "Pilot" in page.locator(".stage").first.inner_text()

    page.click("nav.mainnav >> text=Use cases")
    assert page.locator("[data-testid=result-count]").inner_text().startswith("2 ")
    page.fill("[data-testid=filter-q]", "radiology")
    # htmx refreshes the table as one types and pushes the filter into the address, so it can be shared.
    page.wait_for_url(re.compile(r".*q=radiology.*"))
    page.wait_for_function("document.querySelector('[data-testid=result-count]').innerText.startsWith('1 ')")
    assert page.locator("table.table tbody tr").count() == 1
    assert "Radiology triage assistant" in page.locator("table.table").inner_text()

    page.click("[data-testid=lang-ru]")
    page.wait_for_load_state("networkidle")
    assert page.locator("html").get_attribute("lang") == "ru"
    assert page.locator("nav.mainnav").inner_text().split()[0] == "Обзор"
    assert "Radiology triage assistant" in page.locator("table.table").inner_text()
    assert "Пилотирование" in page.locator("table.table").inner_text()


def test_wrong_password_shows_an_error(page, live_server, editor):
    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", "eva")
    page.fill("#id_password", "not-the-password")
    page.click("[data-testid=login]")
    # Wait for the answer to the post: the error is on the page that comes back, not on the one posted from.
    page.locator(".message.error").wait_for(state="visible", timeout=15000)
    assert "/login/" in page.url
