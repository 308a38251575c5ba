"""The account page: a user's own roles, and API tokens made and revoked there."""

from __future__ import annotations

import pytest

from aihq.accounts.models import ApiToken

pytestmark = pytest.mark.django_db


def test_account_page_lists_own_roles_only(world, page_client_for):
    body = page_client_for("editor_a").get("/account/").content.decode()
    assert "Ministry A" in body
    assert "Ministry B" not in body


def test_a_token_made_on_the_page_is_shown_once_and_works(world, page_client_for, client):
    page = page_client_for("editor_b")
    response = page.post("/account/", {"name": "laptop"})
    key = response.context["new_key"]
    assert key in response.content.decode()
    assert key not in page.get("/account/").content.decode()  # only the prefix is shown afterwards
    api = client.get("/api/v1/use-cases/", HTTP_AUTHORIZATION=f"Token {key}")
    assert [row["name"] for row in api.json()["results"]] == ["Forecast B"]


def test_a_token_is_revoked_by_its_owner_and_no_one_else(world, page_client_for, client):
    page_client_for("editor_b").post("/account/", {"name": "laptop"})
    token = ApiToken.objects.get(user=world.users["editor_b"])
    assert page_client_for("editor_a").post(f"/account/tokens/{token.pk}/revoke/").status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None
    assert page_client_for("editor_b").post(f"/account/tokens/{token.pk}/revoke/").status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is not None
