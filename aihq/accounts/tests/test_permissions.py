"""The scoping rules as pure functions and through scope_for."""

from __future__ import annotations

import pytest

from aihq.accounts.permissions import SystemActor, descendants, scope_for


def test_descendants_include_roots_and_all_levels():
    parent_of = {1: None, 2: 1, 3: 2, 4: None, 5: 4}
    assert descendants(parent_of, {1}) == {1, 2, 3}
    assert descendants(parent_of, {2, 4}) == {2, 3, 4, 5}
    assert descendants(parent_of, {99}) == set()


def test_descendants_survive_a_cycle():
    assert descendants({1: 2, 2: 1}, {1}) == {1, 2}


def test_system_actor_is_hq_admin():
    assert scope_for(SystemActor("cli:test")).is_hq_admin


def test_anonymous_has_empty_scope():
    from django.contrib.auth.models import AnonymousUser

    scope = scope_for(AnonymousUser())
    assert not scope.sees_everything
    assert not scope.view_org_ids


@pytest.mark.django_db
def test_coordinator_scope_covers_sub_organisations(world):
    scope = scope_for(world.users["coordinator_a"])
    assert scope.view_org_ids == {world.org_a.pk, world.org_a1.pk}
    assert scope.change_org_ids == {world.org_a.pk, world.org_a1.pk}


@pytest.mark.django_db
def test_viewer_can_view_but_not_change(world):
    scope = scope_for(world.users["viewer_a"])
    assert scope.can_view_org(world.org_a.pk)
    assert not scope.can_change_org(world.org_a.pk)
    assert not scope.can_view_org(world.org_a1.pk)


@pytest.mark.django_db
def test_inactive_user_sees_nothing(world):
    from aihq.registry.models import UseCase

    user = world.users["hq_admin"]
    user.is_active = False
    assert not UseCase.objects.restrict(user, "view").exists()


@pytest.mark.django_db
def test_membership_validation(world):
    from django.core.exceptions import ValidationError

    from aihq.accounts.models import Membership

    with pytest.raises(ValidationError):
        Membership(user=world.users["norole"], role="editor").full_clean()
    with pytest.raises(ValidationError):
        Membership(user=world.users["norole"], role="auditor", organisation=world.org_a).full_clean()


@pytest.mark.django_db
def test_last_hq_admin_cannot_be_removed(world, system_actor):
    from django.core.exceptions import ValidationError

    from aihq.accounts.models import Membership
    from aihq.accounts.services import membership_delete

    with pytest.raises(ValidationError):
        membership_delete(actor=system_actor, membership=Membership.objects.get(role="hq_admin"))


@pytest.mark.django_db
def test_demo_accounts_cannot_sign_in_in_production(world, settings, client):
    user = world.users["editor_a"]
    user.is_demo = True
    user.save()
    assert client.login(username="editor_a", password="pw-editor_a-123456")
    client.logout()
    settings.PRODUCTION = True
    assert not client.login(username="editor_a", password="pw-editor_a-123456")
