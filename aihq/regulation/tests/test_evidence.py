"""Evidence files: an empty file is refused as empty, whatever its type, by the service and by the API."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from aihq.regulation.models import Evidence, RequirementStatus
from aihq.regulation.services import evidence_add


@pytest.fixture
def requirement(world: Any) -> RequirementStatus:
    return RequirementStatus.objects.create(
        use_case=world.uc_a, framework_code="eu-ai-act", requirement_id="eu-art-9", cite="Art. 9", title_en="Risk"
    )


@pytest.mark.django_db
@pytest.mark.parametrize("filename", ["plan.pdf", "report.docx", "photo.png", "notes.txt", "tool.exe", ""])
def test_an_empty_evidence_file_is_refused_as_empty_whatever_its_name(
    requirement: RequirementStatus, world: Any, filename: str
) -> None:
    with pytest.raises(ValidationError) as refused:
        evidence_add(actor=world.users["editor_a"], requirement=requirement, filename=filename, content=b"")
    assert refused.value.message_dict == {"file": ["The file is empty."]}
    assert not Evidence.objects.exists()


@pytest.mark.django_db
def test_an_empty_evidence_file_is_refused_as_empty_by_the_api(
    requirement: RequirementStatus, api_client_for: Any
) -> None:
    empty = SimpleUploadedFile("plan.pdf", b"", content_type="application/pdf")
    response = api_client_for("editor_a").post(
        "/api/v1/evidence/", {"requirement": requirement.pk, "file": empty}, format="multipart"
    )
    assert response.status_code == 400
    assert any("empty" in message for message in response.json()["errors"]["file"])
    assert not Evidence.objects.exists()
