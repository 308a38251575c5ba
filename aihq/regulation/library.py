"""The public incident library: reading the AI Incident Database's export and loading it as PublicIncident rows.

``parse_aiid`` reads the two CSV files of an AIID snapshot into rows and row-level problems and touches
no database; ``import_public_incidents`` is the service that writes them, all or nothing, in bulk, with
one audit event for the whole import (the rows themselves are reference data and not audited one by one).

Cells that should hold a JSON list (``["uber"]``) but hold plain text (``uber`` or ``navya, keolis``) are
read as a comma-separated list, with a warning; a cell that starts like a JSON list but is not valid JSON
is damaged, and is an error.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from aihq.accounts.permissions import require_hq_admin
from aihq.audit.models import AuditAction
from aihq.audit.recorder import append_event
from aihq.core.services import service
from aihq.exchange.formats import Problem
from aihq.exchange.readers import FileProblem, read_table
from aihq.regulation import taxonomy
from aihq.regulation.models import PublicIncident

#: the libraries ``import_incidents`` reads, by format name
FORMATS = ("aiid",)
AIID = "aiid"
AIID_NAME = "AI Incident Database"
INCIDENTS_FILE = "incidents.csv"
CLASSIFICATIONS_FILE = "classifications_MIT.csv"
BATCH = 500

# incidents.csv
ID = "incident_id"
DATE = "date"
REPORTS = "reports"
DEPLOYERS = "Alleged deployer of AI system"
DEVELOPERS = "Alleged developer of AI system"
HARMED = "Alleged harmed or nearly harmed parties"
DESCRIPTION = "description"
TITLE = "title"
INCIDENT_COLUMNS = (ID, DATE, REPORTS, DEPLOYERS, DEVELOPERS, HARMED, DESCRIPTION, TITLE)

# classifications_MIT.csv (Namespace and Published are optional: without them every row is MIT's, published)
C_NAMESPACE = "Namespace"
C_ID = "Incident ID"
C_PUBLISHED = "Published"
C_DOMAIN = "Risk Domain"
C_SUBDOMAIN = "Risk Subdomain"
C_ENTITY = "Entity"
C_TIMING = "Timing"
C_INTENT = "Intent"
CLASSIFICATION_COLUMNS = (C_ID, C_DOMAIN, C_SUBDOMAIN, C_ENTITY, C_TIMING, C_INTENT)

#: PublicIncident fields an import sets (besides source and source_id), in IncidentRow
IMPORT_FIELDS = (
    "date", "title", "description", "deployers", "developers", "harmed_parties", "report_count",
    "mit_domain", "mit_subdomain", "mit_entity", "mit_intent", "mit_timing",
)  # fmt: skip
#: where each field comes from, to name the column in a problem
FIELD_COLUMNS = {
    "source_id": f"{INCIDENTS_FILE}/{ID}",
    "date": f"{INCIDENTS_FILE}/{DATE}",
    "title": f"{INCIDENTS_FILE}/{TITLE}",
    "description": f"{INCIDENTS_FILE}/{DESCRIPTION}",
    "deployers": f"{INCIDENTS_FILE}/{DEPLOYERS}",
    "developers": f"{INCIDENTS_FILE}/{DEVELOPERS}",
    "harmed_parties": f"{INCIDENTS_FILE}/{HARMED}",
    "report_count": f"{INCIDENTS_FILE}/{REPORTS}",
    "mit_domain": f"{CLASSIFICATIONS_FILE}/{C_DOMAIN}",
    "mit_subdomain": f"{CLASSIFICATIONS_FILE}/{C_SUBDOMAIN}",
    "mit_entity": f"{CLASSIFICATIONS_FILE}/{C_ENTITY}",
    "mit_intent": f"{CLASSIFICATIONS_FILE}/{C_INTENT}",
    "mit_timing": f"{CLASSIFICATIONS_FILE}/{C_TIMING}",
}
#: the length limits of the causal-taxonomy fields
_LIMITS = {
    f.name: int(f.max_length or 0)
    for f in PublicIncident._meta.concrete_fields
    if f.name in ("mit_entity", "mit_intent", "mit_timing")
}
_WHOLE_NUMBER = re.compile(r"\d+")
_TRUE = frozenset({"true", "1", "yes"})


def shipped_aiid_directory() -> Path:
    """The AIID snapshot shipped with AIHQ (see its README.md for source, date, licence and attribution)."""
    return Path(__file__).resolve().parent / "data" / "aiid"


@dataclass
class IncidentRow:
    """One incident as read from the files: its CSV row number, AIID id and the PublicIncident values."""

    row: int
    source_id: int
    title: str
    date: dt.date | None = None
    description: str = ""
    deployers: list[str] = field(default_factory=list)
    developers: list[str] = field(default_factory=list)
    harmed_parties: list[str] = field(default_factory=list)
    report_count: int = 0
    mit_domain: str = ""
    mit_subdomain: str = ""
    mit_entity: str = ""
    mit_intent: str = ""
    mit_timing: str = ""
    #: the classifications_MIT.csv row that classified it (0: none)
    classification_row: int = 0

    def values(self) -> dict[str, Any]:
        """The PublicIncident field values (besides source and source_id)."""
        return {name: getattr(self, name) for name in IMPORT_FIELDS}


@dataclass
class ImportOutcome:
    """What an import did (or, in a dry run, would do), and the warnings it met."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0
    problems: list[Problem] = field(default_factory=list)
    dry_run: bool = False
    #: AIID ids of the incidents updated
    updated_ids: list[int] = field(default_factory=list)

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.level == "warning"]

    def as_dict(self) -> dict[str, Any]:
        return {
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "dry_run": self.dry_run,
            "updated_ids": self.updated_ids,
            "problems": [p.as_dict() for p in self.problems],
        }


class RowErrors(Exception):
    """The files have errors: nothing was written; ``problems`` names each one (with the warnings)."""

    def __init__(self, problems: list[Problem]) -> None:
        count = sum(1 for p in problems if p.level == "error")
        super().__init__(
            ngettext(
                "The incident files have %(count)s error; nothing was saved.",
                "The incident files have %(count)s errors; nothing was saved.",
                count,
            )
            % {"count": count}
        )
        self.problems = problems

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.level == "error"]


# names ----------------------------------------------------------------------------------------

# AIID slugs lose capitals; these are the ones worth restoring for display.
_ACRONYMS = frozenset({"ai", "uk", "us", "usa", "eu", "ibm", "gpt", "nhs", "bbc", "nyc", "lapd", "nypd", "pd", "lmu"})
_SMALL_WORDS = frozenset({"of", "and", "the", "for", "in", "on", "at", "to", "de", "a", "an", "by"})
_KNOWN_NAMES = {
    "openai": "OpenAI",
    "youtube": "YouTube",
    "tiktok": "TikTok",
    "xai": "xAI",
    "chatgpt": "ChatGPT",
    "character.ai": "Character.AI",
    "eleutherai": "EleutherAI",
    "elevenlabs": "ElevenLabs",
    "deepmind": "DeepMind",
    "linkedin": "LinkedIn",
    "laion": "LAION",
    "shotspotter": "ShotSpotter",
    "x-(twitter)": "X (Twitter)",
}


def slug_label(slug: str) -> str:
    """An AIID party slug as a name to show: "keolis-north-america" → "Keolis North America"."""
    slug = slug.strip()
    if slug.casefold() in _KNOWN_NAMES:
        return _KNOWN_NAMES[slug.casefold()]
    words = []
    for position, word in enumerate(w for w in slug.split("-") if w):
        lower = word.casefold()
        if lower in _ACRONYMS:
            words.append(word.upper())
        elif position and lower in _SMALL_WORDS:
            words.append(lower)
        elif word.startswith("@"):
            words.append(word)
        else:
            # "(twitter)" → "(Twitter)"
            start = next((i for i, ch in enumerate(word) if ch.isalnum()), 0)
            words.append(word[:start] + word[start : start + 1].upper() + word[start + 1 :])
    return " ".join(words)


# reading --------------------------------------------------------------------------------------


class _Rows:
    """Problems found while reading one file, named by row, file and column."""

    def __init__(self, file: str, problems: list[Problem]) -> None:
        self.file = file
        self.problems = problems

    def error(self, row: int, column: str, value: Any, message: str) -> None:
        self.problems.append(Problem(row, f"{self.file}/{column}", str(value), message, "error"))

    def warn(self, row: int, column: str, value: Any, message: str) -> None:
        self.problems.append(Problem(row, f"{self.file}/{column}", str(value), message, "warning"))

    def whole_number(self, row: int, column: str, raw: str) -> int | None:
        text = raw.strip()
        if not text:
            self.error(row, column, raw, _("The incident id is missing."))
            return None
        if not _WHOLE_NUMBER.fullmatch(text) or int(text) == 0:
            self.error(row, column, raw, _("An incident id must be a whole number above zero, such as 4."))
            return None
        return int(text)

    def json_list(self, row: int, column: str, raw: str) -> list[Any] | None:
        """A cell holding a JSON list; plain text is read as a comma-separated list (a warning); None on error."""
        text = raw.strip()
        if not text:
            return []
        try:
            value = json.loads(text)
        except json.JSONDecodeError as exc:
            if text.startswith("["):
                self.error(
                    row,
                    column,
                    raw,
                    _('This cell should be a JSON list such as ["uber"] but is not valid JSON (%(error)s).')
                    % {"error": exc.msg},
                )
                return None
            self.warn(
                row, column, raw, _('This cell should be a JSON list such as ["uber"]; read it as comma-separated.')
            )
            return [part.strip() for part in text.split(",") if part.strip()]
        if isinstance(value, str):
            self.warn(row, column, raw, _('This cell should be a JSON list such as ["uber"]; read it as one item.'))
            return [value.strip()] if value.strip() else []
        if not isinstance(value, list):
            self.error(
                row,
                column,
                raw,
                _('This cell should be a JSON list such as ["uber"], not %(type)s.') % {"type": type(value).__name__},
            )
            return None
        return value

    def names(self, row: int, column: str, raw: str) -> list[str] | None:
        """A JSON list of party slugs, kept as given (trimmed, empty ones dropped)."""
        items = self.json_list(row, column, raw)
        if items is None:
            return None
        if not all(isinstance(item, str) for item in items):
            self.error(row, column, raw, _("The list should hold names (text) only."))
            return None
        return [item.strip() for item in items if item.strip()]


def _read(path: Path, required: tuple[str, ...], problems: list[Problem]) -> list[tuple[int, dict[str, str]]] | None:
    """The file's rows with their columns named as ``required`` spells them; None (and a problem) if unreadable."""
    if not path.is_file():
        problems.append(Problem(0, path.name, str(path), _("The file %(file)s is missing.") % {"file": path.name}))
        return None
    try:
        table = read_table(path, encoding="utf-8-sig")
        spelled = {header.casefold(): header for header in table.headers}
        missing = [column for column in required if column.casefold() not in spelled]
        if missing:
            problems.append(
                Problem(
                    0,
                    path.name,
                    ", ".join(table.headers)[:200],
                    _("The file %(file)s lacks the column(s): %(columns)s.")
                    % {"file": path.name, "columns": ", ".join(missing)},
                )
            )
            return None
        known = (*required, C_NAMESPACE, C_PUBLISHED)
        wanted = {spelled[column.casefold()]: column for column in known if column.casefold() in spelled}
        return [
            (number, {wanted.get(name, name): "" if value is None else str(value) for name, value in raw.items()})
            for number, raw in table.rows
        ]
    except (FileProblem, OSError) as exc:
        problems.append(
            Problem(
                0, path.name, str(path), _("%(file)s cannot be read: %(error)s") % {"file": path.name, "error": exc}
            )
        )
        return None


def _incident(number: int, raw: dict[str, str], rows: _Rows) -> IncidentRow | None:
    before = len(rows.problems)
    source_id = rows.whole_number(number, ID, raw[ID])
    title = raw[TITLE].strip()
    if not title:
        rows.error(number, TITLE, raw[TITLE], _("The incident has no title."))
    date = None
    if raw[DATE].strip():
        try:
            date = dt.date.fromisoformat(raw[DATE].strip())
        except ValueError:
            rows.warn(
                number, DATE, raw[DATE], _("Not a date in the form 2018-03-18; the incident is kept without one.")
            )
    deployers = rows.names(number, DEPLOYERS, raw[DEPLOYERS])
    developers = rows.names(number, DEVELOPERS, raw[DEVELOPERS])
    harmed = rows.names(number, HARMED, raw[HARMED])
    reports = rows.json_list(number, REPORTS, raw[REPORTS])
    if (
        source_id is None
        or deployers is None
        or developers is None
        or harmed is None
        or reports is None
        or any(p.level == "error" for p in rows.problems[before:])
    ):
        return None
    return IncidentRow(
        row=number,
        source_id=source_id,
        title=title,
        date=date,
        description=raw[DESCRIPTION].strip(),
        deployers=deployers,
        developers=developers,
        harmed_parties=harmed,
        report_count=len(reports),
    )


def _short(rows: _Rows, number: int, column: str, raw: str, model_field: str) -> str:
    """A causal-taxonomy value (AI, Post-deployment, …) as given, or blank with a warning when it cannot fit."""
    text = raw.strip()
    limit = _LIMITS[model_field]
    if len(text) > limit:
        rows.warn(number, column, raw, _("Longer than %(limit)s characters; left blank.") % {"limit": limit})
        return ""
    return text


def _classify(number: int, raw: dict[str, str], incident: IncidentRow, rows: _Rows) -> None:
    """Set the incident's MIT domain, subdomain, entity, intent and timing from a classification row."""
    domain_label, subdomain_label = raw[C_DOMAIN].strip(), raw[C_SUBDOMAIN].strip()
    domain = taxonomy.code_from_label(domain_label)
    if domain_label and (not domain or "." in domain):
        rows.warn(number, C_DOMAIN, domain_label, _("Not an MIT risk domain; left blank."))
        domain = ""
    subdomain = taxonomy.code_from_label(subdomain_label)
    if subdomain_label and "." not in subdomain:
        rows.warn(number, C_SUBDOMAIN, subdomain_label, _("Not an MIT risk subdomain; left blank."))
        subdomain = ""
    if subdomain and domain and not subdomain.startswith(domain + "."):
        rows.warn(
            number,
            C_SUBDOMAIN,
            subdomain_label,
            _("Subdomain %(subdomain)s is not in domain %(domain)s; left blank.")
            % {"subdomain": subdomain, "domain": domain},
        )
        subdomain = ""
    incident.mit_domain = domain or subdomain.split(".", 1)[0]
    incident.mit_subdomain = subdomain
    incident.mit_entity = _short(rows, number, C_ENTITY, raw[C_ENTITY], "mit_entity")
    incident.mit_timing = _short(rows, number, C_TIMING, raw[C_TIMING], "mit_timing")
    incident.mit_intent = _short(rows, number, C_INTENT, raw[C_INTENT], "mit_intent")
    incident.classification_row = number


def parse_aiid(directory: Path) -> tuple[list[IncidentRow], list[Problem]]:
    """Read an AIID snapshot (``incidents.csv`` and ``classifications_MIT.csv``) into incidents and problems.

    Problems name the CSV row (the header is row 1; 0 for the file as a whole), the file and column, and
    the value. Errors: a missing or unreadable file, a missing column, a missing, invalid or repeated
    incident id, no title, a damaged list cell, two classifications of one incident. Warnings (the row is
    kept): a bad date (left empty), a list cell in plain text, an unknown MIT label (left blank), a
    classification of an unknown incident, an unpublished or non-MIT classification (both ignored).
    """
    directory = Path(directory)
    problems: list[Problem] = []
    if not directory.is_dir():
        problems.append(
            Problem(
                0, "directory", str(directory), _("The directory %(path)s does not exist.") % {"path": str(directory)}
            )
        )
        return [], problems
    incident_rows = _read(directory / INCIDENTS_FILE, INCIDENT_COLUMNS, problems)
    classification_rows = _read(directory / CLASSIFICATIONS_FILE, CLASSIFICATION_COLUMNS, problems)
    incidents: dict[int, IncidentRow] = {}
    seen: dict[int, int] = {}
    reader = _Rows(INCIDENTS_FILE, problems)
    for number, raw in incident_rows or []:
        incident = _incident(number, raw, reader)
        if incident is None:
            # Still claim a readable id, so a later row repeating it is reported too.
            text = raw[ID].strip()
            if _WHOLE_NUMBER.fullmatch(text):
                seen.setdefault(int(text), number)
            continue
        if incident.source_id in seen:
            reader.error(
                number,
                ID,
                raw[ID],
                _("Incident %(id)s already appears in row %(row)s.")
                % {"id": incident.source_id, "row": seen[incident.source_id]},
            )
            continue
        seen[incident.source_id] = number
        incidents[incident.source_id] = incident
    classifier = _Rows(CLASSIFICATIONS_FILE, problems)
    for number, raw in classification_rows or []:
        namespace = raw.get(C_NAMESPACE, "MIT").strip()
        if namespace and namespace != "MIT":
            classifier.warn(number, C_NAMESPACE, namespace, _("Not an MIT classification; ignored."))
            continue
        published = raw.get(C_PUBLISHED, "True").strip()
        if published and published.casefold() not in _TRUE:
            classifier.warn(number, C_PUBLISHED, published, _("Not published; ignored."))
            continue
        source_id = classifier.whole_number(number, C_ID, raw[C_ID])
        if source_id is None:
            continue
        incident = incidents.get(source_id)
        if incident is None:
            if incident_rows is not None and source_id not in seen:
                classifier.warn(
                    number,
                    C_ID,
                    raw[C_ID],
                    _("No incident %(id)s in %(file)s; ignored.") % {"id": source_id, "file": INCIDENTS_FILE},
                )
            continue
        if incident.classification_row:
            classifier.error(
                number,
                C_ID,
                raw[C_ID],
                _("Incident %(id)s is already classified in row %(row)s.")
                % {"id": source_id, "row": incident.classification_row},
            )
            continue
        _classify(number, raw, incident, classifier)
    return list(incidents.values()), problems


# writing --------------------------------------------------------------------------------------


def _fingerprints(directory: Path) -> dict[str, str]:
    return {
        name: hashlib.sha256((directory / name).read_bytes()).hexdigest()
        for name in (INCIDENTS_FILE, CLASSIFICATIONS_FILE)
    }


def _validation_problems(pairs: list[tuple[IncidentRow, PublicIncident]]) -> list[Problem]:
    """What the model's own field validation refuses (a title too long, say), per row."""
    problems: list[Problem] = []
    for row, incident in pairs:
        try:
            incident.clean_fields()
        except ValidationError as exc:
            for name, messages in exc.message_dict.items():
                number = row.classification_row if name.startswith("mit_") else row.row
                value = getattr(incident, name, "")
                for message in messages:
                    problems.append(Problem(number, FIELD_COLUMNS.get(name, name), str(value), message))
    return problems


@service
def import_public_incidents(*, actor: Any, directory: Path, dry_run: bool = False) -> ImportOutcome:
    """Load an AIID snapshot into the public incident library: new incidents are added, changed ones updated
    in place, the rest left alone (so a second run of the same files changes nothing).

    HQ admins only. All or nothing: on any error nothing is written and ``RowErrors`` names every problem.
    A dry run checks and counts but writes nothing. Incidents no longer in the files are kept.
    """
    require_hq_admin(actor, _("Only HQ admins can import the public incident library."))
    directory = Path(directory)
    rows, problems = parse_aiid(directory)
    if any(p.level == "error" for p in problems):
        raise RowErrors(problems)
    outcome = ImportOutcome(problems=problems, dry_run=dry_run)
    existing = {
        incident.source_id: incident
        for incident in PublicIncident.objects.select_for_update().filter(source=AIID).order_by()
    }
    before = len(existing)
    creates: list[tuple[IncidentRow, PublicIncident]] = []
    updates: list[tuple[IncidentRow, PublicIncident]] = []
    changed_fields: set[str] = set()
    for row in rows:
        values = row.values()
        current = existing.get(row.source_id)
        if current is None:
            creates.append((row, PublicIncident(source=AIID, source_id=row.source_id, **values)))
            continue
        changed = [name for name, value in values.items() if getattr(current, name) != value]
        if not changed:
            outcome.unchanged += 1
            continue
        for name in changed:
            setattr(current, name, values[name])
        changed_fields.update(changed)
        updates.append((row, current))
    invalid = _validation_problems(creates + updates)
    if invalid:
        raise RowErrors(problems + invalid)
    outcome.created, outcome.updated = len(creates), len(updates)
    outcome.updated_ids = sorted(row.source_id for row, _incident in updates)
    if dry_run:
        return outcome
    now = timezone.now()
    PublicIncident.objects.bulk_create([incident for _row, incident in creates], batch_size=BATCH)
    for _row, incident in updates:
        incident.updated_at = now
    if updates:
        PublicIncident.objects.bulk_update(
            [incident for _row, incident in updates], [*sorted(changed_fields), "updated_at"], batch_size=BATCH
        )
    # One event for the import: the rows are reference data, re-importable from the files it names.
    append_event(
        instance=PublicIncident(source=AIID),
        action=AuditAction.CREATE if before == 0 else AuditAction.UPDATE,
        before={"source": AIID, "incidents": before} if before else None,
        after={
            "source": AIID,
            "source_name": AIID_NAME,
            "directory": str(directory),
            "files": _fingerprints(directory),
            "incidents": before + outcome.created,
            "created": outcome.created,
            "updated": outcome.updated,
            "unchanged": outcome.unchanged,
            "warnings": len(outcome.warnings),
            "updated_ids": outcome.updated_ids[:1000],
        },
        object_id=AIID,
        object_repr=(
            f"{AIID_NAME} import: {outcome.created} created, {outcome.updated} updated, {outcome.unchanged} unchanged"
        ),
    )
    return outcome
