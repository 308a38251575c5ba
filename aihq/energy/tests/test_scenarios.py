"""Scenarios run end to end: stored inputs, percentiles, the published estimate checked, pages, CSV."""

from __future__ import annotations

import csv
import io

import pytest

from aihq.audit.models import AuditEvent
from aihq.energy.models import Scenario, ScenarioRun
from aihq.energy.scenarios import russia_2030

pytestmark = pytest.mark.django_db


@pytest.fixture
def russia(world, system_actor):
    from aihq.energy.services import scenario_create

    return scenario_create(actor=system_actor, **{**russia_2030(), "samples": 2000})


def test_hq_admin_runs_the_russia_2030_scenario_and_the_estimate_is_checked(russia, api_client_for):
    assert api_client_for("coordinator_a").post(f"/api/v1/scenarios/{russia.pk}/run/").status_code == 403
    response = api_client_for("hq_admin").post(f"/api/v1/scenarios/{russia.pk}/run/")
    assert response.status_code == 201
    run = ScenarioRun.objects.get()
    assert AuditEvent.objects.filter(object_type="energy.scenariorun", object_id=str(run.pk)).exists()
    results = run.results
    assert results["years"] == [2025, 2026, 2027, 2028, 2029, 2030]
    it_mw = results["national"]["it_mw"]["p50"]
    assert it_mw[0] == pytest.approx(1800)
    assert it_mw[-1] == pytest.approx(4300)
    check = results["claim_check"]
    assert check["claim_usd_bn"] == pytest.approx(77)
    assert check["p10_bn"] <= check["p50_bn"] <= check["p90_bn"]
    assert check["ratio"] == pytest.approx(77 / check["p50_bn"])
    # The arithmetic, by hand for the median: 2.5 GW more IT load at 70 % and PUE ~1.3 is ~2.3 GW average.
    assert 1.8 < check["new_load_gw"] < 2.8
    gas = next(row for row in check["technologies"] if row["technology"] == "gas_combined_cycle")
    assert gas["buys_gw"] == pytest.approx(77e9 / 1420e6)
    # Same seed, same numbers.
    again = api_client_for("hq_admin").post(f"/api/v1/scenarios/{russia.pk}/run/").json()
    assert (
        again["results"]["national"]["new_generation_capex_usd_cumulative"]
        == results["national"]["new_generation_capex_usd_cumulative"]
    )


def test_scenario_page_shows_fans_and_the_check_in_both_languages(russia, page_client_for, system_actor):
    from aihq.energy.services import scenario_run

    scenario_run(actor=system_actor, scenario=russia)
    viewer = page_client_for("viewer_a")
    body = viewer.get(f"/energy/scenarios/{russia.pk}/").content.decode()
    assert 'data-testid="claim-check"' in body
    assert "The $77 bn" in body
    assert 'id="fan-it_mw"' in body
    assert 'data-testid="run"' not in body  # only HQ admins run
    viewer.post("/i18n/setlang/", {"language": "ru", "next": "/"})
    russian = viewer.get(f"/energy/scenarios/{russia.pk}/").content.decode()
    assert "Россия-2030" in russian
    assert "Газ, парогазовый цикл" in russian


def test_run_csv_has_national_and_regional_rows(russia, page_client_for, system_actor):
    from aihq.energy.services import scenario_run

    run = scenario_run(actor=system_actor, scenario=russia)
    response = page_client_for("viewer_a").get(f"/energy/runs/{run.pk}.csv")
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    national = [r for r in rows if r["region"] == "" and r["output"] == "it_mw"]
    assert [int(r["year"]) for r in national] == list(range(2025, 2031))
    assert {r["region"] for r in rows} == {"", "RU-MOW", "RU"}
    assert any(r["output"] == "generation_mw_by_technology.nuclear" for r in rows)
    assert all(float(r["p10"]) <= float(r["p50"]) + 1e-6 <= float(r["p90"]) + 2e-6 for r in rows)


def test_a_scenario_without_demand_or_with_bad_parameters_is_a_clear_400(world, api_client_for, system_actor):
    from aihq.energy.services import scenario_create

    empty = scenario_create(
        actor=system_actor,
        code="EMPTY",
        name_en="Empty",
        start_year=2025,
        end_year=2030,
        parameters={"utilisation": 0.7, "efficiency_gain": 0, "demand_growth": 0, "reserve_margin": 0.15},
    )
    response = api_client_for("hq_admin").post(f"/api/v1/scenarios/{empty.pk}/run/")
    assert response.status_code == 400
    assert "demand" in response.json()["errors"]
    bad = {
        "code": "BAD",
        "name_en": "Bad",
        "start_year": 2025,
        "end_year": 2026,
        "parameters": {"utilisation": {"kind": "triangular", "low": 0.9, "mode": 0.5, "high": 0.6}},
        "demand": {"regions": ["RU-TA"], "it_mw": {"RU-TA": [10, 20]}},
    }
    response = api_client_for("hq_admin").post("/api/v1/scenarios/", bad, format="json")
    assert response.status_code == 400
    assert "parameters" in response.json()["errors"]
    for field, value in [("mix", {"fusion": 1.0}), ("mix", {"nuclear": 0.5}), ("demand", {"it_mw": {"RU-TA": [1]}})]:
        response = api_client_for("hq_admin").post(
            "/api/v1/scenarios/", {**bad, "parameters": {}, field: value}, format="json"
        )
        assert response.status_code == 400, (field, value)
        assert field in response.json()["errors"]
    assert not Scenario.objects.filter(code="BAD").exists()
    # A definition changed behind the services' back still fails clearly when run.
    scenario_create(actor=system_actor, **{**bad, "parameters": {}})
    short = Scenario.objects.get(code="BAD")
    short.parameters = {"utilisation": 0.7, "efficiency_gain": 0, "demand_growth": 0, "reserve_margin": 0.1}
    short.demand = {"regions": ["RU-TA"], "it_mw": {"RU-TA": [10]}}
    short.save()
    response = api_client_for("hq_admin").post(f"/api/v1/scenarios/{short.pk}/run/")
    assert response.status_code == 400
    assert not ScenarioRun.objects.exists()


def test_demo_scenario_loads_once(world, system_actor):
    from aihq.energy.demo import load_scenarios

    assert load_scenarios(actor=system_actor) == {"compute_sites": 0, "scenarios": 1}  # no demo organisations here
    assert load_scenarios(actor=system_actor) == {"compute_sites": 0, "scenarios": 0}
    assert ScenarioRun.objects.count() == 1


def test_energy_run_command_writes_a_run_and_its_csv(russia, tmp_path, capsys):
    import json

    from django.core.management import CommandError, call_command

    out = tmp_path / "run.csv"
    call_command("energy_run", "RU-2030", "--samples", "500", "--output", str(out), "--json")
    body = json.loads(capsys.readouterr().out)
    run = ScenarioRun.objects.get(pk=body["run"])
    assert (run.samples, body["samples"]) == (500, 500)
    assert body["years"][-1] == 2030
    rows = list(csv.reader(out.open(encoding="utf-8")))
    assert rows[0] == ["region", "year", "output", "p10", "p50", "p90"]
    assert len(rows) > 100
    with pytest.raises(CommandError, match="NOPE"):
        call_command("energy_run", "NOPE")
    with pytest.raises(CommandError):
        call_command("energy_run", "RU-2030", "--samples", "5")


def test_pue_and_utilisation_trajectories_reach_their_final_values(world, system_actor):
    from aihq.energy.scenarios import inputs_for, run_results
    from aihq.energy.services import scenario_create

    scenario = scenario_create(
        actor=system_actor,
        code="TRAJ",
        name_en="Trajectories",
        start_year=2025,
        end_year=2027,
        samples=200,
        parameters={
            "utilisation": 0.5,
            "utilisation_final": 0.9,
            "pue": 1.5,
            "pue_final": 1.1,
            "efficiency_gain": 0,
            "demand_growth": 0,
            "reserve_margin": 0,
        },
        demand={"regions": ["RU-TA"], "it_mw": {"RU-TA": [100, 100, 100]}},
    )
    results, _seconds = run_results(scenario, inputs_for(scenario, system_actor))
    energy = results["national"]["energy_twh"]["p50"]
    # 100 MW IT × utilisation × PUE × 8,760 h: 0.5 × 1.5 first, 0.7 × 1.3 midway, 0.9 × 1.1 last.
    assert energy == pytest.approx(
        [100 * 0.5 * 1.5 * 8760 / 1e6, 100 * 0.7 * 1.3 * 8760 / 1e6, 100 * 0.9 * 1.1 * 8760 / 1e6], rel=1e-5
    )


def test_scenario_page_for_one_region(russia, page_client_for, system_actor):
    from aihq.energy.services import scenario_run
    from aihq.registry.models import Region

    Region.objects.create(code="RU-MOW", country="RU", name_en="Moscow", name_ru="Москва")
    run = scenario_run(actor=system_actor, scenario=russia)
    client = page_client_for("viewer_a")
    body = client.get(f"/energy/scenarios/{russia.pk}/?region=RU-MOW").content.decode()
    assert '<option value="RU-MOW" selected>Moscow</option>' in body
    assert 'data-testid="claim-check"' not in body  # the national estimate is checked on the national view
    moscow_it = run.results["regional"]["it_mw"]["p50"][run.results["regions"].index("RU-MOW")]
    assert moscow_it[-1] == pytest.approx(4300 * 0.8)
    assert f"{moscow_it[-1]}" in body  # the chart data is Moscow's
    unknown = client.get(f"/energy/scenarios/{russia.pk}/?region=XX").content.decode()
    assert 'data-testid="claim-check"' in unknown  # an unknown region falls back to the whole country


def test_running_a_scenario_without_demand_from_the_page_explains_why(world, page_client_for, system_actor):
    from aihq.energy.services import scenario_create

    empty = scenario_create(
        actor=system_actor,
        code="EMPTY",
        name_en="Empty",
        start_year=2025,
        end_year=2030,
        parameters={"utilisation": 0.7, "efficiency_gain": 0, "demand_growth": 0, "reserve_margin": 0.15},
    )
    response = page_client_for("hq_admin").post(f"/energy/scenarios/{empty.pk}/run/", follow=True)
    assert response.status_code == 200
    assert "No demand" in response.content.decode()
    assert page_client_for("editor_a").post(f"/energy/scenarios/{empty.pk}/run/").status_code == 403
    assert not ScenarioRun.objects.exists()
