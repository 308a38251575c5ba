"""Compute sites, profiles, loads and scenarios: scoped, audited, refused where they should be."""

from __future__ import annotations

import pytest

from aihq.audit.models import AuditEvent
from aihq.energy.models import ComputeProfile, ComputeSite, ExogenousLoad, Scenario

pytestmark = pytest.mark.django_db

SITE = {
    "name": "Kazan cluster",
    "operator": "A",
    "region": "RU-TA",
    "status": "planned",
    "commissioning_year": 2027,
    "it_capacity_mw": 12.8,
    "accelerators": {"H100-SXM": 10000},
    "pue": 1.3,
    "utilisation": 0.7,
}


def test_editor_registers_a_site_for_their_organisation_only(world, api_client_for):
    editor = api_client_for("editor_a")
    response = editor.post("/api/v1/compute-sites/", SITE, format="json")
    assert response.status_code == 201, response.json()
    site = ComputeSite.objects.get()
    assert AuditEvent.objects.filter(object_type="energy.computesite", object_id=str(site.pk)).exists()
    other = editor.post("/api/v1/compute-sites/", {**SITE, "operator": "B"}, format="json")
    assert other.status_code == 400  # B is not visible to editor_a: an unknown code
    assert api_client_for("editor_b").get(f"/api/v1/compute-sites/{site.pk}/").status_code == 404
    assert (
        api_client_for("viewer_a").patch(f"/api/v1/compute-sites/{site.pk}/", {"pue": 1.2}, format="json").status_code
        == 403
    )
    stale = editor.patch(f"/api/v1/compute-sites/{site.pk}/", {"pue": 1.2, "version": 7}, format="json")
    assert stale.status_code == 409


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("pue", 0.5),
        ("utilisation", 1.5),
        ("accelerators", {"H100-SXM": -1}),
        ("commissioning_year", 1800),
        ("it_capacity_mw", -1),
    ],
)
def test_bad_site_values_are_400(world, api_client_for, field, value):
    response = api_client_for("editor_a").post("/api/v1/compute-sites/", {**SITE, field: value}, format="json")
    assert response.status_code == 400
    assert field in response.json()["errors"]
    assert not ComputeSite.objects.exists()


def test_compute_profile_is_set_by_who_may_edit_the_use_case(world, api_client_for):
    body = {
        "use_case": world.uc_a.pk,
        "accelerator_model": "H100-SXM",
        "accelerators_reserved": 64,
        "host_region": "RU-TA",
    }
    assert api_client_for("viewer_a").post("/api/v1/compute-profiles/", body, format="json").status_code == 403
    assert api_client_for("editor_a").post("/api/v1/compute-profiles/", body, format="json").status_code == 201
    again = api_client_for("editor_a").post(
        "/api/v1/compute-profiles/", {**body, "accelerators_reserved": 128}, format="json"
    )
    assert again.status_code == 201
    assert ComputeProfile.objects.get().accelerators_reserved == 128
    assert api_client_for("editor_b").get("/api/v1/compute-profiles/").json()["count"] == 0


def test_exogenous_loads_and_scenarios_are_hq_business(world, api_client_for):
    load = {"region": "RU-TA", "year": 2025, "kind": "crypto", "average_mw": 150, "source": "Ministry of Energy"}
    assert api_client_for("coordinator_a").post("/api/v1/exogenous-loads/", load, format="json").status_code == 403
    assert api_client_for("hq_admin").post("/api/v1/exogenous-loads/", load, format="json").status_code == 201
    assert ExogenousLoad.objects.get().average_mw == 150
    scenario = {"code": "BASE", "name_en": "Base", "start_year": 2025, "end_year": 2035, "samples": 1000}
    assert api_client_for("editor_a").post("/api/v1/scenarios/", scenario, format="json").status_code == 403
    assert api_client_for("hq_admin").post("/api/v1/scenarios/", scenario, format="json").status_code == 201
    backwards = api_client_for("hq_admin").patch(
        f"/api/v1/scenarios/{Scenario.objects.get().pk}/", {"end_year": 2020}, format="json"
    )
    assert backwards.status_code == 400
    assert api_client_for("norole").get("/api/v1/scenarios/").json()["count"] == 1


def test_demand_from_sites_profiles_and_loads(world, system_actor):
    from aihq.energy.selectors import demand_from_registry
    from aihq.energy.services import load_save, profile_set, site_create

    site_create(
        actor=system_actor,
        **{**SITE, "operator": world.org_a, "region": world.region, "accelerators": {"H100-SXM": 800, "B200": 100}},
    )
    profile_set(
        actor=system_actor,
        use_case=world.uc_a,
        accelerator_model="H100-SXM",
        inference_requests_per_day=86_400,
        accelerator_seconds_per_request=7,
    )
    load_save(actor=system_actor, region=world.region, year=2026, kind="crypto", average_mw=50)
    server_kw = {"H100-SXM": 1.28, "B200": 1.79}
    demand = demand_from_registry(world.users["hq_admin"], 2025, 2028, server_kw)
    assert demand.regions == ("RU-TA",)
    expected_site = 800 + 100 * 1.79 / 1.28
    expected_profile = 7 / 0.7  # 7 busy accelerators at 70 % utilisation
    assert demand.accelerators[0].tolist() == pytest.approx(
        [expected_profile, expected_profile, expected_site + expected_profile, expected_site + expected_profile]
    )
    assert demand.exogenous_mw[0].tolist() == [0, 50, 50, 50]
    # editor_b sees neither the site nor the profile, only the (reference) load.
    other = demand_from_registry(world.users["editor_b"], 2025, 2028, server_kw)
    assert other.accelerators.sum() == 0
    assert other.exogenous_mw.sum() == 150


def test_site_pages(world, page_client_for):
    editor = page_client_for("editor_a")
    form = {**SITE, "operator": world.org_a.pk, "region": world.region.pk, "accelerators": "H100-SXM=10000, B200=8"}
    response = editor.post("/energy/sites/new/", form)
    site = ComputeSite.objects.get()
    assert response.status_code == 302
    assert site.accelerators == {"H100-SXM": 10000, "B200": 8}
    assert "Kazan cluster" in page_client_for("viewer_a").get("/energy/").content.decode()
    assert "Kazan cluster" not in page_client_for("editor_b").get("/energy/").content.decode()
    bad = editor.post(f"/energy/sites/{site.pk}/", {**form, "accelerators": "lots", "version": 1})
    assert "MODEL=COUNT" in bad.content.decode()
    assert page_client_for("viewer_a").get(f"/energy/sites/{site.pk}/").status_code == 403
    assert page_client_for("viewer_a").get("/energy/sites/new/").status_code == 403


def test_use_case_page_sets_a_compute_profile(world, page_client_for):
    page = page_client_for("editor_a").get(f"/use-cases/{world.uc_a.pk}/").content.decode()
    assert 'data-testid="compute-form"' in page
    response = page_client_for("editor_a").post(
        f"/use-cases/{world.uc_a.pk}/compute-profile/",
        {"accelerator_model": "H100-SXM", "accelerators_reserved": "64", "host_region": world.region.pk},
    )
    assert response.status_code == 302
    assert ComputeProfile.objects.get(use_case=world.uc_a).accelerators_reserved == 64
    assert (
        'data-testid="compute-form"'
        not in page_client_for("viewer_a").get(f"/use-cases/{world.uc_a.pk}/").content.decode()
    )
    assert page_client_for("viewer_a").post(f"/use-cases/{world.uc_a.pk}/compute-profile/", {}).status_code == 403
    assert page_client_for("editor_b").post(f"/use-cases/{world.uc_a.pk}/compute-profile/", {}).status_code == 404


def test_hq_admin_edits_a_scenario_on_its_form(world, page_client_for):
    admin = page_client_for("hq_admin")
    assert page_client_for("editor_a").get("/energy/scenarios/new/").status_code == 403
    fields = {
        "code": "BASE",
        "name_en": "Base",
        "start_year": "2025",
        "end_year": "2030",
        "samples": "1000",
        "seed": "7",
        "mix": '{"gas_combined_cycle": 0.7, "nuclear": 0.3}',
        "parameters": '{"utilisation": 0.7, "efficiency_gain": 0.05, "demand_growth": 0.2, "reserve_margin": 0.15}',
        "demand": "",
    }
    response = admin.post("/energy/scenarios/new/", fields)
    scenario = Scenario.objects.get(code="BASE")
    assert response["Location"] == f"/energy/scenarios/{scenario.pk}/"
    bad = admin.post(f"/energy/scenarios/{scenario.pk}/edit/", {**fields, "mix": '{"fusion": 1}', "version": 1})
    assert bad.status_code == 200
    assert "fusion" in bad.content.decode()
    broken = admin.post(f"/energy/scenarios/{scenario.pk}/edit/", {**fields, "parameters": "{not json", "version": 1})
    assert broken.status_code == 200
    scenario.refresh_from_db()
    assert scenario.mix == {"gas_combined_cycle": 0.7, "nuclear": 0.3}
    assert scenario.version == 1
