"""Rendering a public record's values in the reader's language."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.html import format_html, format_html_join, linebreaks
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from aihq.publication import fields as catalogue

register = template.Library()


def _ru() -> bool:
    return (get_language() or "en").startswith("ru")


@register.filter
def localname(value: Any) -> str:
    """The name of a coded item (``name_en``/``name_ru``) in the reader's language."""
    if not isinstance(value, dict):
        return "" if value is None else str(value)
    return str((value.get("name_ru") if _ru() else "") or value.get("name_en") or value.get("code", ""))


@register.filter(name="tier_text")
def _tier(item: dict[str, Any]) -> str:
    """A risk tier with its framework's short name, in the reader's language."""
    framework = item.get("framework_ru") if _ru() else ""
    framework = catalogue.short_title(str(framework or item.get("framework_en") or item.get("framework", "")))
    return f"{localname(item)} — {framework}"


@register.simple_tag
def public_value(key: str, value: Any) -> SafeString:
    """A public field's value as HTML (escaped), or an em dash when empty."""
    if value in (None, "", [], {}):
        return mark_safe('<span class="muted">—</span>')
    if isinstance(value, bool):
        return format_html("{}", _("Yes") if value else _("No"))
    if key == "risk_tiers":
        return format_html(
            "<ul class='plain'>{}</ul>", format_html_join("", "<li>{}</li>", ((_tier(i),) for i in value))
        )
    if key == "suppliers":
        names = ((s["name"], f" ({s['country']})" if s.get("country") else "") for s in value)
        return format_html("<ul class='plain'>{}</ul>", format_html_join("", "<li>{}{}</li>", names))
    if key == "impact_assessments":
        items = (
            (
                (i.get("title_ru") if _ru() else "") or i.get("title_en", ""),
                i.get("cite", ""),
                (i.get("status_ru") if _ru() else "") or i.get("status_en", ""),
            )
            for i in value
        )
        return format_html(
            "<ul class='plain'>{}</ul>", format_html_join("", "<li>{} <span class='muted'>({})</span>: {}</li>", items)
        )
    if isinstance(value, list):
        return format_html("{}", ", ".join(localname(item) for item in value))
    if isinstance(value, dict):
        return format_html("{}", localname(value))
    if key == "contact" and "@" in str(value) and " " not in str(value).strip():
        return format_html('<a href="mailto:{0}">{0}</a>', str(value).strip())
    return mark_safe(linebreaks(str(value), autoescape=True))  # noqa: S308 - linebreaks escapes


@register.filter
def field_label(key: str) -> str:
    found = catalogue.BY_KEY.get(key)
    return str(found.label) if found else key


@register.simple_tag(takes_context=True)
def with_lang(context: template.Context, url: str) -> str:
    """``url`` with the page's ``?lang=``, so a visitor's language choice follows the links."""
    lang = context.get("lang") or get_language() or "en"
    return f"{url}{'&' if '?' in url else '?'}lang={lang}"


@register.inclusion_tag("publication/_use_case_publication.html", takes_context=True)
def use_case_publication(context: template.Context, use_case: Any) -> dict[str, Any]:
    """A use case's place in the public register, and the way to its publication page."""
    from aihq.accounts.permissions import can_change
    from aihq.publication import snapshot
    from aihq.publication.models import PublicationProfile, PublicationRecord
    from aihq.publication.services import can_approve

    user = context["request"].user
    record = PublicationRecord.objects.select_related("current").filter(use_case=use_case).first()
    return {
        "use_case": use_case,
        "record": record,
        "non_public": snapshot.non_public_reason(use_case),
        "can_manage": can_change(user, use_case) or can_approve(user, use_case.organisation_id),
        "register_open": PublicationProfile.current().enabled,
        "out_of_date": bool(record and record.current and record.current.use_case_version != use_case.version),
    }
