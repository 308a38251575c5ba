"""The US federal AI use-case inventory: OMB M-24-10 (2024) and M-25-21 (2025) formats.

Both are driven by the data dictionaries OMB published (shipped in ``exchange/data``). Values are
normalised where the meaning is unambiguous (case, spelling, list letters, OMB's own recoding
map); each row's original cells are kept whole in ``UseCase.source_record`` so an export of an
unchanged row reproduces it exactly.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml
from django.utils.translation import gettext as _

from aihq.exchange import normalise
from aihq.exchange.formats.base import Format, OrgRef, ParsedRow, link_codes

if TYPE_CHECKING:
    from aihq.registry.models import UseCase

DATA = Path(__file__).resolve().parent.parent / "data"

# Registry stage ← M-24-10 stage (and spellings found outside the official list).
STAGES_2024 = {
    "Initiated": "planned",
    "Acquisition and/or Development": "development",
    "Implementation and Assessment": "pilot",
    "Operation and Maintenance": "production",
    "Retired": "retired",
}
STAGES_2024_UNOFFICIAL = {
    "Planned": "planned",
    "In production": "production",
    "Production": "production",
    "In mission": "production",
    "Development": "development",
    "Pilot": "pilot",
    "Pre-deployment": "development",
    "Deployed": "production",
}
IMPACT_2024 = {"Rights-Impacting": "rights", "Safety-Impacting": "safety", "Both": "both", "Neither": "neither"}
METHOD_2024 = {
    "Developed with contracting resources.": "contracted",
    "Developed in-house.": "in_house",
    "Developed with both contracting and in-house resources.": "mixed",
}
TOPICS_2024 = {
    "Government Services (includes Benefits and Service Delivery)": "public-services",
    "Diplomacy & Trade": "diplomacy-trade",
    "Education & Workforce": "education",
    "Energy & the Environment": "energy-environment",
    "Emergency Management": "emergency",
    "Health & Medical": "healthcare",
    "Law & Justice": "law-justice",
    "Science & Space": "science-space",
    "Transportation": "transport",
    "Mission-Enabling": "mission-enabling",
    "Other": "other",
}
TOPICS_2024_UNOFFICIAL = {
    "Mission-Enabling (internal agency support)": "mission-enabling",
    "Mission-Enabeling": "mission-enabling",
}

STAGES_2025 = {"a": "development", "b": "pilot", "c": "production", "d": "retired"}
TOPICS_2025 = {
    "Administrative Functions": "mission-enabling",
    "Cybersecurity": "cybersecurity",
    "Emergency Management": "emergency",
    "Energy and the Environment": "energy-environment",
    "Government Benefits Processing": "social-protection",
    "Health and Medical": "healthcare",
    "Human Resources": "human-resources",
    "Information Technology": "telecom-it",
    "International Affairs": "diplomacy-trade",
    "Law Enforcement": "law-justice",
    "Other": "other",
    "Procurement and Financial Management": "finance",
    "Science": "science-space",
    "Service Delivery": "public-services",
    "Transportation": "transport",
    "Other – Economic & Financial": "finance",
}
TECHNIQUES_2025 = {
    "Agentic AI": "agentic",
    "Classical/Predictive Machine Learning": "classical_ml",
    "Computer Vision": "computer_vision",
    "Generative AI": "genai",
    "Natural Language Processing": "nlp",
    "Reinforcement Learning": "rl",
}
METHOD_2025 = {"a": "contracted", "b": "in_house", "c": "mixed"}

_AGENCY_IN_ID = re.compile(r"^\s*([A-Za-z][A-Za-z0-9&.]*)\s*[-–—_ ]\s*\d")
#: what an organisation code may be (registry.Organisation.code); an agency named otherwise cannot be created
_ORG_CODE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,49}")
ORG_NAME_MAX = 300


def _check_agency_code(parsed: ParsedRow, column: str, code: str) -> None:
    if code and not _ORG_CODE.fullmatch(code):
        parsed.error(
            column,
            code,
            _("cannot be used as an organisation code: use up to 50 letters, digits, dots, dashes and underscores"),
        )


def _reverse(table: dict[str, str]) -> dict[str, str]:
    reverse: dict[str, str] = {}
    for official, value in table.items():
        reverse.setdefault(value, official)
    return reverse


def _agency_and_bureau(use_case: UseCase) -> tuple[Any, str]:
    """The agency organisation and bureau name for a use case made outside an OMB file."""
    org = use_case.organisation
    if org.parent_id is not None and org.parent is not None:
        return org.parent, org.name_en or org.name_ru
    return org, use_case.unit


def _date_us(value: Any) -> str:
    return f"{value.month}/{value.day}/{value.year}" if value else ""


class OMBFormat(Format):
    """What both OMB formats share: the original row kept whole, answers normalised into attributes."""

    #: registry field → function(use_case) giving this format's cell for it
    exporters: dict[str, Callable[[UseCase], dict[str, str]]]

    def export_row(self, use_case: UseCase) -> dict[str, str]:
        """The original row where nothing changed since import; the registry's values where something did."""
        derived = self.derived_row(use_case)
        if use_case.source_format != self.name or not use_case.source_record:
            return derived
        row = {
            column: value if isinstance(value, str) else normalise.text(value)
            for column, value in use_case.source_record.items()
        }
        original = self.parsed_values(self.parse(0, use_case.source_record))
        current = self.current_values(use_case)
        for name, value in current.items():
            if original.get(name) != value:
                for column, cell in self.exporters[name](use_case).items():
                    row[column] = cell
        return row

    def parsed_values(self, parsed: ParsedRow) -> dict[str, Any]:
        values = {name: parsed.fields.get(name) for name in self.exporters if name not in ("sectors", "organisation")}
        values["sectors"] = sorted(parsed.sectors)
        values["organisation"] = (normalise.key(parsed.org.code), normalise.key(parsed.org.bureau))
        return values

    def current_values(self, use_case: UseCase) -> dict[str, Any]:
        values = {name: getattr(use_case, name) for name in self.exporters if name not in ("sectors", "organisation")}
        values["sectors"] = sorted(link_codes(use_case, "sectors"))
        agency, bureau = _agency_and_bureau(use_case)
        values["organisation"] = (normalise.key(agency.code), normalise.key(bureau))
        return values

    def derived_row(self, use_case: UseCase) -> dict[str, str]:
        row = dict.fromkeys(self.export_columns(), "")
        for exporter in self.exporters.values():
            row.update(exporter(use_case))
        for column, value in (use_case.attributes or {}).items():
            if column in row and not row[column]:
                row[column] = "; ".join(value) if isinstance(value, list) else normalise.text(value)
        return row


class OMB2024(OMBFormat):
    """OMB M-24-10 inventory (2024): 62 columns named like ``2_use_case_name``; no use-case id."""

    name = "omb-2024"
    label = "US OMB inventory 2024 (M-24-10)"
    required = ("2_use_case_name", "3_agency", "3_abr", "16_dev_stage")

    def __init__(self) -> None:
        dictionary = yaml.safe_load((DATA / "omb_2024_data_dictionary.yaml").read_text(encoding="utf-8"))
        self.columns = tuple(item["name"] for item in dictionary["fields"])
        self.stages = normalise.choice_table(STAGES_2024.items())
        self.stages_unofficial = normalise.choice_table(STAGES_2024_UNOFFICIAL.items())
        self.impacts = normalise.choice_table(IMPACT_2024.items())
        self.methods = normalise.choice_table(METHOD_2024.items())
        self.topics = normalise.choice_table([*TOPICS_2024.items(), *TOPICS_2024_UNOFFICIAL.items()])
        stage_out, impact_out, method_out, topic_out = map(
            _reverse, (STAGES_2024, IMPACT_2024, METHOD_2024, TOPICS_2024)
        )

        def organisation(use_case: UseCase) -> dict[str, str]:
            agency, bureau = _agency_and_bureau(use_case)
            return {"3_agency": agency.name_en or agency.name_ru, "3_abr": agency.code, "4_bureau": bureau}

        def sectors(use_case: UseCase) -> dict[str, str]:
            codes = link_codes(use_case, "sectors")
            return {"8_topic_area": topic_out.get(codes[0], "Other") if codes else ""}

        self.exporters = {
            "name": lambda uc: {"2_use_case_name": uc.name},
            "organisation": organisation,
            "sectors": sectors,
            "purpose": lambda uc: {"11_purpose_benefits": uc.purpose},
            "outputs": lambda uc: {"12_outputs": uc.outputs},
            "stage": lambda uc: {"16_dev_stage": stage_out.get(uc.stage, "")},
            "impact_type": lambda uc: {"17_impact_type": impact_out.get(uc.impact_type, "")},
            "date_initiated": lambda uc: {"18_date_initiated": _date_us(uc.date_initiated)},
            "date_deployed": lambda uc: {"20_date_implemented": _date_us(uc.date_deployed)},
            "date_retired": lambda uc: {"21_date_retired": _date_us(uc.date_retired)},
            "development_method": lambda uc: {"22_dev_method": method_out.get(uc.development_method, "")},
        }

    def parse(self, number: int, raw: dict[str, Any]) -> ParsedRow:
        row = self.canonical_row(raw)
        parsed = ParsedRow(number, row)
        name = normalise.text(row.get("2_use_case_name"))
        if not name:
            parsed.error("2_use_case_name", "", _("The use case has no name."))
        agency, code = normalise.text(row.get("3_agency")), normalise.text(row.get("3_abr")).upper()
        if not code:
            parsed.error("3_abr", "", _("The agency abbreviation is empty: it names the organisation."))
        _check_agency_code(parsed, "3_abr", code)
        parsed.org = OrgRef(code=code, name=agency[:ORG_NAME_MAX], bureau=normalise.text(row.get("4_bureau")))
        fields: dict[str, Any] = {
            "name": name,
            "reference": "",
            "unit": parsed.org.bureau,
            "purpose": normalise.text(row.get("11_purpose_benefits")),
            "outputs": normalise.text(row.get("12_outputs")),
            "is_public": True,
        }
        stage_raw = row.get("16_dev_stage")
        stage = normalise.match_choice(stage_raw, self.stages)
        if stage is None:
            stage = normalise.match_choice(stage_raw, self.stages_unofficial)
            if stage is not None:
                parsed.warn(
                    "16_dev_stage", stage_raw, _("not one of the format's stages; read as %(stage)s") % {"stage": stage}
                )
            elif normalise.is_blank(stage_raw):
                stage = "planned"
                parsed.warn("16_dev_stage", stage_raw, _("no stage given; recorded as planned"))
            else:
                parsed.error(
                    "16_dev_stage",
                    stage_raw,
                    _("unknown stage; use one of: %(values)s") % {"values": ", ".join(STAGES_2024)},
                )
        fields["stage"] = stage
        impact_raw = row.get("17_impact_type")
        impact = normalise.match_choice(impact_raw, self.impacts)
        if impact is None and not normalise.is_blank(impact_raw):
            parsed.warn("17_impact_type", impact_raw, _("unknown impact type; left unassessed"))
        elif impact is not None and normalise.text(impact_raw) not in IMPACT_2024:
            parsed.warn(
                "17_impact_type",
                impact_raw,
                _("spelling normalised to %(value)s") % {"value": _reverse(IMPACT_2024)[impact]},
            )
        fields["impact_type"] = impact or ""
        fields["is_high_impact"] = None if impact is None else impact != "neither"
        method_raw = row.get("22_dev_method")
        fields["development_method"] = normalise.match_choice(method_raw, self.methods) or "unknown"
        if fields["development_method"] == "unknown" and not (
            normalise.is_blank(method_raw) or normalise.is_not_applicable(method_raw)
        ):
            parsed.warn("22_dev_method", method_raw, _("not one of the format's methods; recorded as unknown"))
        fields["date_initiated"] = parsed.date("18_date_initiated", row.get("18_date_initiated"))
        fields["date_deployed"] = parsed.date("20_date_implemented", row.get("20_date_implemented"))
        fields["date_retired"] = parsed.date("21_date_retired", row.get("21_date_retired"))
        for topic_raw in normalise.split_list(row.get("8_topic_area")):
            topic = normalise.match_choice(topic_raw, self.topics)
            if topic is None:
                parsed.warn("8_topic_area", topic_raw, _("unknown topic area; no sector set for it"))
            elif topic not in parsed.sectors:
                parsed.sectors.append(topic)
        mapped = {
            "2_use_case_name",
            "3_agency",
            "3_abr",
            "4_bureau",
            "8_topic_area",
            "11_purpose_benefits",
            "12_outputs",
            "16_dev_stage",
            "17_impact_type",
            "18_date_initiated",
            "20_date_implemented",
            "21_date_retired",
            "22_dev_method",
        }
        attributes: dict[str, Any] = {}
        for column in self.columns:
            if column in mapped:
                continue
            value = normalise.answer(row.get(column))
            if column == "19_date_acq_dev_began":
                began = parsed.date(column, row.get(column))
                value = began.isoformat() if began else None
            if value is not None:
                attributes[column] = value
        fields["attributes"] = attributes
        parsed.fields = fields
        return parsed


class OMB2025(OMBFormat):
    """OMB M-25-21 inventory (2025): columns by dictionary key or Excel header; ids like "DHS-12"."""

    name = "omb-2025"
    label = "US OMB inventory 2025 (M-25-21)"
    required = ("use_case_name", "development_stage")
    agency_columns = ("agency_abbreviation", "agency abbreviation", "abbreviation", "agency_abbr", "abr", "3_abr")
    agency_name_columns = ("agency", "agency_name", "agency name", "3_agency")

    def __init__(self) -> None:
        self.dictionary: dict[str, dict[str, Any]] = json.loads(
            (DATA / "omb_2025_data_dictionary.json").read_text(encoding="utf-8")
        )
        ordered = sorted(self.dictionary.items(), key=lambda item: item[1].get("column_order_in_original_excel", 99))
        self.columns = tuple(name for name, _spec in ordered)
        self.header_keys: dict[str, str] = {}
        self.choices: dict[str, dict[str, str]] = {}
        for name, spec in ordered:
            self.header_keys[normalise.key(name)] = name
            if spec.get("excel_header"):
                self.header_keys[normalise.key(spec["excel_header"])] = name
            selections = spec.get("valid_selections") or []
            if selections:
                pairs = [(selection, selection) for selection in selections]
                pairs += [(short, full) for full, short in (spec.get("short_hand_recodings") or {}).items()]
                for full, variants in (spec.get("recoding_map") or {}).items():
                    pairs += [(variant, full) for variant in variants]
                self.choices[name] = normalise.choice_table(pairs)
        self.topics = normalise.choice_table(TOPICS_2025.items())
        self.techniques = normalise.choice_table(TECHNIQUES_2025.items())
        self.selections = {name: spec.get("valid_selections") or [] for name, spec in ordered}

        def selection(column: str, letter: str) -> str:
            return next((s for s in self.selections[column] if s.startswith(f"{letter})")), "")

        stage_letter = {value: letter for letter, value in STAGES_2025.items()}
        method_letter = {value: letter for letter, value in METHOD_2025.items()}
        topic_out = _reverse(TOPICS_2025)
        technique_out = {
            value: next((s for s in self.selections["classification"] if s.startswith(label)), label)
            for label, value in TECHNIQUES_2025.items()
        }

        def organisation(use_case: UseCase) -> dict[str, str]:
            _agency, bureau = _agency_and_bureau(use_case)
            return {"agency_bureau": bureau}

        def high_impact(use_case: UseCase) -> dict[str, str]:
            if use_case.is_high_impact is None:
                return {"is_high_impact": ""}
            return {"is_high_impact": selection("is_high_impact", "a" if use_case.is_high_impact else "c")}

        def sectors(use_case: UseCase) -> dict[str, str]:
            codes = link_codes(use_case, "sectors")
            return {"topic_area": topic_out.get(codes[0], "Other") if codes else ""}

        def identifier(use_case: UseCase) -> dict[str, str]:
            # A use case made in AIHQ gets an id in the format's own form, so the file names its agency.
            agency, _bureau = _agency_and_bureau(use_case)
            return {
                "id": use_case.reference or f"{agency.code}-{use_case.pk}",
                "agency": agency.name_en or agency.name_ru,
                "agency_abbreviation": agency.code,
            }

        self.exporters = {
            "reference": identifier,
            "name": lambda uc: {"use_case_name": uc.name},
            "organisation": organisation,
            "stage": lambda uc: {"development_stage": selection("development_stage", stage_letter.get(uc.stage, "a"))},
            "is_high_impact": high_impact,
            "sectors": sectors,
            "techniques": lambda uc: {
                "classification": "; ".join(technique_out[t] for t in uc.techniques if t in technique_out)
            },
            "description": lambda uc: {"problem_solved": uc.description},
            "purpose": lambda uc: {"benefits": uc.purpose},
            "outputs": lambda uc: {"system_outputs": uc.outputs},
            "date_deployed": lambda uc: {"operational_date": uc.date_deployed.isoformat() if uc.date_deployed else ""},
            "development_method": lambda uc: {
                "contracting_usage": selection("contracting_usage", method_letter[uc.development_method])
                if uc.development_method in method_letter
                else ""
            },
            "vendors": lambda uc: {"vendor_name": uc.vendors},
            "is_public": lambda uc: {"is_withheld": selection("is_withheld", "a" if uc.is_public else "b")},
        }

    def canonical_header(self, header: str) -> str | None:
        cache: dict[str, str | None] = self.__dict__.setdefault("_header_cache", {})
        if header not in cache:
            cache[header] = self.header_keys.get(normalise.key(header))
        return cache[header]

    def export_columns(self) -> list[str]:
        # The dictionary has no agency column; AIHQ adds two so a file holding several agencies reads back.
        return [*self.columns, "agency", "agency_abbreviation"]

    def header_problems(self, headers: list[str]) -> tuple[list[str], list[str]]:
        errors, warnings = super().header_problems(headers)
        extra = {normalise.key(name) for name in (*self.agency_columns, *self.agency_name_columns)}
        warnings = [
            w for w in warnings if not all(normalise.key(h) in extra for h in headers if not self.canonical_header(h))
        ]
        return errors, warnings

    def _choice(self, parsed: ParsedRow, column: str, value: Any) -> str | None:
        if normalise.is_blank(value):
            return None
        found = normalise.match_choice(value, self.choices.get(column, {}))
        if found is None:
            parsed.warn(column, value, _("not one of the format's answers; kept as written"))
        return found

    def parse(self, number: int, raw: dict[str, Any]) -> ParsedRow:
        row = self.canonical_row(raw)
        parsed = ParsedRow(number, row)
        name = normalise.text(row.get("use_case_name"))
        if not name:
            parsed.error("use_case_name", "", _("The use case has no name."))
        reference = normalise.text(row.get("id"))
        lowered = {normalise.key(k): v for k, v in row.items()}
        code = next(
            (
                normalise.text(lowered[c])
                for c in map(normalise.key, self.agency_columns)
                if normalise.text(lowered.get(c))
            ),
            "",
        )
        agency_name = next(
            (
                normalise.text(lowered[c])
                for c in map(normalise.key, self.agency_name_columns)
                if normalise.text(lowered.get(c))
            ),
            "",
        )
        code_column = "agency_abbreviation"
        if not code and (match := _AGENCY_IN_ID.match(reference)):
            code, code_column = match.group(1), "id"
        _check_agency_code(parsed, code_column, code)
        parsed.org = OrgRef(
            code=code.upper(), name=agency_name[:ORG_NAME_MAX], bureau=normalise.text(row.get("agency_bureau"))
        )
        fields: dict[str, Any] = {"name": name, "reference": reference, "unit": parsed.org.bureau}
        stage_raw = row.get("development_stage")
        stage_choice = (
            self._choice(parsed, "development_stage", stage_raw) if not normalise.is_blank(stage_raw) else None
        )
        if stage_choice is None:
            if normalise.is_blank(stage_raw):
                parsed.warn("development_stage", "", _("no stage given; recorded as planned"))
            fields["stage"] = "planned"
        else:
            fields["stage"] = STAGES_2025.get(stage_choice[0], "planned")
        impact_choice = self._choice(parsed, "is_high_impact", row.get("is_high_impact"))
        fields["is_high_impact"] = None if impact_choice is None else impact_choice.startswith("a)")
        fields["impact_type"] = ""
        topic_choice = self._choice(parsed, "topic_area", row.get("topic_area"))
        topic = normalise.match_choice(topic_choice or row.get("topic_area"), self.topics)
        parsed.sectors = [topic] if topic else []
        techniques: list[str] = []
        classification = normalise.text(row.get("classification"))
        # One answer is one part, though the official answers hold commas ("(e.g., images and videos)");
        # several answers are separated by ";" or line breaks (or by commas when they are short).
        single = ";" not in classification and "\n" not in classification
        whole = single and normalise.match_choice(classification, self.choices["classification"]) is not None
        for part in [classification] if whole else normalise.split_list(classification):
            choice = normalise.match_choice(part, self.choices["classification"])
            technique = normalise.match_choice((choice or part).split(":", 1)[0], self.techniques)
            if technique is None:
                parsed.warn("classification", part, _("unknown AI classification; not mapped"))
            elif technique not in techniques:
                techniques.append(technique)
        fields["techniques"] = techniques
        fields["is_generative"] = "genai" in techniques
        method_choice = self._choice(parsed, "contracting_usage", row.get("contracting_usage"))
        fields["development_method"] = METHOD_2025.get(method_choice[0], "unknown") if method_choice else "unknown"
        withheld = self._choice(parsed, "is_withheld", row.get("is_withheld"))
        fields["is_public"] = bool(withheld and withheld.startswith("a)"))
        fields["description"] = normalise.text(row.get("problem_solved"))
        fields["purpose"] = normalise.text(row.get("benefits"))
        fields["outputs"] = normalise.text(row.get("system_outputs"))
        fields["vendors"] = normalise.text(row.get("vendor_name"))[:500]
        fields["date_deployed"] = parsed.date("operational_date", row.get("operational_date"))
        mapped = {
            "id",
            "use_case_name",
            "agency_bureau",
            "development_stage",
            "is_high_impact",
            "topic_area",
            "classification",
            "contracting_usage",
            "is_withheld",
            "problem_solved",
            "benefits",
            "system_outputs",
            "vendor_name",
            "operational_date",
        }
        attributes: dict[str, Any] = {}
        for column in self.columns:
            value = row.get(column)
            if column in mapped or normalise.is_blank(value):
                continue
            kind = self.dictionary[column].get("data_type")
            if kind == "multiple_choice":
                choice = self._choice(parsed, column, value)
                attributes[column] = normalise.strip_letter(choice) if choice else normalise.text(value)
            elif kind == "select_multiple":
                items = []
                for part in normalise.split_list(value):
                    choice = normalise.match_choice(part, self.choices.get(column, {}))
                    items.append(normalise.strip_letter(choice) if choice else part)
                attributes[column] = items
            else:
                attributes[column] = normalise.text(value)
        fields["attributes"] = attributes
        parsed.fields = fields
        return parsed


@functools.cache
def omb_2024() -> OMB2024:
    return OMB2024()


@functools.cache
def omb_2025() -> OMB2025:
    return OMB2025()
