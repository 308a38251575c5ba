"""The audit log: an append-only, hash-chained record of every change to a domain object."""

from __future__ import annotations

from typing import Any, ClassVar

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from aihq.core.models import RestrictedQuerySet, ScopeKind


class AuditAction(models.TextChoices):
    CREATE = "create", _("created")
    UPDATE = "update", _("updated")
    DELETE = "delete", _("deleted")


class AuditEvent(models.Model):
    """One change: who, when, in which request, to what, and the object before and after.

    Events are never updated or deleted by the application (the database refuses updates, and
    deletes on PostgreSQL); each stores the previous event's hash and its own, so
    ``aihq audit_verify`` finds any row edited, removed or inserted behind the application's back.
    """

    seq = models.BigIntegerField(_("sequence"), unique=True)
    timestamp = models.DateTimeField(_("time"), db_index=True)
    # No database constraint: deleting a user must not touch the (immutable) events naming them.
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )
    actor_label = models.CharField(_("actor"), max_length=150)
    request_id = models.CharField(_("request id"), max_length=64, db_index=True)
    object_type = models.CharField(_("object type"), max_length=100)
    object_id = models.CharField(_("object id"), max_length=64)
    object_repr = models.CharField(_("object"), max_length=200)
    action = models.CharField(_("action"), max_length=10, choices=AuditAction.choices)
    before = models.JSONField(_("before"), null=True, blank=True)
    after = models.JSONField(_("after"), null=True, blank=True)
    prev_hash = models.CharField(_("previous hash"), max_length=64)
    hash = models.CharField(_("hash"), max_length=64, unique=True)

    scope_kind: ClassVar[ScopeKind] = "admin"
    objects = RestrictedQuerySet.as_manager()

    class Meta:
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        ordering = ["-seq"]
        indexes = [models.Index(fields=["object_type", "object_id"], name="audit_object_idx")]

    def __str__(self) -> str:
        return f"#{self.seq} {self.action} {self.object_type}:{self.object_id}"

    def hashed_content(self) -> dict[str, Any]:
        """The values the hash covers, as stored."""
        from aihq.audit.recorder import format_timestamp

        return {
            "id": self.pk,
            "seq": self.seq,
            "timestamp": format_timestamp(self.timestamp),
            "actor_id": self.actor_id,
            "actor_label": self.actor_label,
            "request_id": self.request_id,
            "object_type": self.object_type,
            "object_id": self.object_id,
            "object_repr": self.object_repr,
            "action": self.action,
            "before": self.before,
            "after": self.after,
            "prev_hash": self.prev_hash,
            "hash": self.hash,
        }

    def changed_fields(self) -> list[dict[str, Any]]:
        """Field-by-field differences between before and after."""
        before = self.before or {}
        after = self.after or {}
        names = list(dict.fromkeys([*before.keys(), *after.keys()]))
        return [
            {"field": name, "before": before.get(name), "after": after.get(name)}
            for name in names
            if before.get(name) != after.get(name)
        ]


class AuditHead(models.Model):
    """The last event's number and hash, kept beside the chain; its row lock serialises appends."""

    seq = models.BigIntegerField(_("sequence"), default=0)
    hash = models.CharField(_("hash"), max_length=64)

    class Meta:
        verbose_name = _("audit chain head")
        verbose_name_plural = _("audit chain heads")

    def __str__(self) -> str:
        return f"head #{self.seq}"
