"""Template helpers for the regulation pages: labels in the reader's language, the use case's section."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from typing import Any

from django import template

from aihq.core.i18n import localised
from aihq.regulation import taxonomy
from aihq.regulation.models import Harm, IncidentSeverity, IncidentStatus, RequirementState, RiskStatus

register = template.Library()


@register.filter
def state_label(value: str) -> str:
    return str(RequirementState(value).label) if value in RequirementState.values else value


@register.filter
def risk_status_label(value: str) -> str:
    return str(RiskStatus(value).label) if value in RiskStatus.values else value


@register.filter
def incident_status_label(value: str) -> str:
    return str(IncidentStatus(value).label) if value in IncidentStatus.values else value


@register.filter
def severity_label(value: str) -> str:
    return str(IncidentSeverity(value).label) if value in IncidentSeverity.values else value


@register.filter
def harm_labels(values: list[str]) -> str:
    return ", ".join(str(Harm(v).label) for v in values or () if v in Harm.values)


@register.filter
def category_label(code: str) -> str:
    found = taxonomy.category(code)
    return found.label if found else code


@register.filter
def text(item: Any, name: str) -> str:
    """An item's ``name_en``/``name_ru`` pair (attribute or key) in the reader's language."""

    def pick(suffix: str) -> str:
        key = f"{name}_{suffix}"
        value = item.get(key) if isinstance(item, dict) else getattr(item, key, "")
        return str(value or "")

    return localised(pick("en"), pick("ru"))


@register.filter
def tier_name(classification: Any) -> str:
    """A classification's tier in the reader's language, from its framework version."""
    from aihq.regulation.selectors import tier_label

    return tier_label(classification.framework, classification.tier)


@register.filter
def role_name(classification: Any) -> str:
    for role in classification.framework.definition.get("roles", ()) or ():
        if role.get("code") == classification.role:
            return localised(role.get("label_en", ""), role.get("label_ru", "")) or str(classification.role)
    return str(classification.role)


@register.filter
def risk_level(score: int | None) -> str:
    from aihq.regulation.selectors import risk_level as level

    return level(score) if score else ""


@register.filter
def overdue(requirement: Any) -> bool:
    return bool(requirement.is_overdue())


@register.filter
def share(value: float | None) -> str:
    return "—" if value is None else f"{round(value * 100)} %"


@register.inclusion_tag("regulation/_use_case_regulation.html", takes_context=True)
def use_case_regulation(context: dict[str, Any], use_case: Any) -> dict[str, Any]:
    """Classifications, requirement status, risks and incidents of a use case, in one section of its page."""
    from aihq.accounts.permissions import can_change
    from aihq.regulation.selectors import use_case_regulation as gather

    user = context["request"].user
    return {
        "use_case": use_case,
        "editable": can_change(user, use_case),
        "today": dt.date.today(),
        **(gathered := gather(user, use_case, dt.date.today())),
        "classified_codes": {c.framework_code for c in gathered["classifications"]},
        "titles": {f.code: f.title for f in gathered["frameworks"]},
    }


@register.filter
def split_words(value: str) -> list[str]:
    return value.split()


@register.filter
def party(slug: str) -> str:
    """An AIID party slug as a name ("keolis-north-america" → "Keolis North America")."""
    from aihq.regulation.library import slug_label

    return slug_label(slug)


@register.filter
def parties(slugs: list[str] | None) -> str:
    return ", ".join(party(s) for s in slugs or ())


@register.filter
def answer_text(value: Any) -> str:
    """An answer as a person reads it: lists joined, yes/no for booleans."""
    from django.utils.translation import gettext

    if isinstance(value, bool):
        return gettext("Yes") if value else gettext("No")
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    return str(value)


@register.inclusion_tag("regulation/_dashboard_kpis.html", takes_context=True)
def regulation_kpis(context: dict[str, Any]) -> dict[str, Any]:
    """The overview's line on AI's risks: high-risk and high-impact use cases, overdue work, open incidents."""
    from aihq.regulation import selectors

    user = context["request"].user
    today = dt.date.today()
    tiers = selectors.tier_counts(user)
    eu, omb = tiers.get("eu-ai-act", Counter()), tiers.get("omb-m-25-21", Counter())
    return {
        "high_risk": eu["high_risk"],
        "prohibited": eu["prohibited"],
        "high_impact": omb["high_impact"],
        "overdue": selectors.overdue(selectors.requirements(user), today).count(),
        "open_incidents": selectors.open_incidents(selectors.incidents(user)).count(),
    }
