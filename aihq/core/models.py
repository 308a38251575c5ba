"""Base model and the restricted queryset every domain model uses."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar, Literal, Self

from django.db import models
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from aihq.accounts.models import User

Action = Literal["view", "change"]
ScopeKind = Literal["organisation", "reference", "admin", "own", "organisation_or_reference"]


class RestrictedQuerySet(models.QuerySet[Any]):
    """A queryset that can narrow itself to what a user may see or change."""

    def restrict(self, user: User | Any, action: Action = "view") -> Self:
        """Only the rows ``user`` may ``view`` or ``change`` (the one place scoping happens)."""
        from aihq.accounts.permissions import restrict_queryset

        return restrict_queryset(self, user, action)


class TimeStampedModel(models.Model):
    """Creation and modification times, and the scope declaration used by ``restrict``.

    ``scope_kind`` says how rows are scoped: ``organisation`` (through ``scope_path`` to an
    Organisation), ``reference`` (readable by every signed-in user, written by HQ admins) or
    ``admin`` (HQ admins write, HQ admins and auditors read) or ``own`` (the user named by
    ``owner_path`` reads and writes; HQ admins and auditors read), or ``organisation_or_reference``
    (scoped by ``scope_path`` where it names an organisation, reference data where it is empty).
    """

    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True, db_index=True)

    scope_kind: ClassVar[ScopeKind] = "organisation"
    scope_path: ClassVar[str] = "organisation"

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        abstract = True
