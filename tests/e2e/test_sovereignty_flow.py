"""Sovereignty in a real browser. On the demo data an HQ admin reads the dashboard, creates a cut-off scenario and
opens the demo's "US suppliers unavailable" scenario: the affected use cases (breaks or degraded), the objectives'
indicators and the regions, the same use cases in the CSV, the page again in Russian, and a coordinator who sees
only their own organisation's use case. On a small dataset an editor imports a CycloneDX AI-BOM, sees it and its
sovereignty score, is refused a malformed one, exports a valid one; another organisation sees none of it."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.test_registry_flow import sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

AIBOM_OK = Path(__file__).resolve().parents[2] / "aihq" / "sovereignty" / "tests" / "data" / "aibom-ok.json"
DEMO_PASSWORD = "demo-password"
US_SCENARIO = "Недоступность поставщиков из США"
#: The demo's curated AI-BOMs (aihq/sovereignty/demo.py) cut off from US suppliers: a critical US component
#: breaks a use case, only important ones degrade it; RU-DEMO-012 (YandexGPT on Yandex Cloud) is untouched.
US_CUT = {
    "RU-DEMO-005": "breaks",  # NVIDIA H100, critical
    "RU-DEMO-014": "breaks",  # Whisper (OpenAI) and NVIDIA A100, critical
    "RU-DEMO-042": "breaks",  # Llama (Meta) and NVIDIA A100, critical
    "RU-DEMO-001": "degraded",  # NVIDIA A100, important; GigaChat and Cloud.ru are Russian
    "RU-DEMO-021": "degraded",  # PyTorch, important; Qwen and Ascend are Chinese
    "RU-DEMO-036": "degraded",  # TensorFlow (Google), important
}
EFFECT_RU = {"breaks": "выходит из строя", "degraded": "работает с ограничениями"}
#: the regions of the affected use cases (RU-DEMO-005 and -014 and -042 have some), each counted once
US_REGIONS = {
    "RU-BA": ("Bashkortostan", "Республика Башкортостан"),
    "RU-MOW": ("Moscow", "Москва"),
    "RU-MOS": ("Moscow Oblast", "Московская область"),
    "RU-NVS": ("Novosibirsk Oblast", "Новосибирская область"),
    "RU-SVE": ("Sverdlovsk Oblast", "Свердловская область"),
    "RU-TA": ("Republic of Tatarstan", "Республика Татарстан"),
}
#: indicators the affected use cases contribute to (demo.CONTRIBUTIONS), with how many of them do
US_INDICATORS = {"AI-USE-2019": 2, "AI-READINESS": 1, "AI-TRUST": 1}


def switch_user(page, live_server, username: str, password: str) -> None:
    page.context.clear_cookies()
    sign_in(page, live_server, username, password)


def affected(page) -> dict[str, str]:
    """The scenario page's affected use cases: name → "breaks" / "degraded" (in the page's language)."""
    rows = page.eval_on_selector_all(
        "[data-testid=scenario-use-cases] tbody tr",
        "rows => rows.filter(r => r.cells.length > 1)"
        ".map(r => [r.cells[0].querySelector('a').textContent.trim(), r.cells[1].textContent.trim()])",
    )
    assert len(rows) == len({name for name, _effect in rows}), rows
    return dict(rows)


def table_rows(page, testid: str) -> dict[str, str]:
    """A two-column summary table of the scenario page: first cell → last cell."""
    rows = page.eval_on_selector_all(
        f"[data-testid={testid}] tbody tr",
        "rows => rows.filter(r => r.cells.length > 1).map(r => "
        "[r.cells[0].textContent.replace(/\\s+/g, ' ').trim(), r.cells[r.cells.length - 1].textContent.trim()])",
    )
    return dict(rows)


def scenario_csv(page, live_server) -> list[dict[str, str]]:
    href = page.locator("[data-testid=scenario-csv]").get_attribute("href") or ""
    response = page.request.get(f"{live_server.url}{urlpath(page.url)}{href}")
    assert response.status == 200
    assert response.headers["content-type"].startswith("text/csv")
    assert response.headers["content-disposition"].startswith("attachment")
    text = response.text()
    assert text.startswith("\ufeff")  # so that Excel reads UTF-8
    return list(csv.DictReader(io.StringIO(text.removeprefix("\ufeff"))))


def urlpath(url: str) -> str:
    return re.sub(r"^https?://[^/]+", "", url).split("?")[0]


# --- 1. a cut-off scenario on the demo data ------------------------------------------------------------------


@pytest.fixture
def demo(transactional_db, system_actor) -> dict[str, Any]:
    """The whole demo set (about 8 s): the use cases by reference and the indicators by code."""
    from aihq.objectives.models import Indicator
    from aihq.registry.demo import load_demo
    from aihq.registry.models import UseCase

    load_demo(actor=system_actor)
    use_cases = {u.reference: u for u in UseCase.objects.filter(reference__startswith="RU-DEMO-")}
    indicators = {i.code: i for i in Indicator.objects.filter(code__in=list(US_INDICATORS))}
    assert set(indicators) == set(US_INDICATORS)
    return {"use_cases": use_cases, "indicators": indicators}


def check_dashboard(page, expect) -> None:
    assert page.locator("h1").inner_text() == "Sovereignty and the AI supply chain"
    # 13 demo use cases have an AI-BOM; RU-DEMO-001, -005, -014, -021, -036 and -042 depend on a foreign component.
    expect(page.locator("[data-testid=kpi-bom]")).to_have_text("13")
    expect(page.locator("[data-testid=kpi-foreign]")).to_have_text("46 %")
    by_type = {
        row[0]: row[1:]
        for row in page.eval_on_selector_all(
            "[data-testid=by-type] tbody tr", "rows => rows.map(r => Array.from(r.cells, c => c.textContent.trim()))"
        )
    }
    assert by_type == {
        "Model": ["5", "3", "60 %"],  # GigaChat, YandexGPT | Whisper, Qwen, Llama
        "Software framework": ["4", "4", "100 %"],
        "Cloud or hosting": ["3", "0", "0 %"],
        "Hardware": ["5", "5", "100 %"],  # NVIDIA and Huawei
        "API service": ["6", "0", "0 %"],  # inferred from the Russian vendors (Sber, Yandex, MTS, …)
    }, by_type


def create_a_scenario(page, live_server, demo, expect) -> None:
    """China, Sber (with its subsidiary Cloud.ru) and TensorFlow cut off, created through the page."""
    from aihq.sovereignty.models import CutoffScenario

    use_cases = demo["use_cases"]
    page.click("text=New scenario")
    page.wait_for_url(re.compile(r".*/sovereignty/scenarios/new/$"))
    form = page.locator("form[data-testid=scenario-form]")
    form.locator("#id_name").fill("China and Sber cut off")
    form.locator("#id_jurisdictions").fill("cn")
    form.locator("#id_suppliers").select_option(label="Sber (RU)")
    form.locator("#id_components").select_option(label="TensorFlow 2.16")
    form.locator("[data-testid=save]").click()
    page.wait_for_url(re.compile(r".*/sovereignty/scenarios/\d+/$"))

    scenario = CutoffScenario.objects.get(name="China and Sber cut off")
    assert scenario.jurisdictions == ["CN"]
    assert [s.name for s in scenario.suppliers.all()] == ["Sber"]
    assert [str(c) for c in scenario.components.all()] == ["TensorFlow 2.16"]
    assert page.url.endswith(f"/sovereignty/scenarios/{scenario.pk}/")
    assert page.locator("h1").inner_text() == "China and Sber cut off"
    expect(page.locator("[data-testid=breaks]")).to_have_text("2")
    expect(page.locator("[data-testid=degraded]")).to_have_text("2")
    assert affected(page) == {
        use_cases["RU-DEMO-001"].name: "breaks",  # GigaChat (Sber) and Cloud.ru (Sber's subsidiary), critical
        use_cases["RU-DEMO-021"].name: "breaks",  # Qwen (Alibaba Cloud, CN), critical
        use_cases["RU-DEMO-006"].name: "degraded",  # inferred from its vendor "Сбер", important
        use_cases["RU-DEMO-036"].name: "degraded",  # TensorFlow, important
    }
    gosuslugi = page.locator("[data-testid=scenario-use-cases] tbody tr", has_text=use_cases["RU-DEMO-001"].name)
    expect(gosuslugi).to_contain_text("Cloud.ru Evolution")  # cut because its supplier's parent is
    expect(gosuslugi).to_contain_text("GigaChat 2")
    expect(gosuslugi).not_to_contain_text("NVIDIA")
    indicators = table_rows(page, "scenario-indicators")
    assert indicators == {
        f"{demo['indicators']['AI-TRUST'].name_en} {demo['indicators']['AI-TRUST'].objective.title_en}": "1"
    }, indicators
    expect(page.locator("[data-testid=scenario-regions]")).to_have_text(
        "No regions recorded for the affected use cases."
    )


def check_us_scenario(page, live_server, demo, expect) -> str:
    """The demo's US scenario from the dashboard: use cases, indicators, regions and the CSV. Returns its path."""
    use_cases, indicators = demo["use_cases"], demo["indicators"]
    page.click("nav.mainnav >> text=Sovereignty")
    page.click(f"text={US_SCENARIO}")
    page.wait_for_url(re.compile(r".*/sovereignty/scenarios/\d+/$"))
    assert page.locator("h1").inner_text() == US_SCENARIO
    expect(page.locator(".pagehead")).to_contain_text("US — United States")
    expect(page.locator("[data-testid=breaks]")).to_have_text("3")
    expect(page.locator("[data-testid=degraded]")).to_have_text("3")
    assert affected(page) == {use_cases[ref].name: effect for ref, effect in US_CUT.items()}
    assert use_cases["RU-DEMO-012"].name not in page.locator("main").inner_text()

    shown = table_rows(page, "scenario-indicators")
    assert shown == {
        f"{indicators[code].name_en} {indicators[code].objective.title_en}": str(n) for code, n in US_INDICATORS.items()
    }, shown
    assert table_rows(page, "scenario-regions") == {f"{en} {code}": "1" for code, (en, _ru) in US_REGIONS.items()}
    organisations = table_rows(page, "scenario-orgs")
    assert organisations == {use_cases[ref].organisation.code: "1" for ref in US_CUT}, organisations

    rows = scenario_csv(page, live_server)
    assert {(r["use_case_id"], r["use_case"], r["organisation"], r["breaks"]) for r in rows} == {
        (
            str(use_cases[ref].pk),
            use_cases[ref].name,
            use_cases[ref].organisation.code,
            "yes" if e == "breaks" else "no",
        )
        for ref, e in US_CUT.items()
    }
    assert len(rows) == len(US_CUT)
    indicator_codes = {r["use_case"]: r["indicators"] for r in rows}
    assert indicator_codes[use_cases["RU-DEMO-005"].name] == "AI-READINESS"
    assert indicator_codes[use_cases["RU-DEMO-036"].name] == ""
    return urlpath(page.url)


def check_us_scenario_in_russian(page, demo, expect) -> None:
    use_cases, indicators = demo["use_cases"], demo["indicators"]
    page.click("[data-testid=lang-ru]")
    page.wait_for_selector("html[lang=ru]")
    assert page.locator("h1").inner_text() == US_SCENARIO
    # The labels, as aihq/locale/ru/LC_MESSAGES/django.po translates them.
    expect(page.locator("nav.mainnav [aria-current=page]")).to_have_text("Суверенитет")
    expect(page.locator(".crumbs")).to_have_text("Сценарии отключения")
    kpi_label = page.locator(".kpi", has=page.locator("[data-testid=breaks]")).locator(".kpi-label")
    expect(kpi_label).to_have_text("сценариев выходят из строя (отключён критический компонент)")
    headings = [" ".join(t.split()) for t in page.locator("main h2").all_text_contents()]
    assert {"Регионы", "Показатели целей, в достижение которых они вносят вклад"} <= set(headings), headings
    assert page.locator("[data-testid=scenario-use-cases] thead th").nth(1).text_content() == "Последствия"
    # The same use cases, counts and figures; the effects in Russian, regions and indicators by their Russian names.
    expect(page.locator("[data-testid=breaks]")).to_have_text("3")
    expect(page.locator("[data-testid=degraded]")).to_have_text("3")
    assert affected(page) == {use_cases[ref].name: EFFECT_RU[effect] for ref, effect in US_CUT.items()}
    assert table_rows(page, "scenario-regions") == {f"{ru} {code}": "1" for code, (_en, ru) in US_REGIONS.items()}
    assert table_rows(page, "scenario-indicators") == {
        f"{indicators[code].name_ru} {indicators[code].objective.title_ru}": str(n) for code, n in US_INDICATORS.items()
    }


def test_a_cut_off_scenario_on_the_demo_data_lists_use_cases_objectives_and_regions(page, live_server, demo):
    from playwright.sync_api import expect

    use_cases = demo["use_cases"]
    sign_in(page, live_server, "admin", DEMO_PASSWORD)
    page.click("nav.mainnav >> text=Sovereignty")
    page.wait_for_url(re.compile(r".*/sovereignty/$"))
    check_dashboard(page, expect)
    create_a_scenario(page, live_server, demo, expect)
    scenario_path = check_us_scenario(page, live_server, demo, expect)
    check_us_scenario_in_russian(page, demo, expect)

    # A coordinator of the Ministry of Health sees only the ministry's use case, its regions and its indicator.
    switch_user(page, live_server, "coordinator", DEMO_PASSWORD)
    page.goto(f"{live_server.url}{scenario_path}")
    assert page.locator("h1").inner_text() == US_SCENARIO
    assert affected(page) == {use_cases["RU-DEMO-005"].name: "breaks"}
    expect(page.locator("[data-testid=breaks]")).to_have_text("1")
    expect(page.locator("[data-testid=degraded]")).to_have_text("0")
    main = page.locator("main").inner_text()
    for ref in set(US_CUT) - {"RU-DEMO-005"}:
        assert use_cases[ref].name not in main, ref
    assert set(table_rows(page, "scenario-regions")) == {
        f"{US_REGIONS[code][0]} {code}" for code in ("RU-MOS", "RU-NVS", "RU-SVE", "RU-TA")
    }
    assert list(table_rows(page, "scenario-indicators")) == [
        f"{demo['indicators']['AI-READINESS'].name_en} {demo['indicators']['AI-READINESS'].objective.title_en}"
    ]
    assert [r["use_case"] for r in scenario_csv(page, live_server)] == [use_cases["RU-DEMO-005"].name]


# --- 2. an editor's AI-BOM, and what another organisation sees ----------------------------------------------


@dataclass
class Small:
    use_case: Any
    region: Any


def password(username: str) -> str:
    return f"pw-{username}-2026"


@pytest.fixture
def small(transactional_db, system_actor) -> Small:
    """Organisations A and B with an editor each; one use case of A in Tatarstan, with no AI-BOM yet."""
    from aihq.accounts.models import Membership, User
    from aihq.registry.models import Organisation, OrganisationKind, Region, Stage
    from aihq.registry.services import use_case_create

    region = Region.objects.create(
        code="RU-TA", country="RU", name_en="Republic of Tatarstan", name_ru="Республика Татарстан"
    )
    org_a = Organisation.objects.create(code="A", name_en="Ministry A", kind=OrganisationKind.MINISTRY)
    org_b = Organisation.objects.create(code="B", name_en="Ministry B", kind=OrganisationKind.MINISTRY)
    for username, organisation in (("editor_a", org_a), ("editor_b", org_b)):
        user = User.objects.create_user(username=username, password=password(username))
        Membership.objects.create(user=user, role="editor", organisation=organisation)
    use_case = use_case_create(
        actor=system_actor,
        organisation=org_a,
        name="Citizen appeals triage",
        stage=Stage.PRODUCTION,
        regions=[region],
    )
    return Small(use_case, region)


#: the components of aibom-ok.json as the AI-BOM table names them, with their supplier's jurisdiction
IMPORTED = {
    "Llama-3.1-8B-Instruct 3.1": "US",
    "Citizen appeals 2023, anonymised 2024-02": "RU",  # "ru" in the file
    "torch 2.4.1": "US",
    "Yandex Cloud": "RU",
    "H100 SXM5 80GB": "US",  # nested in the platform, by its manufacturer
    "GigaChat API v1": "RU",  # a service, by its provider
}


def bom_table(page) -> dict[str, str]:
    """The use case's AI-BOM table: component → jurisdiction."""
    rows = page.eval_on_selector_all(
        "[data-testid=aibom-table] tbody tr",
        "rows => rows.map(r => [r.cells[0].querySelector('a').textContent.trim(), r.cells[3].textContent.trim()])",
    )
    return dict(rows)


def import_file(page, path: Path) -> None:
    form = page.locator("form[data-testid=aibom-form]")
    form.locator("input[type=file][name=file]").set_input_files(str(path))
    form.locator("[data-testid=aibom-submit]").click()
    page.wait_for_load_state()


def malformed_copy(tmp_path: Path) -> Path:
    """aibom-ok.json with torch's supplier in a country that does not exist, and one more service."""
    document = json.loads(AIBOM_OK.read_text(encoding="utf-8"))
    torch = next(c for c in document["components"] if c["name"] == "torch")
    torch["supplier"]["address"]["country"] = "XX"
    extra = dict(document["services"][0], name="Speech API", **{"bom-ref": "service:speech"})
    document["services"].append(extra)
    path = tmp_path / "aibom-bad.json"
    path.write_text(json.dumps(document), encoding="utf-8")
    return path


def counts() -> tuple[int, int, int]:
    from aihq.sovereignty.models import BomEntry, Component, Supplier

    return BomEntry.objects.count(), Component.objects.count(), Supplier.objects.count()


def test_an_editor_imports_and_exports_an_ai_bom_and_another_organisation_sees_none_of_it(
    page, live_server, small, system_actor, tmp_path
):
    from playwright.sync_api import expect

    from aihq.sovereignty import cyclonedx, selectors, services
    from aihq.sovereignty.models import BomEntry, Supplier

    use_case = small.use_case
    use_case_url = f"{live_server.url}/use-cases/{use_case.pk}/"
    sign_in(page, live_server, "editor_a", password("editor_a"))
    page.goto(use_case_url)
    section = page.locator("[data-testid=use-case-aibom]")
    expect(section).to_contain_text("No components recorded")
    expect(section.locator("[data-testid=aibom-export]")).to_have_count(0)
    expect(section.locator("[data-testid=sovereignty-score]")).to_have_count(0)

    section.locator("[data-testid=aibom-import]").click()
    page.wait_for_url(re.compile(rf".*/use-cases/{use_case.pk}/aibom/import/$"))
    import_file(page, AIBOM_OK)
    outcome = page.locator("[data-testid=aibom-outcome]")
    expect(outcome.locator("h2")).to_have_text("Imported")
    expect(outcome).to_contain_text("6 added, 0 updated, 0 unchanged.")
    expect(outcome).to_contain_text("NVIDIA Corporation")  # among the new suppliers
    expect(page.locator("[data-testid=aibom-problems]")).to_have_count(0)
    assert BomEntry.objects.filter(use_case=use_case).count() == 6
    assert Supplier.objects.get(name="Ministry of Digital Development").jurisdiction == "RU"
    assert BomEntry.objects.get(use_case=use_case, component__name="H100 SXM5 80GB").criticality == "critical"

    outcome.get_by_role("link", name="Back to the use case").click()
    page.wait_for_url(re.compile(rf".*/use-cases/{use_case.pk}/#aibom$"))
    assert bom_table(page) == IMPORTED
    score = page.locator("[data-testid=sovereignty-score]")
    expected = selectors.use_case_score(use_case, dt.date.today())
    assert expected.value is not None
    assert expected.capped_by is not None
    expect(score).to_have_text(str(round(expected.value)))
    # Critical US hardware with no alternative: the weakest critical component caps the score.
    assert int(score.inner_text()) < 50
    expect(section).to_contain_text("capped by its weakest critical component")
    before = counts()

    # Importing the same file again changes nothing.
    section.locator("[data-testid=aibom-import]").click()
    import_file(page, AIBOM_OK)
    expect(page.locator("[data-testid=aibom-outcome]")).to_contain_text("0 added, 0 updated, 6 unchanged.")
    assert counts() == before

    # A malformed copy is refused with the place named, and nothing of it is saved.
    import_file(page, malformed_copy(tmp_path))
    problems = page.locator("[data-testid=aibom-problems]")
    expect(problems.locator("h2")).to_have_text("Nothing was imported")
    expect(problems).to_contain_text("supplier.address.country")
    expect(problems).to_contain_text("XX is not an ISO 3166-1 country")
    expect(page.locator("[data-testid=aibom-outcome]")).to_have_count(0)
    assert counts() == before
    page.goto(use_case_url)
    assert bom_table(page) == IMPORTED

    # The export is a valid CycloneDX 1.6 document with the same components and jurisdictions.
    href = section.locator("[data-testid=aibom-export]").get_attribute("href") or ""
    assert href == f"/use-cases/{use_case.pk}/aibom.cdx.json"
    response = page.request.get(f"{live_server.url}{href}")
    assert response.status == 200
    assert response.headers["content-type"].startswith("application/vnd.cyclonedx+json")
    assert response.headers["content-disposition"].startswith("attachment")
    document = response.json()
    assert cyclonedx.validate(document) == []
    exported = cyclonedx.parse_bom(document)
    assert not exported.errors
    assert {f"{c.name} {c.version}".strip(): c.supplier.country for c in exported.components} == IMPORTED

    # An HQ cut-off of US suppliers breaks the use case for its organisation ...
    scenario = services.scenario_create(actor=system_actor, name="US suppliers unavailable", jurisdictions=["us"])
    scenario_url = f"{live_server.url}/sovereignty/scenarios/{scenario.pk}/"
    page.goto(scenario_url)
    assert affected(page) == {"Citizen appeals triage": "breaks"}
    assert table_rows(page, "scenario-regions") == {"Republic of Tatarstan RU-TA": "1"}
    assert [r["use_case"] for r in scenario_csv(page, live_server)] == ["Citizen appeals triage"]

    # ... and another organisation sees neither the use case, its AI-BOM nor its place in the scenario.
    switch_user(page, live_server, "editor_b", password("editor_b"))
    page.goto(scenario_url)
    assert page.locator("h1").inner_text() == "US suppliers unavailable"
    assert affected(page) == {}
    expect(page.locator("[data-testid=scenario-use-cases]")).to_contain_text(
        "No use case you can see depends on what this scenario cuts."
    )
    expect(page.locator("[data-testid=breaks]")).to_have_text("0")
    expect(page.locator("[data-testid=scenario-regions]")).not_to_contain_text("Tatarstan")
    assert "Citizen appeals triage" not in page.locator("main").inner_text()
    assert scenario_csv(page, live_server) == []
    for path in (f"/use-cases/{use_case.pk}/", href, f"/use-cases/{use_case.pk}/aibom/import/"):
        assert page.request.get(f"{live_server.url}{path}").status == 404, path
    page.goto(f"{live_server.url}/sovereignty/")
    expect(page.locator("[data-testid=kpi-bom]")).to_have_text("0")
