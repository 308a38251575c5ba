"""Reading uploaded files: encodings, delimiters, broken and hostile files, workbooks and JSON shapes."""

from __future__ import annotations

import io
import json
import random
import zipfile

import pytest
from openpyxl import Workbook

from aihq.exchange.readers import MAX_CELL_CHARS, FileProblem, decode, read_table


def rows_of(table):
    return list(table.rows)


def xlsx_bytes(rows: list[list[object]]) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


# encodings ------------------------------------------------------------------------------------

RUSSIAN = "name,organisation\nЧат-бот для граждан,MINZDRAV\nРаспознавание снимков,MINZDRAV\n"
FRENCH_GERMAN = "name,organisation\nCafé crème à Noël,FR\nMüller Straße Übersicht,DE\n"


def test_utf8_is_read_as_utf8_without_a_note():
    table = read_table(data=RUSSIAN.encode("utf-8"), name="x.csv")
    assert table.encoding == "utf-8"
    assert table.notes == []
    assert [row["name"] for _n, row in rows_of(table)] == ["Чат-бот для граждан", "Распознавание снимков"]


def test_utf8_with_a_byte_order_mark_keeps_the_first_header_clean():
    table = read_table(data=RUSSIAN.encode("utf-8-sig"), name="x.csv")
    assert table.headers == ["name", "organisation"]
    assert rows_of(table)[0][1]["name"] == "Чат-бот для граждан"


@pytest.mark.parametrize("codec", ["utf-16", "utf-16-be"])
def test_utf16_with_a_byte_order_mark_is_read(codec):
    data = RUSSIAN.encode(codec)
    if codec == "utf-16-be":
        data = b"\xfe\xff" + data
    table = read_table(data=data, name="x.csv")
    assert table.encoding == "utf-16"
    assert table.headers == ["name", "organisation"]
    assert rows_of(table)[1][1]["name"] == "Распознавание снимков"


def test_russian_text_saved_as_windows_1251_is_detected_and_noted():
    table = read_table(data=RUSSIAN.encode("cp1251"), name="x.csv")
    assert table.encoding == "cp1251"
    assert table.notes == ["read as cp1251"]
    assert [row["name"] for _n, row in rows_of(table)] == ["Чат-бот для граждан", "Распознавание снимков"]


def test_windows_1251_is_detected_in_a_file_mixing_russian_with_latin_codes():
    content = (
        "reference,name,organisation,stage,regions\n"
        "MZ-1,ИИ-ассистент GPT для врачей и пациентов,MINZDRAV,pilot,RU-MOW;RU-TA\n"
        "MZ-2,Анализ КТ-снимков (модель v2) в 5 регионах,MINZDRAV,production,RU-SPE\n"
    )
    assert decode(content.encode("cp1251")) == (content, "cp1251")


def test_french_and_german_text_saved_as_latin1_is_detected_as_latin1():
    table = read_table(data=FRENCH_GERMAN.encode("latin-1"), name="x.csv")
    assert table.encoding == "latin-1"
    assert table.notes == ["read as latin-1"]
    assert [row["name"] for _n, row in rows_of(table)] == ["Café crème à Noël", "Müller Straße Übersicht"]


@pytest.mark.parametrize("word", ["Désolé", "Ärger", "façade", "Öl", "naïve", "élève"])
def test_a_single_latin1_word_is_not_mistaken_for_russian(word):
    text, encoding = decode(f"name\n{word}\n".encode("latin-1"))
    assert (text, encoding) == (f"name\n{word}\n", "latin-1")


def test_random_binary_bytes_are_refused_with_advice_to_save_as_utf8():
    data = b"name\n" + random.Random(7).randbytes(4096)
    with pytest.raises(FileProblem, match="Save it as UTF-8") as caught:
        read_table(data=data, name="upload.csv")
    assert "not UTF-8" in str(caught.value)


def test_a_named_encoding_is_used_and_a_wrong_one_refused():
    assert decode("Чат".encode("koi8-r"), "koi8-r") == ("Чат", "koi8-r")
    with pytest.raises(FileProblem, match="not valid utf-8"):
        decode(b"\xff\xfe\xfa", "utf-8")
    with pytest.raises(FileProblem, match="not valid no-such-codec"):
        decode(b"abc", "no-such-codec")


# CSV shape ------------------------------------------------------------------------------------


def test_a_semicolon_delimited_file_from_russian_excel_is_split_on_semicolons():
    data = "name;organisation;tags\nЧат-бот, версия 2;MINZDRAV;a,b\n".encode("cp1251")
    table = read_table(data=data, name="x.csv")
    assert table.headers == ["name", "organisation", "tags"]
    assert rows_of(table) == [(2, {"name": "Чат-бот, версия 2", "organisation": "MINZDRAV", "tags": "a,b"})]


def test_the_delimiter_is_found_even_when_a_quoted_header_holds_line_breaks_and_commas():
    data = '"Use Case ID\n\n[Agency Abbrev.] – [#]";"Use Case Name";"Stage, as reported"\nDHS-1;Chatbot;Pilot\n'
    table = read_table(data=data.encode("utf-8"), name="x.csv")
    assert table.headers == ["Use Case ID\n\n[Agency Abbrev.] – [#]", "Use Case Name", "Stage, as reported"]
    assert rows_of(table)[0][1]["Use Case Name"] == "Chatbot"


def test_a_tab_delimited_file_is_split_on_tabs():
    table = read_table(data=b"name\torganisation\nA thing\tA\n", name="x.tsv")
    assert rows_of(table) == [(2, {"name": "A thing", "organisation": "A"})]


def test_rows_are_numbered_as_a_spreadsheet_shows_them_even_with_line_breaks_in_cells_and_blank_rows():
    data = b'name,description\nfirst,"two\nlines"\n,\nthird,x\n'
    assert [number for number, _row in rows_of(read_table(data=data, name="x.csv"))] == [2, 4]


def test_short_rows_are_padded_with_empty_cells():
    assert rows_of(read_table(data=b"a,b,c\n1\n", name="x.csv")) == [(2, {"a": "1", "b": "", "c": ""})]


def test_a_row_with_more_cells_than_the_header_is_refused_naming_the_row():
    table = read_table(data=b"a,b\n1,2\n1,2,3\n", name="x.csv")
    with pytest.raises(FileProblem, match="Row 3 has 3 cells but the header has 2"):
        rows_of(table)


def test_trailing_empty_cells_beyond_the_header_are_tolerated():
    assert rows_of(read_table(data=b"a,b\n1,2,,\n", name="x.csv")) == [(2, {"a": "1", "b": "2"})]


@pytest.mark.parametrize("data", [b"", b"   \n\n", b"\xef\xbb\xbf", b"\xef\xbb\xbf\r\n"])
def test_an_empty_file_is_refused_as_empty(data):
    with pytest.raises(FileProblem, match="The file is empty"):
        read_table(data=data, name="x.csv")


def test_a_file_with_only_a_header_has_headers_and_no_rows():
    table = read_table(data=b"name,organisation\n", name="x.csv")
    assert table.headers == ["name", "organisation"]
    assert rows_of(table) == []


def test_a_header_naming_a_column_twice_is_refused_naming_the_column():
    with pytest.raises(FileProblem, match="The column 'name' appears twice in the header"):
        read_table(data=b"name,stage,name\nx,pilot,y\n", name="x.csv")


def test_an_empty_header_cell_gets_a_numbered_name():
    assert read_table(data=b"name,,stage\n", name="x.csv").headers == ["name", "column 2", "stage"]


def test_a_ten_megabyte_cell_is_refused_naming_the_row_and_the_limit():
    data = b"name,description\nsmall,ok\nbig," + b"x" * 10_000_000 + b"\n"
    table = read_table(data=data, name="x.csv")
    with pytest.raises(FileProblem) as caught:
        rows_of(table)
    message = str(caught.value)
    assert message.startswith("Row 3")
    assert f"{MAX_CELL_CHARS:,}" in message


def test_a_cell_just_over_the_limit_is_refused_naming_the_row_and_column():
    data = b"name,description\nbig," + b"x" * (MAX_CELL_CHARS + 1) + b"\n"
    with pytest.raises(FileProblem, match=r"Row 2, column 'description': the cell holds 100,001 characters"):
        rows_of(read_table(data=data, name="x.csv"))


def test_a_cell_at_the_limit_is_read():
    data = b"name,description\nbig," + b"x" * MAX_CELL_CHARS + b"\n"
    assert len(rows_of(read_table(data=data, name="x.csv"))[0][1]["description"]) == MAX_CELL_CHARS


# XLSX -----------------------------------------------------------------------------------------


def test_a_workbook_is_read_from_its_first_sheet_with_typed_cells():
    data = xlsx_bytes(
        [
            ["name", "date_initiated", "count", None],
            ["Chatbot", "2024-01-02", 3, None],
            [None, None, None, None],
            ['=HYPERLINK("http://x")', None, 1.5, None],
        ]
    )
    table = read_table(data=data, name="upload.bin")
    assert table.kind == "xlsx"
    assert table.headers == ["name", "date_initiated", "count"]
    assert rows_of(table) == [
        (2, {"name": "Chatbot", "date_initiated": "2024-01-02", "count": 3}),
        (4, {"name": '=HYPERLINK("http://x")', "date_initiated": None, "count": 1.5}),
    ]


def test_a_workbook_with_an_empty_first_sheet_is_refused():
    with pytest.raises(FileProblem, match="first sheet is empty"):
        read_table(data=xlsx_bytes([]), name="x.xlsx")


def test_a_truncated_workbook_is_refused_as_truncated():
    data = xlsx_bytes([["name"], ["x"]])
    with pytest.raises(FileProblem, match=r"truncated or not an \.xlsx file"):
        read_table(data=data[: len(data) // 2], name="x.xlsx")


def test_a_file_named_xlsx_that_is_not_a_workbook_is_refused():
    with pytest.raises(FileProblem, match="cannot be opened"):
        read_table(data=b"PK\x03\x04not really a zip", name="x.xlsx")


def test_a_password_protected_workbook_is_refused_with_advice_to_remove_the_password():
    data = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(600)
    with pytest.raises(FileProblem, match="password-protected") as caught:
        read_table(data=data, name="inventory.xlsx")
    assert "Remove the password" in str(caught.value)


def oversized_workbook() -> bytes:
    """A workbook whose cell B2 holds more than the limit (Excel stops at 32,767; a damaged file need not)."""
    source = zipfile.ZipFile(io.BytesIO(xlsx_bytes([["name", "description"], ["x", "PLACEHOLDER"]])))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as target:
        for item in source.infolist():
            content = source.read(item)
            target.writestr(item, content.replace(b"PLACEHOLDER", b"y" * (MAX_CELL_CHARS + 1)))
    return buffer.getvalue()


def test_a_cell_over_the_limit_in_a_workbook_is_refused_naming_row_and_column():
    data = oversized_workbook()
    with pytest.raises(FileProblem, match="Row 2, column 'description'"):
        rows_of(read_table(data=data, name="x.xlsx"))


# JSON -----------------------------------------------------------------------------------------


def test_a_json_list_of_objects_is_read_with_the_union_of_their_keys_as_the_header():
    data = json.dumps([{"name": "A", "tags": ["x", "y"]}, {"name": "B", "is_public": True, "extra": {"k": 1}}])
    table = read_table(data=data.encode(), name="x.json")
    assert table.kind == "json"
    assert table.headers == ["name", "tags", "is_public", "extra"]
    assert rows_of(table) == [
        (1, {"name": "A", "tags": "x;y", "is_public": None, "extra": None}),
        (2, {"name": "B", "tags": None, "is_public": True, "extra": '{"k": 1}'}),
    ]


@pytest.mark.parametrize("wrapper", ["use_cases", "results", "data", "items"])
def test_a_json_object_wrapping_the_list_is_read(wrapper):
    data = json.dumps({"count": 1, wrapper: [{"name": "A"}]}).encode()
    assert rows_of(read_table(data=data, name="x.json")) == [(1, {"name": "A"})]


def test_json_is_recognised_by_its_content_whatever_the_file_is_called():
    assert read_table(data=b'\xef\xbb\xbf  [{"name": "A"}]', name="upload.csv").kind == "json"


@pytest.mark.parametrize(
    ("content", "shown"),
    [('{"a": 1}', "dict"), ("[1, 2]", "int"), ('"text"', "str"), ('[{"name": "A"}, "B"]', "str")],
)
def test_json_of_the_wrong_shape_is_refused_saying_what_it_must_be_and_what_it_is(content, shown):
    with pytest.raises(FileProblem, match="The JSON must be a list of objects") as caught:
        read_table(data=content.encode(), name="x.json")
    assert shown in str(caught.value)


def test_invalid_json_is_refused_naming_the_line_and_column():
    with pytest.raises(FileProblem, match=r"The JSON is not valid: .* at line 2, column"):
        read_table(data=b'[{"name": "A"},\n {"name": }]', name="x.json")


def test_truncated_utf16_is_a_clear_file_problem():
    from aihq.exchange.readers import FileProblem, read_table

    with pytest.raises(FileProblem, match="UTF-16"):
        read_table(data=b"\xff\xfe\x00\x00indicator,period,value\n", name="values.csv")
