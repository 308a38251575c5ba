"""The public incident library: reading an AI Incident Database snapshot and importing it."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import shutil
import time
from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import CommandError, call_command

from aihq.audit.models import AuditEvent
from aihq.audit.selectors import verify_audit_chain
from aihq.regulation.library import (
    CLASSIFICATIONS_FILE,
    INCIDENTS_FILE,
    RowErrors,
    import_public_incidents,
    parse_aiid,
    shipped_aiid_directory,
    slug_label,
)
from aihq.regulation.models import PublicIncident

SHARED = Path("/work/shared/data/aiid")
INCIDENT_HEADER = [
    "_id",
    "incident_id",
    "date",
    "reports",
    "Alleged deployer of AI system",
    "Alleged developer of AI system",
    "Alleged harmed or nearly harmed parties",
    "description",
    "title",
]
CLASSIFICATION_HEADER = [
    "Namespace",
    "Incident ID",
    "Published",
    "Risk Domain",
    "Risk Subdomain",
    "Entity",
    "Timing",
    "Intent",
]
UBER = [
    "ObjectId(1)",
    "4",
    "2018-03-18",
    "[629,630,631]",
    '["uber"]',
    '["uber"]',
    '["elaine-herzberg","pedestrians"]',
    "An Uber autonomous vehicle struck and killed a pedestrian.",
    "Uber AV Killed Pedestrian in Arizona",
]
SHUTTLE = [
    "ObjectId(2)",
    "23",
    "2017-11-08",
    "[242,243]",
    '["navya","keolis-north-america"]',
    '["navya"]',
    '["bus-passengers"]',
    "A self-driving shuttle collided with a delivery truck.",
    "Las Vegas Self-Driving Bus Involved in Accident",
]
UBER_MIT = [
    "MIT",
    "4",
    "True",
    "7. AI system safety, failures, and limitations",
    "7.3. Lack of capability or robustness",
    "AI",
    "Post-deployment",
    "Unintentional",
]


def write_csv(path: Path, header: list[str], rows: list[list[str]], *, bom: bool = False) -> None:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    path.write_text(("\ufeff" if bom else "") + buffer.getvalue(), encoding="utf-8")


def snapshot_dir(
    tmp_path: Path, incidents: list[list[str]], classifications: list[list[str]] | None = None, *, bom: bool = False
) -> Path:
    """A small AIID snapshot in tmp_path (classifications: none unless given)."""
    folder = tmp_path / "aiid"
    folder.mkdir(exist_ok=True)
    write_csv(folder / INCIDENTS_FILE, INCIDENT_HEADER, incidents, bom=bom)
    write_csv(folder / CLASSIFICATIONS_FILE, CLASSIFICATION_HEADER, classifications or [], bom=bom)
    return folder


def replaced(row: list[str], column: str, value: str) -> list[str]:
    changed = list(row)
    changed[INCIDENT_HEADER.index(column)] = value
    return changed


def import_events() -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(object_type="regulation.publicincident").order_by("seq"))


# the shipped snapshot ----------------------------------------------------------------------------


def test_shipped_snapshot_is_a_byte_for_byte_copy_of_the_shared_one_with_its_licence():
    shipped = shipped_aiid_directory()
    for name in (INCIDENTS_FILE, CLASSIFICATIONS_FILE):
        assert (shipped / name).read_bytes() == (SHARED / name).read_bytes()
    readme = (shipped / "README.md").read_text(encoding="utf-8")
    assert "CC BY-SA 4.0" in readme
    assert "AI Incident Database" in readme


def test_the_shipped_snapshot_parses_without_problems():
    rows, problems = parse_aiid(shipped_aiid_directory())
    assert problems == []
    assert len(rows) == 989
    assert sum(1 for row in rows if row.mit_domain) == 869
    assert all(not row.mit_subdomain or row.mit_subdomain.startswith(row.mit_domain + ".") for row in rows)


@pytest.mark.django_db
def test_the_real_snapshot_imports_every_incident_with_its_classification(system_actor):
    started = time.perf_counter()
    outcome = import_public_incidents(actor=system_actor, directory=shipped_aiid_directory())
    elapsed = time.perf_counter() - started
    assert (outcome.created, outcome.updated, outcome.unchanged) == (989, 0, 0)
    assert outcome.problems == []
    assert PublicIncident.objects.count() == 989
    assert PublicIncident.objects.exclude(mit_domain="").count() == 869
    uber = PublicIncident.objects.get(source="aiid", source_id=4)
    assert uber.title == "Uber AV Killed Pedestrian in Arizona"
    assert uber.date == dt.date(2018, 3, 18)
    assert uber.deployers == ["uber"]
    assert uber.developers == ["uber"]
    assert uber.harmed_parties == ["elaine-herzberg", "pedestrians"]
    assert uber.report_count == 25
    assert (uber.mit_domain, uber.mit_subdomain) == ("7", "7.3")
    assert (uber.mit_entity, uber.mit_intent, uber.mit_timing) == ("AI", "Unintentional", "Post-deployment")
    shuttle = PublicIncident.objects.get(source_id=23)
    assert shuttle.deployers == ["navya", "keolis-north-america"]
    assert elapsed < 10, f"importing 989 incidents took {elapsed:.1f} s"


@pytest.mark.django_db
def test_a_second_import_of_the_same_files_changes_nothing(system_actor):
    directory = shipped_aiid_directory()
    import_public_incidents(actor=system_actor, directory=directory)
    stamps = dict(PublicIncident.objects.values_list("source_id", "updated_at"))
    outcome = import_public_incidents(actor=system_actor, directory=directory)
    assert (outcome.created, outcome.updated, outcome.unchanged) == (0, 0, 989)
    assert dict(PublicIncident.objects.values_list("source_id", "updated_at")) == stamps


@pytest.mark.django_db
def test_a_changed_copy_updates_just_the_changed_rows_in_place(system_actor, tmp_path):
    directory = tmp_path / "aiid"
    shutil.copytree(shipped_aiid_directory(), directory)
    import_public_incidents(actor=system_actor, directory=directory)
    before = {i.source_id: (i.pk, i.updated_at) for i in PublicIncident.objects.all()}
    incidents = (directory / INCIDENTS_FILE).read_text(encoding="utf-8")
    assert incidents.count("Uber AV Killed Pedestrian in Arizona") == 1
    (directory / INCIDENTS_FILE).write_text(
        incidents.replace("Uber AV Killed Pedestrian in Arizona", "Uber test vehicle killed a pedestrian in Tempe"),
        encoding="utf-8",
    )
    classifications = (directory / CLASSIFICATIONS_FILE).read_text(encoding="utf-8").splitlines(keepends=True)
    assert classifications[1].startswith("MIT,1,")
    classifications[1] = classifications[1].replace("Unintentional", "Intentional")
    (directory / CLASSIFICATIONS_FILE).write_text("".join(classifications), encoding="utf-8")

    outcome = import_public_incidents(actor=system_actor, directory=directory)

    assert (outcome.created, outcome.updated, outcome.unchanged) == (0, 2, 987)
    assert outcome.updated_ids == [1, 4]
    uber = PublicIncident.objects.get(source_id=4)
    assert uber.title == "Uber test vehicle killed a pedestrian in Tempe"
    assert uber.pk == before[4][0]
    assert PublicIncident.objects.get(source_id=1).mit_intent == "Intentional"
    after = {i.source_id: (i.pk, i.updated_at) for i in PublicIncident.objects.all()}
    assert {source_id for source_id in after if after[source_id] != before[source_id]} == {1, 4}


# problems, row by row ------------------------------------------------------------------------------


def test_a_small_snapshot_with_a_bom_parses(tmp_path):
    rows, problems = parse_aiid(snapshot_dir(tmp_path, [UBER, SHUTTLE], [UBER_MIT], bom=True))
    assert problems == []
    assert [(row.row, row.source_id, row.mit_subdomain) for row in rows] == [(2, 4, "7.3"), (3, 23, "")]
    assert rows[0].classification_row == 2
    assert rows[1].report_count == 2


@pytest.mark.parametrize(
    ("incidents", "row", "field", "message"),
    [
        pytest.param(
            [UBER, replaced(SHUTTLE, "incident_id", "23a")], 3, "incidents.csv/incident_id", "whole number", id="bad-id"
        ),
        pytest.param([replaced(UBER, "incident_id", "")], 2, "incidents.csv/incident_id", "missing", id="no-id"),
        pytest.param(
            [UBER, replaced(SHUTTLE, "incident_id", "4")], 3, "incidents.csv/incident_id", "row 2", id="duplicate-id"
        ),
        pytest.param(
            [UBER, replaced(SHUTTLE, "Alleged deployer of AI system", '["navya", "keolis')],
            3,
            "incidents.csv/Alleged deployer of AI system",
            "not valid JSON",
            id="broken-json-list",
        ),
        pytest.param(
            [replaced(UBER, "Alleged harmed or nearly harmed parties", '{"name": "pedestrians"}')],
            2,
            "incidents.csv/Alleged harmed or nearly harmed parties",
            "JSON list",
            id="json-object",
        ),
        pytest.param([replaced(UBER, "title", " ")], 2, "incidents.csv/title", "no title", id="no-title"),
    ],
)
@pytest.mark.django_db
def test_a_broken_row_is_named_and_nothing_is_saved(system_actor, tmp_path, incidents, row, field, message):
    directory = snapshot_dir(tmp_path, incidents, [UBER_MIT])
    with pytest.raises(RowErrors) as caught:
        import_public_incidents(actor=system_actor, directory=directory)
    errors = caught.value.errors
    assert [(p.row, p.field) for p in errors] == [(row, field)]
    assert message in errors[0].message
    assert "nothing was saved" in str(caught.value)
    assert PublicIncident.objects.count() == 0
    assert import_events() == []


@pytest.mark.django_db
def test_a_missing_file_is_one_problem_naming_it(system_actor, tmp_path):
    directory = snapshot_dir(tmp_path, [UBER], [UBER_MIT])
    (directory / CLASSIFICATIONS_FILE).unlink()
    with pytest.raises(RowErrors) as caught:
        import_public_incidents(actor=system_actor, directory=directory)
    assert len(caught.value.problems) == 1
    problem = caught.value.problems[0]
    assert (problem.row, problem.field, problem.level) == (0, CLASSIFICATIONS_FILE, "error")
    assert "classifications_MIT.csv is missing" in problem.message
    assert PublicIncident.objects.count() == 0


def test_a_missing_directory_is_one_problem(tmp_path):
    rows, problems = parse_aiid(tmp_path / "nowhere")
    assert rows == []
    assert len(problems) == 1
    assert "does not exist" in problems[0].message


def test_a_missing_column_is_one_problem_naming_it(tmp_path):
    directory = snapshot_dir(tmp_path, [UBER])
    write_csv(directory / INCIDENTS_FILE, INCIDENT_HEADER[:-1], [UBER[:-1]])
    _rows, problems = parse_aiid(directory)
    assert [(p.row, p.field, p.level) for p in problems] == [(0, INCIDENTS_FILE, "error")]
    assert "title" in problems[0].message


def test_a_second_classification_of_one_incident_is_an_error(tmp_path):
    _rows, problems = parse_aiid(snapshot_dir(tmp_path, [UBER], [UBER_MIT, UBER_MIT]))
    assert [(p.row, p.field, p.level) for p in problems] == [(3, "classifications_MIT.csv/Incident ID", "error")]


def test_warnings_keep_the_row(tmp_path):
    incidents = [
        replaced(replaced(UBER, "date", "18/03/2018"), "Alleged deployer of AI system", "uber, uber-atg"),
        replaced(SHUTTLE, "Alleged developer of AI system", '"navya"'),
    ]
    classifications = [
        [*UBER_MIT[:3], "9. Something else", "7.9. Nothing", *UBER_MIT[5:]],
        ["MIT", "23", "True", "1. Discrimination and Toxicity", "7.3. Lack of capability or robustness", "AI", "", ""],
        ["MIT", "999", "True", *UBER_MIT[3:]],
        ["MIT", "23", "False", *UBER_MIT[3:]],
    ]
    rows, problems = parse_aiid(snapshot_dir(tmp_path, incidents, classifications))
    assert {p.level for p in problems} == {"warning"}
    assert [(p.row, p.field) for p in problems] == [
        (2, "incidents.csv/date"),
        (2, "incidents.csv/Alleged deployer of AI system"),
        (3, "incidents.csv/Alleged developer of AI system"),
        (2, "classifications_MIT.csv/Risk Domain"),
        (2, "classifications_MIT.csv/Risk Subdomain"),
        (3, "classifications_MIT.csv/Risk Subdomain"),
        (4, "classifications_MIT.csv/Incident ID"),
        (5, "classifications_MIT.csv/Published"),
    ]
    uber, shuttle = rows
    assert uber.date is None
    assert uber.deployers == ["uber", "uber-atg"]
    assert (uber.mit_domain, uber.mit_subdomain, uber.mit_entity) == ("", "", "AI")
    assert shuttle.developers == ["navya"]
    assert (shuttle.mit_domain, shuttle.mit_subdomain) == ("1", "")


@pytest.mark.django_db
def test_warnings_do_not_stop_the_import(system_actor, tmp_path):
    directory = snapshot_dir(tmp_path, [replaced(UBER, "date", "March 2018"), SHUTTLE], [UBER_MIT])
    outcome = import_public_incidents(actor=system_actor, directory=directory)
    assert outcome.created == 2
    assert [p.field for p in outcome.warnings] == ["incidents.csv/date"]
    assert PublicIncident.objects.get(source_id=4).date is None


@pytest.mark.django_db
def test_a_title_too_long_for_the_model_is_an_error(system_actor, tmp_path):
    directory = snapshot_dir(tmp_path, [UBER, replaced(SHUTTLE, "title", "x" * 501)])
    with pytest.raises(RowErrors) as caught:
        import_public_incidents(actor=system_actor, directory=directory)
    assert [(p.row, p.field) for p in caught.value.errors] == [(3, "incidents.csv/title")]
    assert PublicIncident.objects.count() == 0


def test_slug_label_makes_a_display_name():
    assert slug_label("keolis-north-america") == "Keolis North America"
    assert slug_label("uber") == "Uber"
    assert slug_label("stability-ai") == "Stability AI"
    assert slug_label("openai") == "OpenAI"
    assert slug_label("new-york-city-department-of-education") == "New York City Department of Education"
    assert slug_label("x-(twitter)") == "X (Twitter)"
    assert slug_label("@handle") == "@handle"


# who may import, and what the audit log says --------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["editor_a", "coordinator_a", "auditor", "norole"])
def test_only_hq_admins_may_import(world, tmp_path, name):
    directory = snapshot_dir(tmp_path, [UBER])
    with pytest.raises(PermissionDenied):
        import_public_incidents(actor=world.users[name], directory=directory)
    assert PublicIncident.objects.count() == 0


@pytest.mark.django_db
def test_an_hq_admin_may_import_and_one_event_names_the_import(world, tmp_path):
    directory = snapshot_dir(tmp_path, [UBER, SHUTTLE], [UBER_MIT])
    admin = world.users["hq_admin"]
    import_public_incidents(actor=admin, directory=directory)
    import_public_incidents(actor=admin, directory=directory)
    first, second = import_events()
    assert (first.object_id, first.action, first.actor_id) == ("aiid", "create", admin.pk)
    assert first.after is not None
    assert first.after["created"] == 2
    assert first.after["source_name"] == "AI Incident Database"
    assert first.after["directory"] == str(directory)
    assert set(first.after["files"]) == {INCIDENTS_FILE, CLASSIFICATIONS_FILE}
    assert second.after is not None
    assert (second.action, second.after["unchanged"]) == ("update", 2)
    assert second.before == {"source": "aiid", "incidents": 2}
    assert verify_audit_chain()[0] is None


@pytest.mark.django_db
def test_a_dry_run_counts_but_saves_nothing(system_actor, tmp_path):
    outcome = import_public_incidents(
        actor=system_actor, directory=snapshot_dir(tmp_path, [UBER, SHUTTLE]), dry_run=True
    )
    assert (outcome.created, outcome.dry_run) == (2, True)
    assert PublicIncident.objects.count() == 0
    assert import_events() == []


# the command ----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_command_imports_the_shipped_snapshot_by_default():
    out = io.StringIO()
    call_command("import_incidents", "--format", "aiid", stdout=out)
    assert "989 added, 0 updated, 0 unchanged" in out.getvalue()
    assert PublicIncident.objects.count() == 989
    (event,) = import_events()
    assert event.actor_label == "cli:import_incidents"
    out = io.StringIO()
    call_command("import_incidents", stdout=out)
    assert "0 added, 0 updated, 989 unchanged" in out.getvalue()
    assert len(import_events()) == 2


@pytest.mark.django_db
def test_the_command_answers_in_json_and_a_dry_run_saves_nothing(tmp_path):
    out = io.StringIO()
    call_command("import_incidents", str(snapshot_dir(tmp_path, [UBER, SHUTTLE])), "--dry-run", "--json", stdout=out)
    data = json.loads(out.getvalue())
    assert (data["ok"], data["dry_run"], data["created"], data["updated"], data["unchanged"]) == (True, True, 2, 0, 0)
    assert data["format"] == "aiid"
    assert PublicIncident.objects.count() == 0
    assert import_events() == []


@pytest.mark.django_db
def test_the_command_prints_each_problem_and_fails(tmp_path):
    directory = snapshot_dir(tmp_path, [UBER, replaced(SHUTTLE, "incident_id", "x"), replaced(UBER, "date", "soon")])
    out, err = io.StringIO(), io.StringIO()
    with pytest.raises(CommandError, match="nothing was saved"):
        call_command("import_incidents", str(directory), "--json", stdout=out, stderr=err)
    lines = err.getvalue().splitlines()
    assert "row 3, incidents.csv/incident_id: An incident id must be a whole number above zero, such as 4. (x)" in lines
    assert any(line.startswith("warning: row 4, incidents.csv/date: ") and line.endswith("(soon)") for line in lines)
    assert any("already appears in row 2" in line for line in lines)
    data = json.loads(out.getvalue())
    assert data["ok"] is False
    assert {p["row"] for p in data["problems"]} == {3, 4}
    assert PublicIncident.objects.count() == 0


@pytest.mark.django_db
def test_the_command_names_a_missing_file(tmp_path):
    directory = snapshot_dir(tmp_path, [UBER])
    (directory / INCIDENTS_FILE).unlink()
    err = io.StringIO()
    with pytest.raises(CommandError):
        call_command("import_incidents", str(directory), stderr=err)
    assert "incidents.csv: The file incidents.csv is missing." in err.getvalue()


def test_an_unknown_format_is_refused():
    with pytest.raises(CommandError, match="invalid choice: 'oecd'"):
        call_command("import_incidents", "--format", "oecd")
