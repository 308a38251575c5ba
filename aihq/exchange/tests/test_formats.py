"""The inventory formats: OMB 2024 rows from the shipped inventory, OMB 2025 rows built to the shipped dictionary,
AIHQ's own columns, and format detection."""

from __future__ import annotations

import datetime as dt
import functools
import gzip
import json

import pytest

from aihq.exchange.formats import detect_format, get_format
from aihq.exchange.formats.omb import DATA, omb_2024, omb_2025
from aihq.exchange.readers import read_table

# OMB 2024: rows of the shipped inventory ------------------------------------------------------------


@functools.cache
def shipped_2024() -> tuple[list[str], list[tuple[int, dict]]]:
    table = read_table(data=gzip.decompress((DATA / "us_omb_2024_inventory.csv.gz").read_bytes()), name="x.csv")
    return table.headers, list(table.rows)


def shipped_row(**match: str) -> tuple[int, dict]:
    """The first row of the shipped inventory whose cells equal ``match``."""
    return next((n, row) for n, row in shipped_2024()[1] if all(row[k] == v for k, v in match.items()))


def parse_2024(**match: str):
    number, raw = shipped_row(**match)
    return omb_2024().parse(number, raw)


def warnings_for(parsed, column: str) -> list[str]:
    return [p.message for p in parsed.problems if p.field == column and p.level == "warning"]


def test_the_shipped_2024_inventory_is_recognised_as_omb_2024():
    headers, rows = shipped_2024()
    fmt, score = detect_format(headers, "csv")
    assert fmt.name == "omb-2024"
    assert score == 1.0
    assert len(rows) == 1757
    assert fmt.header_problems(headers) == ([], [])


@pytest.mark.parametrize(
    ("official", "stage"),
    [
        ("Initiated", "planned"),
        ("Acquisition and/or Development", "development"),
        ("Implementation and Assessment", "pilot"),
        ("Operation and Maintenance", "production"),
        ("Retired", "retired"),
    ],
)
def test_each_official_2024_stage_maps_to_a_registry_stage_without_a_warning(official, stage):
    parsed = parse_2024(**{"16_dev_stage": official})
    assert parsed.fields["stage"] == stage
    assert warnings_for(parsed, "16_dev_stage") == []


@pytest.mark.parametrize(
    ("unofficial", "stage"), [("Planned", "planned"), ("In production", "production"), ("In mission", "production")]
)
def test_an_unofficial_2024_stage_found_in_the_inventory_maps_with_a_warning(unofficial, stage):
    parsed = parse_2024(**{"16_dev_stage": unofficial})
    assert parsed.fields["stage"] == stage
    assert parsed.errors == []
    assert warnings_for(parsed, "16_dev_stage") == [f"not one of the format's stages; read as {stage}"]


def test_a_blank_2024_stage_is_recorded_as_planned_with_a_warning():
    parsed = parse_2024(**{"16_dev_stage": ""})
    assert parsed.fields["stage"] == "planned"
    assert warnings_for(parsed, "16_dev_stage") == ["no stage given; recorded as planned"]


def test_an_unknown_2024_stage_is_an_error_listing_the_official_stages():
    _number, raw = shipped_row(**{"16_dev_stage": "Retired"})
    parsed = omb_2024().parse(5, {**raw, "16_dev_stage": "Sunsetting"})
    assert [(p.field, p.value) for p in parsed.errors] == [("16_dev_stage", "Sunsetting")]
    assert "Initiated, Acquisition and/or Development" in parsed.errors[0].message


@pytest.mark.parametrize(
    ("written", "impact", "high"),
    [
        ("Neither", "neither", False),
        ("Both", "both", True),
        ("Safety-Impacting", "safety", True),
        ("Safety-impacting", "safety", True),
        ("Rights-Impacting\n", "rights", True),
    ],
)
def test_2024_impact_types_are_read_whatever_their_case_and_trailing_line_break(written, impact, high):
    parsed = parse_2024(**{"17_impact_type": written})
    assert parsed.fields["impact_type"] == impact
    assert parsed.fields["is_high_impact"] is high


def test_a_misspelt_2024_impact_type_is_noted_with_the_official_spelling():
    parsed = parse_2024(**{"17_impact_type": "Safety-impacting"})
    assert warnings_for(parsed, "17_impact_type") == ["spelling normalised to Safety-Impacting"]


def test_a_blank_2024_impact_type_is_left_unassessed():
    parsed = parse_2024(**{"17_impact_type": ""})
    assert parsed.fields["impact_type"] == ""
    assert parsed.fields["is_high_impact"] is None
    assert warnings_for(parsed, "17_impact_type") == []


@pytest.mark.parametrize(
    ("topic", "sectors"),
    [
        ("Health & Medical", ["healthcare"]),
        ("Law & Justice", ["law-justice"]),
        ("Mission-Enabling", ["mission-enabling"]),
        ("Mission-Enabling (internal agency support) ", ["mission-enabling"]),
        ("Mission-Enabeling ", ["mission-enabling"]),
        ("Government Services (includes Benefits and Service Delivery)", ["public-services"]),
        ("Other; Mission-Enabling (internal agency support)", ["other", "mission-enabling"]),
        ("", []),
    ],
)
def test_2024_topic_areas_become_sectors(topic, sectors):
    assert parse_2024(**{"8_topic_area": topic}).sectors == sectors


def test_a_2024_topic_that_is_not_a_topic_sets_no_sector_and_is_noted():
    parsed = parse_2024(**{"8_topic_area": "Deep Learning"})
    assert parsed.sectors == []
    assert warnings_for(parsed, "8_topic_area") == ["unknown topic area; no sector set for it"]


def test_a_2024_row_gives_its_agency_bureau_name_and_texts():
    parsed = parse_2024(**{"2_use_case_name": "Non-Intrusive Inspection (NII) 3D Imaging Tool"})
    assert (parsed.org.code, parsed.org.name, parsed.org.bureau) == ("DHS", "Department of Homeland Security", "CBP")
    assert parsed.fields["name"] == "Non-Intrusive Inspection (NII) 3D Imaging Tool"
    assert parsed.fields["unit"] == "CBP"
    assert parsed.fields["is_public"] is True
    assert parsed.fields["development_method"] == "contracted"
    assert parsed.fields["date_initiated"] == dt.date(2023, 7, 1)
    assert parsed.fields["outputs"] == "Detection alerts for Items of Interest."
    assert parsed.fields["attributes"]["19_date_acq_dev_began"] == "2023-07-01"
    assert parsed.fields["attributes"]["29_contains_pii"] == "no"
    assert parsed.fields["attributes"]["50_internal_review"] == "Limited documentation for review"
    assert parsed.errors == []


@pytest.mark.parametrize(
    ("column", "written", "expected", "note"),
    [
        ("18_date_initiated", "24-Nov", dt.date(2024, 11, 1), "month only: first day used"),
        ("18_date_initiated", "2022-08 (estimated)", dt.date(2022, 8, 1), "month only: first day used"),
        (
            "18_date_initiated",
            "2022-11-16 (first formal action related to this project)",
            dt.date(2022, 11, 16),
            "text after the date ignored",
        ),
        ("20_date_implemented", "9/30/2024", dt.date(2024, 9, 30), None),
        ("18_date_initiated", "N/A", None, None),
    ],
)
def test_2024_dates_in_the_inventory_are_read_with_a_note_when_approximate(column, written, expected, note):
    parsed = parse_2024(**{column: written})
    field = {"18_date_initiated": "date_initiated", "20_date_implemented": "date_deployed"}[column]
    assert parsed.fields[field] == expected
    assert warnings_for(parsed, column) == ([note] if note else [])


@pytest.mark.parametrize(
    ("column", "written"),
    [
        ("18_date_initiated", "Pre-2021"),
        ("18_date_initiated", "Q4FY25"),
        ("20_date_implemented", "TBD"),
        ("20_date_implemented", "Ongoing"),
    ],
)
def test_a_2024_date_that_is_not_a_date_is_left_empty_with_a_warning_not_an_error(column, written):
    parsed = parse_2024(**{column: written})
    field = {"18_date_initiated": "date_initiated", "20_date_implemented": "date_deployed"}[column]
    assert parsed.fields[field] is None
    assert parsed.errors == []
    assert "left empty (the original is kept)" in warnings_for(parsed, column)[0]
    assert parsed.raw[column] == written


def test_a_2024_row_without_name_or_agency_abbreviation_is_rejected():
    _number, raw = shipped_row()
    parsed = omb_2024().parse(2, {**raw, "2_use_case_name": " ", "3_abr": ""})
    assert sorted(p.field for p in parsed.errors) == ["2_use_case_name", "3_abr"]


def test_every_row_of_the_shipped_2024_inventory_parses_and_only_duplicates_could_be_rejected():
    fmt = omb_2024()
    stages = set()
    for number, raw in shipped_2024()[1]:
        parsed = fmt.parse(number, raw)
        assert parsed.errors == [], (number, parsed.errors)
        assert parsed.fields["name"]
        assert parsed.org.code
        stages.add(parsed.fields["stage"])
    assert stages == {"planned", "development", "pilot", "production", "retired"}


# OMB 2025: rows built to the shipped dictionary -------------------------------------------------------

DICTIONARY = json.loads((DATA / "omb_2025_data_dictionary.json").read_text(encoding="utf-8"))


def row_2025(headers: str = "excel", **cells: str) -> dict[str, str]:
    """A 2025 row with the dictionary's Excel headers (or its keys), every column present, the given cells set."""
    row = dict.fromkeys(DICTIONARY, "") | cells
    if headers == "keys":
        return row
    return {DICTIONARY[name]["excel_header"]: value for name, value in row.items()}


def parse_2025(headers: str = "excel", **cells: str):
    cells = {"use_case_name": "Chatbot", "id": "DHS-0001"} | cells
    return omb_2025().parse(2, row_2025(headers, **cells))


def test_the_2025_excel_headers_hold_line_breaks_and_all_map_to_the_dictionary_keys():
    fmt = omb_2025()
    headers = [spec["excel_header"] for spec in DICTIONARY.values()]
    assert any("\n" in header for header in headers)
    assert [fmt.canonical_header(h) for h in headers] == list(DICTIONARY)
    assert fmt.header_problems(headers) == ([], [])
    assert detect_format(headers, "xlsx")[0].name == "omb-2025"
    assert detect_format(list(DICTIONARY), "csv")[0].name == "omb-2025"


def test_2025_headers_are_matched_whatever_their_spacing_and_case():
    fmt = omb_2025()
    messy = DICTIONARY["hi_ongoing_monitoring"]["excel_header"].replace("\n", " ").upper()
    assert fmt.canonical_header(messy) == "hi_ongoing_monitoring"


@pytest.mark.parametrize("headers", ["excel", "keys"])
@pytest.mark.parametrize(
    ("written", "stage"),
    [
        ("a) Pre-deployment – The use case is in a development or acquisition status.", "development"),
        ("b) Pilot – The use case has been deployed in a limited test or pilot capacity.", "pilot"),
        (
            "c) Deployed – The use case is being actively authorized or utilized to support the functions or "
            "mission of an agency.",
            "production",
        ),
        (
            "d) Retired – The use case was reported in the agency’s prior year’s inventory, but its development "
            "and/or use has since been discontinued.",
            "retired",
        ),
        ("Pre-deployment", "development"),
        ("Pilot", "pilot"),
        ("Deployed", "production"),
        ("Retired", "retired"),
        ("Operation and Maintenance", "production"),
        ("Acquisition and/or Development", "development"),
        ("c)  Deployed ñ The use case is being actively authorized or utilized to support the functions", "production"),
        ("a) a) Pre-deployment – The use case is in a development or acquisition status.", "development"),
        ("DEPLOYED", "production"),
    ],
)
def test_2025_stages_are_read_from_full_selections_short_hands_and_recodings(headers, written, stage):
    parsed = parse_2025(headers, development_stage=written)
    assert parsed.fields["stage"] == stage
    assert warnings_for(parsed, "development_stage") == []


def test_a_blank_2025_stage_is_planned_with_a_warning_and_an_unknown_one_is_noted():
    blank = parse_2025(development_stage="")
    assert blank.fields["stage"] == "planned"
    assert warnings_for(blank, "development_stage") == ["no stage given; recorded as planned"]
    unknown = parse_2025(development_stage="Sunsetting")
    assert unknown.fields["stage"] == "planned"
    assert warnings_for(unknown, "development_stage") == ["not one of the format's answers; kept as written"]


@pytest.mark.parametrize(
    ("written", "high"),
    [
        ("a) High-impact", True),
        ("High-impact", True),
        ("yes", True),
        ("b) Presumed high-impact, but determined not high impact", False),
        ("Presumed High-Impact, but Not High-impact", False),
        ("c) Not high-impact", False),
        ("no", False),
        ("", None),
    ],
)
def test_2025_high_impact_answers_are_read_from_every_spelling(written, high):
    parsed = parse_2025(is_high_impact=written)
    assert parsed.fields["is_high_impact"] is high
    assert parsed.fields["impact_type"] == ""
    assert warnings_for(parsed, "is_high_impact") == []


@pytest.mark.parametrize(
    ("written", "techniques"),
    [
        ("GenAI", ["genai"]),
        ("Gen AI", ["genai"]),
        ("Classical ML", ["classical_ml"]),
        ("Machine Learning (Classification/Prediction)", ["classical_ml"]),
        ("NLP", ["nlp"]),
        ("Generative AI; Natural Language Processing (NLP)", ["genai", "nlp"]),
        ('["Agentic AI", "Computer Vision"]', ["agentic", "computer_vision"]),
        (
            "Computer Vision: AI that processes and interprets visual data (e.g., images and videos).",
            ["computer_vision"],
        ),
        (
            "Generative AI: AI that generates new or synthetic content (e.g., images, videos, audio, text, code).",
            ["genai"],
        ),
        (
            "Reinforcement Learning: AI trained through trial and error using rewards and penalties to optimize "
            "decision-making policies.; Classical/Predictive Machine Learning: Models trained on data to make "
            "predictions or classifications based on identified patterns or relationships.",
            ["rl", "classical_ml"],
        ),
        ("", []),
    ],
)
def test_2025_ai_classifications_become_techniques_without_spurious_warnings(written, techniques):
    parsed = parse_2025(classification=written)
    assert parsed.fields["techniques"] == techniques
    assert parsed.fields["is_generative"] is ("genai" in techniques)
    assert warnings_for(parsed, "classification") == []


def test_an_unknown_2025_classification_is_noted_and_not_mapped():
    parsed = parse_2025(classification="Quantum Magic")
    assert parsed.fields["techniques"] == []
    assert warnings_for(parsed, "classification") == ["unknown AI classification; not mapped"]


@pytest.mark.parametrize(
    ("written", "method"),
    [
        ("a) Purchased from a vendor", "contracted"),
        ("Vendor Purchased", "contracted"),
        ("Developed with contracting resources.", "contracted"),
        ("b) Developed in-house", "in_house"),
        ("in-house", "in_house"),
        ("c) Developed with both contracting and in-house resources", "mixed"),
        ("Contracting and In House", "mixed"),
        ("", "unknown"),
    ],
)
def test_2025_contracting_answers_become_development_methods(written, method):
    assert parse_2025(contracting_usage=written).fields["development_method"] == method


@pytest.mark.parametrize(
    ("written", "sector"),
    [
        ("Health and Medical", "healthcare"),
        ("Health & Medical", "healthcare"),
        ("Admin Functions", "mission-enabling"),
        ("Administrative Functions", "mission-enabling"),
        ("Benefits Processing", "social-protection"),
        ("Software Development & Engineering", "telecom-it"),
        ("Cybersecurity Operations", "cybersecurity"),
        ("Other – Economic & Financial", "finance"),
        ("Other  – Economic & Financial", "finance"),
        ("Transportation", "transport"),
    ],
)
def test_2025_topic_areas_become_sectors(written, sector):
    parsed = parse_2025(topic_area=written)
    assert parsed.sectors == [sector]
    assert warnings_for(parsed, "topic_area") == []


@pytest.mark.parametrize(
    ("cells", "code"),
    [
        ({"id": "DHS-0001"}, "DHS"),
        ({"id": "DOE – 12"}, "DOE"),
        ({"id": "doe-12"}, "DOE"),
        ({"id": "USDA 7"}, "USDA"),
        ({"id": "DHS-0001", "agency_abbreviation": "TSA"}, "TSA"),
        ({"id": "12"}, ""),
        ({"id": ""}, ""),
    ],
)
def test_the_2025_agency_is_taken_from_an_agency_column_or_else_from_the_use_case_id(cells, code):
    row = row_2025("keys", use_case_name="X", **{k: v for k, v in cells.items() if k == "id"})
    if "agency_abbreviation" in cells:
        row["Agency Abbreviation"] = cells["agency_abbreviation"]
    parsed = omb_2025().parse(2, row)
    assert parsed.org.code == code
    assert parsed.fields["reference"] == cells["id"]


def test_a_2025_row_keeps_bureau_texts_public_flag_date_vendor_and_other_answers():
    parsed = parse_2025(
        agency_bureau="Transportation Security Administration",
        is_withheld="a) No",
        problem_solved="Long queues",
        benefits="Shorter queues",
        system_outputs="Predicted wait times",
        operational_date="3/15/2024",
        vendor_name="Acme",
        have_ato="true",
        demographic_features="Age; sex/gender",
        code_url="https://example.org/code",
        hi_testing_conducted="In-progress",
    )
    assert parsed.errors == []
    assert parsed.org.bureau == parsed.fields["unit"] == "Transportation Security Administration"
    assert parsed.fields["is_public"] is True
    assert (parsed.fields["description"], parsed.fields["purpose"], parsed.fields["outputs"]) == (
        "Long queues",
        "Shorter queues",
        "Predicted wait times",
    )
    assert parsed.fields["date_deployed"] == dt.date(2024, 3, 15)
    assert parsed.fields["vendors"] == "Acme"
    assert parsed.fields["attributes"] == {
        "have_ato": "Yes",
        "demographic_features": ["Age", "Sex"],
        "code_url": "https://example.org/code",
        "hi_testing_conducted": "In-progress",
    }


def test_a_withheld_2025_use_case_is_not_public():
    assert parse_2025(is_withheld="Yes - Prohibited by Law").fields["is_public"] is False
    assert parse_2025(is_withheld="").fields["is_public"] is False


def test_a_2025_row_without_a_name_is_rejected():
    parsed = parse_2025(use_case_name="")
    assert [(p.field, p.message) for p in parsed.errors] == [("use_case_name", "The use case has no name.")]


def test_the_2025_export_columns_are_the_dictionary_plus_the_agency_columns():
    assert omb_2025().export_columns() == [*DICTIONARY, "agency", "agency_abbreviation"]


# AIHQ's own columns ------------------------------------------------------------------------------------


def parse_generic(**cells: str):
    return get_format("csv").parse(2, {"name": "Chatbot", "organisation": "A"} | cells)


def test_generic_choices_accept_codes_and_english_and_russian_names():
    parsed = parse_generic(
        stage="Пилотирование",
        development_method="In-house and contracted",
        impact_type="Rights-impacting",
        techniques="genai",
    )
    assert (parsed.fields["stage"], parsed.fields["development_method"], parsed.fields["impact_type"]) == (
        "pilot",
        "mixed",
        "rights",
    )
    assert parse_generic(stage="PRODUCTION", development_method="in house").fields["development_method"] == "in_house"


def test_generic_unknown_choices_and_bad_booleans_and_dates_are_errors_naming_the_column():
    parsed = parse_generic(stage="soon", is_public="perhaps", date_initiated="someday", techniques="genai;magic")
    assert sorted(p.field for p in parsed.errors) == ["date_initiated", "is_public", "stage", "techniques"]


def test_generic_dotted_dates_are_day_first_and_slashed_dates_month_first():
    parsed = parse_generic(date_initiated="05.04.2024", date_deployed="5/4/2024")
    assert parsed.fields["date_initiated"] == dt.date(2024, 4, 5)
    assert parsed.fields["date_deployed"] == dt.date(2024, 5, 4)


def test_generic_lists_are_split_and_deduplicated():
    parsed = parse_generic(sectors="healthcare; education", regions="ru-ta;RU-MOW", tags="a;b;a", techniques="nlp;NLP")
    assert parsed.sectors == ["healthcare", "education"]
    assert parsed.regions == ["RU-TA", "RU-MOW"]
    assert parsed.fields["tags"] == ["a", "b"]
    assert parsed.fields["techniques"] == ["nlp"]


@pytest.mark.parametrize("formula", ['=HYPERLINK("http://evil","x")', "+1", "@SUM(A1:A2)"])
def test_a_generic_formula_cell_is_kept_as_plain_text_with_a_warning(formula):
    parsed = parse_generic(name=formula)
    assert parsed.fields["name"] == formula
    assert [p.message for p in parsed.problems if p.field == "name"] == [
        "looks like a spreadsheet formula; stored as plain text"
    ]


def test_the_format_keeps_a_quoted_cell_as_it_is_spreadsheet_quotes_are_undone_by_the_importer():
    # JSON carries text as it is; only CSV and XLSX cells get (and lose) the quote, in services.
    assert parse_generic(name="'=1+1").fields["name"] == "'=1+1"
    assert parse_generic(name="'quoted").fields["name"] == "'quoted"


def test_generic_headers_are_matched_whatever_their_case_and_unknown_ones_are_a_warning():
    fmt = get_format("csv")
    errors, warnings = fmt.header_problems(["Name", "ORGANISATION", "colour"])
    assert errors == []
    assert warnings == ["Unknown column(s) kept in the original record but not mapped: colour."]
    assert fmt.header_problems(["organisation"])[0] == ["Missing required column(s): name."]


def test_an_unknown_format_name_is_refused_listing_the_known_ones():
    with pytest.raises(ValueError, match="use one of: omb-2024, omb-2025, csv, xlsx, json"):
        get_format("xls")


def test_short_2025_classifications_separated_by_commas_are_each_mapped():
    assert parse_2025(classification="GenAI, NLP").fields["techniques"] == ["genai", "nlp"]


@pytest.mark.parametrize("abbreviation", ["D&O", "U.S. AID", "X" * 51])
def test_a_2024_agency_abbreviation_that_cannot_be_an_organisation_code_rejects_the_row(abbreviation):
    _number, raw = shipped_row()
    parsed = omb_2024().parse(2, {**raw, "3_abr": abbreviation})
    assert [p.field for p in parsed.errors] == ["3_abr"]
    assert "cannot be used as an organisation code" in parsed.errors[0].message


def test_a_2025_agency_taken_from_an_id_that_cannot_be_an_organisation_code_rejects_the_row():
    parsed = parse_2025(id="AT&T-12")
    assert [(p.field, p.value) for p in parsed.errors] == [("id", "AT&T")]


def test_a_very_long_agency_name_is_cut_to_what_an_organisation_name_holds():
    _number, raw = shipped_row()
    assert len(omb_2024().parse(2, {**raw, "3_agency": "D" * 400}).org.name) == 300


@pytest.mark.parametrize(
    ("headers", "name"),
    [
        (["2_use_case_name", "3_agency", "3_abr", "4_bureau", "16_dev_stage"], "omb-2024"),
        (["Use Case ID\n\n[Agency Abbrev.] – [#]", "Use Case Name", "Stage of Development"], "omb-2025"),
        (["id", "use_case_name", "development_stage"], "omb-2025"),
        (["name", "organisation", "stage"], "csv"),
        (["2_use_case_name", "stage"], "csv"),
    ],
)
def test_a_short_file_with_every_column_an_omb_format_requires_is_detected_as_that_format(headers, name):
    assert detect_format(headers, "csv")[0].name == name


def test_a_file_with_much_of_an_omb_header_is_that_format_even_if_a_required_column_is_missing():
    headers = [h for h in shipped_2024()[0] if h != "16_dev_stage"]
    fmt, _score = detect_format(headers, "csv")
    assert fmt.name == "omb-2024"
    assert fmt.header_problems(headers)[0] == ["Missing required column(s): 16_dev_stage."]
