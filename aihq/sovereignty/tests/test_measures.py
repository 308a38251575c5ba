"""The pure sovereignty measures: concentration, foreign shares, scores, cut-off scenarios (no database)."""

from __future__ import annotations

import random
from collections import Counter

import pytest

from aihq.sovereignty import measures as m
from aihq.sovereignty.measures import Cutoff, Dependency, UseCaseDeps, Weights

HOME = "RU"
W = Weights()


def dep(
    component_id: int,
    *,
    type: str = "model",
    jurisdiction: str = "RU",
    hosting: str = "",
    criticality: str = "important",
    supplier_id: int | None = None,
    replaceability: str = "",
    licence: str = "",
    open_weights: bool | None = None,
    model_family: str = "",
) -> Dependency:
    return Dependency(
        component_id=component_id,
        type=type,
        jurisdiction=jurisdiction,
        hosting=hosting,
        criticality=criticality,
        supplier_id=supplier_id,
        replaceability=replaceability,
        licence=licence,
        open_weights=open_weights,
        model_family=model_family,
    )


def uc(use_case_id: int, *deps: Dependency, budget: float | None = None, **groups: tuple[str, ...]) -> UseCaseDeps:
    return UseCaseDeps(use_case_id=use_case_id, groups=groups, budget=budget, dependencies=deps)


# --- Concentration ----------------------------------------------------------------------------------------


def test_hhi_of_shares_50_30_20_is_3800():
    # 50² + 30² + 20² = 2,500 + 900 + 400
    assert m.hhi({"a": 50, "b": 30, "c": 20}) == pytest.approx(3800)
    assert m.effective_number(3800) == pytest.approx(2.6316, abs=1e-4)


def test_hhi_uses_shares_not_raw_weights():
    assert m.hhi({"a": 5, "b": 3, "c": 2}) == pytest.approx(3800)
    assert m.hhi({"a": 0.5, "b": 0.3, "c": 0.2}) == pytest.approx(3800)


def test_a_monopoly_is_10000_and_one_effective_supplier():
    assert m.hhi({"only": 7}) == 10_000
    assert m.effective_number(10_000) == 1.0


def test_four_equal_suppliers_are_2500_and_four_effective():
    assert m.hhi(dict.fromkeys("abcd", 1.0)) == pytest.approx(2500)
    assert m.effective_number(2500) == pytest.approx(4.0)


def test_empty_or_all_zero_weights_give_zero_and_no_effective_number():
    assert m.hhi({}) == 0.0
    assert m.hhi({"a": 0, "b": 0}) == 0.0
    assert m.effective_number(0.0) is None


@pytest.mark.parametrize("bad", [-1.0, float("nan"), float("inf")])
def test_negative_or_non_finite_weights_are_rejected(bad):
    with pytest.raises(ValueError, match="'b'"):
        m.hhi({"a": 1.0, "b": bad})


def test_level_is_highly_concentrated_only_above_1800():
    # Shares in quarters of a percent, exact in binary: 20,20,20,20,10,10 → 4×400 + 2×100 = 1,800.
    at = m.concentration(["a", "b", "c", "d", "e", "f"], [80, 80, 80, 80, 40, 40])
    # 19.25² + 20² + 20.25² + 20.5² + 9.75² + 10.25² = (77² + 80² + 81² + 82² + 39² + 41²) / 16 = 28,816 / 16.
    above = m.concentration(["a", "b", "c", "d", "e", "f"], [77, 80, 81, 82, 39, 41])
    assert at.hhi == 1800.0
    assert at.level == "not_highly_concentrated"
    assert above.hhi == 1801.0
    assert above.level == "highly_concentrated"


def test_concentration_counts_labels_and_sorts_shares():
    result = m.concentration(["CN", "US", "US", "RU", "RU", "US"])
    assert [label for label, _ in result.shares] == ["US", "RU", "CN"]
    assert [share for _, share in result.shares] == pytest.approx([50.0, 100 / 3, 100 / 6])
    # (50² + 33.3…² + 16.6…²) = 2,500 + 1,111.1… + 277.7… = 3,888.8…
    assert result.hhi == pytest.approx(3888.888889)
    assert result.effective == pytest.approx(10_000 / 3888.888889)


def test_concentration_sums_weights_and_breaks_ties_by_label():
    result = m.concentration(["y", "x", "y", "x"], [1.0, 2.0, 1.0, 0.0])
    assert result.shares == (("x", 50.0), ("y", 50.0))
    assert result.hhi == pytest.approx(5000)


def test_concentration_needs_one_weight_per_label():
    with pytest.raises(ValueError, match="shorter"):
        m.concentration(["a", "b"], [1.0])


def test_concentration_of_nothing_is_zero():
    result = m.concentration([])
    assert (result.hhi, result.effective, result.level, result.shares) == (0.0, None, "not_highly_concentrated", ())


# --- Foreign shares ---------------------------------------------------------------------------------------


def portfolio() -> list[UseCaseDeps]:
    return [
        # foreign model (CN); domestic cloud
        uc(
            1,
            dep(1, jurisdiction="CN"),
            dep(2, type="cloud", jurisdiction="RU", hosting="domestic_cloud"),
            budget=100.0,
            organisation=("A",),
            sector=("health", "it"),
        ),
        # domestic model; cloud of unknown supplier but hosted abroad → foreign by hosting; budget unknown
        uc(
            2,
            dep(3, jurisdiction="RU", hosting="domestic_cloud"),
            dep(4, type="cloud", jurisdiction="", hosting="foreign_cloud"),
            organisation=("A",),
        ),
        # domestic model; foreign framework (US)
        uc(
            3,
            dep(5, jurisdiction="RU", hosting="on_premises"),
            dep(6, type="framework", jurisdiction="US"),
            budget=50.0,
            organisation=("B",),
            sector=("health",),
        ),
        # a model of unknown origin, hosting unknown → not foreign
        uc(4, dep(7, jurisdiction=""), budget=30.0, organisation=("B",)),
        # nothing recorded
        uc(5, budget=20.0, organisation=("B",)),
        # no organisation; model from BY
        uc(6, dep(8, jurisdiction="BY"), budget=10.0),
    ]


def test_a_dependency_is_foreign_by_jurisdiction_or_by_foreign_cloud():
    assert m.is_foreign(dep(1, jurisdiction="CN"), HOME)
    assert m.is_foreign(dep(1, jurisdiction="", hosting="foreign_cloud"), HOME)
    assert m.is_foreign(dep(1, jurisdiction="RU", hosting="foreign_cloud"), HOME)
    assert not m.is_foreign(dep(1, jurisdiction="RU", hosting="domestic_cloud"), HOME)
    assert not m.is_foreign(dep(1, jurisdiction=""), HOME)
    assert not m.is_foreign(dep(1, jurisdiction="ru"), HOME)


def test_foreign_shares_by_organisation_with_budgets_known_or_not():
    shares = m.foreign_shares(portfolio(), HOME, by="organisation")
    assert list(shares) == ["", "A", "B"]
    a = shares["A"]
    # use cases 1 and 2 are both dependent; only use case 1's budget (100) is known
    assert (a.total, a.foreign, a.share) == (2, 2, 1.0)
    assert (a.budget_total, a.budget_foreign, a.budget_share, a.budget_known) == (100.0, 100.0, 1.0, 1)
    b = shares["B"]
    # 3 dependent, 4 not, 5 unrecorded: 1 of 2; budgets 50 of 50 + 30
    assert (b.total, b.foreign, b.share, b.unrecorded) == (2, 1, 0.5, 1)
    assert (b.budget_total, b.budget_foreign, b.budget_share, b.budget_known) == (80.0, 50.0, 0.625, 2)
    assert (shares[""].total, shares[""].foreign, shares[""].budget_share) == (1, 1, 1.0)


def test_foreign_shares_of_one_component_type():
    shares = m.foreign_shares(portfolio(), HOME, by="organisation", component_type="model")
    # A: only use case 1 has a foreign model; its known budget is all of A's known budget
    assert (shares["A"].total, shares["A"].foreign, shares["A"].share) == (2, 1, 0.5)
    assert shares["A"].budget_share == 1.0
    # B: domestic and unknown-origin models; use case 3's foreign framework does not count
    assert (shares["B"].foreign, shares["B"].share, shares["B"].budget_share) == (0, 0.0, 0.0)
    cloud = m.foreign_shares(portfolio(), HOME, by=None, component_type="cloud")
    # use case 2's foreign-hosted cloud is the only one; 5 use cases have an AI-BOM
    assert (cloud["all"].total, cloud["all"].foreign, cloud["all"].share) == (5, 1, 0.2)


def test_foreign_shares_overall_and_per_sector_counts_a_use_case_in_each_group():
    overall = m.foreign_shares(portfolio(), HOME, by=None)["all"]
    # dependent: 1, 2, 3, 6 of 1, 2, 3, 4, 6; known budgets 100 + 50 + 30 + 10 = 190, foreign 100 + 50 + 10
    assert (overall.total, overall.foreign, overall.share, overall.unrecorded) == (5, 4, 0.8, 1)
    assert (overall.budget_total, overall.budget_foreign, overall.budget_known) == (190.0, 160.0, 4)
    assert overall.budget_share == pytest.approx(160 / 190)
    sectors = m.foreign_shares(portfolio(), HOME, by="sector")
    assert (sectors["health"].total, sectors["health"].foreign, sectors["health"].budget_total) == (2, 2, 150.0)
    assert (sectors["it"].total, sectors["it"].budget_total) == (1, 100.0)


def test_a_group_without_budgets_has_no_budget_share():
    shares = m.foreign_shares([uc(1, dep(1, jurisdiction="CN"))], HOME, by=None)["all"]
    assert (shares.budget_total, shares.budget_share, shares.budget_known, shares.share) == (0.0, None, 0, 1.0)


def test_negative_budget_is_rejected():
    with pytest.raises(ValueError, match="use case 9"):
        m.foreign_shares([uc(9, dep(1), budget=-1.0)], HOME, by=None)


# --- Licences ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        ("Apache-2.0 OR MIT", True),
        ("MIT AND LicenseRef-proprietary", False),
        ("MIT OR LicenseRef-proprietary", True),
        ("(MIT OR GPL-3.0-only) AND LicenseRef-acme", False),
        ("(MIT OR LicenseRef-acme) AND (Apache-2.0 OR LicenseRef-acme)", True),
        # AND binds tighter than OR: MIT OR (x AND y); read left to right it would be (MIT OR x) AND y = False
        ("MIT OR LicenseRef-x AND LicenseRef-y", True),
        ("GPL-2.0-or-later WITH Classpath-exception-2.0", True),
        ("LicenseRef-acme WITH Classpath-exception-2.0", False),
        ("apache-2.0", True),
        ("mit and bsd-3-clause", True),
        ("GPL-2.0+", True),
        ("CC-BY-SA-4.0", True),
        ("ODbL-1.0", True),
        ("LicenseRef-bigscience-openrail-m", True),
        ("creativeml-openrail-m", True),
        ("SSPL-1.0", False),
        ("Frobnicate-9.9", False),
        ("NONE", False),
        ("", None),
        ("NOASSERTION", None),
        ("MIT AND", None),
        ("(MIT", None),
        ("MIT MIT", None),
        ("MIT WITH", None),
        ("OR MIT", None),
    ],
)
def test_licence_expression_openness(expression, expected):
    assert m.licence_is_open(expression) is expected


# --- Scores -----------------------------------------------------------------------------------------------

# Default weights: jurisdiction 0.4, hosting 0.25, licence 0.2, replaceability 0.15.
# A: CN without agreement 0, domestic cloud 0.8, open weights 1, effort 0.5
#    → 100 × (0.4 × 0 + 0.25 × 0.8 + 0.2 × 1 + 0.15 × 0.5) = 47.5
A = dep(
    10, jurisdiction="CN", hosting="domestic_cloud", open_weights=True, replaceability="effort", criticality="critical"
)
# B: home 1, on premises 1, open licence 1, drop-in 1 → 100
B = dep(11, hosting="on_premises", licence="Apache-2.0 OR MIT", replaceability="drop_in", criticality="minor")
# C (a dataset, hosting not applicable): BY covered 0.5, CC-BY-4.0 1, replaceability unknown 0.25;
#    weights renormalised over 0.4 + 0.2 + 0.15 = 0.75 → 100 × (0.4 × 0.5 + 0.2 × 1 + 0.15 × 0.25) / 0.75 = 58.33…
C = dep(12, type="dataset", jurisdiction="BY", licence="CC-BY-4.0", criticality="important")
# D: US 0, foreign cloud 0, proprietary 0, none 0 → 0
D = dep(13, jurisdiction="US", hosting="foreign_cloud", licence="LicenseRef-proprietary", replaceability="none")
# E: unknown jurisdiction 0.25, domestic cloud 0.8, unknown licence 0.25, unknown replaceability 0.25
#    → 100 × (0.4 × 0.25 + 0.25 × 0.8 + 0.2 × 0.25 + 0.15 × 0.25) = 38.75
E = dep(14, jurisdiction="", hosting="domestic_cloud", criticality="minor")
COVERED = frozenset({"BY"})


@pytest.mark.parametrize(("component", "expected"), [(A, 47.5), (B, 100.0), (C, 175 / 3), (D, 0.0), (E, 38.75)])
def test_component_scores_match_hand_computed_values(component, expected):
    assert m.component_score(component, W, HOME, COVERED).value == pytest.approx(expected)


def test_component_score_explains_each_factor_in_english_and_russian():
    score = m.component_score(A, W, HOME, COVERED)
    points = {p.factor: p for p in score.points}
    assert list(points) == ["jurisdiction", "hosting", "licence", "replaceability"]
    assert points["jurisdiction"].value == 0.0
    assert points["jurisdiction"].reason_en == "supplier in CN, a foreign jurisdiction with no agreement in force"
    assert points["jurisdiction"].reason_ru == "поставщик из CN — иностранная юрисдикция без действующего соглашения"
    assert points["hosting"].contribution == pytest.approx(20.0)
    assert "open weights" in points["licence"].reason_en
    assert points["replaceability"].reason_ru == "замена возможна, но потребует усилий"
    assert sum(p.contribution for p in score.points) == pytest.approx(score.value)


def test_hosting_left_out_renormalises_the_other_weights():
    points = {p.factor: p for p in m.component_score(C, W, HOME, COVERED).points}
    assert points["hosting"].value is None
    assert points["hosting"].weight == 0.0
    assert "left out" in points["hosting"].reason_en
    assert points["jurisdiction"].weight == pytest.approx(0.4 / 0.75)
    assert sum(p.weight for p in points.values()) == pytest.approx(1.0)


def test_an_agreement_in_force_raises_a_foreign_supplier_to_half():
    without = m.component_score(C, W, HOME, frozenset())
    covered = m.component_score(C, W, HOME, frozenset({"by"}))
    # jurisdiction 0 → 0.5 at weight 0.4 / 0.75: + 100 × 0.5 × 0.4 / 0.75 = + 26.67 points
    assert covered.value - without.value == pytest.approx(100 * 0.5 * 0.4 / 0.75)
    assert "agreement in force" in covered.points[0].reason_en
    assert "с которой действует соглашение" in covered.points[0].reason_ru


def test_the_home_jurisdiction_scores_full_even_if_listed_as_covered():
    point = m.component_score(B, W, HOME, frozenset({"RU"})).points[0]
    assert (point.value, point.reason_en) == (1.0, "supplier in RU, the home jurisdiction")


def test_licence_factor_values():
    def licence(**kwargs):
        return m.component_score(dep(1, **kwargs), W, HOME).points[2]

    assert licence(licence="LicenseRef-acme", open_weights=True).value == 1.0
    assert licence(licence="MIT AND LicenseRef-proprietary").value == 0.0
    assert licence(licence="").value == 0.25
    unreadable = licence(licence="MIT AND (")
    assert unreadable.value == 0.25
    assert "could not be read" in unreadable.reason_en


def test_scaled_weights_give_the_same_score():
    assert m.component_score(A, Weights(4, 2.5, 2, 1.5), HOME).value == pytest.approx(47.5)


def test_other_weights_change_the_score():
    # jurisdiction only: A is 0; C (covered) is 50
    only = Weights(jurisdiction=1, hosting=0, licence=0, replaceability=0)
    assert m.component_score(A, only, HOME).value == 0.0
    assert m.component_score(C, only, HOME, COVERED).value == pytest.approx(50.0)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"jurisdiction": -0.1}, "weight jurisdiction"),
        ({"hosting": float("nan")}, "weight hosting"),
        ({"licence": float("inf")}, "weight licence"),
        ({"replaceability": "0.1"}, "weight replaceability"),
        ({"jurisdiction": 0, "hosting": 0, "licence": 0, "replaceability": 0}, "must not all be zero"),
        # hosting does not apply to every component, so it cannot carry all the weight
        ({"jurisdiction": 0, "hosting": 1, "licence": 0, "replaceability": 0}, "must not all be zero"),
    ],
)
def test_weights_are_validated(kwargs, message):
    with pytest.raises(ValueError, match=message):
        Weights(**kwargs)


def test_unknown_codes_are_rejected():
    with pytest.raises(ValueError, match="hosting 'mars'"):
        m.component_score(dep(1, hosting="mars"), W, HOME)
    with pytest.raises(ValueError, match="replaceability"):
        m.component_score(dep(1, replaceability="maybe"), W, HOME)
    with pytest.raises(ValueError, match="criticality 'vital'"):
        m.use_case_score([dep(1, criticality="vital")], W, HOME)


def test_the_weakest_critical_component_caps_the_use_case_score():
    score = m.use_case_score([A, B, C], W, HOME, COVERED)
    # mean = (3 × 47.5 + 1 × 100 + 2 × 58.33…) / (3 + 1 + 2) = 59.86…; capped at A's 47.5
    assert score.mean == pytest.approx((3 * 47.5 + 100 + 2 * 175 / 3) / 6)
    assert score.mean == pytest.approx(59.861111)
    assert (score.value, score.cap, score.capped_by) == (47.5, 47.5, 10)
    assert [c.component_id for c in score.components] == [10, 11, 12]


def test_without_critical_components_the_score_is_the_weighted_mean():
    score = m.use_case_score([B, C], W, HOME, COVERED)
    # (1 × 100 + 2 × 58.33…) / 3 = 72.22…
    assert score.value == pytest.approx(72.222222)
    assert (score.cap, score.capped_by) == (None, None)


def test_a_strong_critical_component_does_not_lower_the_mean():
    strong = dep(11, hosting="on_premises", licence="MIT", replaceability="drop_in", criticality="critical")
    score = m.use_case_score([strong, E], W, HOME)
    # (3 × 100 + 1 × 38.75) / 4 = 84.6875; cap 100 does not bind
    assert score.value == pytest.approx(84.6875)
    assert (score.cap, score.capped_by) == (100.0, None)


def test_unknown_criticality_weighs_as_minor():
    score = m.use_case_score(
        [dep(11, hosting="on_premises", licence="MIT", replaceability="drop_in", criticality=""), D], W, HOME
    )
    # D is "important": (1 × 100 + 2 × 0) / 3
    assert score.value == pytest.approx(100 / 3)


def test_a_use_case_without_dependencies_has_no_score():
    score = m.use_case_score([], W, HOME)
    assert (score.value, score.mean, score.cap, score.components) == (None, None, None, ())


def test_portfolio_scores_agree_with_the_one_by_one_score():
    rng = random.Random(7)
    pool = [
        dep(
            i,
            jurisdiction=rng.choice(["RU", "CN", "US", "BY", ""]),
            hosting=rng.choice(["on_premises", "domestic_cloud", "foreign_cloud", ""]),
            licence=rng.choice(["MIT", "LicenseRef-x", "", "Apache-2.0 AND LicenseRef-y"]),
            open_weights=rng.choice([True, False, None]),
            replaceability=rng.choice(["drop_in", "effort", "none", ""]),
        )
        for i in range(40)
    ]
    crits = ["critical", "important", "minor", ""]
    use_cases = [
        uc(
            n,
            *(
                Dependency(**{**vars_of(d), "criticality": rng.choice(crits)})
                for d in rng.sample(pool, rng.randint(0, 6))
            ),
        )
        for n in range(300)
    ]
    fast = m.use_case_score_values(use_cases, W, HOME, COVERED)
    for case in use_cases:
        expected = m.use_case_score(case.dependencies, W, HOME, COVERED).value
        assert fast[case.use_case_id] == (None if expected is None else pytest.approx(expected))
    assert any(v is None for v in fast.values())


def vars_of(d: Dependency) -> dict:
    return {name: getattr(d, name) for name in Dependency.__dataclass_fields__}


# --- Cut-offs ---------------------------------------------------------------------------------------------

# Suppliers: 1 MegaCorp (US) ← 2 its subsidiary ← 3 the subsidiary's subsidiary; 4 domestic;
# 5 ⇄ 6 a loop in the data; 7 → 5.
PARENTS: dict[int, int | None] = {1: None, 2: 1, 3: 2, 4: None, 5: 6, 6: 5, 7: 5}


def cut_portfolio() -> list[UseCaseDeps]:
    return [
        uc(
            1,
            dep(10, supplier_id=3, jurisdiction="US", criticality="critical", replaceability="effort"),
            dep(11, supplier_id=4, criticality="minor"),
        ),
        uc(
            2,
            dep(12, supplier_id=4, criticality="important"),
            dep(13, supplier_id=7, jurisdiction="CN", criticality="minor"),
        ),
        uc(3, dep(14, jurisdiction="CN", criticality="critical")),
        uc(4, dep(11, supplier_id=4, criticality="minor")),
    ]


def test_cutting_a_supplier_takes_its_subsidiaries_down_the_chain():
    impacts = m.cutoff_impact(cut_portfolio(), Cutoff(suppliers=frozenset({1})), PARENTS, {})
    assert len(impacts) == 1
    impact = impacts[0]
    assert (impact.use_case_id, impact.breaks, impact.degraded) == (1, True, False)
    assert impact.hit == (m.Hit(10, "critical", "parent_supplier", False, "effort"),)


def test_cutting_the_supplier_itself_says_supplier():
    [impact] = m.cutoff_impact(cut_portfolio(), Cutoff(suppliers=frozenset({3})), PARENTS, {})
    assert impact.hit[0].reason == "supplier"


def test_a_loop_in_the_supplier_chain_ends():
    assert m.cutoff_impact(cut_portfolio(), Cutoff(suppliers=frozenset({99})), PARENTS, {}) == []
    [impact] = m.cutoff_impact(cut_portfolio(), Cutoff(suppliers=frozenset({6})), PARENTS, {})
    assert (impact.use_case_id, impact.hit[0].component_id, impact.hit[0].reason) == (2, 13, "parent_supplier")


def test_cutting_a_jurisdiction_breaks_critical_and_degrades_the_rest_breaks_first():
    impacts = m.cutoff_impact(cut_portfolio(), Cutoff(jurisdictions=frozenset({"cn"})), PARENTS, {13: True})
    assert [(i.use_case_id, i.breaks, i.degraded) for i in impacts] == [(3, True, False), (2, False, True)]
    assert impacts[0].hit[0].reason == "jurisdiction"
    assert (impacts[0].hit[0].has_alternative, impacts[0].all_have_alternatives) == (False, False)
    assert (impacts[1].hit[0].has_alternative, impacts[1].all_have_alternatives) == (True, True)


def test_cutting_a_component_hits_every_use_case_using_it():
    impacts = m.cutoff_impact(cut_portfolio(), Cutoff(components=frozenset({11})), PARENTS, {})
    assert [(i.use_case_id, i.degraded, i.hit[0].reason) for i in impacts] == [
        (1, True, "component"),
        (4, True, "component"),
    ]


def test_the_most_specific_reason_wins_and_hits_list_critical_first():
    cut = Cutoff(suppliers=frozenset({3, 4}), jurisdictions=frozenset({"US"}), components=frozenset({11}))
    [first, *_] = m.cutoff_impact(cut_portfolio(), cut, PARENTS, {11: True})
    assert [(h.component_id, h.reason) for h in first.hit] == [(10, "supplier"), (11, "component")]
    assert first.all_have_alternatives is False


def test_summarise_counts_broken_and_degraded_use_cases_per_group():
    impacts = m.cutoff_impact(cut_portfolio(), Cutoff(jurisdictions=frozenset({"CN"})), PARENTS, {})
    groups_of: dict[int, dict[str, tuple[str, ...]]] = {
        1: {"organisation": ("A",)},
        2: {"organisation": ("A",), "sector": ("health", "it")},
        3: {"organisation": ("B",)},
    }
    summary = m.summarise(impacts, groups_of)
    assert summary == {
        "all": Counter({("all", "breaks"): 1, ("all", "degraded"): 1}),
        "organisation": Counter({("B", "breaks"): 1, ("A", "degraded"): 1}),
        "sector": Counter({("", "breaks"): 1, ("health", "degraded"): 1, ("it", "degraded"): 1}),
    }
