"""Upload limits on every upload path: too large or of the wrong type is refused with a clear 4xx or form error,
and nothing is written; JSON bodies and whole requests have limits too."""

from __future__ import annotations

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from aihq.core.uploads import DATA_FILE_TYPES, content_problem, upload_problems
from aihq.exchange.models import ImportRun
from aihq.objectives.models import Measurement
from aihq.regulation.models import Evidence, RequirementStatus
from aihq.sovereignty.models import BomEntry

MB = 1024 * 1024
CSV = b"name,organisation,stage\nChatbot,A,pilot\n"
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 64
HTML = b"<!DOCTYPE html><html><body><script>alert(document.cookie)</script></body></html>"
ELF = b"\x7fELF\x02\x01\x01" + b"\x00" * 40
#: What Excel writes for a workbook saved with a password: an OLE compound file, not a zip.
ENCRYPTED_XLSX = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 16 + b"\x3e\x00\x03\x00\xfe\xff"

# A file's name, its content, and the words the refusal must contain.
WRONG_TYPES = [
    ("tool.exe", EXE, "not accepted here"),
    ("cases.csv", EXE, "binary data"),
    ("cases.csv", ELF, "binary data"),
    ("cases.csv", HTML, "web page"),
    ("cases.json", b"\xef\xbb\xbf  <svg onload=alert(1)>", "web page"),
    ("cases.xlsx", CSV, "not a .xlsx file"),
    ("cases.csv", b"name\x00\x00\x01\x02binary", "binary data"),
    ("cases.xlsx", ENCRYPTED_XLSX, "encrypted (password-protected)"),
]


def upload(name: str, data: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="text/csv")  # the browser's type is never believed


# the checks themselves ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "head"),
    [
        ("plan.pdf", b"%PDF-1.7\n"),
        ("photo.png", b"\x89PNG\r\n\x1a\n...."),
        ("photo.JPG", b"\xff\xd8\xff\xe0"),
        ("report.docx", b"PK\x03\x04"),
        ("cases.csv", b"name,stage\n"),
        ("cases.csv", "имя,стадия\n".encode("cp1251")),
        ("cases.csv", "\ufeffname\n".encode("utf-16")),
        ("notes.md", b"# Heading\n"),
        ("bom.json", b'{"bomFormat": "CycloneDX"}'),
    ],
)
def test_a_file_whose_content_matches_its_name_passes(name, head):
    assert content_problem(name, head) is None


@pytest.mark.parametrize(
    ("name", "head", "words"),
    [
        ("plan.pdf", b"<html>", "not a .pdf file"),
        ("photo.png", b"GIF89a", "not a .png file"),
        ("report.docx", b"%PDF-1.4", "not a .docx file"),
        ("plan.pdf", b"MZ\x90", "program"),
        ("run.txt", b"#!/bin/sh\nrm -rf /", "program (script)"),
        ("page.txt", b"\n\n  <HTML><body>", "web page"),
        ("page.csv", "\ufeff<script>x</script>".encode("utf-16"), "web page"),
    ],
)
def test_a_file_whose_content_is_not_what_its_name_says_is_refused(name, head, words):
    assert words in (content_problem(name, head) or "")


@pytest.mark.parametrize("name", ["codes.csv", "codes.tsv", "codes.txt", "codes.json"])
def test_a_text_file_that_happens_to_start_with_a_program_signature_passes(name):
    assert content_problem(name, b"MZ code,name\nMZ-01,Chatbot\n") is None
    assert content_problem(name, "\ufeffMZ code;name\n".encode()) is None


@pytest.mark.parametrize(("program", "kind"), [(EXE, "Windows"), (ELF, "ELF")])
def test_a_program_named_as_text_is_refused_for_its_binary_data(program, kind):
    assert "holds binary data, not text" in (content_problem("codes.csv", program) or "")
    assert f"program ({kind})" in (content_problem("codes.pdf", program) or "")  # named as anything else


@pytest.mark.parametrize("name", ["cases.xlsx", "report.docx", "slides.PPTX"])
def test_an_encrypted_office_file_is_refused_with_advice_to_remove_the_password(name):
    problem = content_problem(name, ENCRYPTED_XLSX) or ""
    assert "encrypted (password-protected)" in problem
    assert "Remove the password" in problem
    assert "not a .zip file" in (content_problem("archive.zip", ENCRYPTED_XLSX) or "")  # no Office file: no advice


def test_the_size_limit_is_named_in_megabytes():
    assert upload_problems("a.csv", 3 * MB, b"a", max_bytes=2 * MB, extensions=DATA_FILE_TYPES) == [
        "The file is 3 MB; the limit is 2 MB."
    ]
    assert upload_problems("a.csv", 2 * MB + 1, b"a", max_bytes=2 * MB, extensions=DATA_FILE_TYPES) == [
        "The file is 2.1 MB; the limit is 2 MB."
    ]
    problems = upload_problems("a.exe", 10, b"MZ", max_bytes=MB, extensions={".csv", ".json"})
    assert problems == ["Files of type .exe are not accepted here; use one of: .csv, .json."]
    assert "(no extension)" in upload_problems("README", 10, b"x", max_bytes=MB, extensions={".csv"})[0]


# use-case import -----------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_use_case_import_too_large_is_refused_on_the_page_naming_the_limit(world, page_client_for, settings):
    settings.AIHQ_IMPORT_MAX_MB = 1
    response = page_client_for("editor_a").post("/imports/new/", {"file": upload("big.csv", CSV + b"x" * MB)})
    assert response.status_code == 200
    assert "the limit is 1 MB" in response.content.decode()
    assert not ImportRun.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "data", "words"), WRONG_TYPES)
def test_a_use_case_import_of_the_wrong_type_is_refused_on_the_page(world, page_client_for, name, data, words):
    response = page_client_for("editor_a").post("/imports/new/", {"file": upload(name, data), "on_conflict": "update"})
    assert response.status_code == 200
    assert words in response.content.decode()
    assert not ImportRun.objects.exists()  # no run recorded, no file kept on disk


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "data", "words"), WRONG_TYPES)
def test_a_use_case_import_of_the_wrong_type_is_refused_by_the_api(world, api_client_for, name, data, words):
    response = api_client_for("editor_a").post("/api/v1/imports/", {"file": upload(name, data)}, format="multipart")
    assert response.status_code == 400
    assert any(words in message for message in response.json()["errors"]["file"])
    assert not ImportRun.objects.exists()


@pytest.mark.django_db
def test_a_use_case_import_too_large_is_refused_by_the_api(world, api_client_for, settings):
    settings.AIHQ_IMPORT_MAX_MB = 1
    response = api_client_for("editor_a").post(
        "/api/v1/imports/", {"file": upload("big.csv", CSV + b"x" * MB)}, format="multipart"
    )
    assert response.status_code == 400
    assert response.json()["errors"]["file"] == ["The file is 1.1 MB; the limit is 1 MB."]
    assert not ImportRun.objects.exists()


@pytest.mark.django_db
def test_a_good_use_case_import_still_goes_through(world, api_client_for):
    response = api_client_for("editor_a").post("/api/v1/imports/", {"file": upload("ok.csv", CSV)}, format="multipart")
    assert response.status_code == 201, response.json()


# measurements --------------------------------------------------------------------------------------------------


@pytest.fixture
def indicator(world, system_actor):
    from aihq.objectives.services import indicator_create, objective_create

    objective = objective_create(actor=system_actor, code="O", title_en="O", title_ru="O", owner=world.org_a)
    return indicator_create(actor=system_actor, objective=objective, code="I", name_en="I", name_ru="I", unit="count")


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "data", "words"), WRONG_TYPES[:4])
def test_a_measurement_upload_of_the_wrong_type_is_refused_on_the_page(indicator, page_client_for, name, data, words):
    client = page_client_for("hq_admin")
    response = client.post(f"/indicators/{indicator.pk}/upload/", {"file": upload(name, data)}, follow=True)
    assert words in response.content.decode()
    assert not Measurement.objects.exists()


@pytest.mark.django_db
def test_a_measurement_upload_too_large_is_refused_naming_the_limit(indicator, page_client_for, settings):
    settings.AIHQ_IMPORT_MAX_MB = 1
    data = b"period,value\n2025,1\n" + b"x" * MB
    response = page_client_for("hq_admin").post(
        f"/indicators/{indicator.pk}/upload/", {"file": upload("v.csv", data)}, follow=True
    )
    assert "the limit is 1 MB" in response.content.decode()
    assert not Measurement.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "data", "words"), WRONG_TYPES[:4])
def test_a_measurement_upload_of_the_wrong_type_is_refused_by_the_api(indicator, api_client_for, name, data, words):
    response = api_client_for("hq_admin").post(
        "/api/v1/measurements/upload/", {"file": upload(name, data)}, format="multipart"
    )
    assert response.status_code == 400
    assert any(words in message for message in response.json()["errors"]["file"])
    assert not Measurement.objects.exists()


# AI-BOM --------------------------------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("name", "data", "words"),
    [("bom.xml", b"<bom/>", "not accepted here"), ("bom.json", HTML, "web page"), ("bom.json", EXE, "binary data")],
)
def test_an_aibom_of_the_wrong_type_is_refused_on_the_page_and_by_the_api(
    world, page_client_for, api_client_for, name, data, words
):
    page = page_client_for("editor_a").post(f"/use-cases/{world.uc_a.pk}/aibom/import/", {"file": upload(name, data)})
    assert page.status_code == 200
    assert words in page.content.decode()
    api = api_client_for("editor_a").post(
        f"/api/v1/use-cases/{world.uc_a.pk}/aibom/", {"file": upload(name, data)}, format="multipart"
    )
    assert api.status_code == 400
    assert any(words in message for message in api.json()["errors"]["file"])
    assert not BomEntry.objects.exists()


@pytest.mark.django_db
def test_an_aibom_too_large_is_refused_naming_the_limit(world, page_client_for, monkeypatch):
    monkeypatch.setattr("aihq.sovereignty.services.AIBOM_MAX_BYTES", MB)
    data = b'{"bomFormat": "CycloneDX", "pad": "' + b"x" * MB + b'"}'
    page = page_client_for("editor_a").post(
        f"/use-cases/{world.uc_a.pk}/aibom/import/", {"file": upload("b.json", data)}
    )
    assert "the limit is 1 MB" in page.content.decode()
    assert not BomEntry.objects.exists()


# evidence ------------------------------------------------------------------------------------------------------


@pytest.fixture
def requirement(world):
    return RequirementStatus.objects.create(
        use_case=world.uc_a, framework_code="eu-ai-act", requirement_id="eu-art-9", cite="Art. 9", title_en="Risk"
    )


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("name", "data", "words"),
    [
        ("tool.exe", EXE, "not accepted here"),
        ("plan.pdf", EXE, "program (Windows)"),
        ("plan.pdf", HTML, "not a .pdf file"),
        ("photo.png", b"\xff\xd8\xff\xe0 a jpeg", "not a .png file"),
        ("notes.txt", HTML, "web page"),
        ("report.docx", b"%PDF-1.4", "not a .docx file"),
    ],
)
def test_evidence_of_the_wrong_type_is_refused_on_the_page_and_by_the_api(
    requirement, page_client_for, api_client_for, name, data, words
):
    page = page_client_for("editor_a").post(
        f"/regulation/requirements/{requirement.pk}/evidence/", {"file": upload(name, data)}, follow=True
    )
    assert words in page.content.decode()
    api = api_client_for("editor_a").post(
        "/api/v1/evidence/", {"requirement": requirement.pk, "file": upload(name, data)}, format="multipart"
    )
    assert api.status_code == 400
    assert any(words in message for message in api.json()["errors"]["file"])
    assert not Evidence.objects.exists()


@pytest.mark.django_db
def test_evidence_too_large_is_refused_naming_the_limit(requirement, api_client_for, settings):
    settings.AIHQ_EVIDENCE_MAX_MB = 1
    big = upload("plan.pdf", b"%PDF-1.4" + b"x" * MB)
    api = api_client_for("editor_a").post("/api/v1/evidence/", {"requirement": requirement.pk, "file": big})
    assert api.status_code == 400
    assert "the limit is 1 MB" in api.json()["errors"]["file"][0]
    assert not Evidence.objects.exists()


@pytest.mark.django_db
def test_the_evidence_service_checks_the_content_whoever_calls_it(requirement, world):
    from django.core.exceptions import ValidationError

    from aihq.regulation.services import evidence_add

    with pytest.raises(ValidationError, match="program"):
        evidence_add(actor=world.users["editor_a"], requirement=requirement, filename="a.pdf", content=EXE)
    good = evidence_add(actor=world.users["editor_a"], requirement=requirement, filename="a.pdf", content=b"%PDF-1.4")
    assert good.content_type == "application/pdf"


@pytest.mark.django_db
def test_a_csv_whose_first_header_starts_with_mz_is_kept_as_evidence(requirement, world):
    from aihq.regulation.services import evidence_add

    codes = b"MZ code,name\nMZ-01,Chatbot\n"
    kept = evidence_add(actor=world.users["editor_a"], requirement=requirement, filename="codes.csv", content=codes)
    assert (kept.content_type, kept.size) == ("text/csv", len(codes))


@pytest.mark.django_db
def test_a_use_case_import_whose_first_header_starts_with_mz_is_accepted(world, api_client_for):
    data = b"MZ code,name,organisation,stage\nMZ-01,Chatbot,A,pilot\n"
    response = api_client_for("editor_a").post("/api/v1/imports/", {"file": upload("mz.csv", data)}, format="multipart")
    assert response.status_code == 201, response.json()


# framework definitions -----------------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("name", "data", "words"),
    [("nist.exe", EXE, "not accepted here"), ("nist.yaml", EXE, "binary data"), ("nist.json", HTML, "web page")],
)
def test_a_framework_file_of_the_wrong_type_is_refused(world, page_client_for, name, data, words):
    from aihq.regulation.models import Framework

    before = Framework.objects.count()
    response = page_client_for("hq_admin").post("/regulation/frameworks/", {"file": upload(name, data)})
    assert response.status_code == 200
    assert words in response.content.decode()
    assert Framework.objects.count() == before


# request bodies ------------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_json_body_over_the_limit_gets_413_not_500(world, api_client_for, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = MB // 2
    body = json.dumps([{"indicator": "X", "period": "2025", "value": 1, "note": "n" * 1000}] * 600)
    response = api_client_for("hq_admin").post("/api/v1/measurements/", body, content_type="application/json")
    assert response.status_code == 413
    assert response.json()["detail"] == "The request body is larger than 0.5 MB."
    assert not Measurement.objects.exists()


@pytest.mark.django_db
def test_a_json_body_within_the_limit_is_read(world, api_client_for, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 100_000
    response = api_client_for("editor_a").post(
        "/api/v1/use-cases/", {"name": "Small", "organisation": "A", "stage": "planned"}, format="json"
    )
    assert response.status_code == 201, response.json()


@pytest.mark.django_db
def test_form_fields_over_the_limits_get_a_4xx_not_500(world, api_client_for, settings):
    settings.DATA_UPLOAD_MAX_NUMBER_FIELDS = 10
    fields = {f"field{i}": "x" for i in range(20)}
    response = api_client_for("editor_a").post("/api/v1/imports/", fields, format="multipart")
    assert response.status_code == 400
    assert "more than 10 fields" in response.json()["detail"]
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 100
    response = api_client_for("editor_a").post("/api/v1/imports/", {"note": "x" * 500}, format="multipart")
    assert response.status_code == 413


@pytest.mark.django_db
def test_a_request_larger_than_any_upload_is_refused_before_it_is_read(world, client, settings):
    settings.AIHQ_IMPORT_MAX_MB = settings.AIHQ_EVIDENCE_MAX_MB = 1
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = MB
    api = client.post("/api/v1/imports/", b"x", content_type="application/octet-stream", CONTENT_LENGTH=str(3 * MB))
    assert api.status_code == 413
    assert "larger than 2 MB" in api.json()["detail"]
    page = client.post("/imports/new/", b"x", content_type="application/octet-stream", CONTENT_LENGTH=str(3 * MB))
    assert page.status_code == 413
