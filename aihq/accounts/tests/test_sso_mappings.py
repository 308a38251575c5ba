"""Single sign-on mappings (API and page) and what the sign-in page shows with single sign-on on or off."""

from __future__ import annotations

import pytest
from django.test import Client

from aihq.accounts import services
from aihq.accounts.models import Membership, MembershipSource, SsoMapping
from aihq.audit.models import AuditEvent

pytestmark = pytest.mark.django_db

API = "/api/v1/sso-mappings/"


@pytest.fixture
def mapping(world, system_actor):
    return services.sso_mapping_create(actor=system_actor, value="analysts", role="editor", organisation=world.org_a)


@pytest.fixture
def sso_settings(settings):
    settings.OIDC_RP_CLIENT_ID = "aihq"
    settings.OIDC_RP_CLIENT_SECRET = "secret"
    settings.OIDC_OP_AUTHORIZATION_ENDPOINT = "https://id.example.org/authorize"
    settings.OIDC_OP_TOKEN_ENDPOINT = "https://id.example.org/token"
    settings.OIDC_OP_USER_ENDPOINT = "https://id.example.org/userinfo"
    settings.OIDC_OP_JWKS_ENDPOINT = "https://id.example.org/jwks"
    settings.AIHQ_OIDC_PROVIDER_NAME = "Госуслуги"
    return settings


# --- API


def test_an_hq_admin_adds_reads_and_removes_a_mapping_and_each_change_is_audited(api_client_for, world):
    api = api_client_for("hq_admin")
    created = api.post(API, {"value": "hq-staff", "role": "auditor"}, format="json")
    assert created.status_code == 201, created.json()
    body = created.json()
    assert body["claim"] == "groups"  # the groups claim unless another is named
    assert body["organisation"] is None
    assert api.get(f"{API}{body['id']}/").json()["value"] == "hq-staff"
    assert api.delete(f"{API}{body['id']}/").status_code == 204
    assert not SsoMapping.objects.exists()
    events = AuditEvent.objects.filter(object_type="accounts.ssomapping", object_id=str(body["id"]))
    assert [(e.action, e.actor_id) for e in events.order_by("seq")] == [
        ("create", world.users["hq_admin"].pk),
        ("delete", world.users["hq_admin"].pk),
    ]


def test_a_mapping_names_an_organisation_by_code_and_any_claim(api_client_for, world):
    created = api_client_for("hq_admin").post(
        API, {"claim": "department", "value": "health", "role": "viewer", "organisation": "B"}, format="json"
    )
    assert created.status_code == 201
    mapping = SsoMapping.objects.get()
    assert (mapping.claim, mapping.organisation_id) == ("department", world.org_b.pk)


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"value": "x", "role": "hq_admin", "organisation": "A"}, "organisation"),
        ({"value": "x", "role": "editor"}, "organisation"),
        ({"value": "x", "role": "overlord"}, "role"),
        ({"value": "", "role": "auditor"}, "value"),
    ],
)
def test_a_mapping_follows_the_membership_rules(api_client_for, world, payload, field):
    response = api_client_for("hq_admin").post(API, payload, format="json")
    assert response.status_code == 400
    assert field in response.json()["errors"]


def test_the_same_mapping_twice_is_refused(api_client_for, mapping):
    response = api_client_for("hq_admin").post(
        API, {"value": "analysts", "role": "editor", "organisation": "A"}, format="json"
    )
    assert response.status_code == 400
    assert SsoMapping.objects.count() == 1


@pytest.mark.parametrize("name", ["editor_a", "coordinator_a", "viewer_a", "norole", "auditor"])
def test_only_hq_admins_write_mappings(api_client_for, mapping, name):
    api = api_client_for(name)
    assert api.post(API, {"value": "x", "role": "auditor"}, format="json").status_code == 403
    assert api.delete(f"{API}{mapping.pk}/").status_code in (403, 404)
    assert SsoMapping.objects.count() == 1


def test_auditors_read_mappings_and_others_see_none(api_client_for, mapping):
    assert [row["value"] for row in api_client_for("auditor").get(API).json()["results"]] == ["analysts"]
    assert api_client_for("editor_a").get(API).json()["results"] == []
    assert api_client_for("editor_a").get(f"{API}{mapping.pk}/").status_code == 404
    assert api_client_for(None).get(API).status_code in (401, 403)


def test_memberships_say_where_they_came_from(api_client_for, world, system_actor):
    services.membership_create(
        actor=system_actor, user=world.users["norole"], role="viewer", organisation=world.org_b, source="sso"
    )
    rows = api_client_for("hq_admin").get("/api/v1/memberships/", {"source": "sso"}).json()["results"]
    assert [(row["user"], row["source"]) for row in rows] == [("norole", "sso")]


# --- page


def test_the_mapping_page_is_for_hq_admins_and_auditors(page_client_for, mapping):
    assert page_client_for("editor_a").get("/roles/sso/").status_code == 403
    assert page_client_for("coordinator_a").get("/roles/sso/").status_code == 403
    auditor = page_client_for("auditor").get("/roles/sso/")
    assert auditor.status_code == 200
    assert auditor.context["form"] is None
    assert "analysts" in auditor.content.decode()
    assert (
        page_client_for("auditor").post("/roles/sso/", {"claim": "groups", "value": "x", "role": "auditor"}).status_code
        == 403
    )
    assert page_client_for("auditor").post(f"/roles/sso/{mapping.pk}/delete/").status_code == 403


def test_an_hq_admin_adds_and_removes_mappings_on_the_page(page_client_for, world):
    page = page_client_for("hq_admin")
    form = page.get("/roles/sso/")
    assert form.context["form"]["claim"].value() == "groups"
    added = page.post(
        "/roles/sso/", {"claim": "groups", "value": "analysts", "role": "editor", "organisation": world.org_a.pk}
    )
    assert added.status_code == 302
    mapping = SsoMapping.objects.get()
    assert mapping.organisation == world.org_a
    assert page.post(f"/roles/sso/{mapping.pk}/delete/").status_code == 302
    assert not SsoMapping.objects.exists()


def test_the_page_shows_the_membership_rules(page_client_for, world):
    response = page_client_for("hq_admin").post(
        "/roles/sso/", {"claim": "groups", "value": "analysts", "role": "auditor", "organisation": world.org_a.pk}
    )
    assert response.status_code == 200
    assert response.context["form"].errors["organisation"]
    assert not SsoMapping.objects.exists()


def test_the_roles_page_marks_roles_from_single_sign_on(page_client_for, world, system_actor):
    services.membership_create(
        actor=system_actor, user=world.users["norole"], role="viewer", organisation=world.org_b, source="sso"
    )
    body = page_client_for("hq_admin").get("/roles/").content.decode()
    assert "single sign-on" in body
    assert "/roles/sso/" in body


def test_a_hand_grant_on_the_roles_page_makes_an_sso_role_manual(page_client_for, world, system_actor):
    user = world.users["norole"]
    services.membership_create(actor=system_actor, user=user, role="viewer", organisation=world.org_b, source="sso")
    page_client_for("hq_admin").post(
        "/roles/", {"username": "norole", "role": "viewer", "organisation": world.org_b.pk}
    )
    assert Membership.objects.get(user=user).source == MembershipSource.MANUAL


# --- single sign-on on and off


def test_with_sso_off_there_is_no_button_and_the_oidc_urls_are_not_found(client, settings):
    settings.OIDC_RP_CLIENT_ID = ""
    page = client.get("/login/").content.decode()
    assert 'data-testid="sso-login"' not in page
    assert 'data-testid="login"' in page
    assert client.get("/oidc/authenticate/").status_code == 404
    assert client.get("/oidc/callback/", {"code": "c", "state": "s"}).status_code == 404


def test_with_sso_on_the_button_names_the_provider_and_keeps_next(client, sso_settings):
    page = client.get("/login/", {"next": "/account/"}).content.decode()
    assert "Sign in with Госуслуги" in page
    assert 'action="/oidc/authenticate/"' in page
    assert 'name="next" value="/account/"' in page


def test_without_a_provider_name_the_button_says_single_sign_on(client, sso_settings):
    sso_settings.AIHQ_OIDC_PROVIDER_NAME = ""
    assert "Sign in with single sign-on" in client.get("/login/").content.decode()


def test_the_button_sends_the_browser_to_the_provider_with_state_nonce_and_pkce(client, sso_settings):
    response = client.get("/oidc/authenticate/")
    assert response.status_code == 302
    location = response["Location"]
    assert location.startswith("https://id.example.org/authorize?")
    for parameter in ("state=", "nonce=", "code_challenge=", "code_challenge_method=S256", "client_id=aihq"):
        assert parameter in location
    assert "redirect_uri=http%3A%2F%2Ftestserver%2Foidc%2Fcallback%2F" in location


def test_a_callback_without_a_started_login_goes_back_to_sign_in(client, sso_settings):
    response = client.get("/oidc/callback/", {"code": "c", "state": "s"}, follow=True)
    assert response.redirect_chain[-1][0] == "/login/"
    assert "Single sign-on did not sign you in" in response.content.decode()
    assert client.get("/account/").status_code == 302


def test_password_logins_do_not_reach_the_provider(world, sso_settings, caplog):
    # A provider that refuses connections: had a password login called it, the backend would log the failure.
    sso_settings.OIDC_OP_TOKEN_ENDPOINT = "http://127.0.0.1:9/token"
    response = Client().post("/login/", {"username": "editor_a", "password": "pw-editor_a-123456"})
    assert response.status_code == 302
    assert response["Location"] == "/"
    failed = Client().post("/login/?code=x&state=y", {"username": "editor_b", "password": "wrong"})
    assert failed.status_code == 200
    assert "Single sign-on refused" not in caplog.text


def test_revoking_a_role_single_sign_on_gave_warns_it_comes_back(world, page_client_for):
    from aihq.accounts.models import Membership

    granted = Membership.objects.create(user=world.users["norole"], role="viewer", organisation=world.org_b,
                                        source="sso")  # fmt: skip
    response = page_client_for("hq_admin").post(f"/roles/{granted.pk}/revoke/", follow=True)
    page = response.content.decode()
    assert "Role revoked." in page
    assert "comes back at the user" in page
    assert not Membership.objects.filter(pk=granted.pk).exists()
