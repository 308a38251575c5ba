"""Bad input the serializers never see: a NUL character anywhere in a JSON body, too many files in a form."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from aihq.core.parsers import nul_at


@pytest.mark.parametrize(
    ("body", "where"),
    [
        ({"attributes": {"note": "a\x00b"}}, "attributes.note"),
        ({"attributes": {"no\x00te": "ab"}}, "attributes.no\x00te"),
        ({"tags": ["a", ["b", "c\x00"]]}, "tags[1][1]"),
        ("\x00", "$"),
        ({"name": "fine", "n": 1, "ok": [None, True, 2.5]}, None),
    ],
)
def test_nul_at_names_where_a_nul_is(body, where):
    assert nul_at(body) == where


def test_a_nul_deep_in_a_json_body_is_a_400_and_changes_nothing(api_client_for, world):
    """PostgreSQL cannot store it in jsonb (the request failed in the database); SQLite would store it silently."""
    response = api_client_for("hq_admin").patch(
        f"/api/v1/use-cases/{world.uc_a.pk}/", {"name": "Renamed", "attributes": {"note": "a\x00b"}}, format="json"
    )
    assert response.status_code == 400, response.content
    assert response.json()["detail"] == "A text in the body contains a NUL character (at attributes.note); remove it."
    world.uc_a.refresh_from_db()
    assert world.uc_a.name == "Chatbot A"
    assert "note" not in (world.uc_a.attributes or {})


@pytest.mark.django_db
def test_too_many_files_names_the_files_limit(world, api_client_for, settings):
    settings.DATA_UPLOAD_MAX_NUMBER_FILES = 2
    files = {f"file{i}": SimpleUploadedFile(f"f{i}.csv", b"a,b\n1,2\n") for i in range(3)}
    response = api_client_for("editor_a").post("/api/v1/imports/", files, format="multipart")
    assert response.status_code == 400
    assert response.json()["detail"] == "The request has more than 2 files."
