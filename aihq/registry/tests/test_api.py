"""API behaviour: natural keys, filters, optimistic locking, JSON errors, query counts, schema."""

from __future__ import annotations

import pytest

from aihq.registry.models import Stage, UseCase

pytestmark = pytest.mark.django_db


def test_use_case_json_uses_natural_keys(world, api_client_for):
    data = api_client_for("hq_admin").get(f"/api/v1/use-cases/{world.uc_a.pk}/").json()
    assert data["organisation"] == "A"
    assert data["sectors"] == ["healthcare"]
    assert data["regions"] == ["RU-TA"]
    assert data["version"] == 1


def test_create_with_natural_keys_and_unknown_code_errors(world, api_client_for):
    client = api_client_for("editor_a")
    response = client.post(
        "/api/v1/use-cases/",
        {"name": "Speech", "organisation": "A", "regions": ["RU-TA", "RU-XX"], "sectors": ["nope"]},
        format="json",
    )
    assert response.status_code == 400
    errors = response.json()["errors"]
    assert set(errors) == {"regions", "sectors"}
    assert "RU-XX" in str(errors["regions"])


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"organisation": "A"}, {"Chatbot A"}),
        ({"organisation": "A", "include_children": "true"}, {"Chatbot A", "Vision A1"}),
        ({"organisation": "A,B"}, {"Chatbot A", "Forecast B"}),
        ({"region": "RU-TA"}, {"Chatbot A"}),
        ({"sector": "healthcare"}, {"Chatbot A"}),
        ({"stage": "production"}, {"Vision A1"}),
        ({"stage": ["production", "planned"]}, {"Vision A1", "Forecast B"}),
        ({"q": "vision"}, {"Vision A1"}),
        ({"q": "chatbot a"}, {"Chatbot A"}),
        ({"updated_since": "2100-01-01T00:00:00Z"}, set()),
    ],
)
def test_use_case_filters(world, api_client_for, params, expected):
    response = api_client_for("hq_admin").get("/api/v1/use-cases/", params)
    assert response.status_code == 200
    assert {row["name"] for row in response.json()["results"]} == expected


def test_bad_filter_value_is_a_400_with_errors(world, api_client_for):
    response = api_client_for("hq_admin").get("/api/v1/use-cases/", {"updated_since": "yesterday", "stage": "bogus"})
    assert response.status_code == 400
    assert {"updated_since", "stage"} <= set(response.json()["errors"])


def test_ordering_and_pagination(world, api_client_for):
    client = api_client_for("hq_admin")
    data = client.get("/api/v1/use-cases/", {"ordering": "name", "page_size": 2}).json()
    assert data["count"] == 3
    assert [row["name"] for row in data["results"]] == ["Chatbot A", "Forecast B"]
    assert data["next"] is not None
    data = client.get("/api/v1/use-cases/", {"ordering": "-name"}).json()
    assert data["results"][0]["name"] == "Vision A1"


def test_stale_version_in_body_gets_409_and_changes_nothing(world, api_client_for):
    client = api_client_for("editor_a")
    url = f"/api/v1/use-cases/{world.uc_a.pk}/"
    assert client.patch(url, {"name": "First", "version": 1}, format="json").status_code == 200
    response = client.patch(url, {"name": "Second", "version": 1}, format="json")
    assert response.status_code == 409
    assert response.json()["current_version"] == 2
    world.uc_a.refresh_from_db()
    assert (world.uc_a.name, world.uc_a.version) == ("First", 2)


def test_if_match_precondition_gets_412(world, api_client_for):
    client = api_client_for("editor_a")
    url = f"/api/v1/use-cases/{world.uc_a.pk}/"
    etag = client.get(url)["ETag"]
    assert etag == '"1"'
    ok = client.patch(url, {"name": "With etag"}, format="json", HTTP_IF_MATCH=etag)
    assert ok.status_code == 200
    assert ok["ETag"] == '"2"'
    stale = client.patch(url, {"name": "Stale"}, format="json", HTTP_IF_MATCH=etag)
    assert stale.status_code == 412
    world.uc_a.refresh_from_db()
    assert world.uc_a.name == "With etag"


def test_stale_delete_is_refused(world, api_client_for):
    client = api_client_for("editor_a")
    response = client.delete(f"/api/v1/use-cases/{world.uc_a.pk}/", HTTP_IF_MATCH='"7"')
    assert response.status_code == 412
    assert UseCase.objects.filter(pk=world.uc_a.pk).exists()


def test_malformed_json_is_a_json_400(world, api_client_for):
    response = api_client_for("editor_a").generic(
        "POST", "/api/v1/use-cases/", "{not json", content_type="application/json"
    )
    assert response.status_code == 400
    assert "detail" in response.json()


@pytest.mark.parametrize(
    "payload",
    [
        {"name": "", "organisation": "A"},
        {"name": "x" * 600, "organisation": "A"},
        {"name": "Dates", "organisation": "A", "date_initiated": "2025-05-01", "date_deployed": "2024-01-01"},
        {"name": "Stage", "organisation": "A", "stage": "shipping"},
        {"name": "Tags", "organisation": "A", "tags": "not-a-list"},
        {"name": "Date", "organisation": "A", "date_initiated": "31/12/2024"},
        {"name": ["list"], "organisation": "A"},
        {"name": "Org", "organisation": ["A"]},
    ],
)
def test_bad_input_is_400_with_field_errors(world, api_client_for, payload):
    response = api_client_for("editor_a").post("/api/v1/use-cases/", payload, format="json")
    assert response.status_code == 400, response.content
    body = response.json()
    assert body["errors"], body


def test_duplicate_reference_in_same_organisation_is_refused(world, api_client_for):
    client = api_client_for("editor_a")
    assert (
        client.post(
            "/api/v1/use-cases/", {"name": "One", "organisation": "A", "reference": "X-1"}, format="json"
        ).status_code
        == 201
    )
    response = client.post(
        "/api/v1/use-cases/", {"name": "Two", "organisation": "A", "reference": "x-1"}, format="json"
    )
    assert response.status_code == 400
    assert "already has a use case" in str(response.json())


def test_unknown_url_under_api_is_json_404(world, api_client_for):
    response = api_client_for("hq_admin").get("/api/v1/nothing-here/")
    assert response.status_code == 404
    assert response.json()["detail"]


def test_non_numeric_id_is_404(world, api_client_for):
    assert api_client_for("hq_admin").get("/api/v1/use-cases/abc/").status_code == 404


def test_list_query_count_does_not_grow_with_rows(world, api_client_for, django_assert_max_num_queries, system_actor):
    from aihq.registry.services import use_case_create

    client = api_client_for("coordinator_a")
    for i in range(30):
        use_case_create(
            actor=system_actor,
            organisation=world.org_a,
            name=f"Bulk {i}",
            stage=Stage.PILOT,
            sectors=[world.sector],
            regions=[world.region],
        )
    with django_assert_max_num_queries(8):
        response = client.get("/api/v1/use-cases/", {"page_size": 100})
    assert response.json()["count"] == 32


def test_page_list_query_count_is_bounded(world, page_client_for, django_assert_max_num_queries, system_actor):
    from aihq.registry.services import use_case_create

    for i in range(30):
        use_case_create(
            actor=system_actor,
            organisation=world.org_b,
            name=f"Bulk {i}",
            sectors=[world.sector],
            regions=[world.region],
        )
    client = page_client_for("hq_admin")
    with django_assert_max_num_queries(14):
        response = client.get("/use-cases/", {"page_size": 100})
    assert response.status_code == 200


def test_token_authentication(world, client, system_actor):
    from aihq.accounts.services import api_token_create, api_token_revoke

    token, key = api_token_create(actor=system_actor, user=world.users["editor_b"])
    response = client.get("/api/v1/use-cases/", HTTP_AUTHORIZATION=f"Token {key}")
    assert response.status_code == 200
    assert [row["name"] for row in response.json()["results"]] == ["Forecast B"]
    assert client.get("/api/v1/use-cases/", HTTP_AUTHORIZATION="Token wrong").status_code == 401
    assert client.get("/api/v1/use-cases/", HTTP_AUTHORIZATION="Token a b").status_code == 401
    api_token_revoke(actor=system_actor, token=token)
    assert client.get("/api/v1/use-cases/", HTTP_AUTHORIZATION=f"Token {key}").status_code == 401


def test_session_writes_need_csrf(world):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(world.users["editor_a"])
    response = client.patch(f"/api/v1/use-cases/{world.uc_a.pk}/", '{"name": "csrf"}', content_type="application/json")
    assert response.status_code == 403
    assert "CSRF" in response.json()["detail"]


def test_schema_and_docs_are_served_without_a_cdn(world, client):
    schema = client.get("/api/v1/schema/")
    assert schema.status_code == 200
    assert b"/api/v1/use-cases/" in schema.content
    assert b"tokenAuth" in schema.content
    docs = client.get("/api/v1/docs/").content.decode()
    assert "cdn" not in docs.lower()
    assert "unpkg" not in docs.lower()
    assert "/static/drf_spectacular_sidecar/" in docs


def test_healthz(client, db):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["status"] == "ok"


def test_malformed_version_on_delete_is_a_400(world, api_client_for):
    response = api_client_for("editor_a").delete(f"/api/v1/use-cases/{world.uc_a.pk}/?version=abc")
    assert response.status_code == 400
    assert "version" in response.json()["errors"]


def test_if_match_with_a_version_in_the_body_uses_the_header(world, api_client_for):
    response = api_client_for("editor_a").patch(
        f"/api/v1/use-cases/{world.uc_a.pk}/", {"name": "Both", "version": 1}, format="json", HTTP_IF_MATCH='"1"'
    )
    assert response.status_code == 200


@pytest.mark.parametrize("user", ["viewer_a", "editor_a", "auditor"])
def test_non_admins_cannot_probe_usernames_through_memberships(world, api_client_for, user):
    client = api_client_for(user)
    for body in (
        {"user": "nosuch", "role": "viewer", "organisation": "A"},
        {"user": "norole", "role": "viewer", "organisation": "ZZZ"},
    ):
        assert client.post("/api/v1/memberships/", body, format="json").status_code == 403


def test_audit_until_the_last_day_there_is(world, api_client_for):
    assert api_client_for("auditor").get("/api/v1/audit-events/", {"until": "9999-12-31"}).status_code == 200


def test_a_parent_the_user_cannot_see_is_not_named(world, api_client_for):
    client = api_client_for("editor_b")
    world.users["editor_b"].memberships.create(role="viewer", organisation=world.org_a1)
    assert client.get("/api/v1/organisations/A1/").json()["parent"] is None
    assert api_client_for("coordinator_a").get("/api/v1/organisations/A1/").json()["parent"] == "A"


def _rollup(client, **params):
    response = client.get("/api/v1/use-cases/rollup/", params)
    assert response.status_code == 200, response.content
    return {row["key"]: row["count"] for row in response.json()["rows"]}


def test_rollup_counts_visible_use_cases_by_each_dimension(world, api_client_for):
    admin = api_client_for("hq_admin")
    assert _rollup(admin, by="stage") == {"pilot": 1, "production": 1, "planned": 1}
    assert _rollup(admin, by="organisation") == {"A": 1, "A1": 1, "B": 1}
    assert _rollup(admin, by="sector") == {"healthcare": 1}
    assert _rollup(admin, by="region") == {"RU-TA": 1}
    rows = admin.get("/api/v1/use-cases/rollup/", {"by": "organisation"}).json()["rows"]
    assert rows[0] == {"key": "A", "label": "Ministry A", "count": 1}


def test_rollup_is_scoped_to_the_users_organisations(world, api_client_for):
    # Editor B sees only B's use case; A's sector and region are not counted for them.
    editor_b = api_client_for("editor_b")
    assert _rollup(editor_b, by="organisation") == {"B": 1}
    assert _rollup(editor_b, by="sector") == {}
    assert _rollup(api_client_for("viewer_a"), by="stage") == {"pilot": 1}


def test_rollup_follows_the_list_filters(world, api_client_for):
    admin = api_client_for("hq_admin")
    assert _rollup(admin, by="stage", organisation="A", include_children="true") == {"pilot": 1, "production": 1}
    assert _rollup(admin, by="region", stage="production") == {}
    assert _rollup(admin, by="sector", stage="pilot") == {"healthcare": 1}


def test_rollup_needs_a_known_dimension(world, api_client_for):
    response = api_client_for("hq_admin").get("/api/v1/use-cases/rollup/", {"by": "colour"})
    assert response.status_code == 400
    assert "by" in response.json()["errors"]


def test_pages_sorted_on_a_tied_column_neither_repeat_nor_skip_rows(world, api_client_for, system_actor):
    from aihq.registry.services import use_case_create

    for _ in range(4):
        use_case_create(actor=system_actor, organisation=world.org_b, name="Same name")
    client = api_client_for("hq_admin")
    seen = []
    for page in range(1, 8):
        body = client.get("/api/v1/use-cases/", {"ordering": "name", "page_size": 1, "page": page}).json()
        seen += [row["id"] for row in body["results"]]
    assert sorted(seen) == sorted(UseCase.objects.values_list("pk", flat=True))
    ties = [pk for pk in seen if UseCase.objects.get(pk=pk).name == "Same name"]
    assert ties == sorted(ties, reverse=True)  # the model's own order (newest first) breaks the tie


@pytest.mark.parametrize("query", [{}, {"ordering": ","}], ids=["default order", "ordering cleared"])
def test_pages_in_a_models_default_order_neither_repeat_nor_skip_tied_rows(world, api_client_for, query):
    """Sectors are ordered by English name alone; equal names are broken by the key."""
    from aihq.registry.models import Sector

    for n in range(4):
        Sector.objects.create(code=f"same-{n}", name_en="Same name")
    client = api_client_for("hq_admin")
    total = Sector.objects.count()
    seen = []
    for page in range(1, total + 1):
        body = client.get("/api/v1/sectors/", {**query, "page_size": 1, "page": page}).json()
        seen += [row["code"] for row in body["results"]]
    assert sorted(seen) == sorted(Sector.objects.values_list("code", flat=True))
    assert [code for code in seen if code.startswith("same-")] == [f"same-{n}" for n in range(4)]


def test_the_list_writes_every_use_case_exactly_as_the_serializer_does(world, api_client_for, system_actor):
    """The list reads values instead of model instances; its JSON must not differ in any field."""
    import datetime as dt
    import json

    from rest_framework.test import APIRequestFactory

    from aihq.registry.api.serializers import UseCaseSerializer
    from aihq.registry.models import Region, Sector
    from aihq.registry.services import use_case_create

    more_sectors = [Sector.objects.create(code=f"s{n}", name_en=name) for n, name in enumerate(["Zeta", "Alpha"])]
    other_region = Region.objects.create(code="RU-MOW", country="RU", name_en="Moscow")
    use_case_create(
        actor=system_actor,
        organisation=world.org_b,
        name="Full — «все поля»",
        reference="REF-1",
        description="Line one\nline two",
        sectors=[world.sector, *more_sectors],
        regions=[other_region, world.region],
        stage="pilot",
        is_generative=True,
        date_initiated=dt.date(2024, 2, 29),
        date_deployed=dt.date(2025, 1, 1),
        tags=["chat", "ещё"],
        techniques=["genai", "nlp"],
        attributes={"note": "x", "n": 3, "nested": {"a": [1, None]}},
        impact_type="rights",
        is_high_impact=False,
    )
    use_case_create(actor=system_actor, organisation=world.org_a, name="Bare")
    listed = api_client_for("hq_admin").get("/api/v1/use-cases/", {"page_size": 500}).json()["results"]
    request = APIRequestFactory().get("/api/v1/use-cases/")
    expected = UseCaseSerializer(
        UseCase.objects.order_by("-updated_at", "-id"), many=True, context={"request": request}
    )
    assert listed == json.loads(json.dumps(expected.data, default=str))
    assert len(listed) == UseCase.objects.count()
