from __future__ import annotations

import datetime as dt
from typing import Any

from django import template
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from aihq.notifications.messages import name
from aihq.routines.models import Audience
from aihq.routines.obligations import Obligation

register = template.Library()


@register.filter
def task_state(obligation: Obligation, today: dt.date) -> str:
    return obligation.state(today)


@register.filter
def days_late(obligation: Obligation, today: dt.date) -> int:
    return obligation.days_late(today)


@register.filter
def payload_name(item: dict[str, Any]) -> str:
    """An item's name from a payload, in the reader's language."""
    return name(item)


@register.filter
def step_text(step: dict[str, Any]) -> str:
    """A schedule step in words: "7 days before to the organisation's editors"."""
    days, to = int(step.get("days", 0)), step.get("to", "")
    if days < 0:
        when = ngettext("%(n)d day before", "%(n)d days before", -days) % {"n": -days}
    elif days == 0:
        when = _("on the day")
    else:
        when = ngettext("%(n)d day after", "%(n)d days after", days) % {"n": days}
    audience = {
        Audience.EDITORS: _("to the organisation's editors"),
        Audience.COORDINATORS: _("to its coordinators"),
        Audience.HQ: _("to the HQ"),
    }.get(to, to)
    return f"{when} {audience}"


@register.inclusion_tag("routines/_my_tasks.html", takes_context=True)
def my_tasks_panel(context: dict[str, Any], limit: int = 6) -> dict[str, Any]:
    """The home page's "What I owe": the first few open reports of the user's organisations."""
    from django.utils import timezone

    from aihq.routines import selectors

    request = context["request"]
    today = timezone.localdate()
    tasks = selectors.my_tasks(request.user, today)
    overdue = sum(1 for t in tasks if t.state(today) == "overdue")
    return {"request": request, "tasks": tasks[:limit], "total": len(tasks), "overdue": overdue, "today": today}
