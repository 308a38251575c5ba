"""Roles and scoping: the one place that decides what a user may see and change.

Every queryset that reaches a page, an API endpoint, an export or a report goes through
``restrict_queryset`` (as ``Model.objects.restrict(user, action)``), and single objects through
``get_object_for_user``: invisible gives 404, visible but read-only gives 403.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypeVar

from django.core.exceptions import ObjectDoesNotExist, PermissionDenied
from django.db import models
from django.http import Http404

if TYPE_CHECKING:
    from aihq.core.models import Action

HQ_ADMIN = "hq_admin"
COORDINATOR = "coordinator"
EDITOR = "editor"
VIEWER = "viewer"
AUDITOR = "auditor"
GLOBAL_ROLES = frozenset({HQ_ADMIN, AUDITOR})
ORGANISATION_ROLES = frozenset({COORDINATOR, EDITOR, VIEWER})

Q = TypeVar("Q", bound=models.QuerySet[Any])


@dataclass(frozen=True)
class Scope:
    """What one user may do, computed from their memberships."""

    is_hq_admin: bool = False
    is_auditor: bool = False
    view_org_ids: frozenset[int] = field(default_factory=frozenset)
    change_org_ids: frozenset[int] = field(default_factory=frozenset)
    #: organisations the user coordinates, with everything below them (they may add sub-organisations there)
    coordinated_org_ids: frozenset[int] = field(default_factory=frozenset)

    @property
    def sees_everything(self) -> bool:
        return self.is_hq_admin or self.is_auditor

    def can_view_org(self, org_id: int | None) -> bool:
        return self.sees_everything or (org_id is not None and org_id in self.view_org_ids)

    def can_change_org(self, org_id: int | None) -> bool:
        return self.is_hq_admin or (org_id is not None and org_id in self.change_org_ids)


def descendants(parent_of: Mapping[int, int | None], roots: set[int]) -> set[int]:
    """The ids of ``roots`` and every organisation below them, given each id's parent."""
    children: dict[int | None, list[int]] = defaultdict(list)
    for child, parent in parent_of.items():
        children[parent].append(child)
    found: set[int] = set()
    stack = [root for root in roots if root in parent_of]
    while stack:
        node = stack.pop()
        if node in found:
            continue
        found.add(node)
        stack.extend(children.get(node, ()))
    return found


class SystemActor:
    """The actor of command-line and scheduled jobs: acts with HQ-admin rights under a label."""

    pk = None
    id = None
    is_authenticated = True
    is_active = True
    is_anonymous = False

    def __init__(self, label: str) -> None:
        self.label = label

    def get_username(self) -> str:
        return self.label

    def __str__(self) -> str:
        return self.label


def scope_for(user: Any) -> Scope:
    """The scope of ``user``; empty for anonymous or inactive users."""
    if isinstance(user, SystemActor):
        return Scope(is_hq_admin=True)
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return Scope()
    cached = getattr(user, "_aihq_scope", None)
    if cached is not None:
        return cached  # type: ignore[no-any-return]
    from aihq.accounts.models import Membership
    from aihq.registry.models import Organisation

    roles = list(Membership.objects.filter(user_id=user.pk).values_list("role", "organisation_id"))
    is_hq_admin = any(role == HQ_ADMIN for role, _ in roles)
    is_auditor = any(role == AUDITOR for role, _ in roles)
    view: set[int] = set()
    change: set[int] = set()
    subtree: set[int] = set()
    coordinated = {org for role, org in roles if role == COORDINATOR and org is not None}
    if coordinated:
        parent_of = dict(Organisation.objects.values_list("id", "parent_id"))
        subtree = descendants(parent_of, coordinated)
        view |= subtree
        change |= subtree
    for role, org in roles:
        if org is None:
            continue
        if role in (EDITOR, VIEWER):
            view.add(org)
        if role == EDITOR:
            change.add(org)
    scope = Scope(is_hq_admin, is_auditor, frozenset(view), frozenset(change), frozenset(subtree))
    user._aihq_scope = scope
    return scope


def coordinates(actor: Any, organisation_id: int | None) -> bool:
    """HQ admins, and coordinators of the organisation or of one above it: who approves its changes."""
    scope = scope_for(actor)
    return scope.is_hq_admin or (organisation_id is not None and organisation_id in scope.coordinated_org_ids)


def require_can_change_use_case(actor: Any, use_case: Any) -> None:
    """Raise PermissionDenied unless ``actor`` may edit ``use_case`` (and so what hangs off it)."""
    if not can_change(actor, use_case):
        from django.utils.translation import gettext as _

        raise PermissionDenied(_("You cannot edit this use case."))


def person(actor: Any) -> Any:
    """The signed-in person behind an action, for "who did it" fields (None for the CLI's system actor)."""
    from aihq.accounts.models import User

    return actor if isinstance(actor, User) else None


def require_hq_admin(actor: Any, message: str) -> None:
    """Raise PermissionDenied(message) unless ``actor`` is an HQ admin (or a command-line actor)."""
    if not scope_for(actor).is_hq_admin:
        raise PermissionDenied(message)


def forget_scope(user: Any) -> None:
    """Drop a user's cached scope after their memberships changed."""
    if hasattr(user, "_aihq_scope"):
        del user._aihq_scope


def restrict_queryset(queryset: Q, user: Any, action: Action) -> Q:
    """Narrow ``queryset`` to the rows ``user`` may ``view`` or ``change``."""
    model = queryset.model
    kind = getattr(model, "scope_kind", "organisation")
    scope = scope_for(user)
    if not getattr(user, "is_authenticated", False) or not getattr(user, "is_active", False):
        return queryset.none()
    if kind == "reference":
        return queryset if action == "view" or scope.is_hq_admin else queryset.none()
    if kind == "admin":
        allowed = scope.sees_everything if action == "view" else scope.is_hq_admin
        return queryset if allowed else queryset.none()
    if kind == "own":
        if action == "view" and scope.sees_everything:
            return queryset
        return queryset.filter(**{model.owner_path: user.pk})
    if action == "view" and scope.sees_everything:
        return queryset
    if action == "change" and scope.is_hq_admin:
        return queryset
    ids = scope.view_org_ids if action == "view" else scope.change_org_ids
    path = model.scope_path
    if kind == "organisation_or_reference" and action == "view":
        # Rows without an organisation are reference data every signed-in user reads.
        return queryset.filter(models.Q(**{f"{path}__isnull": True}) | models.Q(**{f"{path}__in": sorted(ids)}))
    if not ids:
        return queryset.none()
    return queryset.filter(**{f"{path}__in": sorted(ids)})


M = TypeVar("M", bound=models.Model)


def get_object_for_user(queryset: models.QuerySet[M], user: Any, pk: Any, action: Action = "view") -> M:
    """The object ``pk`` if ``user`` may ``action`` it: 404 when invisible, 403 when read-only."""
    restricted: models.QuerySet[M] = queryset.restrict(user, "view")  # type: ignore[attr-defined]
    try:
        obj = restricted.get(pk=pk)
    except (ObjectDoesNotExist, ValueError, TypeError):
        raise Http404 from None
    if action == "change" and not can_change(user, obj):
        raise PermissionDenied
    return obj


def can_change(user: Any, obj: models.Model) -> bool:
    """Whether ``user`` may change ``obj`` (without a query for organisation-scoped rows)."""
    scope = scope_for(user)
    kind = getattr(obj, "scope_kind", "organisation")
    if kind in ("reference", "admin"):
        return scope.is_hq_admin
    if kind == "own":
        return getattr(obj, f"{obj.owner_path}_id", None) == getattr(user, "pk", None)  # type: ignore[attr-defined]
    if scope.is_hq_admin:
        return True
    org_id = _scope_org_id(obj)
    return scope.can_change_org(org_id)  # no organisation: reference data, HQ admins only


def _scope_org_id(obj: models.Model) -> int | None:
    path: str = getattr(obj, "scope_path", "organisation")
    if path == "pk":
        return obj.pk  # type: ignore[no-any-return]
    parts = path.split("__")
    target: Any = obj
    for part in parts[:-1]:
        target = getattr(target, part)
    return getattr(target, f"{parts[-1]}_id", None)  # type: ignore[no-any-return]


def writable_organisations(user: Any) -> models.QuerySet[Any]:
    """Organisations in which ``user`` may create and edit use cases."""
    from aihq.registry.models import Organisation

    return Organisation.objects.restrict(user, "change")
