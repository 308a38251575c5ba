"""Writes to objectives, indicators, measurements, contributions and RAG overrides (checked and audited)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from aihq.accounts.permissions import require_can_change_use_case, require_hq_admin, scope_for
from aihq.core.services import check_version, reject_unknown_fields, save_valid, service
from aihq.exchange.formats.base import Problem
from aihq.objectives.models import (
    MAX_VALUE,
    Aggregation,
    Contribution,
    Indicator,
    Measurement,
    Objective,
    RagOverride,
    Target,
)
from aihq.objectives.rollups import refresh_national_values
from aihq.registry.models import Organisation, Region, UseCase

OBJECTIVE_FIELDS = frozenset({"code", "title_en", "title_ru", "description", "programme", "programme_ru", "owner"})
INDICATOR_FIELDS = frozenset(
    {
        "objective",
        "code",
        "name_en",
        "name_ru",
        "unit",
        "unit_ru",
        "direction",
        "baseline_value",
        "baseline_date",
        "shape",
        "frequency",
        "aggregation",
        "weight_label",
        "region_country",
        "owner",
        "source",
        "notes",
    }
)


def _require_hq_admin(actor: Any) -> None:
    require_hq_admin(actor, _("Only HQ admins manage objectives and indicators."))


@service
def objective_create(*, actor: Any, **fields: Any) -> Objective:
    """Set a new objective (HQ admins only)."""
    reject_unknown_fields(fields, OBJECTIVE_FIELDS)
    _require_hq_admin(actor)
    return save_valid(Objective(**fields))


@service
def objective_update(
    *,
    actor: Any,
    objective: Objective,
    expected_version: int | None = None,
    precondition: bool = False,
    **changes: Any,
) -> Objective:
    """Change an objective (HQ admins only); a stale version is refused."""
    reject_unknown_fields(changes, OBJECTIVE_FIELDS)
    _require_hq_admin(actor)
    current: Objective = Objective.objects.select_for_update().order_by().get(pk=objective.pk)
    check_version(current.version, expected_version, precondition=precondition)
    for name, value in changes.items():
        setattr(current, name, value)
    current.version += 1
    return save_valid(current)


@service
def objective_delete(*, actor: Any, objective: Objective) -> None:
    """Delete an objective that has no indicators left (HQ admins only)."""
    _require_hq_admin(actor)
    if objective.indicators.exists():
        raise ValidationError(_("Move or delete the indicators of %(code)s first.") % {"code": objective.code})
    objective.delete()


@dataclass(frozen=True)
class TargetSpec:
    """One dated target; ``region`` empty for the national one."""

    date: dt.date
    value: float
    region: Region | None = None


def _check_plan(indicator: Indicator) -> None:
    """National targets come after the baseline (whichever of them changed)."""
    if (
        indicator.baseline_date is not None
        and indicator.targets.filter(region=None, date__lte=indicator.baseline_date).exists()
    ):
        message = _("National targets must come after the baseline date.")
        raise ValidationError({"baseline_date": message, "targets": message})


def _set_targets(indicator: Indicator, targets: Iterable[TargetSpec]) -> None:
    """Make the indicator's targets exactly ``targets`` (changed rows updated, missing rows deleted)."""
    wanted: dict[tuple[int | None, dt.date], TargetSpec] = {}
    for spec in targets:
        key = (spec.region.pk if spec.region else None, spec.date)
        if key in wanted:
            raise ValidationError(
                {"targets": _("Two targets on %(date)s for the same place.") % {"date": spec.date.isoformat()}}
            )
        if not isinstance(spec.value, (int, float)) or not abs(spec.value) <= MAX_VALUE:
            raise ValidationError({"targets": _("A target value must be a number between -10¹⁵ and 10¹⁵.")})
        if spec.region is not None and indicator.region_country and spec.region.country != indicator.region_country:
            raise ValidationError(
                {
                    "targets": _("%(region)s is not a region of %(country)s.")
                    % {"region": spec.region.code, "country": indicator.region_country}
                }
            )
        wanted[key] = spec
    existing = {(t.region_id, t.date): t for t in indicator.targets.all()}
    for key, target in existing.items():
        if key not in wanted:
            target.delete()
    for key, spec in wanted.items():
        current = existing.get(key)
        if current is None:
            save_valid(Target(indicator=indicator, region=spec.region, date=spec.date, value=float(spec.value)))
        elif current.value != spec.value:
            current.value = float(spec.value)
            save_valid(current)


@service
def indicator_create(
    *,
    actor: Any,
    targets: Iterable[TargetSpec] = (),
    reporting_organisations: Iterable[Organisation] = (),
    **fields: Any,
) -> Indicator:
    """Add an indicator with its targets (HQ admins only)."""
    reject_unknown_fields(fields, INDICATOR_FIELDS)
    _require_hq_admin(actor)
    indicator: Indicator = save_valid(Indicator(**fields))
    _set_targets(indicator, targets)
    _check_plan(indicator)
    indicator.reporting_organisations.set(list(reporting_organisations))
    return indicator


@service
def indicator_update(
    *,
    actor: Any,
    indicator: Indicator,
    expected_version: int | None = None,
    precondition: bool = False,
    targets: Iterable[TargetSpec] | None = None,
    reporting_organisations: Iterable[Organisation] | None = None,
    **changes: Any,
) -> Indicator:
    """Change an indicator; ``targets`` given replaces all of them (HQ admins only)."""
    reject_unknown_fields(changes, INDICATOR_FIELDS)
    _require_hq_admin(actor)
    current: Indicator = Indicator.objects.select_for_update().order_by().get(pk=indicator.pk)
    check_version(current.version, expected_version, precondition=precondition)
    for name, value in changes.items():
        setattr(current, name, value)
    current.version += 1
    save_valid(current)
    if targets is not None:
        _set_targets(current, targets)
    _check_plan(current)
    if reporting_organisations is not None:
        current.reporting_organisations.set(list(reporting_organisations))
    if "aggregation" in changes:
        refresh_national_values([current.pk])
    return current


@service
def indicator_delete(*, actor: Any, indicator: Indicator) -> None:
    """Delete an indicator nobody has reported against (HQ admins only)."""
    _require_hq_admin(actor)
    if indicator.measurements.exists():
        raise ValidationError(
            _("%(code)s has reported measurements: delete them first, or keep the indicator.")
            % {"code": indicator.code}
        )
    indicator.delete()


def require_can_report(actor: Any, organisation: Organisation | None) -> None:
    """Editors report for their organisation, coordinators for theirs and below; statistics are the HQ's."""
    scope = scope_for(actor)
    if organisation is None:
        if not scope.is_hq_admin:
            raise PermissionDenied(
                _("Only HQ admins report national and regional statistics; name your organisation to report for it.")
            )
    elif not scope.can_change_org(organisation.pk):
        raise PermissionDenied(
            _("You cannot report for %(code)s: you have no editing role there.") % {"code": organisation.code}
        )


@dataclass
class MeasurementInput:
    """One value to report (the shape every entry point — form, API, CSV — produces)."""

    indicator: Indicator
    period_end: dt.date
    value: float
    region: Region | None = None
    organisation: Organisation | None = None
    weight: float | None = None
    source: str = ""
    note: str = ""
    is_illustrative: bool = False
    row: int = 0  # where it came from, for error reports (0: its position in the batch)


@dataclass
class ReportOutcome:
    created: list[Measurement] = field(default_factory=list)
    updated: list[Measurement] = field(default_factory=list)
    unchanged: list[Measurement] = field(default_factory=list)


class RowErrors(Exception):
    """Some rows of a batch were invalid: nothing was written; ``problems`` names each one."""

    def __init__(self, problems: list[Problem]) -> None:
        count = len({p.row for p in problems})
        super().__init__(
            ngettext(
                "%(count)s row has errors; nothing was saved.", "%(count)s rows have errors; nothing was saved.", count
            )
            % {"count": count}
        )
        self.problems = problems


_VALUE_FIELDS = ("value", "weight", "source", "note", "is_illustrative")


def _row_problems(row: int, item: MeasurementInput, actor: Any) -> list[Problem]:
    problems: list[Problem] = []
    try:
        require_can_report(actor, item.organisation)
    except PermissionDenied as exc:
        problems.append(Problem(row, "organisation", getattr(item.organisation, "code", ""), str(exc)))
    value = item.value
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value != value or abs(value) == float("inf"):
        problems.append(Problem(row, "value", str(value), _("A value must be a finite number.")))
    indicator = item.indicator
    if (
        indicator.aggregation == Aggregation.WEIGHTED_MEAN
        and item.region is not None
        and item.organisation is None
        and item.weight is None
    ):
        problems.append(
            Problem(
                row,
                "weight",
                "",
                _("%(code)s is a weighted mean of the regions: give each regional value its weight (%(label)s).")
                % {"code": indicator.code, "label": indicator.weight_label or _("weight")},
            )
        )
    region, organisation = item.region, item.organisation
    if region is not None and indicator.region_country and region.country != indicator.region_country:
        problems.append(
            Problem(
                row,
                "region",
                region.code,
                _("%(region)s is not a region of %(country)s, where %(code)s is measured.")
                % {"region": region.code, "country": indicator.region_country, "code": indicator.code},
            )
        )
    if region is not None and organisation is not None and organisation.region_id != region.pk:
        problems.append(
            Problem(
                row,
                "region",
                region.code,
                _("%(code)s reports for its own region only; leave the region empty to report for the organisation.")
                % {"code": organisation.code},
            )
        )
    candidate = Measurement(
        indicator=indicator,
        period_end=item.period_end,
        value=float(value) if not problems else 0.0,
        region=item.region,
        organisation=item.organisation,
        weight=item.weight,
        source=item.source,
        note=item.note,
    )
    try:
        candidate.clean_fields(exclude=["indicator", "region", "organisation", "reported_by"])
        candidate.clean()
    except ValidationError as exc:
        for name, messages in exc.message_dict.items():
            problems.extend(Problem(row, name, str(getattr(candidate, name, "")), m) for m in messages)
    return problems


@service
def measurements_report(*, actor: Any, items: Sequence[MeasurementInput]) -> ReportOutcome:
    """Report values: all or nothing. A value for a period already reported replaces it (both audited).

    Errors name each item's ``row`` (or its position in ``items``, from 1).
    """
    problems: list[Problem] = []
    seen: dict[tuple[int, dt.date, int | None, int | None], int] = {}
    for offset, item in enumerate(items):
        row = item.row or offset + 1
        problems.extend(_row_problems(row, item, actor))
        key = (
            item.indicator.pk,
            item.period_end,
            getattr(item.region, "pk", None),
            getattr(item.organisation, "pk", None),
        )
        if key in seen:
            problems.append(
                Problem(
                    row,
                    "period_end",
                    item.period_end.isoformat(),
                    _("Row %(row)s reports the same value.") % {"row": seen[key]},
                )
            )
        seen[key] = row
    if problems:
        raise RowErrors(problems)
    outcome = ReportOutcome()
    indicator_ids = {key[0] for key in seen}
    existing: dict[tuple[int, dt.date, int | None, int | None], Measurement] = {}
    if indicator_ids:
        periods = {key[1] for key in seen}
        for measurement in (
            Measurement.objects.select_for_update()
            .order_by()
            .filter(indicator_id__in=indicator_ids, period_end__in=periods)
        ):
            existing[
                (measurement.indicator_id, measurement.period_end, measurement.region_id, measurement.organisation_id)
            ] = measurement
    reporter = actor if getattr(actor, "pk", None) is not None else None
    for key, item in zip(seen, items, strict=True):
        current = existing.get(key)
        if current is None:
            created = Measurement(
                indicator=item.indicator,
                period_end=item.period_end,
                region=item.region,
                organisation=item.organisation,
                reported_by=reporter,
                **{name: getattr(item, name) for name in _VALUE_FIELDS},
            )
            created.value = float(item.value)
            created.save()
            outcome.created.append(created)
            continue
        changes = {name: getattr(item, name) for name in _VALUE_FIELDS if getattr(current, name) != getattr(item, name)}
        if not changes:
            outcome.unchanged.append(current)
            continue
        for name, value in changes.items():
            setattr(current, name, value)
        current.reported_by = reporter
        current.save()
        outcome.updated.append(current)
    national: dict[int, set[dt.date]] = {}
    for item in items:
        if item.organisation is None:
            national.setdefault(item.indicator.pk, set()).add(item.period_end)
    for indicator_id, periods in national.items():
        refresh_national_values([indicator_id], periods)
    return outcome


@service
def measurement_delete(*, actor: Any, measurement: Measurement) -> None:
    """Withdraw a reported value (whoever may report it may withdraw it)."""
    current = Measurement.objects.select_for_update().order_by().get(pk=measurement.pk)
    require_can_report(actor, current.organisation)
    current.delete()
    if current.organisation_id is None:
        refresh_national_values([current.indicator_id], [current.period_end])


@service
def contribution_add(*, actor: Any, use_case: UseCase, indicator: Indicator, note: str = "") -> Contribution:
    """Link a use case to an indicator it contributes to (who may edit the use case may link it)."""
    require_can_change_use_case(actor, use_case)
    contribution = Contribution.objects.filter(use_case=use_case, indicator=indicator).first()
    if contribution is None:
        contribution = Contribution(use_case=use_case, indicator=indicator)
    contribution.note = note
    return save_valid(contribution)


@service
def contribution_remove(*, actor: Any, contribution: Contribution) -> None:
    require_can_change_use_case(actor, contribution.use_case)
    contribution.delete()


def can_override_rag(actor: Any, indicator: Indicator) -> bool:
    """HQ admins, and coordinators of the organisation responsible for the indicator (or above it)."""
    scope = scope_for(actor)
    if scope.is_hq_admin:
        return True
    responsible = indicator.responsible
    return responsible is not None and responsible.pk in scope.coordinated_org_ids


@service
def rag_override_set(
    *, actor: Any, indicator: Indicator, rating: str, reason: str, region: Region | None = None
) -> RagOverride:
    """Rate an indicator by judgement, with a written reason; the computed rating stays visible beside it."""
    if not can_override_rag(actor, indicator):
        raise PermissionDenied(
            _("Only HQ admins and coordinators of the responsible organisation can override a rating.")
        )
    if not reason.strip():
        raise ValidationError({"reason": _("Say why the rating differs from the computed one.")})
    override = RagOverride.objects.filter(indicator=indicator, region=region).first() or RagOverride(
        indicator=indicator, region=region
    )
    override.rating = rating
    override.reason = reason.strip()
    override.set_by = actor if getattr(actor, "pk", None) is not None else None
    return save_valid(override)


@service
def rag_override_clear(*, actor: Any, indicator: Indicator, region: Region | None = None) -> None:
    if not can_override_rag(actor, indicator):
        raise PermissionDenied(
            _("Only HQ admins and coordinators of the responsible organisation can override a rating.")
        )
    RagOverride.objects.filter(indicator=indicator, region=region).delete()
