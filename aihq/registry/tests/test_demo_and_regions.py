"""load_demo, load_regions and the shipped reference data."""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import CommandError, call_command

from aihq.accounts.models import User
from aihq.registry.models import Organisation, Region, Sector, UseCase

pytestmark = pytest.mark.django_db


def test_load_demo_is_idempotent_and_creates_one_account_per_role():
    call_command("load_demo", stdout=io.StringIO())
    counts = (Region.objects.count(), Sector.objects.count(), Organisation.objects.count(), UseCase.objects.count())
    call_command("load_demo", stdout=io.StringIO())
    assert counts == (
        Region.objects.count(),
        Sector.objects.count(),
        Organisation.objects.count(),
        UseCase.objects.count(),
    )
    assert counts[0] >= 85
    assert counts[2] > 300  # Russian bodies, the 37 US agencies and their bureaus
    assert (
        UseCase.objects.filter(organisation__parent__code="USA").count()
        + UseCase.objects.filter(organisation__parent__parent__code="USA").count()
        == 1742
    )  # the real US inventory less its 15 in-file duplicates
    assert UseCase.objects.filter(reference__startswith="RU-DEMO-").count() == 46
    roles = {m.role for user in User.objects.filter(is_demo=True) for m in user.memberships.all()}
    assert roles == {"hq_admin", "coordinator", "editor", "viewer", "auditor"}
    assert User.objects.get(username="editor").check_password("demo-password")


def test_load_demo_if_empty_skips_a_populated_registry(world):
    out = io.StringIO()
    call_command("load_demo", "--if-empty", "--json", stdout=out)
    assert json.loads(out.getvalue()) == {"loaded": {}}
    assert not User.objects.filter(is_demo=True).exists()


def test_load_demo_is_refused_in_production(settings):
    settings.PRODUCTION = True
    with pytest.raises(CommandError, match="never loaded in production"):
        call_command("load_demo", stdout=io.StringIO())


def test_russian_regions_have_iso_codes_names_and_districts():
    call_command("load_regions", stdout=io.StringIO())
    tatarstan = Region.objects.get(code="RU-TA")
    assert tatarstan.name_ru == "Республика Татарстан"
    assert tatarstan.group_en == "Volga Federal District"
    assert tatarstan.group_ru == "Приволжский федеральный округ"
    assert Region.objects.filter(country="RU").count() == 86


def test_other_countries_come_from_pycountry_with_russian_names():
    call_command("load_regions", "--country", "US", stdout=io.StringIO())
    texas = Region.objects.get(code="US-TX")
    assert texas.name_en == "Texas"
    assert texas.name_ru == "Техас"


def test_unknown_country_is_a_clear_error():
    with pytest.raises(CommandError, match="Unknown country code"):
        call_command("load_regions", "--country", "XX", stdout=io.StringIO())


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("Амурская обл", "Амурская область"),
        ("Респ Адыгея", "Республика Адыгея"),
        ("г Москва", "Москва"),
        ("Ненецкий АО", "Ненецкий автономный округ"),
        ("Еврейская Аобл", "Еврейская автономная область"),
        ("Ханты-Мансийский Автономный округ - Югра", "Ханты-Мансийский автономный округ — Югра"),
        ("Краснодарский край", "Краснодарский край"),
    ],
)
def test_russian_region_names_are_spelt_out(source, expected):
    from aihq.registry.loaders import russian_region_name

    assert russian_region_name(source) == expected
