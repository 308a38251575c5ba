"""What a use case would publish now: the candidate fields of the public record, read from the database.

Labels are stored in English and Russian so a published version reads the same years later, whatever
has been renamed since.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from django.db.models import TextChoices
from django.utils import translation
from django.utils.translation import gettext as _

from aihq.publication.models import PublicationRecord
from aihq.registry.models import DevelopmentMethod, OrganisationKind, Stage, Technique, UseCase

#: Requirements that are impact assessments, by framework requirement id.
IMPACT_ASSESSMENTS = frozenset({"eu-art-27", "omb-4-b-ii"})
#: Annex III points whose registrations the EU database keeps out of public view (Art. 49(4)).
NON_PUBLIC_ANNEX_III_AREAS = ("6", "7")
#: Inventory answers that pre-fill the public texts, most specific first.
PREFILL = {
    "contact": ("contact_email",),
    "data_used": ("data_description", "33_agency_data"),
    "human_oversight": ("57_autonomous_impact", "hi_failsafe_presence"),
}


def both(label: Any) -> tuple[str, str]:
    """A lazy label in English and in Russian."""
    with translation.override("en"):
        english = str(label)
    with translation.override("ru"):
        russian = str(label)
    return english, russian


def choice(choices: type[TextChoices], value: str) -> dict[str, str] | None:
    if not value:
        return None
    try:
        label = choices(value).label
    except ValueError:
        return {"code": value, "name_en": value, "name_ru": value}
    english, russian = both(label)
    return {"code": value, "name_en": english, "name_ru": russian}


def named(obj: Any, code: str) -> dict[str, str]:
    return {"code": code, "name_en": obj.name_en, "name_ru": obj.name_ru or ""}


def prefill(use_case: UseCase) -> dict[str, str]:
    """Public texts proposed from the use case's inventory answers, for a first request."""
    attributes = use_case.attributes if isinstance(use_case.attributes, dict) else {}
    found: dict[str, str] = {}
    for key, columns in PREFILL.items():
        for column in columns:
            value = attributes.get(column)
            if isinstance(value, list):
                value = "; ".join(str(item) for item in value)
            if value not in (None, ""):
                found[key] = str(value)[:300] if key == "contact" else str(value)
                break
    return found


def _reason(answers: Any) -> str | None:
    chosen = answers.get("annex_iii") if isinstance(answers, dict) else None
    if not chosen:
        return None
    if not isinstance(chosen, list):
        chosen = [chosen]
    points = sorted(str(p) for p in chosen if str(p).startswith(NON_PUBLIC_ANNEX_III_AREAS))
    if not points:
        return None
    return _(
        "The EU AI Act keeps high-risk AI systems in law enforcement, migration, asylum and border control "
        "management (Annex III points 6 and 7; this use case: %(points)s) out of public view: they are registered "
        "in a secure non-public section of the EU database (Art. 49(4)). AIHQ does not publish them."
    ) % {"points": ", ".join(points)}


def non_public_reason(use_case: UseCase) -> str | None:
    """Why the EU AI Act keeps this use case out of a public register (Art. 49(4)), or None."""
    return non_public_reasons([use_case.pk]).get(use_case.pk)


def build(use_case: UseCase, record: PublicationRecord) -> dict[str, Any]:
    """Every candidate field of the public record, as it is now."""
    return build_many([use_case], {use_case.pk: record})[use_case.pk]


def non_public_reasons(use_case_ids: Iterable[int]) -> dict[int, str]:
    """``non_public_reason`` for many use cases in one query: only those refused appear."""
    from aihq.regulation.models import Classification

    found: dict[int, str] = {}
    ids = list(use_case_ids)
    for chunk in range(0, len(ids), 500):
        rows = Classification.objects.filter(use_case_id__in=ids[chunk : chunk + 500], framework_code="eu-ai-act")
        for use_case_id, answers in rows.values_list("use_case_id", "answers"):
            reason = _reason(answers)
            if reason:
                found[use_case_id] = reason
    return found


def build_many(use_cases: Iterable[UseCase], records: dict[int, PublicationRecord]) -> dict[int, dict[str, Any]]:
    """The candidate fields of many use cases, with a fixed number of queries per batch of 500."""
    from aihq.regulation.models import Classification, RequirementState, RequirementStatus
    from aihq.regulation.selectors import tier_label
    from aihq.sovereignty.models import BomEntry
    from aihq.sovereignty.services import vendor_names

    cases = list(use_cases)
    result: dict[int, dict[str, Any]] = {}
    for start in range(0, len(cases), 500):
        batch = cases[start : start + 500]
        ids = [uc.pk for uc in batch]
        sectors: dict[int, list[dict[str, str]]] = defaultdict(list)
        for link in UseCase.sectors.through.objects.filter(usecase_id__in=ids).select_related("sector"):
            sectors[link.usecase_id].append(named(link.sector, link.sector.code))
        regions: dict[int, list[dict[str, str]]] = defaultdict(list)
        for place in UseCase.regions.through.objects.filter(usecase_id__in=ids).select_related("region"):
            regions[place.usecase_id].append(named(place.region, place.region.code))
        tiers: dict[int, list[dict[str, str]]] = defaultdict(list)
        labels: dict[tuple[int, str], tuple[str, str]] = {}
        for classification in (
            Classification.objects.filter(use_case_id__in=ids).select_related("framework").order_by("framework_code")
        ):
            key = (classification.framework_id, classification.tier)
            if key not in labels:
                with translation.override("en"):
                    english = tier_label(classification.framework, classification.tier)
                with translation.override("ru"):
                    russian = tier_label(classification.framework, classification.tier)
                labels[key] = (english, russian)
            definition = classification.framework.definition
            tiers[classification.use_case_id].append(
                {
                    "code": f"{classification.framework_code}:{classification.tier}",
                    "framework": classification.framework_code,
                    "framework_en": definition.get("title_en", classification.framework_code),
                    "framework_ru": definition.get("title_ru", ""),
                    "name_en": labels[key][0],
                    "name_ru": labels[key][1],
                }
            )
        assessments: dict[int, list[dict[str, str]]] = defaultdict(list)
        statuses = RequirementStatus.objects.filter(
            use_case_id__in=ids, requirement_id__in=IMPACT_ASSESSMENTS, applicable=True
        ).order_by("framework_code", "requirement_id")
        for status in statuses:
            status_en, status_ru = both(RequirementState(status.status).label)
            assessments[status.use_case_id].append(
                {
                    "code": status.requirement_id,
                    "framework": status.framework_code,
                    "cite": status.cite,
                    "title_en": status.title_en,
                    "title_ru": status.title_ru,
                    "status": status.status,
                    "status_en": status_en,
                    "status_ru": status_ru,
                }
            )
        suppliers: dict[int, list[dict[str, str]]] = defaultdict(list)
        entries = BomEntry.objects.filter(use_case_id__in=ids, component__supplier__isnull=False)
        for use_case_id, name, country in entries.order_by("component__supplier__name").values_list(
            "use_case_id", "component__supplier__name", "component__supplier__jurisdiction"
        ):
            if all(s["name"].casefold() != name.casefold() for s in suppliers[use_case_id]):
                suppliers[use_case_id].append({"name": name, "country": country})
        for use_case in batch:
            listed = suppliers[use_case.pk]
            if not listed:  # an AI-BOM names the suppliers; without one, the inventory's vendor field does
                listed.extend({"name": vendor, "country": ""} for vendor in vendor_names(use_case.vendors))
            result[use_case.pk] = _fields(
                use_case,
                records[use_case.pk],
                sectors=sorted(sectors[use_case.pk], key=lambda s: s["code"]),
                regions=sorted(regions[use_case.pk], key=lambda r: r["code"]),
                tiers=tiers[use_case.pk],
                assessments=assessments[use_case.pk],
                suppliers=listed,
            )
    return result


def _fields(use_case: UseCase, record: PublicationRecord, **related: Any) -> dict[str, Any]:
    organisation = use_case.organisation
    return {
        "name": use_case.name,
        "organisation": named(organisation, organisation.code),
        "organisation_kind": choice(OrganisationKind, organisation.kind),
        "reference": use_case.reference,
        "description": use_case.description,
        "purpose": use_case.purpose,
        "outputs": use_case.outputs,
        "stage": choice(Stage, use_case.stage),
        "sectors": related["sectors"],
        "regions": related["regions"],
        "is_generative": use_case.is_generative,
        "techniques": [choice(Technique, t) for t in use_case.techniques if t],
        "development_method": choice(DevelopmentMethod, use_case.development_method),
        "date_deployed": use_case.date_deployed.isoformat() if use_case.date_deployed else None,
        "risk_tiers": related["tiers"],
        "human_oversight": record.human_oversight,
        "data_used": record.data_used,
        "suppliers": related["suppliers"],
        "impact_assessments": related["assessments"],
        "contact": record.contact,
    }
