"""Coordination in a real browser: an editor typing a new use case is shown the similar one another organisation
has already registered (in Russian, against an English record); the HQ admin runs the duplicate search, marks the
pair, and it leaves the review; the use case page shows its twin in the other organisation."""

from __future__ import annotations

import re

import pytest

from tests.e2e.test_registry_flow import sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

TWIN = "Intelligent Ticket Routing"
TWIN_TEXT = (
    "Help desk tickets are often sent to the wrong group and must be manually re-routed to the correct group, "
    "which takes time and delays resolution. The model predicts the group each ticket should go to."
)
RUSSIAN = (
    "Обращения в службу технической поддержки часто попадают не в ту группу, и их приходится вручную "
    "перенаправлять. Модель предсказывает, какой группе направить заявку."
)


@pytest.fixture
def two_ministries(transactional_db, system_actor):
    from aihq.accounts.models import Membership, User
    from aihq.coordination import embeddings
    from aihq.registry.models import Organisation, Stage
    from aihq.registry.services import use_case_create

    a = Organisation.objects.create(code="MINA", name_en="Ministry A", name_ru="Министерство А")
    b = Organisation.objects.create(code="MINB", name_en="Ministry B", name_ru="Министерство Б")
    for username, role, organisation in (("ed", "editor", a), ("hq", "hq_admin", None), ("edb", "editor", b)):
        user = User.objects.create_user(username=username, password=f"pw-{username}-2026")
        Membership.objects.create(user=user, role=role, organisation=organisation)
    twin = use_case_create(actor=system_actor, organisation=b, name=TWIN, purpose=TWIN_TEXT, stage=Stage.PRODUCTION)
    use_case_create(
        actor=system_actor, organisation=b, name="Flood forecasting", purpose="River levels from rain gauges."
    )
    embeddings.embed_use_cases()
    return twin


def test_similar_as_you_type_then_review_the_pair(page, live_server, two_ministries):
    sign_in(page, live_server, "hq", "pw-hq-2026")
    page.goto(f"{live_server.url}/use-cases/new/")
    page.fill("#id_name", "Маршрутизация заявок техподдержки")
    page.fill("#id_purpose", RUSSIAN)
    preview = page.locator("[data-testid=similar-preview]")
    preview.wait_for()
    assert TWIN in preview.inner_text()
    assert "Flood forecasting" not in preview.inner_text()
    page.select_option("#id_organisation", label="MINA — Ministry A")
    page.click("[data-testid=save]")
    page.wait_for_url(re.compile(r".*/use-cases/\d+/$"))
    assert TWIN in page.locator("[data-testid=similar-use-cases]").inner_text()

    page.goto(f"{live_server.url}/coordination/")
    page.fill("#id_threshold", "0.5")
    page.click("[data-testid=run-duplicates] button")
    pair = page.locator("[data-testid=pair]")
    assert pair.count() == 1
    assert TWIN in pair.inner_text()
    pair.locator("select[name=verdict]").select_option("duplicate")
    pair.locator("input[name=note]").fill("Same help-desk router: join MINB's project")
    pair.locator("[data-testid=decide]").click()
    page.wait_for_load_state()
    assert page.locator("[data-testid=pair]").count() == 0
    page.check("input[name=decided]")
    page.click("[data-testid=review-filters] button")
    assert "Same help-desk router" in page.locator("[data-testid=pair]").inner_text()

    page.goto(f"{live_server.url}/coordination/organisations/MINA/")
    assert "Duplicate" in page.locator("[data-testid=report-table]").inner_text()


def test_an_editor_of_one_ministry_is_shown_nothing_of_the_other(page, live_server, two_ministries):
    sign_in(page, live_server, "ed", "pw-ed-2026")
    page.goto(f"{live_server.url}/use-cases/new/")
    page.fill("#id_purpose", RUSSIAN)
    page.wait_for_timeout(1500)
    assert page.locator("[data-testid=similar-preview]").count() == 0
    page.goto(f"{live_server.url}/coordination/")
    assert page.locator("[data-testid=pair]").count() == 0
