"""The objectives API: CRUD, measurements (one, many, file), status, league, overrides — scoped and audited."""

from __future__ import annotations

import datetime as dt

import pytest

from aihq.audit.models import AuditEvent
from aihq.objectives.models import Indicator, Measurement, Objective, RagOverride

pytestmark = pytest.mark.django_db


def test_status_pins_the_issue_example(plan, api_client_for):
    response = api_client_for("viewer_a").get(f"/api/v1/indicators/{plan.indicator.pk}/status/?at=2024-12-31")
    assert response.status_code == 200
    body = response.json()
    assert body["planned"] == pytest.approx(32.76, abs=0.01)
    assert body["actual"] == 30
    assert body["achievement"] == pytest.approx(0.916, abs=0.001)
    assert body["forecast"]["at"] == "2030-12-31"
    assert body["forecast"]["value"] == pytest.approx(83.6, abs=0.05)
    assert body["forecast"]["low"] < body["forecast"]["value"] < body["forecast"]["high"]
    assert 0 < body["probability"] < 0.5
    assert body["rag"] == "amber_red"
    assert body["rag_override"] is None


def test_status_before_three_values_is_insufficient(plan, api_client_for):
    body = api_client_for("viewer_a").get(f"/api/v1/indicators/{plan.indicator.pk}/status/?at=2023-12-31").json()
    assert body["forecast"] is None
    assert body["rag"] == "insufficient_data"
    assert body["actual"] == 20


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("at=31.12.2024", "at"),
        ("region=XX-NOPE", "region"),
        ("organisation=NOPE", "organisation"),
        ("last_k=2", "last_k"),
    ],
)
def test_status_refuses_bad_parameters(plan, api_client_for, query, field):
    response = api_client_for("viewer_a").get(f"/api/v1/indicators/{plan.indicator.pk}/status/?{query}")
    assert response.status_code == 400
    assert field in response.json()["errors"]


def test_status_of_an_invisible_organisation_is_refused_like_an_unknown_one(plan, api_client_for):
    response = api_client_for("viewer_a").get(f"/api/v1/indicators/{plan.indicator.pk}/status/?organisation=B")
    assert response.status_code == 400


def test_status_for_a_region_uses_its_values(plan, api_client_for, world, system_actor):
    from aihq.objectives.services import MeasurementInput, measurements_report

    measurements_report(
        actor=system_actor,
        items=[
            MeasurementInput(plan.indicator, dt.date(y, 12, 31), v, region=world.region)
            for y, v in ((2022, 10), (2023, 30), (2024, 50))
        ],
    )
    body = (
        api_client_for("viewer_a")
        .get(f"/api/v1/indicators/{plan.indicator.pk}/status/?at=2024-12-31&region=RU-TA")
        .json()
    )
    assert body["region"] == "RU-TA"
    assert body["actual"] == 50
    # No regional targets: a mean indicator's region is measured against the national trajectory.
    assert body["planned"] == pytest.approx(32.76, abs=0.01)
    assert body["rag"] == "green"


def test_hq_admin_creates_an_indicator_with_targets_and_others_cannot(world, api_client_for):
    objective = {"code": "SKILLS", "title_en": "Skills", "owner": "A"}
    assert api_client_for("editor_a").post("/api/v1/objectives/", objective, format="json").status_code == 403
    admin = api_client_for("hq_admin")
    assert admin.post("/api/v1/objectives/", objective, format="json").status_code == 201
    indicator = {
        "objective": "SKILLS",
        "code": "GRADUATES",
        "name_en": "Graduates",
        "unit": "persons",
        "baseline_value": 3000,
        "baseline_date": "2022-12-31",
        "aggregation": "sum",
        "targets": [{"date": "2030-12-31", "value": 15500}, {"date": "2026-12-31", "value": 8000}],
        "reporting_organisations": ["A", "B"],
    }
    response = admin.post("/api/v1/indicators/", indicator, format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert [t["date"] for t in body["targets"]] == ["2026-12-31", "2030-12-31"]
    assert sorted(body["reporting_organisations"]) == ["A", "B"]
    created = Indicator.objects.get(code="GRADUATES")
    assert AuditEvent.objects.filter(object_type="objectives.indicator", object_id=str(created.pk)).exists()
    assert AuditEvent.objects.filter(object_type="objectives.target").count() == 2


def test_indicator_update_replaces_targets_and_checks_the_version(plan, api_client_for):
    admin = api_client_for("hq_admin")
    url = f"/api/v1/indicators/{plan.indicator.pk}/"
    response = admin.patch(url, {"targets": [{"date": "2030-12-31", "value": 90}], "version": 1}, format="json")
    assert response.status_code == 200, response.json()
    assert response["ETag"] == '"2"'
    assert plan.indicator.targets.get().value == 90
    stale = admin.patch(url, {"unit": "%", "version": 1}, format="json")
    assert stale.status_code == 409
    assert Indicator.objects.get(pk=plan.indicator.pk).unit == "percent"


def test_a_target_on_or_before_the_baseline_is_refused(plan, api_client_for):
    response = api_client_for("hq_admin").patch(
        f"/api/v1/indicators/{plan.indicator.pk}/", {"targets": [{"date": "2021-12-31", "value": 5}]}, format="json"
    )
    assert response.status_code == 400
    assert "targets" in response.json()["errors"]
    assert plan.indicator.targets.get().value == 95


def test_deleting_an_indicator_with_measurements_is_refused(plan, api_client_for):
    response = api_client_for("hq_admin").delete(f"/api/v1/indicators/{plan.indicator.pk}/")
    assert response.status_code == 400
    assert Indicator.objects.filter(pk=plan.indicator.pk).exists()
    response = api_client_for("hq_admin").delete(f"/api/v1/objectives/{plan.objective.pk}/")
    assert response.status_code == 400
    assert Objective.objects.filter(pk=plan.objective.pk).exists()


def test_editor_reports_for_their_organisation_only(plan, api_client_for):
    editor = api_client_for("editor_a")
    ok = editor.post(
        "/api/v1/measurements/",
        {"indicator": "READINESS", "period_end": "2024-12-31", "value": 41.5, "organisation": "A"},
        format="json",
    )
    assert ok.status_code == 201, ok.json()
    assert ok.json()["created"] == 1
    refused = editor.post(
        "/api/v1/measurements/",
        {"indicator": "READINESS", "period_end": "2024-12-31", "value": 41.5, "organisation": "B"},
        format="json",
    )
    # B is invisible to editor_a: it is named like an unknown code, not revealed.
    assert refused.status_code == 400
    assert refused.json()["errors"]["rows"][0]["field"] == "organisation"
    national = editor.post(
        "/api/v1/measurements/", {"indicator": "READINESS", "period_end": "2025-12-31", "value": 41}, format="json"
    )
    assert national.status_code == 400
    assert "HQ admins" in national.json()["errors"]["rows"][0]["message"]
    assert not Measurement.objects.filter(organisation__code="B").exists()


def test_coordinator_reports_for_a_sub_organisation(plan, api_client_for):
    response = api_client_for("coordinator_a").post(
        "/api/v1/measurements/",
        {"indicator": "READINESS", "period": "2024", "value": "33,5", "organisation": "A1"},
        format="json",
    )
    assert response.status_code == 201, response.json()
    stored = Measurement.objects.get(organisation__code="A1")
    assert stored.period_end == dt.date(2024, 12, 31)
    assert stored.value == 33.5
    assert stored.reported_by.username == "coordinator_a"


def test_viewer_cannot_report(plan, api_client_for):
    response = api_client_for("viewer_a").post(
        "/api/v1/measurements/",
        {"indicator": "READINESS", "period_end": "2024-12-31", "value": 1, "organisation": "A"},
        format="json",
    )
    assert response.status_code == 400
    assert "no editing role" in response.json()["errors"]["rows"][0]["message"]


def test_bulk_report_is_all_or_nothing_with_row_errors(plan, api_client_for):
    rows = [
        {"indicator": "READINESS", "period_end": "2025-12-31", "value": 40, "region": "RU-TA"},
        {"indicator": "NOPE", "period_end": "2025-12-31", "value": 40},
        {"indicator": "READINESS", "period_end": "someday", "value": "lots", "region": "RU-TA"},
    ]
    response = api_client_for("hq_admin").post("/api/v1/measurements/", rows, format="json")
    assert response.status_code == 400
    problems = {(p["row"], p["field"]) for p in response.json()["errors"]["rows"]}
    assert problems == {(2, "indicator"), (3, "period"), (3, "value")}
    assert not Measurement.objects.filter(period_end=dt.date(2025, 12, 31)).exists()


def test_reporting_a_period_again_replaces_the_value_and_audits_both(plan, api_client_for):
    admin = api_client_for("hq_admin")
    row = {"indicator": "READINESS", "period_end": "2024-12-31", "value": 31}
    response = admin.post("/api/v1/measurements/", [row], format="json")
    assert response.json() == {"created": 0, "updated": 1, "unchanged": 0, "ids": response.json()["ids"]}
    measurement = Measurement.objects.get(region=None, organisation=None, period_end=dt.date(2024, 12, 31))
    assert measurement.value == 31
    events = AuditEvent.objects.filter(object_type="objectives.measurement", object_id=str(measurement.pk))
    assert [e.action for e in events.order_by("id")] == ["create", "update"]
    again = admin.post("/api/v1/measurements/", [row], format="json").json()
    assert again["unchanged"] == 1


def test_the_same_period_twice_in_one_batch_is_an_error(plan, api_client_for):
    row = {"indicator": "READINESS", "period_end": "2025-12-31", "value": 31}
    response = api_client_for("hq_admin").post("/api/v1/measurements/", [row, row], format="json")
    assert response.status_code == 400
    assert response.json()["errors"]["rows"][0]["row"] == 2


def test_weighted_mean_regional_values_need_a_weight(plan, api_client_for, system_actor):
    from aihq.objectives.services import indicator_update

    indicator_update(actor=system_actor, indicator=plan.indicator, aggregation="weighted_mean", weight_label="firms")
    response = api_client_for("hq_admin").post(
        "/api/v1/measurements/",
        {"indicator": "READINESS", "period": "2025", "value": 5, "region": "RU-TA"},
        format="json",
    )
    assert response.status_code == 400
    assert response.json()["errors"]["rows"][0]["field"] == "weight"


def test_upload_csv_with_a_report_per_row(plan, api_client_for):
    from django.core.files.uploadedfile import SimpleUploadedFile

    good = "indicator;period;region;value\nREADINESS;2025-Q4;RU-TA;44,5\nREADINESS;2025;RU-MOW;51\n"
    upload = SimpleUploadedFile("values.csv", good.encode("utf-8"), content_type="text/csv")
    response = api_client_for("hq_admin").post("/api/v1/measurements/upload/", {"file": upload}, format="multipart")
    assert response.status_code == 201, response.json()
    assert response.json()["created"] == 2
    assert Measurement.objects.get(region__code="RU-TA").value == 44.5

    bad = "indicator,period,region,value,colour\nREADINESS,2026,RU-TA,1,red\nREADINESS,2026,XX-YY,,\n"
    upload = SimpleUploadedFile("values.csv", bad.encode("utf-8"), content_type="text/csv")
    response = api_client_for("hq_admin").post("/api/v1/measurements/upload/", {"file": upload}, format="multipart")
    assert response.status_code == 400
    problems = {(p["row"], p["field"]) for p in response.json()["errors"]["rows"]}
    assert problems == {(2, "colour"), (3, "region"), (3, "value")}
    assert not Measurement.objects.filter(period_end=dt.date(2026, 12, 31)).exists()


def test_upload_of_an_unreadable_file_is_a_clear_400(plan, api_client_for):
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile("values.xlsx", b"PK\x03\x04 not really a workbook", content_type="application/zip")
    response = api_client_for("hq_admin").post("/api/v1/measurements/upload/", {"file": upload}, format="multipart")
    assert response.status_code == 400
    assert "file" in response.json()["errors"]


def test_measurement_list_is_scoped(plan, api_client_for, system_actor, world):
    from aihq.objectives.services import MeasurementInput, measurements_report

    measurements_report(
        actor=system_actor,
        items=[
            MeasurementInput(plan.indicator, dt.date(2024, 12, 31), 50, organisation=world.org_b),
            MeasurementInput(plan.indicator, dt.date(2024, 12, 31), 40, organisation=world.org_a),
        ],
    )
    seen = {
        (m["organisation"], m["value"])
        for m in api_client_for("viewer_a").get("/api/v1/measurements/").json()["results"]
    }
    assert ("A", 40) in seen
    assert (None, 30) in seen
    assert ("B", 50) not in seen
    assert api_client_for("norole").get("/api/v1/measurements/").json()["count"] == 3  # the national statistics
    assert api_client_for(None).get("/api/v1/measurements/").status_code in (401, 403)
    hidden = Measurement.objects.get(organisation=world.org_b)
    assert api_client_for("viewer_a").get(f"/api/v1/measurements/{hidden.pk}/").status_code == 404
    assert api_client_for("editor_a").delete(f"/api/v1/measurements/{hidden.pk}/").status_code == 404
    national = Measurement.objects.filter(organisation=None).first()
    assert api_client_for("editor_a").delete(f"/api/v1/measurements/{national.pk}/").status_code == 403
    assert api_client_for("hq_admin").delete(f"/api/v1/measurements/{national.pk}/").status_code == 204


def test_league_by_organisation_ranks_visible_organisations(plan, api_client_for, system_actor, world):
    from aihq.objectives.services import MeasurementInput, measurements_report

    measurements_report(
        actor=system_actor,
        items=[
            MeasurementInput(plan.indicator, dt.date(2024, 12, 31), 50, organisation=world.org_b),
            MeasurementInput(plan.indicator, dt.date(2024, 12, 31), 20, organisation=world.org_a),
        ],
    )
    url = f"/api/v1/objectives/{plan.objective.pk}/league/?by=organisation&at=2024-12-31"
    body = api_client_for("hq_admin").get(url).json()
    assert [(r["rank"], r["code"]) for r in body["results"]] == [(1, "B"), (2, "A")]
    assert body["results"][0]["achievement"] == pytest.approx(50 / 32.764, abs=0.001)
    assert [r["code"] for r in api_client_for("viewer_a").get(url).json()["results"]] == ["A"]
    assert api_client_for("viewer_a").get(url.replace("organisation", "planet")).status_code == 400


def test_league_by_region_on_an_indicator(plan, api_client_for, system_actor, world):
    from aihq.objectives.services import MeasurementInput, measurements_report

    measurements_report(
        actor=system_actor,
        items=[
            MeasurementInput(plan.indicator, dt.date(2024, 12, 31), 20, region=world.region),
            MeasurementInput(plan.indicator, dt.date(2024, 12, 31), 40, region=plan.moscow),
        ],
    )
    body = (
        api_client_for("viewer_a").get(f"/api/v1/indicators/{plan.indicator.pk}/league/?by=region&at=2025-01-10").json()
    )
    assert [(r["rank"], r["code"]) for r in body["results"]] == [(1, "RU-MOW"), (2, "RU-TA")]


def test_rag_override_by_coordinator_is_shown_beside_the_computed_rating_and_audited(plan, api_client_for):
    url = f"/api/v1/indicators/{plan.indicator.pk}/rag-override/"
    body = {"rating": "red", "reason": "The 2025 survey was cancelled; we will miss the target."}
    assert api_client_for("editor_a").post(url, body, format="json").status_code == 403
    assert (
        api_client_for("coordinator_a").post(url, {"rating": "red", "reason": "  "}, format="json").status_code == 400
    )
    assert api_client_for("coordinator_a").post(url, body, format="json").status_code == 200
    status = api_client_for("viewer_a").get(f"/api/v1/indicators/{plan.indicator.pk}/status/?at=2024-12-31").json()
    assert status["rag"] == "amber_red"
    assert status["effective_rag"] == "red"
    assert status["rag_override"]["reason"].startswith("The 2025 survey")
    assert status["rag_override"]["set_by"] == "coordinator_a"
    override = RagOverride.objects.get()
    assert AuditEvent.objects.filter(object_type="objectives.ragoverride", object_id=str(override.pk)).exists()
    assert api_client_for("coordinator_a").delete(url).status_code == 204
    assert not RagOverride.objects.exists()
    assert AuditEvent.objects.filter(object_type="objectives.ragoverride", action="delete").exists()


def test_contributions_link_use_cases_the_user_can_edit(plan, api_client_for, world):
    editor = api_client_for("editor_a")
    ok = editor.post("/api/v1/contributions/", {"use_case": world.uc_a.pk, "indicator": "READINESS"}, format="json")
    assert ok.status_code == 201, ok.json()
    other = editor.post("/api/v1/contributions/", {"use_case": world.uc_b.pk, "indicator": "READINESS"}, format="json")
    assert other.status_code == 400  # a use case editor_a cannot see is an unknown one
    read_only = api_client_for("viewer_a").post(
        "/api/v1/contributions/", {"use_case": world.uc_a.pk, "indicator": "READINESS"}, format="json"
    )
    assert read_only.status_code == 403
    assert api_client_for("editor_b").get("/api/v1/contributions/").json()["count"] == 0


def test_objectives_and_indicators_are_readable_by_every_signed_in_user(plan, api_client_for):
    norole = api_client_for("norole")
    assert norole.get("/api/v1/objectives/").json()["count"] == 1
    indicator = norole.get(f"/api/v1/indicators/{plan.indicator.pk}/")
    assert indicator.status_code == 200
    assert indicator["ETag"] == '"1"'
    assert indicator.json()["targets"] == [{"date": "2030-12-31", "value": 95.0, "region": None}]
    assert norole.patch(f"/api/v1/indicators/{plan.indicator.pk}/", {"unit": "x"}, format="json").status_code == 403


def test_a_baseline_moved_onto_a_target_is_refused_and_nothing_breaks(plan, api_client_for):
    admin = api_client_for("hq_admin")
    response = admin.patch(f"/api/v1/indicators/{plan.indicator.pk}/", {"baseline_date": "2030-12-31"}, format="json")
    assert response.status_code == 400
    assert "baseline_date" in response.json()["errors"]
    assert admin.get(f"/api/v1/indicators/{plan.indicator.pk}/status/").status_code == 200


@pytest.mark.parametrize(
    "query", ["at=9999-12-31", "at=0001-01-01", "last_k=%C2%B2", "last_k=-4", "region=%00", "organisation=" + "x" * 300]
)
def test_odd_status_parameters_are_400_not_500(plan, api_client_for, query):
    response = api_client_for("viewer_a").get(f"/api/v1/indicators/{plan.indicator.pk}/status/?{query}")
    assert response.status_code == 400


@pytest.mark.parametrize("value", [10**400, 1e200, -1e16, "1e400", "nan", True, [], {"a": 1}, "12.5.3", "1,234.5"])
def test_values_out_of_range_or_not_numbers_are_refused_by_row(plan, api_client_for, value):
    response = api_client_for("hq_admin").post(
        "/api/v1/measurements/", {"indicator": "READINESS", "period": "2025", "value": value}, format="json"
    )
    assert response.status_code == 400
    assert response.json()["errors"]["rows"][0]["field"] == "value"


@pytest.mark.parametrize("body", ["[1, 2]", '"text"', "[]", "{", "null"])
def test_malformed_measurement_bodies_are_400(plan, api_client_for, body):
    response = api_client_for("hq_admin").post("/api/v1/measurements/", body, content_type="application/json")
    assert response.status_code == 400


def test_reporting_organisations_are_listed_as_far_as_the_reader_sees(plan, api_client_for):
    viewer = api_client_for("viewer_a").get(f"/api/v1/indicators/{plan.indicator.pk}/").json()
    assert viewer["reporting_organisations"] == ["A"]
    admin = api_client_for("hq_admin").get(f"/api/v1/indicators/{plan.indicator.pk}/").json()
    assert sorted(admin["reporting_organisations"]) == ["A", "B"]


def test_nul_characters_are_refused_in_addresses_and_rows(plan, api_client_for, page_client_for):
    assert api_client_for("viewer_a").get("/api/v1/use-cases/?q=a%00b").status_code == 400
    assert page_client_for("viewer_a").get(f"/indicators/{plan.indicator.pk}/?region=%00").status_code == 400
    response = api_client_for("hq_admin").post(
        "/api/v1/measurements/",
        {"indicator": "READINESS", "period": "2025", "value": 1, "source": "a\x00b"},
        format="json",
    )
    assert response.status_code == 400
    assert "NUL character (at source)" in response.json()["detail"]
