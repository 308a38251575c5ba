"""Evaluation with a database: benefits and costs, the cost–benefit figures a use case shows (pinned against hand
computation), stage gates that hold back a move to production, scoping, audit and the portfolio."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from aihq.audit.models import AuditEvent
from aihq.core.services import ConflictError
from aihq.evaluation import selectors, services
from aihq.evaluation.models import CostCategory, CostKind, GateDecision, GateKind, GateReview, MetricKind
from aihq.registry.models import Region, Stage
from aihq.registry.services import use_case_update

pytestmark = pytest.mark.django_db

# The example: a cost of 100 at year 0, then costs of 20 and benefits of 60 at the end of each of years
# 1–5, at 5 %. By hand: annuity factor Σ 1.05^-t (t = 1..5) = 4.329477; PV benefits = 60 × 4.329477 = 259.7686;
# PV costs = 100 + 20 × 4.329477 = 186.5895; NPV = 73.1791; BCR = 1.39219; ROI = (300 − 200) / 200 = 0.5;
# payback: cumulative −100, −60, −20, +20 → 2 + 20/40 = 2.5 years.
NPV = 73.1791
BCR = 1.39219


def _example(world, actor, use_case=None, *, start=2020):
    use_case = use_case or world.uc_a
    services.cost_create(
        actor=actor, use_case=use_case, year=start, category=CostCategory.DEVELOPMENT, kind=CostKind.CAPITAL,
        planned=100, currency="RUB",
    )  # fmt: skip
    for year in range(start + 1, start + 6):
        services.cost_create(
            actor=actor, use_case=use_case, year=year, category=CostCategory.STAFF, planned=20, currency="RUB"
        )
    return services.metric_create(
        actor=actor, use_case=use_case, kind=MetricKind.STAFF_HOURS, unit="hours a year", baseline=0, target=60,
        value_per_unit=1, currency="RUB", benefits_from=start + 1,
    )  # fmt: skip


class TestCostBenefit:
    def test_the_plan_matches_the_hand_computed_example(self, world):
        _example(world, world.users["editor_a"])
        evaluation = selectors.for_use_case(world.uc_a)
        assert evaluation.years == list(range(2020, 2026))
        assert evaluation.planned_costs == [100, 20, 20, 20, 20, 20]
        assert evaluation.promised_benefits == [0, 60, 60, 60, 60, 60]
        plan = evaluation.plan
        assert plan.npv == pytest.approx(NPV, abs=1e-3)
        assert plan.bcr == pytest.approx(BCR, abs=1e-4)
        assert plan.roi == pytest.approx(0.5)
        assert plan.payback_years == pytest.approx(2.5)
        assert plan.cost_per_unit == pytest.approx(186.5895 / 300, abs=1e-4)
        assert evaluation.sensitivity is not None
        # Benefits 20 % lower: −100 + (48 − 20) × 4.329477 = 21.2254.
        assert evaluation.sensitivity.benefits_down == pytest.approx(21.2254, abs=1e-3)

    def test_delivered_uses_actual_costs_and_measured_improvements_only(self, world):
        actor = world.users["editor_a"]
        metric = _example(world, actor)
        costs = {c.year: c for c in world.uc_a.costs.all()}
        services.cost_update(actor=actor, cost=costs[2020], actual=110)
        services.cost_update(actor=actor, cost=costs[2021], actual=25)
        services.measurement_add(actor=actor, metric=metric, measured_on=dt.date(2021, 6, 30), value=30, source="HR")
        services.measurement_add(actor=actor, metric=metric, measured_on=dt.date(2021, 12, 31), value=50, source="HR")
        evaluation = selectors.for_use_case(world.uc_a)
        delivered = evaluation.delivered
        # Two years known: −110 at year 0; the year's latest measurement (50) less 25 at the end of year 1.
        assert delivered.npv == pytest.approx(-110 + (50 - 25) / 1.05, abs=1e-6)
        assert evaluation.metrics[0].delivered == 50
        assert evaluation.metrics[0].progress == pytest.approx(50 / 60)
        assert evaluation.metrics[0].met is False
        assert evaluation.costs_rising is True  # 25 after 110 falls, but 135 vs 120 planned is a 12.5 % overrun
        services.cost_update(actor=actor, cost=costs[2021], actual=15)  # 125 vs 120: within 10 %
        assert selectors.for_use_case(world.uc_a).costs_rising is False

    def test_missing_data_says_so_instead_of_a_number(self, world):
        actor = world.users["editor_a"]
        evaluation = selectors.for_use_case(world.uc_a)
        assert evaluation.plan.status == "not_enough_data"
        assert evaluation.plan.npv is None
        services.cost_create(actor=actor, use_case=world.uc_a, year=2024, category=CostCategory.LICENCES, planned=50)
        evaluation = selectors.for_use_case(world.uc_a)
        assert evaluation.plan.missing == ("benefits",)
        assert evaluation.plan.npv is None
        assert evaluation.delivered.missing == (selectors.NO_ACTUALS,)

    def test_mixed_currencies_are_not_summed(self, world):
        actor = world.users["editor_a"]
        _example(world, actor)
        services.cost_create(actor=actor, use_case=world.uc_a, year=2022, category=CostCategory.LICENCES,
                             planned=5, currency="USD")  # fmt: skip
        evaluation = selectors.for_use_case(world.uc_a)
        assert selectors.MIXED_CURRENCY in evaluation.plan.missing
        assert evaluation.plan.npv is None


class TestBenefitsAndCostsWrites:
    def test_editors_write_viewers_and_others_cannot(self, world):
        _example(world, world.users["editor_a"])
        with pytest.raises(PermissionDenied):
            services.metric_create(actor=world.users["viewer_a"], use_case=world.uc_a, unit="x")
        with pytest.raises(PermissionDenied):
            services.cost_create(actor=world.users["editor_b"], use_case=world.uc_a, year=2024, category="staff",
                                 planned=1)  # fmt: skip
        assert selectors.metrics(world.users["editor_b"]).count() == 0
        assert selectors.costs(world.users["viewer_a"]).count() == 6
        assert selectors.costs(world.users["auditor"]).count() == 6

    def test_bad_input_is_refused_with_the_field(self, world):
        actor = world.users["editor_a"]
        with pytest.raises(ValidationError) as exc:
            services.metric_create(actor=actor, use_case=world.uc_a, unit="min", baseline=10, target=12,
                                   direction="decrease")  # fmt: skip
        assert "target" in exc.value.message_dict
        with pytest.raises(ValidationError) as exc:
            services.metric_create(actor=actor, use_case=world.uc_a, unit="h", value_per_unit=3, currency="RUB")
        assert "baseline" in exc.value.message_dict
        with pytest.raises(ValidationError) as exc:
            services.cost_create(actor=actor, use_case=world.uc_a, year=2024, category="staff", currency="rub1")
        assert "currency" in exc.value.message_dict
        services.cost_create(actor=actor, use_case=world.uc_a, year=2024, category="staff", planned=1)
        with pytest.raises(ValidationError):
            services.cost_create(actor=actor, use_case=world.uc_a, year=2024, category="staff", planned=2)
        with pytest.raises(ValidationError) as exc:
            services.cost_create(actor=actor, use_case=world.uc_a, year=2025, category="staff", planned=-1)
        assert "planned" in exc.value.message_dict

    def test_stale_versions_conflict_and_writes_are_audited(self, world):
        actor = world.users["editor_a"]
        metric = _example(world, actor)
        services.metric_update(actor=actor, metric=metric, target=70, expected_version=1)
        with pytest.raises(ConflictError):
            services.metric_update(actor=actor, metric=metric, target=80, expected_version=1)
        assert AuditEvent.objects.filter(object_type="evaluation.benefitmetric", action="update").count() == 1
        assert AuditEvent.objects.filter(object_type="evaluation.costline", action="create").count() == 6

    def test_a_compute_cost_links_only_its_own_compute_profile(self, world):
        from aihq.energy.models import ComputeProfile

        own = ComputeProfile.objects.create(use_case=world.uc_a)
        other = ComputeProfile.objects.create(use_case=world.uc_a1)
        actor = world.users["editor_a"]
        with pytest.raises(ValidationError):
            services.cost_create(actor=actor, use_case=world.uc_a, year=2024, category=CostCategory.COMPUTE,
                                 planned=1, compute_profile=other)  # fmt: skip
        with pytest.raises(ValidationError):
            services.cost_create(actor=actor, use_case=world.uc_a, year=2024, category=CostCategory.STAFF,
                                 planned=1, compute_profile=own)  # fmt: skip
        line = services.cost_create(actor=actor, use_case=world.uc_a, year=2024, category=CostCategory.COMPUTE,
                                    planned=1, compute_profile=own)  # fmt: skip
        assert line.compute_profile == own


class TestStageGate:
    def test_pilot_to_production_only_through_a_recorded_go_decision(self, world):
        editor, coordinator = world.users["editor_a"], world.users["coordinator_a"]
        with pytest.raises(ValidationError) as exc:
            use_case_update(actor=editor, use_case=world.uc_a, stage=Stage.PRODUCTION)
        assert "stage-gate review" in exc.value.message_dict["stage"][0]
        world.uc_a.refresh_from_db()
        assert world.uc_a.stage == Stage.PILOT
        review = services.review_request(
            actor=editor, use_case=world.uc_a, to_stage=Stage.PRODUCTION, justification="Pilot met its targets."
        )
        with pytest.raises(ValidationError):  # a pending review does not open the gate
            use_case_update(actor=editor, use_case=world.uc_a, stage=Stage.PRODUCTION)
        with pytest.raises(PermissionDenied):  # four eyes: the requester cannot decide
            services.review_decide(actor=editor, review=review, decision=GateDecision.GO)
        services.review_decide(
            actor=coordinator,
            review=review,
            decision=GateDecision.GO_WITH_CONDITIONS,
            rationale="Benefits shown in two districts.",
            criteria={"benefits_evidenced": {"met": True, "note": "HR data"}},
            conditions=[("Publish the DPIA", dt.date(2030, 1, 1))],
        )
        use_case_update(actor=editor, use_case=world.uc_a, stage=Stage.PRODUCTION)
        review.refresh_from_db()
        assert review.applied_at is not None
        assert review.criteria["benefits_evidenced"] == {"met": True, "note": "HR data"}
        assert review.criteria["budget_approved"] == {"met": None, "note": ""}
        assert list(review.reviewers.all()) == [coordinator]
        assert review.conditions.get().text == "Publish the DPIA"
        # The decision is used up: back to pilot and forward again needs a new one.
        use_case_update(actor=editor, use_case=world.uc_a, stage=Stage.PILOT)
        with pytest.raises(ValidationError):
            use_case_update(actor=editor, use_case=world.uc_a, stage=Stage.PRODUCTION)
        events = AuditEvent.objects.filter(object_type="evaluation.gatereview", object_id=str(review.pk))
        assert events.count() == 3  # requested, decided, used

    def test_skipping_the_pilot_is_gated_too_and_other_moves_are_free(self, world, system_actor):
        with pytest.raises(ValidationError):
            use_case_update(actor=system_actor, use_case=world.uc_b, stage=Stage.PRODUCTION)
        use_case_update(actor=system_actor, use_case=world.uc_b, stage=Stage.PILOT)
        use_case_update(actor=system_actor, use_case=world.uc_a1, stage=Stage.RETIRED)
        services.settings_update(actor=system_actor, gated_stages=[Stage.PILOT, Stage.PRODUCTION])
        with pytest.raises(ValidationError):
            use_case_update(actor=system_actor, use_case=world.uc_a1, stage=Stage.PILOT)

    def test_hold_and_stop_need_a_reason_and_decisions_are_final(self, world):
        review = services.review_request(actor=world.users["editor_a"], use_case=world.uc_a,
                                         to_stage=Stage.PRODUCTION, justification="Ready.")  # fmt: skip
        coordinator = world.users["coordinator_a"]
        with pytest.raises(ValidationError) as exc:
            services.review_decide(actor=coordinator, review=review, decision=GateDecision.STOP)
        assert "rationale" in exc.value.message_dict
        with pytest.raises(ValidationError) as exc:
            services.review_decide(actor=coordinator, review=review, decision=GateDecision.GO_WITH_CONDITIONS)
        assert "conditions" in exc.value.message_dict
        services.review_decide(actor=coordinator, review=review, decision=GateDecision.HOLD, rationale="No DPIA.")
        with pytest.raises(ValidationError):
            services.review_decide(actor=coordinator, review=review, decision=GateDecision.GO)
        with pytest.raises(ValidationError):
            use_case_update(actor=coordinator, use_case=world.uc_a, stage=Stage.PRODUCTION)

    def test_requests_must_move_forward_and_not_twice(self, world):
        editor = world.users["editor_a"]
        with pytest.raises(ValidationError):
            services.review_request(actor=editor, use_case=world.uc_a, to_stage=Stage.DEVELOPMENT, justification="x")
        services.review_request(actor=editor, use_case=world.uc_a, to_stage=Stage.PRODUCTION, justification="x")
        with pytest.raises(ValidationError):
            services.review_request(actor=editor, use_case=world.uc_a, to_stage=Stage.PRODUCTION, justification="y")
        with pytest.raises(PermissionDenied):
            services.review_request(actor=world.users["viewer_a"], use_case=world.uc_a, to_stage=Stage.PRODUCTION,
                                    justification="y")  # fmt: skip

    def test_a_go_on_a_stale_review_is_refused(self, world, system_actor):
        review = services.review_request(actor=world.users["editor_b"], use_case=world.uc_b,
                                         to_stage=Stage.PRODUCTION, justification="x")  # fmt: skip
        use_case_update(actor=system_actor, use_case=world.uc_b, stage=Stage.DEVELOPMENT)
        with pytest.raises(ValidationError):
            services.review_decide(actor=world.users["hq_admin"], review=review, decision=GateDecision.GO)

    def test_a_go_to_scale_adds_the_regions(self, world):
        extra = Region.objects.create(code="RU-MOW", country="RU", name_en="Moscow", name_ru="Москва")
        review = services.review_request(
            actor=world.users["editor_a"],
            use_case=world.uc_a,
            kind=GateKind.SCALE,
            regions=[extra, world.region],
            justification="Proven in Tatarstan.",
        )
        assert list(review.regions.all()) == [extra]
        services.review_decide(actor=world.users["hq_admin"], review=review, decision=GateDecision.GO)
        assert set(world.uc_a.regions.values_list("code", flat=True)) == {"RU-TA", "RU-MOW"}
        review.refresh_from_db()
        assert review.applied_at is not None

    def test_an_import_cannot_move_a_use_case_past_the_gate(self, world, system_actor):
        from aihq.exchange.services import ImportOptions, import_usecases

        body = "organisation,name,stage\nA,Chatbot A,production\nA,New one,production\n"
        run = import_usecases(actor=system_actor, data=body.encode(), file_name="x.csv", options=ImportOptions())
        assert (run.counts["new"], run.counts["rejected"]) == (1, 1), run.problems
        errors = [p for p in run.problems if p["level"] == "error"]
        assert errors[0]["field"] == "stage"
        assert "stage-gate review" in errors[0]["message"]
        world.uc_a.refresh_from_db()
        assert world.uc_a.stage == Stage.PILOT


class TestPortfolio:
    def test_ranks_by_the_weights_and_what_if_changes_the_order(self, world, system_actor):
        _example(world, system_actor)
        _example(world, system_actor, world.uc_a1)
        services.cost_create(actor=system_actor, use_case=world.uc_a1, year=2021, category="licences", planned=100,
                             currency="RUB")  # fmt: skip
        portfolio = selectors.portfolio(world.users["hq_admin"], weights={"value": 1, "cost": 0})
        assert [r.use_case.name for r in portfolio.rows[:2]] == ["Chatbot A", "Vision A1"]
        assert portfolio.rows[0].score == 100.0
        readiness_first = selectors.portfolio(world.users["hq_admin"], weights={"readiness": 1})
        assert readiness_first.rows[0].use_case.name == "Vision A1"  # production beats pilot
        assert [r.use_case.name for r in selectors.portfolio(world.users["editor_b"]).rows] == ["Forecast B"]

    def test_scale_and_stop_candidates(self, world, system_actor):
        actor = system_actor
        Region.objects.create(code="RU-MOW", country="RU", name_en="Moscow", name_ru="Москва")
        metric = _example(world, actor)
        services.measurement_add(actor=actor, metric=metric, measured_on=dt.date(2021, 12, 1), value=70, source="x")
        portfolio = selectors.portfolio(world.users["hq_admin"])
        assert [r.use_case.name for r in portfolio.scale_candidates] == ["Chatbot A"]
        late = _example(world, actor, world.uc_a1)
        services.metric_update(actor=actor, metric=late, target_date=dt.date(2022, 1, 1))
        costs = {c.year: c for c in world.uc_a1.costs.all()}
        services.cost_update(actor=actor, cost=costs[2020], actual=100)
        services.cost_update(actor=actor, cost=costs[2021], actual=130)
        stop = selectors.portfolio(world.users["hq_admin"]).stop_candidates
        assert [(row.use_case.name, reasons) for row, reasons in stop] == [
            ("Vision A1", [("costs", None), ("benefits", dt.date(2022, 1, 1))])
        ]


class TestApi:
    def test_benefits_costs_and_the_cost_benefit_figures(self, world, api_client_for):
        client = api_client_for("editor_a")
        uc = world.uc_a.pk
        response = client.post(
            "/api/v1/costs/",
            {"use_case": uc, "year": 2020, "category": "development", "kind": "capital", "planned": 100},
            format="json",
        )
        assert response.status_code == 201, response.json()
        assert response.json()["currency"] == "RUB"
        for year in range(2021, 2026):
            client.post(
                "/api/v1/costs/", {"use_case": uc, "year": year, "category": "staff", "planned": 20}, format="json"
            )
        metric = client.post(
            "/api/v1/benefit-metrics/",
            {
                "use_case": uc,
                "kind": "staff_hours",
                "unit": "hours",
                "baseline": 0,
                "target": 60,
                "value_per_unit": 1,
                "currency": "RUB",
                "benefits_from": 2021,
            },
            format="json",
        )
        assert metric.status_code == 201, metric.json()
        measured = client.post(
            "/api/v1/benefit-measurements/",
            {"metric": metric.json()["id"], "measured_on": "2021-12-31", "value": 61, "source": "HR"},
            format="json",
        )
        assert measured.status_code == 201, measured.json()
        assert measured.json()["reported_by"] == "editor_a"
        figures = client.get(f"/api/v1/use-cases/{uc}/evaluation/").json()
        assert figures["plan"]["npv"] == pytest.approx(NPV, abs=1e-3)
        assert figures["plan"]["status"] == "ok"
        assert figures["delivered"]["missing"] == ["actuals"]
        assert figures["metrics"][0]["met"] is True
        assert figures["sensitivity"]["by_rate"][0] == {"rate": 0.0, "npv": pytest.approx(100.0)}

    def test_scoping_and_errors(self, world, api_client_for, system_actor):
        _example(world, system_actor)
        outsider = api_client_for("editor_b")
        assert outsider.get("/api/v1/costs/").json()["count"] == 0
        assert outsider.get(f"/api/v1/use-cases/{world.uc_a.pk}/evaluation/").status_code == 404
        cost = world.uc_a.costs.first()
        assert outsider.patch(f"/api/v1/costs/{cost.pk}/", {"planned": 1}, format="json").status_code == 404
        viewer = api_client_for("viewer_a")
        assert viewer.patch(f"/api/v1/costs/{cost.pk}/", {"planned": 1}, format="json").status_code == 403
        editor = api_client_for("editor_a")
        stale = editor.patch(f"/api/v1/costs/{cost.pk}/", {"planned": 1, "version": 9}, format="json")
        assert stale.status_code == 409
        bad = editor.post(
            "/api/v1/costs/",
            {"use_case": world.uc_a.pk, "year": 1800, "category": "staff", "planned": "x"},
            format="json",
        )
        assert bad.status_code == 400
        assert set(bad.json()["errors"]) >= {"year", "planned"}
        assert editor.get("/api/v1/costs/?use_case=abc").status_code == 400
        assert editor.get("/api/v1/portfolio/?value=-1").status_code == 400
        assert editor.get("/api/v1/portfolio/?organisation=NOPE").status_code == 400

    def test_gate_reviews_through_the_api(self, world, api_client_for):
        editor, coordinator = api_client_for("editor_a"), api_client_for("coordinator_a")
        moved = editor.patch(f"/api/v1/use-cases/{world.uc_a.pk}/", {"stage": "production"}, format="json")
        assert moved.status_code == 400
        assert "stage" in moved.json()["errors"]
        review = editor.post(
            "/api/v1/gate-reviews/",
            {"use_case": world.uc_a.pk, "to_stage": "production", "justification": "Targets met."},
            format="json",
        )
        assert review.status_code == 201, review.json()
        pk = review.json()["id"]
        assert editor.post(f"/api/v1/gate-reviews/{pk}/decide/", {"decision": "go"}, format="json").status_code == 403
        assert (
            api_client_for("viewer_a")
            .post(f"/api/v1/gate-reviews/{pk}/decide/", {"decision": "go"}, format="json")
            .status_code
            == 403
        )
        unknown = coordinator.post(
            f"/api/v1/gate-reviews/{pk}/decide/", {"decision": "go", "criteria": {"x": {}}}, format="json"
        )
        assert unknown.status_code == 400
        decided = coordinator.post(
            f"/api/v1/gate-reviews/{pk}/decide/",
            {
                "decision": "go_with_conditions",
                "reviewers": ["hq_admin"],
                "conditions": [{"text": "DPIA", "due_date": "2020-01-01"}],
                "criteria": {"budget_approved": {"met": True}},
            },
            format="json",
        )
        assert decided.status_code == 200, decided.json()
        body = decided.json()
        assert body["decision"] == "go_with_conditions"
        assert sorted(body["reviewers"]) == ["coordinator_a", "hq_admin"]
        assert body["conditions"][0]["overdue"] is True
        overdue = coordinator.get("/api/v1/gate-conditions/?overdue=true").json()
        assert overdue["count"] == 1
        met = editor.post(f"/api/v1/gate-conditions/{body['conditions'][0]['id']}/met/", {}, format="json")
        assert met.status_code == 200
        assert met.json()["done_at"] is not None
        moved = editor.patch(f"/api/v1/use-cases/{world.uc_a.pk}/", {"stage": "production"}, format="json")
        assert moved.status_code == 200
        assert editor.get(f"/api/v1/gate-reviews/{pk}/").json()["applied_at"] is not None

    def test_settings_and_portfolio(self, world, api_client_for, system_actor):
        _example(world, system_actor)
        assert (
            api_client_for("editor_a")
            .patch("/api/v1/evaluation-settings/", {"discount_rate": 0.1}, format="json")
            .status_code
            == 403
        )
        admin = api_client_for("hq_admin")
        changed = admin.patch(
            "/api/v1/evaluation-settings/", {"discount_rate": 0.0, "gated_stages": ["pilot"]}, format="json"
        )
        assert changed.status_code == 200, changed.json()
        assert changed.json()["version"] == 1
        assert (
            admin.patch("/api/v1/evaluation-settings/", {"gated_stages": ["retired"]}, format="json").status_code == 400
        )
        figures = admin.get(f"/api/v1/use-cases/{world.uc_a.pk}/evaluation/").json()
        assert figures["plan"]["npv"] == pytest.approx(100.0)  # undiscounted: 300 − 200
        portfolio = admin.get("/api/v1/portfolio/?readiness=1&limit=2").json()
        assert portfolio["count"] == 3
        assert len(portfolio["results"]) == 2
        assert portfolio["results"][0]["name"] == "Vision A1"
        assert portfolio["weights"]["value"] == 0


class TestPages:
    def test_the_evaluation_page_shows_plan_figures_and_forms_by_role(self, world, page_client_for, system_actor):
        _example(world, system_actor)
        editor = page_client_for("editor_a")
        page = editor.get(f"/use-cases/{world.uc_a.pk}/evaluation/").content.decode()
        assert "73 RUB" in page  # NPV 73.18, shown to the rouble
        assert 'data-testid="plan-bcr">1.39<' in page
        assert 'data-testid="plan-payback">2.5<' in page
        assert 'data-testid="metric-form"' in page
        assert 'data-testid="decide-form"' not in page
        viewer = page_client_for("viewer_a").get(f"/use-cases/{world.uc_a.pk}/evaluation/").content.decode()
        assert 'data-testid="metric-form"' not in viewer
        assert page_client_for("editor_b").get(f"/use-cases/{world.uc_a.pk}/evaluation/").status_code == 404
        detail = editor.get(f"/use-cases/{world.uc_a.pk}/").content.decode()
        assert 'data-testid="usecase-evaluation"' in detail

    def test_forms_add_record_and_decide(self, world, page_client_for):
        editor = page_client_for("editor_a")
        url = f"/use-cases/{world.uc_a.pk}/evaluation/"
        response = editor.post(
            url,
            {
                "action": "add_cost",
                "cost-year": 2024,
                "cost-category": "staff",
                "cost-kind": "operating",
                "cost-planned": "",
                "cost-currency": "RUB",
            },
        )
        assert response.status_code == 200  # errors stay on the page
        assert "planned amount, the actual amount, or both" in response.content.decode()
        response = editor.post(
            url,
            {
                "action": "add_cost",
                "cost-year": 2024,
                "cost-category": "staff",
                "cost-kind": "operating",
                "cost-planned": "10",
                "cost-currency": "RUB",
            },
        )
        assert response.status_code == 302
        response = editor.post(
            url,
            {
                "action": "add_metric",
                "metric-kind": "accuracy",
                "metric-unit": "%",
                "metric-direction": "increase",
                "metric-baseline": "70",
                "metric-target": "90",
            },
        )
        assert response.status_code == 302
        metric = world.uc_a.benefit_metrics.get()
        response = editor.post(
            url,
            {
                "action": "add_measurement",
                "target": metric.pk,
                f"measurement-{metric.pk}-measured_on": "2024-05-01",
                f"measurement-{metric.pk}-value": "80",
                f"measurement-{metric.pk}-source": "Test set",
            },
        )
        assert response.status_code == 302
        assert metric.measurements.get().value == 80
        response = editor.post(
            url,
            {
                "action": "request_review",
                "review-kind": "stage",
                "review-to_stage": "production",
                "review-justification": "Ready",
            },
        )
        assert response.status_code == 302
        review = GateReview.objects.get()
        coordinator = page_client_for("coordinator_a")
        assert 'data-testid="decide-form"' in coordinator.get(url).content.decode()
        prefix = f"decide-{review.pk}"
        response = coordinator.post(
            url,
            {
                "action": "decide",
                "target": review.pk,
                f"{prefix}-decision": "go_with_conditions",
                f"{prefix}-conditions": "not-a-date Publish",
                f"{prefix}-version": review.version,
            },
        )
        assert response.status_code == 200
        assert "YYYY-MM-DD" in response.content.decode()
        response = coordinator.post(
            url,
            {
                "action": "decide",
                "target": review.pk,
                f"{prefix}-decision": "go_with_conditions",
                f"{prefix}-conditions": "2030-01-31 Publish the DPIA",
                f"{prefix}-met_benefits_evidenced": "true",
                f"{prefix}-version": review.version,
            },
        )
        assert response.status_code == 302
        review.refresh_from_db()
        assert review.decision == "go_with_conditions"
        assert review.criteria["benefits_evidenced"]["met"] is True
        assert review.conditions.get().due_date == dt.date(2030, 1, 31)
        # an outsider cannot act on the page through a forged target
        assert page_client_for("editor_b").post(url, {"action": "delete_cost", "target": 1}).status_code == 404

    def test_portfolio_settings_and_what_if(self, world, page_client_for, system_actor):
        _example(world, system_actor)
        admin = page_client_for("hq_admin")
        page = admin.get("/evaluation/").content.decode()
        assert "Chatbot A" in page
        assert 'data-testid="what-if"' not in page
        what_if = admin.get("/evaluation/?value=0&fit=0&risk=0&readiness=100&cost=0").content.decode()
        assert 'data-testid="what-if"' in what_if
        ranked = what_if[what_if.index('data-testid="ranked"') :]
        assert ranked.index("Vision A1") < ranked.index("Chatbot A")
        response = admin.post("/evaluation/weights/", {"value": 0, "fit": 0, "risk": 0, "readiness": 100, "cost": 0})
        assert response.status_code == 302
        assert services.current_settings().weight_readiness == 1.0
        assert page_client_for("editor_a").get("/evaluation/settings/").status_code == 403
        assert page_client_for("editor_a").post("/evaluation/weights/", {"value": 1}).status_code == 403
        response = admin.post(
            "/evaluation/settings/",
            {
                "discount_rate": "0.07",
                "appraisal_years": "5",
                "currency": "rub",
                "swing": "0.1",
                "weight_value": "1",
                "weight_fit": "0",
                "weight_risk": "0",
                "weight_readiness": "0",
                "weight_cost": "0",
                "gated_stages": ["production"],
                "version": "1",
            },
        )
        assert response.status_code == 302
        saved = services.current_settings()
        assert saved.discount_rate == 0.07
        assert saved.currency == "RUB"
        assert AuditEvent.objects.filter(object_type="evaluation.evaluationsettings").count() == 2


class TestQueryCounts:
    """Lists and the portfolio cost the same number of queries however many rows they show."""

    def _count(self, client, url):
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return len(queries)

    def test_bounded_whatever_the_rows(self, world, api_client_for, page_client_for, system_actor):
        from aihq.registry.services import use_case_create

        admin, page = api_client_for("hq_admin"), page_client_for("hq_admin")
        urls = ["/api/v1/costs/", "/api/v1/benefit-metrics/", "/api/v1/benefit-measurements/",
                "/api/v1/gate-reviews/", "/api/v1/portfolio/", "/evaluation/"]  # fmt: skip

        def counts():
            for url in urls:  # a first call warms per-user caches (the user's scope)
                self._count(page if url == "/evaluation/" else admin, url)
            return {url: self._count(page if url == "/evaluation/" else admin, url) for url in urls}

        metric = _example(world, system_actor)
        services.measurement_add(actor=system_actor, metric=metric, measured_on=dt.date(2021, 5, 1), value=9,
                                 source="x")  # fmt: skip
        services.review_request(actor=system_actor, use_case=world.uc_a, to_stage=Stage.PRODUCTION, justification="x")
        few = counts()
        for index in range(6):
            use_case = use_case_create(actor=system_actor, organisation=world.org_b, name=f"More {index}",
                                       stage=Stage.PILOT, regions=[world.region])  # fmt: skip
            metric = _example(world, system_actor, use_case)
            services.measurement_add(actor=system_actor, metric=metric, measured_on=dt.date(2021, 5, 1), value=9,
                                     source="x")  # fmt: skip
            services.review_request(actor=system_actor, use_case=use_case, to_stage=Stage.PRODUCTION,
                                    justification="x")  # fmt: skip
        assert counts() == few


class TestReviewFindings:
    """What a second read of the change found, pinned."""

    def test_huge_amounts_are_refused_and_old_rows_cannot_break_a_page(self, world, api_client_for, page_client_for):
        from aihq.evaluation.models import CostLine

        editor = api_client_for("editor_a")
        refused = editor.post("/api/v1/costs/", {"use_case": world.uc_a.pk, "year": 2024, "category": "staff",
                                                 "planned": 1e308}, format="json")  # fmt: skip
        assert refused.status_code == 400
        assert "planned" in refused.json()["errors"]
        _example(world, world.users["editor_a"])
        CostLine.objects.filter(use_case=world.uc_a).update(planned=1.7e308)  # as if written before the bounds
        page = page_client_for("hq_admin")
        assert page.get(f"/use-cases/{world.uc_a.pk}/evaluation/").status_code == 200
        assert page.get(f"/use-cases/{world.uc_a.pk}/").status_code == 200
        assert page.get("/evaluation/").status_code == 200
        assert selectors.for_use_case(world.uc_a).plan.missing == (selectors.OUT_OF_RANGE,)

    def test_a_later_hold_voids_an_earlier_go_and_a_go_lapses_when_the_stage_changes(self, world, system_actor):
        editor, coordinator = world.users["editor_a"], world.users["coordinator_a"]

        def review():
            return services.review_request(actor=editor, use_case=world.uc_a, to_stage=Stage.PRODUCTION,
                                           justification="x")  # fmt: skip

        first = review()
        services.review_decide(actor=coordinator, review=first, decision=GateDecision.GO)
        with pytest.raises(ValidationError):  # one go at a time
            review()
        # back to development and up again: the go was for a move from pilot, and lapses on leaving it
        use_case_update(actor=editor, use_case=world.uc_a, stage=Stage.DEVELOPMENT)
        first.refresh_from_db()
        assert first.lapsed_at is not None
        use_case_update(actor=editor, use_case=world.uc_a, stage=Stage.PILOT)
        with pytest.raises(ValidationError):
            use_case_update(actor=editor, use_case=world.uc_a, stage=Stage.PRODUCTION)
        second = review()
        second = services.review_decide(actor=coordinator, review=second, decision=GateDecision.GO)
        world.uc_a.refresh_from_db()
        assert second.decided_at is not None
        later = second.decided_at + dt.timedelta(seconds=1)
        third = GateReview.objects.create(
            use_case=world.uc_a, from_stage=Stage.PILOT, to_stage=Stage.PRODUCTION, justification="x",
            decision=GateDecision.STOP, rationale="No.", decided_at=later,
        )  # fmt: skip
        with pytest.raises(ValidationError):  # the later stop voids the go
            use_case_update(actor=editor, use_case=world.uc_a, stage=Stage.PRODUCTION)
        second.refresh_from_db()
        assert second.applied_at is None  # the voided go was not used either
        assert third.applied_at is None

    def test_moving_past_a_gated_stage_is_gated(self, world, system_actor):
        services.settings_update(actor=system_actor, gated_stages=[Stage.PILOT])
        with pytest.raises(ValidationError):
            use_case_update(actor=system_actor, use_case=world.uc_b, stage=Stage.PRODUCTION)
        use_case_update(actor=system_actor, use_case=world.uc_b, stage=Stage.DEVELOPMENT)

    def test_cost_per_unit_counts_only_the_years_appraised_and_one_metric(self, world, system_actor):
        from aihq.evaluation.models import CostLine

        metric = _example(world, system_actor)
        CostLine.objects.filter(use_case=world.uc_a, year=2020).update(actual=100)
        services.measurement_add(actor=system_actor, metric=metric, measured_on=dt.date(2020, 6, 1), value=10,
                                 source="x")  # fmt: skip
        services.measurement_add(actor=system_actor, metric=metric, measured_on=dt.date(2023, 6, 1), value=1000,
                                 source="x")  # fmt: skip
        assert selectors.for_use_case(world.uc_a).delivered.cost_per_unit == pytest.approx(10.0)
        services.metric_create(actor=system_actor, use_case=world.uc_a, kind=MetricKind.ACCURACY, baseline=50,
                               target=60, value_per_unit=2, currency="RUB")  # fmt: skip
        evaluation = selectors.for_use_case(world.uc_a)
        assert evaluation.plan.cost_per_unit is None  # hours and % do not add up
        assert evaluation.metrics[1].metric.unit == "%"  # the kind's usual unit

    def test_the_portfolio_compares_only_figures_in_the_reporting_currency(self, world, system_actor):
        _example(world, system_actor)
        _example(world, system_actor, world.uc_a1)
        world.uc_a.costs.update(currency="USD")
        world.uc_a.benefit_metrics.update(currency="USD")
        rows = {r.use_case.name: r for r in selectors.portfolio(world.users["hq_admin"], weights={"value": 1}).rows}
        assert rows["Chatbot A"].raw["value"] is None
        assert rows["Vision A1"].raw["value"] == pytest.approx(NPV, abs=1e-3)

    def test_weights_are_bounded_everywhere(self, world, api_client_for, page_client_for):
        client = api_client_for("editor_a")
        assert client.get("/api/v1/portfolio/?value=1e308&fit=1e308").status_code == 400
        assert client.get("/api/v1/portfolio/?value=nan").status_code == 400
        admin = page_client_for("hq_admin")
        admin.post("/evaluation/weights/", {"value": -5})
        assert services.current_settings().version == 0  # nothing saved
        assert api_client_for("hq_admin").patch("/api/v1/evaluation-settings/", {"weight_value": 1e308},
                                                format="json").status_code == 400  # fmt: skip

    def test_figures_round_instead_of_cutting_digits(self):
        from aihq.evaluation.templatetags import evaluation_tags as tags

        assert tags.percent(0.916) == "92 %"
        assert tags.ratio(1.396) == "1.40"
        assert tags.years(2.58) == "2.6"
        assert tags.money(float("inf")) == "—"
        assert tags.figure(12) == "12"

    def test_reviewers_named_in_the_api_belong_to_the_use_case(self, world, api_client_for):
        review = services.review_request(actor=world.users["editor_a"], use_case=world.uc_a,
                                         to_stage=Stage.PRODUCTION, justification="x")  # fmt: skip
        coordinator = api_client_for("coordinator_a")
        outsider = coordinator.post(f"/api/v1/gate-reviews/{review.pk}/decide/",
                                    {"decision": "go", "reviewers": ["editor_b"]}, format="json")  # fmt: skip
        assert outsider.status_code == 400
        unknown = coordinator.post(f"/api/v1/gate-reviews/{review.pk}/decide/",
                                   {"decision": "go", "reviewers": ["nobody-at-all"]}, format="json")  # fmt: skip
        assert unknown.json()["errors"] == outsider.json()["errors"]  # no hint whether a username exists
        fine = coordinator.post(f"/api/v1/gate-reviews/{review.pk}/decide/",
                                {"decision": "go", "reviewers": ["hq_admin", "editor_a"]}, format="json")  # fmt: skip
        assert fine.status_code == 200
