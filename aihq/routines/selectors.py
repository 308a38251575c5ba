"""What the routines' pages and API read: a user's open reports, a cycle's state by organisation."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet

from aihq.accounts.permissions import scope_for
from aihq.notifications.models import Event
from aihq.registry.models import Organisation
from aihq.routines.models import ReportingCycle
from aihq.routines.obligations import Obligation, obligations, open_obligations, period_end_on, period_ends, shift


def cycles(user: Any) -> QuerySet[ReportingCycle]:
    return ReportingCycle.objects.restrict(user).prefetch_related("organisations", "indicators")  # type: ignore[no-any-return]


def visible_orgs(user: Any) -> list[int] | None:
    """The organisations whose reporting a user may read (None: all of them, for HQ admins and auditors)."""
    scope = scope_for(user)
    if scope.sees_everything:
        return None
    return sorted(scope.view_org_ids)


def my_tasks(user: Any, today: dt.date, *, everyone: bool = False, ahead: int = 31) -> list[Obligation]:
    """What the organisations the user reports for still owe: overdue, or due within ``ahead`` days.

    ``everyone``: for an HQ admin, what every organisation owes (the HQ's watch list) rather than their own."""
    scope = scope_for(user)
    if everyone and scope.is_hq_admin:
        org_ids = list(Organisation.objects.values_list("pk", flat=True))
    else:
        org_ids = sorted(scope.change_org_ids)
    if not org_ids:
        return []
    active = list(cycles(user).filter(active=True))
    return open_obligations(active, org_ids, today, ahead=ahead)


@dataclass
class CyclePeriod:
    period_end: dt.date
    due_date: dt.date
    rows: list[Obligation]

    @property
    def done(self) -> int:
        return sum(1 for o in self.rows if o.done)


def cycle_periods(cycle: ReportingCycle, user: Any, today: dt.date, count: int = 3) -> list[CyclePeriod]:
    """The latest ``count`` periods due (and the next one), each organisation's state, newest first."""
    last = period_end_on(cycle.frequency, today)
    ends = period_ends(cycle, shift(cycle.frequency, last, -count - 1), today + dt.timedelta(days=366))
    ends = [e for e in ends if e <= last][-count:]
    if not ends and cycle.starts_on > today:
        ends = [period_end_on(cycle.frequency, cycle.starts_on)]
    org_ids = visible_orgs(user)
    return [
        CyclePeriod(end, end + dt.timedelta(days=cycle.due_days), obligations(cycle, end, org_ids))
        for end in reversed(ends)
    ]


def reminders_sent(cycle: ReportingCycle, user: Any) -> QuerySet[Event]:
    """The reminders and escalations this cycle has given (HQ admins see all; others, their organisations')."""
    events = Event.objects.filter(key__startswith=f"cycle:{cycle.pk}:").select_related("organisation")
    org_ids = visible_orgs(user)
    if org_ids is not None:
        events = events.filter(organisation__in=org_ids)
    return events.order_by("-occurred_at", "-pk")
