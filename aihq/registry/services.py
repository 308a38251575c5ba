"""Writes to the registry. Every function checks the actor's rights, validates, and is audited."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import ProtectedError
from django.utils.translation import gettext as _

from aihq.accounts.permissions import can_change, require_hq_admin, scope_for
from aihq.core.services import check_version as _check_version
from aihq.core.services import reject_unknown_fields as _unknown_fields
from aihq.core.services import service
from aihq.registry import stages
from aihq.registry.models import Organisation, Region, Sector, UseCase

USE_CASE_FIELDS = frozenset(
    {
        "reference",
        "name",
        "description",
        "organisation",
        "unit",
        "purpose",
        "outputs",
        "stage",
        "development_method",
        "vendors",
        "is_generative",
        "date_initiated",
        "date_deployed",
        "date_retired",
        "is_public",
        "tags",
        "impact_type",
        "is_high_impact",
        "techniques",
        "attributes",
    }
)
ORGANISATION_FIELDS = frozenset({"code", "name_en", "name_ru", "kind", "parent", "region"})


def _require_hq_admin(actor: Any) -> None:
    require_hq_admin(actor, _("Only HQ admins can do this."))


def _require_org_writable(actor: Any, organisation: Organisation) -> None:
    if not scope_for(actor).can_change_org(organisation.pk):
        raise PermissionDenied(
            _("You cannot create or move use cases in %(code)s: you have no editing role there.")
            % {"code": organisation.code}
        )


@service
def use_case_create(
    *,
    actor: Any,
    organisation: Organisation,
    name: str,
    sectors: Iterable[Sector] = (),
    regions: Iterable[Region] = (),
    **fields: Any,
) -> UseCase:
    """Register a new use case in ``organisation`` (which the actor must be able to edit)."""
    _unknown_fields(fields, USE_CASE_FIELDS)
    _require_org_writable(actor, organisation)
    use_case = UseCase(organisation=organisation, name=name, **fields)
    use_case.full_clean()
    use_case.save()
    use_case.sectors.set(list(sectors))
    use_case.regions.set(list(regions))
    return use_case


@service
def use_case_update(
    *,
    actor: Any,
    use_case: UseCase,
    expected_version: int | None = None,
    precondition: bool = False,
    sectors: Iterable[Sector] | None = None,
    regions: Iterable[Region] | None = None,
    **changes: Any,
) -> UseCase:
    """Change a use case; a stale ``expected_version`` raises ConflictError and changes nothing."""
    _unknown_fields(changes, USE_CASE_FIELDS)
    # Lock the row so two concurrent updates cannot both pass the version check.
    current: UseCase = UseCase.objects.select_for_update().get(pk=use_case.pk)
    if not can_change(actor, current):
        raise PermissionDenied(_("You cannot edit this use case."))
    _check_version(current.version, expected_version, precondition=precondition)
    new_org = changes.get("organisation")
    if new_org is not None and new_org.pk != current.organisation_id:
        _require_org_writable(actor, new_org)
    move = stages.Move(current.pk, current.stage, changes.get("stage", current.stage))
    held = stages.blocked(actor, [move])
    if held:
        raise ValidationError({"stage": held[current.pk]})
    for name, value in changes.items():
        setattr(current, name, value)
    current.version += 1
    current.full_clean()
    current.save()
    if sectors is not None:
        current.sectors.set(list(sectors))
    if regions is not None:
        current.regions.set(list(regions))
    stages.moved(actor, UseCase, [move])
    return current


@service
def use_case_delete(
    *, actor: Any, use_case: UseCase, expected_version: int | None = None, precondition: bool = False
) -> None:
    """Delete a use case (recorded in the audit log with its last state)."""
    current = UseCase.objects.select_for_update().get(pk=use_case.pk)
    if not can_change(actor, current):
        raise PermissionDenied(_("You cannot delete this use case."))
    _check_version(current.version, expected_version, precondition=precondition)
    current.delete()


@service
def organisation_create(*, actor: Any, code: str, **fields: Any) -> Organisation:
    """Add an organisation (HQ admins only)."""
    _unknown_fields(fields, ORGANISATION_FIELDS)
    _require_hq_admin(actor)
    organisation = Organisation(code=code, **fields)
    organisation.full_clean()
    organisation.save()
    return organisation


@service
def organisation_update(*, actor: Any, organisation: Organisation, **changes: Any) -> Organisation:
    """Change an organisation, including moving it in the tree (HQ admins only)."""
    _unknown_fields(changes, ORGANISATION_FIELDS)
    _require_hq_admin(actor)
    current: Organisation = Organisation.objects.select_for_update().get(pk=organisation.pk)
    for name, value in changes.items():
        setattr(current, name, value)
    current.full_clean()
    current.save()
    return current


@service
def organisation_delete(*, actor: Any, organisation: Organisation) -> None:
    """Delete an organisation that has no use cases and no sub-organisations (HQ admins only)."""
    _require_hq_admin(actor)
    if organisation.children.exists():
        raise ValidationError(
            _("Move or delete the sub-organisations of %(code)s first.") % {"code": organisation.code}
        )
    if organisation.use_cases.exists():
        raise ValidationError(
            _("%(code)s still has use cases: move or delete them first.") % {"code": organisation.code}
        )
    try:
        organisation.delete()
    except ProtectedError as exc:  # kept records name it (such as its public register history)
        kinds = sorted({str(obj._meta.verbose_name_plural) for obj in exc.protected_objects})
        raise ValidationError(
            _("%(code)s cannot be deleted: %(kinds)s still name it.")
            % {"code": organisation.code, "kinds": ", ".join(kinds)}
        ) from None


@service
def sector_save(*, actor: Any, code: str, name_en: str, name_ru: str = "") -> Sector:
    """Create or rename a sector (HQ admins only)."""
    _require_hq_admin(actor)
    sector = Sector.objects.filter(code=code).first() or Sector(code=code)
    if sector.pk and (sector.name_en, sector.name_ru) == (name_en, name_ru):
        return sector
    sector.name_en, sector.name_ru = name_en, name_ru
    sector.full_clean()
    sector.save()
    return sector


@service
def sector_delete(*, actor: Any, sector: Sector) -> None:
    """Delete a sector no use case refers to (HQ admins only)."""
    _require_hq_admin(actor)
    if sector.use_cases.exists():
        raise ValidationError(_("Sector %(code)s is used by use cases: reassign them first.") % {"code": sector.code})
    sector.delete()


@service
def region_save(*, actor: Any, code: str, **fields: Any) -> Region:
    """Create or update a region (HQ admins only)."""
    _require_hq_admin(actor)
    region = Region.objects.filter(code=code).first() or Region(code=code)
    for name, value in fields.items():
        setattr(region, name, value)
    region.full_clean()
    region.save()
    return region


@service
def region_delete(*, actor: Any, region: Region) -> None:
    """Delete a region nothing refers to (HQ admins only)."""
    _require_hq_admin(actor)
    if region.use_cases.exists() or region.organisations.exists():
        raise ValidationError(_("Region %(code)s is in use.") % {"code": region.code})
    region.delete()
