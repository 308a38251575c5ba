"""The public record: which fields a published use case can show, and the pure functions over them.

A published version stores every candidate field (``FIELDS``) as it was when approved, with the
field keys the publication profile made public then. What the public sees is the intersection of
those keys with the profile's keys now: removing a field hides it at once everywhere (pages, search,
facets, open data), adding one shows it only from the next approved version.

The keys are the open-data schema's property names: they are stable.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Field:
    key: str
    label: str | Promise
    help: str | Promise
    #: JSON type of the value in the open data ("string", "boolean", "object", "array", "date")
    type: str
    #: always public (identifies the record); the profile cannot hide it
    required: bool = False
    #: public in a new installation's profile
    default: bool = True
    #: a facet on the public register, filtered by ``code`` values
    facet: bool = False


FIELDS: tuple[Field, ...] = (
    Field("name", _("Name"), _("The use case's name, as its organisation gives it."), "string", required=True),
    Field(
        "organisation",
        _("Organisation"),
        _("The organisation responsible: code and name in English and Russian."),
        "object",
        required=True,
        facet=True,
    ),
    Field(
        "organisation_kind",
        _("Organisation type"),
        _("Ministry, agency, regional government, state company, company or other."),
        "object",
        facet=True,
    ),
    Field("reference", _("Reference"), _("The organisation's own identifier for the use case."), "string"),
    Field("description", _("Description"), _("What problem the use case addresses."), "string"),
    Field("purpose", _("Purpose and benefits"), _("Why it is used and what it is expected to bring."), "string"),
    Field(
        "outputs",
        _("Outputs"),
        _("What the system produces: predictions, recommendations, decisions, content."),
        "string",
    ),
    Field(
        "stage",
        _("Stage"),
        _("Lifecycle stage: planned, development, pilot, production, retired."),
        "object",
        facet=True,
    ),
    Field("sectors", _("Sectors"), _("The sectors or functions it serves."), "array", facet=True),
    Field("regions", _("Regions"), _("The regions where it is used (ISO 3166-2 codes)."), "array", facet=True),
    Field("is_generative", _("Generative AI"), _("Whether it uses generative AI."), "boolean", facet=True),
    Field("techniques", _("AI techniques"), _("The kinds of AI it uses."), "array"),
    Field(
        "development_method",
        _("Development method"),
        _("Developed in-house, under contract, both, or bought off the shelf."),
        "object",
    ),
    Field("date_deployed", _("In use since"), _("The date it went into use, when known."), "date"),
    Field(
        "risk_tiers",
        _("Risk tier"),
        _("Its risk tier under each framework it has been classified against (such as the EU AI Act)."),
        "array",
        facet=True,
    ),
    Field(
        "human_oversight",
        _("Human oversight"),
        _("How people oversee the system and can intervene in or overturn its outputs."),
        "string",
    ),
    Field("data_used", _("Data used"), _("The data the system was trained on and works with."), "string"),
    Field(
        "suppliers", _("Suppliers"), _("Who supplies its models, data, software or hosting, and from where."), "array"
    ),
    Field(
        "impact_assessments",
        _("Impact assessments"),
        _("The impact assessments required for it (such as a fundamental rights impact assessment) and their status."),
        "array",
    ),
    Field("contact", _("Contact"), _("Where the public can ask about the use case."), "string"),
)
BY_KEY: Mapping[str, Field] = {f.key: f for f in FIELDS}
KEYS: tuple[str, ...] = tuple(f.key for f in FIELDS)
REQUIRED: frozenset[str] = frozenset(f.key for f in FIELDS if f.required)
DEFAULT_PUBLIC: tuple[str, ...] = tuple(f.key for f in FIELDS if f.default or f.required)
#: Fields whose text the public full-text search reads.
TEXT_KEYS = ("name", "reference", "description", "purpose", "outputs", "human_oversight", "data_used", "contact")


def visible_keys(version_keys: Iterable[str], profile_keys: Iterable[str]) -> list[str]:
    """The keys shown for a version: public when it was approved and public now (required ones always)."""
    now = set(profile_keys) | REQUIRED
    then = set(version_keys) | REQUIRED
    return [key for key in KEYS if key in now and key in then]


def public_view(data: Mapping[str, Any], keys: Iterable[str]) -> dict[str, Any]:
    """Only ``keys`` of a stored snapshot, in catalogue order; absent values stay absent."""
    wanted = set(keys)
    return {key: data[key] for key in KEYS if key in wanted and key in data}


def _labelled(value: Any) -> list[dict[str, str]]:
    """Facet values of one field: code and label in English and Russian."""
    if isinstance(value, bool):
        return [{"code": "yes", "en": "Yes", "ru": "Да"} if value else {"code": "no", "en": "No", "ru": "Нет"}]
    if isinstance(value, Mapping):
        if value.get("code") in (None, ""):
            return []
        english = str(value.get("name_en") or value["code"])
        russian = str(value.get("name_ru") or english)
        if value.get("framework"):  # a risk tier: say under which framework
            english = f"{english} ({short_title(str(value.get('framework_en') or value['framework']))})"
            russian = f"{russian} ({short_title(str(value.get('framework_ru') or value.get('framework_en') or ''))})"
        return [{"code": str(value["code"]), "en": english, "ru": russian}]
    if isinstance(value, list):
        return [item for part in value for item in _labelled(part)]
    return []


def short_title(title: str) -> str:
    """A framework's title without its parenthesised legal reference."""
    return title.split(" (", 1)[0].split(":", 1)[0].strip()


def facet_labels(view: Mapping[str, Any]) -> dict[str, list[dict[str, str]]]:
    """The facet values of a public view by field key, each with its code and labels."""
    return {f.key: _labelled(view[f.key]) for f in FIELDS if f.facet and f.key in view}


def facet_key_text(view: Mapping[str, Any]) -> str:
    """``|key=code|`` for every facet value, so one ``contains`` filter finds a value."""
    keys = [f"{key}={item['code']}" for key, items in facet_labels(view).items() for item in items]
    return "|" + "|".join(keys) + "|" if keys else ""


def _texts(value: Any) -> Iterable[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, Mapping):
        for key, item in value.items():
            if key != "code":
                yield from _texts(item)
    elif isinstance(value, list):
        for item in value:
            yield from _texts(item)


def search_text(view: Mapping[str, Any]) -> str:
    """Everything a visitor may search in a public view, case-folded (Cyrillic too), one line."""
    parts: list[str] = []
    for key, value in view.items():
        if key in TEXT_KEYS or BY_KEY[key].facet:
            parts.extend(_texts(value))
    return " ".join(" ".join(parts).split()).casefold()


def search_terms(query: str) -> list[str]:
    """The words of a search, case-folded; every one must occur."""
    return [term for term in query.casefold().split() if term][:10]


def changed_keys(before: Mapping[str, Any] | None, after: Mapping[str, Any]) -> list[str]:
    """The catalogue keys whose value differs between two snapshots (all present ones for a first version)."""
    if before is None:
        return [key for key in KEYS if key in after]
    return [key for key in KEYS if before.get(key) != after.get(key)]
