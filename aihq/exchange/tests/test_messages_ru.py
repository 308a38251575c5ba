"""The importer's messages follow the active language: Russian in a Russian request, English otherwise."""

from __future__ import annotations

import re

import pytest
from django.utils import translation

from aihq.accounts.permissions import SystemActor
from aihq.exchange.selectors import run_summary
from aihq.exchange.services import ImportOptions, import_usecases

BAD_CSV = b"name,organisation,date_initiated,is_public\r\nChatbot,MINZDRAV,someday,maybe\r\n"
CYRILLIC = re.compile("[А-Яа-яЁё]")


@pytest.mark.django_db
def test_row_errors_and_the_summary_are_in_the_language_of_the_import():
    reports = {}
    # Russian, English, Russian again: nothing read in one language may leak into the next import.
    for language in ("ru", "en", "ru"):
        with translation.override(language):
            run = import_usecases(actor=SystemActor("test"), data=BAD_CSV, file_name="bad.csv", options=ImportOptions())
            messages = {p["field"]: p["message"] for p in run.problems if p["level"] == "error"}
            reports[language] = (messages, run_summary(run))

    messages, summary = reports["ru"]
    assert CYRILLIC.search(messages["date_initiated"])
    assert "'someday'" in messages["date_initiated"]
    assert messages["date_initiated"].startswith("'someday' — не дата")
    assert CYRILLIC.search(messages["is_public"])
    assert "'maybe'" in messages["is_public"]
    assert summary.startswith("Импортировано: строк — 1; новых — 0")
    assert "отклонено — 1" in summary

    messages, summary = reports["en"]
    assert messages["date_initiated"] == "'someday' is not a date (use YYYY-MM-DD, M/D/YYYY or a month and year)"
    assert messages["is_public"] == "'maybe' is not yes or no"
    assert summary.startswith("Imported: 1 rows — 0 new, 0 updated, 0 unchanged, 0 skipped, 1 rejected; ")
    assert not CYRILLIC.search(summary + "".join(messages.values()))
