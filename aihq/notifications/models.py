"""Events that happened, the notifications they gave each person, and how each person wants them."""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from aihq.core.models import ScopeKind, TimeStampedModel
from aihq.notifications.kinds import Delivery, Kind
from aihq.registry.models import Organisation


class Event(models.Model):
    """Something people or other systems are told about, once: ``key`` makes emitting it again a no-op."""

    kind = models.CharField(_("kind"), max_length=40, choices=Kind.choices, db_index=True)
    key = models.CharField(_("key"), max_length=200, unique=True)
    organisation = models.ForeignKey(
        Organisation, verbose_name=_("organisation"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    payload = models.JSONField(_("payload"), default=dict)
    occurred_at = models.DateTimeField(_("occurred"), db_index=True)

    scope_kind: ClassVar[ScopeKind] = "admin"

    class Meta:
        verbose_name = _("event")
        verbose_name_plural = _("events")
        ordering = ["-occurred_at", "-id"]

    def __str__(self) -> str:
        return f"{self.kind} {self.key}"


class EmailState(models.TextChoices):
    PENDING = "pending", _("To be sent")
    SENDING = "sending", _("Being sent")
    DIGEST = "digest", _("Waiting for the digest")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")
    NONE = "none", _("Not by e-mail")


class Notification(TimeStampedModel):
    """What one person is told about one event, in their language, in the app and perhaps by e-mail."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("recipient"), on_delete=models.CASCADE, related_name="notifications"
    )
    event = models.ForeignKey(Event, verbose_name=_("event"), on_delete=models.CASCADE, related_name="notifications")
    kind = models.CharField(_("kind"), max_length=40, choices=Kind.choices)
    organisation = models.ForeignKey(
        Organisation, verbose_name=_("organisation"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    title = models.CharField(_("title"), max_length=300)
    body = models.TextField(_("text"), blank=True)
    url = models.CharField(_("link"), max_length=500, blank=True)
    read_at = models.DateTimeField(_("read"), null=True, blank=True)
    email_state = models.CharField(_("e-mail"), max_length=10, choices=EmailState.choices, default=EmailState.PENDING)
    emailed_at = models.DateTimeField(_("e-mailed"), null=True, blank=True)
    email_attempts = models.PositiveSmallIntegerField(_("e-mail attempts"), default=0)
    email_retry_at = models.DateTimeField(_("e-mail retried from"), null=True, blank=True)
    email_error = models.CharField(_("e-mail error"), max_length=500, blank=True)

    scope_kind: ClassVar[ScopeKind] = "own"
    owner_path: ClassVar[str] = "recipient"

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["recipient", "event"], name="notification_once_per_event")]
        indexes = [
            models.Index(fields=["recipient", "read_at"], name="notification_unread_idx"),
            models.Index(fields=["email_state", "created_at"], name="notification_outbox_idx"),
        ]

    def __str__(self) -> str:
        return self.title


class Preference(TimeStampedModel):
    """How one person wants one kind of notification: at once by e-mail, in the daily digest, or not at all."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.CASCADE, related_name="+"
    )
    kind = models.CharField(_("kind"), max_length=40, choices=Kind.choices)
    delivery = models.CharField(_("delivery"), max_length=10, choices=Delivery.choices)

    scope_kind: ClassVar[ScopeKind] = "own"
    owner_path: ClassVar[str] = "user"
    audit_enabled = True

    class Meta:
        verbose_name = _("notification preference")
        verbose_name_plural = _("notification preferences")
        ordering = ["user", "kind"]
        constraints = [models.UniqueConstraint(fields=["user", "kind"], name="preference_one_per_kind")]

    def __str__(self) -> str:
        return f"{self.user}: {self.kind} → {self.delivery}"


class DigestSent(models.Model):
    """A digest once sent to a person, so running the routines again never sends it twice."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    period = models.CharField(_("period"), max_length=20, help_text=_("Such as day:2026-11-30 or week:2026-W48."))
    sent_at = models.DateTimeField(_("sent"), auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "period"], name="digest_once_per_period")]

    def __str__(self) -> str:
        return f"{self.user} {self.period}"
