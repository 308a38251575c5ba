"""CycloneDX 1.6 JSON AI-BOMs: read one into AIHQ's component types, write one from them, check either against
the official schema shipped in ``schema/`` (offline: every ``$ref`` is resolved from those files, never fetched).

AIHQ type ↔ CycloneDX: model ↔ ``machine-learning-model``; dataset ↔ ``data``; framework ↔ ``library`` (reading
also takes ``framework``); cloud ↔ ``platform``; hardware ↔ ``device``; api_service ↔ an entry of the top-level
``services`` array (CycloneDX has no service component type). AIHQ's own fields travel as ``aihq:`` properties.

Versions: ``specVersion`` "1.6" is read; "1.5" is read with a warning and checked against the 1.6 schema (1.6
only added to 1.5, so a valid 1.5 BOM passes, and one that does not is refused by that check); anything else
is refused.

Pure functions of values: the only project import is ``Problem``. Messages are English unless the caller passes
``gettext`` (Django's, for the active language); their templates are marked with ``_`` for ``makemessages``.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import re
import uuid
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pycountry
from jsonschema import Draft7Validator, FormatChecker  # type: ignore[import-untyped]
from jsonschema.exceptions import best_match  # type: ignore[import-untyped]
from jsonschema.protocols import Validator  # type: ignore[import-untyped]
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT7

from aihq.exchange.formats.base import Problem

SPEC_VERSION = "1.6"
SCHEMA_DIR = Path(__file__).resolve().parent / "schema"
BOM_SCHEMA = "bom-1.6.schema.json"
SCHEMA_FILES = (BOM_SCHEMA, "spdx.schema.json", "jsf-0.82.schema.json")
SCHEMA_URL = "http://cyclonedx.org/schema/bom-1.6.schema.json"

AIHQ_TYPES = ("model", "dataset", "framework", "cloud", "hardware", "api_service")
SERVICE = "api_service"
CDX_SERVICE = "service"  # BomComponent.cdx_type of an entry of ``services``
TO_CDX = {
    "model": "machine-learning-model",
    "dataset": "data",
    "framework": "library",
    "cloud": "platform",
    "hardware": "device",
}
FROM_CDX = {cdx: aihq for aihq, cdx in TO_CDX.items()} | {"framework": "framework"}

PREFIX = "aihq:"
HOSTING = ("on_premises", "domestic_cloud", "foreign_cloud")
REPLACEABILITY = ("drop_in", "effort", "none")
CRITICALITY = ("critical", "important", "minor")
# ExportComponent field → property name, in the order they are written.
PROPERTIES = {
    "role": "aihq:role",
    "criticality": "aihq:criticality",
    "hosting": "aihq:hosting",
    "replaceability": "aihq:replaceability",
    "alternatives": "aihq:alternatives",
    "switch_cost": "aihq:switch-cost",
    "model_family": "aihq:model-family",
    "open_weights": "aihq:open-weights",
}
CHOICES = {
    "aihq:hosting": HOSTING,
    "aihq:replaceability": REPLACEABILITY,
    "aihq:criticality": CRITICALITY,
    "aihq:open-weights": ("true", "false"),
}

_BOOL = {"true": True, "false": False}
_PATH_ROW = re.compile(r"(?:components|services)\[(\d+)\]")
_RFC3339 = re.compile(r"(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(?:\.\d+)?(?:[Zz]|[+-](\d{2}):(\d{2}))")
_URI_CHAR = r"(?:[A-Za-z0-9\-._~!$&'()*+,;=:@/?#\[\]]|%[0-9A-Fa-f]{2})"
_URI = re.compile(rf"[A-Za-z][A-Za-z0-9+.-]*:{_URI_CHAR}*")
_IRI_REFERENCE = re.compile(r"(?:[^\x00-\x20\x7f-\x9f<>\"{}|\\^`%]|%[0-9A-Fa-f]{2})*")
_NOT_IDSTRING = re.compile(r"[^A-Za-z0-9.]+")
_LICENSE_REF = re.compile(r"LicenseRef-[A-Za-z0-9.-]+")
_NOT_REF = re.compile(r"[^A-Za-z0-9._:-]+")


def _(message: str) -> str:
    """Mark a message template for translation; it is translated when a problem is reported."""
    return message


class InvalidBom(ValueError):
    """A BOM built from AIHQ data does not follow the CycloneDX 1.6 schema (the messages say where)."""

    def __init__(self, messages: Sequence[str]) -> None:
        super().__init__("; ".join(messages))
        self.messages = list(messages)


@dataclass(frozen=True)
class Organisation:
    """A supplier, manufacturer or provider: name, ISO 3166-1 alpha-2 country (upper case, or ""), first URL."""

    name: str
    country: str = ""
    url: str = ""


@dataclass(frozen=True)
class BomComponent:
    """One component or service read from a BOM, in AIHQ's terms, with the JSON object it came from."""

    bom_ref: str
    type: str
    cdx_type: str
    name: str
    version: str
    group: str
    description: str
    supplier: Organisation | None
    supplier_from: str  # "supplier", "manufacturer", "provider" (services) or "" when there is none
    licence: str
    open_weights: bool | None
    model_card: dict[str, Any] | None
    properties: dict[str, str]
    raw: dict[str, Any]
    path: str = ""  # where it is in the document, e.g. "components[3].components[0]"
    row: int = 0  # 1-based index of the top-level entry it is in (as in Problem.row)

    @property
    def hosting(self) -> str:
        return self.properties.get("aihq:hosting", "")

    @property
    def replaceability(self) -> str:
        return self.properties.get("aihq:replaceability", "")

    @property
    def criticality(self) -> str:
        return self.properties.get("aihq:criticality", "")

    @property
    def role(self) -> str:
        return self.properties.get("aihq:role", "")

    @property
    def alternatives(self) -> str:
        return self.properties.get("aihq:alternatives", "")

    @property
    def model_family(self) -> str:
        return self.properties.get("aihq:model-family", "")

    @property
    def switch_cost(self) -> str:
        return self.properties.get("aihq:switch-cost", "")


@dataclass(frozen=True)
class ParsedBom:
    """What a CycloneDX document holds for AIHQ, and what is wrong (errors) or was adjusted (warnings)."""

    spec_version: str
    serial_number: str
    subject_name: str
    components: tuple[BomComponent, ...]
    dependencies: dict[str, tuple[str, ...]]
    problems: tuple[Problem, ...]
    subject_ref: str = ""

    @property
    def errors(self) -> tuple[Problem, ...]:
        return tuple(p for p in self.problems if p.level == "error")

    @property
    def warnings(self) -> tuple[Problem, ...]:
        return tuple(p for p in self.problems if p.level == "warning")


@dataclass
class ExportComponent:
    """What AIHQ stores about one component of a use case's AI-BOM, ready to be written as CycloneDX."""

    type: str
    name: str
    version: str = ""
    group: str = ""
    description: str = ""
    supplier: Organisation | None = None
    licence: str = ""
    open_weights: bool | None = None
    model_card: dict[str, Any] | None = None
    hosting: str = ""
    replaceability: str = ""
    criticality: str = ""
    role: str = ""
    alternatives: str = ""
    model_family: str = ""
    switch_cost: str = ""
    bom_ref: str = ""

    @classmethod
    def from_parsed(cls, component: BomComponent) -> ExportComponent:
        """The AIHQ fields of a component read from a BOM (what an import stores)."""
        return cls(
            type=component.type,
            name=component.name,
            version=component.version,
            group=component.group,
            description=component.description,
            supplier=component.supplier,
            licence=component.licence,
            open_weights=component.open_weights,
            model_card=component.model_card,
            hosting=component.hosting,
            replaceability=component.replaceability,
            criticality=component.criticality,
            role=component.role,
            alternatives=component.alternatives,
            model_family=component.model_family,
            switch_cost=component.switch_cost,
            bom_ref=component.bom_ref,
        )


# --- the schema -------------------------------------------------------------------------------------------


def _load_schema(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((SCHEMA_DIR / name).read_text(encoding="utf-8"))
    return data


def _is_date_time(value: object) -> bool:
    """RFC 3339 date-time (JSON Schema's "date-time"): jsonschema checks it only with an extra package."""
    if not isinstance(value, str):
        return True
    match = _RFC3339.fullmatch(value)
    if match is None:
        return False
    year, month, day, hour, minute, second = (int(g) for g in match.groups()[:6])
    try:
        dt.datetime(year, month, day, hour, minute, min(second, 59))  # RFC 3339 allows a leap second (60)
    except ValueError:
        return False
    offset_ok = match.group(7) is None or (int(match.group(7)) <= 23 and int(match.group(8)) <= 59)
    return second <= 60 and offset_ok


def _is_uri(value: object) -> bool:
    """RFC 3986 URI (absolute): the JSF schema tells algorithm names from URIs by it, so it must be checked."""
    return not isinstance(value, str) or _URI.fullmatch(value) is not None


def _is_iri_reference(value: object) -> bool:
    """RFC 3987 IRI-reference, by its characters: no spaces, controls or characters IRIs exclude."""
    return not isinstance(value, str) or _IRI_REFERENCE.fullmatch(value) is not None


def _format_checker() -> FormatChecker:
    checker = FormatChecker(formats=())
    checker.checkers = dict(Draft7Validator.FORMAT_CHECKER.checkers)  # what draft 7 checks with no extra package
    checker.checks("date-time")(_is_date_time)
    checker.checks("uri")(_is_uri)
    checker.checks("iri-reference")(_is_iri_reference)
    return checker


def schema_registry() -> Registry[Any]:
    """The shipped schema files by their ``$id``; a ``$ref`` to anything else fails instead of being fetched."""
    resources = []
    for name in SCHEMA_FILES:
        contents = _load_schema(name)
        resources.append((contents["$id"], Resource.from_contents(contents, default_specification=DRAFT7)))
    return Registry().with_resources(resources)


@functools.cache
def _validator() -> Validator:
    return Draft7Validator(_load_schema(BOM_SCHEMA), registry=schema_registry(), format_checker=_format_checker())


@functools.cache
def spdx_ids() -> dict[str, str]:
    """SPDX licence and exception ids known to the shipped schema, by lower-case id."""
    return {value.lower(): value for value in _load_schema("spdx.schema.json")["enum"]}


@functools.cache
def _cdx_component_types() -> frozenset[str]:
    return frozenset(_load_schema(BOM_SCHEMA)["definitions"]["component"]["properties"]["type"]["enum"])


def json_path(parts: Sequence[str | int]) -> str:
    """``["components", 2, "supplier"]`` → ``components[2].supplier``; the document itself is "document"."""
    text = ""
    for part in parts:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text or "document"


def _row(path: str) -> int:
    match = _PATH_ROW.match(path)
    return int(match.group(1)) + 1 if match else 0


def _short(value: Any) -> str:
    if value is None:
        return ""
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
    return text if len(text) <= 200 else text[:199] + "…"


def _schema_findings(document: Any) -> list[tuple[str, str, str]]:
    """Every place the document breaks the schema: (JSON path, offending value, message), in path order."""
    found: dict[tuple[str, str], str] = {}
    for error in _validator().iter_errors(document):
        error = best_match([error]) or error  # a failed oneOf/anyOf: name the branch that came closest
        parts = list(error.absolute_path)
        value = _short(error.instance)
        if error.validator == "required" and isinstance(error.instance, dict):
            missing = next(
                (
                    p
                    for p in error.validator_value
                    if p not in error.instance and f"{p!r} is a required" in error.message
                ),
                None,
            )
            if missing is not None:
                parts.append(missing)
                value = ""
        message = error.message if len(error.message) <= 300 else error.message[:299] + "…"
        found.setdefault((json_path(parts), message), value)
    return sorted(((path, value, message) for (path, message), value in found.items()), key=_path_key)


def _path_key(item: tuple[str, str, str]) -> tuple[int, str]:
    return _row(item[0]), item[0]


def validate(document: Mapping[str, Any]) -> list[str]:
    """Schema errors of a CycloneDX 1.6 document as "path: message" (empty when it is valid)."""
    return [f"{path}: {message}" for path, _value, message in _schema_findings(document)]


# --- reading ----------------------------------------------------------------------------------------------


class _Report:
    def __init__(self, gettext: Callable[[str], str] | None) -> None:
        self.problems: list[Problem] = []
        self._gettext = gettext or _

    def add(self, level: str, where: str, offending: Any, message: str, **params: Any) -> None:
        text = self._gettext(message)
        self.problems.append(Problem(_row(where), where, _short(offending), text % params if params else text, level))

    def error(self, where: str, offending: Any, message: str, **params: Any) -> None:
        self.add("error", where, offending, message, **params)

    def warn(self, where: str, offending: Any, message: str, **params: Any) -> None:
        self.add("warning", where, offending, message, **params)


def _text(value: Any) -> str:
    return value.strip() if isinstance(value, str) else ""


#: The most components and services (nested ones included) one AI-BOM may hold: the schema's uniqueness
#: checks take time growing with the square of the count, and an AI system's BOM is far smaller.
MAX_COMPONENTS = 1000


def _lists(node: Mapping[str, Any]) -> list[Any]:
    found: list[Any] = []
    for key in ("components", "services"):
        value = node.get(key)
        if isinstance(value, list):
            found.extend(value)
    return found


def _entries(document: Mapping[str, Any]) -> Iterator[Any]:
    stack = _lists(document)
    while stack:
        item = stack.pop()
        yield item
        if isinstance(item, dict):
            stack.extend(_lists(item))


def _decode(content: bytes | str | Mapping[str, Any], report: _Report) -> dict[str, Any] | None:
    if isinstance(content, Mapping):
        return dict(content)
    if isinstance(content, bytes):
        try:
            content = content.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            report.error(
                "file",
                "",
                _("The file is not UTF-8 text (byte %(position)s), so it is not CycloneDX JSON."),
                position=exc.start,
            )
            return None
    try:
        data = json.loads(content)
    except json.JSONDecodeError as exc:
        report.error(
            "file",
            exc.doc[max(exc.pos - 20, 0) : exc.pos + 20],
            _("The file is not valid JSON: %(problem)s at line %(line)s, column %(column)s."),
            problem=exc.msg,
            line=exc.lineno,
            column=exc.colno,
        )
        return None
    except RecursionError:
        report.error("file", "", _("The file is JSON nested too deeply to read."))
        return None
    if not isinstance(data, dict):
        report.error("file", data, _("The file holds JSON, but not an object: a CycloneDX BOM is a JSON object."))
        return None
    return data


def _country(value: Any, path: str, report: _Report) -> str:
    """ISO 3166-1 alpha-2, upper case; CycloneDX also allows a country name, which is converted with a warning."""
    text = _text(value)
    if not text:
        return ""
    if len(text) == 2 and text.isalpha():
        found = pycountry.countries.get(alpha_2=text.upper())
    else:
        try:
            found = pycountry.countries.lookup(text)
        except LookupError:
            found = None
        if found is not None:
            report.warn(
                path, text, _("Country %(value)s read as the ISO 3166-1 code %(code)s."), value=text, code=found.alpha_2
            )
    if found is None:
        report.error(
            path,
            text,
            _("%(value)s is not an ISO 3166-1 country: use the two-letter code, such as RU or US."),
            value=text,
        )
        return ""
    return str(found.alpha_2)


def _organisation(entity: Any, path: str, report: _Report) -> Organisation | None:
    if not isinstance(entity, dict):
        return None
    address = entity.get("address")
    country = _country(address.get("country"), f"{path}.address.country", report) if isinstance(address, dict) else ""
    urls = entity.get("url")  # an array in CycloneDX; a lone string is taken too
    if isinstance(urls, str):
        urls = [urls]
    url = next((u for u in urls if isinstance(u, str)), "") if isinstance(urls, list) else ""
    return Organisation(name=_text(entity.get("name")), country=country, url=url.strip())


def _licence_name(name: str) -> str:
    if _LICENSE_REF.fullmatch(name):
        return name
    known = spdx_ids().get(name.lower())
    if known:
        return known
    return "LicenseRef-" + (_NOT_IDSTRING.sub("-", name).strip("-") or "unnamed")


def _licence(licences: Any) -> str:
    """One SPDX expression: an ``expression`` as is, ``license.id``s and named licences joined with AND."""
    if not isinstance(licences, list):
        return ""
    parts: list[str] = []
    for entry in licences:
        if not isinstance(entry, dict):
            continue
        if _text(entry.get("expression")):
            parts.append(_text(entry.get("expression")))
        licence = entry.get("license")
        if isinstance(licence, dict):
            if _text(licence.get("id")):
                parts.append(_text(licence.get("id")))
            elif _text(licence.get("name")):
                parts.append(_licence_name(_text(licence.get("name"))))
    parts = list(dict.fromkeys(parts))
    if len(parts) > 1:  # "MIT OR Apache-2.0" joined to another stays one operand
        parts = [f"({p})" if " " in p else p for p in parts]
    return " AND ".join(parts)


def _properties(entries: Any, path: str, report: _Report) -> dict[str, str]:
    found: dict[str, str] = {}
    if not isinstance(entries, list):
        return found
    for i, entry in enumerate(entries):
        if not isinstance(entry, dict) or not isinstance(entry.get("name"), str):
            continue
        name, value = entry["name"], _text(entry.get("value"))
        where = f"{path}.properties[{i}].value"
        if name in found and found[name] != value:  # CycloneDX allows repeats; AIHQ keeps them all
            found[name] = f"{found[name]}\n{value}"
            if name in CHOICES:
                report.error(where, value, _("%(name)s is given twice with different values."), name=name)
            continue
        found[name] = value
        if name in CHOICES and value not in CHOICES[name]:
            report.error(
                where,
                value,
                _("%(value)s is not a value of %(name)s: use one of %(choices)s."),
                value=value,
                name=name,
                choices=", ".join(CHOICES[name]),
            )
        elif name.startswith(PREFIX) and name not in CHOICES and name not in PROPERTIES.values():
            report.warn(
                f"{path}.properties[{i}].name", name, _("%(name)s is not a property AIHQ knows; kept as is."), name=name
            )
    return found


def _component(raw: dict[str, Any], path: str, is_service: bool, report: _Report) -> BomComponent | None:
    cdx_type = CDX_SERVICE if is_service else _text(raw.get("type"))
    aihq_type = SERVICE if is_service else FROM_CDX.get(cdx_type)
    if aihq_type is None:  # skipped, so what is inside is not checked either
        if cdx_type in _cdx_component_types():  # a type the schema does not know is already a schema error
            report.warn(
                f"{path}.type",
                cdx_type,
                _("A component of type %(type)s is not part of an AI-BOM; skipped."),
                type=cdx_type,
            )
        return None
    name = _text(raw.get("name"))
    if "name" in raw and not name:
        report.error(f"{path}.name", raw.get("name"), _("The name is empty: every component needs a name."))
    supplier, supplier_from = None, ""
    for key in ("provider",) if is_service else ("supplier", "manufacturer"):
        organisation = _organisation(raw.get(key), f"{path}.{key}", report)
        if organisation is not None and supplier is None:
            supplier, supplier_from = organisation, key
    properties = _properties(raw.get("properties"), path, report)
    model_card = raw.get("modelCard")
    return BomComponent(
        bom_ref=_text(raw.get("bom-ref")),
        type=aihq_type,
        cdx_type=cdx_type,
        name=name,
        version=_text(raw.get("version")),
        group=_text(raw.get("group")),
        description=_text(raw.get("description")),
        supplier=supplier,
        supplier_from=supplier_from,
        licence=_licence(raw.get("licenses")),
        open_weights=_BOOL.get(properties.get("aihq:open-weights", "")),
        model_card=model_card if isinstance(model_card, dict) else None,
        properties=properties,
        raw=raw,
        path=path,
        row=_row(path),
    )


def _walk(items: Any, prefix: str, is_service: bool, report: _Report) -> Iterator[BomComponent]:
    """Components (or services) and those nested in them, flattened in document order."""
    if not isinstance(items, list):
        return
    for i, raw in enumerate(items):
        path = f"{prefix}[{i}]"
        if not isinstance(raw, dict):
            continue
        component = _component(raw, path, is_service, report)
        if component is not None:
            yield component
        yield from _walk(
            raw.get("services" if is_service else "components"),
            f"{path}.{'services' if is_service else 'components'}",
            is_service,
            report,
        )


def _bom_refs(node: Any, parts: tuple[str | int, ...] = ()) -> Iterator[tuple[str, str]]:
    """Every ``bom-ref`` in the document with its path: the spec wants them unique across the whole BOM."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "bom-ref" and isinstance(value, str):
                yield json_path((*parts, key)), value
            else:
                yield from _bom_refs(value, (*parts, key))
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from _bom_refs(value, (*parts, i))


def _dependencies(document: dict[str, Any], known: set[str], report: _Report) -> dict[str, tuple[str, ...]]:
    found: dict[str, tuple[str, ...]] = {}
    entries = document.get("dependencies")
    if not isinstance(entries, list):
        return found
    for i, entry in enumerate(entries):
        if not isinstance(entry, dict) or not _text(entry.get("ref")):
            continue
        ref = _text(entry.get("ref"))
        depends = [d for d in entry.get("dependsOn") or [] if isinstance(d, str)]
        for j, target in enumerate([ref, *depends]):
            if target not in known and not target.startswith("urn:cdx:"):  # a BOM-Link points at another BOM
                where = f"dependencies[{i}].ref" if j == 0 else f"dependencies[{i}].dependsOn[{j - 1}]"
                report.warn(
                    where, target, _("No component or service in this BOM has the bom-ref %(ref)s."), ref=target
                )
        found[ref] = tuple(dict.fromkeys([*found.get(ref, ()), *depends]))
    return found


def parse_bom(content: bytes | str | Mapping[str, Any], *, gettext: Callable[[str], str] | None = None) -> ParsedBom:
    """Read a CycloneDX 1.6 JSON AI-BOM (bytes, text or an already decoded object).

    Problems name the place: ``row`` is the 1-based index of the top-level ``components``/``services`` entry
    the problem is in (0 for the rest of the document), ``field`` its JSON path. A BOM with errors is still read
    as far as it goes, for a preview; import it only when ``errors`` is empty.
    """
    report = _Report(gettext)
    document = _decode(content, report)
    if document is None:
        return ParsedBom("", "", "", (), {}, tuple(report.problems))
    spec_version = document.get("specVersion")
    refused = document.get("bomFormat") != "CycloneDX" or spec_version not in (SPEC_VERSION, "1.5")
    if document.get("bomFormat") != "CycloneDX":
        report.error(
            "bomFormat", document.get("bomFormat"), _('This is not a CycloneDX BOM: bomFormat must be "CycloneDX".')
        )
    elif spec_version == "1.5":
        report.warn("specVersion", spec_version, _("A CycloneDX 1.5 BOM: read as 1.6, which only adds to 1.5."))
    elif spec_version != SPEC_VERSION:
        report.error(
            "specVersion",
            spec_version,
            _("CycloneDX %(version)s is not supported: export the BOM as CycloneDX 1.6 JSON."),
            version=_short(spec_version) or "?",
        )
    if refused:
        return ParsedBom(_short(spec_version), "", "", (), {}, tuple(report.problems))
    count = sum(1 for _ref in _entries(document))
    if count > MAX_COMPONENTS:
        report.error(
            "components",
            str(count),
            _("The BOM lists %(count)s components and services; AIHQ takes at most %(limit)s per use case."),
            count=count,
            limit=MAX_COMPONENTS,
        )
        return ParsedBom(_short(spec_version), "", "", (), {}, tuple(report.problems))

    for path, value, message in _schema_findings(document):
        report.error(path, value, _("Does not follow the CycloneDX 1.6 schema: %(detail)s"), detail=message)

    seen: dict[str, str] = {}
    for path, ref in _bom_refs(document):
        if ref in seen:
            report.error(
                path,
                ref,
                _("The bom-ref %(ref)s is used twice (first at %(first)s); each must be unique."),
                ref=ref,
                first=seen[ref],
            )
        seen.setdefault(ref, path)

    components = (
        *_walk(document.get("components"), "components", False, report),
        *_walk(document.get("services"), "services", True, report),
    )
    dependencies = _dependencies(document, set(seen), report)
    metadata = document.get("metadata")
    subject = metadata.get("component") if isinstance(metadata, dict) else None
    if not isinstance(subject, dict):
        subject = {}
    problems = sorted(report.problems, key=lambda p: (p.row, p.level != "error"))  # stable: document order within
    return ParsedBom(
        spec_version=str(spec_version),
        serial_number=_text(document.get("serialNumber")),
        subject_name=_text(subject.get("name")),
        components=components,
        dependencies=dependencies,
        problems=tuple(problems),
        subject_ref=_text(subject.get("bom-ref")),
    )


# --- writing ----------------------------------------------------------------------------------------------


def _organisation_out(organisation: Organisation) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if organisation.name:
        out["name"] = organisation.name
    if organisation.url:
        out["url"] = [organisation.url]
    if organisation.country:
        out["address"] = {"country": organisation.country.upper()}
    return out


def _licences_out(licence: str) -> list[dict[str, Any]]:
    licence = licence.strip()
    if spdx_ids().get(licence.lower()) == licence:
        return [{"license": {"id": licence}}]
    return [{"expression": licence}]


def _properties_out(component: ExportComponent) -> list[dict[str, str]]:
    out = []
    for attribute, name in PROPERTIES.items():
        value = getattr(component, attribute)
        if isinstance(value, bool):
            value = "true" if value else "false"
        if value is None or value == "":
            continue
        if name in CHOICES and value not in CHOICES[name]:
            raise ValueError(f"{name} cannot be {value!r}; use one of {', '.join(CHOICES[name])}")
        out.append({"name": name, "value": str(value)})
    return out


def _ref_for(component: ExportComponent, taken: set[str]) -> str:
    ref = component.bom_ref or _NOT_REF.sub("-", f"{component.type}:{component.name}".lower()).strip("-") + (
        f"@{component.version}" if component.version else ""
    )
    if component.bom_ref and ref in taken:
        raise ValueError(f"bom-ref {ref!r} is used twice")
    base, n = ref, 2
    while ref in taken:  # generated refs of same-named components stay unique
        ref, n = f"{base}-{n}", n + 1
    taken.add(ref)
    return ref


def _component_out(component: ExportComponent, ref: str) -> dict[str, Any]:
    is_service = component.type == SERVICE
    out: dict[str, Any] = {} if is_service else {"type": TO_CDX[component.type]}
    out["bom-ref"] = ref
    if component.supplier is not None:
        out["provider" if is_service else "supplier"] = _organisation_out(component.supplier)
    for key in ("group", "name", "version", "description"):
        if getattr(component, key) or key == "name":
            out[key] = getattr(component, key)
    if component.licence.strip():
        out["licenses"] = _licences_out(component.licence)
    if component.model_card is not None and not is_service:  # a service has no model card in CycloneDX
        out["modelCard"] = component.model_card
    properties = _properties_out(component)
    if properties:
        out["properties"] = properties
    return out


def build_bom(
    subject_name: str,
    subject_ref: str,
    components: Sequence[ExportComponent],
    *,
    serial_number: str | None = None,
    timestamp: str | None = None,
    tool_version: str = "",
    check: bool = True,
) -> dict[str, Any]:
    """A CycloneDX 1.6 AI-BOM of one subject (a use case) and what it stands on; the subject depends on each.

    The same arguments with ``serial_number`` and ``timestamp`` give the same document. With ``check`` (the
    default) the result is validated against the shipped schema and ``InvalidBom`` says what is wrong.
    """
    unknown = sorted({c.type for c in components} - set(AIHQ_TYPES))
    if unknown:
        raise ValueError(f"unknown component type(s): {', '.join(unknown)}")
    if serial_number is None:
        serial = f"urn:uuid:{uuid.uuid4()}"
    else:
        serial = serial_number if serial_number.startswith("urn:uuid:") else f"urn:uuid:{uuid.UUID(serial_number)}"
    if timestamp is None:
        timestamp = dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")
    tool: dict[str, Any] = {"type": "application", "name": "AIHQ"}
    if tool_version:
        tool["version"] = tool_version
    taken = {subject_ref}
    written = [(c, _ref_for(c, taken)) for c in components]
    document: dict[str, Any] = {
        "$schema": SCHEMA_URL,
        "bomFormat": "CycloneDX",
        "specVersion": SPEC_VERSION,
        "serialNumber": serial,
        "version": 1,
        "metadata": {
            "timestamp": timestamp,
            "tools": {"components": [tool]},
            "component": {"type": "application", "bom-ref": subject_ref, "name": subject_name},
        },
        "components": [_component_out(c, ref) for c, ref in written if c.type != SERVICE],
        "services": [_component_out(c, ref) for c, ref in written if c.type == SERVICE],
        "dependencies": [{"ref": subject_ref, "dependsOn": [ref for _c, ref in written]}],
    }
    if check:
        problems = validate(document)
        if problems:
            raise InvalidBom(problems)
    return document


def dumps(document: Mapping[str, Any]) -> str:
    """The document as the JSON text of a ``.cdx.json`` file (UTF-8, indented, stable)."""
    return json.dumps(document, ensure_ascii=False, indent=2) + "\n"


__all__ = [
    "AIHQ_TYPES",
    "SPEC_VERSION",
    "BomComponent",
    "ExportComponent",
    "InvalidBom",
    "Organisation",
    "ParsedBom",
    "build_bom",
    "dumps",
    "parse_bom",
    "schema_registry",
    "spdx_ids",
    "validate",
]
