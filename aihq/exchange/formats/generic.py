"""AIHQ's own table format for CSV, XLSX and JSON: one column per registry field, documented names.

Multi-valued cells (sectors, regions, techniques, tags) separate values with ";". Booleans are
yes/no (true/false, 1/0, да/нет). Dates are YYYY-MM-DD (DD.MM.YYYY and M/D/YYYY are read too).
Stages, methods and impact types are the codes below or their English or Russian names.
"""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING, Any

from django.utils import translation
from django.utils.translation import gettext as _

from aihq.exchange import normalise
from aihq.exchange.formats.base import Format, OrgRef, ParsedRow, link_codes

if TYPE_CHECKING:
    from django.db.models import TextChoices

    from aihq.registry.models import UseCase

#: column → what it holds (the documentation shown with the template)
COLUMNS: dict[str, str] = {
    "reference": (
        "Your own identifier of the use case, unique within the organisation; "
        "with the organisation it finds the use case again on re-import"
    ),
    "name": "Name of the use case (required)",
    "organisation": "Code of the owning organisation, such as MINZDRAV (required unless given with the import)",
    "unit": "Unit or bureau within the organisation",
    "stage": "planned, development, pilot, production or retired",
    "description": "What the AI does",
    "purpose": "Purpose and expected benefits",
    "outputs": "What the system produces",
    "sectors": "Sector codes separated by ';' (see the sectors list)",
    "regions": "ISO 3166-2 region codes separated by ';', such as RU-TA;RU-MOW",
    "development_method": "in_house, contracted, mixed, off_the_shelf or unknown",
    "vendors": "Vendors or contractors",
    "is_generative": "yes or no: generative AI",
    "impact_type": "rights, safety, both or neither (blank: not assessed)",
    "is_high_impact": "yes, no or blank",
    "techniques": "agentic, classical_ml, computer_vision, genai, nlp, rl separated by ';'",
    "date_initiated": "YYYY-MM-DD",
    "date_deployed": "YYYY-MM-DD",
    "date_retired": "YYYY-MM-DD",
    "is_public": "yes or no: shown in the public register",
    "tags": "Free tags separated by ';'",
}


def _choices_table(choices: type[TextChoices]) -> dict[str, str]:
    pairs: list[tuple[str, str]] = []
    for value, label in choices.choices:
        pairs.append((value, value))
        pairs.append((value.replace("_", " "), value))
        for language in ("en", "ru"):
            with translation.override(language):
                pairs.append((str(label), value))
    return normalise.choice_table(pairs)


def _yes_no(value: bool | None) -> str:
    return "" if value is None else ("yes" if value else "no")


class GenericFormat(Format):
    """The registry's columns as they are; used for CSV, XLSX and JSON."""

    required = ("name",)
    columns = tuple(COLUMNS)

    def __init__(self, name: str, label: str) -> None:
        from aihq.registry.models import DevelopmentMethod, ImpactType, Stage, Technique

        self.name = name
        self.label = label
        self.stages = _choices_table(Stage)
        self.methods = _choices_table(DevelopmentMethod)
        self.impacts = _choices_table(ImpactType)
        self.techniques = _choices_table(Technique)
        self._cache: dict[tuple[Any, ...], Any] = {}

    def _match(self, value: Any, table: dict[str, str]) -> str | None:
        # A column holds a handful of distinct values: look each up once per file, not once per row.
        cache_key = (id(table), value)
        if cache_key not in self._cache:
            self._cache[cache_key] = normalise.match_choice(value, table)
        found: str | None = self._cache[cache_key]
        return found

    def _choice(self, parsed: ParsedRow, column: str, value: Any, table: dict[str, str], default: str) -> str:
        if normalise.is_blank(value):
            return default
        found = self._match(value, table)
        if found is None:
            parsed.error(
                column,
                value,
                _("not a known value; use one of: %(values)s") % {"values": ", ".join(sorted(set(table.values())))},
            )
            return default
        return found

    def _bool(self, parsed: ParsedRow, column: str, value: Any) -> bool | None:
        # The message is in the active language: a file read in Russian must not hand its text to one read in English.
        cache_key = ("bool", value, translation.get_language())
        if cache_key not in self._cache:
            try:
                self._cache[cache_key] = normalise.parse_bool(value)
            except ValueError as exc:
                self._cache[cache_key] = exc
        result = self._cache[cache_key]
        if isinstance(result, ValueError):
            parsed.error(column, value, str(result))
            return None
        return result  # type: ignore[no-any-return]

    def _date(self, parsed: ParsedRow, column: str, value: Any) -> Any:
        try:
            day_first = "." in normalise.text(value)
            parsed_date, note = normalise.parse_date(value, day_first=day_first)
        except ValueError as exc:
            parsed.error(column, value, str(exc))
            return None
        if note:
            parsed.warn(column, value, note)
        return parsed_date

    def parse(self, number: int, raw: dict[str, Any]) -> ParsedRow:
        row = {column: normalise.text(value) for column, value in self.canonical_row(raw).items()}
        parsed = ParsedRow(number, row)
        for column, value in row.items():
            if value.startswith(("=", "+", "@")) and column in COLUMNS:
                parsed.warn(column, value, _("looks like a spreadsheet formula; stored as plain text"))
        if not row.get("name"):
            parsed.error("name", "", _("The use case has no name."))
        parsed.org = OrgRef(code=row.get("organisation", "").strip())
        fields: dict[str, Any] = {
            "reference": row.get("reference", "")[:100],
            "name": row.get("name", ""),
            "unit": row.get("unit", ""),
            "description": row.get("description", ""),
            "purpose": row.get("purpose", ""),
            "outputs": row.get("outputs", ""),
            "vendors": row.get("vendors", ""),
            "stage": self._choice(parsed, "stage", row.get("stage"), self.stages, "planned"),
            "development_method": self._choice(
                parsed, "development_method", row.get("development_method"), self.methods, "unknown"
            ),
            "impact_type": self._choice(parsed, "impact_type", row.get("impact_type"), self.impacts, ""),
            "is_generative": bool(self._bool(parsed, "is_generative", row.get("is_generative"))),
            "is_public": bool(self._bool(parsed, "is_public", row.get("is_public"))),
            "is_high_impact": self._bool(parsed, "is_high_impact", row.get("is_high_impact")),
            "date_initiated": self._date(parsed, "date_initiated", row.get("date_initiated")),
            "date_deployed": self._date(parsed, "date_deployed", row.get("date_deployed")),
            "date_retired": self._date(parsed, "date_retired", row.get("date_retired")),
            "tags": list(dict.fromkeys(normalise.split_list(row.get("tags")))),
        }
        techniques = []
        for part in normalise.split_list(row.get("techniques")):
            technique = self._match(part, self.techniques)
            if technique is None:
                parsed.error(
                    "techniques",
                    part,
                    _("unknown technique; use: %(values)s")
                    % {"values": ", ".join(sorted(set(self.techniques.values())))},
                )
            elif technique not in techniques:
                techniques.append(technique)
        fields["techniques"] = techniques
        parsed.sectors = [code.strip() for code in normalise.split_list(row.get("sectors"))]
        parsed.regions = [code.strip().upper() for code in normalise.split_list(row.get("regions"))]
        parsed.fields = fields
        return parsed

    def export_row(self, use_case: UseCase) -> dict[str, str]:
        def date(value: Any) -> str:
            return value.isoformat() if value else ""

        return {
            "reference": use_case.reference,
            "name": use_case.name,
            "organisation": use_case.organisation.code,
            "unit": use_case.unit,
            "stage": use_case.stage,
            "description": use_case.description,
            "purpose": use_case.purpose,
            "outputs": use_case.outputs,
            "sectors": ";".join(sorted(link_codes(use_case, "sectors"))),
            "regions": ";".join(sorted(link_codes(use_case, "regions"))),
            "development_method": use_case.development_method,
            "vendors": use_case.vendors,
            "is_generative": _yes_no(use_case.is_generative),
            "impact_type": use_case.impact_type,
            "is_high_impact": _yes_no(use_case.is_high_impact),
            "techniques": ";".join(use_case.techniques),
            "date_initiated": date(use_case.date_initiated),
            "date_deployed": date(use_case.date_deployed),
            "date_retired": date(use_case.date_retired),
            "is_public": _yes_no(use_case.is_public),
            "tags": ";".join(use_case.tags),
        }


@functools.cache
def generic(name: str) -> GenericFormat:
    labels = {"csv": "CSV (AIHQ columns)", "xlsx": "Excel workbook (AIHQ columns)", "json": "JSON (AIHQ fields)"}
    return GenericFormat(name, labels[name])
