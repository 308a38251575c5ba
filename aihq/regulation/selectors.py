"""Reads for regulation, risks and incidents — always through the user's scope."""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Q, QuerySet

from aihq.core.i18n import localised
from aihq.registry.models import UseCase
from aihq.regulation import deadlines
from aihq.regulation.models import (
    CLOSED_STATES,
    Classification,
    Framework,
    Incident,
    IncidentStatus,
    PublicIncident,
    RequirementStatus,
    Risk,
    RiskStatus,
)


def frameworks() -> QuerySet[Framework]:
    """The current version of every framework, binding ones first."""
    return Framework.objects.filter(is_current=True).defer("definition").order_by("kind", "code")


def framework_versions(code: str) -> QuerySet[Framework]:
    return Framework.objects.filter(code=code).defer("definition").order_by("-created_at")


def tier_label(framework: Framework | None, tier: str) -> str:
    """A tier's name in the reader's language, from the framework's own definition."""
    if framework is None:
        return tier
    for item in framework.definition.get("tiers", ()):
        if item.get("code") == tier:
            return localised(item.get("label_en", tier), item.get("label_ru", ""))
    return tier


def classifications(user: Any) -> QuerySet[Classification]:
    return Classification.objects.restrict(user).select_related("framework", "use_case__organisation")


def requirements(user: Any) -> QuerySet[RequirementStatus]:
    return RequirementStatus.objects.restrict(user).select_related("use_case__organisation", "owner")


def risks(user: Any) -> QuerySet[Risk]:
    return Risk.objects.restrict(user).select_related("use_case__organisation", "owner")


def incidents(user: Any) -> QuerySet[Incident]:
    return Incident.objects.restrict(user).select_related("use_case__organisation", "reported_by")


def public_incidents(user: Any) -> QuerySet[PublicIncident]:
    return PublicIncident.objects.restrict(user)


# --- compliance -------------------------------------------------------------------------------------------------


@dataclass
class Compliance:
    """Where a set of mandatory, applicable requirements stands."""

    total: int = 0
    met: int = 0
    not_applicable: int = 0
    waived: int = 0
    in_progress: int = 0
    not_started: int = 0
    overdue: int = 0

    @property
    def closed(self) -> int:
        return self.met + self.not_applicable + self.waived

    @property
    def share(self) -> float | None:
        """Closed requirements as a share of all (None when there are none)."""
        return self.closed / self.total if self.total else None

    def as_dict(self) -> dict[str, Any]:
        return {
            "total": self.total,
            "met": self.met,
            "not_applicable": self.not_applicable,
            "waived": self.waived,
            "in_progress": self.in_progress,
            "not_started": self.not_started,
            "overdue": self.overdue,
            "compliance": None if self.share is None else round(self.share, 4),
        }


def _open_overdue(today: dt.date) -> Q:
    return Q(due_date__lt=today) & ~Q(status__in=list(CLOSED_STATES))


def overdue_q(today: dt.date) -> Q:
    """The SQL of RequirementStatus.is_overdue: applies, past its due date, not closed."""
    return Q(applicable=True) & _open_overdue(today)


def compliance_by(queryset: QuerySet[RequirementStatus], key: str | None, today: dt.date) -> dict[Any, Compliance]:
    """Compliance of the applicable mandatory requirements in ``queryset``, grouped by ``key`` (a field path,
    or None for one total under the key None) — one query."""
    rows = (
        queryset.filter(applicable=True, mandatory=True)
        .order_by()
        .values(*([key] if key else []), "status")
        .annotate(n=Count("id"), late=Count("id", filter=_open_overdue(today)))
    )
    result: dict[Any, Compliance] = defaultdict(Compliance)
    for row in rows:
        item = result[row[key] if key else None]
        item.total += row["n"]
        item.overdue += row["late"]
        setattr(item, row["status"], getattr(item, row["status"]) + row["n"])
    return dict(result)


def overdue(queryset: QuerySet[RequirementStatus], today: dt.date) -> QuerySet[RequirementStatus]:
    """Applicable mandatory requirements past their due date and not closed (as the compliance figures count)."""
    return queryset.filter(applicable=True, mandatory=True).filter(_open_overdue(today)).order_by("due_date", "id")


def tier_counts(user: Any) -> dict[str, Counter[str]]:
    """For each framework code, how many visible use cases sit in each tier."""
    counts: dict[str, Counter[str]] = defaultdict(Counter)
    rows = Classification.objects.restrict(user).order_by().values("framework_code", "tier").annotate(n=Count("id"))
    for row in rows:
        counts[row["framework_code"]][row["tier"]] = row["n"]
    return dict(counts)


@dataclass
class Matrix:
    """Use cases (rows) × requirements (columns) of one framework, with each cell's status."""

    columns: list[tuple[str, str, str]] = field(default_factory=list)  # (requirement id, cite, title)
    rows: list[tuple[UseCase, list[RequirementStatus | None]]] = field(default_factory=list)
    total_rows: int = 0


def matrix(queryset: QuerySet[RequirementStatus], use_cases: Sequence[UseCase], total_rows: int) -> Matrix:
    """The compliance matrix for ``use_cases`` (one page of them) from their applicable requirements."""
    cells: dict[tuple[int, str], RequirementStatus] = {}
    columns: dict[str, tuple[str, str, str]] = {}
    for row in queryset.filter(use_case__in=[u.pk for u in use_cases], applicable=True).order_by("id"):
        cells[(row.use_case_id, row.requirement_id)] = row
        columns.setdefault(row.requirement_id, (row.requirement_id, row.cite, row.title))
    ordered = sorted(columns.values(), key=lambda c: _natural(c[1] or c[0]))
    return Matrix(
        columns=ordered,
        rows=[(use_case, [cells.get((use_case.pk, c[0])) for c in ordered]) for use_case in use_cases],
        total_rows=total_rows,
    )


def _natural(text: str) -> list[Any]:
    import re

    return [int(part) if part.isdigit() else part for part in re.split(r"(\d+)", text)]


# --- risks ------------------------------------------------------------------------------------------------------


def heatmap(queryset: QuerySet[Risk], *, residual: bool = False) -> list[list[int]]:
    """Counts of risks by likelihood (rows, 5 at the top) × severity (columns 1–5); residual ratings when
    asked (risks without one keep their inherent rating)."""
    grid = [[0] * 5 for _ in range(5)]
    fields = ("likelihood", "severity", "residual_likelihood", "residual_severity")
    rows = queryset.exclude(status=RiskStatus.CLOSED).order_by().values(*fields).annotate(n=Count("id"))
    for row in rows:
        likelihood, severity = row["likelihood"], row["severity"]
        if residual and row["residual_likelihood"] is not None:
            likelihood, severity = row["residual_likelihood"], row["residual_severity"]
        grid[5 - likelihood][severity - 1] += row["n"]
    return grid


def risk_level(score: int) -> str:
    """Low (1–4), medium (5–9), high (10–16), critical (20–25) — the usual 5×5 bands."""
    if score >= 20:
        return "critical"
    if score >= 10:
        return "high"
    if score >= 5:
        return "medium"
    return "low"


# --- incidents --------------------------------------------------------------------------------------------------


def deadlines_for(incident_list: Iterable[Incident], today: dt.date) -> dict[int, deadlines.Deadline | None]:
    """Each incident's earliest reporting deadline under the frameworks its use case is classified by."""
    items = list(incident_list)
    use_case_ids = {i.use_case_id for i in items}
    tiers: dict[int, dict[str, tuple[str, Any]]] = defaultdict(dict)
    for row in (
        Classification.objects.filter(use_case_id__in=use_case_ids)
        .select_related("framework")
        .only("use_case_id", "framework_code", "tier", "framework__definition")
    ):
        rules = row.framework.definition.get("incident_reporting") or ()
        if rules:
            tiers[row.use_case_id][row.framework_code] = (row.tier, rules)
    return {
        incident.pk: deadlines.reporting_deadline(
            tiers.get(incident.use_case_id, {}),
            harms=incident.harms or (),
            widespread=incident.widespread_infringement,
            severity=incident.severity,
            detected_on=incident.detected_on,
            reported_on=incident.reported_on,
            today=today,
        )
        for incident in items
    }


def open_incidents(queryset: QuerySet[Incident]) -> QuerySet[Incident]:
    return queryset.exclude(status=IncidentStatus.CLOSED)


def use_case_regulation(user: Any, use_case: UseCase, today: dt.date) -> dict[str, Any]:
    """Everything regulatory about one use case, for its page."""
    reqs = list(
        RequirementStatus.objects.filter(use_case=use_case, applicable=True)
        .select_related("owner")
        .annotate(evidence_count=Count("evidence"))
        .order_by("framework_code", "id")
    )
    by_framework: dict[str, list[RequirementStatus]] = defaultdict(list)
    for row in reqs:
        by_framework[row.framework_code].append(row)
    incident_list = list(
        Incident.objects.filter(use_case=use_case).select_related("reported_by").order_by("-detected_on", "-id")
    )
    return {
        "classifications": list(
            Classification.objects.filter(use_case=use_case).select_related("framework", "classified_by")
        ),
        "requirements": dict(by_framework),
        "compliance": compliance_by(RequirementStatus.objects.filter(use_case=use_case), "framework_code", today),
        "risks": list(
            Risk.objects.filter(use_case=use_case).select_related("owner").order_by("-likelihood", "-severity", "id")
        ),
        "incidents": incident_list,
        "deadlines": deadlines_for(incident_list, today),
        "frameworks": list(frameworks()),
    }
