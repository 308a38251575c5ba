"""English and Russian are complete: every string translated, the compiled catalogue current."""

from __future__ import annotations

import gettext
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

LOCALE = Path(__file__).resolve().parents[2] / "locale"
PO = LOCALE / "ru" / "LC_MESSAGES" / "django.po"
MO = LOCALE / "ru" / "LC_MESSAGES" / "django.mo"


def parse_po(path: Path) -> list[dict]:
    """Entries of a .po file: msgid, plural, translations, flags (enough for these checks)."""
    entries: list[dict] = []
    current: dict = {}
    key = None

    def unquote(text: str) -> str:
        return text.strip()[1:-1].encode("utf-8").decode("unicode_escape").encode("latin-1").decode("utf-8")

    for line in [*path.read_text(encoding="utf-8").splitlines(), ""]:
        if not line.strip():
            if current:
                entries.append(current)
            current, key = {}, None
        elif line.startswith("#,"):
            current.setdefault("flags", set()).update(flag.strip() for flag in line[2:].split(","))
        elif line.startswith("#"):
            continue
        elif line.startswith("msgctxt"):
            key = "msgctxt"
            current[key] = unquote(line[len("msgctxt") :])
        elif line.startswith("msgid_plural"):
            key = "msgid_plural"
            current[key] = unquote(line[len("msgid_plural") :])
        elif line.startswith("msgid"):
            key = "msgid"
            current[key] = unquote(line[len("msgid") :])
        elif line.startswith("msgstr"):
            match = re.match(r"msgstr(\[\d\])?\s*(\".*\")", line)
            assert match, line
            key = "msgstr" + (match.group(1) or "")
            current[key] = unquote(match.group(2))
        elif line.startswith('"') and key:
            current[key] += unquote(line)
    return [entry for entry in entries if entry.get("msgid")]


def test_every_russian_string_is_translated_and_not_fuzzy():
    entries = parse_po(PO)
    assert len(entries) > 200
    missing = [e["msgid"] for e in entries if not all(v for k, v in e.items() if k.startswith("msgstr"))]
    fuzzy = [e["msgid"] for e in entries if "fuzzy" in e.get("flags", set())]
    assert not missing, f"untranslated: {missing[:10]}"
    assert not fuzzy, f"fuzzy: {fuzzy[:10]}"


def test_placeholders_survive_translation():
    for entry in parse_po(PO):
        wanted = sorted(re.findall(r"%\(\w+\)s", entry["msgid"]))
        for key, value in entry.items():
            if key.startswith("msgstr") and wanted:
                assert sorted(set(re.findall(r"%\(\w+\)s", value))) == sorted(set(wanted)), entry["msgid"]


def test_compiled_catalogue_matches_the_source():
    catalogue = gettext.GNUTranslations(MO.open("rb"))
    for entry in parse_po(PO):
        if "msgid_plural" in entry:
            assert catalogue.ngettext(entry["msgid"], entry["msgid_plural"], 1) == entry["msgstr[0]"]
        elif "msgctxt" in entry:
            assert catalogue.pgettext(entry["msgctxt"], entry["msgid"]) == entry["msgstr"], entry["msgid"]
        else:
            assert catalogue.gettext(entry["msgid"]) == entry["msgstr"], entry["msgid"]


@pytest.mark.skipif(shutil.which("xgettext") is None, reason="needs GNU gettext's xgettext (apt-get install gettext)")
def test_catalogue_covers_every_string_in_the_code(tmp_path):
    """makemessages on a copy must find no string the committed catalogue lacks."""
    package = LOCALE.parent
    copy = tmp_path / "aihq"
    shutil.copytree(package, copy, ignore=shutil.ignore_patterns("__pycache__", "tests"))
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "aihq.settings", "AIHQ_DATA_DIR": str(tmp_path / "var")}
    subprocess.run(
        [
            sys.executable,
            "-m",
            "django",
            "makemessages",
            "-l",
            "ru",
            "--no-obsolete",
            "--add-location",
            "never",
            "--ignore",
            "tests/*",
        ],
        cwd=copy,
        env=env,
        check=True,
        capture_output=True,
    )
    committed = {(e.get("msgctxt"), e["msgid"]) for e in parse_po(PO)}
    found = {(e.get("msgctxt"), e["msgid"]) for e in parse_po(copy / "locale" / "ru" / "LC_MESSAGES" / "django.po")}
    assert found - committed == set(), "run `make messages` and translate the new strings"


def test_pages_render_in_russian(world, page_client_for):
    client = page_client_for("editor_a")
    client.cookies["django_language"] = "ru"
    body = client.get("/use-cases/").content.decode()
    assert 'lang="ru"' in body
    assert "Сценари" in body
