"""A small, clearly illustrative demo set: a few organisations, use cases and one account per role.

The organisations are real bodies; the use cases are invented examples, tagged ``demo``.
Until the inventory importers land, this is what ``make run`` shows a newcomer.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from aihq.accounts.models import Role
from aihq.accounts.services import membership_create, user_get_or_create
from aihq.core.services import service
from aihq.registry.loaders import load_regions, load_sectors
from aihq.registry.models import DevelopmentMethod, Organisation, OrganisationKind, Region, Sector, Stage, UseCase
from aihq.registry.services import organisation_create, use_case_create

DEMO_PASSWORD = "demo-password"

# code, English name, Russian name, kind, parent code, region code
ORGANISATIONS = [
    (
        "MINTSIFRY",
        "Ministry of Digital Development, Communications and Mass Media",
        "Минцифры России",
        OrganisationKind.MINISTRY,
        None,
        "RU-MOW",
    ),
    ("RKN", "Roskomnadzor", "Роскомнадзор", OrganisationKind.AGENCY, "MINTSIFRY", "RU-MOW"),
    ("MINZDRAV", "Ministry of Health", "Минздрав России", OrganisationKind.MINISTRY, None, "RU-MOW"),
    ("RZN", "Roszdravnadzor", "Росздравнадзор", OrganisationKind.AGENCY, "MINZDRAV", "RU-MOW"),
    ("MINTRANS", "Ministry of Transport", "Минтранс России", OrganisationKind.MINISTRY, None, "RU-MOW"),
    ("FNS", "Federal Tax Service", "ФНС России", OrganisationKind.AGENCY, None, "RU-MOW"),
    ("MOS", "Government of Moscow", "Правительство Москвы", OrganisationKind.REGIONAL_GOVERNMENT, None, "RU-MOW"),
    (
        "TATARSTAN",
        "Government of the Republic of Tatarstan",
        "Правительство Республики Татарстан",
        OrganisationKind.REGIONAL_GOVERNMENT,
        None,
        "RU-TA",
    ),
    (
        "NSO",
        "Government of Novosibirsk Oblast",
        "Правительство Новосибирской области",
        OrganisationKind.REGIONAL_GOVERNMENT,
        None,
        "RU-NVS",
    ),
    ("RZD", "Russian Railways", "ОАО «РЖД»", OrganisationKind.STATE_COMPANY, None, "RU-MOW"),
]

# reference, organisation, name, description, stage, sectors, regions, generative, method, initiated, deployed
USE_CASES: list[tuple[Any, ...]] = [
    (
        "DEMO-01",
        "MINTSIFRY",
        "Citizen services assistant on the public services portal",
        "A conversational assistant answering questions about public services and guiding applicants through forms.",
        Stage.PRODUCTION,
        ["public-services"],
        [],
        True,
        DevelopmentMethod.MIXED,
        "2023-03-01",
        "2024-02-15",
    ),
    (
        "DEMO-02",
        "MINTSIFRY",
        "Automatic routing of citizens' appeals",
        "Classifies incoming written appeals by topic and sends them to the responsible body.",
        Stage.PRODUCTION,
        ["public-administration"],
        [],
        False,
        DevelopmentMethod.IN_HOUSE,
        "2022-05-10",
        "2023-01-20",
    ),
    (
        "DEMO-03",
        "RKN",
        "Detection of prohibited content in images",
        "Computer vision flags images that may breach the law for human review.",
        Stage.PILOT,
        ["telecom-it", "law-justice"],
        [],
        False,
        DevelopmentMethod.CONTRACTED,
        "2024-01-15",
        None,
    ),
    (
        "DEMO-04",
        "MINZDRAV",
        "Chest X-ray triage support",
        "Prioritises chest X-rays with suspected pathology for radiologists; the radiologist decides.",
        Stage.PRODUCTION,
        ["healthcare"],
        ["RU-MOW", "RU-TA", "RU-NVS"],
        False,
        DevelopmentMethod.CONTRACTED,
        "2021-09-01",
        "2022-12-01",
    ),
    (
        "DEMO-05",
        "MINZDRAV",
        "Summaries of electronic medical records",
        "Drafts discharge summaries from the electronic medical record for a doctor to check and sign.",
        Stage.DEVELOPMENT,
        ["healthcare"],
        [],
        True,
        DevelopmentMethod.IN_HOUSE,
        "2025-02-01",
        None,
    ),
    (
        "DEMO-06",
        "RZN",
        "Risk-based selection of inspections",
        "Ranks medical organisations by risk indicators to plan inspections.",
        Stage.PILOT,
        ["healthcare", "public-administration"],
        [],
        False,
        DevelopmentMethod.IN_HOUSE,
        "2024-06-01",
        None,
    ),
    (
        "DEMO-07",
        "MINTRANS",
        "Road traffic forecasting for federal highways",
        "Forecasts traffic intensity to plan repairs and manage congestion.",
        Stage.PRODUCTION,
        ["transport"],
        ["RU-MOS", "RU-LEN"],
        False,
        DevelopmentMethod.CONTRACTED,
        "2022-01-10",
        "2023-06-01",
    ),
    (
        "DEMO-08",
        "MINTRANS",
        "Unmanned freight trucks on the M-11 motorway",
        "Autonomous trucks in regular freight traffic on a designated highway.",
        Stage.PILOT,
        ["transport", "industry"],
        ["RU-MOW", "RU-SPE"],
        False,
        DevelopmentMethod.CONTRACTED,
        "2023-06-01",
        None,
    ),
    (
        "DEMO-09",
        "FNS",
        "Detection of tax evasion schemes",
        "Graph analytics and machine learning find networks of companies used to evade VAT.",
        Stage.PRODUCTION,
        ["finance", "law-justice"],
        [],
        False,
        DevelopmentMethod.IN_HOUSE,
        "2019-01-01",
        "2020-07-01",
    ),
    (
        "DEMO-10",
        "FNS",
        "Taxpayer questions chatbot",
        "Answers common taxpayer questions in the taxpayer's personal account.",
        Stage.PILOT,
        ["finance", "public-services"],
        [],
        True,
        DevelopmentMethod.IN_HOUSE,
        "2024-09-01",
        None,
    ),
    (
        "DEMO-11",
        "MOS",
        "Video analytics for public transport safety",
        "Detects left luggage and incidents on metro platforms for operators.",
        Stage.PRODUCTION,
        ["transport", "law-justice"],
        ["RU-MOW"],
        False,
        DevelopmentMethod.CONTRACTED,
        "2020-03-01",
        "2021-09-01",
    ),
    (
        "DEMO-12",
        "MOS",
        "Appointment demand forecasting in city clinics",
        "Predicts demand for doctor appointments to plan schedules.",
        Stage.PRODUCTION,
        ["healthcare"],
        ["RU-MOW"],
        False,
        DevelopmentMethod.MIXED,
        "2021-01-01",
        "2022-03-01",
    ),
    (
        "DEMO-13",
        "MOS",
        "Assistant for teachers preparing lessons",
        "Drafts lesson materials and tests from the curriculum for teachers to edit.",
        Stage.DEVELOPMENT,
        ["education"],
        ["RU-MOW"],
        True,
        DevelopmentMethod.IN_HOUSE,
        "2025-01-15",
        None,
    ),
    (
        "DEMO-14",
        "TATARSTAN",
        "Crop yield forecasting from satellite images",
        "Estimates crop condition and yield by field from satellite imagery.",
        Stage.PILOT,
        ["agriculture"],
        ["RU-TA"],
        False,
        DevelopmentMethod.CONTRACTED,
        "2023-04-01",
        None,
    ),
    (
        "DEMO-15",
        "TATARSTAN",
        "Speech recognition for the regional call centre",
        "Transcribes calls in Russian and Tatar to route requests and measure quality.",
        Stage.PRODUCTION,
        ["public-services"],
        ["RU-TA"],
        False,
        DevelopmentMethod.OFF_THE_SHELF,
        "2022-02-01",
        "2022-11-01",
    ),
    (
        "DEMO-16",
        "NSO",
        "Forest fire early detection",
        "Cameras and computer vision detect smoke and alert the forest protection service.",
        Stage.PRODUCTION,
        ["emergency", "energy-environment"],
        ["RU-NVS"],
        False,
        DevelopmentMethod.CONTRACTED,
        "2021-04-01",
        "2022-05-01",
    ),
    (
        "DEMO-17",
        "NSO",
        "Heating network failure prediction",
        "Predicts pipe failures from sensor and repair history to plan replacements.",
        Stage.PLANNED,
        ["construction-urban", "energy-environment"],
        ["RU-NVS"],
        False,
        DevelopmentMethod.UNKNOWN,
        None,
        None,
    ),
    (
        "DEMO-18",
        "RZD",
        "Predictive maintenance of locomotives",
        "Predicts component failures from on-board telemetry.",
        Stage.PRODUCTION,
        ["transport", "industry"],
        ["RU-SVE", "RU-NVS", "RU-KHA"],
        False,
        DevelopmentMethod.IN_HOUSE,
        "2020-01-01",
        "2021-10-01",
    ),
    (
        "DEMO-19",
        "RZD",
        "Passenger flow forecasting for suburban trains",
        "Forecasts passenger numbers to plan train frequency.",
        Stage.PRODUCTION,
        ["transport"],
        ["RU-MOS"],
        False,
        DevelopmentMethod.IN_HOUSE,
        "2021-06-01",
        "2022-09-01",
    ),
    (
        "DEMO-20",
        "RZD",
        "Legacy timetable optimiser",
        "Rule-based and ML timetable optimiser replaced by a newer system.",
        Stage.RETIRED,
        ["transport"],
        [],
        False,
        DevelopmentMethod.CONTRACTED,
        "2016-01-01",
        "2017-06-01",
    ),
]

# username, role, organisation code
ACCOUNTS = [
    ("admin", Role.HQ_ADMIN, None),
    ("coordinator", Role.COORDINATOR, "MINZDRAV"),
    ("editor", Role.EDITOR, "MINTSIFRY"),
    ("viewer", Role.VIEWER, "MOS"),
    ("auditor", Role.AUDITOR, None),
]


def _date(value: str | None) -> dt.date | None:
    return dt.date.fromisoformat(value) if value else None


@service
def load_demo(*, actor: Any) -> dict[str, int]:
    """Create what is missing of the demo set; existing records are left as they are."""
    regions_created, _updated = load_regions(actor=actor, country="RU")
    sectors_created = load_sectors(actor=actor)
    organisations: dict[str, Organisation] = {org.code: org for org in Organisation.objects.all()}
    regions = {region.code: region for region in Region.objects.all()}
    sectors = {sector.code: sector for sector in Sector.objects.all()}
    orgs_created = 0
    for code, name_en, name_ru, kind, parent, region in ORGANISATIONS:
        if code in organisations:
            continue
        organisations[code] = organisation_create(
            actor=actor,
            code=code,
            name_en=name_en,
            name_ru=name_ru,
            kind=kind,
            parent=organisations.get(parent) if parent else None,
            region=regions.get(region),
        )
        orgs_created += 1
    use_cases_created = 0
    for (
        ref,
        org,
        name,
        description,
        stage,
        sector_codes,
        region_codes,
        generative,
        method,
        initiated,
        deployed,
    ) in USE_CASES:
        organisation = organisations[org]
        if UseCase.objects.filter(organisation=organisation, reference=ref).exists():
            continue
        use_case_create(
            actor=actor,
            organisation=organisation,
            name=name,
            reference=ref,
            description=description,
            stage=stage,
            is_generative=generative,
            development_method=method,
            date_initiated=_date(initiated),
            date_deployed=_date(deployed),
            date_retired=dt.date(2024, 12, 31) if stage == Stage.RETIRED else None,
            is_public=stage in (Stage.PRODUCTION, Stage.RETIRED),
            tags=["demo"],
            sectors=[sectors[code] for code in sector_codes],
            regions=[regions[code] for code in region_codes if code in regions],
        )
        use_cases_created += 1
    for username, role, org_code in ACCOUNTS:
        user = user_get_or_create(actor=actor, username=username, password=None, is_demo=True)
        if not user.has_usable_password():
            user.set_password(DEMO_PASSWORD)
            user.save(update_fields=["password"])
        membership_create(actor=actor, user=user, role=role, organisation=organisations[org_code] if org_code else None)
    return {
        "regions": regions_created,
        "sectors": sectors_created,
        "organisations": orgs_created,
        "use_cases": use_cases_created,
        "accounts": len(ACCOUNTS),
    }
