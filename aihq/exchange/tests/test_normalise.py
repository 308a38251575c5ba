"""The pure cell-normalising functions: dates, booleans, choices, lists, answers and formula neutralising."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from aihq.exchange import normalise
from aihq.exchange.normalise import (
    answer,
    choice_table,
    key,
    match_choice,
    neutralise_formula,
    parse_bool,
    parse_date,
    restore_formula,
    split_list,
)

# parse_date ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("2024-03-07", dt.date(2024, 3, 7)),
        ("2024-3-7", dt.date(2024, 3, 7)),
        ("2024-03-07T10:15:00Z", dt.date(2024, 3, 7)),
        ("2024-03-07 10:15:00", dt.date(2024, 3, 7)),
        ("  2024-03-07\xa0", dt.date(2024, 3, 7)),
    ],
)
def test_an_iso_date_is_read_exactly_and_without_a_note(raw, expected):
    assert parse_date(raw) == (expected, "")


def test_a_us_date_is_month_first():
    assert parse_date("3/7/2024") == (dt.date(2024, 3, 7), "")
    assert parse_date("12/31/2023") == (dt.date(2023, 12, 31), "")


def test_a_slashed_date_is_day_first_when_asked():
    assert parse_date("3/7/2024", day_first=True) == (dt.date(2024, 7, 3), "")


def test_a_two_digit_year_is_read_in_this_century():
    assert parse_date("3/7/24") == (dt.date(2024, 3, 7), "")


def test_a_dotted_date_is_day_month_year():
    assert parse_date("07.03.2024") == (dt.date(2024, 3, 7), "")
    assert parse_date("7.3.2024") == (dt.date(2024, 3, 7), "")


def test_a_year_and_month_abbreviation_gives_the_first_of_the_month_with_a_note():
    assert parse_date("24-Nov") == (dt.date(2024, 11, 1), "month only: first day used")


@pytest.mark.parametrize("raw", ["Nov 2024", "November 2024", "nov-2024", "Nov-24", "ноя 2024"])
def test_a_month_name_and_year_gives_the_first_of_the_month_with_a_note(raw):
    assert parse_date(raw) == (dt.date(2024, 11, 1), "month only: first day used")


def test_a_year_and_month_with_text_after_it_gives_the_first_of_the_month():
    assert parse_date("2022-08 (estimated)") == (dt.date(2022, 8, 1), "month only: first day used")


def test_a_month_and_year_with_a_slash_gives_the_first_of_the_month():
    assert parse_date("8/2022") == (dt.date(2022, 8, 1), "month only: first day used")


def test_an_iso_date_with_text_after_it_keeps_the_date_and_says_the_text_was_ignored():
    assert parse_date("2022-11-16 (text)") == (dt.date(2022, 11, 16), "text after the date ignored")


def test_date_and_datetime_objects_from_a_workbook_are_taken_as_they_are():
    assert parse_date(dt.date(2021, 5, 6)) == (dt.date(2021, 5, 6), "")
    assert parse_date(dt.datetime(2021, 5, 6, 13, 45)) == (dt.date(2021, 5, 6), "")


@pytest.mark.parametrize("raw", [None, "", "   ", "N/A", "n/a", "NA", "None", "Not applicable", "-", "не применимо"])
def test_blank_and_not_applicable_dates_are_none_without_a_note(raw):
    assert parse_date(raw) == (None, "")


@pytest.mark.parametrize("raw", ["TBD", "Ongoing", "Q4FY25", "2015-2022", "Pre-2021", "10/12023", "Foo 2024"])
def test_text_that_is_not_a_date_is_refused_with_a_message_showing_it(raw):
    with pytest.raises(ValueError, match="is not a date") as caught:
        parse_date(raw)
    assert repr(raw) in str(caught.value)


@pytest.mark.parametrize("raw", ["2024-02-30", "13/1/2024", "31.02.2024", "2024-13"])
def test_a_date_that_does_not_exist_is_refused_as_not_valid(raw):
    with pytest.raises(ValueError, match="is not a valid date"):
        parse_date(raw)


@given(st.dates())
def test_the_iso_form_of_any_date_reads_back_as_that_date(date):
    assert parse_date(date.isoformat()) == (date, "")


@given(st.dates(min_value=dt.date(1000, 1, 1)))
def test_the_us_form_of_any_four_digit_year_date_reads_back_as_that_date(date):
    assert parse_date(f"{date.month}/{date.day}/{date.year}") == (date, "")


# parse_bool ------------------------------------------------------------------------------------


@pytest.mark.parametrize("raw", ["yes", "Yes", "YES", "y", "true", "True", "1", 1, "да", "Да", "yes.", True])
def test_yes_words_in_english_and_russian_are_true(raw):
    assert parse_bool(raw) is True


@pytest.mark.parametrize("raw", ["no", "No", "n", "false", "FALSE", "0", 0, "нет", "НЕТ", False])
def test_no_words_in_english_and_russian_are_false(raw):
    assert parse_bool(raw) is False


@pytest.mark.parametrize("raw", [None, "", "  ", "N/A", "n/a", "NA", "not applicable"])
def test_blank_and_not_applicable_are_none(raw):
    assert parse_bool(raw) is None


@pytest.mark.parametrize("raw", ["maybe", "yess", "2", "sometimes"])
def test_anything_else_is_refused_as_not_yes_or_no(raw):
    with pytest.raises(ValueError, match="is not yes or no"):
        parse_bool(raw)


# key, match_choice, choice_table ----------------------------------------------------------------


def test_key_ignores_case_spacing_and_a_trailing_full_stop():
    assert key("  Developed   In-house. ") == key("developed in-house")


def test_key_treats_every_dash_and_the_mangled_n_tilde_as_a_hyphen():
    assert key("Pilot – test") == key("Pilot - test") == key("Pilot — test") == key("Pilot ñ test")


def test_key_treats_curly_and_mangled_apostrophes_as_straight_ones():
    assert key("agency’s") == key("agency's") == key("agencyís")


def test_key_of_none_and_numbers():
    assert key(None) == ""
    assert key(3.0) == "3"


STAGE_TABLE = choice_table(
    [
        ("a) Pre-deployment – The use case is in a development or acquisition status.", "development"),
        ("b) Pilot – The use case has been deployed in a limited test or pilot capacity.", "pilot"),
        ("Operation and Maintenance", "production"),
    ]
)


def test_a_choice_matches_whatever_its_case_and_dash():
    assert match_choice("OPERATION AND MAINTENANCE", STAGE_TABLE) == "production"
    assert (
        match_choice("b) Pilot - the use case has been deployed in a limited test or pilot capacity", STAGE_TABLE)
        == "pilot"
    )


def test_a_choice_matches_without_its_list_letter():
    assert (
        match_choice("Pre-deployment – The use case is in a development or acquisition status.", STAGE_TABLE)
        == "development"
    )


def test_a_choice_matches_with_a_repeated_or_different_spacing_list_letter():
    assert (
        match_choice("a) a) Pre-deployment – The use case is in a development or acquisition status.", STAGE_TABLE)
        == "development"
    )
    assert (
        match_choice("B)  Pilot – The use case has been deployed in a limited test or pilot capacity.", STAGE_TABLE)
        == "pilot"
    )


def test_a_choice_matches_with_the_mangled_dash_of_a_cp1252_file():
    assert (
        match_choice("a) Pre-deployment ñ The use case is in a development or acquisition status.", STAGE_TABLE)
        == "development"
    )


def test_a_choice_matches_by_the_label_before_a_colon_or_a_dash():
    table = choice_table([("Limited documentation for review", "limited"), ("Pilot", "pilot")])
    assert match_choice("Limited documentation for review: the vendor gave us little", table) == "limited"
    assert match_choice("Pilot - phase two", table) == "pilot"


def test_an_unknown_or_blank_value_matches_no_choice():
    assert match_choice("Operations", STAGE_TABLE) is None
    assert match_choice("", STAGE_TABLE) is None
    assert match_choice(None, STAGE_TABLE) is None


def test_choice_table_keeps_the_first_meaning_of_a_spelling():
    table = choice_table([("Pilot", "first"), ("pilot", "second")])
    assert table == {"pilot": "first"}


def test_strip_letter_removes_one_or_several_list_letters():
    assert normalise.strip_letter("b) Pilot") == "Pilot"
    assert normalise.strip_letter("a) a) Pre-deployment") == "Pre-deployment"
    assert normalise.strip_letter("Pilot (b) phase") == "Pilot (b) phase"


# split_list ------------------------------------------------------------------------------------


def test_a_json_list_in_a_cell_is_split_into_its_items():
    assert split_list('["Generative AI", "NLP", ""]') == ["Generative AI", "NLP"]


def test_a_semicolon_list_is_split_and_trimmed():
    assert split_list(" healthcare ; education;; transport ") == ["healthcare", "education", "transport"]


def test_semicolons_win_over_commas_inside_the_items():
    assert split_list("Energy, water; Health") == ["Energy, water", "Health"]


def test_a_comma_list_is_split_when_there_is_no_semicolon():
    assert split_list("a, b,c") == ["a", "b", "c"]


def test_a_list_on_several_lines_is_split_by_line():
    assert split_list("first, with a comma\nsecond") == ["first, with a comma", "second"]


def test_a_blank_cell_is_an_empty_list_and_a_single_value_a_list_of_one():
    assert split_list(None) == []
    assert split_list("") == []
    assert split_list("healthcare") == ["healthcare"]


def test_text_in_brackets_that_is_not_json_is_split_as_text():
    assert split_list("[draft]; final") == ["[draft]", "final"]


# answer ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Yes", "yes"),
        ("yes.", "yes"),
        ("TRUE", "yes"),
        ("No", "no"),
        ("нет", "no"),
        ("N/A", "n/a"),
        ("N/A - not a high-impact use case", "n/a"),
        ("Not applicable", "n/a"),
        ("Planned or in-progress", "in_progress"),
        ("b) In-progress", "in_progress"),
        ("c) Agency CAIO has waived this minimum practice and reported such waiver to OMB", "waived"),
        ('["Bias testing", "Red teaming"]', ["Bias testing", "Red teaming"]),
        ("Limited documentation: the vendor provided only a summary", "Limited documentation"),
        ("a) Direct usability testing", "Direct usability testing"),
        ("", None),
        (None, None),
    ],
)
def test_answers_are_normalised_for_comparison(raw, expected):
    assert answer(raw) == expected


def test_a_long_label_before_a_colon_is_not_taken_as_the_answer():
    long_label = "x" * 81
    assert answer(f"{long_label}: y") == f"{long_label}: y"


# formulas --------------------------------------------------------------------------------------


@pytest.mark.parametrize("raw", ['=HYPERLINK("http://x")', "+1+1", "-1+cmd", "-x", "@SUM(A1)", "\tx", "\rx", "-"])
def test_a_cell_a_spreadsheet_would_run_gets_a_quote_in_front(raw):
    assert neutralise_formula(raw) == "'" + raw
    assert restore_formula("'" + raw) == raw


@pytest.mark.parametrize("raw", ["plain", "", "'quoted", "a=b", " =x", "1+1", "-1", "-12.5", "+3", "-1e5", "-.5"])
def test_a_cell_that_is_no_formula_is_written_and_read_unchanged(raw):
    assert neutralise_formula(raw) == raw
    assert restore_formula(raw) == raw


def test_a_value_that_itself_starts_with_a_quote_and_a_formula_survives_the_round_trip():
    for value in ("'=1", "''+x", "'@", "'-12.5"):
        assert restore_formula(neutralise_formula(value)) == value


@given(st.text() | st.text(alphabet="'=+-@\t\rab "))
def test_restoring_a_neutralised_cell_gives_back_any_text(value):
    assert restore_formula(neutralise_formula(value)) == value


@given(st.text() | st.from_regex(r"[-+]?[0-9]*\.?[0-9]+", fullmatch=True))
def test_a_neutralised_cell_starts_with_a_formula_character_only_when_it_is_a_plain_number(value):
    written = neutralise_formula(value)
    assert not written.startswith(normalise.FORMULA_PREFIXES) or float(written) == float(value)


# text ------------------------------------------------------------------------------------------


def test_text_of_a_cell_drops_non_breaking_spaces_and_byte_order_marks_and_writes_whole_numbers_plainly():
    assert normalise.text("\ufeff a\xa0b ") == "a b"
    assert normalise.text(12.0) == "12"
    assert normalise.text(12.5) == "12.5"
    assert normalise.text(dt.datetime(2024, 1, 2)) == "2024-01-02"
    assert normalise.text(dt.datetime(2024, 1, 2, 3, 4)) == "2024-01-02T03:04:00"
    assert normalise.text(None) == ""
