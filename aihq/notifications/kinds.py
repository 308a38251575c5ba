"""What AIHQ tells people about, and the names webhooks subscribe to."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Kind(models.TextChoices):
    REMINDER = "reminder", _("Reminder of a report due")
    ESCALATION = "escalation", _("Escalation of a report overdue")
    INCIDENT_SERIOUS = "incident_serious", _("Serious incident")
    REQUIREMENT_OVERDUE = "requirement_overdue", _("Requirement overdue")
    GATE_REVIEW_REQUESTED = "gate_review_requested", _("Stage-gate review requested")
    GATE_DECISION = "gate_decision", _("Stage-gate decision")
    GATE_CONDITION_OVERDUE = "gate_condition_overdue", _("Stage-gate condition overdue")
    RAG_RED = "rag_red", _("Indicator turned red")
    DUPLICATE_PAIR = "duplicate_pair", _("Possible duplicate use cases")


class Delivery(models.TextChoices):
    IMMEDIATE = "immediate", _("Immediately")
    DIGEST = "digest", _("In the daily digest")
    OFF = "off", _("Off")


# What a person gets when they have not said otherwise: the urgent at once, the rest in the digest.
DEFAULT_DELIVERY: dict[str, str] = {
    Kind.REMINDER: Delivery.IMMEDIATE,
    Kind.ESCALATION: Delivery.IMMEDIATE,
    Kind.INCIDENT_SERIOUS: Delivery.IMMEDIATE,
    Kind.REQUIREMENT_OVERDUE: Delivery.DIGEST,
    Kind.GATE_REVIEW_REQUESTED: Delivery.IMMEDIATE,
    Kind.GATE_DECISION: Delivery.IMMEDIATE,
    Kind.GATE_CONDITION_OVERDUE: Delivery.DIGEST,
    Kind.RAG_RED: Delivery.DIGEST,
    Kind.DUPLICATE_PAIR: Delivery.DIGEST,
}
