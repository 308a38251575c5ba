"""Regulatory frameworks as data: parse and validate a framework file, run its questionnaire, classify.

Pure Python (stdlib and PyYAML), no Django: the service layer loads a framework (a shipped file or a version
an admin uploaded), stores the answers, and calls these functions. The file format is documented in
``frameworks/README.md``; in short:

* a framework has **questions** (each may be asked only ``when`` a condition over earlier answers holds),
  **rules** (evaluated in order; every rule whose condition holds fires, may raise the tier and set flags,
  and is recorded as a ``Step`` of the explanation with the answers it read) and **requirements** (each
  ``applies`` under a condition over the final tier, role, flags and answers, with an optional due date);
* the **tier** is the highest-ranked tier any fired rule names (the default tier when none fires); the
  **role** is the answer to the question ``role`` when the framework defines roles;
* a condition is a small dict language (``{answer: q, in: [...]}``, ``{all: [...]}``, ``{flag: x}``, ...).
  An unanswered question never satisfies a positive test; ``{answer: q, empty: true}`` is the one test it
  satisfies. A rule may test a tier or flag only when an earlier rule can set it, so a rule never depends on
  a later one.

``parse_framework`` checks everything it can before a framework is used (ids, references, option values,
dates, types) and reports every problem at once, each with its path (``rules[3].when: unknown key
'anwser'``), so an admin fixes a file in one pass.
"""

from __future__ import annotations

import ast
import dataclasses
import datetime
import json
import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final

import yaml

SCHEMA_VERSION: Final = 1
FRAMEWORKS_DIR: Final = Path(__file__).resolve().parent / "frameworks"

QUESTION_TYPES: Final = ("choice", "multi", "bool", "number", "text")
KINDS: Final = ("binding", "voluntary")
VERIFICATION_LEVELS: Final = ("verified", "secondary", "unverified")
TRANSLATIONS: Final = ("aihq",)
LANGUAGES: Final = ("en", "ru")
PRACTICE_STATUSES: Final = ("met", "in_progress", "not_started", "not_applicable", "waived")

# Requirement ids of the shipped OMB M-25-21 framework that each inventory column reports on.
OMB_2025_FIELDS: Final[Mapping[str, str]] = {
    "hi_testing_conducted": "omb-4-b-i",
    "hi_assessment_completed": "omb-4-b-ii",
    "hi_potential_impacts": "omb-4-b-ii-impacts",
    "hi_independent_review": "omb-4-b-ii-review",
    "hi_ongoing_monitoring": "omb-4-b-iii",
    "hi_training_established": "omb-4-b-iv",
    "hi_failsafe_presence": "omb-4-b-v",
    "hi_appeal_process": "omb-4-b-vi",
    "hi_public_consultation": "omb-4-b-vii",
    "HI_justification": "omb-hi-justification",
}
# The M-24-10 (2024) practice columns, mapped to the M-25-21 practice closest to each.
OMB_2024_FIELDS: Final[Mapping[str, str]] = {
    "53_real_world_testing": "omb-4-b-i",
    "52_impact_assessment": "omb-4-b-ii",
    "54_key_risks": "omb-4-b-ii-impacts",
    "55_independent_eval": "omb-4-b-ii-review",
    "56_monitor_postdeploy": "omb-4-b-iii",
    "65_appeal_process": "omb-4-b-vi",
    "63_stakeholder_consult": "omb-4-b-vii",
}
_FREE_TEXT_FIELDS: Final = frozenset({"hi_potential_impacts", "54_key_risks", "HI_justification"})
_MULTI_FIELDS: Final = frozenset({"hi_public_consultation", "63_stakeholder_consult"})

Condition = Mapping[str, Any]

_SNAKE = re.compile(r"^[a-z][a-z0-9_]*$")
_CODE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
_ITEM_ID = re.compile(r"^[a-z0-9][a-z0-9_.-]*$")
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")

_TOP_KEYS: Final = frozenset(
    {
        "schema", "code", "version", "title_en", "title_ru", "kind", "jurisdiction", "language", "notes",
        "sources", "dates", "tiers", "roles", "groups", "questions", "rules", "requirements", "incident_reporting",
    }
)  # fmt: skip
_SOURCE_KEYS: Final = frozenset({"title", "url", "location", "note", "licence", "verification"})
_DATE_KEYS: Final = frozenset({"date", "cite", "note"})
_TIER_KEYS: Final = frozenset({"code", "label_en", "label_ru", "rank", "default"})
_ROLE_KEYS: Final = frozenset({"code", "label_en", "label_ru"})
_GROUP_KEYS: Final = frozenset({"id", "title_en", "title_ru", "translation"})
_QUESTION_KEYS: Final = frozenset(
    {"id", "type", "text_en", "text_ru", "help_en", "help_ru", "options", "when", "required", "verification"}
)
_OPTION_KEYS: Final = frozenset({"value", "label_en", "label_ru", "cite", "text_en", "text_ru"})
_RULE_KEYS: Final = frozenset({"id", "when", "tier", "flags", "cite", "because_en", "because_ru", "verification"})
_REQUIREMENT_KEYS: Final = frozenset(
    {
        "id", "cite", "title_en", "title_ru", "summary_en", "summary_ru", "applies", "due", "mandatory",
        "verification", "group", "inventory_fields", "translation", "source",
    }
)  # fmt: skip
_DUE_KEYS: Final = frozenset({"when", "date"})
_INCIDENT_KEYS: Final = frozenset(
    {
        "id", "cite", "days", "tiers", "harms", "serious_harms", "widespread", "widespread_counts",
        "exclude_severity", "label_en", "label_ru",
    }
)  # fmt: skip
_COMBINATORS: Final = frozenset({"all", "any", "not"})
_STATE_TESTS: Final = frozenset({"tier", "tier_in", "role", "role_in", "flag"})
_ANSWER_OPS: Final = frozenset({"is", "in", "equals", "gt", "gte", "lt", "lte", "empty"})
_TRUE_WORDS: Final = frozenset({"yes", "y", "true", "on", "1", "да"})
_FALSE_WORDS: Final = frozenset({"no", "n", "false", "off", "0", "нет"})


class FrameworkError(ValueError):
    """A framework definition is invalid; ``messages`` lists every problem, each starting with its path."""

    def __init__(self, messages: Sequence[str]) -> None:
        self.messages: list[str] = list(messages)
        super().__init__("\n".join(self.messages))


@dataclass(frozen=True)
class Option:
    """One answer a choice or multi question offers; ``text_en``/``text_ru`` hold verbatim source text if any."""

    value: str
    label_en: str
    label_ru: str
    cite: str | None = None
    text_en: str | None = None
    text_ru: str | None = None


@dataclass(frozen=True)
class Question:
    """A question of the questionnaire, asked only when ``when`` holds over the earlier answers."""

    id: str
    type: str
    text_en: str
    text_ru: str
    help_en: str = ""
    help_ru: str = ""
    options: tuple[Option, ...] = ()
    when: Condition | None = None
    required: bool = False
    verification: str | None = None

    def option(self, value: str) -> Option | None:
        """The option with this value, or None."""
        return next((o for o in self.options if o.value == value), None)


@dataclass(frozen=True)
class Tier:
    """An outcome level; the highest-ranked tier named by a fired rule wins."""

    code: str
    label_en: str
    label_ru: str
    rank: int
    default: bool = False


@dataclass(frozen=True)
class Role:
    """A role the organisation plays for the use case (provider, deployer, ...)."""

    code: str
    label_en: str
    label_ru: str


@dataclass(frozen=True)
class Group:
    """A heading requirements can be grouped under (NIST categories, the Code's principles)."""

    id: str
    title_en: str
    title_ru: str
    translation: str | None = None


@dataclass(frozen=True)
class Rule:
    """A classification step: when ``when`` holds it may raise the tier and set flags, and says why."""

    id: str
    when: Condition
    cite: str
    because_en: str
    because_ru: str
    tier: str | None = None
    flags: tuple[str, ...] = ()
    verification: str | None = None


@dataclass(frozen=True)
class Due:
    """One entry of a requirement's due-date list: the first entry whose ``when`` holds gives the date."""

    date: str  # ISO
    when: Condition | None = None
    name: str | None = None  # the named date it came from, if any


@dataclass(frozen=True)
class Requirement:
    """An obligation (or, in a voluntary framework, a practice) that applies when ``applies`` holds."""

    id: str
    cite: str
    title_en: str
    title_ru: str
    applies: Condition
    mandatory: bool
    summary_en: str = ""
    summary_ru: str = ""
    due: tuple[Due, ...] = ()
    verification: str | None = None
    group: str | None = None
    inventory_fields: tuple[str, ...] = ()
    translation: str | None = None
    source: str | None = None


@dataclass(frozen=True)
class Framework:
    """A parsed, validated framework version; ``definition`` is the source dict (JSON-serialisable)."""

    code: str
    version: str
    title_en: str
    title_ru: str
    kind: str
    jurisdiction: str
    sources: tuple[Mapping[str, str], ...]
    dates: Mapping[str, str]
    tiers: tuple[Tier, ...]
    roles: tuple[Role, ...]
    questions: tuple[Question, ...]
    rules: tuple[Rule, ...]
    requirements: tuple[Requirement, ...]
    groups: tuple[Group, ...]
    definition: dict[str, Any] = field(compare=False, repr=False)
    language: str = "en"
    incident_reporting: tuple[Mapping[str, Any], ...] = ()  # read by ``deadlines.reporting_deadline``

    @property
    def default_tier(self) -> Tier:
        """The tier a classification gets when no rule names one."""
        return next(t for t in self.tiers if t.default)

    def question(self, question_id: str) -> Question:
        """The question with this id (KeyError if none)."""
        for q in self.questions:
            if q.id == question_id:
                return q
        raise KeyError(question_id)

    def tier(self, code: str) -> Tier:
        """The tier with this code (KeyError if none)."""
        for t in self.tiers:
            if t.code == code:
                return t
        raise KeyError(code)

    def requirement(self, requirement_id: str) -> Requirement:
        """The requirement with this id (KeyError if none)."""
        for r in self.requirements:
            if r.id == requirement_id:
                return r
        raise KeyError(requirement_id)


@dataclass(frozen=True)
class Step:
    """One fired rule in the explanation, with the answers its condition read (None where unanswered)."""

    rule_id: str
    cite: str
    tier: str | None
    flags: list[str]
    because_en: str
    because_ru: str
    answers: dict[str, Any]


@dataclass(frozen=True)
class AppliedRequirement:
    """A requirement that applies to the classified use case, with its due date resolved (ISO or None)."""

    id: str
    cite: str
    title_en: str
    title_ru: str
    summary_en: str
    summary_ru: str
    due: str | None
    mandatory: bool
    group: str | None = None
    inventory_fields: list[str] = field(default_factory=list)
    verification: str | None = None


@dataclass(frozen=True)
class Classification:
    """The outcome of one questionnaire under one framework version, with its explanation."""

    framework_code: str
    framework_version: str
    tier: str
    role: str | None
    flags: list[str]
    requirements: list[AppliedRequirement]
    explanation: list[Step]

    def to_dict(self) -> dict[str, Any]:
        """A JSON-serialisable dict (``from_dict`` reverses it)."""
        return dataclasses.asdict(self)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Classification:
        """Rebuild a classification stored with ``to_dict``."""
        return cls(
            framework_code=data["framework_code"],
            framework_version=data["framework_version"],
            tier=data["tier"],
            role=data.get("role"),
            flags=list(data.get("flags", [])),
            requirements=[
                AppliedRequirement(**{**r, "inventory_fields": list(r.get("inventory_fields", []))})
                for r in data.get("requirements", [])
            ],
            explanation=[
                Step(**{**s, "flags": list(s.get("flags", [])), "answers": dict(s.get("answers", {}))})
                for s in data.get("explanation", [])
            ],
        )

    def requirement_ids(self) -> list[str]:
        """The ids of the applicable requirements, in framework order."""
        return [r.id for r in self.requirements]


# --------------------------------------------------------------------------------------------------
# Loading


def read_definition(text: str) -> Any:
    """A framework file's content: JSON when it is JSON (YAML 1.1 would read ``1e+25`` as a string), else YAML.

    YAML anchors and aliases are refused: a few aliases can expand into gigabytes ("billion laughs").
    """
    try:
        return json.loads(text)
    except ValueError:
        pass
    for event in yaml.parse(text, Loader=yaml.SafeLoader):
        if isinstance(event, yaml.AliasEvent):
            raise ValueError("YAML aliases (*name) are not allowed in a framework file")
    return yaml.safe_load(text)


def load_framework_file(path: str | Path) -> Framework:
    """Read and validate a framework YAML file (safe_load; YAML dates become ISO strings)."""
    path = Path(path)
    try:
        data = read_definition(path.read_text(encoding="utf-8"))
    except (yaml.YAMLError, ValueError) as exc:  # PyYAML raises ValueError for impossible dates
        raise FrameworkError([f"{path.name}: not valid YAML: {exc}"]) from exc
    if not isinstance(data, Mapping):
        raise FrameworkError([f"{path.name}: expected a mapping at the top level"])
    return parse_framework(data)


def shipped_framework_paths() -> list[Path]:
    """The framework files shipped with the package, sorted by name."""
    return sorted(FRAMEWORKS_DIR.glob("*.yaml"))


# --------------------------------------------------------------------------------------------------
# Validation


class _Errors:
    """Collects problems with their paths, so one pass reports all of them."""

    def __init__(self) -> None:
        self.messages: list[str] = []

    def add(self, path: str, message: str) -> None:
        self.messages.append(f"{path}: {message}")


@dataclass(frozen=True)
class _Scope:
    """What a condition may refer to; None forbids that kind of test there."""

    questions: Mapping[str, Question]
    tiers: frozenset[str] | None
    roles: frozenset[str] | None
    flags: frozenset[str] | None
    question_hint: str = "unknown question"
    in_rules: bool = False  # tier and flag tests in a rule may read only what earlier rules set


def _jsonable(value: Any) -> Any:
    """A deep copy with dates as ISO strings and tuples as lists, so the definition is JSON-serialisable."""
    if isinstance(value, datetime.datetime):
        return value.date().isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, Mapping):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    return value


def _join(path: str, key: str) -> str:
    return key if path == "(root)" else f"{path}.{key}"


def _check_keys(obj: Mapping[str, Any], allowed: frozenset[str], path: str, errs: _Errors) -> None:
    for key in obj:
        if key not in allowed:
            errs.add(path, f"unknown key '{key}'")


def _mapping(value: Any, path: str, errs: _Errors) -> Mapping[str, Any]:
    if isinstance(value, Mapping):
        return value
    errs.add(path, "expected a mapping")
    return {}


def _items(obj: Mapping[str, Any], key: str, path: str, errs: _Errors, *, required: bool = True) -> list[Any]:
    value = obj.get(key)
    if value is None:
        if required:
            errs.add(path, f"missing '{key}'")
        return []
    if not isinstance(value, list):
        errs.add(_join(path, key), "expected a list")
        return []
    return value


def _text(obj: Mapping[str, Any], key: str, path: str, errs: _Errors, *, required: bool = True) -> str:
    value = obj.get(key)
    if value is None or value == "":
        if required:
            errs.add(path, f"missing '{key}'")
        return ""
    if not isinstance(value, str):
        errs.add(_join(path, key), "expected a string (quote it in YAML)")
        return ""
    return value


def _choice(obj: Mapping[str, Any], key: str, allowed: Sequence[str], path: str, errs: _Errors) -> str | None:
    value = obj.get(key)
    if value is None:
        return None
    if value not in allowed:
        errs.add(_join(path, key), f"must be one of {', '.join(allowed)}")
        return None
    return str(value)


def _pattern(value: str, pattern: re.Pattern[str], what: str, path: str, errs: _Errors) -> None:
    if value and not pattern.match(value):
        errs.add(path, f"{what} '{value}' has an invalid form")


def _unique(ids: Iterable[tuple[str, str]], what: str, errs: _Errors) -> None:
    """Report each id seen before; ``ids`` yields (path, id)."""
    seen: set[str] = set()
    for path, ident in ids:
        if ident and ident in seen:
            errs.add(path, f"duplicate {what} '{ident}'")
        seen.add(ident)


def _iso_date(value: Any, path: str, errs: _Errors) -> str | None:
    if isinstance(value, str) and _ISO_DATE.match(value):
        try:
            datetime.date.fromisoformat(value)
        except ValueError:
            pass
        else:
            return value
    errs.add(path, f"'{value}' is not a date (YYYY-MM-DD)")
    return None


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def _check_condition(cond: Any, path: str, scope: _Scope, errs: _Errors) -> None:
    """Validate one condition and its sub-conditions against what the scope allows."""
    if not isinstance(cond, Mapping) or not cond:
        errs.add(path, "expected a condition (a mapping)")
        return
    if "answer" in cond:
        _check_answer_test(cond, path, scope, errs)
        return
    unknown = [k for k in cond if k not in _COMBINATORS | _STATE_TESTS]
    if unknown:
        errs.add(path, f"unknown key '{unknown[0]}'")
        return
    if len(cond) != 1:
        errs.add(path, "a condition has one key; combine several with 'all' or 'any'")
        return
    key, value = next(iter(cond.items()))
    if key in ("all", "any"):
        if not isinstance(value, list):
            errs.add(f"{path}.{key}", "expected a list of conditions")
            return
        for i, sub in enumerate(value):
            _check_condition(sub, f"{path}.{key}[{i}]", scope, errs)
    elif key == "not":
        _check_condition(value, f"{path}.not", scope, errs)
    else:
        _check_state_test(key, value, path, scope, errs)


def _check_state_test(key: str, value: Any, path: str, scope: _Scope, errs: _Errors) -> None:
    """Tier, role and flag tests: allowed only where the scope says what can be known by then."""
    kind = {"tier": "tier", "tier_in": "tier", "role": "role", "role_in": "role", "flag": "flag"}[key]
    known = {"tier": scope.tiers, "role": scope.roles, "flag": scope.flags}[kind]
    if known is None:
        errs.add(path, f"'{key}' cannot be tested here (only in rules and requirements)")
        return
    values = value if key.endswith("_in") else [value]
    if not isinstance(values, list) or not values:
        errs.add(f"{path}.{key}", "expected a non-empty list")
        return
    for v in values:
        if isinstance(v, str) and v in known:
            continue
        if kind == "role":
            errs.add(f"{path}.{key}", f"unknown role '{v}'")
        elif scope.in_rules:
            errs.add(f"{path}.{key}", f"{kind} '{v}' is not set by an earlier rule")
        else:
            errs.add(f"{path}.{key}", f"unknown tier '{v}'" if kind == "tier" else f"flag '{v}' is not set by any rule")


def _check_answer_test(cond: Mapping[str, Any], path: str, scope: _Scope, errs: _Errors) -> None:
    """``{answer: q, <op>: value}``: the question must exist and the operator fit its type."""
    qid = cond.get("answer")
    ops = [k for k in cond if k != "answer"]
    unknown = [k for k in ops if k not in _ANSWER_OPS]
    if unknown:
        errs.add(path, f"unknown key '{unknown[0]}'")
        return
    if len(ops) != 1:
        errs.add(path, "an answer test needs exactly one of " + ", ".join(sorted(_ANSWER_OPS)))
        return
    question = scope.questions.get(qid) if isinstance(qid, str) else None
    if question is None:
        errs.add(f"{path}.answer", f"{scope.question_hint} '{qid}'")
        return
    problem = _answer_op_problem(question, ops[0], cond[ops[0]])
    if problem:
        errs.add(f"{path}.{ops[0]}", problem)


def _answer_op_problem(q: Question, op: str, value: Any) -> str | None:
    """Why this operator/value does not fit the question, or None."""
    values = {o.value for o in q.options}
    if op == "empty":
        return None if isinstance(value, bool) else "expected true or false"
    if op == "is":
        if q.type != "bool":
            return f"'is' tests a bool question; '{q.id}' is {q.type}"
        return None if isinstance(value, bool) else "expected true or false"
    if op == "in":
        if q.type not in ("choice", "multi"):
            return f"'in' tests a choice or multi question; '{q.id}' is {q.type}"
        if not isinstance(value, list) or not value:
            return "expected a non-empty list of option values"
        bad = [v for v in value if v not in values]
        return f"'{bad[0]}' is not an option of '{q.id}'" if bad else None
    if op == "equals":
        return _equals_problem(q, value, values)
    if q.type != "number":  # gt, gte, lt, lte
        return f"'{op}' tests a number question; '{q.id}' is {q.type}"
    return None if _is_number(value) else "expected a number (in YAML write 1.0e+25, not 1e25)"


def _equals_problem(q: Question, value: Any, values: set[str]) -> str | None:
    if q.type == "multi":
        return "use 'in' to test a multi question"
    if q.type == "choice":
        return None if value in values else f"'{value}' is not an option of '{q.id}'"
    if q.type == "bool":
        return None if isinstance(value, bool) else "expected true or false"
    if q.type == "number":
        return None if _is_number(value) else "expected a number"
    return None if isinstance(value, str) else "expected a string"


def _parse_header(data: Mapping[str, Any], errs: _Errors) -> dict[str, str]:
    _check_keys(data, _TOP_KEYS, "(root)", errs)
    if data.get("schema") != SCHEMA_VERSION:
        errs.add("schema", f"must be {SCHEMA_VERSION}")
    header = {k: _text(data, k, "(root)", errs) for k in ("code", "version", "title_en", "title_ru", "jurisdiction")}
    _pattern(header["code"], _CODE, "code", "code", errs)
    kind = data.get("kind")
    if kind not in KINDS:
        errs.add("kind", f"must be one of {', '.join(KINDS)}")
    header["kind"] = str(kind)
    language = data.get("language", "en")
    if language not in LANGUAGES:
        errs.add("language", f"must be one of {', '.join(LANGUAGES)}")
    header["language"] = str(language)
    notes = data.get("notes", [])
    if not isinstance(notes, list) or not all(isinstance(n, str) for n in notes):
        errs.add("notes", "expected a list of strings")
    return header


def _parse_sources(data: Mapping[str, Any], errs: _Errors) -> tuple[Mapping[str, str], ...]:
    sources = _items(data, "sources", "(root)", errs)
    if not sources and "sources" in data:
        errs.add("sources", "at least one source is required")
    out = []
    for i, raw in enumerate(sources):
        path = f"sources[{i}]"
        src = _mapping(raw, path, errs)
        _check_keys(src, _SOURCE_KEYS, path, errs)
        _text(src, "title", path, errs)
        _text(src, "licence", path, errs)
        if not src.get("url") and not src.get("location"):
            errs.add(path, "needs a 'url' or a 'location'")
        if any(not isinstance(v, str) for v in src.values()):
            errs.add(path, "values must be strings")
        out.append({str(k): str(v) for k, v in src.items()})
    return tuple(out)


def _parse_dates(data: Mapping[str, Any], errs: _Errors) -> dict[str, str]:
    raw = _mapping(data.get("dates", {}), "dates", errs)
    dates: dict[str, str] = {}
    for name, value in raw.items():
        path = f"dates.{name}"
        _pattern(name, _SNAKE, "date name", path, errs)
        if isinstance(value, Mapping):
            _check_keys(value, _DATE_KEYS, path, errs)
            value = value.get("date")
            path += ".date"
        iso = _iso_date(value, path, errs)
        if iso:
            dates[name] = iso
    return dates


def _parse_tiers(data: Mapping[str, Any], errs: _Errors) -> tuple[Tier, ...]:
    tiers = []
    for i, raw in enumerate(_items(data, "tiers", "(root)", errs)):
        path = f"tiers[{i}]"
        t = _mapping(raw, path, errs)
        _check_keys(t, _TIER_KEYS, path, errs)
        code = _text(t, "code", path, errs)
        _pattern(code, _SNAKE, "code", f"{path}.code", errs)
        rank = t.get("rank")
        if not isinstance(rank, int) or isinstance(rank, bool):
            errs.add(f"{path}.rank", "expected an integer")
            rank = 0
        tiers.append(
            Tier(
                code, _text(t, "label_en", path, errs), _text(t, "label_ru", path, errs), rank, t.get("default") is True
            )
        )
    if not tiers:
        errs.add("tiers", "at least one tier is required")
    elif sum(t.default for t in tiers) != 1:
        errs.add("tiers", "exactly one tier must have 'default: true'")
    _unique(((f"tiers[{i}].code", t.code) for i, t in enumerate(tiers)), "tier", errs)
    _unique(((f"tiers[{i}].rank", str(t.rank)) for i, t in enumerate(tiers)), "rank", errs)
    return tuple(tiers)


def _parse_roles(data: Mapping[str, Any], errs: _Errors) -> tuple[Role, ...]:
    roles = []
    for i, raw in enumerate(_items(data, "roles", "(root)", errs, required=False)):
        path = f"roles[{i}]"
        r = _mapping(raw, path, errs)
        _check_keys(r, _ROLE_KEYS, path, errs)
        code = _text(r, "code", path, errs)
        _pattern(code, _SNAKE, "code", f"{path}.code", errs)
        roles.append(Role(code, _text(r, "label_en", path, errs), _text(r, "label_ru", path, errs)))
    _unique(((f"roles[{i}].code", r.code) for i, r in enumerate(roles)), "role", errs)
    return tuple(roles)


def _parse_groups(data: Mapping[str, Any], errs: _Errors) -> tuple[Group, ...]:
    groups = []
    for i, raw in enumerate(_items(data, "groups", "(root)", errs, required=False)):
        path = f"groups[{i}]"
        g = _mapping(raw, path, errs)
        _check_keys(g, _GROUP_KEYS, path, errs)
        groups.append(
            Group(
                _text(g, "id", path, errs),
                _text(g, "title_en", path, errs),
                _text(g, "title_ru", path, errs),
                _choice(g, "translation", TRANSLATIONS, path, errs),
            )
        )
    _unique(((f"groups[{i}].id", g.id) for i, g in enumerate(groups)), "group", errs)
    return tuple(groups)


def _parse_options(q: Mapping[str, Any], qtype: str, path: str, errs: _Errors) -> tuple[Option, ...]:
    if qtype not in ("choice", "multi"):
        if "options" in q:
            errs.add(f"{path}.options", f"a {qtype} question has no options")
        return ()
    options = []
    raw_options = _items(q, "options", path, errs)
    if not raw_options and "options" in q:
        errs.add(f"{path}.options", "at least one option is required")
    for i, raw in enumerate(raw_options):
        opath = f"{path}.options[{i}]"
        o = _mapping(raw, opath, errs)
        _check_keys(o, _OPTION_KEYS, opath, errs)
        value = o.get("value")
        if not isinstance(value, str) or not value:
            errs.add(f"{opath}.value", "expected a non-empty string (quote numbers in YAML)")
            value = ""
        options.append(
            Option(
                value,
                _text(o, "label_en", opath, errs),
                _text(o, "label_ru", opath, errs),
                _text(o, "cite", opath, errs, required=False) or None,
                _text(o, "text_en", opath, errs, required=False) or None,
                _text(o, "text_ru", opath, errs, required=False) or None,
            )
        )
    _unique(((f"{path}.options[{i}].value", o.value) for i, o in enumerate(options)), "option value", errs)
    return tuple(options)


def _parse_questions(data: Mapping[str, Any], errs: _Errors) -> tuple[Question, ...]:
    questions: list[Question] = []
    for i, raw in enumerate(_items(data, "questions", "(root)", errs)):
        path = f"questions[{i}]"
        q = _mapping(raw, path, errs)
        _check_keys(q, _QUESTION_KEYS, path, errs)
        qid = _text(q, "id", path, errs)
        _pattern(qid, _SNAKE, "id", f"{path}.id", errs)
        qtype = q.get("type")
        if qtype not in QUESTION_TYPES:
            errs.add(f"{path}.type", f"must be one of {', '.join(QUESTION_TYPES)}")
            qtype = "text"
        when = q.get("when")
        if when is not None:  # a question reads only the questions before it: a form order, and no cycles
            earlier = _Scope({p.id: p for p in questions}, None, None, None, "no earlier question")
            _check_condition(when, f"{path}.when", earlier, errs)
        required = q.get("required", False)
        if not isinstance(required, bool):
            errs.add(f"{path}.required", "expected true or false")
        questions.append(
            Question(
                id=qid,
                type=str(qtype),
                text_en=_text(q, "text_en", path, errs),
                text_ru=_text(q, "text_ru", path, errs),
                help_en=_text(q, "help_en", path, errs, required=False),
                help_ru=_text(q, "help_ru", path, errs, required=False),
                options=_parse_options(q, str(qtype), path, errs),
                when=when if isinstance(when, Mapping) else None,
                required=required is True,
                verification=_choice(q, "verification", VERIFICATION_LEVELS, path, errs),
            )
        )
    _unique(((f"questions[{i}].id", q.id) for i, q in enumerate(questions)), "question id", errs)
    return tuple(questions)


def _check_role_question(questions: Sequence[Question], roles: Sequence[Role], errs: _Errors) -> None:
    """When a framework has roles, the answer to question ``role`` is the role: its options must match."""
    if not roles:
        return
    role_q = next((q for q in questions if q.id == "role"), None)
    if role_q is None or role_q.type != "choice":
        errs.add("roles", "a framework with roles needs a choice question with id 'role'")
    elif {o.value for o in role_q.options} != {r.code for r in roles}:
        errs.add("roles", "the options of question 'role' must be exactly the role codes")


def _flags(raw: Any, path: str, errs: _Errors) -> tuple[str, ...]:
    if raw is None:
        return ()
    if not isinstance(raw, list) or not all(isinstance(f, str) for f in raw):
        errs.add(path, "expected a list of flag names")
        return ()
    for f in raw:
        _pattern(f, _SNAKE, "flag", path, errs)
    return tuple(raw)


def _parse_rules(
    data: Mapping[str, Any],
    questions: Mapping[str, Question],
    tiers: Sequence[Tier],
    roles: frozenset[str],
    errs: _Errors,
) -> tuple[Rule, ...]:
    """Rules in order; each may test only tiers and flags that an earlier rule can set (or the default tier)."""
    tier_codes = {t.code for t in tiers}
    reachable_tiers = {t.code for t in tiers if t.default}
    set_flags: set[str] = set()
    rules = []
    for i, raw in enumerate(_items(data, "rules", "(root)", errs)):
        path = f"rules[{i}]"
        r = _mapping(raw, path, errs)
        _check_keys(r, _RULE_KEYS, path, errs)
        rid = _text(r, "id", path, errs)
        _pattern(rid, _ITEM_ID, "id", f"{path}.id", errs)
        when = r.get("when")
        if when is None:
            errs.add(path, "missing 'when'")
        else:
            scope = _Scope(questions, frozenset(reachable_tiers), roles, frozenset(set_flags), in_rules=True)
            _check_condition(when, f"{path}.when", scope, errs)
        tier = r.get("tier")
        if tier is not None and tier not in tier_codes:
            errs.add(f"{path}.tier", f"unknown tier '{tier}'")
            tier = None
        flags = _flags(r.get("flags"), f"{path}.flags", errs)
        rules.append(
            Rule(
                id=rid,
                when=when if isinstance(when, Mapping) else {},
                cite=_text(r, "cite", path, errs),
                because_en=_text(r, "because_en", path, errs),
                because_ru=_text(r, "because_ru", path, errs),
                tier=tier,
                flags=flags,
                verification=_choice(r, "verification", VERIFICATION_LEVELS, path, errs),
            )
        )
        if tier:
            reachable_tiers.add(tier)
        set_flags.update(flags)
    _unique(((f"rules[{i}].id", r.id) for i, r in enumerate(rules)), "rule id", errs)
    return tuple(rules)


def _parse_due(raw: Any, path: str, dates: Mapping[str, str], scope: _Scope, errs: _Errors) -> tuple[Due, ...]:
    """``due``: a named date, an ISO date, or a list of {when?, date} whose first holding entry wins."""
    if raw is None:
        return ()
    entries = raw if isinstance(raw, list) else [{"date": raw}]
    out = []
    for i, entry in enumerate(entries):
        epath = f"{path}[{i}]" if isinstance(raw, list) else path
        e = _mapping(entry, epath, errs)
        _check_keys(e, _DUE_KEYS, epath, errs)
        when = e.get("when")
        if when is not None:
            _check_condition(when, f"{epath}.when", scope, errs)
        value = e.get("date")
        dpath = f"{epath}.date" if isinstance(raw, list) else epath
        if isinstance(value, str) and _SNAKE.match(value):
            if value not in dates:
                errs.add(dpath, f"unknown named date '{value}'")
                continue
            out.append(Due(dates[value], when if isinstance(when, Mapping) else None, value))
        elif (iso := _iso_date(value, dpath, errs)) is not None:
            out.append(Due(iso, when if isinstance(when, Mapping) else None))
    return tuple(out)


def _parse_requirements(
    data: Mapping[str, Any], scope: _Scope, dates: Mapping[str, str], groups: Sequence[Group], kind: str, errs: _Errors
) -> tuple[Requirement, ...]:
    group_ids = {g.id for g in groups}
    out = []
    for i, raw in enumerate(_items(data, "requirements", "(root)", errs)):
        path = f"requirements[{i}]"
        r = _mapping(raw, path, errs)
        _check_keys(r, _REQUIREMENT_KEYS, path, errs)
        rid = _text(r, "id", path, errs)
        _pattern(rid, _ITEM_ID, "id", f"{path}.id", errs)
        applies = r.get("applies")
        if applies is None:
            errs.add(path, "missing 'applies'")
        else:
            _check_condition(applies, f"{path}.applies", scope, errs)
        mandatory = r.get("mandatory")
        if not isinstance(mandatory, bool):
            errs.add(f"{path}.mandatory", "expected true or false")
        elif mandatory and kind == "voluntary":
            errs.add(f"{path}.mandatory", "a voluntary framework has no mandatory requirements")
        group = r.get("group")
        if group is not None and group not in group_ids:
            errs.add(f"{path}.group", f"unknown group '{group}'")
        fields = r.get("inventory_fields", [])
        if not isinstance(fields, list) or not all(isinstance(f, str) for f in fields):
            errs.add(f"{path}.inventory_fields", "expected a list of field names")
            fields = []
        out.append(
            Requirement(
                id=rid,
                cite=_text(r, "cite", path, errs),
                title_en=_text(r, "title_en", path, errs),
                title_ru=_text(r, "title_ru", path, errs),
                applies=applies if isinstance(applies, Mapping) else {},
                mandatory=mandatory is True,
                summary_en=_text(r, "summary_en", path, errs, required=False),
                summary_ru=_text(r, "summary_ru", path, errs, required=False),
                due=_parse_due(r.get("due"), f"{path}.due", dates, scope, errs),
                verification=_choice(r, "verification", VERIFICATION_LEVELS, path, errs),
                group=group if isinstance(group, str) else None,
                inventory_fields=tuple(fields),
                translation=_choice(r, "translation", TRANSLATIONS, path, errs),
                source=_text(r, "source", path, errs, required=False) or None,
            )
        )
    _unique(((f"requirements[{i}].id", r.id) for i, r in enumerate(out)), "requirement id", errs)
    return tuple(out)


def _parse_incident_reporting(data: Mapping[str, Any], tiers: Sequence[Tier], errs: _Errors) -> tuple[Any, ...]:
    """Incident-reporting deadline rules (e.g. EU AI Act Art. 73): checked here, applied by ``deadlines``."""
    tier_codes = {t.code for t in tiers}
    rules = _items(data, "incident_reporting", "(root)", errs, required=False)
    for i, raw in enumerate(rules):
        _check_incident_rule(
            _mapping(raw, f"incident_reporting[{i}]", errs), f"incident_reporting[{i}]", tier_codes, errs
        )
    ids = ((f"incident_reporting[{i}].id", str(r.get("id", ""))) for i, r in enumerate(rules) if isinstance(r, Mapping))
    _unique(ids, "incident rule id", errs)
    return tuple(rules)


def _check_incident_rule(r: Mapping[str, Any], path: str, tier_codes: set[str], errs: _Errors) -> None:
    _check_keys(r, _INCIDENT_KEYS, path, errs)
    _text(r, "id", path, errs)
    _text(r, "cite", path, errs)
    days = r.get("days")
    if not isinstance(days, int) or isinstance(days, bool) or days < 0:
        errs.add(f"{path}.days", "expected a whole number of days")
    for key in ("tiers", "harms", "serious_harms", "exclude_severity"):
        values = r.get(key, [])
        if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
            errs.add(f"{path}.{key}", "expected a list of strings")
        elif key == "tiers":
            for v in values:
                if v not in tier_codes:
                    errs.add(f"{path}.tiers", f"unknown tier '{v}'")
    for key in ("widespread", "widespread_counts"):
        if not isinstance(r.get(key, False), bool):
            errs.add(f"{path}.{key}", "expected true or false")


def parse_framework(data: Mapping[str, Any]) -> Framework:
    """Validate a framework definition and build it; raise ``FrameworkError`` listing every problem."""
    if not isinstance(data, Mapping):
        raise FrameworkError(["(root): expected a mapping"])
    definition: dict[str, Any] = _jsonable(data)
    errs = _Errors()
    header = _parse_header(definition, errs)
    sources = _parse_sources(definition, errs)
    dates = _parse_dates(definition, errs)
    tiers = _parse_tiers(definition, errs)
    roles = _parse_roles(definition, errs)
    groups = _parse_groups(definition, errs)
    questions = _parse_questions(definition, errs)
    _check_role_question(questions, roles, errs)
    by_id = {q.id: q for q in questions}
    role_codes = frozenset(r.code for r in roles)
    rules = _parse_rules(definition, by_id, tiers, role_codes, errs)
    all_flags = frozenset(f for r in rules for f in r.flags)
    scope = _Scope(by_id, frozenset(t.code for t in tiers), role_codes, all_flags)
    requirements = _parse_requirements(definition, scope, dates, groups, header["kind"], errs)
    incident_reporting = _parse_incident_reporting(definition, tiers, errs)
    if errs.messages:
        raise FrameworkError(errs.messages)
    return Framework(
        code=header["code"],
        version=header["version"],
        title_en=header["title_en"],
        title_ru=header["title_ru"],
        kind=header["kind"],
        jurisdiction=header["jurisdiction"],
        sources=sources,
        dates=dates,
        tiers=tiers,
        roles=roles,
        questions=questions,
        rules=rules,
        requirements=requirements,
        groups=groups,
        definition=definition,
        language=header["language"],
        incident_reporting=incident_reporting,
    )


# --------------------------------------------------------------------------------------------------
# Evaluation


@dataclass
class _State:
    """What conditions read: the answers, the tier so far, the role and the flags set so far."""

    answers: Mapping[str, Any]
    tier: str
    role: str | None = None
    flags: set[str] = field(default_factory=set)


def _answered(value: Any) -> bool:
    return value is not None and value != "" and value != []


def _holds(cond: Condition, state: _State) -> bool:
    """Evaluate a (validated) condition."""
    if "answer" in cond:
        return _answer_holds(cond, state.answers.get(cond["answer"]))
    key, value = next(iter(cond.items()))
    if key == "all":
        return all(_holds(c, state) for c in value)
    if key == "any":
        return any(_holds(c, state) for c in value)
    if key == "not":
        return not _holds(value, state)
    if key == "tier":
        return bool(state.tier == value)
    if key == "tier_in":
        return state.tier in value
    if key == "role":
        return bool(state.role == value)
    if key == "role_in":
        return state.role in value
    return value in state.flags  # flag


def _answer_holds(cond: Condition, value: Any) -> bool:
    """An answer test; an unanswered question satisfies only ``empty: true``."""
    if "empty" in cond:
        return (not _answered(value)) is cond["empty"]
    if not _answered(value):
        return False
    if "is" in cond:
        return value is cond["is"]
    if "in" in cond:
        selected = value if isinstance(value, list) else [value]
        return any(v in cond["in"] for v in selected)
    if "equals" in cond:
        return bool(value == cond["equals"])
    if not _is_number(value):
        return False
    if "gt" in cond:
        return bool(value > cond["gt"])
    if "gte" in cond:
        return bool(value >= cond["gte"])
    if "lt" in cond:
        return bool(value < cond["lt"])
    return bool(value <= cond["lte"])


def _answer_refs(cond: Any) -> list[str]:
    """The question ids a condition reads, in order of first appearance."""
    refs: list[str] = []
    stack = [cond]
    while stack:
        c = stack.pop(0)
        if not isinstance(c, Mapping):
            continue
        if "answer" in c:
            if c["answer"] not in refs:
                refs.append(c["answer"])
            continue
        for key in ("all", "any"):
            stack.extend(c.get(key, []))
        if "not" in c:
            stack.append(c["not"])
    return refs


class _AnswerError(ValueError):
    """An answer that cannot be coerced to its question's type; the message is shown to the user."""


def _blank(raw: Any) -> bool:
    if raw is None:
        return True
    if isinstance(raw, str):
        return not raw.strip()
    if isinstance(raw, list | tuple | set | frozenset):
        return all(_blank(r) for r in raw)
    return False


def _coerce(q: Question, raw: Any) -> Any:
    """Coerce a raw (form or JSON) answer to the question's type, or raise ``_AnswerError``."""
    if q.type == "bool":
        return _coerce_bool(raw)
    if q.type == "number":
        return _coerce_number(raw)
    if q.type == "text":
        if not isinstance(raw, str):
            raise _AnswerError("expected text")
        if "\x00" in raw:
            raise _AnswerError("text cannot contain NUL characters")
        if len(raw) > 10_000:
            raise _AnswerError("text longer than 10,000 characters")
        return raw.strip()
    if q.type == "choice":
        if not isinstance(raw, str) or q.option(raw.strip()) is None:
            raise _AnswerError(f"invalid option '{raw}'")
        return raw.strip()
    return _coerce_multi(q, raw)


def _coerce_bool(raw: Any) -> bool:
    if isinstance(raw, bool):
        return raw
    if isinstance(raw, int) and raw in (0, 1):
        return bool(raw)
    word = raw.strip().casefold() if isinstance(raw, str) else None
    if word in _TRUE_WORDS:
        return True
    if word in _FALSE_WORDS:
        return False
    raise _AnswerError("expected yes or no")


def _coerce_number(raw: Any) -> float:
    if isinstance(raw, bool):
        raise _AnswerError("expected a number")
    if isinstance(raw, int | float):
        try:
            number = float(raw)
        except OverflowError:  # an int beyond any float
            raise _AnswerError("expected a finite number") from None
    elif isinstance(raw, str):
        try:
            number = float(raw.strip().replace(" ", "").replace("_", ""))
        except ValueError:
            raise _AnswerError("expected a number") from None
    else:
        raise _AnswerError("expected a number")
    if not math.isfinite(number):
        raise _AnswerError("expected a finite number")
    return number


def _coerce_multi(q: Question, raw: Any) -> list[str]:
    items = [raw] if isinstance(raw, str) else raw
    if not isinstance(items, list | tuple | set | frozenset):
        raise _AnswerError("expected a list of options")
    chosen = set()
    for item in items:
        if not isinstance(item, str):
            raise _AnswerError(f"invalid option '{item}'")
        if not item.strip():
            continue
        if q.option(item.strip()) is None:
            raise _AnswerError(f"invalid option '{item}'")
        chosen.add(item.strip())
    return [o.value for o in q.options if o.value in chosen]  # the framework's order, without duplicates


def _walk(fw: Framework, answers: Mapping[str, Any]) -> tuple[list[Question], dict[str, Any], dict[str, str]]:
    """Go through the questionnaire in order: which questions are asked, the cleaned answers, the errors.

    A question's ``when`` reads only the cleaned answers of the questions asked before it, so an answer left
    behind by a question that is no longer asked changes nothing.
    """
    known = {q.id for q in fw.questions}
    errors = {key: "unknown question" for key in answers if key not in known}
    cleaned: dict[str, Any] = {}
    visible: list[Question] = []
    for q in fw.questions:
        if q.when is not None and not _holds(q.when, _State(cleaned, fw.default_tier.code)):
            continue
        visible.append(q)
        raw = answers.get(q.id)
        if _blank(raw):
            if q.required:
                errors[q.id] = "required"
            continue
        try:
            cleaned[q.id] = _coerce(q, raw)
        except _AnswerError as exc:
            errors[q.id] = str(exc)
    return visible, cleaned, errors


def visible_questions(fw: Framework, answers: Mapping[str, Any]) -> list[Question]:
    """The questions asked given these (raw or cleaned) answers, in questionnaire order."""
    return _walk(fw, answers)[0]


def clean_answers(fw: Framework, answers: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, str]]:
    """Coerce the answers of the asked questions and drop the rest; return (cleaned, {question id: error})."""
    _, cleaned, errors = _walk(fw, answers)
    return cleaned, errors


def classify(fw: Framework, answers: Mapping[str, Any]) -> Classification:
    """Run the rules in order over cleaned answers, then collect the requirements that apply."""
    role = answers.get("role") if fw.roles else None
    state = _State(answers, fw.default_tier.code, role if role in {r.code for r in fw.roles} else None)
    ranks = {t.code: t.rank for t in fw.tiers}
    steps = []
    for rule in fw.rules:
        if not _holds(rule.when, state):
            continue
        if rule.tier is not None and ranks[rule.tier] > ranks[state.tier]:
            state.tier = rule.tier
        state.flags.update(rule.flags)
        read = {qid: answers.get(qid) for qid in _answer_refs(rule.when)}
        steps.append(Step(rule.id, rule.cite, rule.tier, list(rule.flags), rule.because_en, rule.because_ru, read))
    applied = [_applied(req, state) for req in fw.requirements if _holds(req.applies, state)]
    return Classification(fw.code, fw.version, state.tier, state.role, sorted(state.flags), applied, steps)


def _applied(req: Requirement, state: _State) -> AppliedRequirement:
    due = next((d.date for d in req.due if d.when is None or _holds(d.when, state)), None)
    return AppliedRequirement(
        id=req.id,
        cite=req.cite,
        title_en=req.title_en,
        title_ru=req.title_ru,
        summary_en=req.summary_en,
        summary_ru=req.summary_ru,
        due=due,
        mandatory=req.mandatory,
        group=req.group,
        inventory_fields=list(req.inventory_fields),
        verification=req.verification,
    )


# --------------------------------------------------------------------------------------------------
# OMB inventory pre-fill

# Checked in order on the lower-cased value; the first match wins. Substrings, because agencies wrote the
# official options with variations ("in-progess", "Planned or in-progress.", "Yes – by the CAIO").
_STATUS_NEEDLES: Final[tuple[tuple[str, str], ...]] = (
    ("waive", "waived"),
    ("wavied", "waived"),
    ("in-progress", "in_progress"),
    ("in-progess", "in_progress"),
    ("in progress", "in_progress"),
    ("planned", "in_progress"),
    ("under development", "in_progress"),
    ("benchmark evaluation", "in_progress"),  # benchmarks only, not tested in an operational environment
    ("preclude", "not_applicable"),  # law or guidance precludes an appeal
    ("not applicable", "not_applicable"),
    ("not safety or rights", "not_applicable"),
    ("does not apply", "not_applicable"),
)
_NOT_STARTED_PREFIXES: Final = ("no ", "no–", "no-", "none of the above")
_MET_NEEDLES: Final = (
    "established",
    "performance evaluation",
    "impact evaluation",
    "intermittent and manually",
    "automated and regularly",
    "direct user testing",
    "direct usability testing",
    "usability testing",
    "general solicitations",
    "public feedback",
    "post-transaction",
    "post transaction",
    "public hearings",
    "outreach to relevant labor",
    "caio review",
    "oversight board review",
    "internal independent review",
)
_LETTER_PREFIX = re.compile(r"^[a-f]\)\s*")


def _practice_status(value: str) -> str | None:
    """The status a practice column's value reports, or None when the value is not recognised."""
    v = _LETTER_PREFIX.sub("", value.strip()).casefold()
    if not v:
        return None
    for needle, status in _STATUS_NEEDLES:
        if needle in v:
            return status
    if v in ("n/a", "na") or v.startswith("n/a"):
        return "not_applicable"
    if v == "no" or v.startswith(_NOT_STARTED_PREFIXES):
        return "not_started"
    if v in ("yes", "true", "other") or v.startswith("yes") or any(n in v for n in _MET_NEEDLES):
        return "met"
    return None


def _split_multi(value: str) -> list[str]:
    """A select-multiple cell: a JSON or Python list literal, or values separated by commas/new lines."""
    text = value.strip()
    if text.startswith("["):
        for parse in (json.loads, ast.literal_eval):
            try:
                items = parse(text)
            except (ValueError, SyntaxError):
                continue
            if isinstance(items, list):
                return [str(i) for i in items]
        text = text.strip("[]")
    return [part.strip(" '\"") for part in re.split(r"[,\n;]", text) if part.strip(" '\"")]


def _free_text_status(value: str) -> str | None:
    """A free-text field (impacts, key risks, justification): any real text means the item was done."""
    v = value.strip().casefold()
    if v in ("none", "tbd", "-"):
        return None
    if v in ("in-progress", "in progress") or v.startswith("forthcoming") or "extension" in v:
        return "in_progress"  # "Forthcoming. OMB approved a compliance extension ..."
    if v in ("na", "not applicable") or v.startswith(("n/a", "not applicable")) or "not safety or rights" in v:
        return "not_applicable"
    return "met"


_MULTI_PRECEDENCE: Final = ("waived", "met", "in_progress", "not_applicable", "not_started")


def _field_status(field_name: str, value: str) -> str | None:
    if field_name in _FREE_TEXT_FIELDS:
        return _free_text_status(value)
    if field_name in _MULTI_FIELDS:
        found = {_practice_status(item) for item in _split_multi(value)}
        return next((s for s in _MULTI_PRECEDENCE if s in found), None)
    return _practice_status(value)


def _quote(label: str, field_name: str, value: str) -> str:
    shown = " ".join(value.split())
    if len(shown) > 160:
        shown = shown[:159] + "…"
    return f'{label} {field_name} = "{shown}"'


def _statuses(attributes: Mapping[str, Any], fields: Mapping[str, str], label: str) -> dict[str, tuple[str, str]]:
    out: dict[str, tuple[str, str]] = {}
    for field_name, requirement_id in fields.items():
        raw = attributes.get(field_name)
        value = "" if raw is None else str(raw)
        status = _field_status(field_name, value) if value.strip() else None
        if status is not None:
            out[requirement_id] = (status, _quote(label, field_name, value))
    return out


def _answers_2025(is_high_impact: bool | None, attributes: Mapping[str, Any]) -> dict[str, Any]:
    """2025 inventory: is_high_impact a) → True, b)/c) → False; b) carries HI_justification."""
    if is_high_impact is True:
        return {"inventory_determination": "high_impact"}
    if is_high_impact is False:
        justification = str(attributes.get("HI_justification") or "").strip()
        if justification:
            return {"inventory_determination": "presumed_not_high_impact", "hi_justification": justification}
        return {"inventory_determination": "not_high_impact"}
    return {}


def _answers_2024(impact_type: str) -> dict[str, Any]:
    """M-24-10: rights- or safety-impacting use cases are treated as high-impact under M-25-21."""
    kind = impact_type.strip().casefold()
    if kind == "neither":
        return {"inventory_determination": "neither_2024"}
    if kind == "both" or "right" in kind or "safety" in kind:
        return {"inventory_determination": "rights_or_safety_impacting_2024"}
    return {}


def omb_answers_from_inventory(
    source_format: str, is_high_impact: bool | None, impact_type: str, attributes: Mapping[str, Any]
) -> tuple[dict[str, Any], dict[str, tuple[str, str]]]:
    """Pre-fill the OMB M-25-21 questionnaire and practice statuses from an imported inventory record.

    ``source_format`` is "omb-2025" or "omb-2024" (anything else gives nothing). The answers set
    ``inventory_determination`` (and ``hi_justification``), so the framework's own rules decide the tier
    and explain it. Statuses are {requirement id: (status, note)}, the note quoting the inventory field
    and value; a blank or unrecognised value gives no status.
    """
    if source_format == "omb-2025":
        return _answers_2025(is_high_impact, attributes), _statuses(attributes, OMB_2025_FIELDS, "2025 inventory")
    if source_format == "omb-2024":
        label = "2024 inventory (M-24-10)"
        return _answers_2024(impact_type or ""), _statuses(attributes, OMB_2024_FIELDS, label)
    return {}, {}
