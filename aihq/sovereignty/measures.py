"""Sovereignty measures over AI-BOMs: concentration, foreign dependency, a sovereignty score, cut-off scenarios.

Pure, typed functions over plain values (no database); services load the AI-BOM and call them. The
docstrings define each measure exactly and are shown to analysts on the help page.

Vocabulary. A *use case* lists its *dependencies*: the components it uses (a model, a dataset, a framework,
a cloud, hardware, an API service), each with the use case's role and criticality for it. A component has a
*supplier* in a *jurisdiction* (an ISO 3166-1 alpha-2 country code; "" when unknown), a licence (an SPDX
licence expression), an open-weights flag, a *hosting* (``on_premises``, ``domestic_cloud``,
``foreign_cloud``, or "" when unknown or not applicable) and a *replaceability* (``drop_in``, ``effort``,
``none``, or "" when unknown). The *home* jurisdiction is the country running AIHQ; an agreement in force
with a partner country *covers* dependencies on that country.

Measures:

* ``hhi`` / ``concentration`` — Herfindahl–Hirschman index of how concentrated dependencies are on a few
  suppliers, jurisdictions or model families, and its effective number of equal-sized players;
* ``foreign_shares`` — the share of use cases (and of their budget) that depend on at least one foreign
  component, overall or per organisation, sector or region;
* ``component_score`` / ``use_case_score`` — a 0–100 sovereignty score, explained factor by factor in
  English and Russian; ``use_case_score_values`` computes the same values for a whole portfolio at once;
* ``cutoff_impact`` / ``summarise`` — which use cases break or are degraded if suppliers, jurisdictions or
  components were cut off.
"""

from __future__ import annotations

import math
import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from types import MappingProxyType
from typing import Final

import numpy as np

# --- Vocabulary -------------------------------------------------------------------------------------------

ON_PREMISES: Final = "on_premises"
DOMESTIC_CLOUD: Final = "domestic_cloud"
FOREIGN_CLOUD: Final = "foreign_cloud"

DROP_IN: Final = "drop_in"
EFFORT: Final = "effort"
NO_REPLACEMENT: Final = "none"

CRITICAL: Final = "critical"
IMPORTANT: Final = "important"
MINOR: Final = "minor"

UNKNOWN: Final = ""

# --- 1. Concentration -------------------------------------------------------------------------------------

#: An HHI above this is "highly concentrated" (US DOJ/FTC Merger Guidelines 2023, section 2.1).
HIGHLY_CONCENTRATED: Final = 1800.0
HHI_MAX: Final = 10_000.0

LEVEL_HIGHLY_CONCENTRATED: Final = "highly_concentrated"
LEVEL_NOT_HIGHLY_CONCENTRATED: Final = "not_highly_concentrated"


def hhi(weights: Mapping[str, float]) -> float:
    """Herfindahl–Hirschman index (HHI) of the weights, on the 0–10,000 scale.

    Each key's share is its weight as a percentage of the total, s_i = 100 × w_i / Σ w; the index is the
    sum of the squared shares, HHI = Σ s_i². One key holding everything gives 10,000; n keys of equal
    weight give 10,000 / n; shares of 50 %, 30 % and 20 % give 2,500 + 900 + 400 = 3,800. Empty input, or
    weights that are all zero, give 0.0 (nothing to be concentrated). A negative or non-finite weight is an
    error (``ValueError``).
    """
    values = list(weights.values())
    for key, value in weights.items():
        if not math.isfinite(value) or value < 0:
            raise ValueError(f"weight of {key!r} must be a finite non-negative number, got {value!r}")
    total = math.fsum(values)
    if total == 0:
        return 0.0
    return min(HHI_MAX, math.fsum((100.0 * value / total) ** 2 for value in values))


def effective_number(hhi: float) -> float | None:
    """Effective number of equal-sized players, 10,000 / HHI (the "numbers equivalent").

    An HHI of 3,800 is as concentrated as 10,000 / 3,800 ≈ 2.63 equal suppliers; 2,500 as four equal ones;
    10,000 (a monopoly) as one. ``None`` when the HHI is 0 (no dependencies at all).
    """
    if not math.isfinite(hhi) or hhi < 0:
        raise ValueError(f"HHI must be a finite non-negative number, got {hhi!r}")
    return HHI_MAX / hhi if hhi else None


@dataclass(frozen=True, slots=True)
class Concentration:
    """How concentrated a set of dependencies is: its HHI, effective number, level and each key's share.

    ``shares`` are percentages (0–100), largest first, ties by key; ``level`` is ``"highly_concentrated"``
    when the HHI is above 1,800, else ``"not_highly_concentrated"``.
    """

    hhi: float
    effective: float | None
    level: str
    shares: tuple[tuple[str, float], ...]


def concentration(labels: Iterable[str], weights: Iterable[float] | None = None) -> Concentration:
    """Concentration of dependencies on labels (suppliers, jurisdictions, model families, ...).

    Each label's weight is the number of times it occurs in ``labels`` or, when ``weights`` are given (one
    per label, in the same order — e.g. budgets), the sum of its weights. The result holds the HHI of those
    weights (see ``hhi``), the effective number (see ``effective_number``), the level — *highly
    concentrated* when the HHI exceeds 1,800, the threshold of the US DOJ/FTC Merger Guidelines (2023) —
    and each label's share in percent, largest first.
    """
    totals: dict[str, float] = defaultdict(float)
    if weights is None:
        for label, count in Counter(labels).items():
            totals[label] = float(count)
    else:
        for label, weight in zip(labels, weights, strict=True):
            totals[label] += weight
    index = hhi(totals)
    grand = math.fsum(totals.values())
    shares = tuple(
        sorted(
            ((label, 100.0 * value / grand if grand else 0.0) for label, value in totals.items()),
            key=lambda item: (-item[1], item[0]),
        )
    )
    level = LEVEL_HIGHLY_CONCENTRATED if index > HIGHLY_CONCENTRATED else LEVEL_NOT_HIGHLY_CONCENTRATED
    return Concentration(hhi=index, effective=effective_number(index), level=level, shares=shares)


# --- 2. Dependencies and foreign shares -------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Dependency:
    """One component as a use case depends on it (the component's facts plus the use case's criticality)."""

    component_id: int
    type: str
    jurisdiction: str
    hosting: str
    criticality: str
    supplier_id: int | None
    replaceability: str
    licence: str
    open_weights: bool | None
    model_family: str


@dataclass(frozen=True, slots=True)
class UseCaseDeps:
    """A use case's AI-BOM: its groups (dimension → values, e.g. ``{"sector": ("health", "it")}``), its
    budget (``None`` when unknown) and its dependencies."""

    use_case_id: int
    groups: Mapping[str, tuple[str, ...]]
    budget: float | None
    dependencies: tuple[Dependency, ...]


def is_foreign(dep: Dependency, home: str) -> bool:
    """Whether a dependency is foreign: true when **either**

    * its supplier's jurisdiction is known and is not the home jurisdiction (a foreign supplier, wherever the
      component runs), **or**
    * it runs in a foreign cloud (``hosting == "foreign_cloud"``), whoever supplies it.

    A dependency whose jurisdiction is unknown and which is not hosted in a foreign cloud is *not* counted
    as foreign.
    """
    jurisdiction = dep.jurisdiction.strip().upper()
    return bool(jurisdiction and jurisdiction != home.strip().upper()) or dep.hosting == FOREIGN_CLOUD


@dataclass(frozen=True, slots=True)
class Share:
    """Foreign dependency in one group.

    ``total``: use cases in the group with a recorded AI-BOM; ``foreign``: those of them that depend on a
    foreign component; ``share`` = foreign / total (``None`` when total is 0). ``budget_*`` are the same
    over budgets, counting only the ``budget_known`` use cases whose budget is known (``budget_share`` is
    ``None`` when their budgets sum to 0). ``unrecorded``: use cases in the group with no dependency
    recorded at all, left out of every other figure.
    """

    total: int
    foreign: int
    share: float | None
    budget_total: float
    budget_foreign: float
    budget_share: float | None
    budget_known: int
    unrecorded: int = 0


ALL: Final = "all"


def foreign_shares(
    use_cases: Iterable[UseCaseDeps], home: str, by: str | None, component_type: str | None = None
) -> dict[str, Share]:
    """Share of use cases, and of their budget, that depend on something foreign, per group.

    A use case is *dependent* when at least one of its dependencies — of ``component_type`` only, when
    given (e.g. ``"model"``, ``"cloud"``) — is foreign (see ``is_foreign``: a supplier in another
    jurisdiction, or hosting in a foreign cloud). The denominator is the use cases with a recorded AI-BOM
    (at least one dependency of any type): with a type given, a use case that records no component of that
    type counts as not dependent on it. Use cases with no dependency recorded are counted apart
    (``unrecorded``), since nothing is known about them.

    ``by`` names the group dimension (``"organisation"``, ``"sector"``, ``"region"``); ``None`` gives one
    group, ``"all"``. A use case in several groups (two sectors, say) counts — with its whole budget — in
    each, so group figures do not add up to the national one; a use case with no value for the dimension
    counts under ``""``. Budget figures count only the use cases whose budget is known
    (``budget_known`` of them); unknown budgets are neither zero nor estimated. Groups are returned in key
    order.
    """
    home = home.strip().upper()
    counts: dict[str, list[float]] = defaultdict(lambda: [0, 0, 0.0, 0.0, 0, 0])
    for use_case in use_cases:
        keys = (ALL,) if by is None else (use_case.groups.get(by) or (UNKNOWN,))
        if use_case.budget is not None and (not math.isfinite(use_case.budget) or use_case.budget < 0):
            raise ValueError(f"use case {use_case.use_case_id}: budget must be non-negative, got {use_case.budget!r}")
        recorded = bool(use_case.dependencies)
        dependent = any(
            is_foreign(dep, home)
            for dep in use_case.dependencies
            if component_type is None or dep.type == component_type
        )
        for key in dict.fromkeys(keys):
            row = counts[key]
            if not recorded:
                row[5] += 1
                continue
            row[0] += 1
            row[1] += dependent
            if use_case.budget is not None:
                row[2] += use_case.budget
                row[3] += use_case.budget if dependent else 0.0
                row[4] += 1
    return {
        key: Share(
            total=int(row[0]),
            foreign=int(row[1]),
            share=row[1] / row[0] if row[0] else None,
            budget_total=row[2],
            budget_foreign=row[3],
            budget_share=row[3] / row[2] if row[2] else None,
            budget_known=int(row[4]),
            unrecorded=int(row[5]),
        )
        for key, row in sorted(counts.items())
    }


# --- 3. Sovereignty score ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Weights:
    """Relative weights of the four factors of a component's sovereignty score.

    Defaults: jurisdiction 0.4, hosting 0.25, licence 0.2, replaceability 0.15. Weights must be finite and
    non-negative; they are normalised to sum to 1 over the factors that apply to a component. Because
    hosting does not apply to every component, jurisdiction, licence and replaceability together must carry
    some weight.
    """

    jurisdiction: float = 0.4
    hosting: float = 0.25
    licence: float = 0.2
    replaceability: float = 0.15

    def __post_init__(self) -> None:
        for name in ("jurisdiction", "hosting", "licence", "replaceability"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value) or value < 0:
                raise ValueError(f"weight {name} must be a finite non-negative number, got {value!r}")
        if self.jurisdiction + self.licence + self.replaceability <= 0:
            raise ValueError("the jurisdiction, licence and replaceability weights must not all be zero")

    def as_dict(self) -> dict[str, float]:
        """The weights by factor name, as given (not normalised)."""
        return {
            "jurisdiction": float(self.jurisdiction),
            "hosting": float(self.hosting),
            "licence": float(self.licence),
            "replaceability": float(self.replaceability),
        }


#: Factor values (0 = no sovereignty, 1 = full); "" is unknown. Shown on the help page.
JURISDICTION_VALUES: Final = MappingProxyType({"home": 1.0, "covered": 0.5, "foreign": 0.0, UNKNOWN: 0.25})
HOSTING_VALUES: Final = MappingProxyType({ON_PREMISES: 1.0, DOMESTIC_CLOUD: 0.8, FOREIGN_CLOUD: 0.0})
LICENCE_VALUES: Final = MappingProxyType({"open": 1.0, "not_open": 0.0, UNKNOWN: 0.25})
REPLACEABILITY_VALUES: Final = MappingProxyType({DROP_IN: 1.0, EFFORT: 0.5, NO_REPLACEMENT: 0.0, UNKNOWN: 0.25})
#: Weight of a component in its use case's score, by criticality ("" unknown counts as minor).
CRITICALITY_WEIGHTS: Final = MappingProxyType({CRITICAL: 3.0, IMPORTANT: 2.0, MINOR: 1.0, UNKNOWN: 1.0})

#: SPDX identifiers (SPDX License List 3.27) of recognised open licences: OSI-approved software licences and
#: open data/content licences; the deprecated bare GPL/LGPL/AGPL ids are kept because they are common.
OPEN_LICENCES: Final = frozenset(
    {
        "0BSD",
        "AFL-3.0",
        "AGPL-3.0",
        "AGPL-3.0-only",
        "AGPL-3.0-or-later",
        "Apache-2.0",
        "Artistic-2.0",
        "BSD-2-Clause",
        "BSD-3-Clause",
        "BSL-1.0",
        "CC-BY-3.0",
        "CC-BY-4.0",
        "CC-BY-SA-3.0",
        "CC-BY-SA-4.0",
        "CC0-1.0",
        "CDLA-Permissive-1.0",
        "CDLA-Permissive-2.0",
        "CDLA-Sharing-1.0",
        "ECL-2.0",
        "EPL-2.0",
        "EUPL-1.2",
        "GPL-2.0",
        "GPL-2.0-only",
        "GPL-2.0-or-later",
        "GPL-3.0",
        "GPL-3.0-only",
        "GPL-3.0-or-later",
        "ISC",
        "LGPL-2.0",
        "LGPL-2.0-only",
        "LGPL-2.0-or-later",
        "LGPL-2.1",
        "LGPL-2.1-only",
        "LGPL-2.1-or-later",
        "LGPL-3.0",
        "LGPL-3.0-only",
        "LGPL-3.0-or-later",
        "MIT",
        "MIT-0",
        "MPL-2.0",
        "MS-PL",
        "ODbL-1.0",
        "ODC-By-1.0",
        "OFL-1.1",
        "PDDL-1.0",
        "PostgreSQL",
        "Python-2.0",
        "Unlicense",
        "UPL-1.0",
        "Zlib",
    }
)

#: Open RAIL licences. They are not on the SPDX License List, so SPDX expressions name them with a
#: ``LicenseRef-`` prefix; these are the Hugging Face Hub's ids for them (accepted with or without the
#: prefix). They grant a perpetual, royalty-free right to use, modify and share the weights, with use-based
#: restrictions — not OSI open source, but nothing a supplier can withdraw, which is what sovereignty needs.
OPEN_RAIL_LICENCES: Final = frozenset(
    {
        "openrail",
        "openrail++",
        "creativeml-openrail-m",
        "bigscience-openrail-m",
        "bigcode-openrail-m",
        "bigscience-bloom-rail-1.0",
    }
)

_OPEN_IDS: Final = frozenset(
    {licence.lower() for licence in OPEN_LICENCES} | {f"licenseref-{licence}" for licence in OPEN_RAIL_LICENCES}
)
_TOKEN: Final = re.compile(r"\(|\)|[^\s()]+")
_OPERATORS: Final = frozenset({"AND", "OR", "WITH"})
_NO_ASSERTION: Final = frozenset({"", "NOASSERTION"})


def _id_is_open(licence_id: str) -> bool:
    # SPDX ids match case-insensitively; a trailing "+" (this version or later) keeps the licence's openness.
    key = licence_id.lower().removesuffix("+")
    return key in _OPEN_IDS or f"licenseref-{key}" in _OPEN_IDS


@lru_cache(maxsize=4096)
def licence_is_open(expression: str) -> bool | None:
    """Whether an SPDX licence expression grants open use: ``True``, ``False``, or ``None`` (unknown).

    A licence identifier is open when it is in ``OPEN_LICENCES`` (common OSI-approved and open-data
    licences) or ``OPEN_RAIL_LICENCES``; identifiers match without regard to case, and ``id+`` ("this
    version or later") is as open as ``id``. ``A AND B`` is open only if both are (you must comply with
    both); ``A OR B`` if either is (you may choose); ``A WITH exception`` if A is (exceptions only add
    permissions); parentheses group, and AND binds tighter than OR. An empty expression or
    ``NOASSERTION`` is unknown (``None``), as is one that cannot be parsed; ``NONE`` (no licence granted),
    ``LicenseRef-…`` proprietary licences and any unrecognised identifier are not open.
    """
    text = expression.strip()
    if text.upper() in _NO_ASSERTION:
        return None
    tokens = _TOKEN.findall(text)
    position = 0

    def peek() -> str | None:
        return tokens[position] if position < len(tokens) else None

    def take() -> str:
        nonlocal position
        token = peek()
        if token is None:
            raise ValueError("unexpected end")
        position += 1
        return token

    def operator(name: str) -> bool:
        token = peek()
        return token is not None and token in (name, name.lower())

    def parse_or() -> bool:
        value = parse_and()
        while operator("OR"):
            take()
            value = parse_and() or value
        return value

    def parse_and() -> bool:
        value = parse_with()
        while operator("AND"):
            take()
            value = parse_with() and value
        return value

    def parse_with() -> bool:
        value = parse_primary()
        if operator("WITH"):
            take()
            exception = take()
            if exception in ("(", ")") or exception.upper() in _OPERATORS:
                raise ValueError("exception id expected")
        return value

    def parse_primary() -> bool:
        token = take()
        if token == "(":
            value = parse_or()
            if take() != ")":
                raise ValueError("')' expected")
            return value
        if token == ")" or token.upper() in _OPERATORS:
            raise ValueError("licence id expected")
        return _id_is_open(token)

    try:
        result = parse_or()
    except ValueError:
        return None
    return result if position == len(tokens) else None


@dataclass(frozen=True, slots=True)
class Point:
    """One factor of a component's score: its value (0–1; ``None`` when the factor is left out), the weight
    it carries after normalisation (0 when left out) and why, in English and Russian."""

    factor: str
    value: float | None
    weight: float
    reason_en: str
    reason_ru: str

    @property
    def contribution(self) -> float:
        """Points this factor adds to the component's 0–100 score (value × weight × 100)."""
        return 0.0 if self.value is None else 100.0 * self.value * self.weight


@dataclass(frozen=True, slots=True)
class ComponentScore:
    """A component's sovereignty score (0–100) and the factor-by-factor explanation."""

    component_id: int
    value: float
    points: tuple[Point, ...]


def _jurisdiction_point(dep: Dependency, home: str, covered: frozenset[str]) -> tuple[float, str, str]:
    code = dep.jurisdiction.strip().upper()
    if not code:
        return JURISDICTION_VALUES[UNKNOWN], "supplier's jurisdiction unknown", "юрисдикция поставщика неизвестна"
    if code == home:
        return (
            JURISDICTION_VALUES["home"],
            f"supplier in {code}, the home jurisdiction",
            f"поставщик из {code} — отечественная юрисдикция",
        )
    if code in covered:
        return (
            JURISDICTION_VALUES["covered"],
            f"supplier in {code}, a foreign jurisdiction covered by an agreement in force",
            f"поставщик из {code} — иностранная юрисдикция, с которой действует соглашение",
        )
    return (
        JURISDICTION_VALUES["foreign"],
        f"supplier in {code}, a foreign jurisdiction with no agreement in force",
        f"поставщик из {code} — иностранная юрисдикция без действующего соглашения",
    )


_HOSTING_REASONS: Final = MappingProxyType(
    {
        ON_PREMISES: ("runs on premises", "работает на собственной инфраструктуре"),
        DOMESTIC_CLOUD: ("runs in a domestic cloud", "работает в отечественном облаке"),
        FOREIGN_CLOUD: ("runs in a foreign cloud", "работает в иностранном облаке"),
        UNKNOWN: (
            "hosting unknown or not applicable: left out, the other weights scaled up",
            "размещение неизвестно или неприменимо: фактор не учитывается, веса остальных факторов пересчитаны",
        ),
    }
)

_REPLACEABILITY_REASONS: Final = MappingProxyType(
    {
        DROP_IN: ("a drop-in replacement exists", "есть готовая замена"),
        EFFORT: ("can be replaced with effort", "замена возможна, но потребует усилий"),
        NO_REPLACEMENT: ("no replacement known", "замены нет"),
        UNKNOWN: ("replaceability unknown", "заменимость неизвестна"),
    }
)


def _licence_point(dep: Dependency) -> tuple[float, str, str]:
    licence = dep.licence.strip()
    if dep.open_weights:
        suffix_en = f" (licence {licence})" if licence else ""
        suffix_ru = f" (лицензия {licence})" if licence else ""
        return LICENCE_VALUES["open"], f"open weights{suffix_en}", f"открытые веса{suffix_ru}"
    openness = licence_is_open(licence)
    if openness:
        return LICENCE_VALUES["open"], f"open licence ({licence})", f"открытая лицензия ({licence})"
    if openness is False:
        return (
            LICENCE_VALUES["not_open"],
            f"licence {licence} is proprietary or not a recognised open licence",
            f"лицензия {licence} — проприетарная или не входит в число признанных открытых",
        )
    if licence.upper() in _NO_ASSERTION:
        return LICENCE_VALUES[UNKNOWN], "licence unknown", "лицензия неизвестна"
    return (
        LICENCE_VALUES[UNKNOWN],
        f"licence expression {licence!r} could not be read: treated as unknown",
        f"выражение лицензии «{licence}» не удалось разобрать: считается неизвестной",
    )


def _checked(value: str, allowed: Mapping[str, object], name: str, component_id: int) -> str:
    if value not in allowed:
        raise ValueError(f"component {component_id}: unknown {name} {value!r}")
    return value


def component_score(
    dep: Dependency, weights: Weights, home: str, covered: frozenset[str] = frozenset()
) -> ComponentScore:
    """A component's sovereignty score, 0–100, with the reason for each factor.

    Score = 100 × Σ weight_f × value_f / Σ weight_f over the factors f that apply. Factor values, from 0
    (no sovereignty) to 1 (full):

    * **jurisdiction** of the supplier: the home jurisdiction 1.0; a foreign jurisdiction covered by an
      agreement in force (``covered``) 0.5; any other foreign jurisdiction 0.0; unknown 0.25;
    * **hosting**: on premises 1.0; a domestic cloud 0.8; a foreign cloud 0.0; unknown or not applicable
      (a dataset, a framework) — the factor is left out and the other weights are scaled up to sum to 1;
    * **licence** openness: open weights, or a licence expression made only of recognised open licences
      (see ``licence_is_open``) 1.0; a proprietary or unrecognised licence 0.0; unknown 0.25;
    * **replaceability**: a drop-in replacement 1.0; replaceable with effort 0.5; no replacement 0.0;
      unknown 0.25.

    Unknown is scored 0.25, below the midpoint, so that missing information lowers the score rather than
    hiding a risk. With the default weights, a model from a foreign supplier with no agreement (0.0), run in
    a domestic cloud (0.8), open weights (1.0), replaceable with effort (0.5) scores
    100 × (0.4 × 0 + 0.25 × 0.8 + 0.2 × 1 + 0.15 × 0.5) = 47.5.
    """
    home = home.strip().upper()
    covered = frozenset(code.strip().upper() for code in covered)
    hosting = _checked(dep.hosting, _HOSTING_REASONS, "hosting", dep.component_id)
    replaceability = _checked(dep.replaceability, REPLACEABILITY_VALUES, "replaceability", dep.component_id)
    raw = weights.as_dict()
    if hosting == UNKNOWN:
        raw["hosting"] = 0.0
    total = math.fsum(raw.values())
    norm = {name: value / total for name, value in raw.items()}
    jurisdiction = _jurisdiction_point(dep, home, covered)
    licence = _licence_point(dep)
    points = (
        Point("jurisdiction", jurisdiction[0], norm["jurisdiction"], jurisdiction[1], jurisdiction[2]),
        Point(
            "hosting",
            HOSTING_VALUES.get(hosting),
            norm["hosting"],
            *_HOSTING_REASONS[hosting],
        ),
        Point("licence", licence[0], norm["licence"], licence[1], licence[2]),
        Point(
            "replaceability",
            REPLACEABILITY_VALUES[replaceability],
            norm["replaceability"],
            *_REPLACEABILITY_REASONS[replaceability],
        ),
    )
    value = math.fsum(point.contribution for point in points)
    return ComponentScore(component_id=dep.component_id, value=min(100.0, max(0.0, value)), points=points)


@dataclass(frozen=True, slots=True)
class UseCaseScore:
    """A use case's sovereignty score and how it was reached.

    ``value``: the score, 0–100 (``None`` with no dependencies); ``mean``: the criticality-weighted mean
    of its components' scores; ``cap``: the lowest score among its critical components (``None`` if it
    has none); ``capped_by``: the component whose score capped the mean (``None`` when the cap did not
    lower it); ``components``: each dependency's score, in the order given.
    """

    value: float | None
    mean: float | None
    cap: float | None
    capped_by: int | None
    components: tuple[ComponentScore, ...]


def _criticality_weight(dep: Dependency) -> float:
    try:
        return CRITICALITY_WEIGHTS[dep.criticality]
    except KeyError:
        raise ValueError(f"component {dep.component_id}: unknown criticality {dep.criticality!r}") from None


def use_case_score(
    deps: Sequence[Dependency], weights: Weights, home: str, covered: frozenset[str] = frozenset()
) -> UseCaseScore:
    """A use case's sovereignty score, 0–100: the weakest critical component caps the score.

    1. Each dependency gets its component score (see ``component_score``).
    2. The **mean** weights them by criticality: critical 3, important 2, minor 1, unknown 1:
       mean = Σ c_i × score_i / Σ c_i.
    3. The **cap** is the lowest score among the critical dependencies; the score is the lower of the mean
       and the cap. A use case is only as sovereign as its weakest critical component: good minor
       components cannot make up for a critical one that can be withdrawn.

    Example: a critical component scoring 40 and a minor one scoring 100 give a mean of
    (3 × 40 + 1 × 100) / 4 = 55, capped at 40 by the critical component. No dependencies give no score
    (``None``), not 100: nothing is recorded, not nothing is at risk.
    """
    scores = tuple(component_score(dep, weights, home, covered) for dep in deps)
    if not scores:
        return UseCaseScore(value=None, mean=None, cap=None, capped_by=None, components=())
    factors = [_criticality_weight(dep) for dep in deps]
    mean = math.fsum(c * s.value for c, s in zip(factors, scores, strict=True)) / math.fsum(factors)
    critical = [(s.value, s.component_id) for dep, s in zip(deps, scores, strict=True) if dep.criticality == CRITICAL]
    if not critical:
        return UseCaseScore(value=mean, mean=mean, cap=None, capped_by=None, components=scores)
    cap, weakest = min(critical)
    binds = cap < mean
    return UseCaseScore(
        value=cap if binds else mean,
        mean=mean,
        cap=cap,
        capped_by=weakest if binds else None,
        components=scores,
    )


def use_case_score_values(
    use_cases: Sequence[UseCaseDeps], weights: Weights, home: str, covered: frozenset[str] = frozenset()
) -> dict[int, float | None]:
    """``use_case_score(...).value`` for every use case at once (portfolio pages, exports).

    The same definition as ``use_case_score``, without the explanations: component scores are computed
    once per distinct combination of facts, and the weighted means and caps over all use cases in one
    numpy pass. Results agree with ``use_case_score`` to floating-point rounding.
    """
    home = home.strip().upper()
    cache: dict[tuple[str, str, str, bool | None, str], float] = {}
    scores: list[float] = []
    factors: list[float] = []
    critical: list[bool] = []
    owners: list[int] = []
    for index, use_case in enumerate(use_cases):
        for dep in use_case.dependencies:
            key = (dep.jurisdiction, dep.hosting, dep.licence, dep.open_weights, dep.replaceability)
            value = cache.get(key)
            if value is None:
                value = cache[key] = component_score(dep, weights, home, covered).value
            scores.append(value)
            factors.append(_criticality_weight(dep))
            critical.append(dep.criticality == CRITICAL)
            owners.append(index)
    count = len(use_cases)
    score = np.asarray(scores, dtype=np.float64)
    weight = np.asarray(factors, dtype=np.float64)
    crit = np.asarray(critical, dtype=bool)
    owner = np.asarray(owners, dtype=np.intp)
    numerator = np.bincount(owner, weights=score * weight, minlength=count)
    denominator = np.bincount(owner, weights=weight, minlength=count)
    cap = np.full(count, np.inf)
    np.minimum.at(cap, owner[crit], score[crit])
    with np.errstate(invalid="ignore", divide="ignore"):
        value = np.minimum(numerator / denominator, cap)
    return {
        use_case.use_case_id: (float(v) if d > 0 else None)
        for use_case, v, d in zip(use_cases, value.tolist(), denominator.tolist(), strict=True)
    }


# --- 4. Cut-off scenarios ---------------------------------------------------------------------------------

REASON_COMPONENT: Final = "component"
REASON_SUPPLIER: Final = "supplier"
REASON_PARENT_SUPPLIER: Final = "parent_supplier"
REASON_JURISDICTION: Final = "jurisdiction"


@dataclass(frozen=True, slots=True)
class Cutoff:
    """A scenario: these suppliers (with their subsidiaries), jurisdictions and components become
    unavailable."""

    suppliers: frozenset[int] = field(default_factory=frozenset)
    jurisdictions: frozenset[str] = field(default_factory=frozenset)
    components: frozenset[int] = field(default_factory=frozenset)


@dataclass(frozen=True, slots=True)
class Hit:
    """A dependency a scenario cuts: why (``component``, ``supplier``, ``parent_supplier`` or
    ``jurisdiction``), how critical it is to the use case, and whether it can be replaced."""

    component_id: int
    criticality: str
    reason: str
    has_alternative: bool
    replaceability: str


@dataclass(frozen=True, slots=True)
class Impact:
    """What a scenario does to one use case: it ``breaks`` (a critical dependency is cut) or is
    ``degraded`` (only non-critical ones are); ``hit`` lists the cut dependencies, critical first."""

    use_case_id: int
    breaks: bool
    degraded: bool
    hit: tuple[Hit, ...]
    all_have_alternatives: bool


_CRITICALITY_RANK: Final = MappingProxyType({CRITICAL: 0, IMPORTANT: 1, MINOR: 2, UNKNOWN: 3})


def _cut_by_parent(supplier_id: int, cut: frozenset[int], parents: Mapping[int, int | None]) -> bool:
    seen = {supplier_id}
    parent = parents.get(supplier_id)
    while parent is not None and parent not in seen:
        if parent in cut:
            return True
        seen.add(parent)
        parent = parents.get(parent)
    return False


def cutoff_impact(
    use_cases: Sequence[UseCaseDeps],
    cut: Cutoff,
    parents: Mapping[int, int | None],
    alternatives: Mapping[int, bool],
) -> list[Impact]:
    """Which use cases a cut-off scenario hits, and how hard.

    A dependency is cut when, checked in this order (the first reason found is reported):

    * ``component``: the component itself is cut;
    * ``supplier``: its supplier is cut;
    * ``parent_supplier``: a supplier above its supplier in the ownership chain (``parents``: supplier →
      parent supplier) is cut — a cut supplier takes its subsidiaries with it, however deep; a loop in the
      chain is walked once;
    * ``jurisdiction``: its supplier's jurisdiction is cut.

    A use case **breaks** when at least one of its critical dependencies is cut, and is **degraded** when
    only important, minor or unknown-criticality ones are (record criticality to tell). Each cut
    dependency says whether a known alternative exists (``alternatives``: component → bool; missing means
    no) and its replaceability; ``all_have_alternatives`` is true when every cut dependency has one. Use
    cases not hit are left out; broken ones come first, then by use case id.
    """
    jurisdictions = frozenset(code.strip().upper() for code in cut.jurisdictions)
    parent_cut: dict[int, bool] = {}
    impacts: list[Impact] = []
    for use_case in use_cases:
        hits: list[Hit] = []
        for dep in use_case.dependencies:
            reason: str | None = None
            if dep.component_id in cut.components:
                reason = REASON_COMPONENT
            elif dep.supplier_id is not None and dep.supplier_id in cut.suppliers:
                reason = REASON_SUPPLIER
            elif dep.supplier_id is not None and cut.suppliers:
                by_parent = parent_cut.get(dep.supplier_id)
                if by_parent is None:
                    by_parent = parent_cut[dep.supplier_id] = _cut_by_parent(dep.supplier_id, cut.suppliers, parents)
                if by_parent:
                    reason = REASON_PARENT_SUPPLIER
            if reason is None and dep.jurisdiction.strip().upper() in jurisdictions:
                reason = REASON_JURISDICTION
            if reason is not None:
                hits.append(
                    Hit(
                        component_id=dep.component_id,
                        criticality=dep.criticality,
                        reason=reason,
                        has_alternative=bool(alternatives.get(dep.component_id, False)),
                        replaceability=dep.replaceability,
                    )
                )
        if not hits:
            continue
        hits.sort(key=lambda h: (_CRITICALITY_RANK.get(h.criticality, len(_CRITICALITY_RANK)), h.component_id))
        breaks = any(h.criticality == CRITICAL for h in hits)
        impacts.append(
            Impact(
                use_case_id=use_case.use_case_id,
                breaks=breaks,
                degraded=not breaks,
                hit=tuple(hits),
                all_have_alternatives=all(h.has_alternative for h in hits),
            )
        )
    impacts.sort(key=lambda i: (not i.breaks, i.use_case_id))
    return impacts


BREAKS: Final = "breaks"
DEGRADED: Final = "degraded"


def summarise(
    impacts: Iterable[Impact], groups_of: Mapping[int, Mapping[str, tuple[str, ...]]]
) -> dict[str, Counter[tuple[str, str]]]:
    """Broken and degraded use cases counted per group, for each group dimension.

    Returns ``{dimension: Counter({(group, "breaks"|"degraded"): use cases})}`` for every dimension found
    in ``groups_of`` (use case → its groups, as in ``UseCaseDeps.groups``), plus ``"all"`` with the key
    ``("all", status)``. A use case in several groups counts in each; one with no value for a dimension
    counts under ``""``.
    """
    dimensions = sorted({dimension for groups in groups_of.values() for dimension in groups})
    result: dict[str, Counter[tuple[str, str]]] = {ALL: Counter()}
    for dimension in dimensions:
        result[dimension] = Counter()
    for impact in impacts:
        status = BREAKS if impact.breaks else DEGRADED
        result[ALL][(ALL, status)] += 1
        groups = groups_of.get(impact.use_case_id, {})
        for dimension in dimensions:
            for value in dict.fromkeys(groups.get(dimension) or (UNKNOWN,)):
                result[dimension][(value, status)] += 1
    return result
