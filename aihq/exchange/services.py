"""Importing and exporting use cases.

An import reads a whole file, turns each row into registry values (the format module), finds or
creates the organisations it names, and writes new and changed use cases in bulk — all in one
transaction, with one audit event per use case changed. A dry run does all of that and rolls
back. Every row ends up counted: new, updated, unchanged, skipped or rejected with its reasons.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import itertools
import json
import math
import re
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Model, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from aihq.accounts.permissions import SystemActor, scope_for
from aihq.audit.recorder import append_many, snapshot
from aihq.core.db import insert_returning_ids, insert_rows, update_rows
from aihq.core.exports import safe_cell
from aihq.core.services import service
from aihq.exchange import normalise
from aihq.exchange.formats import Format, ParsedRow, Problem, detect_format, get_format
from aihq.exchange.formats.generic import COLUMNS, GenericFormat
from aihq.exchange.models import ImportRun, ImportStatus
from aihq.exchange.readers import FileProblem, Table, read_table
from aihq.exchange.signals import use_cases_imported
from aihq.registry import selectors as registry_selectors
from aihq.registry import stages
from aihq.registry.models import Organisation, OrganisationKind, Region, Sector, UseCase

CHUNK = 1000
MAX_PROBLEMS_STORED = 2000
ON_CONFLICT = ("update", "skip", "fail")
#: use-case fields an import sets (the rest are the registry's own)
IMPORT_FIELDS = (
    "reference", "name", "unit", "description", "purpose", "outputs", "stage", "development_method", "vendors",
    "is_generative", "impact_type", "is_high_impact", "techniques", "attributes", "date_initiated",
    "date_deployed", "date_retired", "is_public", "tags",
)  # fmt: skip


#: the length limits of the text fields an import sets
TEXT_LIMITS: dict[str, int] = {
    field.name: int(field.max_length or 0)
    for field in UseCase._meta.concrete_fields
    if field.name in IMPORT_FIELDS and getattr(field, "max_length", None) and field.get_internal_type() == "CharField"
}


@dataclass
class ImportOptions:
    """How to import: the format (None: detect), target organisation, and what to do on problems."""

    format: str | None = None
    organisation: Organisation | None = None
    dry_run: bool = False
    strict: bool = False
    on_conflict: str = "update"
    encoding: str | None = None


@dataclass
class Outcome:
    """What an import did (or would do), row by row."""

    format: str = ""
    detected: bool = False
    counts: dict[str, int] = field(
        default_factory=lambda: dict.fromkeys(
            ("rows", "new", "updated", "unchanged", "skipped", "rejected", "warnings", "organisations_created"), 0
        )
    )
    problems: list[Problem] = field(default_factory=list)
    rejected: list[tuple[int, dict[str, Any], str]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    error: str = ""
    headers: list[str] = field(default_factory=list)
    kind: str = "csv"


class _Abort(Exception):
    """Stop and roll back: strict mode met an error, a conflict with --on-conflict fail, or a dry run ended."""

    def __init__(self, message: str = "") -> None:
        super().__init__(message)
        self.message = message


def _bureau_code(agency: str, bureau: str) -> str:
    """A code for a bureau: its own abbreviation if it is one ("ARS"), else the initials of its words."""
    compact = bureau.strip()
    if re.fullmatch(r"[A-Za-z0-9&.\-]{2,15}", compact):
        base = compact.replace("&", "")
    else:
        words = [
            w
            for w in re.findall(r"[A-Za-z0-9]+", compact)
            if w.lower() not in {"of", "the", "and", "for", "in", "on", "to", "a"}
        ]
        base = "".join(w[0] for w in words).upper()[:12] or "UNIT"
    return f"{agency}-{base.upper()}"[:50]


class _Importer:
    """Turns parsed rows into database writes, chunk by chunk, inside the caller's transaction."""

    def __init__(self, actor: Any, fmt: Format, options: ImportOptions, outcome: Outcome) -> None:
        self.actor = actor
        self.format = fmt
        self.options = options
        self.outcome = outcome
        self.scope = scope_for(actor)
        self.allowed_orgs: set[int] = set()
        self.orgs_by_code: dict[str, Organisation | None] = {}
        self.bureaus: dict[tuple[int, str], Organisation] = {}
        self.loaded_children: set[int] = set()
        self.sectors = {s.code: s.pk for s in Sector.objects.all()}
        self.regions = {r.code: r.pk for r in Region.objects.all()}
        self.seen: dict[tuple[int, str], int] = {}
        self.known: dict[int, tuple[dict[str, int], dict[str, int]]] = {}
        self.is_omb = not isinstance(fmt, GenericFormat)

    # organisations -------------------------------------------------------------------------
    def _org_by_code(self, code: str) -> Organisation | None:
        if code not in self.orgs_by_code:
            self.orgs_by_code[code] = Organisation.objects.filter(code__iexact=code).first()
        return self.orgs_by_code[code]

    def _visible(self, organisation: Organisation) -> bool:
        return self.scope.can_view_org(organisation.pk) or organisation.pk in self.allowed_orgs

    def _unseen(self, row: ParsedRow, code: str) -> None:
        # The same words whether the code does not exist or belongs to someone else: nothing leaks.
        row.error("organisation", code, _("no organisation you can see with code %(code)s") % {"code": code})

    def _may_create_under(self, parent: Organisation | None) -> bool:
        if self.scope.is_hq_admin:
            return True
        return parent is not None and (parent.pk in self.scope.coordinated_org_ids or parent.pk in self.allowed_orgs)

    def _create_org(
        self, row: ParsedRow, code: str, name: str, parent: Organisation | None, kind: str
    ) -> Organisation | None:
        if not self._may_create_under(parent):
            if parent is not None:
                message = _(
                    "organisation %(code)s does not exist and you may not add organisations under %(parent)s"
                ) % {"code": code, "parent": parent.code}
            else:
                message = _(
                    "organisation %(code)s does not exist and you may not add organisations at the top level"
                ) % {"code": code}
            row.error("organisation", code, message)
            return None
        organisation = Organisation(code=code, name_en=(name or code)[:300], kind=kind, parent=parent)
        try:
            organisation.full_clean()
        except ValidationError as exc:
            reasons = "; ".join(f"{field}: {' '.join(msgs)}" for field, msgs in exc.message_dict.items())
            row.error(
                "organisation",
                code,
                _("organisation %(code)s cannot be created (%(reasons)s)") % {"code": code, "reasons": reasons},
            )
            return None
        organisation.save()
        self.outcome.counts["organisations_created"] += 1
        self.allowed_orgs.add(organisation.pk)
        self.orgs_by_code[code] = organisation
        return organisation

    def _resolve_omb(self, row: ParsedRow) -> Organisation | None:
        ref = row.org
        root = self.options.organisation
        if not ref.code:
            if root is None:
                row.error(
                    "agency", "", _("the agency is unknown: give ids like DHS-12, an agency column, or --organisation")
                )
                return None
            agency: Organisation | None = root
        elif root is not None and ref.code.casefold() == root.code.casefold():
            agency = root
        else:
            agency = self._org_by_code(ref.code)
            if agency is not None and not self._visible(agency):
                self._unseen(row, ref.code)
                return None
            if agency is None:
                kind = (
                    OrganisationKind.MINISTRY if ref.name.lower().startswith("department") else OrganisationKind.AGENCY
                )
                agency = self._create_org(row, ref.code, ref.name, root, kind)
        if (
            agency is None
            or not ref.bureau
            or normalise.key(ref.bureau) in {normalise.key(agency.code), normalise.key(agency.name_en)}
        ):
            return agency
        if agency.pk not in self.loaded_children:
            for child in Organisation.objects.filter(parent=agency):
                self.bureaus.setdefault((agency.pk, normalise.key(child.name_en)), child)
                self.bureaus.setdefault((agency.pk, normalise.key(child.code.split("-", 1)[-1])), child)
            self.loaded_children.add(agency.pk)
        found = self.bureaus.get((agency.pk, normalise.key(ref.bureau)))
        if found is not None:
            return found
        code, suffix = _bureau_code(agency.code, ref.bureau), 1
        base = code
        while self._org_by_code(code) is not None:
            suffix += 1
            code = f"{base[:46]}-{suffix}"
        bureau = self._create_org(row, code, ref.bureau[:300], agency, OrganisationKind.AGENCY)
        if bureau is not None:
            self.bureaus[(agency.pk, normalise.key(ref.bureau))] = bureau
        return bureau

    def _resolve_generic(self, row: ParsedRow) -> Organisation | None:
        code = row.org.code
        if not code:
            if self.options.organisation is None:
                row.error(
                    "organisation", "", _("no organisation: fill the organisation column or choose one for the import")
                )
            return self.options.organisation
        organisation = self._org_by_code(code)
        if organisation is None or not self._visible(organisation):
            self._unseen(row, code)
            return None
        return organisation

    def _may_write(self, organisation: Organisation) -> bool:
        return self.scope.can_change_org(organisation.pk) or organisation.pk in self.allowed_orgs

    # rows ----------------------------------------------------------------------------------
    def _key(self, organisation: Organisation, fields: dict[str, Any]) -> tuple[int, str]:
        if fields.get("reference"):
            return organisation.pk, "ref:" + fields["reference"].casefold()
        return organisation.pk, "name:" + fields["name"].casefold()

    def _prepare(self, row: ParsedRow) -> tuple[Organisation, tuple[int, str], UseCase] | None:
        """Resolve organisation, relations and key; None when the row is rejected."""
        if row.errors:
            return None
        # The row's own values first: a row rejected for them must not leave new organisations behind.
        for code in row.sectors:
            if code not in self.sectors:
                row.error("sectors", code, _("unknown sector code %(code)s") % {"code": code})
        for code in row.regions:
            if code not in self.regions:
                row.error(
                    "regions", code, _("unknown region code %(code)s (use ISO 3166-2, such as RU-TA)") % {"code": code}
                )
        candidate = UseCase(**{k: v for k, v in row.fields.items() if k in IMPORT_FIELDS})
        for name, limit in TEXT_LIMITS.items():
            value = row.fields.get(name) or ""
            if len(value) > limit:
                row.error(
                    name,
                    value,
                    _("longer than %(limit)s characters (%(length)s)") % {"limit": limit, "length": len(value)},
                )
        try:
            # The formats have typed and checked every value; what is left is the model's own rules.
            candidate.clean()
        except ValidationError as exc:
            for name, messages in exc.message_dict.items():
                if name.startswith("date_"):
                    # Inventories are kept as their owners published them; the inconsistency is flagged, not fatal.
                    row.warn(
                        name,
                        row.fields.get(name, ""),
                        _("%(problem)s Kept as given.") % {"problem": " ".join(messages)},
                    )
                else:
                    row.error(name, row.fields.get(name, ""), " ".join(messages))
        if row.errors:
            return None
        organisation = self._resolve_omb(row) if self.is_omb else self._resolve_generic(row)
        if organisation is None:
            return None
        if not self._may_write(organisation):
            # Named as the row names it: a bureau the user cannot see keeps its code to itself.
            named = organisation.code if self._visible(organisation) else (row.org.bureau or row.org.code)
            row.error("organisation", named, _("you may not add or change use cases of %(code)s") % {"code": named})
            return None
        key = self._key(organisation, row.fields)
        if key in self.seen:
            if key[1].startswith("ref:"):
                column = "reference"
                message = _("duplicate of row %(row)s (same ID); only the first is imported")
            else:
                column = "name"
                message = _("duplicate of row %(row)s (same organisation and name); only the first is imported")
            row.error(column, row.fields.get("reference") or row.fields["name"], message % {"row": self.seen[key]})
            return None
        self.seen[key] = row.number
        candidate.organisation = organisation
        return organisation, key, candidate

    def process(self, rows: list[ParsedRow]) -> None:
        prepared: list[tuple[ParsedRow, Organisation, tuple[int, str], UseCase]] = []
        for row in rows:
            result = self._prepare(row)
            if result is not None:
                prepared.append((row, *result))
        existing = self._existing([(key, row.fields["name"]) for row, _org, key, _uc in prepared])
        creates: list[tuple[UseCase, ParsedRow]] = []
        updates: list[tuple[UseCase, ParsedRow, dict[str, Any]]] = []
        for row, _organisation, key, candidate in prepared:
            current = existing.get(key)
            record = {k: normalise.text(v) if not isinstance(v, str) else v for k, v in row.raw.items()}
            if current is None:
                candidate.source_format, candidate.source_record = self.format.name, record
                creates.append((candidate, row))
                self.outcome.counts["new"] += 1
                continue
            if self._unchanged(current, row, record):
                self.outcome.counts["unchanged"] += 1
                continue
            if self.options.on_conflict == "skip":
                self.outcome.counts["skipped"] += 1
                continue
            if self.options.on_conflict == "fail":
                raise _Abort(
                    _("Row %(row)s matches use case #%(id)s (%(name)s); nothing was imported.")
                    % {"row": row.number, "id": current.pk, "name": current.name}
                )
            new_stage = row.fields.get("stage", current.stage)
            held = stages.blocked(self.actor, [stages.Move(current.pk, current.stage, new_stage)])
            if held:
                row.error("stage", new_stage, held[current.pk])
                continue
            before = snapshot(current, with_m2m=False) | self._relations(current)
            for name, value in row.fields.items():
                if name in IMPORT_FIELDS:
                    setattr(current, name, value)
            current.source_format, current.source_record = self.format.name, record
            updates.append((current, row, before))
            self.outcome.counts["updated"] += 1
        self._write(creates, updates)

    def _relations(self, use_case: UseCase) -> dict[str, list[int]]:
        return {
            "sectors": sorted(s.pk for s in use_case.sectors.all()),
            "regions": sorted(r.pk for r in use_case.regions.all()),
        }

    def _known(self, organisation_id: int) -> tuple[dict[str, int], dict[str, int]]:
        """An organisation's use cases by folded id and (those without an id) by folded name, loaded once.

        Case is folded in Python: SQL LOWER() leaves non-ASCII letters alone on SQLite ("Чат" ≠ "чат").
        """
        if organisation_id not in self.known:
            by_ref: dict[str, int] = {}
            by_name: dict[str, int] = {}
            for pk, reference, name in UseCase.objects.filter(organisation_id=organisation_id).values_list(
                "id", "reference", "name"
            ):
                if reference:
                    by_ref.setdefault(reference.casefold(), pk)
                else:
                    by_name.setdefault(name.casefold(), pk)
            self.known[organisation_id] = (by_ref, by_name)
        return self.known[organisation_id]

    def _existing(self, keys: list[tuple[tuple[int, str], str]]) -> dict[tuple[int, str], UseCase]:
        """Existing use cases for the keys: by id, else by name. A use case registered without an id is
        found by its name when a later file gives it one (and then takes that id)."""
        matched: dict[tuple[int, str], int] = {}
        claimed: set[int] = set()
        for key, name in keys:
            by_ref, by_name = self._known(key[0])
            pk = by_ref.get(key[1][4:]) if key[1].startswith("ref:") else None
            pk = pk or by_name.get(name.casefold())
            if pk is not None and pk not in claimed:
                matched[key] = pk
                claimed.add(pk)
        if not matched:
            return {}
        # Locked until the import commits: an edit made meanwhile waits instead of being overwritten.
        objects = (
            UseCase.objects.select_for_update().prefetch_related("sectors", "regions").in_bulk(list(matched.values()))
        )
        return {key: objects[pk] for key, pk in matched.items() if pk in objects}

    def _unchanged(self, current: UseCase, row: ParsedRow, record: dict[str, Any]) -> bool:
        # The same format: the row as written must match. Another format (AIHQ's own export of an OMB use
        # case, say) cannot reproduce the original record, so only the values are compared.
        if current.source_format == self.format.name and current.source_record != record:
            return False
        if any(getattr(current, name) != value for name, value in row.fields.items() if name in IMPORT_FIELDS):
            return False
        relations = self._relations(current)
        return relations["sectors"] == sorted(self.sectors[c] for c in row.sectors) and relations["regions"] == sorted(
            self.regions[c] for c in row.regions
        )

    def _write(
        self, creates: list[tuple[UseCase, ParsedRow]], updates: list[tuple[UseCase, ParsedRow, dict[str, Any]]]
    ) -> None:
        now = timezone.now()
        for use_case, _row in creates:
            use_case.created_at = use_case.updated_at = now
        columns = [f.attname for f in UseCase._meta.concrete_fields if not f.primary_key]
        new_ids = insert_returning_ids(
            UseCase,
            [UseCase._meta.get_field(c).name for c in columns],
            [[getattr(uc, c) for c in columns] for uc, _row in creates],
        )
        for (use_case, _row), pk in zip(creates, new_ids, strict=True):
            use_case.pk = pk
            use_case._state.adding = False
        for use_case, _row, _before in updates:
            use_case.version += 1
            use_case.updated_at = now
        if updates:
            update_rows(
                [uc for uc, _r, _b in updates],
                [*IMPORT_FIELDS, "source_format", "source_record", "version", "updated_at"],
            )
            changed = [uc.pk for uc, _r, _b in updates]
            UseCase.sectors.through.objects.filter(usecase_id__in=changed).delete()
            UseCase.regions.through.objects.filter(usecase_id__in=changed).delete()
        sector_links: list[tuple[int, int]] = []
        region_links: list[tuple[int, int]] = []
        events: list[tuple[Model, str, dict[str, Any] | None, dict[str, Any] | None]] = []
        written = [(uc, row, None) for uc, row in creates] + updates
        for use_case, row, before in written:
            relations = {
                "sectors": sorted({self.sectors[c] for c in row.sectors}),
                "regions": sorted({self.regions[c] for c in row.regions}),
            }
            sector_links += [(use_case.pk, sector) for sector in relations["sectors"]]
            region_links += [(use_case.pk, region) for region in relations["regions"]]
            after = snapshot(use_case, with_m2m=False) | relations
            events.append((use_case, "create" if before is None else "update", before, after))
        insert_rows(UseCase.sectors.through, ("usecase", "sector"), sector_links)
        insert_rows(UseCase.regions.through, ("usecase", "region"), region_links)
        append_many(events)
        stages.moved(
            self.actor,
            UseCase,
            [stages.Move(uc.pk, before["stage"], uc.stage) for uc, _row, before in updates],
        )
        use_cases_imported.send(sender=UseCase, actor=self.actor, ids=[uc.pk for uc, _row, _b in written])


def _chunks(rows: Iterator[tuple[int, dict[str, Any]]], size: int) -> Iterator[list[tuple[int, dict[str, Any]]]]:
    chunk: list[tuple[int, dict[str, Any]]] = []
    for item in rows:
        chunk.append(item)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def ensure_reference_sectors(actor: Any) -> None:
    """Add the shipped sectors the inventory formats map onto that are missing (existing ones are left as
    they are). Only for HQ admins: others' rows naming a missing sector are rejected with the reason."""
    from aihq.registry.loaders import load_sectors, shipped_sector_codes

    if not scope_for(actor).is_hq_admin:
        return
    if set(shipped_sector_codes()) - set(Sector.objects.values_list("code", flat=True)):
        load_sectors(actor=actor, only_missing=True)


@service
def _apply(
    *,
    actor: Any,
    table: Table,
    fmt: Format,
    options: ImportOptions,
    outcome: Outcome,
    progress: Callable[[int], None] | None,
) -> None:
    ensure_reference_sectors(actor)
    importer = _Importer(actor, fmt, options, outcome)
    # Spreadsheets AIHQ wrote carry a quote before cells Excel would run as formulas; take it off again.
    spreadsheet = table.kind in ("csv", "xlsx")
    for chunk in _chunks(table.rows, CHUNK):
        if spreadsheet:
            chunk = [
                (number, {k: normalise.restore_formula(v) if isinstance(v, str) else v for k, v in raw.items()})
                for number, raw in chunk
            ]
        parsed = [fmt.parse(number, raw) for number, raw in chunk]
        importer.process(parsed)
        originals = dict(chunk)
        for row in parsed:
            outcome.counts["rows"] += 1
            outcome.problems.extend(row.problems)
            if row.errors:
                outcome.counts["rejected"] += 1
                reason = "; ".join(f"{p.field}: {p.message}" for p in row.errors)
                outcome.rejected.append((row.number, originals[row.number], reason))
        if progress:
            progress(len(chunk))
        if options.strict and outcome.counts["rejected"]:
            raise _Abort(
                _("%(count)s row(s) have errors and --strict is on; nothing was imported.")
                % {"count": outcome.counts["rejected"]}
            )
    if outcome.counts["rows"] == 0:
        raise _Abort(_("The file has a header but no rows."))
    if options.dry_run:
        raise _Abort("")


def _imports_dir() -> Path:
    path = Path(settings.DATA_DIR) / "imports"
    path.mkdir(parents=True, exist_ok=True)
    return path


def import_usecases(
    *,
    actor: Any,
    data: bytes,
    file_name: str,
    options: ImportOptions,
    progress: Callable[[int], None] | None = None,
    keep_file: bool = False,
) -> ImportRun:
    """Import a file of use cases; returns the recorded run with its counts and row-level problems.

    Nothing is written unless the run's status is ``applied``; ``dry_run`` previews, ``strict``
    aborts on any row error, ``on_conflict`` says what to do with rows matching existing use cases.
    """
    if options.on_conflict not in ON_CONFLICT:
        raise ValidationError({"on_conflict": _("Use one of: %(values)s.") % {"values": ", ".join(ON_CONFLICT)}})
    if options.organisation is not None and not scope_for(actor).can_view_org(options.organisation.pk):
        raise PermissionDenied(_("You cannot import into that organisation."))
    started = time.monotonic()
    outcome = Outcome()
    status = ImportStatus.APPLIED
    try:
        table = read_table(data=data, name=file_name, encoding=options.encoding)
        outcome.headers, outcome.kind, outcome.notes = table.headers, table.kind, list(table.notes)
        if options.format:
            fmt = get_format(options.format)
        else:
            fmt, _score = detect_format(table.headers, table.kind)
            outcome.detected = True
            outcome.notes.append(_("format detected from the header: %(format)s") % {"format": fmt.name})
        outcome.format = fmt.name
        header_errors, header_warnings = fmt.header_problems(table.headers)
        outcome.notes.extend(header_warnings)
        if header_errors:
            raise FileProblem(" ".join(header_errors))
        _apply(actor=actor, table=table, fmt=fmt, options=options, outcome=outcome, progress=progress)
    except FileProblem as exc:
        status, outcome.error = ImportStatus.FAILED, str(exc)
    except ValueError as exc:  # an unknown --format name
        status, outcome.error = ImportStatus.FAILED, str(exc)
    except _Abort as exc:
        if options.dry_run and not exc.message:
            status = ImportStatus.DRY_RUN
        else:
            status, outcome.error = ImportStatus.ABORTED, exc.message
    return _record(actor, data, file_name, options, outcome, status, started, keep_file)


def _record(
    actor: Any,
    data: bytes,
    file_name: str,
    options: ImportOptions,
    outcome: Outcome,
    status: str,
    started: float,
    keep_file: bool,
) -> ImportRun:
    outcome.counts["warnings"] = sum(1 for p in outcome.problems if p.level == "warning")
    user = actor if getattr(actor, "pk", None) is not None and not isinstance(actor, SystemActor) else None
    run = ImportRun.objects.create(
        actor=user,
        actor_label=actor.get_username() if hasattr(actor, "get_username") else str(actor),
        file_name=Path(file_name).name[:255],
        file_sha256=hashlib.sha256(data).hexdigest(),
        file_size=len(data),
        format=outcome.format,
        format_detected=outcome.detected,
        organisation=options.organisation,
        options={
            "format": options.format,
            "dry_run": options.dry_run,
            "strict": options.strict,
            "on_conflict": options.on_conflict,
            "encoding": options.encoding,
        },
        status=status,
        counts=outcome.counts,
        problems=[p.as_dict() for p in outcome.problems[:MAX_PROBLEMS_STORED]],
        problem_count=len(outcome.problems),
        notes=outcome.notes,
        error=outcome.error,
        duration_ms=int((time.monotonic() - started) * 1000),
    )
    folder = _imports_dir() / str(run.pk)
    changed: list[str] = []
    if outcome.rejected:
        folder.mkdir(exist_ok=True)
        path = folder / f"rejects.{outcome.kind}"
        path.write_bytes(
            write_rows([*outcome.headers, _reason_column(outcome.headers)], _rejected_rows(outcome), outcome.kind)
        )
        run.rejects_file = str(path)
        changed.append("rejects_file")
    if keep_file:
        folder.mkdir(exist_ok=True)
        stored = folder / ("upload" + (Path(file_name).suffix.lower() or ".dat"))
        stored.write_bytes(data)
        run.stored_file = str(stored)
        changed.append("stored_file")
    if changed:
        run.save(update_fields=changed)
    return run


def _reason_column(headers: list[str]) -> str:
    """``reason``, or ``_reason`` (``__reason`` …) when the file already has such a column."""
    name = "reason"
    while name in headers:
        name = "_" + name
    return name


def _rejected_rows(outcome: Outcome) -> Iterator[dict[str, Any]]:
    column = _reason_column(outcome.headers)
    for _number, raw, reason in outcome.rejected:
        yield {**{h: normalise.text(raw.get(h)) for h in outcome.headers}, column: reason}


# export --------------------------------------------------------------------------------------

EXPORT_KINDS = {
    "csv": "text/csv",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "json": "application/json",
}


def write_rows(
    headers: list[str],
    rows: Iterable[dict[str, Any]],
    kind: str,
    *,
    notes: dict[str, str] | None = None,
    sheet: str = "use cases",
) -> bytes:
    """Rows as CSV (UTF-8 with BOM, for Excel), XLSX or JSON; spreadsheet formulas neutralised (numbers stay
    numbers: aihq.core.exports)."""
    if kind == "json":
        return json.dumps(list(rows), ensure_ascii=False, indent=1, default=str).encode("utf-8")
    if kind == "xlsx":
        from openpyxl import Workbook

        workbook = Workbook(write_only=True)
        table = workbook.create_sheet(sheet)
        table.append([_xlsx_cell(h) for h in headers])
        for row in rows:
            table.append([_xlsx_cell(row.get(h)) for h in headers])
        if notes:
            described = workbook.create_sheet("columns")
            described.append(["column", "meaning"])
            for column, meaning in notes.items():
                described.append([column, meaning])
        buffer = io.BytesIO()
        workbook.save(buffer)
        return buffer.getvalue()
    buffer_text = io.StringIO()
    writer = csv.writer(buffer_text, lineterminator="\r\n")
    writer.writerow([_cell(h) for h in headers])
    for row in rows:
        writer.writerow([_cell(row.get(h)) for h in headers])
    return ("\ufeff" + buffer_text.getvalue()).encode("utf-8")


def _xlsx_cell(value: Any) -> Any:
    """A cell for a workbook: a number as a number; text as in CSV, less the control characters XLSX cannot hold
    (CSV and JSON keep them)."""
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    if isinstance(value, (int, float, Decimal)) and not isinstance(value, bool) and math.isfinite(value):
        return safe_cell(value)
    return str(ILLEGAL_CHARACTERS_RE.sub("", _cell(value)))


def _cell(value: Any) -> str:
    """A cell as written: text exactly as held (no trimming, so originals round-trip), formulas neutralised by
    the one rule every export follows (``aihq.core.exports.safe_cell``)."""
    if isinstance(value, list):
        value = ";".join(normalise.text(v) for v in value)
    elif not isinstance(value, str):
        value = normalise.text(value)
    return str(safe_cell(value))


EXPORT_CHUNK = 2000


def export_queryset(
    queryset: QuerySet[UseCase],
    format_name: str,
    kind: str | None = None,
    progress: Callable[[int], None] | None = None,
) -> tuple[bytes, str, str]:
    """Use cases as a file: (content, content type, file extension); ``progress`` hears of each 500 rows."""
    fmt = get_format(format_name)
    if kind is None:
        kind = format_name if format_name in EXPORT_KINDS else "csv"
    use_cases = (
        queryset.select_related("organisation__parent").prefetch_related(None).order_by("organisation__code", "id")
    )
    headers = fmt.export_columns()
    rows: list[dict[str, Any]] = []
    iterator = use_cases.iterator(chunk_size=EXPORT_CHUNK)
    while chunk := list(itertools.islice(iterator, EXPORT_CHUNK)):
        # Sector and region codes by use case, two queries a chunk: prefetching made two model instances and a
        # queryset per use case and link, half the time of a national export.
        ids = [use_case.pk for use_case in chunk]
        for name in ("sectors", "regions"):
            codes = registry_selectors.link_codes(ids, name)
            for use_case in chunk:
                setattr(use_case, f"{name}_codes", codes[use_case.pk])
        for use_case in chunk:
            row = fmt.export_row(use_case)
            for column in row:
                if column not in headers:
                    headers.append(column)
            rows.append(row)
            if progress and len(rows) % 500 == 0:
                progress(500)
    if kind == "json" and isinstance(fmt, GenericFormat):
        rows = [_typed(row) for row in rows]
    return write_rows(headers, rows, kind), EXPORT_KINDS[kind], kind


def _typed(row: dict[str, str]) -> dict[str, Any]:
    """A generic row with JSON types: lists for multi-valued fields, booleans, null for blanks."""
    typed: dict[str, Any] = dict(row)
    for name in ("sectors", "regions", "techniques", "tags"):
        typed[name] = [part for part in row[name].split(";") if part]
    for name in ("is_generative", "is_public", "is_high_impact"):
        typed[name] = {"yes": True, "no": False}.get(row[name])
    for name in ("date_initiated", "date_deployed", "date_retired"):
        typed[name] = row[name] or None
    return typed


def template(kind: str) -> bytes:
    """An empty import template in AIHQ's columns, with an example row and (XLSX) the columns explained."""
    example = {
        "reference": "MIN-001",
        "name": "Chatbot for citizens' questions",
        "organisation": "MINTSIFRY",
        "stage": "pilot",
        "sectors": "public-services",
        "regions": "RU-MOW;RU-TA",
        "development_method": "mixed",
        "is_generative": "yes",
        "techniques": "genai;nlp",
        "date_initiated": dt.date(2025, 1, 15).isoformat(),
        "is_public": "no",
        "tags": "chatbot",
    }
    return write_rows(list(COLUMNS), [example], kind, notes=COLUMNS)
