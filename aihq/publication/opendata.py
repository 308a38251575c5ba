"""The register as open data: flat rows for CSV and XLSX, nested records for JSON, and the JSON Schema.

The JSON record is the public view itself (field keys from ``fields.FIELDS``) plus ``id``, ``url``,
``version`` and ``published_at``. CSV and XLSX flatten it by fixed rules (see ``columns``).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from aihq.publication import fields as catalogue

SCHEMA_ID = "https://aihq.example/register/schema.json"
MAPPINGS = Path(__file__).resolve().parent / "mappings.yaml"
#: Object fields: a code and its English and Russian names.
OBJECT_KEYS = ("organisation", "organisation_kind", "stage", "development_method")
#: Lists of coded items.
LIST_KEYS = ("sectors", "regions", "techniques", "risk_tiers")


def record_json(record_id: int, url: str, number: int, published_at: Any, view: Mapping[str, Any]) -> dict[str, Any]:
    return {"id": record_id, "url": url, "version": number, "published_at": published_at.isoformat(), **view}


def columns(keys: Iterable[str]) -> list[str]:
    """The flat columns for the public keys, in catalogue order."""
    out = ["id", "url", "version", "published_at"]
    for key in (k for k in catalogue.KEYS if k in set(keys)):
        if key in OBJECT_KEYS or key in LIST_KEYS or key == "impact_assessments":
            out += [key, f"{key}_en", f"{key}_ru"]
        else:
            out.append(key)
    return out


def _join(items: Iterable[str]) -> str:
    return "; ".join(item for item in items if item)


def flat(record: Mapping[str, Any]) -> dict[str, Any]:
    """One JSON record as a flat row: codes in ``key``, names in ``key_en`` and ``key_ru``, lists joined by "; "."""
    row: dict[str, Any] = {}
    for key, value in record.items():
        if key in OBJECT_KEYS:
            value = value or {}
            row[key], row[f"{key}_en"], row[f"{key}_ru"] = (
                value.get("code", ""),
                value.get("name_en", ""),
                value.get("name_ru", ""),
            )
        elif key in LIST_KEYS:
            items = value or []
            row[key] = _join(i.get("code", "") for i in items)
            row[f"{key}_en"] = _join(i.get("name_en", "") for i in items)
            row[f"{key}_ru"] = _join(i.get("name_ru", "") for i in items)
        elif key == "suppliers":
            row[key] = _join(f"{s['name']} ({s['country']})" if s.get("country") else s["name"] for s in value or [])
        elif key == "impact_assessments":
            items = value or []
            row[key] = _join(f"{i['code']}={i['status']}" for i in items)
            row[f"{key}_en"] = _join(f"{i['title_en']}: {i['status_en']}" for i in items)
            row[f"{key}_ru"] = _join(f"{i['title_ru'] or i['title_en']}: {i['status_ru']}" for i in items)
        elif isinstance(value, bool):
            row[key] = "yes" if value else "no"
        else:
            row[key] = "" if value is None else value
    return row


def flat_rows(records: Iterable[Mapping[str, Any]]) -> Iterator[dict[str, Any]]:
    return (flat(record) for record in records)


def _coded(extra: Mapping[str, Any] | None = None) -> dict[str, Any]:
    properties: dict[str, Any] = {
        "code": {"type": "string"},
        "name_en": {"type": "string"},
        "name_ru": {"type": "string"},
    }
    properties.update(extra or {})
    return {"type": "object", "required": ["code", "name_en", "name_ru"], "properties": properties}


def _property(key: str) -> dict[str, Any]:
    nullable_coded = {"oneOf": [_coded(), {"type": "null"}]}
    special: dict[str, dict[str, Any]] = {
        "organisation": _coded(),
        "organisation_kind": nullable_coded,
        "stage": nullable_coded,
        "development_method": nullable_coded,
        "sectors": {"type": "array", "items": _coded()},
        "regions": {"type": "array", "items": _coded()},
        "techniques": {"type": "array", "items": _coded()},
        "risk_tiers": {
            "type": "array",
            "items": _coded(
                {
                    "framework": {"type": "string"},
                    "framework_en": {"type": "string"},
                    "framework_ru": {"type": "string"},
                }
            ),
        },
        "suppliers": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["name", "country"],
                "properties": {"name": {"type": "string"}, "country": {"type": "string"}},
            },
        },
        "impact_assessments": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["code", "framework", "status"],
                "properties": {
                    name: {"type": "string"}
                    for name in (
                        "code",
                        "framework",
                        "cite",
                        "title_en",
                        "title_ru",
                        "status",
                        "status_en",
                        "status_ru",
                    )
                },
            },
        },
        "is_generative": {"type": "boolean"},
        "date_deployed": {"oneOf": [{"type": "string", "format": "date"}, {"type": "null"}]},
    }
    return special.get(key, {"type": "string"})


def json_schema() -> dict[str, Any]:
    """The JSON Schema (2020-12) of one record of the open data, with each field's meaning in English."""
    properties: dict[str, Any] = {
        "id": {"type": "integer", "description": "The record's stable number in this register."},
        "url": {"type": "string", "format": "uri", "description": "The record's page."},
        "version": {"type": "integer", "description": "The published version's number (1, 2, ...)."},
        "published_at": {"type": "string", "format": "date-time", "description": "When this version was approved."},
        "history": {
            "type": "array",
            "description": "Only in one record's JSON: every published version, newest first.",
            "items": {
                "type": "object",
                "required": ["version", "published_at", "changed"],
                "properties": {
                    "version": {"type": "integer"},
                    "published_at": {"type": "string", "format": "date-time"},
                    "changed": {"type": "array", "items": {"type": "string"}},
                    "withdrawn_at": {"oneOf": [{"type": "string", "format": "date-time"}, {"type": "null"}]},
                },
            },
        },
    }
    from django.utils import translation

    with translation.override("en"):
        for field in catalogue.FIELDS:
            properties[field.key] = {**_property(field.key), "title": str(field.label), "description": str(field.help)}
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": SCHEMA_ID,
        "title": "AIHQ public register record",
        "description": "One published AI use case. Fields the publisher does not make public are absent.",
        "type": "object",
        "required": ["id", "url", "version", "published_at", *sorted(catalogue.REQUIRED)],
        "properties": properties,
        "additionalProperties": False,
    }


@cache
def mappings() -> dict[str, Any]:
    """The field mappings to other registers (mappings.yaml)."""
    with MAPPINGS.open(encoding="utf-8") as handle:
        loaded = yaml.safe_load(handle)
    return loaded if isinstance(loaded, dict) else {"standards": []}
