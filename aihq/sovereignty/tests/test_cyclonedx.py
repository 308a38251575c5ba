"""CycloneDX 1.6 AI-BOM import and export, checked against the schema shipped in the package."""

from __future__ import annotations

import dataclasses
import hashlib
import json
import re
import socket
from pathlib import Path
from typing import Any

import pytest

from aihq.sovereignty import cyclonedx
from aihq.sovereignty.cyclonedx import ExportComponent, InvalidBom, Organisation, build_bom, parse_bom, validate

DATA = Path(__file__).parent / "data"
OK = DATA / "aibom-ok.json"
SERIAL = "urn:uuid:0b3c8d62-5f0e-4d8a-9f51-2a7c4e9d1b60"
STAMP = "2025-06-01T12:00:00Z"


def fixture() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(OK.read_text(encoding="utf-8"))
    return data


def by_name(parsed: cyclonedx.ParsedBom, name: str) -> cyclonedx.BomComponent:
    return next(c for c in parsed.components if c.name == name)


def only_error(parsed: cyclonedx.ParsedBom) -> Any:
    assert len(parsed.errors) == 1, [p.as_dict() for p in parsed.problems]
    return parsed.errors[0]


def sample_components() -> list[ExportComponent]:
    return [
        ExportComponent(
            type="model",
            name="GigaChat Pro",
            version="2",
            group="sber",
            description="Domestic LLM, used through an on-premises licence.",
            supplier=Organisation("SberDevices", "RU", "https://developers.sber.ru/"),
            licence="LicenseRef-GigaChat-Commercial",
            open_weights=False,
            model_card={"modelParameters": {"task": "text-generation", "architectureFamily": "gigachat"}},
            hosting="on_premises",
            replaceability="effort",
            criticality="critical",
            role="inference",
            alternatives="YandexGPT",
            model_family="gigachat",
            switch_cost="3 months, 2 engineers",
            bom_ref="model:gigachat-pro",
        ),
        ExportComponent(type="dataset", name="Court rulings 2015–2024", licence="CC-BY-4.0", criticality="important"),
        ExportComponent(
            type="framework",
            name="transformers",
            version="4.44.2",
            supplier=Organisation("Hugging Face", "US", ""),
            licence="Apache-2.0",
        ),
        ExportComponent(
            type="cloud", name="Selectel", supplier=Organisation("Selectel", "RU"), hosting="domestic_cloud"
        ),
        ExportComponent(type="hardware", name="A100 80GB", supplier=Organisation("NVIDIA Corporation", "US")),
        ExportComponent(
            type="api_service",
            name="YandexGPT API",
            supplier=Organisation("Yandex", "RU", "https://yandex.cloud/"),
            licence="MIT OR Apache-2.0",
            hosting="domestic_cloud",
            replaceability="drop_in",
        ),
    ]


# --- the shipped schema ---------------------------------------------------------------------------------


def test_shipped_schema_files_are_the_ones_the_readme_names():
    readme = (cyclonedx.SCHEMA_DIR / "README.md").read_text(encoding="utf-8")
    for name in cyclonedx.SCHEMA_FILES:
        digest = hashlib.sha256((cyclonedx.SCHEMA_DIR / name).read_bytes()).hexdigest()
        assert re.search(rf"`{re.escape(name)}`.*`{digest}`", readme), name


def test_bom_schema_refers_to_the_shipped_files_by_their_published_names():
    text = (cyclonedx.SCHEMA_DIR / cyclonedx.BOM_SCHEMA).read_text(encoding="utf-8")
    assert "SNAPSHOT" not in text
    assert '"$ref": "spdx.schema.json"' in text
    assert '"$ref": "jsf-0.82.schema.json#/definitions/signature"' in text


def test_every_ref_in_the_shipped_schema_resolves_locally():
    registry = cyclonedx.schema_registry()
    refs: set[str] = set()

    def collect(node: Any) -> None:
        if isinstance(node, dict):
            if isinstance(node.get("$ref"), str):
                refs.add(node["$ref"])
            for value in node.values():
                collect(value)
        elif isinstance(node, list):
            for value in node:
                collect(value)

    collect(json.loads((cyclonedx.SCHEMA_DIR / cyclonedx.BOM_SCHEMA).read_text(encoding="utf-8")))
    resolver = registry.resolver(base_uri=cyclonedx.SCHEMA_URL)
    assert len(refs) > 50
    for ref in sorted(refs):
        assert resolver.lookup(ref).contents is not None, ref


def test_validation_never_opens_a_connection(monkeypatch):
    def refuse(*args: Any, **kwargs: Any) -> None:
        raise AssertionError("the schema check tried to use the network")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    cyclonedx._validator.cache_clear()
    cyclonedx.schema_registry()
    assert validate(fixture()) == []
    doc = fixture()
    doc["components"][0]["licenses"] = [{"license": {"id": "Not-An-SPDX-Id"}}]  # needs spdx.schema.json
    doc["components"][0]["signature"] = {"algorithm": "nope", "value": "x"}  # needs jsf-0.82.schema.json
    problems = validate(doc)
    assert any(p.startswith("components[0].licenses") for p in problems)
    assert any(p.startswith("components[0].signature") for p in problems)


def test_a_bom_signed_with_a_known_algorithm_passes_the_jsf_part():
    doc = fixture()
    doc["components"][0]["signature"] = {"algorithm": "ES256", "value": "c2lnbmF0dXJl"}
    assert validate(doc) == []


# --- reading the fixture --------------------------------------------------------------------------------


def test_the_realistic_ai_bom_parses_without_problems():
    parsed = parse_bom(OK.read_bytes())
    assert parsed.problems == ()
    assert parsed.spec_version == "1.6"
    assert parsed.serial_number == "urn:uuid:6f1c2b7e-3d4a-4e5f-9a8b-0c1d2e3f4a5b"
    assert parsed.subject_name == "Citizen appeals triage assistant"
    assert parsed.subject_ref == "use-case:appeals-triage"
    assert [(c.type, c.cdx_type, c.name) for c in parsed.components] == [
        ("model", "machine-learning-model", "Llama-3.1-8B-Instruct"),
        ("dataset", "data", "Citizen appeals 2023, anonymised"),
        ("framework", "library", "torch"),
        ("cloud", "platform", "Yandex Cloud"),
        ("hardware", "device", "H100 SXM5 80GB"),
        ("api_service", "service", "GigaChat API"),
    ]


def test_text_and_a_decoded_object_read_the_same_as_bytes():
    from_bytes = parse_bom(OK.read_bytes())
    assert parse_bom(OK.read_text(encoding="utf-8")) == from_bytes
    assert parse_bom(fixture()) == from_bytes


def test_the_open_weights_model_keeps_its_foreign_supplier_licence_and_model_card():
    parsed = parse_bom(OK.read_bytes())
    model = by_name(parsed, "Llama-3.1-8B-Instruct")
    assert model.bom_ref == "model:llama-3.1-8b-instruct"
    assert (model.group, model.version) == ("meta-llama", "3.1")
    assert model.supplier == Organisation("Meta Platforms, Inc.", "US", "https://ai.meta.com/")
    assert model.supplier_from == "supplier"
    assert model.licence == "LicenseRef-Llama-3.1-Community-License"
    assert model.open_weights is True
    assert model.model_card == fixture()["components"][0]["modelCard"]
    assert model.model_card is not None
    assert model.model_card["modelParameters"]["datasets"] == [{"ref": "data:appeals-2023"}]
    assert (model.hosting, model.criticality, model.replaceability) == ("on_premises", "critical", "effort")
    assert (model.role, model.alternatives, model.model_family) == ("inference", "GigaChat, YandexGPT", "llama")
    assert model.properties["huggingface:revision"] == "0e9e39f249a16976918f6564b8830bc894c89659"
    assert model.raw == fixture()["components"][0]
    assert (model.row, model.path) == (1, "components[0]")


def test_framework_cloud_and_dataset_carry_licence_and_jurisdiction():
    parsed = parse_bom(OK.read_bytes())
    torch = by_name(parsed, "torch")
    assert torch.supplier == Organisation("The Linux Foundation", "US", "https://pytorch.org/")
    assert torch.licence == "BSD-3-Clause"
    assert torch.open_weights is None
    cloud = by_name(parsed, "Yandex Cloud")
    assert cloud.supplier is not None
    assert cloud.supplier.country == "RU"
    assert cloud.hosting == "domestic_cloud"
    assert cloud.licence == ""
    dataset = by_name(parsed, "Citizen appeals 2023, anonymised")
    assert dataset.supplier is not None
    assert dataset.supplier.country == "RU"
    assert dataset.licence == "LicenseRef-Proprietary"


def test_a_nested_accelerator_is_flattened_with_its_path_and_manufacturer():
    gpu = by_name(parse_bom(OK.read_bytes()), "H100 SXM5 80GB")
    assert gpu.path == "components[3].components[0]"
    assert gpu.row == 4
    assert gpu.supplier == Organisation("NVIDIA Corporation", "US", "https://www.nvidia.com/")
    assert gpu.supplier_from == "manufacturer"
    assert gpu.criticality == "critical"


def test_an_api_comes_from_services_with_its_provider():
    api = by_name(parse_bom(OK.read_bytes()), "GigaChat API")
    assert (api.type, api.cdx_type, api.path, api.row) == ("api_service", "service", "services[0]", 1)
    assert api.supplier == Organisation("SberDevices", "RU", "https://developers.sber.ru/")
    assert api.supplier_from == "provider"
    assert api.licence == "LicenseRef-GigaChat-API-terms-of-use"
    assert api.model_card is None


def test_dependencies_are_read_by_bom_ref():
    parsed = parse_bom(OK.read_bytes())
    assert parsed.dependencies["use-case:appeals-triage"] == (
        "model:llama-3.1-8b-instruct",
        "data:appeals-2023",
        "cloud:yandex-cloud",
        "service:gigachat-api",
    )
    assert parsed.dependencies["cloud:yandex-cloud"] == ("hw:nvidia-h100-sxm5-80gb",)


def test_a_lone_url_string_and_a_missing_address_are_tolerated():
    doc = fixture()
    doc["components"][2]["supplier"] = {"name": "PyTorch Foundation", "url": "https://pytorch.org/"}
    parsed = parse_bom(doc)
    assert by_name(parsed, "torch").supplier == Organisation("PyTorch Foundation", "", "https://pytorch.org/")
    assert [e.field for e in parsed.errors] == ["components[2].supplier.url"]  # the schema wants an array


def test_supplier_wins_over_manufacturer_and_both_countries_are_checked():
    doc = fixture()
    doc["components"][0]["manufacturer"] = {"name": "Meta AI", "address": {"country": "Narnia"}}
    parsed = parse_bom(doc)
    assert by_name(parsed, "Llama-3.1-8B-Instruct").supplier_from == "supplier"
    assert only_error(parsed).field == "components[0].manufacturer.address.country"


@pytest.mark.parametrize(
    ("licenses", "expected"),
    [
        ([{"expression": "Apache-2.0 AND (MIT OR GPL-2.0-only)"}], "Apache-2.0 AND (MIT OR GPL-2.0-only)"),
        ([{"license": {"id": "MIT"}}, {"license": {"id": "Apache-2.0"}}], "MIT AND Apache-2.0"),
        ([{"license": {"name": "apache-2.0"}}], "Apache-2.0"),
        ([{"license": {"name": "Tongyi Qianwen LICENSE AGREEMENT"}}], "LicenseRef-Tongyi-Qianwen-LICENSE-AGREEMENT"),
        ([{"license": {"name": "LicenseRef-Acme-1"}}], "LicenseRef-Acme-1"),
        ([{"license": {"id": "MIT"}}, {"license": {"name": "Acme EULA (v2)"}}], "MIT AND LicenseRef-Acme-EULA-v2"),
        (
            [{"license": {"id": "Apache-2.0"}}, {"license": {"name": "Apache-2.0 WITH LLVM-exception"}}],
            "Apache-2.0 AND LicenseRef-Apache-2.0-WITH-LLVM-exception",
        ),
    ],
)
def test_licences_become_one_spdx_expression(licenses, expected):
    doc = fixture()
    doc["components"][2]["licenses"] = licenses
    parsed = parse_bom(doc)
    assert parsed.errors == ()
    assert by_name(parsed, "torch").licence == expected


# --- what is wrong, and where ---------------------------------------------------------------------------


def test_a_file_that_is_not_json_is_one_error_on_the_file():
    parsed = parse_bom(b'{"bomFormat": "CycloneDX", "specVersion": "1.6",,}')
    error = only_error(parsed)
    assert (error.row, error.field) == (0, "file")
    assert "not valid JSON" in error.message
    assert "line 1, column" in error.message
    assert parsed.components == ()


def test_a_file_that_is_not_utf8_is_one_error_on_the_file():
    error = only_error(parse_bom('{"name": "Привет"}'.encode("cp1251")))
    assert (error.row, error.field) == (0, "file")
    assert "UTF-8" in error.message


def test_json_that_is_not_an_object_is_refused():
    error = only_error(parse_bom("[1, 2, 3]"))
    assert (error.field, error.value) == ("file", "[1, 2, 3]")


def test_an_spdx_document_is_not_taken_for_cyclonedx():
    error = only_error(parse_bom({"spdxVersion": "SPDX-2.3", "bomFormat": "SPDX", "specVersion": "1.6"}))
    assert (error.row, error.field, error.value) == (0, "bomFormat", "SPDX")
    assert "CycloneDX" in error.message


def test_cyclonedx_1_4_is_refused_with_the_version():
    doc = fixture()
    doc["specVersion"] = "1.4"
    parsed = parse_bom(doc)
    error = only_error(parsed)
    assert (error.field, error.value) == ("specVersion", "1.4")
    assert "1.4" in error.message
    assert "1.6" in error.message
    assert parsed.components == ()


def test_cyclonedx_1_5_is_read_with_a_warning_when_it_passes_the_1_6_schema():
    doc = fixture()
    doc["specVersion"] = "1.5"
    doc["$schema"] = "http://cyclonedx.org/schema/bom-1.5.schema.json"
    parsed = parse_bom(doc)
    assert parsed.errors == ()
    assert [(w.field, w.value) for w in parsed.warnings] == [("specVersion", "1.5")]
    assert len(parsed.components) == 6


def test_a_component_without_a_name_is_an_error_on_its_row():
    doc = fixture()
    del doc["components"][2]["name"]
    error = only_error(parse_bom(doc))
    assert (error.row, error.field, error.level) == (3, "components[2].name", "error")
    assert "name" in error.message


def test_a_blank_name_is_an_error_too():
    doc = fixture()
    doc["services"][0]["name"] = "  "
    error = only_error(parse_bom(doc))
    assert (error.row, error.field) == (1, "services[0].name")


@pytest.mark.parametrize("country", ["Narnia", "XX", "R", "ZZZ"])
def test_a_country_that_is_not_iso_3166_is_an_error_with_the_value(country):
    doc = fixture()
    doc["components"][2]["supplier"]["address"]["country"] = country
    parsed = parse_bom(doc)
    error = only_error(parsed)
    assert (error.row, error.field, error.value) == (3, "components[2].supplier.address.country", country)
    assert country in error.message
    assert "ISO 3166-1" in error.message
    assert by_name(parsed, "torch").supplier == Organisation("The Linux Foundation", "", "https://pytorch.org/")


def test_a_country_name_is_read_as_its_code_with_a_warning():
    doc = fixture()
    doc["components"][2]["supplier"]["address"]["country"] = "United States"
    parsed = parse_bom(doc)
    assert parsed.errors == ()
    assert [(w.field, w.value) for w in parsed.warnings] == [
        ("components[2].supplier.address.country", "United States")
    ]
    assert by_name(parsed, "torch").supplier == Organisation("The Linux Foundation", "US", "https://pytorch.org/")


def test_a_duplicate_bom_ref_is_an_error_where_it_repeats():
    doc = fixture()
    doc["components"][2]["bom-ref"] = "data:appeals-2023"
    error = only_error(parse_bom(doc))
    assert (error.row, error.field, error.value) == (3, "components[2].bom-ref", "data:appeals-2023")
    assert "components[1].bom-ref" in error.message


def test_a_duplicate_bom_ref_in_a_nested_component_names_its_place():
    doc = fixture()
    doc["components"][3]["components"][0]["bom-ref"] = "cloud:yandex-cloud"
    error = only_error(parse_bom(doc))
    assert (error.row, error.field) == (4, "components[3].components[0].bom-ref")


def test_a_component_type_the_schema_does_not_know_is_a_schema_error():
    doc = fixture()
    doc["components"][1]["type"] = "spaceship"
    parsed = parse_bom(doc)
    error = only_error(parsed)
    assert (error.row, error.field, error.value) == (2, "components[1].type", "spaceship")
    assert "CycloneDX 1.6 schema" in error.message
    assert "spaceship" in error.message
    assert parsed.warnings == ()


def test_schema_errors_inside_a_component_name_the_path():
    doc = fixture()
    doc["components"][0]["supplier"]["address"]["country"] = 643
    doc["components"][0]["modelCard"]["modelParameters"]["approach"]["type"] = "vibes"
    doc["serialNumber"] = "not-a-uuid"
    fields = {(p.row, p.field) for p in parse_bom(doc).errors}
    assert fields == {
        (0, "serialNumber"),
        (1, "components[0].supplier.address.country"),
        (1, "components[0].modelCard.modelParameters.approach.type"),
    }


def test_a_supplier_url_with_a_space_fails_the_iri_check():
    doc = fixture()
    doc["components"][2]["supplier"]["url"] = ["https://pytorch.org/get started"]
    error = only_error(parse_bom(doc))
    assert (error.row, error.field) == (3, "components[2].supplier.url[0]")
    assert "iri-reference" in error.message


def test_a_timestamp_that_is_not_rfc_3339_fails_the_format_check():
    doc = fixture()
    doc["metadata"]["timestamp"] = "14.03.2025 09:30"
    error = only_error(parse_bom(doc))
    assert (error.row, error.field, error.value) == (0, "metadata.timestamp", "14.03.2025 09:30")
    assert "date-time" in error.message


@pytest.mark.parametrize("stamp", ["2025-02-30T10:00:00Z", "2025-03-14T25:00:00Z", "2025-03-14", "2025-03-14T09:30:00"])
def test_impossible_or_incomplete_timestamps_are_errors(stamp):
    doc = fixture()
    doc["metadata"]["timestamp"] = stamp
    assert only_error(parse_bom(doc)).field == "metadata.timestamp"


@pytest.mark.parametrize("stamp", ["2025-03-14T09:30:00.123+03:00", "2016-12-31T23:59:60Z", "2025-03-14t09:30:00z"])
def test_rfc_3339_timestamps_pass(stamp):
    doc = fixture()
    doc["metadata"]["timestamp"] = stamp
    assert parse_bom(doc).errors == ()


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("aihq:hosting", "in_the_cloud"),
        ("aihq:criticality", "high"),
        ("aihq:replaceability", "easy"),
        ("aihq:open-weights", "yes"),
    ],
)
def test_an_aihq_property_with_an_unknown_value_is_an_error(name, value):
    doc = fixture()
    doc["components"][3]["properties"] = [{"name": name, "value": value}]
    error = only_error(parse_bom(doc))
    assert (error.row, error.field, error.value) == (4, "components[3].properties[0].value", value)
    assert name in error.message
    assert value in error.message


def test_the_same_aihq_choice_given_twice_differently_is_an_error():
    doc = fixture()
    doc["components"][3]["properties"].append({"name": "aihq:hosting", "value": "foreign_cloud"})
    error = only_error(parse_bom(doc))
    assert (error.field, error.value) == ("components[3].properties[4].value", "foreign_cloud")


def test_an_unknown_aihq_property_is_kept_with_a_warning():
    doc = fixture()
    doc["components"][3]["properties"].append({"name": "aihq:colour", "value": "blue"})
    parsed = parse_bom(doc)
    assert parsed.errors == ()
    assert [(w.field, w.value) for w in parsed.warnings] == [("components[3].properties[4].name", "aihq:colour")]
    assert by_name(parsed, "Yandex Cloud").properties["aihq:colour"] == "blue"


@pytest.mark.parametrize("cdx_type", ["application", "container", "file", "operating-system", "firmware"])
def test_a_component_type_outside_the_ai_bom_is_skipped_with_a_warning(cdx_type):
    doc = fixture()
    doc["components"].append({"type": cdx_type, "name": "nginx", "bom-ref": "other"})
    parsed = parse_bom(doc)
    assert parsed.errors == ()
    warning = parsed.warnings[0]
    assert (warning.row, warning.field, warning.value) == (5, "components[4].type", cdx_type)
    assert "nginx" not in [c.name for c in parsed.components]
    assert len(parsed.components) == 6


def test_what_is_inside_a_skipped_component_is_not_held_against_the_bom():
    doc = fixture()
    doc["components"].append(
        {
            "type": "firmware",
            "name": "BMC",
            "supplier": {"address": {"country": "XX"}},
            "properties": [{"name": "aihq:hosting", "value": "moon"}],
        }
    )
    parsed = parse_bom(doc)
    assert parsed.errors == ()
    assert [w.field for w in parsed.warnings] == ["components[4].type"]


def test_children_of_a_skipped_component_are_still_read():
    doc = fixture()
    gpu = doc["components"][3].pop("components")
    doc["components"].append({"type": "container", "name": "triage-api", "components": gpu})
    parsed = parse_bom(doc)
    assert parsed.errors == ()
    assert by_name(parsed, "H100 SXM5 80GB").path == "components[4].components[0]"


def test_a_dependency_on_an_unknown_bom_ref_is_a_warning():
    doc = fixture()
    doc["dependencies"][1]["dependsOn"].append("pkg:pypi/numpy@2.1.0")
    parsed = parse_bom(doc)
    assert parsed.errors == ()
    assert [(w.row, w.field) for w in parsed.warnings] == [(0, "dependencies[1].dependsOn[2]")]


def test_messages_go_through_the_given_gettext():
    doc = fixture()
    doc["components"][2]["supplier"]["address"]["country"] = "XX"
    catalog = {
        "%(value)s is not an ISO 3166-1 country: use the two-letter code, such as RU or US.": "%(value)s — не код"
    }
    error = only_error(parse_bom(doc, gettext=lambda message: catalog.get(message, message)))
    assert error.message == "XX — не код"


def test_a_broken_file_still_gives_what_it_can_for_a_preview():
    doc = fixture()
    doc["components"][0]["type"] = "spaceship"
    del doc["components"][2]["name"]
    parsed = parse_bom(doc)
    assert len(parsed.errors) == 2
    assert [c.name for c in parsed.components] == [
        "Citizen appeals 2023, anonymised",
        "",
        "Yandex Cloud",
        "H100 SXM5 80GB",
        "GigaChat API",
    ]


# --- writing --------------------------------------------------------------------------------------------


def test_build_bom_output_follows_the_schema():
    doc = build_bom("Court decisions search", "use-case:17", sample_components(), serial_number=SERIAL, timestamp=STAMP)
    assert validate(doc) == []
    assert doc["$schema"] == "http://cyclonedx.org/schema/bom-1.6.schema.json"
    assert (doc["bomFormat"], doc["specVersion"], doc["serialNumber"], doc["version"]) == (
        "CycloneDX",
        "1.6",
        SERIAL,
        1,
    )
    assert doc["metadata"]["timestamp"] == STAMP
    assert doc["metadata"]["tools"] == {"components": [{"type": "application", "name": "AIHQ"}]}
    assert doc["metadata"]["component"] == {
        "type": "application",
        "bom-ref": "use-case:17",
        "name": "Court decisions search",
    }


def test_build_bom_maps_types_and_puts_the_api_in_services():
    doc = build_bom("S", "use-case:1", sample_components(), serial_number=SERIAL, timestamp=STAMP)
    assert [c["type"] for c in doc["components"]] == ["machine-learning-model", "data", "library", "platform", "device"]
    assert [s["name"] for s in doc["services"]] == ["YandexGPT API"]
    assert doc["services"][0]["provider"] == {
        "name": "Yandex",
        "url": ["https://yandex.cloud/"],
        "address": {"country": "RU"},
    }
    refs = [c["bom-ref"] for c in doc["components"]] + [s["bom-ref"] for s in doc["services"]]
    assert doc["dependencies"] == [{"ref": "use-case:1", "dependsOn": refs}]
    assert len(set(refs)) == 6


def test_build_bom_writes_supplier_licences_model_card_and_aihq_properties():
    doc = build_bom("S", "use-case:1", sample_components(), serial_number=SERIAL, timestamp=STAMP)
    model, dataset = doc["components"][0], doc["components"][1]
    assert model["supplier"] == {
        "name": "SberDevices",
        "url": ["https://developers.sber.ru/"],
        "address": {"country": "RU"},
    }
    assert model["licenses"] == [{"expression": "LicenseRef-GigaChat-Commercial"}]
    assert dataset["licenses"] == [{"license": {"id": "CC-BY-4.0"}}]
    assert doc["services"][0]["licenses"] == [{"expression": "MIT OR Apache-2.0"}]
    assert model["modelCard"] == {"modelParameters": {"task": "text-generation", "architectureFamily": "gigachat"}}
    assert model["properties"] == [
        {"name": "aihq:role", "value": "inference"},
        {"name": "aihq:criticality", "value": "critical"},
        {"name": "aihq:hosting", "value": "on_premises"},
        {"name": "aihq:replaceability", "value": "effort"},
        {"name": "aihq:alternatives", "value": "YandexGPT"},
        {"name": "aihq:switch-cost", "value": "3 months, 2 engineers"},
        {"name": "aihq:model-family", "value": "gigachat"},
        {"name": "aihq:open-weights", "value": "false"},
    ]
    assert "supplier" not in dataset
    assert "version" not in dataset


def test_build_bom_is_deterministic_given_serial_and_timestamp():
    first = cyclonedx.dumps(build_bom("S", "use-case:1", sample_components(), serial_number=SERIAL, timestamp=STAMP))
    second = cyclonedx.dumps(build_bom("S", "use-case:1", sample_components(), serial_number=SERIAL, timestamp=STAMP))
    assert first == second
    assert json.loads(first)["serialNumber"] == SERIAL


def test_build_bom_without_serial_and_timestamp_makes_fresh_valid_ones():
    one = build_bom("S", "use-case:1", sample_components(), tool_version="0.1.0")
    two = build_bom("S", "use-case:1", sample_components())
    assert one["serialNumber"] != two["serialNumber"]
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", one["metadata"]["timestamp"])
    assert one["metadata"]["tools"]["components"][0]["version"] == "0.1.0"
    assert validate(one) == []


def test_build_bom_takes_a_bare_uuid_as_serial():
    doc = build_bom("S", "use-case:1", [], serial_number="0B3C8D62-5F0E-4D8A-9F51-2A7C4E9D1B60", timestamp=STAMP)
    assert doc["serialNumber"] == SERIAL
    assert doc["dependencies"] == [{"ref": "use-case:1", "dependsOn": []}]


def test_generated_bom_refs_stay_unique_for_same_named_components():
    twins = [ExportComponent(type="hardware", name="A100"), ExportComponent(type="hardware", name="A100")]
    doc = build_bom("S", "use-case:1", twins, serial_number=SERIAL, timestamp=STAMP)
    assert [c["bom-ref"] for c in doc["components"]] == ["hardware:a100", "hardware:a100-2"]


def test_build_bom_refuses_what_it_cannot_write():
    with pytest.raises(ValueError, match="spaceship"):
        build_bom("S", "u", [ExportComponent(type="spaceship", name="x")])
    with pytest.raises(ValueError, match="aihq:hosting"):
        build_bom("S", "u", [ExportComponent(type="model", name="x", hosting="moon")])
    with pytest.raises(ValueError, match="used twice"):
        build_bom("S", "u", [ExportComponent(type="model", name="x", bom_ref="u")])


def test_build_bom_refuses_a_model_card_the_schema_rejects():
    bad = ExportComponent(type="model", name="x", model_card={"modelParameters": {"approach": {"type": "vibes"}}})
    with pytest.raises(InvalidBom) as caught:
        build_bom("S", "u", [bad], serial_number=SERIAL, timestamp=STAMP)
    assert caught.value.messages[0].startswith("components[0].modelCard.modelParameters.approach.type: 'vibes'")


# --- round trip -----------------------------------------------------------------------------------------


def test_round_trip_gives_back_the_same_components():
    components = sample_components()
    doc = build_bom("Court decisions search", "use-case:17", components, serial_number=SERIAL, timestamp=STAMP)
    parsed = parse_bom(cyclonedx.dumps(doc))
    assert parsed.problems == ()
    assert (parsed.subject_name, parsed.subject_ref, parsed.serial_number) == (
        "Court decisions search",
        "use-case:17",
        SERIAL,
    )
    back = [ExportComponent.from_parsed(c) for c in parsed.components]
    refs = [c.bom_ref for c in back]
    expected = [dataclasses.replace(c, bom_ref=ref) for c, ref in zip(components, refs, strict=True)]
    assert back == expected
    assert parsed.dependencies == {"use-case:17": tuple(refs)}


def test_round_trip_of_the_fixture_keeps_every_aihq_field():
    first = parse_bom(OK.read_bytes())
    exported = [ExportComponent.from_parsed(c) for c in first.components]
    doc = build_bom(first.subject_name, first.subject_ref, exported, serial_number=SERIAL, timestamp=STAMP)
    second = parse_bom(doc)
    assert second.problems == ()
    assert [ExportComponent.from_parsed(c) for c in second.components] == exported


# --- validate() on documents made by hand ---------------------------------------------------------------


def test_validate_accepts_a_minimal_document():
    assert validate({"bomFormat": "CycloneDX", "specVersion": "1.6"}) == []


def test_validate_names_each_problem_of_a_hand_made_document():
    doc = {
        "bomFormat": "CycloneDX",
        "specVersion": "1.6",
        "serialNumber": "12345",
        "version": 0,
        "components": [
            {"type": "machine-learning-model", "name": "m", "supplier": {"name": "x", "url": "https://x"}},
            {"name": "no type"},
        ],
        "services": [{"name": "api", "endpoints": "https://api"}],
        "dependencies": [{"dependsOn": ["m"]}],
        "colour": "blue",
    }
    problems = validate(doc)
    for where in (
        "serialNumber: ",
        "version: 0 is less than the minimum of 1",
        "components[0].supplier.url: ",
        "components[1].type: 'type' is a required property",
        "services[0].endpoints: ",
        "dependencies[0].ref: 'ref' is a required property",
        "document: Additional properties are not allowed ('colour' was unexpected)",
    ):
        assert any(p.startswith(where) for p in problems), (where, problems)
    assert len(problems) == 7


def test_validate_finds_a_bad_licence_id_in_a_licence_list():
    doc = build_bom(
        "S", "u", [ExportComponent(type="framework", name="f", licence="MIT")], serial_number=SERIAL, timestamp=STAMP
    )
    doc["components"][0]["licenses"] = [{"license": {"id": "MIT-ish"}}]
    problems = validate(doc)
    assert len(problems) == 1
    assert problems[0].startswith("components[0].licenses")
