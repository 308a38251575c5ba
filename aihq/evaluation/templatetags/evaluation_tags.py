"""Figures as a reader expects them: amounts grouped, ratios and paybacks rounded, and "not enough data" where
the engine gave no number; and the evaluation section of a use case page."""

from __future__ import annotations

import math
from typing import Any

from django import template
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from aihq.objectives.templatetags.objectives_tags import figure as objectives_figure
from aihq.objectives.templatetags.objectives_tags import percent as objectives_percent

register = template.Library()


def _finite(value: Any) -> float | None:
    """A number to show, or None for nothing (None, "", NaN, infinity)."""
    if value is None or value == "":
        return None
    number = float(value)
    return number if math.isfinite(number) else None


@register.filter
def money(value: Any, currency: str = "") -> str:
    number = _finite(value)
    if number is None:
        return "—"
    text = number_format(round(number), force_grouping=True)
    return f"{text} {currency}".strip()


@register.filter
def ratio(value: Any) -> str:
    number = _finite(value)
    return "—" if number is None else number_format(round(number, 2), 2)  # number_format truncates


@register.filter
def percent(value: Any) -> str:
    number = _finite(value)
    return "—" if number is None else objectives_percent(number)


@register.filter
def years(value: Any) -> str:
    number = _finite(value)
    return "—" if number is None else number_format(round(number, 1), 1)


@register.filter
def figure(value: Any) -> str:
    number = _finite(value)
    if number is None:
        return "—"
    if number == int(number):  # a whole figure as given: 12, not 12.0
        return number_format(int(number), force_grouping=abs(number) >= 10000)
    return objectives_figure(number)


@register.filter
def missing_text(codes: Any) -> str:
    """Why there is no figure, in words."""
    words = {
        "costs": _("no costs recorded"),
        "benefits": _("no monetised benefit"),
        "rate": _("no usable discount rate"),
        "horizon": _("no years to appraise"),
        "currency": _("costs and benefits in more than one currency"),
        "actuals": _("no actual costs yet"),
        "range": _("figures too large to add up"),
    }
    return "; ".join(str(words.get(code, code)) for code in codes or ())


@register.filter
def stop_reason(reason: Any) -> str:
    """A stop candidate's reason in words."""
    from aihq.evaluation.selectors import stop_reason_text

    return stop_reason_text(reason)


@register.inclusion_tag("evaluation/_use_case_evaluation.html", takes_context=True)
def use_case_evaluation(context: template.Context, use_case: Any) -> dict[str, Any]:
    from aihq.evaluation import selectors

    evaluation = selectors.for_use_case(use_case, detail=False)  # the section shows neither IRR nor sensitivity
    return {
        "use_case": use_case,
        "evaluation": evaluation,
        "open_review": use_case.gate_reviews.filter(decision="pending").first(),
    }
