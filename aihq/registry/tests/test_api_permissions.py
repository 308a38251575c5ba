"""The permission matrix over the API: each role × own / other organisation × list, read, create, update, delete."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db

USERS = [None, "norole", "hq_admin", "auditor", "coordinator_a", "editor_a", "viewer_a", "editor_b"]

# Which of the world's use cases each user sees in the list.
LIST_EXPECTED = {
    "norole": set(),
    "hq_admin": {"uc_a", "uc_a1", "uc_b"},
    "auditor": {"uc_a", "uc_a1", "uc_b"},
    "coordinator_a": {"uc_a", "uc_a1"},
    "editor_a": {"uc_a"},
    "viewer_a": {"uc_a"},
    "editor_b": {"uc_b"},
}

# Status codes for reading, updating and deleting use case A (in organisation A).
READ_A = {
    None: 401,
    "norole": 404,
    "hq_admin": 200,
    "auditor": 200,
    "coordinator_a": 200,
    "editor_a": 200,
    "viewer_a": 200,
    "editor_b": 404,
}
WRITE_A = {
    None: 401,
    "norole": 404,
    "hq_admin": 200,
    "auditor": 403,
    "coordinator_a": 200,
    "editor_a": 200,
    "viewer_a": 403,
    "editor_b": 404,
}
DELETE_A = {**WRITE_A, "hq_admin": 204, "coordinator_a": 204, "editor_a": 204}
# Creating a use case in A: invisible organisations are unknown codes (400), visible read-only ones 403.
CREATE_IN_A = {
    None: 401,
    "norole": 400,
    "hq_admin": 201,
    "auditor": 403,
    "coordinator_a": 201,
    "editor_a": 201,
    "viewer_a": 403,
    "editor_b": 400,
}
# Use case A1 lives in a sub-organisation of A: only the coordinator of A (and HQ) reach it.
WRITE_A1 = {
    None: 401,
    "norole": 404,
    "hq_admin": 200,
    "auditor": 403,
    "coordinator_a": 200,
    "editor_a": 404,
    "viewer_a": 404,
    "editor_b": 404,
}


@pytest.mark.parametrize("user", USERS)
def test_use_case_list_is_scoped_by_membership(world, api_client_for, user):
    response = api_client_for(user).get("/api/v1/use-cases/")
    if user is None:
        assert response.status_code == 401
        return
    assert response.status_code == 200
    names = {row["name"] for row in response.json()["results"]}
    expected = {getattr(world, key).name for key in LIST_EXPECTED[user]}
    assert names == expected


@pytest.mark.parametrize("user", USERS)
def test_use_case_read(world, api_client_for, user):
    response = api_client_for(user).get(f"/api/v1/use-cases/{world.uc_a.pk}/")
    assert response.status_code == READ_A[user]
    assert response["Content-Type"].startswith("application/json")


@pytest.mark.parametrize("user", USERS)
def test_use_case_update(world, api_client_for, user):
    response = api_client_for(user).patch(f"/api/v1/use-cases/{world.uc_a.pk}/", {"name": "Renamed"}, format="json")
    assert response.status_code == WRITE_A[user]
    world.uc_a.refresh_from_db()
    assert (world.uc_a.name == "Renamed") == (WRITE_A[user] == 200)


@pytest.mark.parametrize("user", USERS)
def test_use_case_update_in_sub_organisation(world, api_client_for, user):
    response = api_client_for(user).patch(f"/api/v1/use-cases/{world.uc_a1.pk}/", {"stage": "retired"}, format="json")
    assert response.status_code == WRITE_A1[user]


@pytest.mark.parametrize("user", USERS)
def test_use_case_delete(world, api_client_for, user):
    from aihq.registry.models import UseCase

    response = api_client_for(user).delete(f"/api/v1/use-cases/{world.uc_a.pk}/")
    assert response.status_code == DELETE_A[user]
    assert UseCase.objects.filter(pk=world.uc_a.pk).exists() == (DELETE_A[user] != 204)


@pytest.mark.parametrize("user", USERS)
def test_use_case_create(world, api_client_for, user):
    from aihq.registry.models import UseCase

    payload = {"name": "New thing", "organisation": "A", "stage": "pilot", "sectors": ["healthcare"]}
    response = api_client_for(user).post("/api/v1/use-cases/", payload, format="json")
    assert response.status_code == CREATE_IN_A[user], response.content
    assert UseCase.objects.filter(name="New thing").exists() == (CREATE_IN_A[user] == 201)
    if response.status_code >= 400:
        body = response.json()
        assert "detail" in body
        assert "errors" in body


def test_editor_of_b_cannot_read_or_change_a(world, api_client_for):
    client = api_client_for("editor_b")
    assert client.get(f"/api/v1/use-cases/{world.uc_a.pk}/").status_code == 404
    assert (
        client.put(f"/api/v1/use-cases/{world.uc_a.pk}/", {"name": "x", "organisation": "B"}, format="json").status_code
        == 404
    )
    assert client.delete(f"/api/v1/use-cases/{world.uc_a.pk}/").status_code == 404


def test_editor_cannot_move_use_case_into_organisation_they_cannot_write(world, api_client_for):
    from aihq.registry.models import UseCase

    world.users["editor_a"].memberships.create(role="viewer", organisation=world.org_b)
    response = api_client_for("editor_a").patch(
        f"/api/v1/use-cases/{world.uc_a.pk}/", {"organisation": "B"}, format="json"
    )
    assert response.status_code == 403
    assert UseCase.objects.get(pk=world.uc_a.pk).organisation == world.org_a


def test_coordinator_can_move_use_case_within_their_subtree(world, api_client_for):
    response = api_client_for("coordinator_a").patch(
        f"/api/v1/use-cases/{world.uc_a.pk}/", {"organisation": "A1"}, format="json"
    )
    assert response.status_code == 200
    assert response.json()["organisation"] == "A1"


@pytest.mark.parametrize(
    ("user", "status"),
    [(None, 401), ("norole", 403), ("editor_a", 403), ("viewer_a", 403), ("auditor", 200), ("hq_admin", 200)],
)
def test_memberships_are_for_hq_admins_and_auditors(world, api_client_for, user, status):
    response = api_client_for(user).get("/api/v1/memberships/")
    if status == 200:
        assert response.status_code == 200
        assert response.json()["count"] == 6  # the seven users less "norole"
    else:
        # Others get an empty list or are refused outright; either way they see no memberships.
        assert response.status_code in (status, 200)
        if response.status_code == 200:
            assert response.json()["count"] == 0


@pytest.mark.parametrize(
    ("user", "status"), [("hq_admin", 201), ("auditor", 403), ("editor_a", 403), ("coordinator_a", 403)]
)
def test_only_hq_admins_grant_roles(world, api_client_for, user, status):
    response = api_client_for(user).post(
        "/api/v1/memberships/", {"user": "norole", "organisation": "B", "role": "viewer"}, format="json"
    )
    assert response.status_code == status


@pytest.mark.parametrize(
    ("user", "count"),
    [("hq_admin", 3), ("auditor", 3), ("coordinator_a", 2), ("editor_a", 1), ("editor_b", 1), ("norole", 0)],
)
def test_organisations_are_scoped(world, api_client_for, user, count):
    response = api_client_for(user).get("/api/v1/organisations/")
    assert response.status_code == 200
    assert response.json()["count"] == count


@pytest.mark.parametrize(
    ("user", "status"), [("hq_admin", 201), ("coordinator_a", 403), ("editor_a", 403), ("auditor", 403)]
)
def test_only_hq_admins_create_organisations(world, api_client_for, user, status):
    response = api_client_for(user).post(
        "/api/v1/organisations/", {"code": "C", "name_en": "Org C", "kind": "agency"}, format="json"
    )
    assert response.status_code == status


@pytest.mark.parametrize(
    ("user", "read", "write"), [("editor_a", 200, 403), ("hq_admin", 200, 200), ("norole", 200, 403), (None, 401, 401)]
)
def test_reference_data_readable_by_all_signed_in_written_by_hq(world, api_client_for, user, read, write):
    client = api_client_for(user)
    assert client.get("/api/v1/sectors/healthcare/").status_code == read
    assert client.patch("/api/v1/sectors/healthcare/", {"name_en": "Health care"}, format="json").status_code == write


@pytest.mark.parametrize(("user", "status"), [("auditor", 200), ("hq_admin", 200)])
def test_audit_events_readable_by_auditors_and_admins(world, api_client_for, user, status):
    response = api_client_for(user).get("/api/v1/audit-events/")
    assert response.status_code == status
    assert response.json()["count"] >= 3


@pytest.mark.parametrize("user", ["norole", "editor_a", "viewer_a", "coordinator_a"])
def test_audit_events_hidden_from_other_roles(world, api_client_for, user):
    response = api_client_for(user).get("/api/v1/audit-events/")
    assert response.status_code == 200
    assert response.json()["count"] == 0


def test_audit_events_cannot_be_changed_through_the_api(world, api_client_for):
    client = api_client_for("hq_admin")
    seq = client.get("/api/v1/audit-events/").json()["results"][0]["seq"]
    assert client.delete(f"/api/v1/audit-events/{seq}/").status_code == 405
    assert client.patch(f"/api/v1/audit-events/{seq}/", {"action": "x"}, format="json").status_code == 405
