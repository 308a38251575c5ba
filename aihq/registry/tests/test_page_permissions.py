"""The permission matrix over the pages: list, detail, create, edit, delete for each role."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db

USERS = [None, "norole", "hq_admin", "auditor", "coordinator_a", "editor_a", "viewer_a", "editor_b"]
DETAIL_A = {
    None: 302,
    "norole": 404,
    "hq_admin": 200,
    "auditor": 200,
    "coordinator_a": 200,
    "editor_a": 200,
    "viewer_a": 200,
    "editor_b": 404,
}
EDIT_A = {
    None: 302,
    "norole": 404,
    "hq_admin": 200,
    "auditor": 403,
    "coordinator_a": 200,
    "editor_a": 200,
    "viewer_a": 403,
    "editor_b": 404,
}
CREATE_PAGE = {
    None: 302,
    "norole": 403,
    "hq_admin": 200,
    "auditor": 403,
    "coordinator_a": 200,
    "editor_a": 200,
    "viewer_a": 403,
    "editor_b": 200,
}


@pytest.mark.parametrize("user", USERS)
def test_list_page_shows_only_visible_use_cases(world, page_client_for, user):
    response = page_client_for(user).get("/use-cases/")
    if user is None:
        assert response.status_code == 302
        assert response["Location"].startswith("/login/")
        return
    assert response.status_code == 200
    body = response.content.decode()
    visible = {
        "hq_admin": "abx",
        "auditor": "abx",
        "coordinator_a": "ax",
        "editor_a": "a",
        "viewer_a": "a",
        "editor_b": "b",
        "norole": "",
    }[user]
    assert ("Chatbot A" in body) == ("a" in visible)
    assert ("Vision A1" in body) == ("x" in visible)
    assert ("Forecast B" in body) == ("b" in visible)


@pytest.mark.parametrize("user", USERS)
def test_detail_page(world, page_client_for, user):
    assert page_client_for(user).get(f"/use-cases/{world.uc_a.pk}/").status_code == DETAIL_A[user]


@pytest.mark.parametrize("user", USERS)
def test_edit_page(world, page_client_for, user):
    assert page_client_for(user).get(f"/use-cases/{world.uc_a.pk}/edit/").status_code == EDIT_A[user]


@pytest.mark.parametrize("user", USERS)
def test_edit_post_changes_only_when_allowed(world, page_client_for, user):
    data = {
        "name": "Edited on page",
        "organisation": world.org_a.pk,
        "stage": "pilot",
        "development_method": "unknown",
        "version": world.uc_a.version,
    }
    response = page_client_for(user).post(f"/use-cases/{world.uc_a.pk}/edit/", data)
    world.uc_a.refresh_from_db()
    allowed = EDIT_A[user] == 200
    assert (world.uc_a.name == "Edited on page") == allowed
    assert response.status_code == (302 if allowed else EDIT_A[user])


@pytest.mark.parametrize("user", USERS)
def test_delete_post(world, page_client_for, user):
    from aihq.registry.models import UseCase

    response = page_client_for(user).post(f"/use-cases/{world.uc_a.pk}/delete/", {"version": world.uc_a.version})
    allowed = EDIT_A[user] == 200
    assert UseCase.objects.filter(pk=world.uc_a.pk).exists() != allowed
    assert response.status_code == (302 if allowed else EDIT_A[user])


@pytest.mark.parametrize("user", USERS)
def test_create_page(world, page_client_for, user):
    assert page_client_for(user).get("/use-cases/new/").status_code == CREATE_PAGE[user]


def test_editor_of_b_cannot_create_in_a_through_the_form(world, page_client_for):
    from aihq.registry.models import UseCase

    response = page_client_for("editor_b").post(
        "/use-cases/new/",
        {"name": "Sneaky", "organisation": world.org_a.pk, "stage": "pilot", "development_method": "unknown"},
    )
    assert response.status_code == 200  # the form again, with an error on organisation
    assert "organisation" in response.context["form"].errors
    assert not UseCase.objects.filter(name="Sneaky").exists()


def test_editor_creates_use_case_through_the_form(world, page_client_for):
    from aihq.registry.models import UseCase

    response = page_client_for("editor_a").post(
        "/use-cases/new/",
        {
            "name": "Form made",
            "organisation": world.org_a.pk,
            "stage": "development",
            "development_method": "in_house",
            "sectors": [world.sector.pk],
            "tags": "speech, pilot ,speech",
            "date_initiated": "2025-01-02",
        },
    )
    assert response.status_code == 302
    use_case = UseCase.objects.get(name="Form made")
    assert use_case.tags == ["speech", "pilot"]
    assert list(use_case.sectors.all()) == [world.sector]


def test_form_reports_date_order_errors(world, page_client_for):
    response = page_client_for("editor_a").post(
        "/use-cases/new/",
        {
            "name": "Bad dates",
            "organisation": world.org_a.pk,
            "stage": "production",
            "development_method": "unknown",
            "date_initiated": "2025-05-01",
            "date_deployed": "2024-01-01",
        },
    )
    assert response.status_code == 200
    assert "date_deployed" in response.context["form"].errors


def test_stale_form_submission_is_refused_with_a_conflict_message(world, page_client_for, system_actor):
    from aihq.registry.services import use_case_update

    stale_version = world.uc_a.version
    use_case_update(actor=system_actor, use_case=world.uc_a, name="Changed meanwhile")
    response = page_client_for("editor_a").post(
        f"/use-cases/{world.uc_a.pk}/edit/",
        {
            "name": "My edit",
            "organisation": world.org_a.pk,
            "stage": "pilot",
            "development_method": "unknown",
            "version": stale_version,
        },
    )
    assert response.status_code == 200
    assert response.context["conflict"] is True
    world.uc_a.refresh_from_db()
    assert world.uc_a.name == "Changed meanwhile"


@pytest.mark.parametrize(
    ("user", "status"), [("auditor", 200), ("hq_admin", 200), ("editor_a", 403), ("norole", 403), (None, 302)]
)
def test_audit_log_page(world, page_client_for, user, status):
    assert page_client_for(user).get("/audit/").status_code == status


@pytest.mark.parametrize(("user", "status"), [("editor_a", 200), ("editor_b", 404), ("coordinator_a", 200)])
def test_organisation_page_is_scoped(world, page_client_for, user, status):
    assert page_client_for(user).get("/organisations/A/").status_code == status


def test_organisation_tree_shows_sub_organisations_to_their_coordinator(world, page_client_for):
    body = page_client_for("coordinator_a").get("/organisations/").content.decode()
    assert "A1" in body
    assert "Ministry B" not in body


def test_dashboard_counts_only_visible_use_cases(world, page_client_for):
    response = page_client_for("coordinator_a").get("/")
    assert response.status_code == 200
    counts = response.context["counts"]
    assert counts["total"] == 2
    # The agency A1's use case counts under its ministry A.
    assert [(row["key"], row["count"]) for row in counts["by_organisation"]] == [("A", 2)]
    assert {row["key"]: row["count"] for row in counts["by_stage"]}["production"] == 1


def test_list_page_filters_by_stage_and_text(world, page_client_for):
    client = page_client_for("hq_admin")
    body = client.get("/use-cases/", {"stage": "production"}).content.decode()
    assert "Vision A1" in body
    assert "Chatbot A" not in body
    body = client.get("/use-cases/", {"q": "forecast"}).content.decode()
    assert "Forecast B" in body
    assert "Vision A1" not in body


def test_list_page_answers_htmx_with_the_table_only(world, page_client_for):
    response = page_client_for("hq_admin").get("/use-cases/", {"q": "chatbot"}, HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert "Chatbot A" in body
    assert "<html" not in body


def test_list_page_ignores_blank_form_fields(world, page_client_for):
    # A submitted filter form sends every field, the empty ones too.
    response = page_client_for("hq_admin").get("/use-cases/?q=chatbot&stage=&organisation=&ordering=&sector=")
    assert response.context["page"].paginator.count == 1


def test_list_page_reports_bad_filters(world, page_client_for):
    response = page_client_for("hq_admin").get("/use-cases/", {"stage": "bogus"})
    assert response.status_code == 200
    assert "bogus" in response.content.decode()


@pytest.mark.parametrize(("user", "status"), [("hq_admin", 200), ("coordinator_a", 403), ("auditor", 403), (None, 302)])
def test_organisation_create_page_is_for_hq_admins(world, page_client_for, user, status):
    assert page_client_for(user).get("/organisations/new/").status_code == status


def test_hq_admin_adds_and_moves_an_organisation(world, page_client_for):
    from aihq.registry.models import Organisation

    client = page_client_for("hq_admin")
    response = client.post(
        "/organisations/new/", {"code": "A2", "name_en": "Agency A2", "kind": "agency", "parent": world.org_a.pk}
    )
    assert response.status_code == 302
    assert Organisation.objects.get(code="A2").parent == world.org_a
    # Placing A under its own child would make a cycle: refused with a message on the field.
    response = client.post(
        "/organisations/A/edit/", {"code": "A", "name_en": "Ministry A", "kind": "ministry", "parent": world.org_a1.pk}
    )
    assert response.status_code == 200
    assert "parent" in response.context["form"].errors


def test_organisation_with_use_cases_is_not_deleted(world, page_client_for):
    from aihq.registry.models import Organisation

    page_client_for("hq_admin").post("/organisations/B/delete/")
    assert Organisation.objects.filter(code="B").exists()


@pytest.mark.parametrize(("user", "status"), [("hq_admin", 200), ("auditor", 200), ("editor_a", 403), ("norole", 403)])
def test_roles_page(world, page_client_for, user, status):
    assert page_client_for(user).get("/roles/").status_code == status


def test_hq_admin_grants_and_revokes_a_role_on_the_page(world, page_client_for):
    from aihq.accounts.models import Membership

    client = page_client_for("hq_admin")
    response = client.post("/roles/", {"username": "norole", "role": "viewer", "organisation": world.org_b.pk})
    assert response.status_code == 302
    membership = Membership.objects.get(user=world.users["norole"])
    assert client.post(f"/roles/{membership.pk}/revoke/").status_code == 302
    assert not Membership.objects.filter(pk=membership.pk).exists()


def test_auditor_cannot_grant_roles(world, page_client_for):
    from aihq.accounts.models import Membership

    response = page_client_for("auditor").post("/roles/", {"username": "norole", "role": "hq_admin"})
    assert response.status_code == 403
    assert not Membership.objects.filter(user=world.users["norole"]).exists()


def test_rollup_stops_below_umbrellas_and_above_what_the_user_sees():
    from aihq.registry.selectors import rollup_targets

    nodes = {1: (None, "other"), 2: (1, "ministry"), 3: (2, "agency"), 4: (3, "agency"), 5: (None, "ministry")}
    assert rollup_targets(nodes, None) == {1: 1, 2: 2, 3: 2, 4: 2, 5: 5}
    # A user who sees only 3 and 4 gets 3 as the top, never the invisible ministry 2.
    assert rollup_targets(nodes, {3, 4}) == {1: 1, 2: 2, 3: 3, 4: 3, 5: 5}


def test_an_organisation_with_roles_but_no_use_cases_can_be_deleted(world, page_client_for, system_actor):
    from aihq.accounts.models import Membership
    from aihq.audit.models import AuditEvent
    from aihq.registry.models import Organisation
    from aihq.registry.services import organisation_create

    org = organisation_create(actor=system_actor, code="C", name_en="Org C")
    Membership.objects.create(user=world.users["norole"], organisation=org, role="viewer")
    response = page_client_for("hq_admin").post("/organisations/C/delete/")
    assert response.status_code == 302
    assert not Organisation.objects.filter(code="C").exists()
    event = AuditEvent.objects.filter(object_type="accounts.membership", action="delete").latest("seq")
    assert "C" in event.object_repr


def test_an_edit_without_a_version_is_refused(world, page_client_for):
    data = {"name": "No version", "organisation": world.org_a.pk, "stage": "pilot", "development_method": "unknown"}
    response = page_client_for("editor_a").post(f"/use-cases/{world.uc_a.pk}/edit/", data)
    assert response.status_code == 200
    assert "version" in response.context["form"].errors
    world.uc_a.refresh_from_db()
    assert world.uc_a.name == "Chatbot A"
