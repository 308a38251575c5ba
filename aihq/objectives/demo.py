"""Demo objectives: the real targets of Russia's AI strategy to 2030, with illustrative measurements.

The targets (baselines, 2030 values, units, sources) are the shipped ``ai_strategy_2030_targets.csv``.
Every measurement made here is generated — deterministic, plausible, and marked illustrative.
"""

from __future__ import annotations

import csv
import datetime as dt
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from aihq.core.services import service
from aihq.objectives.models import Aggregation, Indicator, Objective
from aihq.objectives.services import (
    MeasurementInput,
    TargetSpec,
    indicator_create,
    measurements_report,
    objective_create,
)
from aihq.registry.models import Organisation, Region

TARGETS = Path(__file__).resolve().parent / "data" / "ai_strategy_2030_targets.csv"
PROGRAMME = "National AI Development Strategy to 2030 (Decree No. 490, as amended by Decree No. 124 of 2024)"
PROGRAMME_RU = (
    "Национальная стратегия развития искусственного интеллекта на период до 2030 года "
    "(Указ № 490 в ред. Указа № 124 от 2024 г.)"
)
UNITS_RU = {
    "percent": "%",
    "bn RUB": "млрд руб.",
    "trn RUB": "трлн руб.",
    "persons": "чел.",
    "multiple of 2023/2024 level": "раз к уровню 2023/2024 гг.",
}
ILLUSTRATIVE = "Illustrative demo data"
LAST_YEAR = 2025

# code, English title, Russian title, owner
OBJECTIVES = [
    ("AI-ADOPTION", "AI adopted across the economy", "Внедрение ИИ в экономике", "MINEK"),
    ("AI-SKILLS", "People with AI skills", "Кадры и компетенции в области ИИ", "MINOBRNAUKI"),
    ("AI-TRUST", "Citizens trust AI", "Доверие граждан к ИИ", "MINTSIFRY"),
    ("AI-COMPUTE", "Compute for AI", "Вычислительные мощности для ИИ", "MINTSIFRY"),
]


@dataclass(frozen=True)
class DemoIndicator:
    """How the demo turns one row of the targets file into an indicator and its illustrative values."""

    code: str
    objective: str
    aggregation: str = Aggregation.MEAN
    regional: bool = False
    #: illustrative national values, one per year from the baseline year (empty: none)
    path: tuple[float, ...] = ()
    reporting: tuple[str, ...] = ()


# Keyed by the English name in the targets file.
INDICATORS = {
    "Share of priority-sector organisations with high AI readiness": DemoIndicator(
        "AI-READINESS", "AI-ADOPTION", regional=True, path=(12, 17, 23, 30)
    ),
    "Annual spending by organisations on AI adoption": DemoIndicator(
        "AI-SPENDING", "AI-ADOPTION", Aggregation.SUM, path=(120, 190, 265, 330)
    ),
    "Share of workers with AI skills": DemoIndicator(
        "AI-SKILLED-WORKERS",
        "AI-SKILLS",
        regional=True,
        path=(5, 10, 17, 26),
        reporting=("MINTSIFRY", "MINZDRAV", "MINEK", "MINTRANS", "FNS", "MINOBRNAUKI", "MINTRUD", "MCHS"),
    ),
    "Annual graduates of AI programmes": DemoIndicator(
        "AI-GRADUATES", "AI-SKILLS", Aggregation.SUM, regional=True, path=(3000, 5200, 7400, 9800)
    ),
    "Annual volume of AI development/implementation services": DemoIndicator(
        "AI-SERVICES", "AI-ADOPTION", Aggregation.SUM, path=(12, 15, 19, 22)
    ),
    "Citizens' trust in AI": DemoIndicator("AI-TRUST", "AI-TRUST", regional=True, path=(55, 58, 62, 65)),
    "Cumulative GDP contribution of AI": DemoIndicator("AI-GDP", "AI-ADOPTION", Aggregation.SUM),
    "Total supercomputer capacity for AI": DemoIndicator(
        "AI-SUPERCOMPUTE", "AI-COMPUTE", Aggregation.SUM, path=(1, 1.6)
    ),
    "Share of public bodies and large/medium companies using AI (2019 edition target)": DemoIndicator(
        "AI-USE-2019", "AI-ADOPTION"
    ),
}
#: Regions with targets of their own (baseline, 2030) for AI readiness — illustrative, to show regional plans.
REGIONAL_TARGETS = {"RU-MOW": (25.0, 100.0), "RU-TA": (18.0, 98.0)}
#: Regions that have not reported the last year, to show the reporting-discipline list.
LATE_REGIONS = ("RU-CHE", "RU-TY", "RU-KB", "RU-IN", "RU-NEN", "RU-YEV")


def _year_end(year: int) -> dt.date:
    return dt.date(year, 12, 31)


def _rng(*keys: str) -> np.random.Generator:
    return np.random.default_rng(zlib.crc32("|".join(keys).encode()))


@service
def load_objectives(*, actor: Any) -> dict[str, int]:
    """Objectives and indicators of the AI strategy, and illustrative values (idempotent)."""
    organisations = {o.code: o for o in Organisation.objects.all()}
    objectives = {o.code: o for o in Objective.objects.all()}
    created = {"objectives": 0, "indicators": 0, "measurements": 0}
    for code, title_en, title_ru, owner in OBJECTIVES:
        if code not in objectives:
            objectives[code] = objective_create(
                actor=actor,
                code=code,
                title_en=title_en,
                title_ru=title_ru,
                programme=PROGRAMME,
                programme_ru=PROGRAMME_RU,
                owner=organisations.get(owner),
            )
            created["objectives"] += 1
    regions = {r.code: r for r in Region.objects.filter(country="RU")}
    with TARGETS.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    for row in rows:
        spec = INDICATORS[row["indicator_en"]]
        indicator = Indicator.objects.filter(code=spec.code).first()
        if indicator is None:
            indicator = _create_indicator(actor, row, spec, objectives[spec.objective], organisations, regions)
            created["indicators"] += 1
        items = _illustrative(indicator, spec, regions, organisations)
        if items:
            outcome = measurements_report(actor=actor, items=items)
            created["measurements"] += len(outcome.created)
    return created


def _create_indicator(
    actor: Any,
    row: dict[str, str],
    spec: DemoIndicator,
    objective: Objective,
    organisations: dict[str, Organisation],
    regions: dict[str, Region],
) -> Indicator:
    baseline_year = int(row["baseline_year"]) if row["baseline_year"] else None
    targets = [TargetSpec(_year_end(int(row["target_year"])), float(row["target_value"]))]
    if spec.code == "AI-READINESS":
        for region_code, (start, end) in REGIONAL_TARGETS.items():
            if region_code in regions:
                targets += [
                    TargetSpec(_year_end(2022), start, regions[region_code]),
                    TargetSpec(_year_end(2030), end, regions[region_code]),
                ]
    return indicator_create(
        actor=actor,
        objective=objective,
        code=spec.code,
        name_en=row["indicator_en"],
        name_ru=row["indicator_ru"],
        unit=row["unit"],
        unit_ru=UNITS_RU.get(row["unit"], ""),
        direction=row["direction"],
        baseline_value=float(row["baseline_value"]) if baseline_year else None,
        baseline_date=_year_end(baseline_year) if baseline_year else None,
        aggregation=spec.aggregation,
        region_country="RU" if spec.regional else "",
        owner=objective.owner,
        source=f"{row['source']} — {row['verification']}",
        targets=targets,
        reporting_organisations=[organisations[c] for c in spec.reporting if c in organisations],
    )


def _illustrative(
    indicator: Indicator, spec: DemoIndicator, regions: dict[str, Region], organisations: dict[str, Organisation]
) -> list[MeasurementInput]:
    """Generated values: national ones, or regional ones around the national path; some regions late."""
    if not spec.path:
        return []
    first_year = indicator.baseline_date.year if indicator.baseline_date else LAST_YEAR - len(spec.path) + 1
    years = [first_year + i for i in range(len(spec.path))]

    def item(year: int, value: float, **where: Any) -> MeasurementInput:
        return MeasurementInput(
            indicator=indicator,
            period_end=_year_end(year),
            value=round(float(value), 2 if abs(value) < 100 else 0),
            source=ILLUSTRATIVE,
            is_illustrative=True,
            **where,
        )

    items: list[MeasurementInput] = []
    if not spec.regional:
        return [item(year, value) for year, value in zip(years, spec.path, strict=True)]
    codes = sorted(regions)
    rng = _rng(indicator.code)
    # Each region is ahead or behind the national path by its own factor, with some noise each year.
    factors = rng.lognormal(0.0, 0.3, len(codes))
    if spec.aggregation == Aggregation.SUM:
        factors = factors / factors.sum()
    for index, code in enumerate(codes):
        for year, national in zip(years, spec.path, strict=True):
            if year == LAST_YEAR and code in LATE_REGIONS:
                continue
            noise = 1.0 + rng.normal(0.0, 0.05)
            value = national * factors[index] * noise
            if indicator.unit == "percent":
                value = min(max(value, 0.0), 100.0)
            items.append(item(year, value, region=regions[code]))
    for offset, org_code in enumerate(spec.reporting):
        org = organisations.get(org_code)
        if org is None:
            continue
        factor = _rng(indicator.code, org_code).lognormal(0.2, 0.35)
        for year, national in zip(years, spec.path, strict=True):
            if year == LAST_YEAR and offset == len(spec.reporting) - 1:
                continue  # the last reporting organisation is late too
            items.append(item(year, min(national * factor, 100.0), organisation=org))
    return items
