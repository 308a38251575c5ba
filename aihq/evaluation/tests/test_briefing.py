"""The briefing pack: what it collects for whom, the PDF it lays out (text, fonts, pages that are not blank) in
English and Russian, and the ``aihq briefing`` command."""

from __future__ import annotations

import datetime as dt
import json
import os
import re
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import translation

from aihq.evaluation import briefing, services
from aihq.evaluation.forms import current_period
from aihq.evaluation.models import CostCategory, CostKind, MetricKind

pytestmark = pytest.mark.django_db

PERIOD = current_period()
HEADINGS_EN = ("AI portfolio briefing", "Portfolio at a glance", "Objectives", "Risks and incidents", "Compliance")
# Headings the Russian catalogue already translates (the pack's own strings arrive with its catalogue entries).
HEADINGS_RU = ("Цели", "Соответствие", "Все показатели")
CV_SCREENING = {"role": "deployer", "public_body": "public_authority", "annex_iii": ["4a"], "profiling": True}


def _render(data, lang="en"):
    """The PDF, or a skip (a failure on CI) where WeasyPrint's system libraries are missing."""
    try:
        return briefing.render_pdf(data, lang=lang)
    except RuntimeError as exc:
        if os.environ.get("CI") == "true":
            raise
        pytest.skip(f"needs WeasyPrint's system libraries (pango): {exc}")


def _text(pdf: bytes) -> str:
    import pypdfium2

    document = pypdfium2.PdfDocument(pdf)
    try:
        return "\n".join(document[i].get_textpage().get_text_range() for i in range(len(document)))
    finally:
        document.close()


def _costs_and_benefit(actor, use_case, *, scale=1.0, target=60, start=2020):
    """The hand-computed example of test_evaluation (NPV 73.18 at 5 %), with costs and benefits times ``scale``."""
    services.cost_create(
        actor=actor, use_case=use_case, year=start, category=CostCategory.DEVELOPMENT, kind=CostKind.CAPITAL,
        planned=100 * scale, currency="RUB",
    )  # fmt: skip
    for year in range(start + 1, start + 6):
        services.cost_create(
            actor=actor, use_case=use_case, year=year, category=CostCategory.STAFF, planned=20 * scale, currency="RUB"
        )
    return services.metric_create(
        actor=actor, use_case=use_case, kind=MetricKind.STAFF_HOURS, unit="hours a year", baseline=0, target=target,
        value_per_unit=scale, currency="RUB", benefits_from=start + 1,
    )  # fmt: skip


@pytest.fixture
def pack(world, system_actor):
    """The world plus an indicator with values, a risk, a serious incident of a high-risk system and cost–benefit
    data for three use cases (Chatbot A: the hand-computed example)."""
    from aihq.objectives.services import (
        MeasurementInput,
        TargetSpec,
        indicator_create,
        measurements_report,
        objective_create,
    )
    from aihq.regulation import services as regulation

    objective = objective_create(
        actor=system_actor, code="READY", title_en="AI readiness", title_ru="Готовность к ИИ", owner=world.org_a
    )
    indicator = indicator_create(
        actor=system_actor, objective=objective, code="READINESS", name_en="Share of organisations ready for AI",
        name_ru="Доля организаций, готовых к ИИ", unit="percent", baseline_value=12,
        baseline_date=dt.date(2022, 12, 31), targets=[TargetSpec(dt.date(2030, 12, 31), 95)],
    )  # fmt: skip
    measurements_report(
        actor=system_actor,
        items=[MeasurementInput(indicator, dt.date(y, 12, 31), v) for y, v in ((2022, 12), (2023, 14), (2024, 15))],
    )
    editor = world.users["editor_a"]
    regulation.classify_use_case(actor=editor, use_case=world.uc_a, framework_code="eu-ai-act", answers=CV_SCREENING)
    regulation.risk_create(
        actor=editor, use_case=world.uc_a, title="Biased triage", category="1.1", likelihood=4, severity=5
    )
    today = dt.date.today()
    regulation.incident_create(
        actor=editor, use_case=world.uc_a, title="Wrongful rejections", occurred_on=today, detected_on=today,
        severity="serious", harms=["health"],
    )  # fmt: skip
    _costs_and_benefit(editor, world.uc_a)
    _costs_and_benefit(system_actor, world.uc_a1, scale=0.5, target=50)
    _costs_and_benefit(world.users["editor_b"], world.uc_b, scale=2.0, target=25)  # a poor plan: BCR below 1
    return world


class TestCollect:
    def test_everything_the_system_sees(self, pack, system_actor):
        data = briefing.collect(system_actor, period=PERIOD)
        assert data.glance.total == 3
        assert data.glance.live == 2
        assert [(s.stage, s.count) for s in data.glance.by_stage] == [
            ("planned", 1), ("development", 0), ("pilot", 1), ("production", 1),
        ]  # fmt: skip
        assert data.objectives.total == 1
        assert [r.title for r in data.risks.top_risks] == ["Biased triage"]
        assert [i.title for i in data.risks.incidents] == ["Wrongful rejections"]
        assert data.risks.incidents[0].deadline_cite == "Art. 73(2)"
        assert data.quarter.serious_incidents == 1
        best = data.value.best[0]
        assert best.use_case == "Chatbot A"
        assert best.npv == pytest.approx(73.1791, abs=1e-3)
        assert data.value.worst[0].use_case == "Forecast B"
        assert {f.code for f in data.compliance.frameworks} == {"eu-ai-act"}

    def test_an_organisation_includes_its_sub_organisations_only(self, pack, system_actor):
        data = briefing.collect(system_actor, organisation=pack.org_a, period=PERIOD)
        names = {row.use_case for row in data.value.top}
        assert names == {"Chatbot A", "Vision A1"}
        assert data.glance.total == 2

    def test_a_bad_period_is_refused(self, world, system_actor):
        with pytest.raises(ValueError, match="YYYY-QN"):
            briefing.collect(system_actor, period="2026-Q5")


class TestFormatting:
    def test_amounts_ratios_and_years_in_both_languages(self):
        with translation.override("en"):
            assert briefing.fmt_amount(73.1791, "RUB") == "73.18\u00a0RUB"
            assert briefing.fmt_amount(-123456.4, "RUB") == "\u2212123,456\u00a0RUB"
            assert briefing.fmt_amount(-1234567.4, "RUB") == "\u22121.2 m\u00a0RUB"
            assert briefing.fmt_ratio(1.39219) == "1.39"
            assert briefing.fmt_years(2.5) == "2.5"
            assert briefing.fmt_amount(None, "RUB") == "not enough data"
        with translation.override("ru"):
            assert briefing.fmt_amount(1234567.4, "RUB") == "1,2 млн\u00a0RUB"
            assert briefing.fmt_ratio(1.39219) == "1,39"


class TestPdf:
    def test_english_pack_has_every_section_the_figures_and_pages_that_are_not_blank(self, pack, system_actor):
        import pypdfium2

        pdf = _render(briefing.collect(system_actor, period=PERIOD), "en")
        assert pdf.startswith(b"%PDF")
        text = _text(pdf)
        for heading in (*HEADINGS_EN, "Evaluation", "Best performers", "Stage-gate reviews awaiting a decision"):
            assert heading in text
        for name in ("Chatbot A", "Vision A1", "Forecast B", "Biased triage", "Wrongful rejections"):
            assert name in text
        assert PERIOD in text
        assert "73.18" in text  # Chatbot A's NPV, as the pack prints it: 73.18 RUB
        assert "Official — for internal use" in text
        document = pypdfium2.PdfDocument(pdf)
        try:
            assert len(document) >= 3
            for index in (0, 1):
                image = document[index].render(scale=1).to_pil().convert("L")
                dark = sum(image.histogram()[:200])
                assert dark > 500, f"page {index + 1} looks blank"
        finally:
            document.close()

    def test_russian_pack_keeps_cyrillic_as_text(self, pack, system_actor):
        text = _text(_render(briefing.collect(system_actor, period=PERIOD), "ru"))
        for heading in HEADINGS_RU:
            assert heading in text
        assert "Министерство А" in text  # a name from the register, in Russian
        with translation.override("ru"):
            title = translation.gettext("AI portfolio briefing")
        assert title in text  # Russian once the catalogue has it, English until then
        assert "73,18" in text

    def test_a_user_sees_only_their_scope(self, pack):
        text = _text(_render(briefing.collect(pack.users["editor_b"], period=PERIOD), "en"))
        assert "Forecast B" in text
        for name in ("Chatbot A", "Vision A1", "Biased triage", "Wrongful rejections", "Ministry A"):
            assert name not in text

    def test_missing_system_libraries_give_a_clear_error(self, world, system_actor, monkeypatch):
        def fail(name):
            raise OSError("cannot load library 'libpango-1.0-0'")

        monkeypatch.setattr(briefing.importlib, "import_module", fail)
        with pytest.raises(RuntimeError, match="Pango"):
            briefing.render_pdf(briefing.collect(system_actor, period=PERIOD), lang="en")


class TestCommand:
    def _run(self, *args):
        out = StringIO()
        try:
            call_command("briefing", *args, stdout=out)
        except CommandError as exc:  # the command reports missing system libraries as a CommandError
            if "Pango" not in str(exc) or os.environ.get("CI") == "true":
                raise
            pytest.skip(f"needs WeasyPrint's system libraries (pango): {exc}")
        return out.getvalue()

    def test_all_writes_the_pdf_and_says_so(self, pack, tmp_path):
        target = tmp_path / "pack.pdf"
        out = self._run("--all", "--period", PERIOD, "--output", str(target))
        assert target.read_bytes().startswith(b"%PDF")
        assert out.startswith(f"Wrote {target} (")
        assert out.strip().endswith(f"KB) for all organisations, {PERIOD}.")

    def test_json_for_one_organisation_in_russian(self, pack, tmp_path):
        target = tmp_path / "a.pdf"
        data = json.loads(
            self._run("--organisation", "A", "--period", PERIOD, "--output", str(target), "--lang", "ru", "--json")
        )
        assert data["output"] == str(target)
        assert data["scope"] == "A"
        assert data["period"] == PERIOD
        assert data["pages"] >= 3
        assert data["bytes"] == target.stat().st_size

    @pytest.mark.parametrize(
        ("args", "message"),
        [
            (["--all", "--output", "x.pdf"], "--period"),
            (["--output", "x.pdf", "--period", "2026-Q4"], "exactly one of --organisation CODE or --all"),
            (["--all", "--organisation", "A", "--period", "2026-Q4", "--output", "x.pdf"], "exactly one of"),
            (
                ["--organisation", "NOPE", "--period", "2026-Q4", "--output", "x.pdf"],
                "No organisation has the code 'NOPE'",
            ),
            (["--all", "--period", "2026-Q5", "--output", "x.pdf"], "YYYY-QN, such as 2026-Q4 (not '2026-Q5')"),
            (["--all", "--period", "2026-Q4"], "--output"),
        ],
    )
    def test_bad_arguments_are_refused_with_a_clear_message(self, world, tmp_path, args, message):
        args = [str(tmp_path / a) if a.endswith(".pdf") else a for a in args]
        with pytest.raises(CommandError, match=re.escape(message)):
            call_command("briefing", *args)
