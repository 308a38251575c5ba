"""Template helpers for the sovereignty pages and the AI-BOM section of a use case's page."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import template

from aihq.core.i18n import localised
from aihq.sovereignty.models import ComponentType, Criticality, Hosting, Replaceability, country_name

register = template.Library()


@register.filter
def country(code: str) -> str:
    """“US — United States”, or “—” when unknown."""
    return f"{code} — {country_name(code)}" if code else "—"


@register.filter
def component_type(value: str) -> str:
    return str(ComponentType(value).label) if value in ComponentType.values else value


@register.filter
def hosting_label(value: str) -> str:
    return str(Hosting(value).label) if value in Hosting.values else "—"


@register.filter
def replaceability_label(value: str) -> str:
    return str(Replaceability(value).label) if value in Replaceability.values else "—"


@register.filter
def criticality_label(value: str) -> str:
    return str(Criticality(value).label) if value in Criticality.values else value


@register.filter
def percent(value: Any) -> str:
    return f"{round(value * 100)} %" if isinstance(value, int | float) else "—"


@register.filter
def reason(point: Any) -> str:
    return localised(point.reason_en, point.reason_ru)


@register.inclusion_tag("sovereignty/_use_case_aibom.html", takes_context=True)
def use_case_aibom(context: dict[str, Any], use_case: Any) -> dict[str, Any]:
    """A use case's AI-BOM: its components with supplier and jurisdiction, its sovereignty score explained,
    the agreements covering its dependencies, and (for its editors) forms to add, import and export."""
    from aihq.accounts.permissions import can_change
    from aihq.sovereignty import selectors
    from aihq.sovereignty.forms import BomEntryForm
    from aihq.sovereignty.models import BomEntry

    user = context["request"].user
    today = dt.date.today()
    entries = list(
        BomEntry.objects.filter(use_case=use_case)
        .select_related("component__supplier")
        .order_by("component__type", "component__name")
    )
    home = selectors.settings().home_country
    editable = can_change(user, use_case)
    score = selectors.use_case_score(use_case, today) if entries else None
    return {
        "scores": {s.component_id: s for s in score.components} if score else {},
        "use_case": use_case,
        "entries": entries,
        "home": home,
        "score": score,
        "covering": selectors.agreements_covering(entries, today),
        "editable": editable,
        "form": BomEntryForm() if editable else None,
        "csrf_token": context.get("csrf_token"),
    }
