"""Writes to compute sites, compute profiles, exogenous loads and scenarios (checked and audited)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as _

from aihq.accounts.permissions import can_change, require_can_change_use_case, require_hq_admin, scope_for
from aihq.core.services import check_version, reject_unknown_fields, save_valid, service
from aihq.energy.models import ComputeProfile, ComputeSite, ExogenousLoad, Scenario, ScenarioRun
from aihq.registry.models import Organisation, Region, UseCase

SITE_FIELDS = frozenset(
    {
        "name",
        "operator",
        "region",
        "status",
        "commissioning_year",
        "it_capacity_mw",
        "accelerators",
        "pue",
        "utilisation",
        "notes",
    }
)
PROFILE_FIELDS = frozenset(
    {
        "accelerator_model",
        "training_accelerator_hours",
        "training_flop",
        "inference_requests_per_day",
        "accelerator_seconds_per_request",
        "accelerators_reserved",
        "host_region",
    }
)
SCENARIO_FIELDS = frozenset(
    {
        "code",
        "name_en",
        "name_ru",
        "description_en",
        "description_ru",
        "start_year",
        "end_year",
        "parameters",
        "demand",
        "mix",
        "samples",
        "seed",
    }
)


def _require_operator(actor: Any, organisation: Organisation) -> None:
    if not scope_for(actor).can_change_org(organisation.pk):
        raise PermissionDenied(
            _("You cannot register sites for %(code)s: you have no editing role there.") % {"code": organisation.code}
        )


@service
def site_create(*, actor: Any, **fields: Any) -> ComputeSite:
    """Register a compute site for an organisation the actor edits."""
    reject_unknown_fields(fields, SITE_FIELDS)
    operator = fields.get("operator")
    if operator is not None:
        _require_operator(actor, operator)
    return save_valid(ComputeSite(**fields))


@service
def site_update(
    *, actor: Any, site: ComputeSite, expected_version: int | None = None, precondition: bool = False, **changes: Any
) -> ComputeSite:
    reject_unknown_fields(changes, SITE_FIELDS)
    current: ComputeSite = ComputeSite.objects.select_for_update().order_by().get(pk=site.pk)
    if not can_change(actor, current):
        raise PermissionDenied(_("You cannot edit this site."))
    check_version(current.version, expected_version, precondition=precondition)
    new_operator = changes.get("operator")
    if new_operator is not None and new_operator.pk != current.operator_id:
        _require_operator(actor, new_operator)
    for name, value in changes.items():
        setattr(current, name, value)
    current.version += 1
    return save_valid(current)


@service
def site_delete(*, actor: Any, site: ComputeSite) -> None:
    if not can_change(actor, site):
        raise PermissionDenied(_("You cannot delete this site."))
    site.delete()


@service
def profile_set(*, actor: Any, use_case: UseCase, **fields: Any) -> ComputeProfile:
    """Create or replace a use case's compute profile (who may edit the use case may set it)."""
    reject_unknown_fields(fields, PROFILE_FIELDS)
    require_can_change_use_case(actor, use_case)
    profile = ComputeProfile.objects.filter(use_case=use_case).first() or ComputeProfile(use_case=use_case)
    for name, value in fields.items():
        setattr(profile, name, value)
    return save_valid(profile)


@service
def load_save(
    *, actor: Any, region: Region, year: int, kind: str, average_mw: float, source: str = ""
) -> ExogenousLoad:
    """Set a region's exogenous load for a year (HQ admins only)."""
    require_hq_admin(actor, _("Only HQ admins record exogenous loads."))
    load = ExogenousLoad.objects.filter(region=region, year=year, kind=kind).first() or ExogenousLoad(
        region=region, year=year, kind=kind
    )
    load.average_mw, load.source = average_mw, source
    return save_valid(load)


@service
def scenario_create(*, actor: Any, **fields: Any) -> Scenario:
    reject_unknown_fields(fields, SCENARIO_FIELDS)
    require_hq_admin(actor, _("Only HQ admins manage scenarios."))
    scenario: Scenario = save_valid(Scenario(**fields))
    _validate(scenario)
    return scenario


def _validate(scenario: Scenario) -> None:
    from aihq.energy.scenarios import validate_definition

    years = scenario.end_year - scenario.start_year + 1
    validate_definition(scenario.parameters or {}, scenario.mix or {}, scenario.demand or {}, years)


@service
def scenario_update(
    *, actor: Any, scenario: Scenario, expected_version: int | None = None, precondition: bool = False, **changes: Any
) -> Scenario:
    reject_unknown_fields(changes, SCENARIO_FIELDS)
    require_hq_admin(actor, _("Only HQ admins manage scenarios."))
    current: Scenario = Scenario.objects.select_for_update().order_by().get(pk=scenario.pk)
    check_version(current.version, expected_version, precondition=precondition)
    for name, value in changes.items():
        setattr(current, name, value)
    current.version += 1
    save_valid(current)
    _validate(current)
    return current


@service
def scenario_run(*, actor: Any, scenario: Scenario, samples: int | None = None) -> ScenarioRun:
    """Run a scenario's Monte Carlo (with its own number of samples unless given) and keep the run (HQ admins)."""
    from aihq.energy.scenarios import inputs_for, run_results

    require_hq_admin(actor, _("Only HQ admins run scenarios."))
    inputs = inputs_for(scenario, actor)
    if samples is not None and not 100 <= samples <= 100_000:
        raise ValidationError({"samples": _("Between 100 and 100,000 samples.")})
    samples = samples or scenario.samples
    results, seconds = run_results(scenario, inputs, samples=samples)
    return save_valid(
        ScenarioRun(
            scenario=scenario,
            scenario_version=scenario.version,
            samples=samples,
            seed=scenario.seed,
            inputs={
                "regions": list(inputs.regions),
                "years": list(inputs.years),
                "distributions": {name: dist.to_dict() for name, dist in inputs.distributions().items()},
                "mix": dict(inputs.mix),
            },
            results=results,
            seconds=seconds,
            run_by=actor if getattr(actor, "pk", None) is not None else None,
        )
    )
