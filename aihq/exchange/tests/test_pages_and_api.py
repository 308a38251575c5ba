"""Import and export through the pages and the API: preview, confirm, history, downloads, scoping."""

from __future__ import annotations

import csv
import io
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from aihq.exchange.models import ImportRun
from aihq.registry.models import UseCase

pytestmark = pytest.mark.django_db

CSV = (
    b"reference,name,organisation,stage,sectors,regions,is_generative\n"
    b"A-1,Speech to text,A,pilot,healthcare,RU-TA,no\n"
    b"A-2,Document triage,A,production,,,yes\n"
    b"B-1,Someone else's,B,pilot,,,no\n"
)


def upload(name: str = "cases.csv", data: bytes = CSV) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="text/csv")


def test_editor_previews_then_confirms_an_import(world, page_client_for):
    client = page_client_for("editor_a")
    response = client.post("/imports/new/", {"file": upload(), "on_conflict": "update"})
    assert response.status_code == 302
    preview = ImportRun.objects.get()
    assert preview.status == "dry_run"
    assert preview.counts["new"] == 2
    assert preview.counts["rejected"] == 1
    assert not UseCase.objects.filter(reference__in=["A-1", "A-2"]).exists()
    page = client.get(f"/imports/{preview.pk}/").content.decode()
    assert "no organisation you can see with code B" in page
    assert 'data-testid="confirm"' in page
    response = client.post(f"/imports/{preview.pk}/apply/")
    applied = ImportRun.objects.exclude(pk=preview.pk).get()
    assert response["Location"] == f"/imports/{applied.pk}/"
    assert applied.status == "applied"
    assert applied.preview_of_id == preview.pk
    assert set(UseCase.objects.filter(reference__startswith="A-").values_list("reference", flat=True)) == {"A-1", "A-2"}
    # The preview cannot be applied twice.
    assert client.post(f"/imports/{preview.pk}/apply/").status_code == 403


def test_rejected_rows_download_with_reasons(world, page_client_for):
    client = page_client_for("editor_a")
    client.post("/imports/new/", {"file": upload(), "on_conflict": "update"})
    run = ImportRun.objects.get()
    response = client.get(f"/imports/{run.pk}/rejects/")
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    assert [row["reference"] for row in rows] == ["B-1"]
    assert "B" in rows[0]["reason"]


@pytest.mark.parametrize(("user", "status"), [("viewer_a", 403), ("norole", 403), ("auditor", 403), ("editor_b", 200)])
def test_only_users_who_can_write_somewhere_may_import(world, page_client_for, user, status):
    assert page_client_for(user).get("/imports/new/").status_code == status


def test_imports_are_private_to_their_author_and_readable_by_auditors(world, page_client_for):
    page_client_for("editor_a").post("/imports/new/", {"file": upload(), "on_conflict": "update"})
    run = ImportRun.objects.get()
    assert page_client_for("editor_b").get(f"/imports/{run.pk}/").status_code == 404
    assert page_client_for("auditor").get(f"/imports/{run.pk}/").status_code == 200
    assert page_client_for("auditor").post(f"/imports/{run.pk}/apply/").status_code == 403
    assert "cases.csv" not in page_client_for("editor_b").get("/imports/").content.decode()


def test_a_file_that_cannot_be_read_is_reported_on_the_page(world, page_client_for):
    client = page_client_for("editor_a")
    client.post(
        "/imports/new/", {"file": upload("bad.csv", b"\xff\xfe\x00\xd8garbage\x00\x00\x81"), "on_conflict": "update"}
    )
    run = ImportRun.objects.get()
    page = client.get(f"/imports/{run.pk}/").content.decode()
    assert run.status == "failed"
    assert 'data-testid="error"' in page
    assert 'data-testid="confirm"' not in page


@pytest.mark.parametrize("kind", ["csv", "xlsx", "json"])
def test_templates_download(world, page_client_for, kind):
    response = page_client_for("viewer_a").get(f"/imports/template.{kind}")
    assert response.status_code == 200
    assert f"template.{kind}" in response["Content-Disposition"]


def test_list_page_export_respects_scope_and_filters(world, page_client_for):
    response = page_client_for("coordinator_a").get("/use-cases/export/", {"format": "csv", "stage": "production"})
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert [row["name"] for row in rows] == ["Vision A1"]
    response = page_client_for("editor_b").get("/use-cases/export/", {"format": "json"})
    assert [row["name"] for row in json.loads(response.content)] == ["Forecast B"]
    assert page_client_for("editor_b").get("/use-cases/export/", {"format": "pdf"}).status_code == 400


def test_api_import_dry_run_then_real(world, api_client_for):
    client = api_client_for("editor_a")
    response = client.post("/api/v1/imports/", {"file": upload(), "dry_run": "true"}, format="multipart")
    assert response.status_code == 201, response.content
    report = response.json()["report"]
    assert report["status"] == "dry_run"
    assert report["counts"]["new"] == 2
    assert not UseCase.objects.filter(reference="A-1").exists()
    response = client.post("/api/v1/imports/", {"file": upload()}, format="multipart")
    assert response.status_code == 201
    run_id = response.json()["id"]
    assert UseCase.objects.filter(reference="A-1").exists()
    detail = client.get(f"/api/v1/imports/{run_id}/").json()
    assert detail["report"]["counts"]["rejected"] == 1
    assert any(p["row"] == 4 and p["level"] == "error" for p in detail["report"]["problems"])
    assert api_client_for("editor_b").get(f"/api/v1/imports/{run_id}/").status_code == 404


def test_api_import_of_an_unreadable_file_is_a_json_400(world, api_client_for):
    client = api_client_for("editor_a")
    response = client.post("/api/v1/imports/", {"file": upload("e.csv", b"")}, format="multipart")
    assert response.status_code == 400
    assert "empty" in str(response.json()["errors"]["file"])
    response = client.post(
        "/api/v1/imports/", {"file": upload("x.csv", b"name\n\x81\x82\x83\xfe\n")}, format="multipart"
    )
    assert response.status_code == 400
    body = response.json()
    assert "UTF-8" in body["detail"]
    assert body["report"]["status"] == "failed"


def test_api_import_needs_a_file(world, api_client_for):
    response = api_client_for("editor_a").post("/api/v1/imports/", {"dry_run": "true"}, format="multipart")
    assert response.status_code == 400
    assert "file" in response.json()["errors"]


def test_api_export_with_list_filters(world, api_client_for):
    client = api_client_for("hq_admin")
    response = client.get(
        "/api/v1/use-cases/export/", {"format": "csv", "organisation": "A", "include_children": "true"}
    )
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    names = sorted(row["name"] for row in csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert names == ["Chatbot A", "Vision A1"]
    response = client.get("/api/v1/use-cases/export/", {"format": "omb-2024"})
    assert "2_use_case_name" in response.content.decode("utf-8-sig").splitlines()[0]
    assert client.get("/api/v1/use-cases/export/", {"format": "docx"}).status_code == 400


@pytest.mark.parametrize("kind", ["csv", "xlsx", "json"])
def test_formula_like_text_survives_an_export_and_import_in_every_kind(world, kind, system_actor):
    from aihq.exchange.services import ImportOptions, export_queryset, import_usecases
    from aihq.registry.services import use_case_update

    use_case_update(actor=system_actor, use_case=world.uc_a, name="=SUM(A1)", description="'=already quoted")
    content, _type, _ext = export_queryset(UseCase.objects.filter(pk=world.uc_a.pk), "csv", kind)
    if kind == "csv":
        assert "'=SUM(A1)" in content.decode("utf-8-sig")  # neutralised for Excel
    UseCase.objects.filter(pk=world.uc_a.pk).delete()
    run = import_usecases(actor=system_actor, data=content, file_name=f"x.{kind}", options=ImportOptions(format=kind))
    assert run.status == "applied", run.error
    imported = UseCase.objects.get(organisation=world.org_a)
    assert (imported.name, imported.description) == ("=SUM(A1)", "'=already quoted")


def test_viewers_and_auditors_cannot_import_through_the_api(world, api_client_for):
    for user in ("viewer_a", "auditor"):
        response = api_client_for(user).post("/api/v1/imports/", {"file": upload()}, format="multipart")
        assert response.status_code == 403


def test_an_import_never_touches_sectors_for_a_non_admin(world, api_client_for):
    from aihq.registry.models import Sector

    world.sector.name_en = "Renamed by HQ"
    world.sector.save()
    before = sorted(Sector.objects.values_list("code", "name_en"))
    api_client_for("editor_a").post("/api/v1/imports/", {"file": upload()}, format="multipart")
    assert sorted(Sector.objects.values_list("code", "name_en")) == before


def test_import_messages_do_not_reveal_organisations_the_user_cannot_see(world, system_actor):
    from aihq.exchange.services import ImportOptions, import_usecases

    data = b"name,organisation\nOne,B\nTwo,ZZZ\n"
    run = import_usecases(actor=world.users["editor_a"], data=data, file_name="x.csv", options=ImportOptions())
    messages = [p["message"] for p in run.problems if p["level"] == "error"]
    assert messages == ["no organisation you can see with code B", "no organisation you can see with code ZZZ"]


def test_headers_that_look_like_formulas_are_neutralised_in_exports():
    from aihq.exchange.services import write_rows

    content = write_rows(["=HYPERLINK(1)", "name"], [{"=HYPERLINK(1)": "x", "name": "y"}], "csv").decode("utf-8-sig")
    assert content.splitlines()[0] == "'=HYPERLINK(1),name"
