"""Reads for the public register (anonymous, published records only) and for the HQ's publication pages."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, F, Max, Q, QuerySet
from django.utils import translation

from aihq.publication import fields as catalogue
from aihq.publication.models import PublicationProfile, PublicationRecord, PublishedVersion, RequestState
from aihq.registry.models import Organisation, UseCase

#: Facets the public register offers, in this order (each only while its field is public).
FACET_ORDER = ("organisation", "organisation_kind", "sectors", "stage", "regions", "risk_tiers", "is_generative")


def published() -> QuerySet[PublicationRecord]:
    """Every record the public may see: the only way the public register reads records."""
    return PublicationRecord.objects.filter(current__isnull=False)


def public_record(record_id: int) -> PublicationRecord | None:
    return published().select_related("current").filter(pk=record_id).first()


def public_facets(profile: PublicationProfile) -> list[str]:
    shown = set(profile.public_fields) | catalogue.REQUIRED
    return [key for key in FACET_ORDER if key in shown]


def search(
    params: Mapping[str, list[str]], q: str, profile: PublicationProfile, *, ignore: str = ""
) -> QuerySet[PublicationRecord]:
    """Published records matching the chosen facet values (any value within a facet, every facet) and every
    word of ``q``. Facets of fields that are not public are ignored, and so is the facet ``ignore``."""
    records = published()
    for key in public_facets(profile):
        if key == ignore:
            continue
        codes = [code for code in params.get(key, []) if code and "|" not in code][:50]
        if codes:
            match = Q()
            for code in codes:
                match |= Q(facet_keys__contains=f"|{key}={code}|")
            records = records.filter(match)
    for term in catalogue.search_terms(q):
        records = records.filter(search_text__contains=term)
    return records


@dataclass(frozen=True)
class FacetValue:
    code: str
    label: str
    count: int
    selected: bool


def facet_counts(
    records: QuerySet[PublicationRecord], profile: PublicationProfile, selected: Mapping[str, list[str]], q: str = ""
) -> dict[str, list[FacetValue]]:
    """For each public facet, its values with their counts, most frequent first. A facet with a choice counts
    over the records the other choices select (so its other values stay on offer); the rest over ``records``."""
    keys = public_facets(profile)
    counts: dict[str, Counter[str]] = defaultdict(Counter)
    labels: dict[tuple[str, str], str] = {}
    russian = (translation.get_language() or "en").startswith("ru")

    def tally(rows: QuerySet[PublicationRecord], wanted: list[str]) -> None:
        for facets in rows.values_list("facets", flat=True).iterator(chunk_size=2000):
            for key in wanted:
                for item in (facets or {}).get(key, ()):
                    counts[key][item["code"]] += 1
                    labels[(key, item["code"])] = item["ru"] if russian else item["en"]

    narrowed = [key for key in keys if selected.get(key)]
    tally(records, [key for key in keys if key not in narrowed])
    for key in narrowed:
        tally(search(selected, q, profile, ignore=key), [key])
    result: dict[str, list[FacetValue]] = {}
    for key in keys:
        chosen = set(selected.get(key, []))
        values = [FacetValue(code, labels[(key, code)], count, code in chosen) for code, count in counts[key].items()]
        # a choice nothing matches any more stays on offer, so it can be undone
        values += [FacetValue(code, code, 0, True) for code in sorted(chosen - set(counts[key]))][:50]
        values.sort(key=lambda v: (not v.selected, -v.count, v.label.casefold()))
        result[key] = values
    return result


def public_view(
    record: PublicationRecord, profile: PublicationProfile, version: PublishedVersion | None = None
) -> dict[str, Any]:
    """What the public sees of a record's version (its current one by default)."""
    shown = version or record.current
    if shown is None:
        return {}
    return shown.shown(profile.public_fields)


def history(record: PublicationRecord, profile: PublicationProfile) -> list[PublishedVersion]:
    """A record's versions, newest first, each with ``visible_changed``: its changed fields the public may see."""
    shown = set(profile.public_fields) | catalogue.REQUIRED
    versions = list(record.versions.only("id", "record_id", "number", "published_at", "changed", "withdrawn_at"))
    for version in versions:
        version.visible_changed = [key for key in version.changed if key in shown]  # type: ignore[attr-defined]
    return versions


def last_change() -> Any:
    """When the register last changed (a publication, a withdrawal, the profile), for caching headers: only
    public events count, so requests and notes on unpublished records leave no trace in the headers."""
    versions = PublishedVersion.objects.aggregate(published=Max("published_at"), withdrawn=Max("withdrawn_at"))
    profile = PublicationProfile.objects.aggregate(at=Max("updated_at"))["at"]
    stamps = (versions["published"], versions["withdrawn"], profile)
    return max((at for at in stamps if at is not None), default=None)


# -- the HQ's side ------------------------------------------------------------------------------------------------


def records(user: Any) -> QuerySet[PublicationRecord]:
    return PublicationRecord.objects.restrict(user).select_related("use_case", "organisation", "current")


def queue(user: Any) -> QuerySet[PublicationRecord]:
    """Requests awaiting a decision, oldest first."""
    return records(user).filter(request_state=RequestState.REQUESTED).order_by("requested_at", "pk")


def out_of_date(user: Any) -> QuerySet[PublicationRecord]:
    """Published records whose use case was edited after the public version was approved."""
    return (
        records(user)
        .filter(current__isnull=False, use_case__isnull=False)
        .exclude(use_case__version=F("current__use_case_version"))
        .order_by("organisation__code", "pk")
    )


def completeness(view: Mapping[str, Any], profile_keys: list[str]) -> float | None:
    """The share of the optional public fields a public view fills."""
    optional = [key for key in profile_keys if key not in catalogue.REQUIRED]
    if not optional:
        return None
    filled = sum(1 for key in optional if view.get(key) not in (None, "", [], {}))
    return filled / len(optional)


@dataclass
class CoverageRow:
    organisation: Organisation
    use_cases: int
    requested: int
    published: int
    out_of_date: int
    completeness: float | None

    @property
    def share(self) -> float | None:
        return self.published / self.use_cases if self.use_cases else None


def coverage(user: Any, profile: PublicationProfile) -> tuple[list[CoverageRow], dict[str, int]]:
    """Per organisation the user may see: use cases, requests, published records and how complete they are;
    and published records per region code."""
    use_cases = dict(
        UseCase.objects.restrict(user)
        .values_list("organisation_id")
        .annotate(n=Count("id"))
        .values_list("organisation_id", "n")
    )
    rows: dict[int, dict[str, Any]] = defaultdict(
        lambda: {"requested": 0, "published": 0, "out_of_date": 0, "filled": []}
    )
    regions: Counter[str] = Counter()
    for record in (
        PublicationRecord.objects.restrict(user)
        .select_related("current", "use_case")
        .only(
            "organisation_id",
            "request_state",
            "current__data",
            "current__public_fields",
            "current__use_case_version",
            "use_case__version",
        )
    ):
        row = rows[record.organisation_id]
        row["requested"] += record.request_state == RequestState.REQUESTED
        if record.current is None:
            continue
        row["published"] += 1
        if record.use_case is not None and record.use_case.version != record.current.use_case_version:
            row["out_of_date"] += 1
        keys = catalogue.visible_keys(record.current.public_fields, profile.public_fields)
        view = catalogue.public_view(record.current.data, keys)
        share = completeness(view, keys)
        if share is not None:
            row["filled"].append(share)
        for region in view.get("regions") or ():
            regions[region["code"]] += 1
    organisations = Organisation.objects.filter(pk__in=set(use_cases) | set(rows)).order_by("code")
    result = [
        CoverageRow(
            organisation=org,
            use_cases=use_cases.get(org.pk, 0),
            requested=rows[org.pk]["requested"] if org.pk in rows else 0,
            published=rows[org.pk]["published"] if org.pk in rows else 0,
            out_of_date=rows[org.pk]["out_of_date"] if org.pk in rows else 0,
            completeness=(sum(rows[org.pk]["filled"]) / len(rows[org.pk]["filled"]))
            if org.pk in rows and rows[org.pk]["filled"]
            else None,
        )
        for org in organisations
    ]
    result.sort(key=lambda r: (-r.published, -r.use_cases, r.organisation.code))
    return result, dict(regions)
