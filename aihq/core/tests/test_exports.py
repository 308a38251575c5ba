"""Formula injection is neutralised in every CSV and XLSX export, while numbers stay numbers.

The shared rule (aihq.core.exports) first, then each export path with an object named like a formula.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import load_workbook

from aihq.core.exports import is_plain_number, neutralise_formula, restore_formula, safe_cell

INJECTIONS = ['=HYPERLINK("http://evil","x")', "@SUM(1)", "+1+1", "-2+3+cmd|' /C calc'!A0", "\t=1", "\r=1"]
EVIL = INJECTIONS[0]


# the rule ----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("text", INJECTIONS)
def test_text_a_spreadsheet_would_run_gets_a_quote(text):
    assert safe_cell(text) == "'" + text
    assert restore_formula(safe_cell(text)) == text


@pytest.mark.parametrize("text", ["-12.5", "+3", "-1", "0", "1e6", "-2.5E-3", ".5", "-.5"])
def test_a_plain_number_written_as_text_is_data_and_stays(text):
    assert is_plain_number(text)
    assert safe_cell(text) == text


@pytest.mark.parametrize("text", ["-", "+", "1+1-", "-1,5", "- 1", "-1e", "--1", "-0x10", "-inf", "-NaN"])
def test_anything_else_starting_like_a_formula_is_not_a_plain_number(text):
    assert not is_plain_number(text)
    assert not neutralise_formula(text).startswith(("=", "+", "-", "@"))


@pytest.mark.parametrize("value", [-12.5, -3, 0, Decimal("-1.25"), True, None, dt.date(2025, 1, 1)])
def test_values_that_are_not_text_are_written_as_they_are(value):
    assert safe_cell(value) is value


def read_csv(content: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))


def read_xlsx(content: bytes):
    return load_workbook(io.BytesIO(content)).worksheets[0]


def xlsx_cells(content: bytes, value: str):
    """Every cell of the first sheet whose text contains ``value``."""
    return [cell for row in read_xlsx(content).iter_rows() for cell in row if value in str(cell.value or "")]


def assert_csv_neutralised(content: bytes, text: str = EVIL) -> None:
    cells = [cell for row in read_csv(content) for cell in row]
    assert "'" + text in cells
    assert text not in cells


def assert_xlsx_neutralised(content: bytes, text: str = EVIL) -> None:
    cells = xlsx_cells(content, text)
    assert cells
    for cell in cells:
        assert cell.data_type == "s"
        assert cell.value == "'" + text


# the shared writer -------------------------------------------------------------------------------------------


def test_the_shared_writer_keeps_numbers_as_numbers_in_a_workbook():
    from aihq.exchange.services import write_rows

    headers = ["name", "score", "delta", "as_text"]
    content = write_rows(headers, [{"name": EVIL, "score": 0.87, "delta": -12.5, "as_text": "-4"}], "xlsx")
    sheet = read_xlsx(content)
    name, score, delta, as_text = (cell for cell in sheet[2])
    assert (name.value, name.data_type) == ("'" + EVIL, "s")
    assert (score.value, score.data_type) == (0.87, "n")
    assert (delta.value, delta.data_type) == (-12.5, "n")
    assert (as_text.value, as_text.data_type) == ("-4", "s")
    assert read_csv(write_rows(headers, [{"name": "@SUM(1)", "score": 1, "delta": -12.5, "as_text": "-4"}], "csv"))[
        1
    ] == ["'@SUM(1)", "1", "-12.5", "-4"]


# each export path --------------------------------------------------------------------------------------------


@pytest.fixture
def evil_use_case(world, system_actor):
    from aihq.registry.services import use_case_update

    return use_case_update(
        actor=system_actor, use_case=world.uc_a, name=EVIL, description="@SUM(1)", purpose="+1+1", outputs="-12.5"
    )


@pytest.mark.django_db
@pytest.mark.parametrize("format_name", ["csv", "omb-2024", "omb-2025"])
def test_the_use_case_csv_exports_neutralise_formulas_and_keep_numbers(evil_use_case, page_client_for, format_name):
    content = page_client_for("editor_a").get("/use-cases/export/", {"format": format_name}).content
    assert_csv_neutralised(content)
    if format_name == "csv":
        row = dict(zip(*read_csv(content)[:2], strict=True))
        assert (row["description"], row["purpose"], row["outputs"]) == ("'@SUM(1)", "'+1+1", "-12.5")


@pytest.mark.django_db
def test_the_use_case_xlsx_export_neutralises_formulas(evil_use_case, api_client_for):
    content = api_client_for("editor_a").get("/api/v1/use-cases/export/", {"format": "xlsx"}).content
    assert_xlsx_neutralised(content)
    assert_xlsx_neutralised(content, "+1+1")


@pytest.mark.django_db
def test_the_use_case_export_still_imports_back_unchanged(evil_use_case, world, system_actor):
    from aihq.exchange.services import ImportOptions, export_queryset, import_usecases
    from aihq.registry.models import UseCase

    for kind in ("csv", "xlsx"):
        content, _type, _ext = export_queryset(UseCase.objects.filter(pk=evil_use_case.pk), "csv", kind)
        UseCase.objects.filter(pk=evil_use_case.pk).delete()
        run = import_usecases(actor=system_actor, data=content, file_name=f"x.{kind}", options=ImportOptions())
        assert run.status == "applied", run.error
        evil_use_case = UseCase.objects.get(organisation=world.org_a)
        assert (evil_use_case.name, evil_use_case.purpose, evil_use_case.outputs) == (EVIL, "+1+1", "-12.5")


@pytest.mark.django_db
def test_an_import_rejects_file_neutralises_the_rows_it_gives_back(world, page_client_for):
    from aihq.exchange.models import ImportRun

    data = f'name,organisation,stage\n"{EVIL.replace(chr(34), chr(34) * 2)}",NOPE,pilot\n'.encode()
    client = page_client_for("editor_a")
    client.post("/imports/new/", {"file": SimpleUploadedFile("bad.csv", data), "on_conflict": "update"})
    run = ImportRun.objects.get()
    assert run.rejects_file
    response = client.get(f"/imports/{run.pk}/rejects/")
    assert_csv_neutralised(b"".join(response.streaming_content))


@pytest.mark.django_db
@pytest.mark.parametrize("extension", ["csv", "xlsx"])
def test_the_risk_register_export_neutralises_formulas_and_keeps_scores_numeric(world, page_client_for, extension):
    from aihq.regulation import services

    services.risk_create(
        actor=world.users["editor_a"], use_case=world.uc_a, title=EVIL, category="1.1", likelihood=4, severity=5
    )
    content = page_client_for("editor_a").get(f"/regulation/risks.{extension}").content
    if extension == "csv":
        assert_csv_neutralised(content)
        return
    assert_xlsx_neutralised(content)
    sheet = read_xlsx(content)
    headers = [cell.value for cell in sheet[1]]
    score = sheet[2][headers.index("score")]
    assert (score.value, score.data_type) == (20, "n")


@pytest.mark.django_db
@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_the_public_register_download_neutralises_formulas(evil_use_case, world, system_actor, client, kind):
    from aihq.publication import services

    services.profile_update(actor=system_actor, enabled=True)
    record = services.request_publication(actor=world.users["coordinator_a"], use_case=evil_use_case, contact="a@b.c")
    services.approve(actor=world.users["coordinator_a"], record=record)
    content = client.get(f"/register/register.{kind}").content
    if kind == "csv":
        assert_csv_neutralised(content)
    else:
        assert_xlsx_neutralised(content)


@pytest.mark.django_db
@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_the_coordination_report_neutralises_formulas_and_keeps_scores_numeric(
    evil_use_case, world, page_client_for, kind
):
    from aihq.coordination.models import PairDecision, SimilarPair

    first, second = sorted([evil_use_case.pk, world.uc_b.pk])
    SimilarPair.objects.create(use_case_a_id=first, use_case_b_id=second, score=0.875, cluster=1, model="test")
    assert not PairDecision.objects.exists()
    content = page_client_for("hq_admin").get("/coordination/organisations/A/", {"format": kind}).content
    if kind == "csv":
        assert_csv_neutralised(content)
        return
    assert_xlsx_neutralised(content)
    score = read_xlsx(content)[2][0]
    assert (score.value, score.data_type) == (0.875, "n")


@pytest.mark.django_db
def test_the_energy_run_csv_neutralises_formulas_and_keeps_negative_numbers(world, page_client_for, system_actor):
    from aihq.energy.models import ScenarioRun
    from aihq.energy.services import scenario_create

    scenario = scenario_create(actor=system_actor, code="S", name_en="S", start_year=2025, end_year=2026)
    bands = {"p10": [[-1.5]], "p50": [[2.0]], "p90": [[3.0]]}
    run = ScenarioRun.objects.create(
        scenario=scenario,
        scenario_version=1,
        samples=1,
        seed=1,
        results={"years": [2025], "regions": [EVIL], "national": {}, "regional": {"it_mw": bands}},
    )
    rows = read_csv(page_client_for("viewer_a").get(f"/energy/runs/{run.pk}.csv").content)
    assert rows[1] == ["'" + EVIL, "2025", "it_mw", "-1.5", "2.0", "3.0"]


@pytest.mark.django_db
def test_the_sovereignty_cut_off_scenario_csv_neutralises_formulas(world, page_client_for):
    from aihq.sovereignty import services

    supplier = services.supplier_create(actor=world.users["hq_admin"], name="@SUM(1)", jurisdiction="US")
    component = services.component_create(actor=world.users["editor_a"], type="model", name=EVIL, supplier=supplier)
    services.bom_add(actor=world.users["editor_a"], use_case=world.uc_a, component=component, criticality="critical")
    scenario = services.scenario_create(actor=world.users["hq_admin"], name="US", jurisdictions=["US"])
    content = page_client_for("hq_admin").get(f"/sovereignty/scenarios/{scenario.pk}/", {"format": "csv"}).content
    assert_csv_neutralised(content)
