"""Writes for suppliers, components, AI-BOMs, agreements, cut-off scenarios and the sovereignty settings."""

from __future__ import annotations

import contextlib
import csv
import functools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from aihq.accounts.permissions import (
    person,
    require_can_change_use_case,
    require_hq_admin,
    scope_for,
    writable_organisations,
)
from aihq.audit.recorder import Change, append_many, snapshot
from aihq.core.services import check_version, reject_unknown_fields, save_valid, service
from aihq.exchange.formats.base import Problem
from aihq.registry.models import UseCase
from aihq.sovereignty import cyclonedx
from aihq.sovereignty.models import (
    Agreement,
    BomEntry,
    Component,
    ComponentType,
    Criticality,
    CutoffScenario,
    SovereigntySettings,
    Supplier,
)

DATA = Path(__file__).resolve().parent / "data"
#: The largest AI-BOM file the page and the API accept.
AIBOM_MAX_BYTES = 10 * 1024 * 1024
AIBOM_FILE_TYPES = frozenset({".json"})  # CycloneDX JSON (bom.json, bom.cdx.json)
#: Stored with inferred components: data, so in one language whoever triggered the import.
INFERRED_DESCRIPTION = "Inferred from an inventory's vendor field: what the vendor supplies is not recorded."


def is_contributor(actor: Any) -> bool:
    """Suppliers and components are shared reference data: anyone who edits some use case may add them."""
    return scope_for(actor).is_hq_admin or writable_organisations(actor).exists()


def _require_contributor(actor: Any) -> None:
    if not is_contributor(actor):
        raise PermissionDenied(_("You cannot add suppliers or components."))


def _require_hq(actor: Any) -> None:
    require_hq_admin(actor, _("Only HQ admins change shared suppliers, components, agreements and scenarios."))


def _update(
    model: type[Any],
    instance: Any,
    fields: frozenset[str],
    expected_version: Any,
    precondition: bool,
    changes: dict[str, Any],
) -> Any:
    reject_unknown_fields(changes, fields)
    current = model.objects.select_for_update().order_by().get(pk=instance.pk)
    check_version(current.version, expected_version, precondition=precondition)
    many = {name: changes.pop(name) for name in list(changes) if name in _MANY}
    for name, value in changes.items():
        setattr(current, name, value)
    current.version += 1
    save_valid(current)
    for name, value in many.items():
        getattr(current, name).set(value)
    return current


_MANY = frozenset({"organisations", "use_cases", "suppliers", "components"})

# --- suppliers and components ---------------------------------------------------------------------------------

SUPPLIER_FIELDS = frozenset({"name", "jurisdiction", "kind", "parent", "sanctions_notes", "website", "inferred"})
COMPONENT_FIELDS = frozenset(
    {"type", "name", "release", "supplier", "licence", "open_weights", "hosting", "replaceability", "alternatives",
     "switch_cost", "model_family", "description", "model_card", "inferred"}
)  # fmt: skip


@service
def supplier_create(*, actor: Any, **fields: Any) -> Supplier:
    reject_unknown_fields(fields, SUPPLIER_FIELDS)
    _require_contributor(actor)
    return save_valid(Supplier(**fields))


@service
def supplier_update(
    *, actor: Any, supplier: Supplier, expected_version: int | None = None, precondition: bool = False, **changes: Any
) -> Supplier:
    _require_hq(actor)
    updated: Supplier = _update(Supplier, supplier, SUPPLIER_FIELDS, expected_version, precondition, changes)
    return updated


@service
def supplier_delete(*, actor: Any, supplier: Supplier) -> None:
    _require_hq(actor)
    if supplier.components.exists():
        raise ValidationError({"supplier": _("Components still name this supplier; change them first.")})
    supplier.delete()


def _check_component(component: Component) -> None:
    """What the database cannot check: a model card CycloneDX accepts, and one component per name without a
    supplier (SQLite cannot make NULLs equal in a unique constraint)."""
    if component.model_card is not None:
        problems = cyclonedx.validate(
            {"bomFormat": "CycloneDX", "specVersion": "1.6", "version": 1,
             "components": [{"type": "machine-learning-model", "name": "x", "modelCard": component.model_card}]}
        )  # fmt: skip
        if problems:
            raise ValidationError({"model_card": _("Not a CycloneDX 1.6 model card: %(p)s") % {"p": problems[0]}})
    if component.supplier_id is None:
        twins = Component.objects.filter(
            type=component.type, name__iexact=component.name, release=component.release, supplier__isnull=True
        ).exclude(pk=component.pk)
        if twins.exists():
            raise ValidationError({"name": _("This component is already recorded.")})


@service
def component_create(*, actor: Any, **fields: Any) -> Component:
    reject_unknown_fields(fields, COMPONENT_FIELDS)
    _require_contributor(actor)
    component = Component(**fields)
    _check_component(component)
    return save_valid(component)


@service
def component_update(
    *, actor: Any, component: Component, expected_version: int | None = None, precondition: bool = False, **changes: Any
) -> Component:
    _require_hq(actor)
    updated: Component = _update(Component, component, COMPONENT_FIELDS, expected_version, precondition, changes)
    _check_component(updated)
    return updated


@service
def component_delete(*, actor: Any, component: Component) -> None:
    _require_hq(actor)
    if component.uses.exists():
        raise ValidationError({"component": _("Use cases still list this component in their AI-BOM.")})
    component.delete()


# --- AI-BOM entries -------------------------------------------------------------------------------------------

BOM_FIELDS = frozenset({"role", "criticality", "notes"})


@service
def bom_add(*, actor: Any, use_case: UseCase, component: Component, **fields: Any) -> BomEntry:
    """List a component in a use case's AI-BOM (or change how it is used, if listed already)."""
    reject_unknown_fields(fields, BOM_FIELDS)
    require_can_change_use_case(actor, use_case)
    entry = BomEntry.objects.filter(use_case=use_case, component=component).first() or BomEntry(
        use_case=use_case, component=component
    )
    for name, value in fields.items():
        setattr(entry, name, value)
    entry.inferred = False
    return save_valid(entry)


@service
def bom_remove(*, actor: Any, entry: BomEntry) -> None:
    require_can_change_use_case(actor, entry.use_case)
    entry.delete()


# --- CycloneDX import and export ------------------------------------------------------------------------------


class AibomErrors(Exception):
    """An AI-BOM that cannot be imported; ``problems`` name each place (nothing was saved)."""

    def __init__(self, problems: Sequence[Problem]) -> None:
        self.problems = list(problems)
        errors = [p for p in self.problems if p.level == "error"]
        super().__init__(
            ngettext(
                "The AI-BOM has %(count)s error; nothing was imported.",
                "The AI-BOM has %(count)s errors; nothing was imported.",
                len(errors),
            )
            % {"count": len(errors)}
            + " "
            + "; ".join(f"{p.field}: {p.message}" for p in errors[:5])
        )


@dataclass
class AibomOutcome:
    """What an AI-BOM import did (or would do), component by component."""

    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    suppliers_created: list[str] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    dry_run: bool = False

    def as_dict(self) -> dict[str, Any]:
        return {
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "suppliers_created": self.suppliers_created,
            "warnings": [p.as_dict() for p in self.warnings],
            "dry_run": self.dry_run,
        }


class _DryRun(Exception):
    pass


def import_aibom(
    *, actor: Any, use_case: UseCase, content: bytes | str | dict[str, Any], dry_run: bool = False
) -> AibomOutcome:
    """Import a CycloneDX 1.6 AI-BOM into a use case: all or nothing. Suppliers and components are matched by
    name (and type, version, supplier) and created when new; what an existing one lacks is filled in, what it
    has is never overwritten (a warning says where the file differs)."""
    require_can_change_use_case(actor, use_case)
    parsed = cyclonedx.parse_bom(content, gettext=_)
    if parsed.errors:
        raise AibomErrors(parsed.problems)
    outcome = AibomOutcome(warnings=list(parsed.warnings), dry_run=dry_run)
    try:
        with contextlib.suppress(_DryRun):
            _write_bom(actor, use_case, parsed, outcome, dry_run)
    except ValidationError as exc:  # what the schema allows but AIHQ's records cannot hold
        raise AibomErrors(
            [Problem(0, field, "", message) for field, messages in _message_dict(exc).items() for message in messages]
        ) from None
    return outcome


def _message_dict(exc: ValidationError) -> dict[str, list[str]]:
    return exc.message_dict if hasattr(exc, "error_dict") else {"file": list(exc.messages)}


@service
def _write_bom(actor: Any, use_case: UseCase, parsed: Any, outcome: AibomOutcome, dry_run: bool) -> None:
    for row, item in enumerate(parsed.components, start=1):
        supplier = _supplier_for(actor, item.supplier, row, outcome)
        component, fresh = _component_for(actor, item, supplier, row, outcome)
        props = item.properties
        fields = {
            "role": props.get("aihq:role", "")[:200],
            "criticality": props.get("aihq:criticality") or Criticality.IMPORTANT,
            "bom_ref": item.bom_ref[:200],
        }
        entry = BomEntry.objects.filter(use_case=use_case, component=component).first()
        label = str(component)
        if entry is None:
            save_valid(BomEntry(use_case=use_case, component=component, **fields))
            outcome.created.append(label)
        elif any(getattr(entry, k) != v for k, v in fields.items()) or fresh:
            for name, value in fields.items():
                setattr(entry, name, value)
            save_valid(entry)
            outcome.updated.append(label)
        else:
            outcome.unchanged.append(label)
    if dry_run:
        raise _DryRun  # leaving the transaction by an exception rolls everything back


def _supplier_for(actor: Any, organisation: Any, row: int, outcome: AibomOutcome) -> Supplier | None:
    if organisation is None or not organisation.name:
        return None
    name = organisation.name[:300]
    supplier = Supplier.objects.filter(name__iexact=name).first()
    if supplier is None:
        supplier = save_valid(Supplier(name=name, jurisdiction=organisation.country, website=_url(organisation.url)))
        outcome.suppliers_created.append(supplier.name)
    elif organisation.country and supplier.jurisdiction != organisation.country:
        if not supplier.jurisdiction:
            supplier.jurisdiction = organisation.country
            supplier.version += 1
            save_valid(supplier)
        else:
            outcome.warnings.append(
                Problem(
                    row,
                    "supplier.address.country",
                    organisation.country,
                    _("AIHQ records %(name)s under %(kept)s; that jurisdiction is kept")
                    % {"name": supplier.name, "kept": supplier.jurisdiction},
                    "warning",
                )
            )
    return supplier


def _url(text: str) -> str:
    """A supplier's web address when it is one (a BOM may give "www.example.org"); blank otherwise."""
    from django.core.validators import URLValidator

    try:
        URLValidator()(text[:500])
    except ValidationError:
        return ""
    return text[:500]


def _component_for(
    actor: Any, item: Any, supplier: Supplier | None, row: int, outcome: AibomOutcome
) -> tuple[Component, bool]:
    props = item.properties
    values = {
        "licence": item.licence[:300],
        "open_weights": item.open_weights,
        "hosting": props.get("aihq:hosting", ""),
        "replaceability": props.get("aihq:replaceability", ""),
        "alternatives": props.get("aihq:alternatives", ""),
        "model_family": props.get("aihq:model-family", "")[:100],
        "switch_cost": props.get("aihq:switch-cost", "")[:300],
        "description": item.description,
        "model_card": item.model_card,
    }
    name, release = item.name[:300], item.version[:100]
    component = Component.objects.filter(type=item.type, name__iexact=name, release=release, supplier=supplier).first()
    if component is None:
        component = save_valid(
            Component(type=item.type, name=item.name[:300], release=item.version[:100], supplier=supplier, **values)
        )
        return component, True
    changed = False
    for name, value in values.items():
        current = getattr(component, name)
        if value in (None, "", {}) or current == value:
            continue
        if current in (None, "", {}):
            setattr(component, name, value)
            changed = True
        else:
            outcome.warnings.append(
                Problem(
                    row,
                    name,
                    str(value)[:200],
                    _("differs from what AIHQ records; the recorded value is kept"),
                    "warning",
                )
            )
    if changed:
        component.version += 1
        save_valid(component)
    return component, changed


def _unique_refs(entries: Sequence[BomEntry]) -> list[str]:
    """Each entry's bom-ref as imported, unless another entry has it already (two files may reuse a ref)."""
    taken: set[str] = set()
    refs = []
    for entry in entries:
        ref = entry.bom_ref if entry.bom_ref and entry.bom_ref not in taken else f"aihq-component-{entry.component_id}"
        taken.add(ref)
        refs.append(ref)
    return refs


def export_aibom(use_case: UseCase) -> dict[str, Any]:
    """The use case's AI-BOM as a CycloneDX 1.6 document (valid against the shipped schema)."""
    entries = list(BomEntry.objects.filter(use_case=use_case).select_related("component__supplier").order_by("id"))
    components = [
        cyclonedx.ExportComponent(
            type=e.component.type,
            name=e.component.name,
            version=e.component.release,
            group="",
            description=e.component.description,
            supplier=cyclonedx.Organisation(
                name=e.component.supplier.name,
                country=e.component.supplier.jurisdiction,
                url=e.component.supplier.website,
            )
            if e.component.supplier
            else None,
            licence=e.component.licence,
            open_weights=e.component.open_weights,
            model_card=e.component.model_card,
            hosting=e.component.hosting,
            replaceability=e.component.replaceability,
            criticality=e.criticality,
            role=e.role,
            alternatives=e.component.alternatives,
            model_family=e.component.model_family,
            bom_ref=ref,
        )
        for e, ref in zip(entries, _unique_refs(entries), strict=True)
    ]
    from aihq import __version__ as aihq_version

    return cyclonedx.build_bom(
        use_case.name, f"aihq-use-case-{use_case.pk}", components, tool_version=str(aihq_version)
    )


# --- inference from inventories -------------------------------------------------------------------------------


@functools.cache
def known_suppliers() -> dict[str, dict[str, str]]:
    """Well-known suppliers by every name they go by (lower case): jurisdiction, kind, parent, website."""
    known: dict[str, dict[str, str]] = {}
    with (DATA / "known_suppliers.csv").open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            for name in [row["name"], *filter(None, row["aliases"].split("|"))]:
                known[name.strip().lower()] = row
    return known


#: Vendor-field answers that name no supplier.
NOT_A_VENDOR = frozenset(
    {"n/a", "na", "none", "-", "unknown", "not applicable", "tbd", "to be determined", "in-house", "in house",
     "internal", "government", "other", "нет", "не применимо", "собственная разработка"}
)  # fmt: skip


def vendor_names(text: str) -> list[str]:
    """The vendors a field names: separated by ";" or line breaks (commas stay: "Booz Allen Hamilton, Inc.")."""
    parts = [p.strip()[:300] for p in text.replace("\n", ";").split(";")]
    return list(dict.fromkeys(p for p in parts if p and p.lower().strip(". ") not in NOT_A_VENDOR))[:5]


def infer_from_inventory(*, actor: Any, use_case_ids: Iterable[int]) -> int:
    """Suppliers and components from an inventory's vendor field, marked inferred, for use cases that have no
    AI-BOM yet. A vendor AIHQ knows (aihq/sovereignty/data/known_suppliers.csv) gets its jurisdiction; others are
    left without one. Runs inside the caller's transaction; suppliers and components are looked up once per
    vendor, the entries written in bulk with one audit event each. Returns how many use cases got entries."""
    use_cases = list(
        UseCase.objects.filter(pk__in=list(use_case_ids))
        .exclude(vendors="")
        .exclude(bom__isnull=False)
        .only("pk", "vendors", "organisation_id")
    )
    components: dict[str, Component] = {}
    entries: list[BomEntry] = []
    done = 0
    for use_case in use_cases:
        vendors = vendor_names(use_case.vendors)
        for vendor in vendors:
            key = vendor.lower()
            if key not in components:
                supplier = known_supplier(vendor)
                components[key] = Component.objects.filter(
                    type=ComponentType.API_SERVICE, name__iexact=vendor, release="", supplier=supplier
                ).first() or save_valid(
                    Component(
                        type=ComponentType.API_SERVICE,
                        name=vendor,
                        supplier=supplier,
                        inferred=True,
                        description=INFERRED_DESCRIPTION,
                    )
                )
            entries.append(
                BomEntry(use_case=use_case, component=components[key], role="vendor-supplied", inferred=True)
            )
        done += bool(vendors)
    if entries:
        created = BomEntry.objects.bulk_create(entries, ignore_conflicts=False)
        append_many([Change(entry, "create", None, snapshot(entry)) for entry in created])
    return done


def known_supplier(vendor: str) -> Supplier:
    found: Supplier | None = Supplier.objects.filter(name__iexact=vendor).first()
    if found is not None:
        return found
    known = known_suppliers().get(vendor.lower())
    if known is not None:
        named: Supplier | None = Supplier.objects.filter(name__iexact=known["name"]).first()
        if named is not None:
            return named
        parent = known_supplier(known["parent"]) if known["parent"] else None
        return save_valid(
            Supplier(
                name=known["name"],
                jurisdiction=known["jurisdiction"],
                kind=known["kind"],
                parent=parent,
                website=known["website"],
                inferred=True,
            )
        )
    return save_valid(Supplier(name=vendor[:300], inferred=True))  # a name AIHQ does not know: no jurisdiction


# --- agreements, scenarios, settings --------------------------------------------------------------------------

AGREEMENT_FIELDS = frozenset(
    {"title", "partner_country", "partner_name", "kind", "status", "signed_on", "starts_on", "ends_on", "scope",
     "organisations", "use_cases", "suppliers", "source"}
)  # fmt: skip
SCENARIO_FIELDS = frozenset({"name", "description", "effective_from", "jurisdictions", "suppliers", "components"})
SETTINGS_FIELDS = frozenset(
    {"home_country", "weight_jurisdiction", "weight_hosting", "weight_licence", "weight_replaceability"}
)


def _create_with_many(model: type[Any], fields: dict[str, Any], **extra: Any) -> Any:
    many = {name: fields.pop(name) for name in list(fields) if name in _MANY}
    instance = save_valid(model(**fields, **extra))
    for name, value in many.items():
        getattr(instance, name).set(value)
    return instance


@service
def agreement_create(*, actor: Any, **fields: Any) -> Agreement:
    reject_unknown_fields(fields, AGREEMENT_FIELDS)
    _require_hq(actor)
    created: Agreement = _create_with_many(Agreement, fields)
    return created


@service
def agreement_update(
    *, actor: Any, agreement: Agreement, expected_version: int | None = None, precondition: bool = False, **changes: Any
) -> Agreement:
    _require_hq(actor)
    updated: Agreement = _update(Agreement, agreement, AGREEMENT_FIELDS, expected_version, precondition, changes)
    return updated


@service
def agreement_delete(*, actor: Any, agreement: Agreement) -> None:
    _require_hq(actor)
    agreement.delete()


@service
def scenario_create(*, actor: Any, **fields: Any) -> CutoffScenario:
    reject_unknown_fields(fields, SCENARIO_FIELDS)
    _require_hq(actor)

    created: CutoffScenario = _create_with_many(CutoffScenario, fields, created_by=person(actor))
    return created


@service
def scenario_update(
    *,
    actor: Any,
    scenario: CutoffScenario,
    expected_version: int | None = None,
    precondition: bool = False,
    **changes: Any,
) -> CutoffScenario:
    _require_hq(actor)
    updated: CutoffScenario = _update(
        CutoffScenario, scenario, SCENARIO_FIELDS, expected_version, precondition, changes
    )
    return updated


@service
def scenario_delete(*, actor: Any, scenario: CutoffScenario) -> None:
    _require_hq(actor)
    scenario.delete()


@service
def settings_update(
    *, actor: Any, expected_version: int | None = None, precondition: bool = False, **changes: Any
) -> SovereigntySettings:
    """Set the home country and the weights of the sovereignty score (HQ admins)."""
    reject_unknown_fields(changes, SETTINGS_FIELDS)
    _require_hq(actor)
    current = SovereigntySettings.objects.select_for_update().order_by("pk").first()
    if current is None:
        current = SovereigntySettings(version=0)
    check_version(current.version, expected_version, precondition=precondition)
    for name, value in changes.items():
        setattr(current, name, value)
    current.version += 1
    return save_valid(current)
