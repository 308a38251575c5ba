"""Importing through ``import_usecases``: the real 2024 inventory, round trips through every format, a 2025 file
built to OMB's dictionary, updates, dry runs, strict and conflict modes, hostile files, and who may import what."""

from __future__ import annotations

import csv
import gzip
import io
import json
import random
import time
from collections import Counter
from io import StringIO
from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from openpyxl import Workbook, load_workbook

from aihq.accounts.permissions import SystemActor
from aihq.audit.models import AuditEvent
from aihq.exchange.formats.omb import DATA
from aihq.exchange.models import ImportRun
from aihq.exchange.readers import read_table
from aihq.exchange.services import ImportOptions, ensure_reference_sectors, export_queryset, import_usecases
from aihq.registry.models import Organisation, OrganisationKind, Region, Sector, UseCase

pytestmark = pytest.mark.django_db

ACTOR = SystemActor("test:exchange")


# helpers ---------------------------------------------------------------------------------------


def shipped_2024() -> bytes:
    return gzip.decompress((DATA / "us_omb_2024_inventory.csv.gz").read_bytes())


def run_import(content: bytes, name: str = "upload.csv", actor=ACTOR, **options) -> ImportRun:
    return import_usecases(actor=actor, data=content, file_name=name, options=ImportOptions(**options))


def state() -> tuple[int, int, int]:
    """What an import may change: use cases, organisations, audit events."""
    return UseCase.objects.count(), Organisation.objects.count(), AuditEvent.objects.count()


def csv_bytes(rows: list[dict[str, str]], headers: list[str] | None = None) -> bytes:
    headers = headers or list(dict.fromkeys(name for row in rows for name in row))
    buffer = StringIO()
    writer = csv.DictWriter(buffer, headers, lineterminator="\r\n")
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue().encode("utf-8")


def xlsx_bytes(headers: list[str], rows: list[list[object]]) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(headers)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def errors_by_row(run: ImportRun) -> dict[int, list[str]]:
    found: dict[int, list[str]] = {}
    for problem in run.problems:
        if problem["level"] == "error":
            found.setdefault(problem["row"], []).append(f"{problem['field']}: {problem['message']}")
    return found


def file_rows(content: bytes, kind: str) -> tuple[list[str], list[dict]]:
    table = read_table(data=content, name=f"export.{kind}")
    return table.headers, [row for _number, row in table.rows]


def in_order(rows: list[dict]) -> list[dict]:
    return sorted(rows, key=lambda row: json.dumps(row, sort_keys=True, default=str))


def differences(first: list[dict], second: list[dict]) -> list[tuple[int, str, object, object]]:
    """(row index, column, first, second) for every cell that differs, to make a failure readable."""
    found: list[tuple[int, str, object, object]] = []
    if len(first) != len(second):
        found.append((-1, "row count", len(first), len(second)))
    for index, (a, b) in enumerate(zip(first, second, strict=False)):
        found += [(index, k, a.get(k), b.get(k)) for k in dict.fromkeys([*a, *b]) if a.get(k) != b.get(k)]
    return found


@pytest.fixture
def sectors(db):
    """The shipped sectors, loaded before the test so that only the import's own writes are counted."""
    ensure_reference_sectors(SystemActor("test"))
    return {sector.code for sector in Sector.objects.all()}


# the real 2024 inventory ------------------------------------------------------------------------

#: M-24-10 stage → registry stage, as the format documents it (unofficial spellings found in the file included)
STAGE_2024 = {
    "initiated": "planned",
    "planned": "planned",
    "acquisition and/or development": "development",
    "implementation and assessment": "pilot",
    "operation and maintenance": "production",
    "in production": "production",
    "in mission": "production",
    "retired": "retired",
    "": "planned",
}
#: M-24-10 impact type → registry impact type (any case; blank: not assessed)
IMPACT_2024 = {"rights-impacting": "rights", "safety-impacting": "safety", "both": "both", "neither": "neither", "": ""}


def test_the_shipped_2024_inventory_imports_into_an_empty_database_with_every_row_accounted_for():
    # Nothing but the frameworks migrate loads (and their audit events) is there before the import.
    assert state()[:2] == (0, 0)
    content = shipped_2024()
    records = list(csv.DictReader(io.StringIO(content.decode("utf-8-sig"), newline="")))
    by_number = dict(enumerate(records, start=2))
    assert len(records) == 1757

    started = time.monotonic()
    run = run_import(content, "consolidated_ai_inventory_2024.csv")
    first_duration = time.monotonic() - started

    assert (run.status, run.format, run.format_detected, run.error) == ("applied", "omb-2024", True, "")
    counts = run.counts
    assert counts["rows"] == 1757
    assert counts["rows"] == counts["new"] + counts["rejected"]
    assert counts["updated"] == counts["unchanged"] == counts["skipped"] == 0
    assert UseCase.objects.count() == counts["new"]

    # Every rejected row is a duplicate (same agency, bureau and name) of an earlier row, and says which.
    rejected = errors_by_row(run)
    assert len(rejected) == counts["rejected"] > 0
    for number, messages in rejected.items():
        assert len(messages) == 1
        assert messages[0].startswith("name: duplicate of row ")
        original = int(messages[0].removeprefix("name: duplicate of row ").split(" ", 1)[0])
        assert original < number
        duplicate, first = by_number[number], by_number[original]
        assert duplicate["2_use_case_name"].casefold() == first["2_use_case_name"].casefold()
        assert (duplicate["3_abr"], duplicate["4_bureau"].strip()) == (first["3_abr"], first["4_bureau"].strip())
    assert Path(run.rejects_file).is_file()

    # The 37 agencies are organisations, named by their abbreviations, at the top of the tree.
    agencies = {record["3_abr"] for record in records}
    assert len(agencies) == 37
    top = set(Organisation.objects.filter(parent=None).values_list("code", flat=True))
    assert top == agencies
    assert counts["organisations_created"] == Organisation.objects.count()

    # Stages and impact types in the database are those of the accepted rows, mapped as documented.
    accepted = [record for number, record in by_number.items() if number not in rejected]
    expected_stages = Counter(STAGE_2024[record["16_dev_stage"].strip().casefold()] for record in accepted)
    expected_impacts = Counter(IMPACT_2024[record["17_impact_type"].strip().casefold()] for record in accepted)
    assert Counter(UseCase.objects.values_list("stage", flat=True)) == expected_stages
    assert Counter(UseCase.objects.values_list("impact_type", flat=True)) == expected_impacts
    assert set(expected_stages) == {"planned", "development", "pilot", "production", "retired"}
    assert expected_impacts["neither"] > 1000

    # One audit event per use case created, and none for anything else of the import but organisations.
    created = AuditEvent.objects.filter(object_type="registry.usecase", action="create").count()
    assert created == counts["new"]

    # A second import of the same file changes nothing.
    events = AuditEvent.objects.count()
    again = run_import(content, "consolidated_ai_inventory_2024.csv")
    assert again.status == "applied"
    assert {k: again.counts[k] for k in ("rows", "new", "updated", "unchanged", "rejected")} == {
        "rows": 1757,
        "new": 0,
        "updated": 0,
        "unchanged": counts["new"],
        "rejected": counts["rejected"],
    }
    assert again.counts["organisations_created"] == 0
    assert AuditEvent.objects.count() == events

    out = StringIO()
    call_command("audit_verify", "--json", stdout=out)
    assert json.loads(out.getvalue())["ok"] is True
    assert first_duration < 30, f"the shipped inventory took {first_duration:.1f} s to import"


# round trips ------------------------------------------------------------------------------------

GENERIC_ROWS = [
    {
        "reference": "A-001",
        "name": "Chatbot for citizens",
        "organisation": "A",
        "unit": "Digital office",
        "stage": "pilot",
        "description": 'Answers questions, with "quotes", commas\nand line breaks',
        "purpose": "Shorter queues",
        "outputs": "Answers",
        "sectors": "healthcare;public-services",
        "regions": "RU-TA;RU-MOW",
        "development_method": "mixed",
        "vendors": "Acme; Beta",
        "is_generative": "yes",
        "impact_type": "rights",
        "is_high_impact": "yes",
        "techniques": "genai;nlp",
        "date_initiated": "2024-01-15",
        "date_deployed": "2024-06-01",
        "is_public": "yes",
        "tags": "chatbot;citizens",
    },
    {
        "reference": "",
        "name": "Распознавание снимков",
        "organisation": "A1",
        "stage": "production",
        "sectors": "healthcare",
        "development_method": "in_house",
        "impact_type": "safety",
        "is_high_impact": "no",
        "techniques": "computer_vision;classical_ml",
        "date_initiated": "2021-03-01",
        "date_deployed": "2022-02-01",
        "date_retired": "",
        "is_public": "no",
    },
    {
        "reference": "A-003",
        "name": '=HYPERLINK("http://evil.example","click")',
        "organisation": "A",
        "stage": "retired",
        "description": "+1",
        "purpose": "@SUM(A1:A9)",
        "outputs": "-2",
        "development_method": "contracted",
        "techniques": "agentic;rl",
        "impact_type": "neither",
        "date_initiated": "2019-01-01",
        "date_retired": "2023-12-31",
        "tags": "old",
    },
    {"reference": "A-004", "name": "Planned forecasting", "organisation": "A", "stage": "planned"},
]


@pytest.fixture
def populated(sectors):
    """Organisations A (a ministry, with A1 below it), two regions, a few use cases in AIHQ's columns, and about
    150 rows of the shipped 2024 inventory from across its agencies."""
    org_a = Organisation.objects.create(code="A", name_en="Ministry A", kind=OrganisationKind.MINISTRY)
    Organisation.objects.create(code="A1", name_en="Agency A1", kind=OrganisationKind.AGENCY, parent=org_a)
    Region.objects.create(code="RU-TA", country="RU", name_en="Tatarstan")
    Region.objects.create(code="RU-MOW", country="RU", name_en="Moscow")
    run = run_import(csv_bytes(GENERIC_ROWS))
    assert (run.status, run.counts["new"]) == ("applied", len(GENERIC_ROWS)), run.problems
    headers, rows = file_rows(shipped_2024(), "csv")
    sample = rows[::12]
    run = run_import(csv_bytes(sample, headers), "sample.csv")
    assert run.status == "applied"
    assert run.counts["new"] + run.counts["rejected"] == len(sample)
    return UseCase.objects.count()


def empty_registry(*, organisations: bool) -> None:
    UseCase.objects.all().delete()
    if organisations:
        while Organisation.objects.exists():
            Organisation.objects.filter(children__isnull=True).delete()
    assert UseCase.objects.count() == 0


@pytest.mark.parametrize(
    ("format_name", "kind"),
    [
        ("omb-2024", "csv"),
        ("omb-2024", "xlsx"),
        ("omb-2025", "csv"),
        ("omb-2025", "xlsx"),
        ("csv", "csv"),
        ("json", "json"),
        ("xlsx", "xlsx"),
    ],
)
def test_an_export_imported_into_an_empty_registry_exports_again_as_the_same_rows(populated, format_name, kind):
    first, _type, extension = export_queryset(UseCase.objects.all(), format_name, kind)
    assert extension == kind
    # OMB files name their agencies, which the import creates; AIHQ's own columns name existing organisations.
    empty_registry(organisations=format_name.startswith("omb"))

    run = run_import(first, f"export.{kind}", format=format_name if format_name.startswith("omb") else None)
    assert run.status == "applied", run.error
    assert run.format == format_name
    assert (run.counts["new"], run.counts["rejected"]) == (populated, 0), errors_by_row(run)

    second, _type, _ext = export_queryset(UseCase.objects.all(), format_name, kind)
    if kind == "json":
        rows_1, rows_2 = json.loads(first), json.loads(second)
    else:
        (headers_1, rows_1), (headers_2, rows_2) = file_rows(first, kind), file_rows(second, kind)
        assert headers_2 == headers_1
    # The same rows; OMB files may come back in another order (a unit of an agency's own use case becomes a bureau).
    assert differences(in_order(rows_1), in_order(rows_2))[:5] == []


def test_an_omb_2024_round_trip_keeps_the_agencies_and_bureaus_as_a_tree(populated):
    def tree():
        return {(o.parent.code, o.name_en) for o in Organisation.objects.select_related("parent") if o.parent}

    before = tree()
    content, _type, _ext = export_queryset(UseCase.objects.all(), "omb-2024", "csv")
    empty_registry(organisations=True)
    run_import(content, "export.csv", format="omb-2024")
    after = tree()
    assert before <= after
    # A unit of a use case owned directly by an agency comes back as a bureau of that agency.
    assert after - before == {("A", "Digital office")}
    assert UseCase.objects.get(name="Chatbot for citizens").organisation.parent.code == "A"


def test_a_generic_round_trip_keeps_every_registry_value(populated):
    def values():
        return sorted(
            (
                uc.reference,
                uc.name,
                uc.organisation.code,
                uc.unit,
                uc.stage,
                uc.description,
                uc.purpose,
                uc.outputs,
                uc.development_method,
                uc.vendors,
                uc.is_generative,
                uc.impact_type,
                uc.is_high_impact,
                tuple(uc.techniques),
                uc.date_initiated,
                uc.date_deployed,
                uc.date_retired,
                uc.is_public,
                tuple(uc.tags),
                tuple(sorted(s.code for s in uc.sectors.all())),
                tuple(sorted(r.code for r in uc.regions.all())),
            )
            for uc in UseCase.objects.filter(organisation__code__in=["A", "A1"]).select_related("organisation")
        )

    before = values()
    content, _type, _ext = export_queryset(UseCase.objects.all(), "xlsx", "xlsx")
    empty_registry(organisations=False)
    run_import(content, "export.xlsx")
    assert values() == before
    assert '=HYPERLINK("http://evil.example","click")' in {row[1] for row in before}


# a 2025 inventory built to the shared dictionary ------------------------------------------------------

DICTIONARY = json.loads((DATA / "omb_2025_data_dictionary.json").read_text(encoding="utf-8"))
SELECTIONS = {name: spec.get("valid_selections") or [] for name, spec in DICTIONARY.items()}

AGENCIES_2025 = [
    ("DHS-{:04d}", "DHS", "Transportation Security Administration"),
    ("DOE – {}", "DOE", "Office of Science"),
    ("VA-{}", "VA", "Veterans Health Administration"),
    ("USDA {}", "USDA", "ARS"),
    ("doj-{}", "DOJ", "FBI"),
]
STAGE_CELLS = [
    (SELECTIONS["development_stage"][2], "production"),
    ("Deployed", "production"),
    ("Operation and Maintenance", "production"),
    ("pre-deployment", "development"),
    ("b)  Pilot ñ The use case has been deployed in a limited test or pilot capacity.", "pilot"),
    ("Retired", "retired"),
    ("", "planned"),
]
HIGH_IMPACT_CELLS = [
    ("a) High-impact", True),
    ("Not high-impact", False),
    ("no", False),
    ("yes", True),
    ("b) Presumed high-impact but determined not high-impact", False),
    ("", None),
]
CLASSIFICATION_CELLS = [
    ("GenAI", ["genai"]),
    ("Classical ML", ["classical_ml"]),
    (SELECTIONS["classification"][2], ["computer_vision"]),
    ("Generative AI; Natural Language Processing (NLP)", ["genai", "nlp"]),
    ("NLP", ["nlp"]),
    ("", []),
]
TOPIC_CELLS = [
    ("Health & Medical", "healthcare"),
    ("Admin Functions", "mission-enabling"),
    ("Cybersecurity Operations", "cybersecurity"),
    ("Service Delivery", "public-services"),
    ("Law Enforcement", "law-justice"),
    ("Other  – Economic & Financial", "finance"),
    ("Benefits Processing", "social-protection"),
]
METHOD_CELLS = [
    ("Vendor Purchased", "contracted"),
    ("in-house", "in_house"),
    (SELECTIONS["contracting_usage"][2], "mixed"),
    ("Developed with contracting resources.", "contracted"),
    ("", "unknown"),
]
DATE_CELLS = ["2024-03-15", "3/15/2024", "24-Nov", "", "N/A"]


def inventory_2025(count: int = 40) -> tuple[list[dict[str, str]], dict[int, str], dict[int, dict]]:
    """Rows keyed by dictionary key, the rows expected to be rejected (by file row number) with why, and what
    each accepted row should become."""
    rows: list[dict[str, str]] = []
    rejected: dict[int, str] = {}
    expected: dict[int, dict] = {}
    for i in range(count):
        number = i + 2
        id_form, agency, bureau = AGENCIES_2025[i % len(AGENCIES_2025)]
        stage, stage_value = STAGE_CELLS[i % len(STAGE_CELLS)]
        high, high_value = HIGH_IMPACT_CELLS[i % len(HIGH_IMPACT_CELLS)]
        classification, techniques = CLASSIFICATION_CELLS[i % len(CLASSIFICATION_CELLS)]
        topic, sector = TOPIC_CELLS[i % len(TOPIC_CELLS)]
        method, method_value = METHOD_CELLS[i % len(METHOD_CELLS)]
        row = dict.fromkeys(DICTIONARY, "") | {
            "id": id_form.format(i + 1),
            "use_case_name": f"Use case {i + 1} of {agency}",
            "agency_bureau": bureau,
            "contact_email": f"ai{i}@{agency.lower()}.example.gov",
            "is_withheld": ["a) No", "No", "Yes - Disclosure Risk"][i % 3],
            "development_stage": stage,
            "is_high_impact": high,
            "topic_area": topic,
            "classification": classification,
            "problem_solved": f"Problem {i}",
            "benefits": f"Benefit {i}",
            "system_outputs": f"Output {i}",
            "operational_date": DATE_CELLS[i % len(DATE_CELLS)],
            "contracting_usage": method,
            "vendor_name": "Acme Corp" if i % 2 else "",
            "have_ato": ["true", "no", "Yes", ""][i % 4],
            "demographic_features": ["Age; sex/gender", "k) None of the above", ""][i % 3],
        }
        if i == 6:
            row["use_case_name"] = ""
            rejected[number] = "use_case_name: The use case has no name."
        elif i == 11:
            row["id"] = rows[1]["id"]  # the same DOE id as the file's row 3
            row["agency_bureau"] = rows[1]["agency_bureau"]
            rejected[number] = "reference: duplicate of row 3 (same ID); only the first is imported"
        elif i == 23:
            row["id"] = "123"
            rejected[number] = "agency: the agency is unknown"
        else:
            expected[number] = {
                "agency": agency,
                "stage": stage_value,
                "is_high_impact": high_value,
                "techniques": techniques,
                "sector": sector,
                "development_method": method_value,
                "is_public": i % 3 != 2,
            }
        rows.append(row)
    return rows, rejected, expected


def as_excel_headers(row: dict[str, str]) -> dict[str, str]:
    return {DICTIONARY[name]["excel_header"]: value for name, value in row.items()}


@pytest.mark.parametrize("layout", ["xlsx with Excel headers", "csv with dictionary keys"])
def test_a_2025_inventory_built_to_the_dictionary_imports_with_every_row_accounted_for(sectors, layout):
    rows, rejected, expected = inventory_2025()
    if layout.startswith("xlsx"):
        headers = [DICTIONARY[name]["excel_header"] for name in DICTIONARY]
        content, name = xlsx_bytes(headers, [list(row.values()) for row in rows]), "inventory_2025.xlsx"
    else:
        content, name = csv_bytes(rows), "inventory_2025.csv"

    run = run_import(content, name)

    assert (run.status, run.format, run.format_detected) == ("applied", "omb-2025", True)
    assert run.counts["rows"] == len(rows) == run.counts["new"] + run.counts["rejected"]
    assert run.counts["rejected"] == len(rejected)
    found = errors_by_row(run)
    assert set(found) == set(rejected)
    for number, reason in rejected.items():
        assert any(message.startswith(reason) for message in found[number]), found[number]

    # Agencies come from the ids, bureaus become their sub-organisations.
    agencies = {agency for _form, agency, _bureau in AGENCIES_2025}
    assert set(Organisation.objects.filter(parent=None).values_list("code", flat=True)) == agencies
    assert Organisation.objects.filter(parent__code="USDA", name_en="ARS").exists()
    assert run.counts["organisations_created"] == 2 * len(agencies)

    for number, values in expected.items():
        row = rows[number - 2]
        use_case = UseCase.objects.select_related("organisation__parent").get(reference=row["id"])
        assert use_case.organisation.parent.code == values["agency"]
        assert use_case.organisation.name_en == use_case.unit == row["agency_bureau"]
        assert use_case.name == row["use_case_name"]
        assert use_case.stage == values["stage"], row["development_stage"]
        assert use_case.is_high_impact is values["is_high_impact"], row["is_high_impact"]
        assert use_case.techniques == values["techniques"], row["classification"]
        assert use_case.is_generative is ("genai" in values["techniques"])
        assert [s.code for s in use_case.sectors.all()] == [values["sector"]], row["topic_area"]
        assert use_case.development_method == values["development_method"], row["contracting_usage"]
        assert use_case.is_public is values["is_public"]
        assert use_case.source_format == "omb-2025"

    # The rejected rows are written to a file of the same kind, each with its reason.
    kind = "xlsx" if layout.startswith("xlsx") else "csv"
    assert run.rejects_file.endswith(f"rejects.{kind}")
    _headers, rejects = file_rows(Path(run.rejects_file).read_bytes(), kind)
    assert len(rejects) == len(rejected)
    assert all(row["reason"] for row in rejects)


def test_a_2025_file_without_agency_ids_belongs_to_the_organisation_chosen_for_the_import(world):
    rows, _rejected, _expected = inventory_2025(5)
    for row in rows:
        row["id"] = str(rows.index(row) + 1)
    run = run_import(csv_bytes(rows), organisation=world.org_a)
    assert (run.counts["new"], run.counts["rejected"]) == (5, 0), errors_by_row(run)
    assert set(
        UseCase.objects.filter(reference__in=["1", "2"]).values_list("organisation__parent__code", flat=True)
    ) == {"A"}


# updates and idempotency --------------------------------------------------------------------------


def generic_file(**changes: dict[str, str]) -> bytes:
    rows = [
        {"reference": f"R-{i}", "name": f"Use case {i}", "organisation": "A", "stage": "pilot", "sectors": "healthcare"}
        for i in range(1, 6)
    ]
    for reference, cells in changes.items():
        next(row for row in rows if row["reference"] == reference.replace("_", "-")).update(cells)
    return csv_bytes(rows)


def test_re_importing_an_unchanged_file_changes_nothing(world):
    run_import(generic_file())
    before = state()
    again = run_import(generic_file())
    assert (again.counts["new"], again.counts["updated"], again.counts["unchanged"]) == (0, 0, 5)
    assert state() == before


def test_changing_one_cell_updates_one_use_case_and_records_its_before_and_after(world):
    run_import(generic_file())
    target = UseCase.objects.get(organisation=world.org_a, reference="R-3")
    events = AuditEvent.objects.count()

    run = run_import(generic_file(R_3={"stage": "retired"}))

    assert run.status == "applied"
    assert (run.counts["new"], run.counts["updated"], run.counts["unchanged"]) == (0, 1, 4)
    target.refresh_from_db()
    assert (target.stage, target.version) == ("retired", 2)
    assert AuditEvent.objects.count() == events + 1
    event = AuditEvent.objects.get(object_type="registry.usecase", object_id=str(target.pk), action="update")
    before, after = event.before or {}, event.after or {}
    assert (before["stage"], after["stage"]) == ("pilot", "retired")
    assert before["sectors"] == after["sectors"] == [world.sector.pk]
    assert event.actor_label == ACTOR.label


def test_re_importing_aihqs_own_export_of_unchanged_use_cases_reports_them_unchanged(world, sectors):
    content, _type, _ext = export_queryset(UseCase.objects.filter(organisation=world.org_a), "csv")
    before = state()
    run = run_import(content)
    assert (run.counts["new"], run.counts["updated"], run.counts["unchanged"]) == (0, 0, 1)
    assert state() == before


def test_a_use_case_without_a_reference_is_found_again_by_its_name(world):
    content = csv_bytes([{"name": "Forecast B", "organisation": "B", "stage": "pilot"}])
    run = run_import(content)
    assert (run.counts["new"], run.counts["updated"]) == (0, 1)
    world.uc_b.refresh_from_db()
    assert world.uc_b.stage == "pilot"


# dry run, strict, conflicts ------------------------------------------------------------------------

MIXED_ROWS = [
    {"reference": "R-1", "name": "Use case 1", "organisation": "A", "stage": "pilot", "sectors": "healthcare"},
    {"reference": "R-2", "name": "Use case 2", "organisation": "A", "stage": "retired", "sectors": "healthcare"},
    {"reference": "R-9", "name": "Brand new", "organisation": "A", "stage": "planned"},
    {"reference": "R-10", "name": "Broken", "organisation": "A", "stage": "someday"},
    {"reference": "R-11", "name": "Elsewhere", "organisation": "NOPE"},
]


def test_a_dry_run_writes_nothing_but_reports_what_a_real_run_then_does(world, sectors):
    run_import(generic_file())
    before = state()
    runs_before = ImportRun.objects.count()

    dry = run_import(csv_bytes(MIXED_ROWS), dry_run=True)

    assert dry.status == "dry_run"
    assert dry.error == ""
    assert state() == before
    assert ImportRun.objects.count() == runs_before + 1
    assert UseCase.objects.get(reference="R-2").stage == "pilot"
    expected = {"rows": 5, "new": 1, "updated": 1, "unchanged": 1, "skipped": 0, "rejected": 2}
    assert {k: dry.counts[k] for k in expected} == expected

    real = run_import(csv_bytes(MIXED_ROWS))
    assert real.status == "applied"
    assert real.counts == dry.counts
    assert real.problems == dry.problems
    assert UseCase.objects.get(reference="R-2").stage == "retired"


def test_a_dry_run_of_an_omb_file_creates_no_organisations_but_counts_them(sectors):
    headers, rows = file_rows(shipped_2024(), "csv")
    content = csv_bytes(rows[:200], headers)
    before = state()
    dry = run_import(content, dry_run=True)
    assert state() == before
    assert dry.counts["organisations_created"] > 0
    real = run_import(content)
    assert real.counts == dry.counts
    assert Organisation.objects.count() == dry.counts["organisations_created"]


def test_a_dry_run_writes_nothing_even_when_the_shipped_sectors_are_missing(world):
    before = (state(), Sector.objects.count())
    run = run_import(generic_file(), dry_run=True)
    assert run.status == "dry_run"
    assert (state(), Sector.objects.count()) == before


def test_strict_mode_aborts_on_one_bad_row_and_writes_nothing(world, sectors):
    before = state()
    rows = [*MIXED_ROWS[:3], MIXED_ROWS[3]]
    run = run_import(csv_bytes(rows), strict=True)
    assert run.status == "aborted"
    assert run.error == "1 row(s) have errors and --strict is on; nothing was imported."
    assert state() == before
    assert errors_by_row(run) == {5: [errors_by_row(run)[5][0]]}
    assert errors_by_row(run)[5][0].startswith("stage: not a known value")


def test_without_strict_mode_the_good_rows_of_the_same_file_are_imported(world, sectors):
    rows = [*MIXED_ROWS[:3], MIXED_ROWS[3]]
    run = run_import(csv_bytes(rows))
    assert (run.status, run.counts["new"], run.counts["rejected"]) == ("applied", 3, 1)


def test_on_conflict_skip_leaves_changed_use_cases_alone_and_adds_new_ones(world, sectors):
    run_import(generic_file())
    run = run_import(csv_bytes(MIXED_ROWS[:3]), on_conflict="skip")
    assert run.status == "applied"
    assert {k: run.counts[k] for k in ("new", "updated", "unchanged", "skipped")} == {
        "new": 1,
        "updated": 0,
        "unchanged": 1,
        "skipped": 1,
    }
    assert UseCase.objects.get(reference="R-2").stage == "pilot"
    assert UseCase.objects.filter(reference="R-9").exists()


def test_on_conflict_fail_aborts_at_the_first_changed_use_case_and_writes_nothing(world, sectors):
    run_import(generic_file())
    before = state()
    run = run_import(csv_bytes(MIXED_ROWS[:3]), on_conflict="fail")
    use_case = UseCase.objects.get(reference="R-2")
    assert run.status == "aborted"
    assert run.error == f"Row 3 matches use case #{use_case.pk} (Use case 2); nothing was imported."
    assert state() == before
    assert use_case.stage == "pilot"


def test_on_conflict_fail_accepts_rows_identical_to_existing_use_cases(world, sectors):
    run_import(generic_file())
    run = run_import(generic_file(), on_conflict="fail")
    assert (run.status, run.counts["unchanged"]) == ("applied", 5)


def test_an_unknown_on_conflict_choice_is_refused_before_reading_the_file(world):
    with pytest.raises(ValidationError, match="update, skip, fail"):
        run_import(generic_file(), on_conflict="merge")


# hostile files ----------------------------------------------------------------------------------


def truncated_xlsx() -> bytes:
    content = xlsx_bytes(["name", "organisation"], [["x", "A"]] * 50)
    return content[: len(content) // 2]


HOSTILE = {
    "random bytes": (b"name,organisation\n" + random.Random(3).randbytes(2000), "a.csv", {}, "Save it as UTF-8"),
    "windows-1251 named as utf-8": (
        "name,organisation\nЧат,A\n".encode("cp1251"),
        "a.csv",
        {"encoding": "utf-8"},
        "The file is not valid utf-8",
    ),
    "no name column": (b"organisation,stage\nA,pilot\n", "a.csv", {}, "Missing required column(s): name."),
    "omb-2024 without its columns": (
        b"2_use_case_name\nThing\n",
        "a.csv",
        {"format": "omb-2024"},
        "Missing required column(s): 3_agency, 3_abr, 16_dev_stage.",
    ),
    "a 10 MB cell": (
        b"name,organisation,description\nsmall,A,ok\nbig,A," + b"x" * 10_000_000 + b"\n",
        "a.csv",
        {},
        "Row 3: field larger than field limit",
    ),
    "truncated workbook": (truncated_xlsx(), "a.xlsx", {}, "The workbook cannot be opened (truncated"),
    "password-protected workbook": (
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(2000),
        "a.xlsx",
        {},
        "encrypted (password-protected) workbook",
    ),
    "JSON object": (b'{"a": 1}', "a.json", {}, "The JSON must be a list of objects"),
    "JSON list of numbers": (b"[1, 2]", "a.json", {}, "not a list holding int"),
    "JSON text": (b'"text"', "a.json", {}, "not str"),
    "empty file": (b"", "a.csv", {}, "The file is empty."),
    "blank file": (b"\r\n \r\n", "a.csv", {}, "The file is empty."),
    "header only": (b"name,organisation\r\n", "a.csv", {}, "The file has a header but no rows."),
    "unknown format": (b"name\nx\n", "a.csv", {"format": "xls"}, "Unknown format 'xls'"),
}


@pytest.mark.parametrize("case", list(HOSTILE))
def test_a_hostile_file_gives_a_clear_message_and_leaves_the_registry_unchanged(world, sectors, case):
    content, name, options, message = HOSTILE[case]
    before = state()
    run = run_import(content, name, **options)
    assert run.status in ("failed", "aborted")
    assert message in run.error
    assert state() == before
    assert run.file_size == len(content)


def test_a_ten_megabyte_cell_is_reported_with_its_row_and_the_cell_limit(world, sectors):
    content, name, options, _message = HOSTILE["a 10 MB cell"]
    run = run_import(content, name, **options)
    assert "100,000 characters" in run.error


def test_unknown_columns_are_a_note_and_the_file_still_imports_keeping_them(world, sectors):
    content = csv_bytes([{"name": "Colourful", "organisation": "A", "colour": "blue", "size": "L"}])
    run = run_import(content)
    assert run.status == "applied"
    assert run.counts["new"] == 1
    assert "Unknown column(s) kept in the original record but not mapped: colour, size." in run.notes
    assert (UseCase.objects.get(name="Colourful").source_record or {})["colour"] == "blue"


def test_duplicate_ids_in_one_file_import_the_first_and_reject_the_rest_naming_the_first(world, sectors):
    content = csv_bytes(
        [
            {"reference": "X-1", "name": "First", "organisation": "A"},
            {"reference": "x-1", "name": "Second", "organisation": "A"},
            {"reference": "", "name": "Same name", "organisation": "A"},
            {"reference": "", "name": "SAME NAME", "organisation": "A"},
            {"reference": "X-1", "name": "Other organisation", "organisation": "B"},
        ]
    )
    run = run_import(content)
    assert (run.counts["new"], run.counts["rejected"]) == (3, 2)
    assert errors_by_row(run) == {
        3: ["reference: duplicate of row 2 (same ID); only the first is imported"],
        5: ["name: duplicate of row 4 (same organisation and name); only the first is imported"],
    }
    assert UseCase.objects.get(organisation=world.org_a, reference="X-1").name == "First"


FORMULAS = {
    "name": '=HYPERLINK("http://evil.example","click")',
    "description": "+1",
    "purpose": "@SUM(A1:A9)",
    "outputs": "-1",
}


def test_formula_cells_are_imported_as_plain_text_with_a_warning_and_neutralised_on_export(world, sectors):
    run = run_import(csv_bytes([{"organisation": "A", **FORMULAS}]))
    assert run.counts["new"] == 1
    warned = sorted(p["field"] for p in run.problems if "spreadsheet formula" in p["message"])
    assert warned == ["description", "name", "purpose"]
    use_case = UseCase.objects.get(name=FORMULAS["name"])
    assert (use_case.description, use_case.purpose, use_case.outputs) == ("+1", "@SUM(A1:A9)", "-1")

    exported, _type, _ext = export_queryset(UseCase.objects.filter(pk=use_case.pk), "csv")
    text = exported.decode("utf-8-sig")
    for neutralised in ("'=HYPERLINK(", ",'@SUM(A1:A9),"):
        assert neutralised in text
    assert ",+1,'@SUM(A1:A9),-1," in text  # plain numbers are data, not formulas: written as they are
    workbook_bytes, _type, _ext = export_queryset(UseCase.objects.filter(pk=use_case.pk), "xlsx")
    sheet = load_workbook(io.BytesIO(workbook_bytes)).worksheets[0]
    headers = [cell.value for cell in sheet[1]]
    cells = dict(zip(headers, sheet[2], strict=True))
    assert cells["name"].value == "'" + FORMULAS["name"]
    assert cells["name"].data_type == "s"
    for name in ("omb-2024", "omb-2025"):
        omb, _type, _ext = export_queryset(UseCase.objects.filter(pk=use_case.pk), name, "csv")
        assert "'=HYPERLINK(" in omb.decode("utf-8-sig")

    # Reading AIHQ's own export back gives the same text.
    again = run_import(exported)
    assert again.counts["new"] == 0, again.counts
    use_case.refresh_from_db()
    assert (use_case.name, use_case.description, use_case.purpose, use_case.outputs) == (
        FORMULAS["name"],
        "+1",
        "@SUM(A1:A9)",
        "-1",
    )


def test_formula_cells_in_a_workbook_are_imported_as_their_text(world, sectors):
    content = xlsx_bytes(["name", "organisation", "description"], [["=1+2", "A", '=HYPERLINK("x")']])
    run = run_import(content, "a.xlsx")
    assert run.counts["new"] == 1
    assert UseCase.objects.get(organisation=world.org_a, name="=1+2").description == '=HYPERLINK("x")'


def test_a_russian_windows_1251_file_with_semicolons_imports_with_a_note(world, sectors):
    content = "name;organisation;stage\nЧат-бот для граждан;A;Пилотирование\n".encode("cp1251")
    run = run_import(content)
    assert run.status == "applied"
    assert "read as cp1251" in run.notes
    assert UseCase.objects.get(name="Чат-бот для граждан").stage == "pilot"


def test_a_hundred_thousand_row_file_is_counted_correctly_in_a_dry_run(world, sectors):
    # Its speed is measured in benchmarks/import_benchmark.py, not asserted here.
    buffer = StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["reference", "name", "organisation", "stage", "is_generative", "date_initiated", "tags"])
    for i in range(100_000):
        stage = "someday" if i % 1000 == 999 else ("planned", "pilot", "production")[i % 3]
        writer.writerow([f"R-{i}", f"Use case {i}", "A", stage, "yes" if i % 2 else "no", "2024-01-15", "a;b"])
    before = state()
    run = run_import(buffer.getvalue().encode(), "big.csv", dry_run=True)
    assert run.status == "dry_run"
    assert {k: run.counts[k] for k in ("rows", "new", "rejected")} == {"rows": 100_000, "new": 99_900, "rejected": 100}
    assert state() == before


def test_re_importing_names_with_non_ascii_letters_finds_the_same_use_cases(world, sectors):
    content = csv_bytes([{"name": "Straße", "organisation": "A"}, {"name": "Чат-бот для граждан", "organisation": "A"}])
    run_import(content)
    again = run_import(content)
    assert (again.counts["new"], again.counts["unchanged"]) == (0, 2)


def test_re_importing_a_cyrillic_reference_finds_the_same_use_case(world, sectors):
    content = csv_bytes([{"reference": "МЗ-1", "name": "Чат", "organisation": "A"}])
    run_import(content)
    again = run_import(content)
    assert (again.status, again.counts["unchanged"]) == ("applied", 1)


def test_a_rejected_omb_row_creates_no_organisations(sectors):
    content = csv_bytes(
        [
            {
                "2_use_case_name": "Thing",
                "3_agency": "Dept",
                "3_abr": "DEPT",
                "4_bureau": "Bureau " * 50,
                "16_dev_stage": "",
            }
        ]
    )
    run = run_import(content, format="omb-2024")
    assert run.counts["rejected"] == 1
    assert Organisation.objects.count() == 0


@pytest.mark.parametrize(("abbreviation", "name"), [("D&O", "Dept"), ("U.S. AID", "Dept"), ("LONG", "D" * 400)])
def test_an_agency_that_cannot_be_an_organisation_rejects_its_row_instead_of_failing_the_import(
    sectors, abbreviation, name
):
    content = csv_bytes(
        [
            {"2_use_case_name": "Thing", "3_agency": name, "3_abr": abbreviation, "16_dev_stage": "Retired"},
            {"2_use_case_name": "Other", "3_agency": "Fine", "3_abr": "FINE", "16_dev_stage": "Retired"},
        ]
    )
    run = run_import(content, format="omb-2024")
    assert run.status == "applied"
    assert run.counts["new"] + run.counts["rejected"] == 2
    assert Organisation.objects.filter(code="FINE").exists()


# who may import what ----------------------------------------------------------------------------

OMB_ROWS = [
    {
        "2_use_case_name": "New agency tool",
        "3_agency": "New Agency",
        "3_abr": "NEWAG",
        "4_bureau": "Office of Testing",
        "16_dev_stage": "Initiated",
    },
    {"2_use_case_name": "Ministry tool", "3_agency": "Ministry A", "3_abr": "A", "16_dev_stage": "Retired"},
]


def test_an_editor_imports_into_their_organisation_and_rows_for_others_are_rejected_naming_them(world, sectors):
    content = csv_bytes(
        [
            {"name": "Mine", "organisation": "A"},
            {"name": "Theirs", "organisation": "B"},
            {"name": "Below mine", "organisation": "A1"},
        ]
    )
    before_b = UseCase.objects.filter(organisation=world.org_b).count()
    run = run_import(content, actor=world.users["editor_a"])
    assert (run.counts["new"], run.counts["rejected"]) == (1, 2)
    assert errors_by_row(run) == {
        # B and A1 are outside the editor's view: the message is the same as for a code that does not exist.
        3: ["organisation: no organisation you can see with code B"],
        4: ["organisation: no organisation you can see with code A1"],
    }
    assert UseCase.objects.filter(organisation=world.org_b).count() == before_b
    assert run.actor == world.users["editor_a"]
    created = UseCase.objects.get(name="Mine")
    event = AuditEvent.objects.get(object_type="registry.usecase", object_id=str(created.pk), action="create")
    assert event.actor_id == world.users["editor_a"].pk


def test_an_editor_cannot_update_another_organisations_use_case_through_a_file(world, sectors):
    content = csv_bytes([{"name": "Forecast B", "organisation": "B", "stage": "retired"}])
    run = run_import(content, actor=world.users["editor_a"])
    assert run.counts["rejected"] == 1
    world.uc_b.refresh_from_db()
    assert world.uc_b.stage == "planned"


def test_a_coordinator_may_create_agencies_and_bureaus_under_their_organisation_through_an_omb_import(world, sectors):
    run = run_import(
        csv_bytes(OMB_ROWS), format="omb-2024", organisation=world.org_a, actor=world.users["coordinator_a"]
    )
    assert run.status == "applied"
    assert (run.counts["new"], run.counts["rejected"], run.counts["organisations_created"]) == (2, 0, 2)
    agency = Organisation.objects.get(code="NEWAG")
    assert agency.parent == world.org_a
    bureau = Organisation.objects.get(parent=agency)
    assert bureau.name_en == "Office of Testing"
    assert UseCase.objects.get(name="New agency tool").organisation == bureau
    assert UseCase.objects.get(name="Ministry tool").organisation == world.org_a


def test_an_editor_may_not_create_organisations_through_an_omb_import(world, sectors):
    before = state()
    run = run_import(csv_bytes(OMB_ROWS), format="omb-2024", organisation=world.org_a, actor=world.users["editor_a"])
    assert run.status == "applied"
    assert (run.counts["new"], run.counts["rejected"], run.counts["organisations_created"]) == (1, 1, 0)
    assert errors_by_row(run) == {
        2: ["organisation: organisation NEWAG does not exist and you may not add organisations under A"]
    }
    assert not Organisation.objects.filter(code="NEWAG").exists()
    assert state()[:2] == (before[0] + 1, before[1])


def test_only_an_hq_admin_may_create_top_level_agencies(world, sectors):
    refused = run_import(csv_bytes(OMB_ROWS[:1]), format="omb-2024", actor=world.users["coordinator_a"])
    assert errors_by_row(refused) == {
        2: ["organisation: organisation NEWAG does not exist and you may not add organisations at the top level"]
    }
    allowed = run_import(csv_bytes(OMB_ROWS[:1]), format="omb-2024", actor=world.users["hq_admin"])
    assert allowed.counts["new"] == 1
    assert Organisation.objects.get(code="NEWAG").parent is None


@pytest.mark.parametrize("user", ["viewer_a", "auditor", "norole"])
def test_a_user_who_may_not_edit_writes_nothing_with_any_file(world, sectors, user):
    before = state()
    generic = run_import(csv_bytes([{"name": "New", "organisation": "A"}]), actor=world.users[user])
    assert (generic.counts["new"], generic.counts["rejected"]) == (0, 1)
    visible = user != "norole"  # viewers and auditors see A but may not write there
    expected = "you may not add or change use cases of A" if visible else "no organisation you can see with code A"
    assert errors_by_row(generic)[2] == [f"organisation: {expected}"]
    update = run_import(
        csv_bytes([{"name": "Chatbot A", "organisation": "A", "stage": "retired"}]), actor=world.users[user]
    )
    assert update.counts["rejected"] == 1
    omb = run_import(csv_bytes(OMB_ROWS), format="omb-2024", actor=world.users[user])
    assert omb.counts["rejected"] == 2
    assert state() == before


def test_a_viewer_cannot_import_into_an_organisation_they_cannot_see(world):
    with pytest.raises(PermissionDenied):
        run_import(csv_bytes(OMB_ROWS), format="omb-2024", organisation=world.org_b, actor=world.users["viewer_a"])


def test_an_import_run_records_who_imported_which_file_and_how(world, sectors):
    content = csv_bytes([{"name": "Mine", "organisation": "A"}])
    run = import_usecases(
        actor=world.users["editor_a"],
        data=content,
        file_name="/some/where/mine.csv",
        options=ImportOptions(strict=True),
        keep_file=True,
    )
    assert (run.file_name, run.actor_label, run.file_size) == ("mine.csv", "editor_a", len(content))
    assert run.options["strict"] is True
    assert Path(run.stored_file).read_bytes() == content
    assert run.duration_ms >= 0
