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


class MembershipSource(models.TextChoices):
    MANUAL = "manual", _("Granted by hand")
    SSO = "sso", _("Single sign-on")


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
    # Single sign-on adds and removes only the memberships it granted itself; hand grants stay as they are.
    source = models.CharField(
        _("source"),
        max_length=10,
        choices=MembershipSource.choices,
        default=MembershipSource.MANUAL,
        help_text=_("Who granted the role: an HQ admin by hand, or single sign-on from an identity provider's claim."),
    )

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
        check_role_and_organisation(self.role, self.organisation_id)


def check_role_and_organisation(role: str, organisation_id: int | None) -> None:
    """HQ admins and auditors act everywhere; the other roles need an organisation."""
    if role in permissions.GLOBAL_ROLES and organisation_id is not None:
        raise ValidationError(
            {"organisation": _("HQ admins and auditors act everywhere: leave the organisation empty.")}
        )
    if role in permissions.ORGANISATION_ROLES and organisation_id is None:
        raise ValidationError({"organisation": _("This role needs an organisation.")})


class ExternalIdentity(TimeStampedModel):
    """A user's account at an OpenID Connect provider (issuer and subject), by which single sign-on finds them."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="external_identities",
    )
    issuer = models.CharField(_("issuer"), max_length=255)
    subject = models.CharField(_("subject"), max_length=255)

    scope_kind: ClassVar[ScopeKind] = "admin"
    audit_enabled = True

    class Meta:
        verbose_name = _("external identity")
        verbose_name_plural = _("external identities")
        ordering = ["issuer", "subject"]
        constraints = [
            models.UniqueConstraint(
                fields=["issuer", "subject"],
                name="external_identity_unique",
                violation_error_message=_("This identity already belongs to a user."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} ← {self.subject} @ {self.issuer}"


class SsoMapping(TimeStampedModel):
    """A rule of single sign-on: users whose claim has this value get this role (in this organisation)."""

    claim = models.CharField(
        _("claim"), max_length=100, help_text=_("The name of the identity provider's claim, such as groups.")
    )
    value = models.CharField(
        _("value"),
        max_length=255,
        help_text=_("The claim's value (or one of its values, for a list such as groups) that grants the role."),
    )
    organisation = models.ForeignKey(
        "registry.Organisation",
        verbose_name=_("organisation"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="sso_mappings",
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)

    scope_kind: ClassVar[ScopeKind] = "admin"
    audit_enabled = True

    class Meta:
        verbose_name = _("single sign-on mapping")
        verbose_name_plural = _("single sign-on mappings")
        ordering = ["claim", "value", "role"]
        constraints = [
            models.UniqueConstraint(
                fields=["claim", "value", "organisation", "role"],
                name="sso_mapping_unique",
                violation_error_message=_("This mapping exists already."),
            ),
            models.UniqueConstraint(
                fields=["claim", "value", "role"],
                condition=models.Q(organisation__isnull=True),
                name="sso_mapping_global_unique",
                violation_error_message=_("This mapping exists already."),
            ),
        ]

    def __str__(self) -> str:
        where = self.organisation.code if self.organisation_id and self.organisation else "*"
        return f"{self.claim}={self.value} → {self.get_role_display()} @ {where}"

    def clean(self) -> None:
        check_role_and_organisation(self.role, self.organisation_id)


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
