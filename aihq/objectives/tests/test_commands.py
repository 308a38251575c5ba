"""The command line: import measurements from a file (all or nothing), print the stocktake."""

from __future__ import annotations

import json

import pytest
from django.core.management import CommandError, call_command

from aihq.audit.models import AuditEvent
from aihq.objectives.models import Measurement

pytestmark = pytest.mark.django_db


def test_import_measurements_is_all_or_nothing(plan, tmp_path, capsys):
    bad = tmp_path / "bad.csv"
    bad.write_text("period,region,value\n2025,RU-TA,40\n2025,RU-TA,41\n", encoding="utf-8")
    with pytest.raises(CommandError, match="nothing was saved"):
        call_command("import_measurements", str(bad), "--indicator", "READINESS")
    assert "row 3" in capsys.readouterr().err
    assert not Measurement.objects.filter(region__code="RU-TA").exists()


def test_import_measurements_dry_run_then_for_real(plan, tmp_path, capsys):
    good = tmp_path / "good.csv"
    good.write_text("indicator,period,region,value\nREADINESS,2025,RU-TA,40\nREADINESS,2025,RU-MOW,50\n")
    call_command("import_measurements", str(good), "--dry-run", "--json")
    assert json.loads(capsys.readouterr().out) == {"dry_run": True, "created": 2, "updated": 0, "unchanged": 0}
    assert not Measurement.objects.filter(period_end__year=2025).exists()
    call_command("import_measurements", str(good))
    assert Measurement.objects.filter(period_end__year=2025).count() == 2
    event = AuditEvent.objects.filter(object_type="objectives.measurement").order_by("-id").first()
    assert event.actor_label == "cli:import_measurements"


def test_import_measurements_names_an_unknown_indicator(plan, tmp_path):
    good = tmp_path / "good.csv"
    good.write_text("period,value\n2025,1\n")
    with pytest.raises(CommandError, match="NOPE"):
        call_command("import_measurements", str(good), "--indicator", "NOPE")


def test_stocktake_command(plan, capsys):
    call_command("stocktake", "--at", "2024-12-31", "--json")
    body = json.loads(capsys.readouterr().out)
    assert [(r["indicator"], r["rag"], r["owner"]) for r in body["results"]] == [("READINESS", "amber_red", "A")]
    with pytest.raises(CommandError):
        call_command("stocktake", "--at", "yesterday")


def test_refresh_rollups_rebuilds_national_values_after_a_direct_load(plan, world, capsys):
    import datetime as dt

    from aihq.objectives.models import NationalValue

    # A direct load (no service): the roll-up knows nothing of it until refreshed.
    Measurement.objects.create(
        indicator=plan.indicator, period_end=dt.date(2025, 12, 31), value=50, region=world.region
    )
    assert not NationalValue.objects.filter(period_end=dt.date(2025, 12, 31)).exists()
    call_command("refresh_rollups", "--indicator", "READINESS", "--json")
    assert json.loads(capsys.readouterr().out) == {"indicators": 1, "rows": 4}
    derived = NationalValue.objects.get(period_end=dt.date(2025, 12, 31))
    assert (derived.value, derived.derived, derived.regions) == (50, True, 1)
    with pytest.raises(CommandError, match="NOPE"):
        call_command("refresh_rollups", "--indicator", "NOPE")
