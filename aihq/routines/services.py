"""Writes of the routines: reporting cycles (HQ admins) and confirmations (the organisation's people)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from aihq.accounts.permissions import person, require_hq_admin, scope_for
from aihq.core.services import check_version, reject_unknown_fields, save_valid, service
from aihq.registry.models import Organisation
from aihq.routines.models import CycleKind, ReportingCycle, Submission
from aihq.routines.obligations import period_end_on

CYCLE_FIELDS = frozenset({"name_en", "name_ru", "kind", "frequency", "due_days", "schedule", "starts_on", "active"})
RELATIONS = ("organisations", "indicators")


def _relations(cycle: ReportingCycle, changes: dict[str, Any]) -> None:
    for name in RELATIONS:
        if name in changes and changes[name] is not None:
            getattr(cycle, name).set(changes[name])
    if cycle.kind == CycleKind.INDICATOR_MEASUREMENTS and not cycle.indicators.exists():
        raise ValidationError({"indicators": _("Choose the indicators the organisations measure.")})
    if cycle.kind != CycleKind.INDICATOR_MEASUREMENTS and cycle.indicators.exists():
        raise ValidationError({"indicators": _("Only a cycle of indicator measurements has indicators.")})


@service
def cycle_create(*, actor: Any, **fields: Any) -> ReportingCycle:
    require_hq_admin(actor, _("Only HQ admins set reporting cycles."))
    relations = {name: fields.pop(name, None) for name in RELATIONS}
    reject_unknown_fields(fields, CYCLE_FIELDS)
    fields.setdefault("starts_on", timezone.localdate())
    cycle = save_valid(ReportingCycle(created_by=person(actor), **fields))
    _relations(cycle, relations)
    return cycle


@service
def cycle_update(
    *,
    actor: Any,
    cycle: ReportingCycle,
    expected_version: int | None = None,
    precondition: bool = False,
    **changes: Any,
) -> ReportingCycle:
    require_hq_admin(actor, _("Only HQ admins set reporting cycles."))
    relations = {name: changes.pop(name, None) for name in RELATIONS}
    reject_unknown_fields(changes, CYCLE_FIELDS)
    current: ReportingCycle = ReportingCycle.objects.select_for_update().get(pk=cycle.pk)
    check_version(current.version, expected_version, precondition=precondition)
    for name, value in changes.items():
        setattr(current, name, value)
    current.version += 1
    save_valid(current)
    _relations(current, relations)
    return current


@service
def cycle_delete(*, actor: Any, cycle: ReportingCycle) -> None:
    require_hq_admin(actor, _("Only HQ admins set reporting cycles."))
    cycle.delete()


@service
def confirm(
    *, actor: Any, cycle: ReportingCycle, organisation: Organisation, period_end: dt.date, note: str = ""
) -> Submission:
    """The organisation confirms its report for the period (the inventory refresh is done by this)."""
    if not scope_for(actor).can_change_org(organisation.pk):
        raise PermissionDenied(_("You cannot report for this organisation."))
    if cycle.kind != CycleKind.INVENTORY_REFRESH:
        raise ValidationError(_("This cycle is done by reporting the figures themselves, not by a confirmation."))
    if period_end_on(cycle.frequency, period_end) != period_end or period_end < cycle.starts_on:
        raise ValidationError({"period_end": _("Not a period of this cycle.")})
    if period_end > timezone.localdate() + dt.timedelta(days=366):
        raise ValidationError({"period_end": _("That period is too far ahead.")})
    if Submission.objects.filter(cycle=cycle, organisation=organisation, period_end=period_end).exists():
        raise ValidationError(_("This period is confirmed already."))
    return save_valid(
        Submission(cycle=cycle, organisation=organisation, period_end=period_end, note=note, submitted_by=person(actor))
    )
