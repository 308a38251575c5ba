"""aihq energy_estimate: the issue's pinned JSON, human output, clear errors."""

from __future__ import annotations

import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

PINNED = [
    "--accelerators",
    "H100-SXM=10000",
    "--utilisation",
    "0.7",
    "--pue",
    "1.3",
    "--technology",
    "gas_combined_cycle",
    "--reserve-margin",
    "0.15",
]


def run(*args: str) -> str:
    out = StringIO()
    call_command("energy_estimate", *args, stdout=out)
    return out.getvalue()


def test_pinned_estimate_as_json():
    data = json.loads(run(*PINNED, "--json"))
    assert data["it_mw"] == 12.8
    assert data["facility_mw"] == 16.64
    assert round(data["energy_mwh"]) == 102_036
    assert round(data["generation_mw"], 2) == 24.35
    assert round(data["generation_capex_usd"] / 1e6, 1) == 34.6
    assert data["generation_capex_usd"] == pytest.approx(34_583_970.909091)
    assert data["data_centre_capex_usd"] == pytest.approx(12.8 * 11.7e6)
    assert data["grid_kg_per_mwh"] == 347.451  # national average by default
    assert data["emissions_t"] == pytest.approx(102_036.48 * 347.451 / 1000, abs=1e-3)
    assert data["mix"] == {"gas_combined_cycle": 1.0}
    assert data["accelerators"] == {"H100-SXM": 10000}


def test_human_output_mix_and_region():
    text = run(
        "--accelerators",
        "H100-SXM=10000",
        "--accelerators",
        "h100-pcie=100",
        "--utilisation",
        "0.7",
        "--pue",
        "1.3",
        "--mix",
        "gas_combined_cycle=0.6",
        "--mix",
        "nuclear=0.4",
        "--region",
        "RU-MOW",
    )
    assert "H100-PCIe × 100" in text
    assert "derived from board power" in text
    assert "nuclear" in text
    assert "240.56 kg/MWh, region RU-MOW" in text
    assert text.strip().splitlines()[-1].endswith("million USD.")


def test_repeated_technology_splits_the_energy_equally():
    data = json.loads(
        run(
            *PINNED[:6],
            "--technology",
            "coal",
            "--technology",
            "nuclear",
            "--grid-intensity",
            "100",
            "--json",
        )
    )
    assert data["mix"] == {"coal": 0.5, "nuclear": 0.5}
    assert data["emissions_t"] == pytest.approx(102_036.48 * 100 / 1000, abs=1e-3)


@pytest.mark.parametrize(
    ("change", "match"),
    [
        ({"--accelerators": "A100=5"}, "Unknown accelerator model 'A100'"),
        ({"--accelerators": "H100-SXM"}, "Give --accelerators as MODEL=COUNT"),
        ({"--accelerators": "H100-SXM=1.5"}, "whole number"),
        ({"--accelerators": "H100-SXM=-3"}, "whole number"),
        ({"--technology": "fusion"}, "Unknown generation technology 'fusion'"),
        ({"--technology": "gas_open_cycle"}, "No capacity factor"),
        ({"--utilisation": "seventy"}, "--utilisation must be a number"),
        ({"--utilisation": "1.5"}, "Utilisation must be"),
        ({"--pue": "0.8"}, "PUE must be"),
        ({"--pue": "nan"}, "finite"),
        ({"--reserve-margin": "-1"}, "reserve margin"),
    ],
)
def test_errors_are_clear(change, match):
    args = list(PINNED)
    for option, value in change.items():
        args[args.index(option) + 1] = value
    with pytest.raises(CommandError, match=match):
        run(*args)


def test_mix_errors_and_regions():
    with pytest.raises(CommandError, match="Give --mix as TECH=SHARE"):
        run(*PINNED[:6], "--mix", "coal")
    with pytest.raises(CommandError, match="sum to 1"):
        run(*PINNED[:6], "--mix", "coal=0.5", "--mix", "nuclear=0.2")
    with pytest.raises(CommandError, match="not allowed with"):
        run(*PINNED, "--mix", "coal=1")
    with pytest.raises(CommandError, match="No grid carbon intensity for region 'XX-1'"):
        run(*PINNED, "--region", "XX-1")
