"""The objectives pages: who sees what, the report and override forms, uploads, use-case links."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from aihq.audit.models import AuditEvent
from aihq.objectives.models import Contribution, Measurement, RagOverride

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("url", ["/objectives/", "/stocktake/", "/objectives/{objective}/", "/indicators/{indicator}/"])
def test_pages_need_a_sign_in(plan, page_client_for, url):
    response = page_client_for(None).get(url.format(objective=plan.objective.pk, indicator=plan.indicator.pk))
    assert response.status_code == 302
    assert response["Location"].startswith("/login/")


def test_overview_shows_each_objective_with_its_indicators_rating(plan, page_client_for):
    body = page_client_for("norole").get("/objectives/?at=2024-12-31").content.decode()
    assert "AI readiness" in body
    assert "Share of organisations ready for AI" in body
    assert 'data-rag="amber_red"' in body


def test_indicator_page_shows_status_chart_data_and_the_forms_a_user_may_use(plan, page_client_for):
    url = f"/indicators/{plan.indicator.pk}/?at=2024-12-31"
    body = page_client_for("editor_a").get(url).content.decode()
    assert "91.6 %" in body  # achievement
    assert 'id="trajectory-data"' in body
    assert 'data-testid="report-form"' in body
    assert 'data-testid="override-form"' not in body
    coordinator = page_client_for("coordinator_a").get(url).content.decode()
    assert 'data-testid="override-form"' in coordinator
    viewer = page_client_for("viewer_a").get(url).content.decode()
    assert 'data-testid="report-form"' not in viewer


def test_indicator_page_for_one_region(plan, page_client_for, world):
    body = page_client_for("viewer_a").get(f"/indicators/{plan.indicator.pk}/?region=RU-TA").content.decode()
    assert "— Tatarstan" in body


def test_indicator_page_in_russian(plan, page_client_for):
    client = page_client_for("viewer_a")
    client.post("/i18n/setlang/", {"language": "ru", "next": "/"})
    body = client.get(f"/indicators/{plan.indicator.pk}/?at=2024-12-31").content.decode()
    assert "Доля организаций, готовых к ИИ" in body
    assert "Траектория" in body


def test_unknown_pages_are_404(plan, page_client_for):
    client = page_client_for("hq_admin")
    assert client.get("/indicators/999999/").status_code == 404
    assert client.get("/objectives/999999/").status_code == 404


def test_league_tab_by_organisation(plan, page_client_for, system_actor, world):
    from aihq.objectives.services import MeasurementInput, measurements_report

    measurements_report(
        actor=system_actor,
        items=[MeasurementInput(plan.indicator, dt.date(2024, 12, 31), 20, organisation=world.org_b)],
    )
    admin = page_client_for("hq_admin").get(f"/objectives/{plan.objective.pk}/?by=organisation").content.decode()
    assert "Ministry B" in admin
    viewer = page_client_for("viewer_a").get(f"/objectives/{plan.objective.pk}/?by=organisation").content.decode()
    assert "Ministry B" not in viewer


def test_editor_reports_a_value_through_the_form(plan, page_client_for, world):
    client = page_client_for("editor_a")
    url = f"/indicators/{plan.indicator.pk}/report/"
    response = client.post(url, {"period_end": "2025", "value": "35.5", "organisation": world.org_a.pk})
    assert response.status_code == 302
    stored = Measurement.objects.get(organisation=world.org_a)
    assert (stored.period_end, stored.value, stored.reported_by.username) == (dt.date(2025, 12, 31), 35.5, "editor_a")
    assert AuditEvent.objects.filter(object_type="objectives.measurement", object_id=str(stored.pk)).exists()
    # B is not one of editor_a's organisations: the form refuses it, nothing is saved.
    response = client.post(url, {"period_end": "2025", "value": "1", "organisation": world.org_b.pk}, follow=True)
    assert not Measurement.objects.filter(organisation=world.org_b).exists()
    assert "Organisation" in response.content.decode()


def test_a_bad_period_is_explained_and_nothing_is_saved(plan, page_client_for, world):
    before = Measurement.objects.count()
    response = page_client_for("editor_a").post(
        f"/indicators/{plan.indicator.pk}/report/",
        {"period_end": "last spring", "value": "3", "organisation": world.org_a.pk},
        follow=True,
    )
    assert "2024-Q4" in response.content.decode()
    assert Measurement.objects.count() == before


def test_viewer_cannot_report(plan, page_client_for, world):
    response = page_client_for("viewer_a").post(
        f"/indicators/{plan.indicator.pk}/report/", {"period_end": "2025", "value": "3", "organisation": world.org_a.pk}
    )
    assert response.status_code == 302
    assert not Measurement.objects.filter(organisation=world.org_a).exists()


def test_upload_with_errors_shows_every_row_and_saves_nothing(plan, page_client_for):
    data = b"period,region,value\n2025,RU-TA,40\n2025,RU-XX,41\nsoon,RU-TA,\n"
    response = page_client_for("hq_admin").post(
        f"/indicators/{plan.indicator.pk}/upload/", {"file": SimpleUploadedFile("v.csv", data)}
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert "RU-XX" in body
    assert "Give the value." in body
    assert not Measurement.objects.filter(region__code="RU-TA").exists()
    good = b"period,region,value\n2025,RU-TA,40\n"
    response = page_client_for("hq_admin").post(
        f"/indicators/{plan.indicator.pk}/upload/", {"file": SimpleUploadedFile("v.csv", good)}
    )
    assert response.status_code == 302
    assert Measurement.objects.get(region__code="RU-TA").value == 40


def test_override_through_the_page(plan, page_client_for):
    client = page_client_for("coordinator_a")
    url = f"/indicators/{plan.indicator.pk}/rag-override/"
    client.post(url, {"rating": "green", "reason": "New funding approved in the 2025 budget."})
    assert RagOverride.objects.get().rating == "green"
    body = client.get(f"/indicators/{plan.indicator.pk}/?at=2024-12-31").content.decode()
    assert "New funding approved" in body
    assert 'data-rag="green"' in body
    assert "rag-amber_red" in body  # the computed rating is still shown
    client.post(url, {"clear": "1"})
    assert not RagOverride.objects.exists()
    page_client_for("editor_a").post(url, {"rating": "green", "reason": "Because."})
    assert not RagOverride.objects.exists()


def test_stocktake_page(plan, page_client_for):
    body = page_client_for("viewer_a").get("/stocktake/?at=2024-12-31").content.decode()
    assert "Share of organisations ready for AI" in body
    assert "Ministry A" in body  # the owner
    later = page_client_for("viewer_a").get("/stocktake/?at=2023-12-31").content.decode()
    assert "Share of organisations ready for AI" not in later  # not enough data then: not amber-red or red


def test_use_case_page_links_and_unlinks_an_indicator(plan, page_client_for, world):
    client = page_client_for("editor_a")
    page = client.get(f"/use-cases/{world.uc_a.pk}/").content.decode()
    assert 'data-testid="contribution-form"' in page
    client.post(f"/use-cases/{world.uc_a.pk}/contributions/", {"indicator": plan.indicator.pk, "note": "Scores firms"})
    contribution = Contribution.objects.get()
    assert contribution.note == "Scores firms"
    indicator_page = page_client_for("hq_admin").get(f"/indicators/{plan.indicator.pk}/").content.decode()
    assert "Chatbot A" in indicator_page
    assert (
        page_client_for("viewer_a")
        .get(f"/use-cases/{world.uc_a.pk}/")
        .content.decode()
        .count('data-testid="contribution-form"')
        == 0
    )
    assert page_client_for("editor_b").post(f"/contributions/{contribution.pk}/remove/").status_code == 404
    assert page_client_for("viewer_a").post(f"/contributions/{contribution.pk}/remove/").status_code == 403
    client.post(f"/contributions/{contribution.pk}/remove/")
    assert not Contribution.objects.exists()


def test_demo_objectives_load_once_and_are_marked_illustrative(db, system_actor):
    from aihq.objectives.demo import load_objectives
    from aihq.objectives.models import Indicator
    from aihq.registry.demo import load_organisations
    from aihq.registry.loaders import load_regions

    load_regions(actor=system_actor, country="RU")
    load_organisations(actor=system_actor)
    first = load_objectives(actor=system_actor)
    assert first["objectives"] == 4
    assert first["indicators"] == 9
    assert first["measurements"] > 1000
    assert not Measurement.objects.filter(is_illustrative=False).exists()
    again = load_objectives(actor=system_actor)
    assert again == {"objectives": 0, "indicators": 0, "measurements": 0}
    readiness = Indicator.objects.get(code="AI-READINESS")
    assert (readiness.baseline_value, readiness.baseline_date) == (12, dt.date(2022, 12, 31))
    assert readiness.targets.filter(region=None).get().value == 95
    assert readiness.name_ru.startswith("Доля организаций")
    assert "UNVERIFIED" in Indicator.objects.get(code="AI-SUPERCOMPUTE").source


def test_hq_admin_sets_an_objective_and_an_indicator_with_targets_through_the_forms(world, page_client_for):
    from aihq.objectives.models import Indicator, Objective

    admin = page_client_for("hq_admin")
    assert page_client_for("coordinator_a").get("/objectives/new/").status_code == 403
    response = admin.post(
        "/objectives/new/", {"code": "TRUST", "title_en": "Trust in AI", "title_ru": "Доверие", "owner": world.org_a.pk}
    )
    objective = Objective.objects.get(code="TRUST")
    assert response["Location"] == f"/objectives/{objective.pk}/"
    fields = {
        "objective": objective.pk,
        "code": "TRUST-SHARE",
        "name_en": "Citizens who trust AI",
        "unit": "percent",
        "direction": "increase",
        "baseline_value": "55",
        "baseline_date": "2022-12-31",
        "targets": "2030-12-31 80\n2030-12-31 90 RU-TA\n2022-12-31 60 ru-ta",
        "shape": "linear",
        "frequency": "yearly",
        "aggregation": "mean",
        "reporting_organisations": [world.org_a.pk, world.org_b.pk],
    }
    response = admin.post("/indicators/new/", fields)
    indicator = Indicator.objects.get(code="TRUST-SHARE")
    assert response.status_code == 302
    assert sorted((t.region_id is not None, t.value) for t in indicator.targets.all()) == [
        (False, 80),
        (True, 60),
        (True, 90),
    ]
    # A bad line is named; nothing changes.
    bad = admin.post(f"/indicators/{indicator.pk}/edit/", {**fields, "targets": "2030-12-31 lots", "version": 1})
    assert bad.status_code == 200
    assert "Line 1" in bad.content.decode()
    assert indicator.targets.count() == 3
    # A stale version is refused on the form.
    admin.post(f"/indicators/{indicator.pk}/edit/", {**fields, "unit": "%", "version": 1})
    stale = admin.post(f"/indicators/{indicator.pk}/edit/", {**fields, "unit": "pp", "version": 1})
    assert "changed by someone else" in stale.content.decode()
    indicator.refresh_from_db()
    assert (indicator.unit, indicator.version, indicator.code) == ("%", 2, "TRUST-SHARE")
    edit_page = admin.get(f"/indicators/{indicator.pk}/edit/").content.decode()
    assert "2030-12-31 90 RU-TA" in edit_page
    assert page_client_for("editor_a").get(f"/indicators/{indicator.pk}/edit/").status_code == 403


def test_stocktake_fetches_regions_behind_after_the_page(plan, page_client_for, system_actor, world):
    from aihq.objectives.services import MeasurementInput, measurements_report

    measurements_report(
        actor=system_actor,
        items=[
            MeasurementInput(plan.indicator, dt.date(y, 12, 31), v, region=world.region)
            for y, v in ((2022, 1), (2023, 2), (2024, 3))
        ]
        + [
            MeasurementInput(plan.indicator, dt.date(y, 12, 31), v, region=plan.moscow)
            for y, v in ((2022, 12), (2023, 30), (2024, 50))
        ],
    )
    page = page_client_for("viewer_a").get("/stocktake/?at=2024-12-31").content.decode()
    assert 'hx-get="/stocktake/regions-behind/?at=2024-12-31"' in page
    fragment = page_client_for("viewer_a").get("/stocktake/regions-behind/?at=2024-12-31").content.decode()
    assert f'id="behind-{plan.indicator.pk}" hx-swap-oob="true" data-testid="behind">1<' in fragment


def test_a_date_out_of_range_shows_today_with_a_note(plan, page_client_for):
    response = page_client_for("viewer_a").get(f"/indicators/{plan.indicator.pk}/?at=9999-12-31")
    assert response.status_code == 200
    assert "is not a date between 1900 and 2200" in response.content.decode()


def test_removing_an_override_for_a_region_that_is_not_a_number_is_404(plan, page_client_for):
    response = page_client_for("hq_admin").post(
        f"/indicators/{plan.indicator.pk}/rag-override/", {"clear": "1", "region": "abc"}
    )
    assert response.status_code == 404


def test_a_national_value_from_some_regions_only_says_so(plan, page_client_for, system_actor, world):
    from aihq.objectives.services import MeasurementInput, measurements_report

    measurements_report(
        actor=system_actor, items=[MeasurementInput(plan.indicator, dt.date(2025, 12, 31), 40, region=world.region)]
    )
    body = page_client_for("viewer_a").get(f"/indicators/{plan.indicator.pk}/?at=2026-01-31").content.decode()
    assert "from the 1 of 2 regions" in body


def test_reporting_the_same_value_again_says_nothing_changed(plan, page_client_for, world):
    client = page_client_for("editor_a")
    data = {"period_end": "2025", "value": "35.5", "organisation": world.org_a.pk}
    client.post(f"/indicators/{plan.indicator.pk}/report/", data)
    response = client.post(f"/indicators/{plan.indicator.pk}/report/", data, follow=True)
    assert "Nothing changed" in response.content.decode()
