"""Webhooks: the HTTPS endpoints HQ admins register for event types, each delivery of an event to an endpoint
(signed, retried with backoff) and every attempt made to send it."""

from __future__ import annotations

import uuid
from typing import Any, ClassVar

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from aihq.core.models import RestrictedQuerySet, ScopeKind, TimeStampedModel
from aihq.notifications.kinds import Kind
from aihq.notifications.models import Event
from aihq.registry.models import Organisation
from aihq.webhooks import protocol

#: The event type of a test delivery an HQ admin sends by hand (never an Event of the notifications app).
PING = "ping"

#: Every event type a delivery may carry: the events endpoints subscribe to, and the test ping.
EVENT_TYPES: list[tuple[str, Any]] = [*Kind.choices, (PING, _("Test ping"))]


class Endpoint(TimeStampedModel):
    """A receiver an HQ admin registered: the events it wants (optionally only those of one organisation and the
    organisations below it), where to send them, and the secret that signs them. The secret is never logged."""

    name = models.CharField(_("name"), max_length=200)
    url = models.CharField(
        _("URL"),
        max_length=protocol.MAX_URL_LENGTH,
        help_text=_("Where events are POSTed: an https:// address (http:// only to hosts the operators allow)."),
    )
    secret = models.CharField(_("signing secret"), max_length=100, editable=False)
    event_types = models.JSONField(_("event types"), default=list, help_text=_("The kinds of event sent here."))
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("only for organisation"),
        null=True,
        blank=True,
        # An organisation in use as a filter cannot disappear: the endpoint would start receiving everything.
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("Blank: events of every organisation. Otherwise this organisation's and those below it."),
    )
    active = models.BooleanField(_("active"), default=True, help_text=_("Inactive endpoints are sent nothing."))
    description = models.TextField(_("description"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # Audited in the secret's stead: a rotation shows in the audit log without the secret itself.
    secret_rotated_at = models.DateTimeField(_("secret set"), null=True, blank=True)
    version = models.PositiveIntegerField(_("version"), default=1)

    scope_kind: ClassVar[ScopeKind] = "admin"
    audit_enabled = True
    audit_exclude: ClassVar[frozenset[str]] = frozenset({"secret"})

    class Meta:
        verbose_name = _("webhook endpoint")
        verbose_name_plural = _("webhook endpoints")
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.name

    def subscribes_to(self, kind: str) -> bool:
        return isinstance(self.event_types, list) and kind in self.event_types

    def event_type_labels(self) -> list[str]:
        labels = dict(Kind.choices)
        return [str(labels.get(kind, kind)) for kind in self.event_types or []]

    def clean(self) -> None:
        self.name = (self.name or "").strip()
        if not self.name:
            raise ValidationError({"name": _("Give the endpoint a name.")})
        self.url = (self.url or "").strip()
        protocol.validate_url(self.url, settings.AIHQ_WEBHOOK_INSECURE_HOSTS)
        types = self.event_types
        if not isinstance(types, list) or not types:
            raise ValidationError({"event_types": _("Choose at least one event type.")})
        unknown = sorted({str(t) for t in types} - set(Kind.values))
        if unknown:
            raise ValidationError({"event_types": _("Unknown event types: %(types)s.") % {"types": ", ".join(unknown)}})
        self.event_types = [kind for kind in Kind.values if kind in types]  # known order, no repeats


class DeliveryState(models.TextChoices):
    PENDING = "pending", _("Pending")
    RETRYING = "retrying", _("Retrying")
    SUCCEEDED = "succeeded", _("Succeeded")
    FAILED = "failed", _("Failed")


#: States the worker still sends.
OPEN_STATES = (DeliveryState.PENDING, DeliveryState.RETRYING)


class Delivery(models.Model):
    """One event for one endpoint: the exact JSON body sent (fixed when queued), where it stands and when it is
    tried next. Written by the delivery worker, not audited: its attempts are its log."""

    endpoint = models.ForeignKey(
        Endpoint, verbose_name=_("endpoint"), on_delete=models.CASCADE, related_name="deliveries"
    )
    event = models.ForeignKey(
        Event,
        verbose_name=_("event"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="webhook_deliveries",
        help_text=_("Blank for a test ping."),
    )
    # No choices here: new kinds of event need no migration of this app (EVENT_TYPES names them for people).
    event_type = models.CharField(_("event type"), max_length=40, db_index=True)
    uuid = models.UUIDField(_("delivery id"), default=uuid.uuid4, unique=True, editable=False)
    body = models.TextField(_("body"))
    state = models.CharField(_("state"), max_length=10, choices=DeliveryState.choices, default=DeliveryState.PENDING)
    attempts = models.PositiveSmallIntegerField(
        _("attempts"), default=0, help_text=_("Tries since it was queued (or queued again).")
    )
    next_attempt_at = models.DateTimeField(_("next attempt"), null=True, blank=True)
    # Set while a worker holds the delivery, so no other worker sends it too (see delivery.claim_due).
    lease = models.CharField(_("lease"), max_length=32, blank=True, editable=False)
    last_status_code = models.PositiveSmallIntegerField(_("last HTTP status"), null=True, blank=True)
    last_error = models.CharField(_("last error"), max_length=500, blank=True)
    delivered_at = models.DateTimeField(_("delivered"), null=True, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("queued by hand by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("Who last sent it as a test or asked for it again."),
    )
    requested_at = models.DateTimeField(_("queued by hand"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    scope_kind: ClassVar[ScopeKind] = "admin"
    objects = RestrictedQuerySet.as_manager()

    class Meta:
        verbose_name = _("webhook delivery")
        verbose_name_plural = _("webhook deliveries")
        ordering = ["-created_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["endpoint", "event"], name="webhook_delivery_once")]
        indexes = [
            models.Index(fields=["state", "next_attempt_at"], name="webhook_delivery_due_idx"),
            models.Index(fields=["endpoint", "-created_at"], name="webhook_delivery_log_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.event_type} → {self.endpoint_id} ({self.uuid})"

    @property
    def is_ping(self) -> bool:
        return self.event_type == PING

    @property
    def event_type_label(self) -> str:
        return str(dict(EVENT_TYPES).get(self.event_type, self.event_type))


class Attempt(models.Model):
    """One try at sending a delivery: when, the HTTP status (none when no answer came), the error, how long."""

    delivery = models.ForeignKey(
        Delivery, verbose_name=_("delivery"), on_delete=models.CASCADE, related_name="attempt_log"
    )
    at = models.DateTimeField(_("time"))
    status_code = models.PositiveSmallIntegerField(_("HTTP status"), null=True, blank=True)
    error = models.CharField(_("error"), max_length=500, blank=True)
    duration_ms = models.PositiveIntegerField(_("duration, ms"), default=0)

    scope_kind: ClassVar[ScopeKind] = "admin"
    objects = RestrictedQuerySet.as_manager()

    class Meta:
        verbose_name = _("webhook attempt")
        verbose_name_plural = _("webhook attempts")
        ordering = ["delivery", "at", "id"]

    def __str__(self) -> str:
        return f"{self.delivery_id} @ {self.at:%Y-%m-%d %H:%M:%S}: {self.status_code or self.error}"

    @property
    def succeeded(self) -> bool:
        return protocol.is_success(self.status_code)
