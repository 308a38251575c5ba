"""The use case page's similar use cases and incidents; shared words of a pair."""

from __future__ import annotations

from typing import Any

from django import template

register = template.Library()


@register.simple_tag
def shared_words(a: Any, b: Any) -> list[str]:
    from aihq.coordination import selectors

    return selectors.shared_words(selectors.use_case_text(a), selectors.use_case_text(b), limit=6)


@register.inclusion_tag("coordination/_use_case_similar.html", takes_context=True)
def use_case_similar(context: template.Context, use_case: Any) -> dict[str, Any]:
    """Nothing at all until embeddings exist (``aihq embed`` or ``aihq find_duplicates``)."""
    from aihq.accounts.permissions import can_change
    from aihq.coordination import embeddings, selectors

    user = context["request"].user
    if not len(embeddings.use_case_index().ids):
        return {"similar": [], "incidents": []}
    return {
        "use_case": use_case,
        "similar": selectors.similar_use_cases(user, use_case),
        "incidents": selectors.similar_incidents(use_case),
        "can_edit": can_change(user, use_case),
    }
