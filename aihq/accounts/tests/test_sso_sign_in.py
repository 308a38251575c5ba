"""Who a single sign-on login signs in, and which roles it leaves them (the service, without a provider)."""

from __future__ import annotations

import pytest

from aihq.accounts import services
from aihq.accounts.models import ExternalIdentity, Membership, MembershipSource, User
from aihq.accounts.permissions import SystemActor
from aihq.audit.models import AuditEvent

pytestmark = pytest.mark.django_db

ISSUER = "https://id.example.org/realms/hq"
SSO = SystemActor("sso")


def sign_in(subject: str = "s-1", **claims):
    claims.setdefault("sub", subject)
    return services.sso_sign_in(actor=SSO, issuer=ISSUER, subject=subject, claims=claims)


@pytest.fixture
def mappings(world, system_actor):
    services.sso_mapping_create(actor=system_actor, value="analysts", role="editor", organisation=world.org_a)
    services.sso_mapping_create(actor=system_actor, value="hq", role="hq_admin")
    services.sso_mapping_create(
        actor=system_actor, claim="department", value="health", role="viewer", organisation=world.org_b
    )


def test_a_first_login_creates_the_user_with_the_mapped_roles(mappings, world):
    user = sign_in(preferred_username="dana", email="dana@example.org", groups=["analysts"], department="health")
    assert user.username == "dana"
    assert not user.has_usable_password()
    assert {(m.role, m.organisation_id, m.source) for m in user.memberships.all()} == {
        ("editor", world.org_a.pk, "sso"),
        ("viewer", world.org_b.pk, "sso"),
    }
    assert ExternalIdentity.objects.get(issuer=ISSUER, subject="s-1").user == user


def test_what_sso_writes_is_audited_under_its_own_name(mappings):
    user = sign_in(preferred_username="dana", groups=["analysts"])
    events = AuditEvent.objects.filter(actor_label="sso")
    assert {e.object_type for e in events} == {"accounts.user", "accounts.externalidentity", "accounts.membership"}
    assert events.get(object_type="accounts.membership").after["user"] == user.pk


def test_the_next_login_finds_the_user_by_identity_even_if_the_username_changed(mappings):
    first = sign_in(preferred_username="dana")
    again = sign_in(preferred_username="dana.renamed", email="new@example.org", email_verified=True)
    assert again.pk == first.pk
    assert again.username == "dana"  # usernames are AIHQ's; e-mail and names follow the provider
    assert again.email == "new@example.org"


def test_an_unverified_or_taken_email_is_not_copied(world, mappings):
    """An address the provider has not verified, or one another account has, never becomes this user's (it is
    where their notifications go, and what a first sign-in links accounts by)."""
    world.users["hq_admin"].email = "chief@hq.example"
    world.users["hq_admin"].save()
    user = sign_in(preferred_username="mallory", email="mallory@example.org")
    assert user.username == "mallory"
    assert user.email == ""  # not verified
    user = sign_in(preferred_username="mallory", email="mallory@example.org", email_verified=True)
    assert user.email == "mallory@example.org"
    user = sign_in(preferred_username="mallory", email="chief@hq.example", email_verified=True)
    assert user.username == "mallory"
    assert user.email == "mallory@example.org"  # another account's address: kept out


def test_a_local_username_is_never_taken_over(world):
    user = sign_in(preferred_username="editor_a", email="someone@example.org")
    assert user.username == "editor_a-2"
    assert not ExternalIdentity.objects.filter(user=world.users["editor_a"]).exists()


def test_a_verified_email_links_the_local_account(world):
    local = world.users["viewer_a"]
    User.objects.filter(pk=local.pk).update(email="Viewer@Example.org")
    user = sign_in(preferred_username="v", email="viewer@example.org", email_verified=True)
    assert user.pk == local.pk
    assert ExternalIdentity.objects.get(subject="s-1").user_id == local.pk


@pytest.mark.parametrize("verified", [False, "false", None])
def test_an_unverified_email_does_not_link_the_local_account(world, verified):
    local = world.users["viewer_a"]
    User.objects.filter(pk=local.pk).update(email="viewer@example.org")
    user = sign_in(preferred_username="v", email="viewer@example.org", email_verified=verified)
    assert user.pk != local.pk


def test_an_email_two_accounts_share_links_neither(world):
    User.objects.filter(username__in=["viewer_a", "editor_b"]).update(email="shared@example.org")
    user = sign_in(preferred_username="shared", email="shared@example.org", email_verified=True)
    assert user.username == "shared"


def test_an_account_already_linked_at_this_provider_is_not_linked_again(world):
    local = world.users["viewer_a"]
    User.objects.filter(pk=local.pk).update(email="viewer@example.org")
    assert sign_in("s-1", email="viewer@example.org", email_verified=True).pk == local.pk
    other = sign_in("s-2", preferred_username="intruder", email="viewer@example.org", email_verified=True)
    assert other.pk != local.pk


def test_an_inactive_user_is_refused_and_nothing_changes(mappings):
    user = sign_in(preferred_username="dana", groups=["analysts"])
    User.objects.filter(pk=user.pk).update(is_active=False)
    before = AuditEvent.objects.count()
    assert sign_in(preferred_username="dana", groups=[], email="changed@example.org") is None
    assert Membership.objects.filter(user=user).count() == 1
    assert AuditEvent.objects.count() == before


def test_an_inactive_local_account_is_not_linked_by_email(world):
    local = world.users["viewer_a"]
    User.objects.filter(pk=local.pk).update(email="viewer@example.org", is_active=False)
    assert sign_in(email="viewer@example.org", email_verified=True) is None
    assert not ExternalIdentity.objects.exists()


def test_demo_accounts_are_refused_in_production(world, settings):
    settings.PRODUCTION = True
    local = world.users["viewer_a"]
    User.objects.filter(pk=local.pk).update(email="viewer@example.org", is_demo=True)
    assert sign_in(email="viewer@example.org", email_verified=True) is None


def test_roles_sso_gave_go_when_the_claims_change_and_hand_grants_stay(mappings, world):
    user = sign_in(preferred_username="dana", groups=["analysts"], department="health")
    services.membership_create(actor=SystemActor("test"), user=user, role="coordinator", organisation=world.org_b)
    sign_in(preferred_username="dana", groups=[], department="finance")
    assert {(m.role, m.source) for m in user.memberships.all()} == {("coordinator", "manual")}


def test_a_role_granted_by_hand_that_sso_also_gave_becomes_a_hand_grant(mappings, world):
    user = sign_in(preferred_username="dana", groups=["analysts"])
    membership = services.membership_create(
        actor=SystemActor("test"), user=user, role="editor", organisation=world.org_a
    )
    assert membership.source == MembershipSource.MANUAL
    sign_in(preferred_username="dana", groups=[])
    assert user.memberships.get().role == "editor"


def test_a_hand_grant_is_not_duplicated_by_a_mapping(mappings, world):
    user = sign_in(preferred_username="dana")
    services.membership_create(actor=SystemActor("test"), user=user, role="editor", organisation=world.org_a)
    sign_in(preferred_username="dana", groups=["analysts"])
    assert [(m.role, m.source) for m in user.memberships.all()] == [("editor", "manual")]


def test_the_last_hq_admin_keeps_the_role_when_the_claim_goes(mappings, world):
    Membership.objects.filter(role="hq_admin").delete()
    user = sign_in(preferred_username="boss", groups=["hq"])
    assert user.memberships.get().role == "hq_admin"
    sign_in(preferred_username="boss", groups=[])
    assert user.memberships.get().role == "hq_admin"


def test_only_an_hq_admin_actor_may_run_the_sign_in(world):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        services.sso_sign_in(actor=world.users["editor_a"], issuer=ISSUER, subject="x", claims={})
