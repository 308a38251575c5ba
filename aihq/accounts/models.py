"""Users, their memberships (organisation, role) and API tokens."""

from __future__ import annotations

import hashlib
import secrets
from typing import ClassVar

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from aihq.accounts import permissions
from aihq.core.models import ScopeKind, TimeStampedModel


class User(AbstractUser):
    """A person who signs in to AIHQ; what they may do comes from their memberships."""

    is_demo = models.BooleanField(
        _("demo account"), default=False, help_text=_("Created by load_demo; refused in production.")
    )
    language = models.CharField(
        _("language"),
        max_length=10,
        choices=settings.LANGUAGES,
        blank=True,
        help_text=_("The language of e-mails and notifications; blank for the site's default."),
    )

    audit_enabled = True
    audit_exclude = ("password", "last_login")

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")


class Role(models.TextChoices):
    HQ_ADMIN = permissions.HQ_ADMIN, _("HQ admin")
    COORDINATOR = permissions.COORDINATOR, _("Coordinator")
    EDITOR = permissions.EDITOR, _("Editor")
    VIEWER = permissions.VIEWER, _("Viewer")
    AUDITOR = permissions.AUDITOR, _("Auditor")


class Membership(TimeStampedModel):
    """A user's role, in one organisation (coordinator, editor, viewer) or everywhere (HQ admin, auditor)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.CASCADE, related_name="memberships"
    )
    organisation = models.ForeignKey(
        "registry.Organisation",
        verbose_name=_("organisation"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="memberships",
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)

    scope_kind: ClassVar[ScopeKind] = "admin"
    audit_enabled = True

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        ordering = ["user__username", "role"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "organisation", "role"],
                name="membership_unique",
                violation_error_message=_("This user already has this role here."),
            ),
            models.UniqueConstraint(
                fields=["user", "role"],
                condition=models.Q(organisation__isnull=True),
                name="membership_global_unique",
                violation_error_message=_("This user already has this role."),
            ),
        ]

    def __str__(self) -> str:
        where = self.organisation.code if self.organisation_id and self.organisation else "*"
        return f"{self.user} — {self.get_role_display()} @ {where}"

    def clean(self) -> None:
        if self.role in permissions.GLOBAL_ROLES and self.organisation_id is not None:
            raise ValidationError(
                {"organisation": _("HQ admins and auditors act everywhere: leave the organisation empty.")}
            )
        if self.role in permissions.ORGANISATION_ROLES and self.organisation_id is None:
            raise ValidationError({"organisation": _("This role needs an organisation.")})


def hash_token(key: str) -> str:
    """Tokens are stored as SHA-256 digests; a stolen database does not give working keys."""
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


class ApiToken(TimeStampedModel):
    """A key for ``Authorization: Token <key>``; only its hash is kept."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(_("name"), max_length=100, blank=True)
    prefix = models.CharField(_("prefix"), max_length=8, help_text=_("First characters, to recognise a token."))
    key_hash = models.CharField(_("key hash"), max_length=64, unique=True)
    expires_at = models.DateTimeField(_("expires"), null=True, blank=True)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)

    scope_kind: ClassVar[ScopeKind] = "admin"
    audit_enabled = True
    audit_exclude = ("key_hash", "last_used_at")

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.user})"

    @staticmethod
    def generate_key() -> str:
        return secrets.token_urlsafe(32)

    @property
    def is_valid(self) -> bool:
        if self.revoked_at is not None:
            return False
        return self.expires_at is None or self.expires_at > timezone.now()
