"""The OpenAPI schema tells the truth about errors, nulls and lists (aihq.core.schema.AutoSchema and the
annotations the API fuzz test showed wrong)."""

from __future__ import annotations

from typing import Any

import pytest


@pytest.fixture(scope="module")
def openapi() -> dict[str, Any]:
    from drf_spectacular.generators import SchemaGenerator

    return SchemaGenerator().get_schema(request=None, public=True)  # type: ignore[no-any-return]


def _operations(openapi: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [
        (method.upper(), path, operation)
        for path, item in openapi["paths"].items()
        for method, operation in item.items()
        if method in ("get", "post", "put", "patch", "delete")
    ]


def test_every_operation_documents_the_errors_it_can_answer_with(openapi):
    for method, path, operation in _operations(openapi):
        codes = set(operation["responses"])
        assert {"400", "401", "403", "404", "429"} <= codes, (method, path, sorted(codes))
        if method != "GET":
            assert "409" in codes, (method, path)


@pytest.mark.parametrize(
    ("method", "path", "reads_if_match"),
    [
        ("post", "/api/v1/use-cases/", False),
        ("patch", "/api/v1/use-cases/{id}/", True),
        ("put", "/api/v1/use-cases/{id}/", True),
        ("delete", "/api/v1/use-cases/{id}/", True),
        ("post", "/api/v1/risks/", False),
        ("delete", "/api/v1/risks/{id}/", False),
        ("post", "/api/v1/publications/", True),
        ("post", "/api/v1/pair-decisions/", True),
        ("patch", "/api/v1/sovereignty/settings/", True),
        ("post", "/api/v1/webhook-endpoints/{id}/rotate-secret/", True),
    ],
)
def test_412_is_documented_exactly_on_the_writes_that_read_if_match(openapi, method, path, reads_if_match):
    assert ("412" in openapi["paths"][path][method]["responses"]) is reads_if_match


def test_an_error_is_described_as_the_exception_handler_writes_it(openapi):
    error = openapi["components"]["schemas"]["Error"]
    assert error["required"] == ["detail", "errors"]
    assert set(error["properties"]) == {"detail", "errors", "current_version"}
    response = openapi["paths"]["/api/v1/use-cases/{id}/"]["patch"]["responses"]["412"]
    assert response["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/Error"}


def test_a_read_only_field_of_a_nullable_model_field_is_nullable(openapi):
    schemas = openapi["components"]["schemas"]
    assert schemas["Incident"]["properties"]["reported_by"]["nullable"] is True
    assert schemas["Measurement"]["properties"]["organisation"]["nullable"] is True
    # A reverse relation is a list, and a field with a default through an empty relation gets the default.
    assert "nullable" not in schemas["Incident"]["properties"]["transitions"]
    assert "nullable" not in schemas["Component"]["properties"]["supplier_name"]


def test_a_read_only_choice_of_a_blank_model_field_may_be_blank(openapi):
    from_status = openapi["components"]["schemas"]["IncidentTransition"]["properties"]["from_status"]
    assert {"$ref": "#/components/schemas/BlankEnum"} in from_status["oneOf"]


@pytest.mark.parametrize("path", ["/api/v1/publications/{id}/versions/", "/api/v1/classifications/{id}/revisions/"])
def test_a_record_history_is_documented_as_the_whole_list_it_is(openapi, path):
    schema = openapi["paths"][path]["get"]["responses"]["200"]["content"]["application/json"]["schema"]
    assert schema["type"] == "array"


def test_the_duplicates_list_is_documented_as_the_page_it_is(openapi):
    schema = openapi["paths"]["/api/v1/duplicates/"]["get"]["responses"]["200"]["content"]["application/json"]
    assert schema["schema"] == {"$ref": "#/components/schemas/PaginatedDuplicatePairList"}


def test_the_export_documents_each_format_s_content_type(openapi):
    content = openapi["paths"]["/api/v1/use-cases/export/"]["get"]["responses"]["200"]["content"]
    assert set(content) == {
        "text/csv",
        "application/json",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    }


@pytest.mark.parametrize(
    "url", ["/api/v1/sovereignty/settings/", "/api/v1/publication-profile/", "/api/v1/evaluation-settings/"]
)
def test_settings_never_saved_take_back_the_version_they_showed(api_client_for, url):
    client = api_client_for("hq_admin")
    shown = client.get(url).json()
    assert (shown["version"], shown["updated_at"]) == (0, None)
    response = client.patch(url, {"version": 0}, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["version"] == 1
    assert response.json()["updated_at"] is not None


def test_a_component_without_a_supplier_keeps_its_supplier_fields_in_the_answer_to_a_patch(
    api_client_for, system_actor
):
    from aihq.sovereignty.services import component_create

    component = component_create(actor=system_actor, type="model", name="Local model")
    response = api_client_for("hq_admin").patch(f"/api/v1/components/{component.pk}/", {"release": "2"}, format="json")
    assert response.status_code == 200, response.content
    assert (response.json()["supplier_name"], response.json()["jurisdiction"]) == ("", "")
