"""What aihq.core.api.exception_handler answers for errors the views do not catch themselves."""

from __future__ import annotations

import pytest
from django.db import connection


@pytest.mark.postgresql
@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL: SQLite stores a NUL in JSON")
def test_a_value_the_database_cannot_store_is_a_400_and_changes_nothing(api_client_for, world):
    response = api_client_for("hq_admin").patch(
        f"/api/v1/use-cases/{world.uc_a.pk}/", {"name": "Renamed", "attributes": {"note": "a\x00b"}}, format="json"
    )
    assert response.status_code == 400, response.content
    assert "NUL" in response.json()["detail"]
    world.uc_a.refresh_from_db()
    assert world.uc_a.name == "Chatbot A"
