"""Evaluation in a real browser: an editor records a cost, a benefit metric and a measurement for Chatbot A and sees
the cost–benefit figures appear; the stage gate holds back its move to production until the editor asks for a
review and a coordinator records a go with conditions; the move then uses the decision up. The portfolio ranks
the use case and re-ranks it with what-if weights. The evaluation page (as editor and as approver) and the
portfolio pass axe-core's WCAG 2.1 A/AA rules."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest

from tests.e2e.test_registry_flow import sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

WCAG = {
    "runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]},
    "resultTypes": ["violations"],
}
CONDITION = "Publish the DPIA"
GATE_REFUSAL = "needs a stage-gate review with a go decision"


def password(username: str) -> str:
    """The world fixture's passwords."""
    return f"pw-{username}-123456"


@pytest.fixture
def chatbot(transactional_db, world, system_actor) -> Any:
    """The world's Chatbot A (organisation A, pilot) with the hand-computed example's running costs already planned:
    20 RUB of staff a year for 2021–2025. The browser adds the rest: 100 RUB of development in 2020 and a benefit
    of 60 hours a year at 1 RUB from 2021. At 5 % over 5 years: NPV = −100 − 20 × 4.329477 + 60 × 4.329477
    = 73.18, BCR = 259.77 / 186.59 = 1.39, payback 2.5 years; benefits 20 % lower: NPV 21.23."""
    from aihq.evaluation import services
    from aihq.evaluation.models import CostCategory

    for year in range(2021, 2026):
        services.cost_create(
            actor=system_actor, use_case=world.uc_a, year=year, category=CostCategory.STAFF, planned=20, currency="RUB"
        )
    return world.uc_a


@contextmanager
def fresh_page(browser) -> Iterator[Any]:
    """A page in a new browser context: no cookies — another person at another desk."""
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-GB")
    page = context.new_page()
    page.set_default_timeout(15_000)
    try:
        yield page
    finally:
        context.close()


def describe(violations: list[dict[str, Any]]) -> str:
    lines = []
    for violation in violations:
        targets = [" ".join(map(str, node.get("target", []))) for node in violation.get("nodes", [])[:5]]
        lines.append(f"{violation['id']} [{violation.get('impact')}] {violation.get('help')}: {targets}")
    return "\n".join(lines)


def serious_violations(page, label: str) -> list[str]:
    """axe-core's serious and critical WCAG 2.1 A/AA violations on the page, every <details> opened first so the
    forms inside are checked too."""
    from axe_playwright_python.sync_playwright import Axe

    page.evaluate("document.querySelectorAll('details').forEach(d => { d.open = true; })")
    violations = Axe().run(page, options=WCAG).response["violations"]
    serious = [v for v in violations if v.get("impact") in ("serious", "critical")]
    page.evaluate("document.querySelectorAll('details').forEach(d => { d.open = false; })")
    return [f"{label} ({page.url}):\n{describe(serious)}"] if serious else []


def message(page):
    return page.locator(".messages .message")


def move_to_production(page, live_server, use_case) -> None:
    """On the use case's edit page, choose Production and save."""
    page.goto(f"{live_server.url}/use-cases/{use_case.pk}/edit/")
    page.select_option("#id_stage", "production")
    page.click("[data-testid=save]")
    page.wait_for_load_state()


def test_costs_benefits_gate_review_and_portfolio(browser, page, live_server, chatbot):
    from playwright.sync_api import expect

    from aihq.evaluation.models import GateReview
    from aihq.registry.models import UseCase

    evaluation_url = f"{live_server.url}/use-cases/{chatbot.pk}/evaluation/"
    failures: list[str] = []

    # -- 1. The editor records a cost, a benefit metric and a measurement ------------------------------------------
    sign_in(page, live_server, "editor_a", password("editor_a"))
    page.goto(evaluation_url)
    expect(page.locator("h1")).to_have_text("Evaluation: Chatbot A")
    figures = page.locator("[data-testid=cost-benefit]")
    expect(figures.locator("[data-testid=plan-npv]")).to_have_count(0)
    expect(figures.locator("[data-testid=plan-missing]")).to_have_text("no monetised benefit")
    expect(page.locator("[data-testid=costs] tbody tr")).to_have_count(5)

    costs = page.locator("[data-testid=costs]")
    cost_form = costs.locator("[data-testid=cost-form]")
    expect(cost_form).to_be_hidden()
    costs.locator("summary", has_text="Add a cost").click()
    expect(cost_form).to_be_visible()
    cost_form.get_by_label("Year").fill("2020")
    cost_form.get_by_label("Category").select_option("development")
    cost_form.get_by_label("Kind").select_option("capital")
    cost_form.get_by_label("Planned").fill("100")
    expect(cost_form.get_by_label("Currency")).to_have_value("RUB")  # the HQ's reporting currency, pre-filled
    cost_form.get_by_role("button", name="Add cost").click()
    expect(message(page)).to_have_text("Cost added.")
    expect(page.locator("[data-testid=costs] tbody tr")).to_have_count(6)
    first_cost = page.locator("[data-testid=costs] tbody tr").first
    expect(first_cost).to_contain_text("2020")
    expect(first_cost).to_contain_text("Development")
    expect(first_cost).to_contain_text("100 RUB")
    # Costs alone: still no figure, and the page says why.
    expect(figures.locator("[data-testid=plan-npv]")).to_have_count(0)
    expect(figures.locator("[data-testid=plan-missing]")).to_have_text("no monetised benefit")

    benefits = page.locator("[data-testid=benefits]")
    metric_form = benefits.locator("[data-testid=metric-form]")
    benefits.locator("summary", has_text="Add a benefit metric").click()
    expect(metric_form).to_be_visible()
    metric_form.locator("#id_metric-kind").select_option("staff_hours")
    metric_form.locator("#id_metric-unit").fill("hours a year")
    metric_form.locator("#id_metric-direction").select_option("increase")
    metric_form.locator("#id_metric-baseline").fill("0")
    metric_form.locator("#id_metric-target").fill("60")
    metric_form.locator("#id_metric-value_per_unit").fill("1")
    metric_form.locator("#id_metric-currency").fill("RUB")
    metric_form.locator("#id_metric-benefits_from").fill("2021")
    metric_form.get_by_role("button", name="Add metric").click()
    expect(message(page)).to_have_text("Benefit metric added.")

    # Both exist: the plan has its figures, pinned to the hand computation.
    expect(figures.locator("[data-testid=plan-npv]")).to_have_text("73 RUB")
    expect(figures.locator("[data-testid=plan-bcr]")).to_have_text("1.39")
    expect(figures.locator("[data-testid=plan-payback]")).to_have_text("2.5")
    expect(figures.locator("[data-testid=benefits-down]")).to_have_text("21 RUB")
    expect(figures.locator("[data-testid=plan-missing]")).to_have_text("")  # the plan is complete
    expect(figures).to_contain_text("no actual costs yet")  # delivered: nothing measured yet
    metric_row = benefits.locator("[data-testid=metric-row]")
    expect(metric_row).to_have_count(1)
    expect(metric_row).to_contain_text("Staff hours saved")
    expect(metric_row.locator("td").nth(2)).to_have_text("—")  # no measurement yet

    # A measurement, recorded in the metric's history.
    history = benefits.locator("details", has=page.locator("[data-testid=measurement-form]"))
    history.locator("summary").click()
    expect(history.locator("summary")).to_have_text("0 measurements")
    measurement_form = history.locator("[data-testid=measurement-form]")
    measured_on = dt.date.today().replace(day=1).isoformat()
    measurement_form.get_by_label("Measured on").fill(measured_on)
    measurement_form.get_by_label("Value").fill("45")
    measurement_form.get_by_label("Source").fill("HR timesheets")
    measurement_form.get_by_role("button", name="Record measurement").click()
    expect(message(page)).to_have_text("Measurement recorded.")
    metric_row = page.locator("[data-testid=benefits] [data-testid=metric-row]")
    expect(metric_row.locator("td").nth(2)).to_contain_text("45")
    expect(metric_row.locator("td").nth(2)).to_contain_text(measured_on)
    expect(metric_row.locator("td").nth(3)).to_have_text("75 %")  # 45 of the 60 promised hours
    expect(page.locator("[data-testid=benefits] details summary", has_text="1 measurement")).to_have_count(1)
    expect(figures.locator("[data-testid=plan-npv]")).to_have_text("73 RUB")  # the plan does not move

    failures += serious_violations(page, "evaluation page, editor")

    # -- 2. The gate holds the move to production; the editor asks for a review --------------------------------------
    move_to_production(page, live_server, chatbot)
    assert re.search(r"/use-cases/\d+/edit/$", page.url), page.url
    stage_field = page.locator(".field.has-error", has=page.locator("#id_stage"))
    expect(stage_field.locator(".error")).to_contain_text(GATE_REFUSAL)
    expect(stage_field.locator(".error")).to_contain_text("Pilot to Production")
    assert UseCase.objects.get(pk=chatbot.pk).stage == "pilot"

    page.goto(evaluation_url)
    gates = page.locator("[data-testid=gate-reviews]")
    expect(gates).to_contain_text("No reviews yet.")
    gates.locator("summary", has_text="Ask for a stage-gate review").click()
    review_form = gates.locator("[data-testid=review-form]")
    review_form.get_by_label("Move to").select_option("production")
    review_form.get_by_label("Case for the change").fill("The pilot saved 45 staff hours a year already.")
    review_form.locator("[data-testid=request-review]").click()
    expect(message(page)).to_contain_text("Review requested")
    review = GateReview.objects.get(use_case=chatbot)
    article = page.locator(f"[data-testid=review-{review.pk}]")
    expect(article.locator("h3")).to_contain_text("Pilot → Production")
    expect(article.locator("[data-testid=decision]")).to_have_text("Awaiting decision")
    expect(article.locator("[data-testid=decide-form]")).to_have_count(0)  # four eyes: the requester does not decide
    # A pending review does not open the gate.
    move_to_production(page, live_server, chatbot)
    expect(page.locator(".field.has-error .error")).to_contain_text(GATE_REFUSAL)
    # The use case's own page sums it up: the plan's figures and the review waiting.
    page.goto(f"{live_server.url}/use-cases/{chatbot.pk}/")
    summary = page.locator("[data-testid=usecase-evaluation]")
    expect(summary).to_contain_text("73 RUB · BCR 1.39")
    expect(summary).to_contain_text("Staff hours saved (75 %)")
    expect(summary).to_contain_text("Stage-gate review waiting Pilot → Production")

    # -- 3. A coordinator decides: go with conditions ------------------------------------------------------------
    with fresh_page(browser) as coordinator:
        sign_in(coordinator, live_server, "coordinator_a", password("coordinator_a"))
        coordinator.goto(evaluation_url)
        article = coordinator.locator(f"[data-testid=review-{review.pk}]")
        decide = article.locator("[data-testid=decide-form]")
        expect(decide).to_be_visible()
        expect(decide.locator("h4")).to_have_text("Checklist")
        checklist = decide.locator("table").first
        expect(checklist.locator("thead")).to_contain_text("What AIHQ knows")
        rows = checklist.locator("tbody tr")
        expect(rows).to_have_count(4)
        expect(rows.nth(0)).to_contain_text("Benefits evidenced")
        expect(rows.nth(0).locator("td").first).to_have_text("✓ 1 of 1 metrics show a measured improvement.")
        expect(rows.nth(1).locator("td").first).to_contain_text("No mandatory requirement applies")
        expect(rows.nth(2).locator("td").first).to_contain_text("0 open risks")
        expect(rows.nth(3).locator("td").first).to_have_text("✓ 6 planned cost lines.")

        prefix = f"#id_decide-{review.pk}"
        decide.locator(f"{prefix}-met_benefits_evidenced").select_option("true")
        decide.locator(f"{prefix}-note_benefits_evidenced").fill("HR timesheets")
        decide.locator(f"{prefix}-met_budget_approved").select_option("true")
        decide.get_by_label("Decision").select_option(label="Go with conditions")
        decide.get_by_label("Rationale").fill("Benefits shown; the DPIA is still a draft.")
        decide.get_by_label("Conditions").fill(f"2030-01-31 {CONDITION}")
        decide.locator("[data-testid=decide]").click()
        expect(message(coordinator)).to_have_text("Decision recorded.")
        article = coordinator.locator(f"[data-testid=review-{review.pk}]")
        expect(article.locator("[data-testid=decision]")).to_have_text("Go with conditions")
        expect(article.locator("[data-testid=decide-form]")).to_have_count(0)
        expect(article).to_contain_text("decided by coordinator_a")
        condition_row = article.locator("table tr", has_text=CONDITION)
        expect(condition_row).to_have_count(1)
        expect(condition_row).to_contain_text("2030-01-31")
        expect(condition_row.locator(".tag.warn")).to_have_count(0)  # not overdue
        expect(article.locator("ul.criteria li").first).to_contain_text("✓ Benefits evidenced")

    # -- 4. The editor moves the use case to production; the decision is used up ---------------------------------
    move_to_production(page, live_server, chatbot)
    page.wait_for_url(re.compile(rf".*/use-cases/{chatbot.pk}/$"))
    expect(message(page)).to_have_text("Changes saved.")
    expect(page.locator(".pagehead .stage")).to_have_text("Production")
    page.goto(evaluation_url)
    article = page.locator(f"[data-testid=review-{review.pk}]")
    expect(article.locator("[data-testid=decision]")).to_have_text("Go with conditions")
    expect(article.locator("h3 .tag.light")).to_have_text(f"used {dt.date.today().isoformat()}")
    expect(page.locator(".pagehead .stage")).to_have_text("Production")

    # -- 5. The portfolio ranks it; what-if weights rank again -----------------------------------------------------
    page.goto(f"{live_server.url}/evaluation/")
    expect(page.locator("h1")).to_have_text("Portfolio evaluation")
    ranked = page.locator("[data-testid=ranked] [data-testid=ranked-row]")
    chatbot_row = ranked.filter(has=page.get_by_role("link", name="Chatbot A", exact=True))
    expect(chatbot_row).to_have_count(1)
    expect(chatbot_row).to_contain_text("Production")
    expect(chatbot_row.locator("td").nth(4)).to_have_text("73 RUB")
    expect(chatbot_row.locator("td").nth(5)).to_have_text("1.39")
    expect(page.locator("[data-testid=what-if]")).to_have_count(0)
    weights = page.locator("[data-testid=weights-form]")
    expect(weights.locator("label", has=page.locator("#id_value"))).to_contain_text("(30 %)")

    failures += serious_violations(page, "portfolio")

    weights.locator("#id_value").fill("100")
    weights.locator("[data-testid=apply-weights]").click()
    page.wait_for_url(re.compile(r".*[?&]value=100(&|$)"))
    expect(page.locator("[data-testid=what-if]")).to_have_text("what-if")
    weights = page.locator("[data-testid=weights-form]")
    expect(weights.locator("#id_value")).to_have_value("100")
    expect(weights.locator("label", has=page.locator("#id_value"))).to_contain_text("(59 %)")  # 100 of 170
    expect(weights.get_by_role("link", name="Back to the HQ's weights")).to_be_visible()
    chatbot_row = page.locator("[data-testid=ranked-row]").filter(
        has=page.get_by_role("link", name="Chatbot A", exact=True)
    )
    expect(chatbot_row).to_have_count(1)
    expect(chatbot_row.locator("td").first).to_have_text("1")  # the only use case with a value ranks first
    expect(page.locator("[data-testid=save-weights]")).to_have_count(0)  # only an HQ admin keeps weights

    assert not failures, "axe found serious or critical violations:\n" + "\n".join(failures)


@pytest.fixture
def pending_review(chatbot, world) -> Any:
    """Chatbot A with the example's figures complete, a measurement and a review to production waiting."""
    from aihq.evaluation import services
    from aihq.evaluation.models import CostCategory, CostKind, MetricKind

    editor = world.users["editor_a"]
    services.cost_create(actor=editor, use_case=chatbot, year=2020, category=CostCategory.DEVELOPMENT,
                         kind=CostKind.CAPITAL, planned=100, currency="RUB")  # fmt: skip
    metric = services.metric_create(
        actor=editor, use_case=chatbot, kind=MetricKind.STAFF_HOURS, unit="hours a year", baseline=0, target=60,
        value_per_unit=1, currency="RUB", benefits_from=2021,
    )  # fmt: skip
    services.measurement_add(actor=editor, metric=metric, measured_on=dt.date(2021, 12, 31), value=45, source="HR")
    return services.review_request(actor=editor, use_case=chatbot, to_stage="production", justification="Ready.")


def test_the_decision_form_passes_axe(browser, live_server, pending_review):
    """The page as an approver sees it, with the checklist and decision form, passes WCAG 2.1 A/AA.

    The checklist's "Your finding" selects and "Note" inputs carry an aria-label naming their criterion (they once
    had none, and axe reported select-name and label as critical)."""
    from playwright.sync_api import expect

    with fresh_page(browser) as coordinator:
        sign_in(coordinator, live_server, "coordinator_a", password("coordinator_a"))
        coordinator.goto(f"{live_server.url}/use-cases/{pending_review.use_case_id}/evaluation/")
        decide = coordinator.locator(f"[data-testid=review-{pending_review.pk}] [data-testid=decide-form]")
        expect(decide).to_be_visible()
        expect(decide.locator("tbody tr")).to_have_count(4)
        failures = serious_violations(coordinator, "evaluation page, coordinator with the decision form")
    assert not failures, "axe found serious or critical violations:\n" + "\n".join(failures)


def test_rank_again_with_the_hqs_own_weights_is_not_a_what_if(page, live_server, world):
    """Pressing "Rank again" without changing a weight ranks by the HQ's weights: no what-if tag.

    The form shows the HQ's weights as percentages and what comes back is compared with them normalised (a bug
    once: percentages were compared with the stored fractions, so unchanged weights counted as a what-if)."""
    from playwright.sync_api import expect

    sign_in(page, live_server, "editor_a", password("editor_a"))
    page.goto(f"{live_server.url}/evaluation/")
    expect(page.locator("[data-testid=ranked-row]", has_text="Chatbot A")).to_have_count(1)
    expect(page.locator("[data-testid=what-if]")).to_have_count(0)
    page.locator("[data-testid=apply-weights]").click()
    page.wait_for_url(re.compile(r".*[?&]value=30(&|$)"))
    expect(page.locator("#id_value")).to_have_value("30")
    # The page is loaded and server-rendered: count now rather than wait out a timeout for the tag to go.
    assert page.locator("[data-testid=what-if]").count() == 0, page.locator("[data-testid=weights-form]").inner_text()
