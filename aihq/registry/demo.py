"""The demo set a newcomer sees: real data where there is some, illustrative data clearly marked.

- Russia's federal subjects and AIHQ's sectors (reference data shipped with AIHQ);
- Russian ministries, agencies, regional governments and state companies, with illustrative
  Russian-language use cases (tagged «пример»), imported through the generic CSV importer;
- the whole real US federal AI use-case inventory 2024 (OMB M-24-10, public domain), imported
  through the OMB importer under a "USA" organisation;
- the objectives and indicators of Russia's AI strategy to 2030 (real targets) with illustrative
  national, regional and organisation measurements, marked as such;
- the "Russia 2030" compute and power scenario built from published figures, run once;
- one demo account per role (development only; refused in production).
"""

from __future__ import annotations

import csv
import gzip
from pathlib import Path
from typing import Any

from aihq.accounts.models import Role
from aihq.accounts.services import membership_create, user_get_or_create
from aihq.core.db import analyze
from aihq.core.services import service
from aihq.registry.loaders import load_regions, load_sectors
from aihq.registry.models import Organisation, Region, UseCase
from aihq.registry.services import organisation_create

DATA = Path(__file__).resolve().parent / "data"
US_INVENTORY = Path(__file__).resolve().parent.parent / "exchange" / "data" / "us_omb_2024_inventory.csv.gz"
DEMO_PASSWORD = "demo-password"
US_ROOT = ("USA", "United States federal government", "Федеральное правительство США")

# username, role, organisation code
ACCOUNTS = [
    ("admin", Role.HQ_ADMIN, None),
    ("coordinator", Role.COORDINATOR, "MINZDRAV"),
    ("editor", Role.EDITOR, "MINTSIFRY"),
    ("viewer", Role.VIEWER, "MOS"),
    ("auditor", Role.AUDITOR, None),
]


@service
def load_organisations(*, actor: Any) -> int:
    """The demo organisations (Russian public bodies and the US root); existing ones are kept."""
    existing = {org.code: org for org in Organisation.objects.all()}
    regions = {region.code: region for region in Region.objects.all()}
    created = 0
    with (DATA / "demo_organisations.csv").open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    rows.append(
        {"code": US_ROOT[0], "name_en": US_ROOT[1], "name_ru": US_ROOT[2], "kind": "other", "parent": "", "region": ""}
    )
    for row in rows:
        if row["code"] in existing:
            continue
        existing[row["code"]] = organisation_create(
            actor=actor,
            code=row["code"],
            name_en=row["name_en"],
            name_ru=row["name_ru"],
            kind=row["kind"],
            parent=existing.get(row["parent"]) if row["parent"] else None,
            region=regions.get(row["region"]) if row["region"] else None,
        )
        created += 1
    return created


@service
def load_accounts(*, actor: Any) -> int:
    """One demo account per role, password ``DEMO_PASSWORD``."""
    organisations = {org.code: org for org in Organisation.objects.filter(code__in=[a[2] for a in ACCOUNTS if a[2]])}
    for username, role, org_code in ACCOUNTS:
        user = user_get_or_create(actor=actor, username=username, password=None, is_demo=True)
        if not user.has_usable_password():
            user.set_password(DEMO_PASSWORD)
            # A reserved domain: the development mail backend writes messages to files, nothing leaves the machine.
            user.email = user.email or f"{username}@demo.invalid"
            user.save(update_fields=["password", "email"])
        membership_create(actor=actor, user=user, role=role, organisation=organisations[org_code] if org_code else None)
    return len(ACCOUNTS)


def load_demo(*, actor: Any, us_inventory: bool = True) -> dict[str, int]:
    """Create what is missing of the demo set (idempotent: a second run changes nothing).

    ``us_inventory=False`` leaves out the US federal inventory (1,757 use cases, most of the time taken): every
    other part of the demo stands without it, which is what tests that need one of everything use.
    """
    from aihq.energy.demo import load_scenarios
    from aihq.evaluation.demo import load_evaluation
    from aihq.exchange.services import ImportOptions, import_usecases
    from aihq.objectives.demo import load_objectives
    from aihq.publication.demo import load_publication
    from aihq.regulation.demo import load_regulation
    from aihq.routines.demo import load_routines
    from aihq.sovereignty.demo import load_supply_chain

    regions_created, _updated = load_regions(actor=actor, country="RU")
    sectors_created = load_sectors(actor=actor)
    organisations_created = load_organisations(actor=actor)
    russian = import_usecases(
        actor=actor,
        data=(DATA / "demo_use_cases_ru.csv").read_bytes(),
        file_name="demo_use_cases_ru.csv",
        options=ImportOptions(format="csv"),
    )
    runs = [russian]
    if us_inventory:
        runs.append(
            import_usecases(
                actor=actor,
                data=gzip.decompress(US_INVENTORY.read_bytes()),
                file_name="consolidated_ai_inventory_2024.csv",
                options=ImportOptions(format="omb-2024", organisation=Organisation.objects.get(code=US_ROOT[0])),
            )
        )
    for run in runs:
        if run.status != "applied":
            raise RuntimeError(f"Demo import of {run.file_name} failed: {run.error}")
    analyze([UseCase, Organisation])
    return {
        "regions": regions_created,
        "sectors": sectors_created,
        "organisations": organisations_created + sum(run.counts["organisations_created"] for run in runs),
        "use_cases": sum(run.counts["new"] for run in runs),
        **load_objectives(actor=actor),
        **load_scenarios(actor=actor),
        **load_regulation(actor=actor),
        **load_supply_chain(actor=actor),
        **load_publication(actor=actor),
        **load_evaluation(actor=actor),
        **load_routines(actor=actor),
        "accounts": load_accounts(actor=actor),
    }
