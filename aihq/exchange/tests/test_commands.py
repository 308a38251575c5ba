"""aihq import_usecases and aihq export_usecases: what they write, what they print, how they exit."""

from __future__ import annotations

import csv
import io
import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from openpyxl import load_workbook

from aihq.accounts.permissions import SystemActor
from aihq.audit.models import AuditEvent
from aihq.exchange.models import ImportRun
from aihq.exchange.services import ensure_reference_sectors
from aihq.registry.models import Organisation, UseCase

pytestmark = pytest.mark.django_db

ROWS = (
    "reference,name,organisation,stage,sectors\r\n"
    "C-1,Command chatbot,A,pilot,healthcare\r\n"
    "C-2,Command vision,A1,production,\r\n"
    "C-3,Broken,A,someday,\r\n"
)


@pytest.fixture
def inventory(tmp_path, world):
    ensure_reference_sectors(SystemActor("test"))
    path = tmp_path / "inventory.csv"
    path.write_text(ROWS, encoding="utf-8")
    return path


def run(command: str, *args: str) -> tuple[int, str, str]:
    """(exit code, stdout, stderr) of an aihq command."""
    out, err = StringIO(), StringIO()
    try:
        call_command(command, *args, stdout=out, stderr=err)
        code = 0
    except SystemExit as exc:
        code = int(exc.code or 0)
    return code, out.getvalue(), err.getvalue()


def state() -> tuple[int, int, int]:
    return UseCase.objects.count(), Organisation.objects.count(), AuditEvent.objects.count()


def test_import_with_json_prints_the_run_report_and_imports_as_the_command_line(inventory):
    code, out, _err = run("import_usecases", str(inventory), "--json")
    assert code == 0
    report = json.loads(out)
    assert (report["status"], report["format"], report["format_detected"]) == ("applied", "csv", True)
    assert {k: report["counts"][k] for k in ("rows", "new", "rejected")} == {"rows": 3, "new": 2, "rejected": 1}
    assert report["problems"][0]["row"] == 4
    assert report["summary"].startswith("Imported: 3 rows — 2 new, 0 updated")
    assert report["rejects_file"].endswith("rejects.csv")
    created = UseCase.objects.get(reference="C-1")
    event = AuditEvent.objects.get(object_type="registry.usecase", object_id=str(created.pk))
    assert event.actor_label == "cli:import_usecases"
    assert ImportRun.objects.get(pk=report["id"]).actor is None


def test_import_without_json_ends_with_the_one_line_summary(inventory):
    code, out, _err = run("import_usecases", str(inventory))
    assert code == 0
    assert out.strip().splitlines()[-1].startswith("Imported: 3 rows — 2 new")


def test_an_import_dry_run_writes_nothing_and_says_what_it_would_do(inventory):
    before = state()
    code, out, _err = run("import_usecases", str(inventory), "--dry-run", "--json")
    assert code == 0
    report = json.loads(out)
    assert report["status"] == "dry_run"
    assert report["counts"]["new"] == 2
    assert report["summary"].startswith("Dry run — would import: 3 rows — 2 new")
    assert state() == before


def test_a_strict_import_with_a_bad_row_exits_2_and_writes_nothing(inventory):
    before = state()
    code, out, _err = run("import_usecases", str(inventory), "--strict", "--json")
    assert code == 2
    assert json.loads(out)["status"] == "aborted"
    assert state() == before


def test_a_file_that_cannot_be_read_exits_2_with_the_reason(tmp_path, world):
    path = tmp_path / "broken.xlsx"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(100))
    code, out, _err = run("import_usecases", str(path), "--json")
    assert code == 2
    report = json.loads(out)
    assert report["status"] == "failed"
    assert "password-protected" in report["error"]
    code, out, _err = run("import_usecases", str(path))
    assert code == 2
    assert out.strip().startswith("Failed: This is an encrypted (password-protected) workbook")


def test_import_into_a_named_organisation_as_a_named_user(tmp_path, world):
    ensure_reference_sectors(SystemActor("test"))
    path = tmp_path / "omb.csv"
    path.write_text(
        "2_use_case_name,3_agency,3_abr,4_bureau,16_dev_stage\nTool,New Agency,NEWAG,Office,Initiated\n",
        encoding="utf-8",
    )
    code, out, _err = run(
        "import_usecases", str(path), "--format", "omb-2024", "--organisation", "A", "--as-user", "editor_a", "--json"
    )
    assert code == 0
    report = json.loads(out)
    assert report["organisation"] == "A"
    assert report["counts"]["rejected"] == 1
    assert "you may not add organisations under A" in report["problems"][0]["message"]
    code, out, _err = run(
        "import_usecases", str(path), "--format", "omb-2024", "--organisation", "A", "--as-user", "coordinator_a"
    )
    assert code == 0
    assert Organisation.objects.get(code="NEWAG").parent == world.org_a


def test_import_with_an_encoding_reads_a_file_in_it(tmp_path, world):
    path = tmp_path / "koi8.csv"
    path.write_bytes("name,organisation\nЧат-бот,A\n".encode("koi8-r"))
    code, _out, _err = run("import_usecases", str(path), "--encoding", "koi8-r")
    assert code == 0
    assert UseCase.objects.filter(name="Чат-бот").exists()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["missing.csv"], "No such file"),
        (["{path}", "--organisation", "NOPE"], "No organisation with code 'NOPE'"),
        (["{path}", "--as-user", "ghost"], "No user 'ghost'"),
    ],
)
def test_import_refuses_a_missing_file_organisation_or_user(inventory, args, message):
    with pytest.raises(CommandError, match=message):
        call_command("import_usecases", *[a.format(path=inventory) for a in args], stdout=StringIO())


def test_export_writes_the_format_and_reports_how_many_use_cases(tmp_path, world):
    output = tmp_path / "all.csv"
    code, out, _err = run("export_usecases", "--format", "csv", "--output", str(output), "--json")
    assert code == 0
    assert json.loads(out) == {"exported": 3, "output": str(output)}
    rows = list(csv.DictReader(io.StringIO(output.read_text(encoding="utf-8-sig"))))
    assert sorted(row["name"] for row in rows) == ["Chatbot A", "Forecast B", "Vision A1"]


def test_export_filtered_by_organisation_and_stage(tmp_path, world):
    output = tmp_path / "a.csv"
    code, out, _err = run("export_usecases", "--format", "json", "--output", str(output), "--organisation", "A")
    assert code == 0
    assert out.strip() == f"Exported 1 use cases to {output} (json)."
    assert [row["name"] for row in json.loads(output.read_bytes())] == ["Chatbot A"]

    code, out, _err = run(
        "export_usecases",
        "--format",
        "csv",
        "--output",
        str(output),
        "--organisation",
        "A",
        "--include-children",
        "--stage",
        "pilot,production",
        "--json",
    )
    assert json.loads(out)["exported"] == 2


def test_export_of_an_omb_format_to_xlsx_writes_a_workbook(tmp_path, world):
    output = tmp_path / "omb.xlsx"
    code, _out, _err = run("export_usecases", "--format", "omb-2025", "--output", str(output))
    assert code == 0
    sheet = load_workbook(io.BytesIO(output.read_bytes())).worksheets[0]
    assert sheet.cell(1, 1).value == "id"
    assert sheet.max_row == 4


def test_export_refuses_an_invalid_filter(tmp_path, world):
    with pytest.raises(CommandError, match="stage"):
        call_command("export_usecases", "--format", "csv", "--output", str(tmp_path / "x.csv"), "--stage", "soon")


def test_an_exported_file_imports_back_through_the_command_unchanged_in_count(tmp_path, world):
    ensure_reference_sectors(SystemActor("test"))
    output = tmp_path / "all.json"
    run("export_usecases", "--format", "json", "--output", str(output))
    before = UseCase.objects.count()
    code, out, _err = run("import_usecases", str(output), "--json")
    assert code == 0
    report = json.loads(out)
    assert report["counts"]["new"] == 0
    assert report["counts"]["rows"] == before == UseCase.objects.count()
