"""Writes to evaluation: benefit metrics and measurements, costs, stage-gate reviews, the HQ's settings.

Editors of a use case's organisation record its benefits and costs and ask for a stage-gate review;
coordinators of the organisation (or of one above it) and HQ admins decide, never the person who asked.
A gated stage change (entering production, by default) waits for a go decision and uses it up.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, TypeVar

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from aihq.accounts.permissions import coordinates, person, require_can_change_use_case, require_hq_admin
from aihq.core.services import check_version, reject_unknown_fields, save_valid, service
from aihq.evaluation.models import (
    CRITERIA,
    GO_DECISIONS,
    STAGE_ORDER,
    BenefitMeasurement,
    BenefitMetric,
    CostLine,
    EvaluationSettings,
    GateCondition,
    GateDecision,
    GateKind,
    GateReview,
    stage_rank,
)
from aihq.registry import stages
from aihq.registry.models import Region, Stage, UseCase

METRIC_FIELDS = frozenset(
    {"kind", "name", "unit", "direction", "baseline", "baseline_date", "target", "target_date", "value_per_unit",
     "currency", "benefits_from", "note"}
)  # fmt: skip
COST_FIELDS = frozenset({"year", "category", "kind", "planned", "actual", "currency", "compute_profile", "note"})
SETTINGS_FIELDS = frozenset(
    {"discount_rate", "appraisal_years", "currency", "swing", "weight_value", "weight_fit", "weight_risk",
     "weight_readiness", "weight_cost", "gated_stages"}
)  # fmt: skip


Versioned = TypeVar("Versioned", BenefitMetric, CostLine)


def current_settings() -> EvaluationSettings:
    """The HQ's evaluation settings (the defaults until an HQ admin saves them)."""
    return EvaluationSettings.objects.order_by("pk").first() or EvaluationSettings(version=0)


def can_decide(actor: Any, review: GateReview) -> bool:
    """Coordinators of the use case's organisation (or above) and HQ admins, except whoever asked."""
    asker = review.requested_by_id
    return coordinates(actor, review.use_case.organisation_id) and (
        asker is None or asker != getattr(person(actor), "pk", None)
    )


# --- benefits ----------------------------------------------------------------------------------------------------


@service
def metric_create(*, actor: Any, use_case: UseCase, **fields: Any) -> BenefitMetric:
    reject_unknown_fields(fields, METRIC_FIELDS)
    require_can_change_use_case(actor, use_case)
    return save_valid(BenefitMetric(use_case=use_case, **fields))


def _update(model: type[Versioned], obj: Versioned, actor: Any, allowed: frozenset[str], expected_version: int | None,
            precondition: bool, changes: dict[str, Any]) -> Versioned:  # fmt: skip
    """Change a metric or cost line of a use case the actor may edit, at the version the caller saw."""
    reject_unknown_fields(changes, allowed)
    current: Versioned = model.objects.select_for_update().order_by().get(pk=obj.pk)
    require_can_change_use_case(actor, current.use_case)
    check_version(current.version, expected_version, precondition=precondition)
    for name, value in changes.items():
        setattr(current, name, value)
    current.version += 1
    return save_valid(current)


@service
def metric_update(
    *,
    actor: Any,
    metric: BenefitMetric,
    expected_version: int | None = None,
    precondition: bool = False,
    **changes: Any,
) -> BenefitMetric:
    return _update(BenefitMetric, metric, actor, METRIC_FIELDS, expected_version, precondition, changes)


@service
def metric_delete(*, actor: Any, metric: BenefitMetric) -> None:
    require_can_change_use_case(actor, metric.use_case)
    metric.delete()


@service
def measurement_add(
    *,
    actor: Any,
    metric: BenefitMetric,
    measured_on: dt.date,
    value: float,
    source: str,
    evidence: str = "",
    note: str = "",
) -> BenefitMeasurement:
    """Record what a metric measured; the source is required, the evidence (a link) recommended."""
    require_can_change_use_case(actor, metric.use_case)
    return save_valid(
        BenefitMeasurement(
            metric=metric,
            measured_on=measured_on,
            value=value,
            source=source,
            evidence=evidence,
            note=note,
            reported_by=person(actor),
        )
    )


@service
def measurement_delete(*, actor: Any, measurement: BenefitMeasurement) -> None:
    require_can_change_use_case(actor, measurement.metric.use_case)
    measurement.delete()


# --- costs -------------------------------------------------------------------------------------------------------


@service
def cost_create(*, actor: Any, use_case: UseCase, **fields: Any) -> CostLine:
    reject_unknown_fields(fields, COST_FIELDS)
    require_can_change_use_case(actor, use_case)
    fields.setdefault("currency", current_settings().currency)
    return save_valid(CostLine(use_case=use_case, **fields))


@service
def cost_update(
    *, actor: Any, cost: CostLine, expected_version: int | None = None, precondition: bool = False, **changes: Any
) -> CostLine:
    return _update(CostLine, cost, actor, COST_FIELDS, expected_version, precondition, changes)


@service
def cost_delete(*, actor: Any, cost: CostLine) -> None:
    require_can_change_use_case(actor, cost.use_case)
    cost.delete()


# --- stage-gate reviews ------------------------------------------------------------------------------------------


def _stage_label(stage: str) -> str:
    return str(Stage(stage).label) if stage in Stage.values else stage


@service
def review_request(
    *,
    actor: Any,
    use_case: UseCase,
    justification: str,
    to_stage: str = "",
    kind: str = GateKind.STAGE,
    regions: Iterable[Region] = (),
) -> GateReview:
    """Ask for a stage-gate review: to move the use case on to ``to_stage``, or to scale it to ``regions``."""
    require_can_change_use_case(actor, use_case)
    current = UseCase.objects.select_for_update().order_by().get(pk=use_case.pk)
    regions = list(regions)
    if not justification.strip():
        raise ValidationError({"justification": _("Say why the change should go ahead.")})
    if kind == GateKind.SCALE:
        to_stage = current.stage
        have = set(current.regions.values_list("pk", flat=True))
        regions = [r for r in regions if r.pk not in have]
        if not regions:
            raise ValidationError({"regions": _("Name at least one region the use case is not in yet.")})
    elif kind == GateKind.STAGE:
        if to_stage not in STAGE_ORDER or stage_rank(to_stage) <= stage_rank(current.stage):
            raise ValidationError(
                {"to_stage": _("A review is for moving on: choose a stage after %(stage)s.")
                 % {"stage": _stage_label(current.stage)}}
            )  # fmt: skip
    else:
        raise ValidationError({"kind": _("Unknown kind of review.")})
    waiting = GateReview.objects.filter(
        use_case=current, kind=kind, to_stage=to_stage, decision=GateDecision.PENDING
    ).first()
    if waiting is not None:
        raise ValidationError(
            {"to_stage": _("Review #%(id)s for this change is already waiting for a decision.") % {"id": waiting.pk}}
        )
    if kind == GateKind.STAGE:
        unused = _open_go(current.pk, current.stage, to_stage)
        if unused is not None:
            raise ValidationError(
                {"to_stage": _("Review #%(id)s already allows this move: make it, or ask again after it.")
                 % {"id": unused.pk}}
            )  # fmt: skip
    review = save_valid(
        GateReview(
            use_case=current,
            kind=kind,
            from_stage=current.stage,
            to_stage=to_stage,
            justification=justification.strip(),
            requested_by=person(actor),
        )
    )
    if regions:
        review.regions.set(regions)
    return review


def _clean_criteria(criteria: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    unknown = sorted(set(criteria) - set(CRITERIA))
    if unknown:
        raise ValidationError({"criteria": _("Unknown criteria: %(names)s.") % {"names": ", ".join(unknown)}})
    cleaned: dict[str, dict[str, Any]] = {}
    for key in CRITERIA:
        item = criteria.get(key) or {}
        if not isinstance(item, Mapping):
            raise ValidationError({"criteria": _('Give each criterion as {"met": true/false, "note": "…"}.')})
        met = item.get("met")
        if met is not None and not isinstance(met, bool):
            raise ValidationError({"criteria": _("%(name)s: met is true, false or null.") % {"name": key}})
        cleaned[key] = {"met": met, "note": str(item.get("note") or "")[:1000]}
    return cleaned


@service
def review_decide(
    *,
    actor: Any,
    review: GateReview,
    decision: str,
    rationale: str = "",
    criteria: Mapping[str, Any] | None = None,
    conditions: Sequence[tuple[str, dt.date]] = (),
    reviewers: Iterable[Any] = (),
    expected_version: int | None = None,
    precondition: bool = False,
) -> GateReview:
    """Record the decision. Go with conditions needs conditions with due dates; hold and stop need a rationale.
    A decision is final: a new request starts a new review. A go on a scale review adds its regions."""
    # The use case first, then the review: the order a stage change takes them in (no deadlock between the two).
    use_case = UseCase.objects.select_for_update().order_by().get(pk=review.use_case_id)
    current: GateReview = GateReview.objects.select_for_update().order_by().select_related("use_case").get(pk=review.pk)
    if not can_decide(actor, current):
        raise PermissionDenied(
            _("Only a coordinator of the organisation or an HQ admin decides, and not the person who asked.")
        )
    check_version(current.version, expected_version, precondition=precondition)
    if not current.is_open:
        raise ValidationError({"decision": _("This review was already decided: ask for a new one.")})
    if decision not in GateDecision.values or decision == GateDecision.PENDING:
        raise ValidationError({"decision": _("Choose go, go with conditions, hold or stop.")})
    if decision in GO_DECISIONS and use_case.stage != current.from_stage:
        raise ValidationError(
            {"decision": _("The use case is now at %(stage)s, not where the review started: ask for a new review.")
             % {"stage": _stage_label(use_case.stage)}}
        )  # fmt: skip
    conditions = [(text.strip(), due) for text, due in conditions if text.strip()]
    if decision == GateDecision.GO_WITH_CONDITIONS and not conditions:
        raise ValidationError({"conditions": _("Go with conditions needs at least one condition with a due date.")})
    if conditions and decision != GateDecision.GO_WITH_CONDITIONS:
        raise ValidationError({"conditions": _("Only a go-with-conditions decision sets conditions.")})
    if decision in (GateDecision.HOLD, GateDecision.STOP) and not rationale.strip():
        raise ValidationError({"rationale": _("Say why the change is held or stopped.")})
    current.criteria = _clean_criteria(criteria or {})
    current.decision = decision
    current.rationale = rationale.strip()
    current.decided_by = person(actor)
    current.decided_at = timezone.now()
    current.version += 1
    save_valid(current)
    people = [p for p in reviewers if p is not None]
    decider = person(actor)
    if decider is not None and getattr(decider, "pk", None):
        people.append(decider)
    current.reviewers.set({p.pk for p in people})
    for text, due in conditions:
        save_valid(GateCondition(review=current, text=text[:500], due_date=due))
    if decision in GO_DECISIONS and current.kind == GateKind.SCALE:
        from aihq.registry.services import use_case_update

        regions = list(current.regions.all())
        use_case_update(actor=actor, use_case=use_case, regions=[*use_case.regions.all(), *regions])
        current.applied_at = timezone.now()
        current.save(update_fields=["applied_at", "updated_at"])
    return current


@service
def condition_met(*, actor: Any, condition: GateCondition, met: bool = True) -> GateCondition:
    """Mark a condition met (or not met again): editors of the use case and its approvers may."""
    current: GateCondition = (
        GateCondition.objects.select_for_update().order_by().select_related("review__use_case").get(pk=condition.pk)
    )
    use_case = current.review.use_case
    if not coordinates(actor, use_case.organisation_id):
        require_can_change_use_case(actor, use_case)
    current.done_at = timezone.now() if met else None
    return save_valid(current)


# --- the gate itself ---------------------------------------------------------------------------------------------


def _latest_decisions(use_case_ids: Sequence[int]) -> dict[tuple[int, str, str], GateReview]:
    """The latest decided stage review for each move (use case, from, to): a later hold or stop voids an earlier go."""
    latest: dict[tuple[int, str, str], GateReview] = {}
    for review in (
        GateReview.objects.filter(use_case_id__in=use_case_ids, kind=GateKind.STAGE, decided_at__isnull=False)
        .exclude(decision=GateDecision.PENDING)
        .order_by("decided_at", "pk")
    ):
        latest[(review.use_case_id, review.from_stage, review.to_stage)] = review
    return latest


def _usable(review: GateReview | None) -> bool:
    return review is not None and review.is_go and review.applied_at is None and review.lapsed_at is None


def _open_go(use_case_id: int, old: str, new: str) -> GateReview | None:
    """The go decision that would allow this move now, if any."""
    review = _latest_decisions([use_case_id]).get((use_case_id, old, new))
    return review if _usable(review) else None


def is_gated(old: str, new: str, gated: Sequence[str]) -> bool:
    """A move forward that enters or passes a gated stage."""
    return any(stage_rank(old) < stage_rank(stage) <= stage_rank(new) for stage in gated)


def gate_guard(actor: Any, moves: Sequence[stages.Move]) -> dict[int, str]:
    """Hold back each move into (or past) a gated stage that has no usable go decision: the latest decision on
    that move is a go, not used and not lapsed."""
    gated = current_settings().gated_stages
    wanted = [m for m in moves if is_gated(m.old, m.new, gated)]
    if not wanted:
        return {}
    latest = _latest_decisions([m.use_case_id for m in wanted])
    return {
        m.use_case_id: _(
            "Moving from %(old)s to %(new)s needs a stage-gate review with a go decision: ask for one on the use "
            "case's evaluation page."
        )
        % {"old": _stage_label(m.old), "new": _stage_label(m.new)}
        for m in wanted
        if not _usable(latest.get((m.use_case_id, m.old, m.new)))
    }


def use_go_decisions(sender: object, actor: Any, moves: Sequence[stages.Move], **kwargs: object) -> None:
    """After stage changes: the go decision that allowed a move is used up, and unused go decisions from the stage
    the use case left lapse (a go is for the situation it was decided in). The audit log records both."""
    now = timezone.now()
    for move in moves:
        unused = (
            GateReview.objects.select_for_update()
            .order_by("decided_at", "pk")
            .filter(
                use_case_id=move.use_case_id,
                kind=GateKind.STAGE,
                from_stage=move.old,
                decision__in=GO_DECISIONS,
                applied_at__isnull=True,
                lapsed_at__isnull=True,
            )
        )
        allowed = _open_go(move.use_case_id, move.old, move.new)
        for review in unused:
            if allowed is not None and review.pk == allowed.pk:
                review.applied_at = now
                review.save(update_fields=["applied_at", "updated_at"])
            else:
                review.lapsed_at = now
                review.save(update_fields=["lapsed_at", "updated_at"])


@service
def settings_update(
    *, actor: Any, expected_version: int | None = None, precondition: bool = False, **changes: Any
) -> EvaluationSettings:
    """Change the discount rate, horizon, currency, swing, weights or gated stages (HQ admins only)."""
    require_hq_admin(actor, _("Only HQ admins change the evaluation settings."))
    reject_unknown_fields(changes, SETTINGS_FIELDS)
    current = EvaluationSettings.objects.select_for_update().order_by("pk").first() or EvaluationSettings(version=0)
    check_version(current.version, expected_version, precondition=precondition)
    for name, value in changes.items():
        setattr(current, name, value)
    current.version += 1
    return save_valid(current)
