"""The energy model: pinned hand-computed cases, properties, the Monte Carlo against a brute-force reference."""

from __future__ import annotations

import csv
import math
from collections.abc import Mapping
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from aihq.energy import model as m
from aihq.energy.parameters import (
    DATA_DIR,
    ParameterError,
    UnknownAcceleratorError,
    UnknownRegionError,
    UnknownTechnologyError,
    grid_intensity,
    load_grid_intensity,
    load_parameters,
    parse_parameters,
    read_parameters,
)

D = m.Distribution
PARAMS = load_parameters()


# ---------------------------------------------------------------------------------------------- parameters


def test_shipped_parameters():
    p = PARAMS
    assert p.accelerators["H100-SXM"].server_kw == 1.28
    assert p.accelerators["B200"].server_kw == 1.79
    assert not p.accelerators["H100-SXM"].server_kw_derived
    # derived: board × mean(1.28 / 0.70, 1.79 / 1.00)
    factor = (1.28 / 0.70 + 1.79 / 1.00) / 2
    assert p.server_to_board == pytest.approx(1.8092857, abs=1e-6) == factor
    assert p.accelerators["H100-PCIe"].server_kw == pytest.approx(0.35 * factor)
    assert p.accelerators["H100-PCIe"].server_kw_derived
    assert p.accelerators["H200-SXM"].server_kw == pytest.approx(0.70 * factor)
    assert p.server_to_board_range.low == 1.79
    assert p.server_to_board_range.high == pytest.approx(1.28 / 0.70)
    assert (p.pue.industry_average, p.pue.new_large_site) == (1.58, 1.30)
    assert (p.pue.hyperscale.low, p.pue.hyperscale.high) == (1.10, 1.20)
    gas = p.technology("gas_combined_cycle")
    assert (gas.capex_usd_per_kw, gas.capacity_factor) == (1420, 0.55)
    assert gas.capex_range is not None
    assert gas.capex_range.low == 1142
    assert p.technology("Nuclear").capacity_factor == 0.90  # case-insensitive
    assert p.technology("gas_open_cycle").capacity_factor is None
    assert p.data_centre_capex_usd_per_mw == 11.7e6
    assert (p.data_centre_capex_range.low, p.data_centre_capex_range.high) == (9.3e6, 15.0e6)
    ru = p.russia
    assert (ru.new_generation_investment_usd, ru.new_generation_investment_rub) == (77e9, 6.0e12)
    assert ru.implied_rub_per_usd == pytest.approx(77.92, abs=0.01)
    assert dict(ru.data_centre_installed_gw) == {2025: 1.8, 2030: 4.3}
    assert (ru.ai_data_centre_additional_gw_by_2030.low, ru.ai_data_centre_additional_gw_by_2030.high) == (2.0, 2.5)
    assert ru.crypto_mining_twh_per_year == 16
    assert ru.crypto_mining_average_mw == pytest.approx(16e6 / 8760)
    assert ru.grid_kg_co2_per_mwh == 347.45
    assert "VTB" in ru.new_generation_investment_note
    assert p.world_data_centre_twh[2030] == 945


def test_unknown_names_are_refused_clearly():
    with pytest.raises(UnknownAcceleratorError, match=r"'A100'.*H100-SXM"):
        PARAMS.accelerator("A100")
    with pytest.raises(UnknownTechnologyError, match=r"'fusion'.*gas_combined_cycle"):
        PARAMS.technology("fusion")
    with pytest.raises(UnknownTechnologyError, match="No capacity factor"):
        PARAMS.technology("gas_open_cycle", need_capacity_factor=True)
    assert issubclass(UnknownAcceleratorError, ValueError)


def test_a_malformed_parameters_file_is_refused(tmp_path):
    with pytest.raises(ParameterError, match="lacks 'pue'"):
        parse_parameters({"accelerators": {"X": {"board_kw": 1, "server_kw_per_accelerator": 2}}})
    bad = tmp_path / "p.yaml"
    bad.write_text((DATA_DIR / "parameters.yaml").read_text(encoding="utf-8").replace("board_kw: 0.70", "board_kw: x"))
    with pytest.raises(ParameterError, match="expected a number"):
        read_parameters(bad)


def test_grid_intensity_table_covers_every_project_region():
    table = load_grid_intensity()
    assert table["RU"] == 347.451
    assert table["RU-MOW"] == 240.56
    assert table["RU-MUR"] == 53.51
    assert table["RU-KO"] == 754.98
    assert table["RU-KYA"] == 363.42  # Krasnoyarsk Krai, Siberia
    assert table["RU-KDA"] == 218.85  # Eco2AI's "Krasnoyarskiy" in its South block
    assert table["RU-SAK"] == 347.451  # no row: national average
    assert grid_intensity("ru-mow") == 240.56
    with pytest.raises(UnknownRegionError, match="XX"):
        grid_intensity("XX")
    regions = DATA_DIR.parent.parent / "registry" / "data" / "ru_regions.csv"
    with regions.open(encoding="utf-8") as fh:
        codes = {row["iso_code"] for row in csv.DictReader(fh)}
    assert codes <= set(table)
    assert len(table) == len(codes) + 1  # and RU


# ---------------------------------------------------------------------------------------------- estimate


def test_pinned_estimate_from_the_issue():
    e = m.estimate(
        {"H100-SXM": 10_000}, utilisation=0.7, pue=1.3, mix="gas_combined_cycle", reserve_margin=0.15, params=PARAMS
    )
    # By hand: 10,000 × 1.28 kW = 12,800 kW; × 1.3; × 0.7 × 8,760 h; / (8,760 × 0.55) × 1.15; × 1,000 × 1,420.
    assert e.it_mw == pytest.approx(12.8, abs=1e-9)
    assert e.facility_mw == pytest.approx(16.64, abs=1e-9)
    assert e.energy_mwh == pytest.approx(102_036.48, abs=1e-6)
    assert round(e.energy_mwh) == 102_036
    assert e.generation_mw == pytest.approx(24.354_909_09, abs=1e-7)
    assert round(e.generation_mw, 2) == 24.35
    assert e.generation_capex_usd == pytest.approx(34_583_970.91, abs=0.01)
    assert round(e.generation_capex_usd / 1e6, 1) == 34.6
    assert e.data_centre_capex_usd == pytest.approx(12.8 * 11.7e6)
    assert dict(e.generation_mw_by_technology) == {"gas_combined_cycle": e.generation_mw}
    assert e.emissions_t is None


def test_mix_shares_split_the_energy():
    e = m.estimate(
        {"H100-SXM": 10_000},
        utilisation=0.7,
        pue=1.3,
        mix={"gas_combined_cycle": 0.5, "nuclear": 0.5},
        reserve_margin=0.15,
        params=PARAMS,
    )
    average_mw = 102_036.48 / 8760  # 11.648
    gas = 0.5 * average_mw / 0.55 * 1.15  # 12.17745...
    nuclear = 0.5 * average_mw / 0.90 * 1.15  # 7.44178...
    assert e.generation_mw_by_technology["gas_combined_cycle"] == pytest.approx(12.177_454_5, abs=1e-6) == gas
    assert e.generation_mw_by_technology["nuclear"] == pytest.approx(7.441_777_8, abs=1e-6) == nuclear
    assert e.generation_mw == pytest.approx(gas + nuclear)
    assert e.generation_capex_usd_by_technology["nuclear"] == pytest.approx(nuclear * 1000 * 11_200)
    assert e.generation_capex_usd == pytest.approx(gas * 1000 * 1420 + nuclear * 1000 * 11_200)


def test_several_models_and_emissions():
    e = m.estimate(
        {"H100-SXM": 8, "B200": 8},
        utilisation=1.0,
        pue=1.0,
        mix="coal",
        params=PARAMS,
        grid_kg_per_mwh=240.56,
    )
    assert e.it_mw == pytest.approx((8 * 1.28 + 8 * 1.79) / 1000)
    assert e.emissions_t == pytest.approx(e.it_mw * 8760 * 240.56 / 1000)
    one = m.estimate({"H100-SXM": 10_000}, utilisation=0.7, pue=1.3, mix="coal", params=PARAMS, grid_kg_per_mwh=240.56)
    assert one.emissions_t == pytest.approx(24_545.896, abs=1e-3)  # 102,036.48 MWh × 240.56 kg


def test_derived_server_power_is_flagged():
    e = m.estimate({"h100-pcie": 1000}, utilisation=1, pue=1, mix="nuclear", params=PARAMS)
    assert e.server_kw_derived == ("H100-PCIe",)
    assert e.it_mw == pytest.approx(0.35 * PARAMS.server_to_board)


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"accelerators": {"A100": 1}}, UnknownAcceleratorError, "A100"),
        ({"mix": "fusion"}, UnknownTechnologyError, "fusion"),
        ({"mix": "gas_open_cycle"}, UnknownTechnologyError, "capacity factor"),
        ({"mix": {"coal": 0.5, "nuclear": 0.4}}, ValueError, "sum to 1"),
        ({"mix": {"coal": 1.5, "nuclear": -0.5}}, ValueError, "≥ 0"),
        ({"mix": {}}, ValueError, "at least one"),
        ({"accelerators": {"H100-SXM": -1}}, ValueError, "whole number"),
        ({"accelerators": {"H100-SXM": 1.5}}, ValueError, "whole number"),
        ({"accelerators": {"H100-SXM": True}}, ValueError, "whole number"),
        ({"accelerators": {}}, ValueError, "at least one"),
        ({"utilisation": 1.2}, ValueError, "Utilisation"),
        ({"pue": 0.9}, ValueError, "PUE"),
        ({"pue": math.nan}, ValueError, "PUE"),
        ({"reserve_margin": -0.1}, ValueError, "reserve margin"),
    ],
)
def test_estimate_refuses_bad_input(kwargs, error, match):
    args = {"accelerators": {"H100-SXM": 1}, "utilisation": 0.7, "pue": 1.3, "mix": "coal", **kwargs}
    accelerators = args.pop("accelerators")
    with pytest.raises(error, match=match):
        m.estimate(accelerators, params=PARAMS, **args)


counts = st.integers(min_value=0, max_value=10_000_000)
shares = st.floats(min_value=0.0, max_value=1.0)


@given(
    st.floats(min_value=1.0, max_value=3.0),
    st.floats(min_value=1.0, max_value=3.0),
    st.floats(min_value=0.0, max_value=1.0),
    counts,
    shares,
)
def test_more_pue_never_lowers_energy(pue_a, pue_b, utilisation, count, gas):
    low, high = sorted((pue_a, pue_b))
    mix = {"gas_combined_cycle": gas, "nuclear": 1.0 - gas}
    a = m.estimate({"B200": count}, utilisation=utilisation, pue=low, mix=mix, params=PARAMS)
    b = m.estimate({"B200": count}, utilisation=utilisation, pue=high, mix=mix, params=PARAMS)
    assert a.energy_mwh <= b.energy_mwh
    assert a.facility_mw <= b.facility_mw
    assert a.generation_mw <= b.generation_mw * (1 + 1e-12)
    assert a.generation_capex_usd <= b.generation_capex_usd * (1 + 1e-12)


@given(counts, counts, st.integers(min_value=0, max_value=1000), shares, st.floats(min_value=0, max_value=1))
def test_capex_scales_linearly_with_accelerators(h100, b200, k, gas, margin):
    mix = {"gas_combined_cycle": gas, "onshore_wind": 1.0 - gas}
    one = m.estimate({"H100-SXM": h100, "B200": b200}, utilisation=0.7, pue=1.3, mix=mix, reserve_margin=margin)
    many = m.estimate(
        {"H100-SXM": k * h100, "B200": k * b200}, utilisation=0.7, pue=1.3, mix=mix, reserve_margin=margin
    )
    assert many.generation_capex_usd == pytest.approx(k * one.generation_capex_usd, rel=1e-9, abs=1e-6)
    assert many.data_centre_capex_usd == pytest.approx(k * one.data_centre_capex_usd, rel=1e-9, abs=1e-6)
    assert many.energy_mwh == pytest.approx(k * one.energy_mwh, rel=1e-9, abs=1e-9)


# ---------------------------------------------------------------------------------------------- distributions


def test_distribution_sample_statistics_match_their_definitions():
    rng = np.random.default_rng(7)
    n = 200_000
    uniform = m.sample(D.uniform(2, 5), n, rng)
    assert uniform.min() >= 2
    assert uniform.max() <= 5
    assert uniform.mean() == pytest.approx(3.5, abs=0.02)
    assert uniform.var() == pytest.approx(9 / 12, rel=0.02)
    tri = D.triangular(1.10, 1.30, 1.58)
    draws = m.sample(tri, n, rng)
    assert draws.mean() == pytest.approx(tri.mean, abs=0.002) == pytest.approx((1.10 + 1.30 + 1.58) / 3)
    assert np.median(draws) == pytest.approx(tri.median, abs=0.003)
    assert draws.min() >= 1.10
    assert draws.max() <= 1.58
    logn = D.lognormal(0.05, 0.30)
    draws = m.sample(logn, n, rng)
    assert np.quantile(draws, 0.1) == pytest.approx(0.05, rel=0.02)
    assert np.quantile(draws, 0.9) == pytest.approx(0.30, rel=0.02)
    assert np.median(draws) == pytest.approx(math.sqrt(0.05 * 0.30), rel=0.02) == pytest.approx(logn.median, rel=0.02)
    assert draws.mean() == pytest.approx(logn.mean, rel=0.02)
    spread = D.lognormal_median(100, 2)
    assert (spread.low, spread.high) == (50, 200)
    fixed = m.sample(D.fixed(3.0), 5, rng)
    assert fixed.tolist() == [3.0] * 5


def test_distributions_validate_and_round_trip():
    for dist in (D.fixed(1.3), D.uniform(1, 2), D.triangular(1, 1.5, 3), D.lognormal(0.1, 0.4)):
        assert D.from_dict(dist.to_dict()) == dist
    assert D.from_dict(2.5) == D.fixed(2.5)
    assert D.from_dict({"kind": "lognormal", "median": 1.0, "spread": 2.0}) == D.lognormal(0.5, 2.0)
    for bad in (
        lambda: D.uniform(2, 1),
        lambda: D.triangular(1, 4, 3),
        lambda: D.lognormal(0, 1),
        lambda: D("fixed", 1, 2),
        lambda: D.fixed(math.inf),
        lambda: D.from_dict({"kind": "beta"}),
        lambda: D.from_dict({"kind": "uniform", "low": 1}),
        lambda: D.lognormal_median(1, 0.5),
    ):
        with pytest.raises(ValueError):  # noqa: PT011 - each has its own message
            bad()


@given(st.integers(min_value=0, max_value=2**32 - 1), st.integers(min_value=0, max_value=50))
def test_same_seed_same_samples(seed, n):
    dist = D.triangular(0.5, 0.7, 0.9)
    a = m.sample(dist, n, np.random.default_rng(seed))
    b = m.sample(dist, n, np.random.default_rng(seed))
    assert np.array_equal(a, b)


# ---------------------------------------------------------------------------------------------- Monte Carlo


def scenario(**overrides) -> m.SimulationInputs:
    """Three regions, 2025–2030, growing accelerators, some exogenous load, uncertain parameters."""
    regions = ("RU-MOW", "RU-TA", "RU-IRK")
    years = tuple(range(2025, 2031))
    base = np.array([[1000, 1500, 2500, 4000, 5000, 6000], [0, 0, 500, 500, 1000, 1000], [200, 150, 100, 50, 0, 0]])
    args: dict[str, Any] = {
        "regions": regions,
        "years": years,
        "accelerators": base,
        "exogenous_mw": np.array([[5.0] * 6, [0.0] * 6, [20.0, 25.0, 30.0, 10.0, 10.0, 40.0]]),
        "utilisation": D.triangular(0.5, 0.7, 0.9),
        "efficiency_gain": D.uniform(0.0, 0.1),
        "demand_growth": D.lognormal(0.05, 0.3),
        "reserve_margin": D.uniform(0.1, 0.2),
        "mix": {"gas_combined_cycle": 0.7, "nuclear": 0.3},
        "pue_final": D.uniform(1.1, 1.2),
    }
    args.update(overrides)
    return m.inputs_from_parameters(PARAMS, **args)


def reference(inputs: m.SimulationInputs, samples: dict[str, np.ndarray]):
    """The model written out plainly, in float64, sample by sample axis last: regions × years × samples."""
    s = {k: np.asarray(v) for k, v in samples.items()}
    years = np.arange(len(inputs.years))
    last = max(len(inputs.years) - 1, 1)
    out: dict[str, list[Any]] = {name: [] for name in ("it", "facility", "energy", "gen")}
    for k in years:
        kw = s["server_kw"] * (1 - s["efficiency_gain"]) ** k
        accelerators = inputs.accelerators[:, k][:, None] * (1 + s["demand_growth"]) ** k
        pue = s["pue"] + (s.get("pue_final", s["pue"]) - s["pue"]) * k / last
        util = s["utilisation"] + (s.get("utilisation_final", s["utilisation"]) - s["utilisation"]) * k / last
        it = accelerators * kw / 1000
        energy = it * util * pue * 8760 + inputs.exogenous[:, k][:, None] * 8760
        gen = {t: share * energy / (8760 * inputs.capacity_factors[t]) * (1 + s["reserve_margin"])
               for t, share in inputs.mix.items()}  # fmt: skip
        out["it"].append(it)
        out["facility"].append(it * pue)
        out["energy"].append(energy)
        out["gen"].append(gen)
    it, facility, energy = (np.stack(out[n], axis=1) for n in ("it", "facility", "energy"))
    gen_t = {t: np.stack([g[t] for g in out["gen"]], axis=1) for t in inputs.mix}
    built = {t: np.maximum.accumulate(g, axis=1) for t, g in gen_t.items()}
    new_capex = sum(1000 * s[f"capex_usd_per_kw.{t}"] * (b - b[:, :1]) for t, b in built.items())
    year_capex = sum(1000 * s[f"capex_usd_per_kw.{t}"] * np.diff(b, axis=1, prepend=b[:, :1]) for t, b in built.items())
    it_built = np.maximum.accumulate(it, axis=1)
    return {
        "it_mw": it,
        "facility_mw": facility,
        "energy_twh": energy / 1e6,
        "co2_mt": energy * inputs.grid_kg_per_mwh[:, None, None] / 1e9,
        "generation_mw": sum(gen_t.values()),
        "new_generation_mw": sum(b - b[:, :1] for b in built.values()),
        "new_generation_capex_usd_cumulative": new_capex,
        "new_generation_capex_rub_cumulative": new_capex * s["rub_per_usd"],
        "new_generation_capex_usd": year_capex,
        "new_generation_capex_rub": year_capex * s["rub_per_usd"],
        "data_centre_capex_usd_cumulative": (it_built - it_built[:, :1]) * s["data_centre_capex_usd_per_mw"],
        "data_centre_capex_rub_cumulative": (it_built - it_built[:, :1])
        * s["data_centre_capex_usd_per_mw"]
        * s["rub_per_usd"],
    }


def assert_bands(bands: m.Bands, values: np.ndarray, rel=2e-5):
    expected = np.percentile(values, [10, 50, 90], axis=-1)
    scale = max(float(np.abs(values).max()), 1e-300)
    for got, want in zip((bands.p10, bands.p50, bands.p90), expected, strict=True):
        np.testing.assert_allclose(got, want, rtol=rel, atol=rel * scale * 1e-2)


def test_simulation_matches_a_brute_force_reference():
    inputs = scenario()
    sim = m.simulate(inputs, 4000, seed=11)
    ref = reference(inputs, dict(sim.samples))
    for name, values in ref.items():
        assert_bands(getattr(sim.regional, name), values)
        assert_bands(getattr(sim.national, name), values.sum(axis=0))
    for tech, share in inputs.mix.items():
        factor = share / inputs.capacity_factors[tech]
        total = sum(s / inputs.capacity_factors[t] for t, s in inputs.mix.items())
        assert_bands(sim.regional.generation_mw_by_technology[tech], ref["generation_mw"] * factor / total)
    assert sim.regions == inputs.regions
    assert sim.years == inputs.years
    assert sim.regional.it_mw.p50.shape == (3, 6)
    assert sim.national.it_mw.p50.shape == (6,)


def test_hand_computed_simulation_with_fixed_parameters():
    inputs = m.inputs_from_parameters(
        PARAMS,
        regions=["RU-MOW"],
        years=[2025, 2026, 2027],
        accelerators=[[1000, 1000, 1000]],
        utilisation=D.fixed(0.7),
        pue=D.fixed(1.3),
        efficiency_gain=D.fixed(0.05),
        demand_growth=D.fixed(0.10),
        reserve_margin=D.fixed(0.15),
        mix="gas_combined_cycle",
        capex_usd_per_kw={"gas_combined_cycle": D.fixed(1420)},
        data_centre_capex_usd_per_mw=D.fixed(11.7e6),
        rub_per_usd=D.fixed(80.0),
    )
    sim = m.simulate(inputs, 5, seed=1)
    it = [1.28, 1.28 * 0.95 * 1.10, 1.28 * (0.95 * 1.10) ** 2]  # MW: 1.28, 1.3376, 1.39779
    gen = [x * 0.7 * 1.3 / 0.55 * 1.15 for x in it]  # MW: energy / (8,760 × 0.55) × 1.15
    new = [0.0, gen[1] - gen[0], gen[2] - gen[0]]
    r = sim.regional
    np.testing.assert_allclose(r.it_mw.p50[0], it, rtol=1e-12)
    np.testing.assert_allclose(r.energy_twh.p50[0], [x * 0.91 * 8760 / 1e6 for x in it], rtol=1e-12)
    np.testing.assert_allclose(r.co2_mt.p50[0], [x * 0.91 * 8760 * 240.56 / 1e9 for x in it], rtol=1e-12)
    np.testing.assert_allclose(r.generation_mw.p50[0], gen, rtol=1e-6)
    np.testing.assert_allclose(r.new_generation_capex_usd_cumulative.p50[0], [x * 1.42e6 for x in new], rtol=1e-5)
    assert r.new_generation_capex_usd_cumulative.p90[0][2] == pytest.approx(
        318_259, rel=1e-5
    )  # 0.117792 MW × 1.902727 × 1.42e6
    np.testing.assert_allclose(r.new_generation_capex_rub_cumulative.p10[0], [x * 1.42e6 * 80 for x in new], rtol=1e-5)
    np.testing.assert_allclose(
        r.new_generation_capex_usd.p50[0], [0, new[1] * 1.42e6, (new[2] - new[1]) * 1.42e6], rtol=1e-5
    )
    np.testing.assert_allclose(
        r.data_centre_capex_usd_cumulative.p50[0], [0.0, (it[1] - it[0]) * 11.7e6, (it[2] - it[0]) * 11.7e6], rtol=1e-5
    )
    assert sim.sensitivity == ()  # nothing uncertain


def test_capacity_once_built_is_not_retired():
    # Efficiency outruns growth in the middle years: the capacity needed falls and then recovers.
    inputs = scenario(
        accelerators=np.array([[1000, 800, 600, 900, 1200, 1000]]),
        exogenous_mw=None,
        regions=("RU-MOW",),
        efficiency_gain=D.fixed(0.0),
        demand_growth=D.fixed(0.0),
        utilisation=D.fixed(1.0),
        pue=D.fixed(1.2),
        pue_final=None,
    )
    sim = m.simulate(inputs, 10, seed=3)
    new = sim.regional.new_generation_mw.p50[0]
    gen = sim.regional.generation_mw.p50[0]
    np.testing.assert_allclose(new, np.maximum.accumulate(gen) - gen[0], rtol=1e-5, atol=1e-9)
    assert new[1] == new[2] == 0.0
    assert new[4] == pytest.approx(gen[4] - gen[0], rel=1e-6)
    assert new[5] == new[4]
    year = sim.national.new_generation_capex_usd.p50
    np.testing.assert_allclose(np.cumsum(year), sim.national.new_generation_capex_usd_cumulative.p50, rtol=1e-6)


def test_same_seed_same_results_and_workers_do_not_matter():
    inputs = scenario()
    a = m.simulate(inputs, 500, seed=5)
    b = m.simulate(inputs, 500, seed=5, workers=1)
    c = m.simulate(inputs, 500, seed=6)
    assert a.to_dict() == b.to_dict()
    for name in a.samples:
        assert np.array_equal(a.samples[name], b.samples[name])
    assert not np.array_equal(a.samples["utilisation"], c.samples["utilisation"])
    # Each parameter has its own stream: changing one distribution leaves the others' draws alone.
    d = m.simulate(scenario(reserve_margin=D.uniform(0.0, 0.5)), 500, seed=5)
    assert np.array_equal(a.samples["utilisation"], d.samples["utilisation"])
    assert not np.array_equal(a.samples["reserve_margin"], d.samples["reserve_margin"])


def test_chunks_of_regions_give_the_same_bands(monkeypatch):
    inputs = scenario()
    whole = m.simulate(inputs, 300, seed=9)
    monkeypatch.setattr(m, "CHUNK_CELLS", 1)  # one region per chunk
    split = m.simulate(inputs, 300, seed=9)
    for name in ("generation_mw", "new_generation_capex_usd_cumulative", "data_centre_capex_rub_cumulative"):
        np.testing.assert_array_equal(getattr(whole.regional, name).p50, getattr(split.regional, name).p50)
        np.testing.assert_allclose(getattr(whole.national, name).p50, getattr(split.national, name).p50, rtol=1e-12)


def all_bands(outputs: m.Outputs):
    for name in m.Outputs.__dataclass_fields__:
        value = getattr(outputs, name)
        yield from value.values() if isinstance(value, Mapping) else [value]


@settings(max_examples=25, deadline=None)
@given(
    st.integers(min_value=0, max_value=10_000),
    st.floats(min_value=-0.5, max_value=0.5),
    st.floats(min_value=0.0, max_value=0.5),
    st.integers(min_value=1, max_value=60),
)
def test_percentiles_are_ordered_and_national_totals_consistent(seed, growth, gain, samples):
    inputs = scenario(
        demand_growth=D.uniform(min(growth, 0.0), max(growth, 0.0)),
        efficiency_gain=D.triangular(0.0, gain / 2, gain),
    )
    sim = m.simulate(inputs, samples, seed=seed)
    for outputs in (sim.regional, sim.national):
        for bands in all_bands(outputs):
            assert np.all(bands.p10 <= bands.p50 * (1 + 1e-6) + 1e-9)
            assert np.all(bands.p50 <= bands.p90 * (1 + 1e-6) + 1e-9)
            assert np.all(bands.p10 >= -1e-6)
    # IT load is, year by year, one per-sample factor times each region's base: comonotone across regions,
    # so the national percentiles are the sums of the regional ones.
    np.testing.assert_allclose(sim.national.it_mw.p50, sim.regional.it_mw.p50.sum(axis=0), rtol=1e-9)
    # Each sample's national total is at least any region's, so its percentiles are at least the regions'.
    nat, reg = sim.national.new_generation_capex_usd_cumulative, sim.regional.new_generation_capex_usd_cumulative
    for q in ("p10", "p50", "p90"):
        assert np.all(getattr(nat, q) >= getattr(reg, q).max(axis=0) * (1 - 1e-5) - 1e-3)


def test_national_totals_are_sums_over_regions_per_sample():
    inputs = scenario()
    sim = m.simulate(inputs, 2000, seed=21)
    ref = reference(inputs, dict(sim.samples))
    capex = ref["new_generation_capex_usd_cumulative"].sum(axis=0)
    assert sim.national.new_generation_capex_usd_cumulative.p50 == pytest.approx(np.median(capex, axis=-1), rel=1e-5)
    sum_of_medians = np.median(ref["new_generation_capex_usd_cumulative"], axis=-1).sum(axis=0)
    assert not np.allclose(sim.national.new_generation_capex_usd_cumulative.p50[1:], sum_of_medians[1:], rtol=1e-3)


def test_sensitivity_ranks_the_parameter_that_moves_capex_most():
    inputs = scenario(
        demand_growth=D.uniform(0.0, 0.5),
        utilisation=D.fixed(0.7),
        reserve_margin=D.uniform(0.14, 0.16),
        capex_usd_per_kw={"gas_combined_cycle": D.uniform(1400, 1440), "nuclear": D.fixed(11_200)},
    )
    sim = m.simulate(inputs, 3000, seed=2)
    names = [s.parameter for s in sim.sensitivity]
    assert names[0] == "demand_growth"
    assert sim.sensitivity[0].spearman > 0.8
    assert "utilisation" not in names  # fixed
    assert "capex_usd_per_kw.nuclear" not in names
    strengths = [abs(s.spearman) for s in sim.sensitivity]
    assert strengths == sorted(strengths, reverse=True)
    gain = next(s for s in sim.sensitivity if s.parameter == "efficiency_gain")
    assert gain.spearman < 0  # efficiency lowers the capacity needed
    target = np.asarray(reference(inputs, dict(sim.samples))["new_generation_capex_usd_cumulative"][:, -1].sum(axis=0))
    from scipy import stats

    expected = stats.spearmanr(sim.samples["demand_growth"], target).statistic
    assert sim.sensitivity[0].spearman == pytest.approx(expected, abs=1e-3)


@pytest.mark.parametrize(
    ("overrides", "match"),
    [
        ({"utilisation": D.lognormal(0.5, 0.8)}, "utilisation"),
        ({"pue": D.uniform(0.9, 1.2)}, "pue"),
        ({"efficiency_gain": D.uniform(0.0, 1.0)}, "below 1"),
        ({"accelerators": np.ones((2, 6))}, "shape"),
        ({"years": (2025, 2027, 2028, 2029, 2030, 2031)}, "consecutive"),
        ({"exogenous_mw": -np.ones((3, 6))}, "≥ 0"),
        ({"mix": {"gas_combined_cycle": 0.5, "nuclear": 0.6}}, "sum to 1"),
    ],
)
def test_simulation_inputs_are_checked(overrides, match):
    with pytest.raises(ValueError, match=match):
        scenario(**overrides)


def test_simulation_to_dict_is_json_ready():
    import json

    sim = m.simulate(scenario(), 50, seed=1)
    data = json.loads(json.dumps(sim.to_dict()))
    assert data["years"][0] == 2025
    assert len(data["regional"]["co2_mt"]["p50"]) == 3
    assert set(data["national"]["generation_mw_by_technology"]) == {"gas_combined_cycle", "nuclear"}
    assert data["sensitivity"][0]["parameter"] in sim.samples
