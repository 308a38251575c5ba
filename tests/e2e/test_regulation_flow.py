"""Regulation in a real browser: an editor classifies a use case under the EU AI Act and OMB M-25-21, works on a
requirement with evidence, logs a risk and an incident with its Art. 73 deadline; coordinators and HQ see it in the
portfolio, another organisation does not; the portfolio reads in Russian."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.test_registry_flow import sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

SHIPPED = {"eu-ai-act", "omb-m-25-21", "nist-ai-rmf", "ru-ai-ethics"}
USE_CASE = "Candidate screening assistant"
EVIDENCE_TITLE = "FRIA draft v1"
RISK_TITLE = "Screening disadvantages older applicants"
INCIDENT_TITLE = "Qualified applicants rejected by age"
#: A tiny but well-formed PDF (header, one empty page, trailer).
PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 200 200]>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
)


@dataclass
class People:
    use_case: Any
    org_a: Any
    org_b: Any


def password(username: str) -> str:
    return f"pw-{username}-2026"


@pytest.fixture
def people(transactional_db, system_actor) -> People:
    """Organisations A and B, an editor and a coordinator of A, an HQ admin, an editor of B; one use case in A."""
    from aihq.accounts.models import Membership, User
    from aihq.registry.models import Organisation, OrganisationKind, Stage
    from aihq.registry.services import use_case_create
    from aihq.regulation.models import Framework
    from aihq.regulation.services import load_shipped_frameworks

    # The post_migrate signal reloads the shipped frameworks after each flush; load them only if it did not.
    if set(Framework.objects.filter(is_current=True).values_list("code", flat=True)) < SHIPPED:
        load_shipped_frameworks(system_actor)
    assert set(Framework.objects.filter(is_current=True).values_list("code", flat=True)) >= SHIPPED

    org_a = Organisation.objects.create(
        code="A", name_en="Ministry A", name_ru="Министерство А", kind=OrganisationKind.MINISTRY
    )
    org_b = Organisation.objects.create(
        code="B", name_en="Ministry B", name_ru="Министерство Б", kind=OrganisationKind.MINISTRY
    )
    for username, role, organisation in (
        ("editor_a", "editor", org_a),
        ("coordinator_a", "coordinator", org_a),
        ("hq_admin", "hq_admin", None),
        ("editor_b", "editor", org_b),
    ):
        user = User.objects.create_user(username=username, password=password(username))
        Membership.objects.create(user=user, role=role, organisation=organisation)
    use_case = use_case_create(actor=system_actor, organisation=org_a, name=USE_CASE, stage=Stage.PILOT)
    return People(use_case, org_a, org_b)


def day(date: dt.date) -> str:
    """A date as the pages print it in English ("j M Y")."""
    return f"{date.day} {date.strftime('%b')} {date.year}"


def switch_user(page, live_server, username: str) -> None:
    page.context.clear_cookies()
    sign_in(page, live_server, username, password(username))


def question(page, question_id: str):
    return page.locator(f"form[data-testid=questionnaire] fieldset.question[data-question={question_id}]")


def classify_under_eu_ai_act(page, expect) -> None:
    page.click("[data-testid=classify-eu-ai-act]")
    page.wait_for_url(re.compile(r".*/classify/eu-ai-act/$"))
    expect(page.locator("form[data-testid=questionnaire]")).to_be_visible()
    expect(page.locator("[data-testid=result-tier]")).to_have_count(0)

    # Conditional questions wait for the answers they depend on.
    expect(question(page, "role")).to_be_visible()
    expect(question(page, "public_body")).to_be_hidden()
    expect(question(page, "profiling")).to_be_hidden()
    question(page, "role").locator("input[value=provider]").check()
    expect(question(page, "public_body")).to_be_hidden()
    question(page, "role").locator("input[value=deployer]").check()
    expect(question(page, "public_body")).to_be_visible()
    question(page, "public_body").locator("input[value=public_authority]").check()

    expect(question(page, "financial_fraud")).to_be_hidden()
    expect(question(page, "profiling")).to_be_hidden()
    question(page, "annex_iii").locator("input[value='4a']").check()
    expect(question(page, "profiling")).to_be_visible()
    expect(question(page, "financial_fraud")).to_be_hidden()  # only for 5(b)
    question(page, "profiling").locator("input[value=yes]").check()
    question(page, "interacts_with_persons").locator("input[value=no]").check()
    page.click("[data-testid=classify-submit]")

    expect(page.locator("[data-testid=result-tier]")).to_have_text("High-risk")
    expect(page.locator(".message.success")).to_have_text("Classified: High-risk.")
    explanation = page.locator("[data-testid=explanation]")
    expect(explanation.locator("li")).not_to_have_count(0)
    assert explanation.locator("li .cite", has_text="Annex III 4(a)").count() == 1, explanation.inner_text()
    text = explanation.inner_text()
    assert "recruitment or selection" in text
    assert explanation.locator("li .cite", has_text="Art. 6(2)").count() == 1, text
    assert "AI systems referred to in Annex III are high-risk" in text
    assert "No rule applied" not in text
    requirements = page.locator("[data-testid=result-requirements]")
    expect(requirements).to_contain_text("Fundamental rights impact assessment")
    expect(requirements.locator("td.nowrap", has_text=re.compile(r"^Art\. 27$"))).to_have_count(1)
    # The answers are kept: the page shows them again in the questionnaire.
    expect(question(page, "role").locator("input[value=deployer]")).to_be_checked()
    expect(question(page, "public_body").locator("input[value=public_authority]")).to_be_checked()


def classify_under_omb(page, live_server, use_case, expect) -> None:
    page.goto(f"{live_server.url}/use-cases/{use_case.pk}/")
    page.click("[data-testid=classify-omb-m-25-21]")
    page.wait_for_url(re.compile(r".*/classify/omb-m-25-21/$"))
    expect(question(page, "presumed_categories")).to_be_visible()
    expect(question(page, "determined_not_high_impact")).to_be_hidden()
    question(page, "presumed_categories").locator("input[value=n]").check()
    expect(question(page, "determined_not_high_impact")).to_be_visible()
    expect(question(page, "hi_justification")).to_be_hidden()  # no determination: nothing to justify
    page.click("[data-testid=classify-submit]")

    expect(page.locator("[data-testid=result-tier]")).to_have_text("High-impact AI")
    explanation = page.locator("[data-testid=explanation]")
    expect(explanation).to_contain_text("presumes to be high-impact")
    expect(explanation).to_contain_text("no documented determination")
    expect(page.locator("[data-testid=result-requirements] tbody tr")).not_to_have_count(0)


def work_on_the_fria(page, live_server, use_case, tmp_path: Path, expect) -> str:
    """From the use case page to the FRIA: in progress, a PDF as evidence, downloadable. Returns its link."""
    from aihq.regulation.models import RequirementStatus

    page.goto(f"{live_server.url}/use-cases/{use_case.pk}/")
    section = page.locator("[data-testid=use-case-regulation]")
    expect(section.locator("[data-testid=tier-eu-ai-act]")).to_have_text("High-risk")
    expect(section.locator("[data-testid=tier-omb-m-25-21]")).to_have_text("High-impact AI")
    expect(section.locator("[data-testid=classify-eu-ai-act]")).to_have_count(0)  # classified now
    group = section.locator("details[data-testid=requirements-eu-ai-act]")
    group.locator("summary").click()
    group.locator("tr", has=page.locator("td", has_text=re.compile(r"^Art\. 27$"))).locator("a").click()
    page.wait_for_url(re.compile(r".*/regulation/requirements/\d+/$"))
    assert page.locator("h1").inner_text() == "Art. 27 Fundamental rights impact assessment"
    expect(page.locator("[data-testid=requirement-status]")).to_have_text("Not started")

    form = page.locator("form[data-testid=requirement-form]")
    form.locator("#id_status").select_option("in_progress")
    form.locator("[data-testid=save]").click()
    expect(page.locator(".message.success")).to_have_text("Changes saved.")
    expect(page.locator("[data-testid=requirement-status]")).to_have_text("In progress")
    requirement = RequirementStatus.objects.get(use_case=use_case, framework_code="eu-ai-act", cite="Art. 27")
    assert requirement.status == "in_progress"

    pdf = tmp_path / "fria-draft.pdf"
    pdf.write_bytes(PDF)
    upload = page.locator("form[data-testid=evidence-form]")
    upload.locator("[name=title]").fill(EVIDENCE_TITLE)
    upload.locator("input[type=file][name=file]").set_input_files(str(pdf))
    upload.locator("[data-testid=add-evidence]").click()
    expect(page.locator(".message.success")).to_have_text("Evidence added.")
    listed = page.locator("[data-testid=evidence] li")
    expect(listed).to_have_count(1)
    expect(listed).to_contain_text("fria-draft.pdf")
    link = listed.get_by_role("link", name=EVIDENCE_TITLE)
    href: str = link.get_attribute("href") or ""
    assert href.startswith("/regulation/evidence/")
    response = page.request.get(f"{live_server.url}{href}")
    assert response.status == 200
    assert response.body() == PDF
    assert response.headers["content-type"].startswith("application/pdf")
    assert response.headers["content-disposition"].startswith("attachment")
    return href


def log_a_risk(page, live_server, use_case, expect) -> None:
    page.goto(f"{live_server.url}/use-cases/{use_case.pk}/")
    page.click("[data-testid=add-risk]")
    page.wait_for_url(re.compile(rf".*/use-cases/{use_case.pk}/risks/new/$"))
    form = page.locator("form[data-testid=risk-form]")
    form.locator("#id_title").fill(RISK_TITLE)
    form.locator("#id_category").select_option("1.1")
    form.locator("#id_likelihood").select_option("4")
    form.locator("#id_severity").select_option("5")
    form.locator("[data-testid=save]").click()
    page.wait_for_url(re.compile(r".*/regulation/risks/\d+/$"))

    page.goto(f"{live_server.url}/use-cases/{use_case.pk}/")
    row = page.locator("[data-testid=risks] tbody tr", has_text=RISK_TITLE)
    expect(row).to_have_count(1)
    expect(row).to_contain_text("4×5 = 20")
    expect(row).to_contain_text("1.1. Unfair discrimination and misrepresentation")


def log_and_move_an_incident(page, live_server, use_case, today: dt.date, expect) -> int:
    page.click("[data-testid=add-incident]")
    page.wait_for_url(re.compile(rf".*/use-cases/{use_case.pk}/incidents/new/$"))
    form = page.locator("form[data-testid=incident-form]")
    form.locator("#id_title").fill(INCIDENT_TITLE)
    form.locator("#id_occurred_on").fill(today.isoformat())
    form.locator("#id_detected_on").fill(today.isoformat())
    form.locator("#id_severity").select_option("serious")
    form.get_by_label("Infringement of fundamental rights").check()
    form.locator("[data-testid=save]").click()
    page.wait_for_url(re.compile(r".*/regulation/incidents/\d+/$"))
    incident_pk = int(re.search(r"/incidents/(\d+)/$", page.url).group(1))

    assert page.locator("h1").inner_text() == INCIDENT_TITLE
    expect(page.locator("[data-testid=incident-status]")).to_have_text("Open")
    reporting = page.locator("[data-testid=reporting]")
    expect(reporting).to_contain_text("Art. 73(2): report within 15 days of awareness")
    due = today + dt.timedelta(days=15)
    expect(reporting.locator("[data-testid=deadline]")).to_have_text(f"{day(due)} · Art. 73(2)")

    move = page.locator("form[data-testid=move-form]")
    move.locator("#id_status").select_option("investigating")
    move.locator("#id_note").fill("Sampling rejected applications.")
    move.locator("[data-testid=move]").click()
    expect(page.locator(".message.success")).to_have_text("Status changed.")
    expect(page.locator("[data-testid=incident-status]")).to_have_text("Investigating")
    expect(page.locator("[data-testid=transitions]")).to_contain_text("Sampling rejected applications.")
    # Moving does not change the deadline.
    expect(reporting.locator("[data-testid=deadline]")).to_have_text(f"{day(due)} · Art. 73(2)")

    page.goto(f"{live_server.url}/use-cases/{use_case.pk}/")
    row = page.locator("[data-testid=incidents] tbody tr", has_text=INCIDENT_TITLE)
    expect(row).to_contain_text("Investigating")
    expect(row.locator("[data-testid=deadline]")).to_have_text(f"{day(due)} · Art. 73(2)")
    return incident_pk


def overdue_count(use_case, today: dt.date) -> int:
    """The use case's open requirements past their due date, counted straight from the table."""
    from aihq.regulation.models import CLOSED_STATES, RequirementStatus

    rows = RequirementStatus.objects.filter(use_case=use_case, applicable=True, due_date__lt=today)
    return rows.exclude(status__in=CLOSED_STATES).count()


def check_portfolio(page, live_server, username: str, use_case, due: dt.date, today: dt.date, expect) -> None:
    switch_user(page, live_server, username)
    page.click("nav.mainnav >> text=Risks and rules")
    page.wait_for_url(re.compile(r".*/regulation/$"))
    assert page.locator("h1").inner_text() == "Regulation, risks and incidents"
    by_org = page.locator("[data-testid=compliance-by-org] tbody tr")
    expect(by_org).to_have_count(1)  # only A has classified use cases
    cells = by_org.locator("td")
    expect(cells.first).to_have_text("A Ministry A")
    expect(cells.nth(2)).to_have_text("1")  # in progress: the FRIA
    incidents = page.locator("[data-testid=open-incidents] tbody tr")
    expect(incidents).to_have_count(1)
    expect(incidents).to_contain_text(INCIDENT_TITLE)
    expect(incidents).to_contain_text("Serious")
    expect(incidents.locator("[data-testid=deadline]")).to_have_text(f"{day(due)} · Art. 73(2)")
    expected_overdue = overdue_count(use_case, today)
    assert expected_overdue > 0  # OMB's practices were due on 3 April 2026
    expect(page.locator("[data-testid=kpi-overdue]")).to_have_text(str(expected_overdue))
    expect(cells.nth(4)).to_have_text(str(expected_overdue))  # all of them mandatory
    expect(page.locator("[data-testid=tiers-eu-ai-act]")).to_contain_text("High-risk: 1")


def test_editor_classifies_tracks_and_reports_and_the_portfolio_shows_it(page, live_server, people, tmp_path):
    from playwright.sync_api import expect

    today = dt.date.today()
    use_case = people.use_case
    sign_in(page, live_server, "editor_a", password("editor_a"))
    page.goto(f"{live_server.url}/use-cases/{use_case.pk}/")
    section = page.locator("[data-testid=use-case-regulation]")
    for code in SHIPPED:
        expect(section.locator(f"[data-testid=classify-{code}]")).to_be_visible()
    expect(section).to_contain_text("No risks logged.")

    classify_under_eu_ai_act(page, expect)
    classify_under_omb(page, live_server, use_case, expect)
    evidence_href = work_on_the_fria(page, live_server, use_case, tmp_path, expect)
    log_a_risk(page, live_server, use_case, expect)
    incident_pk = log_and_move_an_incident(page, live_server, use_case, today, expect)
    due = today + dt.timedelta(days=15)

    for username in ("coordinator_a", "hq_admin"):
        check_portfolio(page, live_server, username, use_case, due, today, expect)

    # Organisation B sees neither A's use case, its incident, its evidence nor its row in the portfolio.
    switch_user(page, live_server, "editor_b")
    for path in (f"/use-cases/{use_case.pk}/", f"/regulation/incidents/{incident_pk}/"):
        response = page.goto(f"{live_server.url}{path}")
        assert response is not None, path
        assert response.status == 404, path
    assert page.request.get(f"{live_server.url}{evidence_href}").status == 404
    page.goto(f"{live_server.url}/regulation/")
    assert page.locator("h1").inner_text() == "Regulation, risks and incidents"
    expect(page.locator("[data-testid=compliance-by-org]")).to_have_count(0)
    expect(page.locator("[data-testid=open-incidents]")).to_have_count(0)
    expect(page.locator("[data-testid=kpi-overdue]")).to_have_text("0")
    expect(page.locator("[data-testid=tiers-eu-ai-act]")).to_contain_text("High-risk: 0")
    assert INCIDENT_TITLE not in page.locator("main").inner_text()
    assert "Ministry A" not in page.locator("main").inner_text()

    # The HQ admin reads the same portfolio in Russian.
    switch_user(page, live_server, "hq_admin")
    page.goto(f"{live_server.url}/regulation/")
    page.click("[data-testid=lang-ru]")
    page.wait_for_selector("html[lang=ru]")
    assert page.locator("h1").inner_text() == "Регулирование, риски и инциденты"
    assert "Открытые инциденты" in [" ".join(t.split()) for t in page.locator("main h2").all_text_contents()]
    expect(page.locator("[data-testid=tiers-eu-ai-act]")).to_contain_text("Высокий риск: 1")
    expect(page.locator("[data-testid=compliance-by-org] tbody tr td").first).to_have_text("A Министерство А")
    expect(page.locator("[data-testid=open-incidents] tbody tr")).to_contain_text(INCIDENT_TITLE)
