"""The public record's pure parts: which keys show, facets, search text, changes, flat rows and the schema."""

from __future__ import annotations

import jsonschema  # type: ignore[import-untyped]
import yaml

from aihq.publication import fields as catalogue
from aihq.publication import opendata
from aihq.publication.selectors import completeness

VIEW = {
    "name": "Чат-бот портала",
    "organisation": {"code": "MIN", "name_en": "Ministry", "name_ru": "Министерство"},
    "stage": {"code": "pilot", "name_en": "Pilot", "name_ru": "Пилот"},
    "sectors": [
        {"code": "health", "name_en": "Health", "name_ru": "Здравоохранение"},
        {"code": "it", "name_en": "IT", "name_ru": "ИТ"},
    ],
    "is_generative": True,
    "risk_tiers": [
        {
            "code": "eu-ai-act:high_risk",
            "framework": "eu-ai-act",
            "framework_en": "EU Artificial Intelligence Act (Regulation (EU) 2024/1689)",
            "framework_ru": "Регламент ЕС об ИИ (Регламент 2024/1689)",
            "name_en": "High-risk",
            "name_ru": "Высокий риск",
        }
    ],
    "purpose": "Отвечать на ВОПРОСЫ граждан",
    "suppliers": [{"name": "Sber", "country": "RU"}, {"name": "Acme, Inc.", "country": ""}],
    "impact_assessments": [
        {
            "code": "eu-art-27",
            "framework": "eu-ai-act",
            "cite": "Art. 27",
            "title_en": "Fundamental rights impact assessment",
            "title_ru": "",
            "status": "met",
            "status_en": "Met",
            "status_ru": "Выполнено",
        }
    ],
    "date_deployed": None,
}


def test_a_version_shows_what_was_public_then_and_is_public_now_and_always_its_name_and_organisation():
    assert catalogue.visible_keys(["purpose", "stage"], ["stage", "contact"]) == ["name", "organisation", "stage"]
    assert catalogue.visible_keys([], []) == ["name", "organisation"]


def test_public_view_keeps_only_the_keys_in_catalogue_order():
    view = catalogue.public_view(VIEW, ["stage", "name", "contact"])
    assert list(view) == ["name", "stage"]


def test_facets_carry_codes_and_labels_and_tiers_say_their_framework():
    facets = catalogue.facet_labels(VIEW)
    assert [v["code"] for v in facets["sectors"]] == ["health", "it"]
    assert facets["is_generative"] == [{"code": "yes", "en": "Yes", "ru": "Да"}]
    assert facets["risk_tiers"][0]["en"] == "High-risk (EU Artificial Intelligence Act)"
    assert facets["risk_tiers"][0]["ru"] == "Высокий риск (Регламент ЕС об ИИ)"
    text = catalogue.facet_key_text(VIEW)
    assert "|sectors=it|" in text
    assert "|stage=pilot|" in text
    assert "|risk_tiers=eu-ai-act:high_risk|" in text
    assert catalogue.facet_key_text({"name": "x"}) == ""


def test_search_text_is_case_folded_cyrillic_included_and_reads_only_the_view():
    text = catalogue.search_text(catalogue.public_view(VIEW, ["purpose", "sectors"]))
    assert "вопросы граждан" in text
    assert "здравоохранение" in text
    assert "health" in text
    assert "sber" not in text  # suppliers were not in the view
    assert catalogue.search_terms("  ВОПРОСЫ  Граждан ") == ["вопросы", "граждан"]


def test_changed_keys_compare_values():
    before = {"name": "a", "stage": {"code": "pilot"}}
    assert catalogue.changed_keys(before, {"name": "b", "stage": {"code": "pilot"}}) == ["name"]
    assert catalogue.changed_keys(None, before) == ["name", "stage"]


def test_completeness_counts_the_filled_optional_public_fields():
    keys = ["name", "organisation", "purpose", "outputs", "contact", "suppliers"]
    assert completeness({"name": "x", "purpose": "p", "outputs": "", "contact": None, "suppliers": [1]}, keys) == 0.5
    assert completeness({"name": "x"}, ["name", "organisation"]) is None


def test_flat_rows_give_codes_and_names_in_both_languages():
    row = opendata.flat({"id": 3, **VIEW})
    assert row["sectors"] == "health; it"
    assert row["sectors_ru"] == "Здравоохранение; ИТ"
    assert row["stage"] == "pilot"
    assert row["stage_en"] == "Pilot"
    assert row["is_generative"] == "yes"
    assert row["suppliers"] == "Sber (RU); Acme, Inc."
    assert row["impact_assessments"] == "eu-art-27=met"
    assert row["impact_assessments_ru"] == "Fundamental rights impact assessment: Выполнено"
    assert row["date_deployed"] == ""
    columns = opendata.columns(["stage", "purpose", "name"])
    assert columns == ["id", "url", "version", "published_at", "name", "purpose", "stage", "stage_en", "stage_ru"]


def test_a_record_of_every_field_validates_against_the_published_schema():
    record = opendata.record_json(
        1,
        "http://x/register/records/1/",
        2,
        __import__("datetime").datetime(2026, 1, 2, 3, 4, 5),
        {
            **VIEW,
            "date_deployed": "2025-01-01",
            "regions": [{"code": "RU-TA", "name_en": "Tatarstan", "name_ru": "Татарстан"}],
        },
    )
    schema = opendata.json_schema()
    jsonschema.Draft202012Validator.check_schema(schema)
    jsonschema.validate(record, schema)
    record["secret"] = "x"
    try:
        jsonschema.validate(record, schema)
    except jsonschema.ValidationError:
        pass
    else:  # pragma: no cover - the schema must refuse unknown properties
        raise AssertionError("unknown property accepted")
    assert set(schema["properties"]) == {"id", "url", "version", "published_at", "history", *catalogue.KEYS}


def test_the_mappings_name_only_fields_the_register_has_and_cover_every_field():
    mappings = yaml.safe_load(opendata.MAPPINGS.read_text(encoding="utf-8"))
    known = set(catalogue.KEYS) | {"id", "url", "version", "published_at"}
    used: set[str] = set()
    codes = []
    for standard in mappings["standards"]:
        codes.append(standard["code"])
        assert standard["title_en"]
        assert standard.get("source")
        for item in standard["fields"]:
            assert item["fit"] in {"exact", "partial", "none"}, item
            assert set(item["aihq"]) <= known, item
            if item["fit"] == "none":
                assert not item["aihq"], item
            if item.get("note_en"):
                assert item.get("note_ru"), item
            used |= set(item["aihq"])
    assert {"uk-atrs", "nl-algoritmeregister", "eu-annex-viii-a"} <= set(codes)
    unmapped = {item["key"] if isinstance(item, dict) else item for item in mappings.get("unmapped", [])}
    assert known <= used | unmapped
