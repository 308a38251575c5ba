"""Series, roll-ups, regional plans, league tables and reporting discipline against a real database."""

from __future__ import annotations

import datetime as dt

import pytest

from aihq.objectives import selectors
from aihq.objectives.services import MeasurementInput, TargetSpec, indicator_update, measurements_report

pytestmark = pytest.mark.django_db
D = dt.date


def _report(actor, indicator, rows):
    measurements_report(actor=actor, items=[MeasurementInput(indicator, *row[:2], **row[2]) for row in rows])


@pytest.mark.parametrize(
    ("rule", "expected"),
    [("sum", 30.0), ("mean", 15.0), ("weighted_mean", (10 * 1 + 20 * 3) / 4)],
)
def test_regions_roll_up_to_the_national_value_by_the_indicators_rule(plan, system_actor, world, rule, expected):
    indicator_update(actor=system_actor, indicator=plan.indicator, aggregation=rule)
    plan.indicator.refresh_from_db()
    _report(
        system_actor,
        plan.indicator,
        [
            (D(2025, 12, 31), 10, {"region": world.region, "weight": 1}),
            (D(2025, 12, 31), 20, {"region": plan.moscow, "weight": 3}),
        ],
    )
    series = selectors.national_series_many([plan.indicator], world.users["viewer_a"])[plan.indicator.pk]
    assert series.y.tolist() == [12, 20, 30, pytest.approx(expected)]
    assert series.derived.tolist() == [0, 0, 0, 1]


def test_a_reported_national_value_wins_over_the_roll_up(plan, system_actor, world):
    _report(system_actor, plan.indicator, [(D(2024, 12, 31), 99, {"region": world.region})])
    series = selectors.national_series_many([plan.indicator], world.users["viewer_a"])[plan.indicator.pk]
    assert series.y.tolist() == [12, 20, 30]


def test_organisation_values_do_not_enter_the_national_series(plan, system_actor, world):
    _report(system_actor, plan.indicator, [(D(2025, 12, 31), 77, {"organisation": world.org_a})])
    series = selectors.national_series_many([plan.indicator], world.users["hq_admin"])[plan.indicator.pk]
    assert 77 not in series.y.tolist()


def test_a_region_with_its_own_targets_is_measured_against_them(plan, system_actor, world):
    indicator_update(
        actor=system_actor,
        indicator=plan.indicator,
        targets=[
            TargetSpec(D(2030, 12, 31), 95),
            TargetSpec(D(2022, 12, 31), 40, plan.moscow),
            TargetSpec(D(2030, 12, 31), 100, plan.moscow),
        ],
    )
    _report(system_actor, plan.indicator, [(D(2024, 12, 31), 50, {"region": plan.moscow})])
    rows = {r.code: r for r in selectors.regional_statuses(plan.indicator, world.users["viewer_a"], D(2024, 12, 31))}
    assert rows["RU-MOW"].status.planned == pytest.approx(40 + 60 * 731 / 2922)
    # Tatarstan has no values and no targets of its own: it is expected (a Russian region) and unrated.
    assert rows["RU-TA"].status.actual is None
    assert rows["RU-TA"].status.planned == pytest.approx(32.764, abs=0.001)


def test_a_share_of_a_national_sum_has_no_regional_plan(plan, system_actor, world):
    indicator_update(actor=system_actor, indicator=plan.indicator, aggregation="sum")
    plan.indicator.refresh_from_db()
    _report(system_actor, plan.indicator, [(D(2024, 12, 31), 5, {"region": world.region})])
    rows = selectors.regional_statuses(plan.indicator, world.users["viewer_a"], D(2024, 12, 31))
    assert {r.code: r.status.planned for r in rows} == {"RU-TA": None, "RU-MOW": None}


def _regional_government(world):
    from aihq.registry.models import Organisation, OrganisationKind

    return Organisation.objects.create(
        code="TA-GOV", name_en="Government of Tatarstan", kind=OrganisationKind.REGIONAL_GOVERNMENT, region=world.region
    )


def test_a_regions_figure_is_the_hq_statistic_else_its_own_governments(plan, system_actor, world):
    government = _regional_government(world)
    _report(
        system_actor,
        plan.indicator,
        [
            (D(2023, 12, 31), 30, {"region": world.region, "organisation": government}),
            (D(2024, 12, 31), 44, {"region": world.region, "organisation": government}),
            (D(2024, 12, 31), 40, {"region": world.region}),
        ],
    )
    series = selectors.regional_series(plan.indicator, world.users["hq_admin"])
    assert series[world.region.pk].y.tolist() == [30, 40]


def test_an_organisation_cannot_set_another_regions_figure(plan, system_actor, world):
    from aihq.objectives.services import RowErrors

    with pytest.raises(RowErrors) as caught:
        _report(
            system_actor, plan.indicator, [(D(2025, 12, 31), 99, {"region": world.region, "organisation": world.org_a})]
        )
    assert caught.value.problems[0].field == "region"
    # Even an organisation in the region (a ministry, not its government) does not define the region's figure.
    world.org_a.region = world.region
    world.org_a.save()
    _report(
        system_actor, plan.indicator, [(D(2025, 12, 31), 99, {"region": world.region, "organisation": world.org_a})]
    )
    assert world.region.pk not in selectors.regional_series(plan.indicator, world.users["hq_admin"])
    gaps = selectors.reporting_gaps(plan.indicator, world.users["hq_admin"], D(2026, 1, 31))
    assert D(2025, 12, 31) in next(g for g in gaps if g.code == "RU-TA").missing


def test_a_region_of_another_country_is_refused(plan, system_actor, world):
    from aihq.objectives.services import RowErrors
    from aihq.registry.models import Region

    texas = Region.objects.create(code="US-TX", country="US", name_en="Texas")
    with pytest.raises(RowErrors):
        _report(system_actor, plan.indicator, [(D(2025, 12, 31), 1, {"region": texas})])


def test_achievement_compares_the_latest_value_with_the_plan_for_its_own_date(plan, world):
    rated = selectors.indicator_status(plan.indicator, world.users["viewer_a"], D(2025, 6, 30))
    status = rated.status
    assert status.actual == 30
    planned_now, planned_then = status.planned, status.planned_at_actual
    assert planned_now is not None
    assert planned_then is not None
    assert planned_now > planned_then  # today's plan is further ahead than December's
    assert status.achievement == pytest.approx(30 / planned_then)


@pytest.mark.parametrize(
    ("frequency", "start", "until", "expected"),
    [
        ("yearly", D(2022, 12, 31), D(2025, 6, 1), [D(2023, 12, 31), D(2024, 12, 31)]),
        (
            "quarterly",
            D(2024, 2, 10),
            D(2024, 12, 31),
            [D(2024, 3, 31), D(2024, 6, 30), D(2024, 9, 30), D(2024, 12, 31)],
        ),
        ("monthly", D(2024, 1, 31), D(2024, 4, 15), [D(2024, 2, 29), D(2024, 3, 31)]),
    ],
)
def test_period_ends(frequency, start, until, expected):
    assert selectors.period_ends(frequency, start, until) == expected


def test_reporting_discipline_names_who_missed_which_period(plan, system_actor, world):
    _report(
        system_actor,
        plan.indicator,
        [
            (D(2023, 12, 31), 11, {"region": world.region}),
            (D(2024, 12, 31), 12, {"region": world.region}),
            (D(2023, 12, 31), 11, {"organisation": world.org_a}),
            (D(2023, 12, 31), 11, {"organisation": world.org_b}),
            (D(2024, 12, 31), 11, {"organisation": world.org_b}),
        ],
    )
    gaps = selectors.reporting_gaps(plan.indicator, world.users["hq_admin"], D(2025, 3, 1))
    assert {(g.kind, g.code): g.missing for g in gaps} == {
        ("region", "RU-MOW"): [D(2023, 12, 31), D(2024, 12, 31)],
        ("organisation", "A"): [D(2024, 12, 31)],
    }
    late = next(g for g in gaps if g.code == "A")
    assert late.last_reported == D(2023, 12, 31)
    # A viewer of A does not learn about B (not listed at all) and sees A's own gap.
    viewer_gaps = selectors.reporting_gaps(plan.indicator, world.users["viewer_a"], D(2025, 3, 1))
    assert "B" not in {g.code for g in viewer_gaps}


def test_stocktake_lists_amber_red_and_red_worst_first(plan, system_actor, world):
    from aihq.objectives.services import indicator_create

    worse = indicator_create(
        actor=system_actor,
        objective=plan.objective,
        code="WORSE",
        name_en="Worse",
        unit="percent",
        baseline_value=0,
        baseline_date=D(2022, 12, 31),
        targets=[TargetSpec(D(2030, 12, 31), 100)],
    )
    fine = indicator_create(
        actor=system_actor,
        objective=plan.objective,
        code="FINE",
        name_en="Fine",
        unit="percent",
        baseline_value=0,
        baseline_date=D(2022, 12, 31),
        targets=[TargetSpec(D(2030, 12, 31), 10)],
    )
    for indicator in (worse, fine):
        _report(system_actor, indicator, [(D(y, 12, 31), v, {}) for y, v in ((2022, 0), (2023, 2), (2024, 4))])
    rows = selectors.stocktake(world.users["viewer_a"], D(2024, 12, 31))
    assert [r.indicator.code for r in rows] == ["WORSE", "READINESS"]
    assert [r.rated.rag for r in rows] == ["red", "amber_red"]


def test_regions_behind_counts_like_the_regional_statuses(plan, system_actor, world):
    from aihq.objectives.models import RagOverride
    from aihq.registry.models import Region

    regions = [world.region, plan.moscow] + [
        Region.objects.create(code=f"RU-X{i}", country="RU", name_en=f"Region {i}") for i in range(6)
    ]
    rows = []
    for index, region in enumerate(regions):
        for year in (2022, 2023, 2024):
            rows.append((D(year, 12, 31), 12 + (year - 2022) * (2 + 3 * index), {"region": region}))
    rows.append((D(2024, 12, 31), 99, {"region": regions[0], "organisation": _regional_government(world)}))
    _report(system_actor, plan.indicator, rows)
    RagOverride.objects.create(indicator=plan.indicator, region=regions[-1], rating="red", reason="Judged.")
    user = world.users["viewer_a"]
    statuses = selectors.regional_statuses(plan.indicator, user, D(2025, 1, 1))
    expected = sum(1 for row in statuses if row.rated.rag in ("red", "amber_red"))
    assert 0 < expected < len(regions)
    assert selectors.regions_behind([plan.indicator], user, D(2025, 1, 1)) == {plan.indicator.pk: expected}
