"""The demo's compute and power planning: three illustrative compute sites, and the shipped "Russia 2030"
scenario (published figures only), run once."""

from __future__ import annotations

from typing import Any

from aihq.energy.models import ComputeSite, Scenario
from aihq.energy.scenarios import russia_2030
from aihq.energy.services import scenario_create, scenario_run, site_create
from aihq.registry.models import Organisation, Region

# name, operator, region, status, year, IT MW, accelerators — illustrative, not real sites
SITES = [
    ("National AI cluster (illustrative)", "MINTSIFRY", "RU-MOW", "construction", 2026, 40.0, {"H100-SXM": 28000}),
    ("Innopolis GPU centre (illustrative)", "TATARSTAN", "RU-TA", "planned", 2027, 12.8, {"H100-SXM": 10000}),
    ("Akademgorodok research cluster (illustrative)", "NSO", "RU-NVS", "planned", 2028, 8.0, {"B200": 4000}),
]


def load_scenarios(*, actor: Any) -> dict[str, int]:
    """Create the illustrative sites and the shipped scenario if missing, and run it (idempotent)."""
    organisations = {o.code: o for o in Organisation.objects.filter(code__in=[site[1] for site in SITES])}
    regions = {r.code: r for r in Region.objects.filter(code__in=[site[2] for site in SITES])}
    sites = 0
    for name, operator, region, status, year, mw, accelerators in SITES:
        if ComputeSite.objects.filter(name=name).exists() or operator not in organisations or region not in regions:
            continue
        site_create(
            actor=actor,
            name=name,
            operator=organisations[operator],
            region=regions[region],
            status=status,
            commissioning_year=year,
            it_capacity_mw=mw,
            accelerators=accelerators,
            notes="Illustrative demo site, not a real one.",
        )
        sites += 1
    definition = russia_2030()
    if Scenario.objects.filter(code=definition["code"]).exists():
        return {"compute_sites": sites, "scenarios": 0}
    scenario = scenario_create(actor=actor, **definition)
    scenario_run(actor=actor, scenario=scenario)
    return {"compute_sites": sites, "scenarios": 1}
