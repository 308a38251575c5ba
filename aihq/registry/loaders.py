"""Loading reference data (regions, sectors) from the files shipped with AIHQ and from pycountry."""

from __future__ import annotations

import csv
import gettext
from pathlib import Path
from typing import Any

import pycountry

from aihq.core.services import service
from aihq.registry.models import Region, Sector
from aihq.registry.services import region_save, sector_save

DATA_DIR = Path(__file__).resolve().parent / "data"

# The federal districts as named in ru_regions.csv, with their usual English names.
FEDERAL_DISTRICTS_EN = {
    "Центральный": "Central",
    "Северо-Западный": "Northwestern",
    "Южный": "Southern",
    "Северо-Кавказский": "North Caucasian",
    "Приволжский": "Volga",
    "Уральский": "Ural",
    "Сибирский": "Siberian",
    "Дальневосточный": "Far Eastern",
}


_RU_ABBREVIATIONS = {"Респ": "Республика", "обл": "область", "АО": "автономный округ", "Аобл": "автономная область"}


def russian_region_name(name_with_type: str) -> str:
    """The full Russian name from the source's abbreviated one: "Амурская обл" → "Амурская область"."""
    words = name_with_type.replace(" - ", " — ").split()
    if words and words[0] == "г":  # cities of federal significance go by their name alone
        words = words[1:]
    words = [_RU_ABBREVIATIONS.get(word, word) for word in words]
    return " ".join(words).replace("Автономный округ", "автономный округ")


def russian_region_rows() -> list[dict[str, str]]:
    """The shipped subjects of the Russian Federation as field dictionaries for ``Region``."""
    with (DATA_DIR / "ru_regions_en.csv").open(encoding="utf-8") as handle:
        english = {row["iso_code"]: row["name_en"] for row in csv.DictReader(handle)}
    rows = []
    with (DATA_DIR / "ru_regions.csv").open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            code = row["iso_code"].strip()
            if not code:
                continue
            district = row["federal_district"].strip()
            rows.append(
                {
                    "code": code,
                    # Every row is a subject in Russia's own list, whatever prefix its ISO code carries.
                    "country": "RU",
                    "name_en": english.get(code) or row["geoname_name"].strip() or row["name"].strip(),
                    "name_ru": russian_region_name(row["name_with_type"].strip()),
                    "group_en": f"{FEDERAL_DISTRICTS_EN.get(district, district)} Federal District" if district else "",
                    "group_ru": f"{district} федеральный округ" if district else "",
                }
            )
    return rows


def country_region_rows(country: str) -> list[dict[str, str]]:
    """ISO 3166-2 subdivisions of ``country`` from pycountry, with Russian names where it has them."""
    country = country.upper()
    if pycountry.countries.get(alpha_2=country) is None:  # type: ignore[no-untyped-call]
        raise ValueError(f"Unknown country code {country!r}; use ISO 3166-1 alpha-2, such as US or KZ.")
    try:
        russian = gettext.translation("iso3166-2", pycountry.LOCALES_DIR, languages=["ru"]).gettext
    except OSError:  # no Russian catalogue in this pycountry build
        russian = None
    rows = []
    for sub in pycountry.subdivisions.get(country_code=country) or []:  # type: ignore[no-untyped-call]
        name_ru = russian(sub.name) if russian else ""
        rows.append(
            {
                "code": sub.code,
                "country": country,
                "name_en": sub.name,
                "name_ru": name_ru if name_ru != sub.name else "",
                "group_en": sub.type,
                "group_ru": "",
            }
        )
    return rows


@service
def load_regions(*, actor: Any, country: str = "RU") -> tuple[int, int]:
    """Create or update a country's regions; returns (created, updated)."""
    rows = russian_region_rows() if country.upper() == "RU" else country_region_rows(country)
    existing = {region.code: region for region in Region.objects.filter(code__in=[row["code"] for row in rows])}
    created = updated = 0
    for row in rows:
        current = existing.get(row["code"])
        if current is None:
            created += 1
        elif any(getattr(current, key) != value for key, value in row.items()):
            updated += 1
        else:
            continue
        region_save(actor=actor, **row)
    return created, updated


def shipped_sector_codes() -> list[str]:
    with (DATA_DIR / "sectors.csv").open(encoding="utf-8") as handle:
        return [row["code"] for row in csv.DictReader(handle)]


@service
def load_sectors(*, actor: Any, only_missing: bool = False) -> int:
    """Create (and, unless ``only_missing``, rename) the shipped sectors; returns how many were created."""
    created = 0
    with (DATA_DIR / "sectors.csv").open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            exists = Sector.objects.filter(code=row["code"]).exists()
            if exists and only_missing:
                continue
            created += not exists
            sector_save(actor=actor, code=row["code"], name_en=row["name_en"], name_ru=row["name_ru"])
    return created
