"""Objectives in a real browser: the overview, an indicator's trajectory and regions, the stocktake, in English
and Russian; reporting a value, overriding a rating and linking a use case to an indicator."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

import pytest

from tests.e2e.test_registry_flow import sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

INDICATOR = "AI-SKILLED-WORKERS"
SEVERITY = {"red": 0, "amber_red": 1}
RAGS = {"green", "amber_green", "amber_red", "red", "insufficient_data"}
#: A word of English on a Russian page (organisation and indicator codes are upper case, and pass).
ENGLISH_WORD = re.compile(r"\b[A-Za-z][a-z]{2,}\b")


@dataclass
class Demo:
    password: str
    indicator: Any
    use_case: Any
    late_region: Any


@pytest.fixture
def demo(transactional_db, system_actor) -> Demo:
    """Regions, sectors, organisations, the demo accounts and the AI-strategy objectives (not the US inventory)."""
    from aihq.objectives.demo import LATE_REGIONS, load_objectives
    from aihq.objectives.models import Indicator
    from aihq.registry.demo import DEMO_PASSWORD, load_accounts, load_organisations
    from aihq.registry.loaders import load_regions, load_sectors
    from aihq.registry.models import Organisation, Region, Stage
    from aihq.registry.services import use_case_create

    load_regions(actor=system_actor, country="RU")
    load_sectors(actor=system_actor)
    load_organisations(actor=system_actor)
    load_accounts(actor=system_actor)
    load_objectives(actor=system_actor)
    use_case = use_case_create(
        actor=system_actor,
        organisation=Organisation.objects.get(code="MINTSIFRY"),
        name="AI literacy course for civil servants",
        stage=Stage.PILOT,
    )
    return Demo(
        DEMO_PASSWORD, Indicator.objects.get(code=INDICATOR), use_case, Region.objects.get(code=LATE_REGIONS[0])
    )


def switch_language(page, code: str) -> None:
    page.click(f"[data-testid=lang-{code}]")
    page.wait_for_selector(f"html[lang={code}]")


def texts(page, selector: str) -> list[str]:
    """The text of each match as written (some headings are upper-cased by CSS only)."""
    return [" ".join(text.split()) for text in page.locator(selector).all_text_contents()]


def ratings(page, selector: str) -> list[str]:
    """The rating of each row: the first badge (an overridden row also shows its computed rating)."""
    return [row.locator("[data-rag]").first.get_attribute("data-rag") for row in page.locator(selector).all()]


def english_leftovers(page) -> list[str]:
    """Headings, column heads, labels and buttons of the page that still read as English words."""
    found = []
    for text in texts(page, "main h1, main h2, main h3, main th, main label, main summary, main button, .kpi-label"):
        found += ENGLISH_WORD.findall(text)
    return found


def walk_as_admin(page, demo: Demo, lang: str) -> None:
    """Overview, one indicator (chart, regions, late reporters, one region) and the stocktake, in one language."""
    from aihq.objectives.models import Objective

    ru = lang == "ru"
    page.click("nav.mainnav >> text=" + ("Цели" if ru else "Objectives"))
    page.wait_for_url(re.compile(r".*/objectives/$"))
    assert page.locator("h1").inner_text() == ("Цели и ход их достижения" if ru else "Objectives and their fulfilment")
    cards = {card.get_attribute("data-testid") for card in page.locator("section.objective-card").all()}
    assert cards == {f"objective-{code}" for code in Objective.objects.values_list("code", flat=True)}
    assert len(cards) == 4
    badges = page.locator("section.objective-card [data-rag]")
    assert badges.count() >= 8
    assert {badge.get_attribute("data-rag") for badge in badges.all()} <= RAGS
    assert ("Вероятность достижения" if ru else "Likelihood of delivery") in texts(page, "section.objective-card th")
    assert ("Красный" if ru else "Red") in texts(page, ".kpi-label")
    if ru:
        assert not english_leftovers(page), english_leftovers(page)

    name = demo.indicator.name_ru if ru else demo.indicator.name_en
    page.click(f"[data-testid=objective-AI-SKILLS] a:text-is('{name}')")
    page.wait_for_url(re.compile(rf".*/indicators/{demo.indicator.pk}/.*"))
    page.wait_for_selector("#trajectory svg")
    headings = texts(page, "main h2")
    wanted = (
        ["Траектория", "Регионы", "Отчётная дисциплина", "Внести значение", "Изменить оценку"]
        if ru
        else ["Trajectory", "Regions", "Reporting discipline", "Report a value", "Override the rating"]
    )
    assert set(wanted) <= set(headings), headings
    assert page.locator("[data-testid=regions] tbody tr").count() >= 80
    late = demo.late_region.name_ru if ru else demo.late_region.name_en
    assert late in page.locator("[data-testid=gaps]").inner_text()
    assert demo.late_region.code in page.locator("[data-testid=gaps]").inner_text()
    leftovers = english_leftovers(page)
    if ru:
        assert not leftovers, leftovers
    else:
        assert "Trajectory" in leftovers  # the check does see English

    page.select_option("[data-testid=region-select]", "RU-MOW")
    page.wait_for_url(re.compile(r".*region=RU-MOW.*"))
    assert page.locator("h1").inner_text().endswith("Москва" if ru else "Moscow")
    page.wait_for_selector("#trajectory svg")
    assert page.locator("[data-testid=region-select]").input_value() == "RU-MOW"

    page.click("nav.mainnav >> text=" + ("Обзор исполнения" if ru else "Stocktake"))
    page.wait_for_url(re.compile(r".*/stocktake/$"))
    assert page.locator("h1").inner_text() == ("Обзор исполнения" if ru else "Stocktake")
    rows = ratings(page, "[data-testid=stocktake] tbody tr")
    assert rows, "the demo has indicators rated amber-red or red"
    assert set(rows) <= set(SEVERITY)
    assert [SEVERITY[r] for r in rows] == sorted(SEVERITY[r] for r in rows)
    labels = texts(page, "[data-testid=stocktake] tbody [data-rag]")
    assert set(labels) <= ({"Красный", "Жёлто-красный"} if ru else {"Red", "Amber-red"})
    # The regions-behind column arrives after the page (htmx, out-of-band cells).
    page.wait_for_selector("[data-testid=behind]")
    behind = texts(page, "[data-testid=behind]")
    assert behind
    assert all(count.isdigit() for count in behind)
    if ru:
        assert not english_leftovers(page), english_leftovers(page)


def override_rating(page, live_server, demo: Demo) -> None:
    """On the indicator page: set a rating other than the computed one with a reason; both are shown, in Russian too."""
    page.goto(f"{live_server.url}/indicators/{demo.indicator.pk}/")
    status = page.locator("[data-testid=status]")
    computed = status.locator("[data-rag]").get_attribute("data-rag")
    chosen = "green" if computed != "green" else "red"
    form = page.locator("[data-testid=override-form]")
    form.locator("#id_rating").select_option(chosen)
    form.locator("#id_reason").fill("A federal retraining programme starts next year.")
    form.locator("button[type=submit]").first.click()
    assert page.locator(".message.success").inner_text() == "Rating overridden. Both ratings are shown."
    assert status.locator("[data-rag]").get_attribute("data-rag") == chosen
    assert status.locator(f".rag-computed .rag-{computed}").is_visible()
    assert "A federal retraining programme starts next year." in status.inner_text()

    switch_language(page, "ru")
    assert "расчётная:" in status.inner_text()
    labels = {"green": "Зелёный", "red": "Красный"}
    assert status.locator("[data-rag]").inner_text() == labels[chosen]


def test_admin_reads_objectives_in_english_and_russian_and_overrides_a_rating(page, live_server, demo):
    sign_in(page, live_server, "admin", demo.password)
    walk_as_admin(page, demo, "en")
    switch_language(page, "ru")
    walk_as_admin(page, demo, "ru")
    switch_language(page, "en")
    override_rating(page, live_server, demo)


def test_editor_reports_a_value_and_links_a_use_case(page, live_server, demo):
    from aihq.objectives.models import Measurement

    today = dt.date.today()
    period = f"{today.year}-Q{(today.month - 1) // 3 + 1}"  # the current quarter: newest, and not in the future
    sign_in(page, live_server, "editor", demo.password)
    page.goto(f"{live_server.url}/indicators/{demo.indicator.pk}/")
    form = page.locator("[data-testid=report-form]")
    organisation = form.locator("#id_organisation option", has_text="MINTSIFRY").get_attribute("value")
    form.locator("#id_period_end").fill(period)
    form.locator("#id_value").fill("31.5")
    form.locator("#id_organisation").select_option(organisation)
    form.locator("#id_source").fill("Staff survey")
    form.locator("button[type=submit]").click()
    assert page.locator(".message.success").inner_text() == "Value saved."
    newest = page.locator("[data-testid=measurements] tbody tr").first.inner_text()
    assert "MINTSIFRY" in newest
    assert "31.5" in newest
    assert "Staff survey" in newest
    saved = Measurement.objects.count()

    for lang, message in (("en", "Period: Give the period as"), ("ru", "Период: Укажите период в виде")):
        if lang == "ru":
            switch_language(page, "ru")
        form.locator("#id_period_end").fill("next spring")
        form.locator("#id_value").fill("40")
        form.locator("#id_organisation").select_option(organisation)
        form.locator("button[type=submit]").click()
        assert page.locator(".message.error").inner_text().startswith(message)
        assert Measurement.objects.count() == saved
    assert "31,5" in page.locator("[data-testid=measurements] tbody tr").first.inner_text()

    page.goto(f"{live_server.url}/use-cases/{demo.use_case.pk}/")
    section = page.locator("#contributions")
    assert section.locator("h2").inner_text() == "Вклад в показатели"
    form = page.locator("[data-testid=contribution-form]")
    form.locator("[name=indicator]").select_option(label=demo.indicator.name_ru)
    form.locator("[name=note]").fill("Обучает госслужащих работе с ИИ.")
    form.locator("button[type=submit]").click()
    assert page.locator(".message.success").inner_text() == "Связь с показателем добавлена."
    assert demo.indicator.name_ru in page.locator("[data-testid=contributions]").inner_text()

    switch_language(page, "en")
    assert section.locator("h2").inner_text() == "Contributes to"
    assert demo.indicator.name_en in page.locator("[data-testid=contributions]").inner_text()
    page.click(f"[data-testid=contributions] a:text-is('{demo.indicator.name_en}')")
    page.wait_for_url(re.compile(rf".*/indicators/{demo.indicator.pk}/.*"))
    assert demo.use_case.name in page.locator("main").inner_text()
