"""Writes for regulation, risks and incidents: every one checked against the actor's scope and audited."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import mimetypes
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any, TypeVar

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext as _

from aihq.accounts.permissions import person, require_can_change_use_case, require_hq_admin, scope_for
from aihq.audit.recorder import Change, append_many, snapshot
from aihq.core.db import insert_returning_ids
from aihq.core.services import check_version, reject_unknown_fields, save_valid, service
from aihq.core.uploads import HEAD_BYTES, upload_problems
from aihq.registry.models import UseCase
from aihq.regulation import engine
from aihq.regulation.models import (
    Classification,
    ClassificationRevision,
    ClassificationSource,
    Evidence,
    EvidenceKind,
    Framework,
    Incident,
    IncidentStatus,
    IncidentTransition,
    RequirementState,
    RequirementStatus,
    Risk,
)

OMB = "omb-m-25-21"
M = TypeVar("M", bound=models.Model)


# --- frameworks -----------------------------------------------------------------------------------------------


def definition_sha256(definition: dict[str, Any]) -> str:
    canonical = json.dumps(definition, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def parse_definition(data: Any) -> engine.Framework:
    """A framework file's content, checked; every problem becomes part of one ValidationError."""
    if not isinstance(data, dict):
        raise ValidationError({"definition": _("A framework file must hold a mapping of keys and values.")})
    try:
        return engine.parse_framework(data)
    except engine.FrameworkError as exc:
        raise ValidationError({"definition": exc.messages}) from None
    except RecursionError:
        raise ValidationError({"definition": _("The definition is nested too deeply.")}) from None


@service
def framework_load(*, actor: Any, data: Any, make_current: bool = True) -> Framework:
    """Load one version of a framework (HQ admins only). Loading the same content again changes nothing;
    the same version label with other content is refused, so a classification's version always means one text.
    """
    require_hq_admin(actor, _("Only HQ admins load frameworks."))
    parsed = parse_definition(data)
    definition = parsed.definition
    digest = definition_sha256(definition)
    existing: Framework | None = Framework.objects.filter(code=parsed.code, version=parsed.version).first()
    if existing is not None:
        if existing.sha256 != digest:
            raise ValidationError(
                {
                    "version": _(
                        "Version %(version)s of %(code)s is already loaded with other content; "
                        "give the new text a new version label."
                    )
                    % {"version": parsed.version, "code": parsed.code}
                }
            )
        if make_current and not existing.is_current:
            return framework_make_current(actor=actor, framework=existing)
        return existing
    has_current = Framework.objects.filter(code=parsed.code, is_current=True).exists()
    framework = Framework(
        code=parsed.code,
        version=parsed.version,
        title_en=parsed.title_en,
        title_ru=parsed.title_ru,
        kind=parsed.kind,
        jurisdiction=parsed.jurisdiction,
        definition=definition,
        sha256=digest,
        is_current=not has_current,
    )
    save_valid(framework)
    if make_current and has_current:
        return framework_make_current(actor=actor, framework=framework)
    return framework


@service
def framework_make_current(*, actor: Any, framework: Framework) -> Framework:
    """Make this version the one new classifications use (earlier classifications keep theirs)."""
    require_hq_admin(actor, _("Only HQ admins load frameworks."))
    for other in Framework.objects.filter(code=framework.code, is_current=True).exclude(pk=framework.pk):
        other.is_current = False
        other.save(update_fields=["is_current", "updated_at"])
    framework.is_current = True
    framework.save(update_fields=["is_current", "updated_at"])
    return framework


def load_shipped_frameworks(actor: Any) -> list[Framework]:
    """Load every framework file shipped in the package that is not loaded yet (a code gets its shipped
    version as current only when it has no current version: an HQ admin's choice is never overridden)."""
    loaded = []
    for path in engine.shipped_framework_paths():
        parsed = engine.load_framework_file(path)
        if Framework.objects.filter(code=parsed.code, version=parsed.version).exists():
            continue
        current = Framework.objects.filter(code=parsed.code, is_current=True).exists()
        loaded.append(framework_load(actor=actor, data=parsed.definition, make_current=not current))
    return loaded


def current_framework(code: str) -> Framework:
    framework: Framework | None = Framework.objects.filter(code=code, is_current=True).first()
    if framework is None:
        raise ValidationError({"framework": _("No framework %(code)s is loaded.") % {"code": code}})
    return framework


def framework_of(framework: Framework) -> engine.Framework:
    """The parsed form of a stored framework version (cached per row and content)."""
    return _parsed(framework.sha256, json.dumps(framework.definition))


_cache: dict[str, engine.Framework] = {}


def _parsed(digest: str, text: str) -> engine.Framework:
    if digest not in _cache:
        _cache[digest] = engine.parse_framework(json.loads(text))
    return _cache[digest]


# --- classification -------------------------------------------------------------------------------------------


@service
def classify_use_case(
    *,
    actor: Any,
    use_case: UseCase,
    framework_code: str,
    answers: Any,
    expected_version: int | None = None,
    precondition: bool = False,
    source: str = ClassificationSource.QUESTIONNAIRE,
    statuses: dict[str, tuple[str, str]] | None = None,
) -> Classification:
    """Answer a framework's questionnaire for a use case: classify it, keep the revision, and bring its
    requirement list in line with the result (requirements that no longer apply keep their evidence)."""
    require_can_change_use_case(actor, use_case)
    # The use case's row lock serialises classifications of it (and an import's pre-fill of it).
    UseCase.objects.select_for_update().order_by().filter(pk=use_case.pk).exists()
    framework = current_framework(framework_code)
    parsed = framework_of(framework)
    if not isinstance(answers, dict):
        raise ValidationError({"answers": _("Answers must be an object of question ids and values.")})
    cleaned, errors = engine.clean_answers(parsed, answers)
    if errors:
        raise ValidationError({"answers": [f"{key}: {message}" for key, message in sorted(errors.items())]})
    result = engine.classify(parsed, cleaned)
    current = (
        Classification.objects.select_for_update()
        .order_by()
        .filter(use_case=use_case, framework_code=framework_code)
        .first()
    )
    if current is None:
        if expected_version not in (None, 0):
            check_version(0, expected_version, precondition=precondition)
        current = Classification(use_case=use_case, framework_code=framework_code, version=0)
    else:
        check_version(current.version, expected_version, precondition=precondition)
    current.framework = framework
    current.answers = cleaned
    current.result = result.to_dict()
    current.tier = result.tier
    current.role = result.role or ""
    current.flags = list(result.flags)
    current.source = source
    current.classified_by = person(actor)
    current.version += 1
    save_valid(current)
    _revision(current).save()
    _sync_requirements(use_case, framework_code, result, statuses or {})
    return current


def _revision(classification: Classification) -> ClassificationRevision:
    """The history row recording a classification as it now stands."""
    return ClassificationRevision(
        classification=classification,
        number=classification.version,
        framework=classification.framework,
        answers=classification.answers,
        result=classification.result,
        tier=classification.tier,
        source=classification.source,
        classified_by=classification.classified_by,
    )


def _described(item: engine.AppliedRequirement) -> dict[str, Any]:
    """What a requirement row repeats of the framework's text (so it reads well after the framework changes)."""
    return {
        "cite": item.cite[:100],
        "title_en": item.title_en[:500],
        "title_ru": item.title_ru[:500],
        "group": (item.group or "")[:100],
        "mandatory": item.mandatory,
    }


def _sync_requirements(
    use_case: UseCase, framework_code: str, result: engine.Classification, statuses: dict[str, tuple[str, str]]
) -> None:
    existing = {
        row.requirement_id: row
        for row in RequirementStatus.objects.select_for_update()
        .order_by()
        .filter(use_case=use_case, framework_code=framework_code)
    }
    wanted = {item.id for item in result.requirements}
    for item in result.requirements:
        row = existing.get(item.id)
        before = {name: getattr(row, name) for name in _SYNCED} if row is not None else None
        due = dt.date.fromisoformat(item.due) if item.due else None
        if row is None:
            row = RequirementStatus(use_case=use_case, framework_code=framework_code, requirement_id=item.id)
            row.due_date = due
        elif not row.applicable or row.due_date is None or row.due_date == row.due_computed:
            row.due_date = due  # a due date someone set by hand is kept; one the framework gave follows it
        row.due_computed = due
        for name, value in _described(item).items():
            setattr(row, name, value)
        row.applicable = True
        if item.id in statuses and row.status == RequirementState.NOT_STARTED:
            row.status, row.note = statuses[item.id]
            if row.status in (RequirementState.NOT_APPLICABLE, RequirementState.WAIVED):
                row.justification = row.note
        if before is None or any(before[name] != getattr(row, name) for name in _SYNCED):
            if row.pk is not None:
                row.version += 1
            save_valid(row)
    for requirement_id, row in existing.items():
        if requirement_id not in wanted and row.applicable:
            row.applicable = False
            row.version += 1
            row.save()


_SYNCED = (
    "cite", "title_en", "title_ru", "group", "mandatory", "applicable", "due_date", "due_computed", "status", "note"
)  # fmt: skip


def prefill_from_inventory(*, actor: Any, use_case_ids: Iterable[int]) -> int:
    """Give OMB-inventory use cases their M-25-21 classification and requirement statuses from their own
    answers, unless they are classified under it already. Runs inside the caller's transaction (an
    import's), writing in bulk with one audit event per row. Returns how many were classified."""
    framework = Framework.objects.filter(code=OMB, is_current=True).first()
    ids = list(use_case_ids)
    if framework is None or not ids:
        return 0
    parsed = framework_of(framework)
    # Lock first, then look: a classification made meanwhile by someone else is seen, never overwritten.
    locked = list(
        UseCase.objects.select_for_update()
        .order_by()
        .filter(pk__in=ids, source_format__in=("omb-2024", "omb-2025"))
        .only("pk", "name", "source_format", "is_high_impact", "impact_type", "attributes")
    )
    already = set(
        Classification.objects.filter(use_case_id__in=[u.pk for u in locked], framework_code=OMB).values_list(
            "use_case_id", flat=True
        )
    )
    candidates = [u for u in locked if u.pk not in already]
    who = person(actor)
    made: list[tuple[Classification, engine.Classification, dict[str, tuple[str, str]]]] = []
    for use_case in candidates:
        answers, statuses = engine.omb_answers_from_inventory(
            use_case.source_format, use_case.is_high_impact, use_case.impact_type, use_case.attributes or {}
        )
        cleaned, errors = engine.clean_answers(parsed, answers) if answers else ({}, {"": ""})
        if errors:
            continue
        result = engine.classify(parsed, cleaned)
        row = Classification(
            use_case=use_case,
            framework_code=OMB,
            framework=framework,
            answers=cleaned,
            result=result.to_dict(),
            tier=result.tier,
            role=result.role or "",
            flags=list(result.flags),
            source=ClassificationSource.INVENTORY,
            classified_by=who,
            version=1,
        )
        made.append((row, result, statuses))
    if not made:
        return 0
    rows = _insert([row for row, _r, _s in made])
    _insert([_revision(row) for row in rows])
    # Rows left from an earlier classification (deleted since) come back as they were, evidence and all.
    earlier = {
        (r.use_case_id, r.requirement_id): r
        for r in RequirementStatus.objects.filter(use_case_id__in=[row.use_case_id for row in rows], framework_code=OMB)
    }
    requirements = []
    for row, result, statuses in made:
        for item in result.requirements:
            if (kept := earlier.get((row.use_case_id, item.id))) is not None:
                if not kept.applicable:
                    kept.applicable = True
                    kept.version += 1
                    kept.save()
                continue
            status, note = statuses.get(item.id, (RequirementState.NOT_STARTED, ""))
            requirements.append(
                RequirementStatus(
                    use_case_id=row.use_case_id,
                    framework_code=OMB,
                    requirement_id=item.id,
                    **_described(item),
                    due_date=dt.date.fromisoformat(item.due) if item.due else None,
                    due_computed=dt.date.fromisoformat(item.due) if item.due else None,
                    status=status,
                    note=note,
                    justification=note if status in (RequirementState.NOT_APPLICABLE, RequirementState.WAIVED) else "",
                )
            )
    requirements = _insert(requirements)
    append_many([Change(obj, "create", None, snapshot(obj)) for obj in (*rows, *requirements)])
    return len(rows)


def _insert(objects: list[M]) -> list[M]:
    """Insert new model instances in bulk with one prepared statement (the importer's fast path), setting
    their timestamps and primary keys; no signals, so the caller writes the audit events."""
    if not objects:
        return objects
    model = type(objects[0])
    now = timezone.now()
    names = [f.name for f in model._meta.concrete_fields if not f.primary_key]
    attnames = [f.attname for f in model._meta.concrete_fields if not f.primary_key]
    for obj in objects:
        obj.created_at = obj.updated_at = now  # type: ignore[attr-defined]
    ids = insert_returning_ids(model, names, [[getattr(obj, a) for a in attnames] for obj in objects])
    for obj, pk in zip(objects, ids, strict=True):
        obj.pk = pk
        obj._state.adding = False
    return objects


# --- requirements and evidence --------------------------------------------------------------------------------

REQUIREMENT_FIELDS = frozenset({"status", "justification", "owner", "due_date", "note"})


def _check_owner(owner: Any, use_case: UseCase) -> None:
    if owner is not None and not scope_for(owner).can_view_org(use_case.organisation_id):
        raise ValidationError({"owner": _("The owner must be someone who can see this use case.")})


@service
def requirement_update(
    *,
    actor: Any,
    requirement: RequirementStatus,
    expected_version: int | None = None,
    precondition: bool = False,
    **changes: Any,
) -> RequirementStatus:
    """Record progress on a requirement: its status (with a justification when it does not apply or was
    waived), owner, due date and note."""
    reject_unknown_fields(changes, REQUIREMENT_FIELDS)
    current: RequirementStatus = (
        RequirementStatus.objects.select_for_update().order_by().select_related("use_case").get(pk=requirement.pk)
    )
    require_can_change_use_case(actor, current.use_case)
    check_version(current.version, expected_version, precondition=precondition)
    if "owner" in changes:
        _check_owner(changes["owner"], current.use_case)
    for name, value in changes.items():
        setattr(current, name, value)
    current.version += 1
    return save_valid(current)


#: File types evidence may be (by extension, and the content must agree: aihq.core.uploads; the stored content
#: type follows the extension, never the client).
EVIDENCE_EXTENSIONS = frozenset(
    {".pdf", ".docx", ".xlsx", ".pptx", ".odt", ".ods", ".odp", ".csv", ".txt", ".md", ".json", ".png", ".jpg",
     ".jpeg", ".zip"}
)  # fmt: skip


def evidence_max_bytes() -> int:
    return int(getattr(settings, "AIHQ_EVIDENCE_MAX_MB", 10)) * 1024 * 1024


@service
def evidence_add(
    *,
    actor: Any,
    requirement: RequirementStatus,
    title: str = "",
    url: str = "",
    filename: str = "",
    content: bytes | None = None,
) -> Evidence:
    """Attach a link or a file (of an allowed type whose content agrees, within the size limit) to a requirement."""
    require_can_change_use_case(actor, requirement.use_case)
    if bool(url) == (content is not None):
        raise ValidationError({"file": _("Give either a file or a link.")})
    evidence = Evidence(requirement=requirement, added_by=person(actor))
    if content is not None:
        if not content:  # first: an empty file would otherwise be called "not a .pdf file" or the like
            raise ValidationError({"file": _("The file is empty.")})
        name = Path(filename or "").name[:255]
        extension = Path(name).suffix.lower()
        problems = upload_problems(
            name, len(content), content[:HEAD_BYTES], max_bytes=evidence_max_bytes(), extensions=EVIDENCE_EXTENSIONS
        )
        if problems:
            raise ValidationError({"file": problems})
        evidence.kind = EvidenceKind.FILE
        evidence.filename = name
        evidence.content_type = mimetypes.types_map.get(extension, "application/octet-stream")
        evidence.size = len(content)
        evidence.sha256 = hashlib.sha256(content).hexdigest()
        evidence.content = content
        evidence.title = (title or name)[:300]
    else:
        evidence.kind = EvidenceKind.LINK
        evidence.url = url
        evidence.title = (title or url)[:300]
    return save_valid(evidence)


@service
def evidence_remove(*, actor: Any, evidence: Evidence) -> None:
    require_can_change_use_case(actor, evidence.requirement.use_case)
    evidence.delete()


# --- risks ----------------------------------------------------------------------------------------------------

RISK_FIELDS = frozenset(
    {"title", "description", "category", "likelihood", "severity", "mitigations", "residual_likelihood",
     "residual_severity", "owner", "status"}
)  # fmt: skip


@service
def risk_create(*, actor: Any, use_case: UseCase, **fields: Any) -> Risk:
    reject_unknown_fields(fields, RISK_FIELDS)
    require_can_change_use_case(actor, use_case)
    _check_owner(fields.get("owner"), use_case)
    return save_valid(Risk(use_case=use_case, **fields))


@service
def risk_update(
    *, actor: Any, risk: Risk, expected_version: int | None = None, precondition: bool = False, **changes: Any
) -> Risk:
    reject_unknown_fields(changes, RISK_FIELDS)
    current: Risk = Risk.objects.select_for_update().order_by().select_related("use_case").get(pk=risk.pk)
    require_can_change_use_case(actor, current.use_case)
    check_version(current.version, expected_version, precondition=precondition)
    if "owner" in changes:
        _check_owner(changes["owner"], current.use_case)
    for name, value in changes.items():
        setattr(current, name, value)
    current.version += 1
    return save_valid(current)


@service
def risk_delete(*, actor: Any, risk: Risk) -> None:
    require_can_change_use_case(actor, risk.use_case)
    risk.delete()


# --- incidents ------------------------------------------------------------------------------------------------

INCIDENT_FIELDS = frozenset(
    {"title", "description", "occurred_on", "detected_on", "severity", "harms", "widespread_infringement",
     "affected_groups", "immediate_actions", "corrective_actions", "reported_on", "risks"}
)  # fmt: skip

#: The order an incident moves through; moving back (reopening) needs a note.
INCIDENT_FLOW = (IncidentStatus.OPEN, IncidentStatus.INVESTIGATING, IncidentStatus.MITIGATED, IncidentStatus.CLOSED)


def _set_risks(incident: Incident, risks: Sequence[Risk] | None) -> None:
    if risks is None:
        return
    for risk in risks:
        if risk.use_case_id != incident.use_case_id:
            raise ValidationError({"risks": _("Link only risks of the same use case.")})
    incident.risks.set(risks)


@service
def incident_create(*, actor: Any, use_case: UseCase, **fields: Any) -> Incident:
    """Log an incident; it starts open, and its first transition names who logged it."""
    reject_unknown_fields(fields, INCIDENT_FIELDS)
    require_can_change_use_case(actor, use_case)
    risks = fields.pop("risks", None)
    who = person(actor)
    incident = save_valid(Incident(use_case=use_case, reported_by=who, status=IncidentStatus.OPEN, **fields))
    _set_risks(incident, risks)
    IncidentTransition.objects.create(incident=incident, from_status="", to_status=IncidentStatus.OPEN, moved_by=who)
    return incident


@service
def incident_update(
    *,
    actor: Any,
    incident: Incident,
    expected_version: int | None = None,
    precondition: bool = False,
    **changes: Any,
) -> Incident:
    reject_unknown_fields(changes, INCIDENT_FIELDS)
    current: Incident = Incident.objects.select_for_update().order_by().select_related("use_case").get(pk=incident.pk)
    require_can_change_use_case(actor, current.use_case)
    check_version(current.version, expected_version, precondition=precondition)
    risks = changes.pop("risks", None)
    for name, value in changes.items():
        setattr(current, name, value)
    current.version += 1
    save_valid(current)
    _set_risks(current, risks)
    return current


@service
def incident_move(
    *,
    actor: Any,
    incident: Incident,
    to_status: str,
    note: str = "",
    expected_version: int | None = None,
    precondition: bool = False,
) -> Incident:
    """Move an incident along open → investigating → mitigated → closed; who moved it is kept.
    Moving back (reopening) needs a note saying why."""
    current: Incident = Incident.objects.select_for_update().order_by().select_related("use_case").get(pk=incident.pk)
    require_can_change_use_case(actor, current.use_case)
    check_version(current.version, expected_version, precondition=precondition)
    if to_status not in IncidentStatus.values:
        raise ValidationError({"status": _("Use one of: %(values)s.") % {"values": ", ".join(IncidentStatus.values)}})
    if to_status == current.status:
        raise ValidationError({"status": _("The incident already has this status.")})
    backwards = INCIDENT_FLOW.index(IncidentStatus(to_status)) < INCIDENT_FLOW.index(IncidentStatus(current.status))
    if backwards and not note.strip():
        raise ValidationError({"note": _("Say why the incident is reopened.")})
    who = person(actor)
    IncidentTransition.objects.create(
        incident=current, from_status=current.status, to_status=to_status, note=note, moved_by=who
    )
    current.status = to_status
    current.version += 1
    return save_valid(current)


@service
def incident_delete(*, actor: Any, incident: Incident) -> None:
    require_can_change_use_case(actor, incident.use_case)
    incident.delete()
