"""Template filters for fulfilment figures: ratings, percentages, numbers, day numbers."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import template
from django.utils.formats import number_format
from django.utils.translation import gettext_lazy as _

from aihq.objectives import engine

register = template.Library()

RAG_LABELS = {
    "green": _("Green"),
    "amber_green": _("Amber-green"),
    "amber_red": _("Amber-red"),
    "red": _("Red"),
    "insufficient_data": _("Insufficient data"),
}


@register.filter
def rag_label(rating: str) -> str:
    return str(RAG_LABELS.get(rating, rating))


@register.filter
def percent(value: float | None, digits: int = 0) -> str:
    """0.916 → "92 %" (— when undefined)."""
    if value is None:
        return "—"
    places = int(digits)
    return f"{number_format(round(value * 100, places), decimal_pos=places)} %"  # number_format truncates


@register.filter
def figure(value: float | None) -> str:
    """A measured or planned value with sensible precision (— when undefined)."""
    if value is None:
        return "—"
    magnitude = abs(value)
    digits = 0 if magnitude >= 1000 else 1 if magnitude >= 10 else 2
    return str(number_format(round(value, digits), decimal_pos=digits, force_grouping=magnitude >= 10000))


@register.filter
def day(value: float | None) -> dt.date | None:
    """A day number (days since 1970-01-01) as a date."""
    return None if value is None else engine.from_day_number(value)


@register.filter
def get(mapping: dict[Any, Any], key: Any) -> Any:
    return mapping.get(key)


@register.inclusion_tag("objectives/_use_case_contributions.html", takes_context=True)
def use_case_contributions(context: dict[str, Any], use_case: Any) -> dict[str, Any]:
    """The indicators a use case contributes to, and (for its editors) a form to link another."""
    from aihq.accounts.permissions import can_change
    from aihq.objectives.forms import ContributionForm
    from aihq.objectives.models import Contribution

    user = context["request"].user
    editable = can_change(user, use_case)
    return {
        "use_case": use_case,
        "contributions": Contribution.objects.restrict(user, "view")
        .filter(use_case=use_case)
        .select_related("indicator", "indicator__objective"),
        "form": ContributionForm(use_case=use_case, user=user) if editable else None,
        "csrf_token": context.get("csrf_token"),
    }


@register.filter
def sees(scope: Any, organisation_id: int | None) -> bool:
    """Whether the user (their ``user_scope``) may open the organisation's page."""
    return bool(scope is not None and scope.can_view_org(organisation_id))
