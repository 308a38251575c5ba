"""Figures as a reader expects them: amounts grouped, ratios and paybacks rounded, and "not enough data" where
the engine gave no number; and the evaluation section of a use case page."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.formats import number_format
from django.utils.translation import gettext as _

register = template.Library()


@register.filter
def money(value: Any, currency: str = "") -> str:
    if value is None or value == "":
        return "—"
    text = number_format(round(float(value)), force_grouping=True)
    return f"{text} {currency}".strip()


@register.filter
def ratio(value: Any) -> str:
    return "—" if value in (None, "") else number_format(float(value), 2)


@register.filter
def percent(value: Any) -> str:
    return "—" if value in (None, "") else f"{number_format(float(value) * 100, 0)} %"


@register.filter
def years(value: Any) -> str:
    return "—" if value in (None, "") else number_format(float(value), 1)


@register.filter
def figure(value: Any) -> str:
    """A metric's value: as given, without a run of decimals."""
    if value in (None, ""):
        return "—"
    number = float(value)
    return number_format(number, 0 if number == int(number) else 2, force_grouping=True)


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
    }
    return "; ".join(str(words.get(code, code)) for code in codes or ())


@register.filter
def stop_reason(reason: Any) -> str:
    """A stop candidate's reason in words."""
    code, date = reason
    if code == "costs":
        return _("costs rising")
    return _("benefits unproven past %(date)s") % {"date": date.isoformat() if date else "—"}


@register.inclusion_tag("evaluation/_use_case_evaluation.html", takes_context=True)
def use_case_evaluation(context: template.Context, use_case: Any) -> dict[str, Any]:
    from aihq.evaluation import selectors

    evaluation = selectors.for_use_case(use_case)
    return {
        "use_case": use_case,
        "evaluation": evaluation,
        "open_review": use_case.gate_reviews.filter(decision="pending").first(),
    }
