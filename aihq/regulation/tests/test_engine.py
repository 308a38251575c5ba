"""The framework engine and the shipped frameworks: classifications pinned with their explanations.

Plain pytest, no database: the engine is pure and the frameworks are files shipped with the package.
"""

from __future__ import annotations

import copy
import json
from functools import cache
from typing import Any

import pytest

from aihq.regulation.engine import (
    OMB_2024_FIELDS,
    OMB_2025_FIELDS,
    Classification,
    Framework,
    FrameworkError,
    Step,
    classify,
    clean_answers,
    load_framework_file,
    omb_answers_from_inventory,
    parse_framework,
    shipped_framework_paths,
    visible_questions,
)


@cache
def framework(code: str) -> Framework:
    for path in shipped_framework_paths():
        fw = load_framework_file(path)
        if fw.code == code:
            return fw
    raise LookupError(code)


def run(code: str, answers: dict[str, Any]) -> Classification:
    """Clean the answers (which must be valid) and classify them."""
    fw = framework(code)
    cleaned, errors = clean_answers(fw, answers)
    assert errors == {}
    return classify(fw, cleaned)


def step(result: Classification, rule_id: str) -> Step:
    steps = [s for s in result.explanation if s.rule_id == rule_id]
    assert steps, f"{rule_id} did not fire; fired: {[s.rule_id for s in result.explanation]}"
    return steps[0]


def due(result: Classification, requirement_id: str) -> str | None:
    return next(r.due for r in result.requirements if r.id == requirement_id)


def assert_explained(s: Step, cite: str, *words: str) -> None:
    """The step cites the article and its English text says why; the Russian text is there too."""
    assert cite in s.cite
    for word in words:
        assert word in s.because_en
    assert s.because_ru.strip()


# --------------------------------------------------------------------------------------------------
# EU AI Act


def test_realtime_biometric_identification_without_objective_is_prohibited_and_names_the_exceptions():
    result = run("eu-ai-act", {"role": "deployer", "art5_practices": ["h"]})

    assert result.tier == "prohibited"
    s = step(result, "art5-1-h")
    assert_explained(s, "Art. 5(1)(h)", "(i)", "(ii)", "(iii)", "missing persons", "terrorist attack", "Annex II")
    assert s.answers == {"art5_practices": ["h"], "rbi_objectives": None}
    assert result.requirement_ids() == ["eu-art-5"]
    assert due(result, "eu-art-5") == "2025-02-02"


def test_realtime_biometric_identification_with_an_objective_is_high_risk_under_annex_iii_1a():
    result = run("eu-ai-act", {"role": "deployer", "art5_practices": ["h"], "rbi_objectives": ["i"]})

    assert result.tier == "high_risk"
    s = step(result, "art5-1-h-objective")
    assert_explained(s, "Annex III 1(a)", "Art. 5(2)–(7)", "authorisation", "high-risk")
    assert "art5-1-h" not in [x.rule_id for x in result.explanation]
    assert "eu-art-5-2" in result.requirement_ids()
    assert "eu-art-5" not in result.requirement_ids()


def test_cv_screening_is_high_risk_under_annex_iii_4_with_provider_obligations_due_december_2027():
    result = run("eu-ai-act", {"role": "provider", "annex_iii": ["4a"]})

    assert result.tier == "high_risk"
    assert_explained(step(result, "annex-iii-4a"), "Annex III 4", "recruitment or selection")
    assert_explained(step(result, "art6-2"), "Art. 6(2)", "2 December 2027")
    ids = result.requirement_ids()
    for article in ("9", "10", "11", "12", "13", "14", "15", "16", "49-1", "72", "73"):
        assert f"eu-art-{article}" in ids
    assert due(result, "eu-art-9") == "2027-12-02"


def test_credit_scoring_is_high_risk_under_annex_iii_5b_and_the_deployer_owes_a_fria():
    result = run(
        "eu-ai-act", {"role": "deployer", "public_body": "other", "annex_iii": ["5b"], "financial_fraud": "no"}
    )

    assert result.tier == "high_risk"
    assert_explained(step(result, "annex-iii-5b"), "Annex III 5(b)", "creditworthiness", "Art. 27")
    assert "eu-art-27" in result.requirement_ids()  # 5(b) alone requires it, public body or not
    assert "eu-art-26-1" in result.requirement_ids()
    assert "eu-art-49-3" not in result.requirement_ids()  # not a public authority


def test_fraud_detection_in_payments_is_not_high_risk_and_the_explanation_cites_the_5b_exception():
    result = run("eu-ai-act", {"role": "deployer", "annex_iii": ["5b"], "financial_fraud": "yes"})

    assert result.tier == "minimal"
    assert_explained(
        step(result, "annex-iii-5b-fraud-exception"), "Annex III 5(b)", "detecting financial fraud", "not make it"
    )
    assert "annex-iii-5b" not in [s.rule_id for s in result.explanation]
    assert result.requirement_ids() == []


def test_citizen_facing_chatbot_has_transparency_obligations_under_article_50_1():
    result = run("eu-ai-act", {"role": "provider", "interacts_with_persons": "yes"})

    assert result.tier == "transparency"
    assert result.flags == ["transparency"]
    assert_explained(step(result, "art50-1"), "Art. 50(1)", "interacting with an AI system")
    assert result.requirement_ids() == ["eu-art-50-1"]
    assert due(result, "eu-art-50-1") == "2026-08-02"


def test_high_risk_chatbot_keeps_the_article_50_obligations_on_top():
    result = run("eu-ai-act", {"role": "provider", "annex_iii": ["4a"], "interacts_with_persons": True})

    assert result.tier == "high_risk"
    assert "transparency" in result.flags
    assert {"eu-art-9", "eu-art-50-1"} <= set(result.requirement_ids())


def test_spam_filter_is_minimal_risk():
    result = run("eu-ai-act", {"role": "deployer"})

    assert result.tier == "minimal"
    assert result.flags == []
    assert result.requirement_ids() == []
    assert_explained(step(result, "minimal"), "Art. 5", "minimal risk")


def test_model_trained_with_3e25_flop_is_gpai_with_systemic_risk():
    result = run("eu-ai-act", {"role": "provider", "gpai_model": "yes", "training_flop": "3e25"})

    assert result.flags == ["gpai", "gpai_systemic_risk"]
    assert_explained(step(result, "gpai-51-2"), "Art. 51(2)", "greater than 10^25")
    assert step(result, "gpai-51-2").answers == {"gpai_model": True, "training_flop": 3e25}
    assert {"eu-art-53", "eu-art-55"} <= set(result.requirement_ids())
    assert due(result, "eu-art-53") == "2025-08-02"


def test_model_trained_with_exactly_1e25_flop_is_gpai_without_systemic_risk():
    result = run("eu-ai-act", {"role": "provider", "gpai_model": True, "training_flop": 1e25})

    assert result.flags == ["gpai"]
    assert_explained(step(result, "gpai-51-2-not-met"), "Art. 51(2)", "greater than 10^25")
    assert "eu-art-55" not in result.requirement_ids()


def test_article_6_3_derogation_without_profiling_is_not_high_risk_and_must_be_documented_and_registered():
    result = run("eu-ai-act", {"role": "provider", "annex_iii": ["4a"], "art6_3_conditions": ["a"], "profiling": "no"})

    assert result.tier == "minimal"
    assert "art_6_3_derogation" in result.flags
    assert_explained(step(result, "art6-3-derogation"), "Art. 6(3)", "not considered high-risk", "Art. 6(4)")
    assert set(result.requirement_ids()) == {"eu-art-6-4", "eu-art-49-2"}


def test_article_6_3_derogation_never_applies_to_profiling():
    result = run("eu-ai-act", {"role": "provider", "annex_iii": ["4a"], "art6_3_conditions": ["a"], "profiling": "yes"})

    assert result.tier == "high_risk"
    assert "art_6_3_derogation" not in result.flags
    assert_explained(step(result, "art6-3-profiling"), "Art. 6(3)", "profiling", "always considered high-risk")


def test_article_6_3_derogation_needs_an_explicit_no_to_profiling():
    result = run("eu-ai-act", {"role": "provider", "annex_iii": ["4a"], "art6_3_conditions": ["b"]})

    assert result.tier == "high_risk"


def test_annex_i_route_is_high_risk_with_obligations_due_august_2028():
    result = run("eu-ai-act", {"role": "provider", "annex_i_product": "yes"})

    assert result.tier == "high_risk"
    assert "annex_i" in result.flags
    assert_explained(step(result, "art6-1"), "Art. 6(1)", "Annex I", "2 August 2028")
    assert due(result, "eu-art-9") == "2028-08-02"
    assert "eu-art-49-1" not in result.requirement_ids()  # Art. 49(1) registers Annex III systems


def test_annex_iii_area_2_has_no_registration_and_no_fria():
    provider = run("eu-ai-act", {"role": "provider", "annex_iii": ["2"]})
    deployer = run("eu-ai-act", {"role": "deployer", "public_body": "public_authority", "annex_iii": ["2"]})

    assert provider.tier == deployer.tier == "high_risk"
    assert_explained(step(provider, "annex-iii-2"), "Annex III 2", "critical digital infrastructure")
    assert "eu-art-9" in provider.requirement_ids()
    assert "eu-art-49-1" not in provider.requirement_ids()
    assert "eu-art-26-1" in deployer.requirement_ids()
    assert {"eu-art-27", "eu-art-49-3"}.isdisjoint(deployer.requirement_ids())


def test_public_authority_deploying_an_annex_iii_system_registers_its_use_and_does_a_fria():
    result = run("eu-ai-act", {"role": "deployer", "public_body": "public_authority", "annex_iii": ["5a"]})

    assert {"eu-art-27", "eu-art-49-3"} <= set(result.requirement_ids())
    assert due(result, "eu-art-49-3") == "2027-12-02"


def test_new_prohibitions_of_the_omnibus_apply_from_december_2026():
    result = run("eu-ai-act", {"role": "provider", "art5_practices": ["ba"]})

    assert result.tier == "prohibited"
    assert_explained(step(result, "art5-1-ba"), "Art. 5(1)(ba)", "2 December 2026")
    assert due(result, "eu-art-5") == "2026-12-02"


def test_synthetic_content_of_a_legacy_system_is_due_december_2026():
    result = run("eu-ai-act", {"role": "provider", "synthetic_content": "yes", "placed_before_2026_08_02": "yes"})

    assert due(result, "eu-art-50-2") == "2026-12-02"
    assert due(run("eu-ai-act", {"role": "provider", "synthetic_content": "yes"}), "eu-art-50-2") == "2026-08-02"


def test_follow_up_questions_are_asked_only_when_they_apply():
    fw = framework("eu-ai-act")
    plain = [q.id for q in visible_questions(fw, {"role": "provider"})]
    credit = [q.id for q in visible_questions(fw, {"role": "deployer", "annex_iii": "5b", "art5_practices": ["h"]})]

    assert {"rbi_objectives", "financial_fraud", "art6_3_conditions", "public_body", "training_flop"}.isdisjoint(plain)
    assert {"rbi_objectives", "financial_fraud", "art6_3_conditions", "profiling", "public_body"} <= set(credit)


def test_answers_to_questions_no_longer_asked_are_dropped():
    cleaned, errors = clean_answers(
        framework("eu-ai-act"), {"role": "provider", "training_flop": "3e25", "rbi_objectives": ["i"]}
    )

    assert errors == {}
    assert cleaned == {"role": "provider"}


# --------------------------------------------------------------------------------------------------
# OMB M-25-21

PRACTICES = ["omb-4-b-i", "omb-4-b-ii", "omb-4-b-iii", "omb-4-b-iv", "omb-4-b-v", "omb-4-b-vi", "omb-4-b-vii"]


def test_presumed_category_without_a_determination_is_high_impact_with_the_seven_practices_due_april_2026():
    result = run("omb-m-25-21", {"presumed_categories": ["j"]})

    assert result.tier == "high_impact"
    assert_explained(step(result, "omb-presumed"), "presumed high-impact", "presumes", "3 April 2026")
    for practice in PRACTICES:
        assert due(result, practice) == "2026-04-03"
    assert len({r.cite.split(" (")[0] for r in result.requirements}) == 7
    assert next(r for r in result.requirements if r.id == "omb-4-b-i").inventory_fields == ["hi_testing_conducted"]


def test_presumed_but_determined_not_high_impact_is_flagged_and_the_determination_documented():
    result = run(
        "omb-m-25-21",
        {"presumed_categories": ["j"], "determined_not_high_impact": "yes", "hi_justification": "Scheduling only."},
    )

    assert result.tier == "not_high_impact"
    assert result.flags == ["presumed_not_high_impact"]
    assert_explained(step(result, "omb-presumed-determined-not"), "presumed", "HI_justification")
    assert result.requirement_ids() == ["omb-hi-justification"]


def test_a_determination_not_high_impact_needs_its_justification():
    _, errors = clean_answers(
        framework("omb-m-25-21"), {"presumed_categories": ["j"], "determined_not_high_impact": True}
    )

    assert errors == {"hi_justification": "required"}


def test_output_as_principal_basis_for_decisions_is_high_impact():
    result = run("omb-m-25-21", {"principal_basis": ["access_programs"]})

    assert result.tier == "high_impact"
    assert_explained(step(result, "omb-principal-basis"), "§5", "principal basis")


def test_inventory_2025_high_impact_record_prefills_answers_and_practice_statuses():
    answers, statuses = omb_answers_from_inventory(
        "omb-2025",
        True,
        "",
        {
            "hi_testing_conducted": "Yes",
            "hi_assessment_completed": "In-progress",
            "hi_ongoing_monitoring": "Agency CAIO has waived this minimum practice and reported such waiver to OMB",
            "hi_failsafe_presence": "Not applicable",
            "hi_appeal_process": "Yes, an appropriate appeal process has been established",
            "hi_public_consultation": "['Usability Testing', 'Other']",
            "hi_training_established": "",
            "hi_independent_review": "something else entirely",
        },
    )

    assert answers == {"inventory_determination": "high_impact"}
    assert {k: v[0] for k, v in statuses.items()} == {
        "omb-4-b-i": "met",
        "omb-4-b-ii": "in_progress",
        "omb-4-b-iii": "waived",
        "omb-4-b-v": "not_applicable",
        "omb-4-b-vi": "met",
        "omb-4-b-vii": "met",
    }
    assert statuses["omb-4-b-i"][1] == '2025 inventory hi_testing_conducted = "Yes"'
    result = run("omb-m-25-21", answers)
    assert result.tier == "high_impact"
    assert_explained(step(result, "omb-inventory-high-impact"), "is_high_impact", "a) High-impact")


def test_inventory_2025_presumed_not_high_impact_record_carries_its_justification():
    answers, statuses = omb_answers_from_inventory("omb-2025", False, "", {"HI_justification": "Internal tool."})

    assert answers == {"inventory_determination": "presumed_not_high_impact", "hi_justification": "Internal tool."}
    assert statuses["omb-hi-justification"][0] == "met"
    result = run("omb-m-25-21", answers)
    assert (result.tier, result.flags) == ("not_high_impact", ["presumed_not_high_impact"])


def test_inventory_2024_rights_impacting_record_is_high_impact_with_mapped_statuses():
    record = {
        "52_impact_assessment": "Planned or in-progress.",
        "53_real_world_testing": "Benchmark evaluation: Testing of the AI model has involved the use of benchmarks",
        "55_independent_eval": "Yes – by the CAIO",
        "56_monitor_postdeploy": "No monitoring protocols have been established: Necessary infrastructure ...",
        "63_stakeholder_consult": "Direct user testing,General solicitations of comments from the public",
        "65_appeal_process": "No – Law, operational limitations, or governmentwide guidance precludes an opportunity "
        "for an individual to appeal.",
        "54_key_risks": "N/A",
    }
    answers, statuses = omb_answers_from_inventory("omb-2024", None, "rights", record)

    assert answers == {"inventory_determination": "rights_or_safety_impacting_2024"}
    assert {k: v[0] for k, v in statuses.items()} == {
        "omb-4-b-i": "in_progress",
        "omb-4-b-ii": "in_progress",
        "omb-4-b-ii-impacts": "not_applicable",
        "omb-4-b-ii-review": "met",
        "omb-4-b-iii": "not_started",
        "omb-4-b-vi": "not_applicable",
        "omb-4-b-vii": "met",
    }
    assert statuses["omb-4-b-ii"][1] == '2024 inventory (M-24-10) 52_impact_assessment = "Planned or in-progress."'
    result = run("omb-m-25-21", answers)
    assert result.tier == "high_impact"
    assert_explained(step(result, "omb-inventory-2024-rights-safety"), "M-24-10", "rights- or safety-impacting")


def test_inventory_2024_neither_record_is_not_high_impact_and_unknown_formats_give_nothing():
    answers, statuses = omb_answers_from_inventory("omb-2024", None, "neither", {"52_impact_assessment": ""})

    assert answers == {"inventory_determination": "neither_2024"}
    assert statuses == {}
    assert run("omb-m-25-21", answers).tier == "not_high_impact"
    assert omb_answers_from_inventory("csv", True, "rights", {"hi_testing_conducted": "Yes"}) == ({}, {})


def test_inventory_field_maps_point_at_requirements_of_the_shipped_omb_framework():
    fw = framework("omb-m-25-21")
    ids = {r.id for r in fw.requirements}

    assert set(OMB_2024_FIELDS.values()) <= ids
    for field, requirement_id in OMB_2025_FIELDS.items():
        assert field in fw.requirement(requirement_id).inventory_fields


# --------------------------------------------------------------------------------------------------
# NIST AI RMF and Russia's Code


def test_nist_profile_lists_the_subcategories_of_the_selected_functions_as_voluntary():
    result = run("nist-ai-rmf", {"functions": ["GOVERN"]})

    assert result.tier == "profile"
    assert len(result.requirements) == 19
    assert all(not r.mandatory and r.group.startswith("GOVERN ") for r in result.requirements)
    assert_explained(step(result, "nist-govern"), "GOVERN", "19 subcategories")
    _, errors = clean_answers(framework("nist-ai-rmf"), {})
    assert errors == {"functions": "required"}


def test_russian_code_signatory_gets_all_principles_and_a_non_signatory_only_those_it_chooses():
    signatory = run("ru-ai-ethics", {"acceded": "да"})
    chooser = run("ru-ai-ethics", {"acceded": "нет", "principles": ["3"]})

    assert signatory.tier == "acceded"
    assert {"ru-1", "ru-2", "ru-3", "ru-4", "ru-5", "ru-6"} <= set(signatory.requirement_ids())
    assert all(not r.mandatory for r in signatory.requirements)
    assert chooser.tier == "not_acceded"
    assert chooser.requirement_ids() == ["ru-3", "ru-3-1", "ru-3-2"]


# --------------------------------------------------------------------------------------------------
# Shipped files


def test_all_shipped_frameworks_parse():
    codes = sorted(load_framework_file(p).code for p in shipped_framework_paths())

    assert codes == ["eu-ai-act", "nist-ai-rmf", "omb-m-25-21", "ru-ai-ethics"]
    assert [p.name for p in shipped_framework_paths()] == sorted(p.name for p in shipped_framework_paths())


def test_every_shipped_framework_names_its_sources_and_licence():
    for path in shipped_framework_paths():
        fw = load_framework_file(path)
        assert fw.sources
        assert all(s["licence"] for s in fw.sources)
        json.dumps(fw.definition)  # JSON-serialisable, dates as ISO strings


def test_nist_has_4_functions_19_groups_72_requirements():
    fw = framework("nist-ai-rmf")

    assert [o.value for o in fw.question("functions").options] == ["GOVERN", "MAP", "MEASURE", "MANAGE"]
    assert len(fw.groups) == 19
    assert len(fw.requirements) == 72
    assert all(r.translation == "aihq" and r.title_ru for r in fw.requirements)


def test_eu_offers_10_article_5_practices_and_25_annex_iii_points():
    fw = framework("eu-ai-act")

    assert [o.value for o in fw.question("art5_practices").options] == [*"abcdefgh", "ba", "bb"]
    assert len(fw.question("annex_iii").options) == 25
    assert fw.dates["annex_iii"] == "2027-12-02"
    assert fw.dates["annex_i"] == "2028-08-02"


def test_omnibus_date_caveat_is_stated_on_the_requirements_it_concerns():
    fw = framework("eu-ai-act")

    for rid in ("eu-art-49-1", "eu-art-72", "eu-art-73"):
        assert "not settled" in fw.requirement(rid).summary_en


def test_eu_ships_the_article_73_incident_reporting_deadlines():
    rules = {r["id"]: r for r in framework("eu-ai-act").incident_reporting}

    assert {k: (r["cite"], r["days"]) for k, r in rules.items()} == {
        "art73-2": ("Art. 73(2)", 15),
        "art73-3": ("Art. 73(3)", 2),
        "art73-4": ("Art. 73(4)", 10),
    }
    assert all(r["tiers"] == ["high_risk"] for r in rules.values())


def test_classification_round_trips_through_json():
    result = run("eu-ai-act", {"role": "provider", "annex_iii": ["4a"], "interacts_with_persons": "yes"})

    assert Classification.from_dict(json.loads(json.dumps(result.to_dict()))) == result


# --------------------------------------------------------------------------------------------------
# Validation


def minimal_definition() -> dict[str, Any]:
    return {
        "schema": 1,
        "code": "test-fw",
        "version": "1",
        "title_en": "Test",
        "title_ru": "Тест",
        "kind": "binding",
        "jurisdiction": "EU",
        "sources": [{"title": "Test source", "url": "https://example.org", "licence": "public domain"}],
        "dates": {"start": "2026-01-01"},
        "tiers": [
            {"code": "high", "label_en": "High", "label_ru": "Высокий", "rank": 2},
            {"code": "low", "label_en": "Low", "label_ru": "Низкий", "rank": 1, "default": True},
        ],
        "questions": [
            {"id": "risky", "type": "bool", "text_en": "Risky?", "text_ru": "Рискованно?"},
            {
                "id": "kind",
                "type": "choice",
                "text_en": "Kind?",
                "text_ru": "Вид?",
                "options": [{"value": "a", "label_en": "A", "label_ru": "А"}],
                "when": {"answer": "risky", "is": True},
            },
        ],
        "rules": [
            {
                "id": "risky",
                "when": {"answer": "risky", "is": True},
                "tier": "high",
                "flags": ["risky"],
                "cite": "Art. 1",
                "because_en": "It is risky.",
                "because_ru": "Это рискованно.",
            }
        ],
        "requirements": [
            {
                "id": "do-it",
                "cite": "Art. 2",
                "title_en": "Do it",
                "title_ru": "Сделать",
                "applies": {"flag": "risky"},
                "due": "start",
                "mandatory": True,
            }
        ],
    }


def errors_of(data: dict[str, Any]) -> list[str]:
    with pytest.raises(FrameworkError) as caught:
        parse_framework(data)
    return caught.value.messages


def test_the_minimal_definition_is_valid():
    fw = parse_framework(minimal_definition())

    assert classify(fw, {"risky": True}).requirements[0].due == "2026-01-01"


def test_parse_rejects_an_unknown_condition_key_with_its_path():
    data = minimal_definition()
    data["rules"][0]["when"] = {"anwser": "risky", "is": True}

    assert "rules[0].when: unknown key 'anwser'" in errors_of(data)


def test_parse_rejects_an_unknown_answer_operator_with_its_path():
    data = minimal_definition()
    data["requirements"][0]["applies"] = {"all": [{"flag": "risky"}, {"answer": "risky", "iz": True}]}

    assert "requirements[0].applies.all[1]: unknown key 'iz'" in errors_of(data)


def test_parse_rejects_a_reference_to_a_missing_question():
    data = minimal_definition()
    data["rules"][0]["when"] = {"answer": "riskyy", "is": True}

    assert "rules[0].when.answer: unknown question 'riskyy'" in errors_of(data)


def test_parse_rejects_a_question_reading_a_later_question():
    data = minimal_definition()
    data["questions"][0]["when"] = {"answer": "kind", "in": ["a"]}

    assert "questions[0].when.answer: no earlier question 'kind'" in errors_of(data)


def test_parse_rejects_duplicate_ids():
    data = minimal_definition()
    data["questions"].append(copy.deepcopy(data["questions"][0]))
    data["requirements"].append(copy.deepcopy(data["requirements"][0]))

    messages = errors_of(data)
    assert "questions[2].id: duplicate question id 'risky'" in messages
    assert "requirements[1].id: duplicate requirement id 'do-it'" in messages


def test_parse_rejects_a_bad_date_and_an_unknown_named_date():
    data = minimal_definition()
    data["dates"]["start"] = "2026-02-30"
    data["requirements"][0]["due"] = [{"when": {"tier": "high"}, "date": "finish"}]

    messages = errors_of(data)
    assert "dates.start: '2026-02-30' is not a date (YYYY-MM-DD)" in messages
    assert "requirements[0].due[0].date: unknown named date 'finish'" in messages


def test_parse_rejects_an_invalid_option_value_and_a_wrong_operator():
    data = minimal_definition()
    data["rules"][0]["when"] = {"all": [{"answer": "kind", "in": ["b"]}, {"answer": "kind", "gt": 3}]}

    messages = errors_of(data)
    assert "rules[0].when.all[0].in: 'b' is not an option of 'kind'" in messages
    assert "rules[0].when.all[1].gt: 'gt' tests a number question; 'kind' is choice" in messages


def test_parse_rejects_a_rule_reading_a_flag_before_any_rule_sets_it():
    data = minimal_definition()
    data["rules"].insert(0, {**data["rules"][0], "id": "early", "when": {"flag": "risky"}})

    assert "rules[0].when.flag: flag 'risky' is not set by an earlier rule" in errors_of(data)


def test_parse_reports_every_problem_at_once():
    data = minimal_definition()
    data["kind"] = "optional"
    data["tiers"][0]["default"] = True
    data["requirements"][0]["applies"] = {"flag": "nobody_sets_this"}

    messages = errors_of(data)
    assert "kind: must be one of binding, voluntary" in messages
    assert "tiers: exactly one tier must have 'default: true'" in messages
    assert "requirements[0].applies.flag: flag 'nobody_sets_this' is not set by any rule" in messages


def test_parse_rejects_a_malformed_incident_reporting_rule():
    data = minimal_definition()
    data["incident_reporting"] = [{"id": "r1", "cite": "Art. 73", "days": "fifteen", "tiers": ["severe"], "dayz": 1}]

    messages = errors_of(data)
    assert "incident_reporting[0]: unknown key 'dayz'" in messages
    assert "incident_reporting[0].days: expected a whole number of days" in messages
    assert "incident_reporting[0].tiers: unknown tier 'severe'" in messages


def test_parse_rejects_mandatory_requirements_in_a_voluntary_framework():
    data = minimal_definition()
    data["kind"] = "voluntary"

    assert "requirements[0].mandatory: a voluntary framework has no mandatory requirements" in errors_of(data)


def test_clean_answers_rejects_invalid_option_wrong_type_and_unknown_question():
    fw = framework("eu-ai-act")
    cleaned, errors = clean_answers(
        fw, {"role": "pilot", "gpai_model": "maybe", "annex_iii": ["4a", "9z"], "colour": "blue"}
    )

    assert errors == {
        "role": "invalid option 'pilot'",
        "gpai_model": "expected yes or no",
        "annex_iii": "invalid option '9z'",
        "colour": "unknown question",
    }
    assert cleaned == {}


def test_clean_answers_rejects_a_non_number_and_coerces_numbers_and_yes_no():
    fw = framework("eu-ai-act")
    bad, errors = clean_answers(fw, {"role": "provider", "gpai_model": "yes", "training_flop": "lots"})
    good, no_errors = clean_answers(fw, {"role": "provider", "gpai_model": "YES", "training_flop": "3e25"})

    assert errors == {"training_flop": "expected a number"}
    assert no_errors == {}
    assert good == {"role": "provider", "gpai_model": True, "training_flop": 3e25}
    assert "training_flop" not in bad
