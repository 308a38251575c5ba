"""Classifying use cases (services, API, pages), framework versions, inventory pre-fill and reporting deadlines."""

from __future__ import annotations

import copy
import csv
import datetime as dt
import io
import json
from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command

from aihq.audit.models import AuditEvent
from aihq.core.services import ConflictError
from aihq.regulation import services
from aihq.regulation.models import Classification, Evidence, Framework, RequirementStatus

pytestmark = pytest.mark.django_db

CV_SCREENING = {"role": "deployer", "public_body": "public_authority", "annex_iii": ["4a"], "profiling": True}
SPAM_FILTER = {"role": "deployer", "public_body": "other"}
INVENTORY_2024 = Path("/work/shared/data/us-omb-2024/consolidated_ai_inventory_2024.csv")


def _classify(world, answers, user="editor_a", use_case=None, code="eu-ai-act", **kwargs):
    return services.classify_use_case(
        actor=world.users[user], use_case=use_case or world.uc_a, framework_code=code, answers=answers, **kwargs
    )


def test_shipped_frameworks_are_loaded_by_migrate():
    codes = set(Framework.objects.filter(is_current=True).values_list("code", flat=True))
    assert codes == {"eu-ai-act", "omb-m-25-21", "nist-ai-rmf", "ru-ai-ethics"}


class TestClassifyService:
    def test_classification_records_version_revision_requirements_and_audit(self, world):
        classification = _classify(world, CV_SCREENING)
        assert classification.tier == "high_risk"
        assert classification.role == "deployer"
        assert classification.framework.is_current
        assert classification.classified_by == world.users["editor_a"]
        assert classification.revisions.count() == 1
        assert any(step["cite"].startswith("Annex III") for step in classification.result["explanation"])
        ids = set(RequirementStatus.objects.filter(use_case=world.uc_a).values_list("requirement_id", flat=True))
        assert {"eu-art-26-2", "eu-art-27", "eu-art-49-3"} <= ids
        fria = RequirementStatus.objects.get(use_case=world.uc_a, requirement_id="eu-art-27")
        assert fria.due_date == dt.date(2027, 12, 2)
        assert AuditEvent.objects.filter(object_type="regulation.classification", action="create").exists()

    def test_reclassifying_keeps_history_and_evidence_of_requirements_that_stop_applying(self, world):
        _classify(world, CV_SCREENING)
        fria = RequirementStatus.objects.get(use_case=world.uc_a, requirement_id="eu-art-27")
        services.requirement_update(actor=world.users["editor_a"], requirement=fria, status="in_progress")
        services.evidence_add(actor=world.users["editor_a"], requirement=fria, url="https://example.org/fria")
        minimal = _classify(world, SPAM_FILTER, expected_version=1)
        assert minimal.tier == "minimal"
        assert minimal.version == 2
        assert list(minimal.revisions.values_list("tier", flat=True)) == ["minimal", "high_risk"]
        fria.refresh_from_db()
        assert not fria.applicable
        assert Evidence.objects.filter(requirement=fria).count() == 1
        _classify(world, CV_SCREENING)
        fria.refresh_from_db()
        assert fria.applicable
        assert fria.status == "in_progress"

    def test_stale_version_is_refused(self, world):
        _classify(world, CV_SCREENING)
        _classify(world, SPAM_FILTER, expected_version=1)
        with pytest.raises(ConflictError):
            _classify(world, CV_SCREENING, expected_version=1)

    def test_bad_answers_name_the_question_and_save_nothing(self, world):
        with pytest.raises(ValidationError) as caught:
            _classify(world, {"role": "emperor", "annex_iii": ["99z"]})
        text = " ".join(caught.value.message_dict["answers"])
        assert "role" in text
        assert "annex_iii" in text
        assert not Classification.objects.exists()

    @pytest.mark.parametrize("user", ["editor_b", "viewer_a", "auditor"])
    def test_only_who_may_edit_the_use_case_classifies_it(self, world, user):
        with pytest.raises(PermissionDenied):
            _classify(world, CV_SCREENING, user=user)


class TestFrameworkVersions:
    def _new_version(self, label="test-2", title="EU AI Act (test version)"):
        framework = Framework.objects.get(code="eu-ai-act", is_current=True)
        definition = copy.deepcopy(framework.definition)
        definition["version"] = label
        definition["title_en"] = title
        return definition

    def test_a_new_version_becomes_current_and_old_classifications_keep_theirs(self, world, api_client_for):
        old = _classify(world, CV_SCREENING)
        response = api_client_for("hq_admin").post(
            "/api/v1/frameworks/", {"definition": self._new_version()}, format="json"
        )
        assert response.status_code == 201, response.content
        assert response.json()["is_current"] is True
        old.refresh_from_db()
        assert old.framework.version != "test-2"
        again = _classify(world, SPAM_FILTER)
        assert again.framework.version == "test-2"
        assert again.revisions.last().framework.version == old.revisions.last().framework.version

    def test_same_label_with_other_content_is_refused_and_same_content_is_a_no_op(self, world, api_client_for):
        client = api_client_for("hq_admin")
        assert client.post("/api/v1/frameworks/", {"definition": self._new_version()}, format="json").status_code == 201
        same = client.post("/api/v1/frameworks/", {"definition": self._new_version()}, format="json")
        assert same.status_code == 201
        assert Framework.objects.filter(code="eu-ai-act").count() == 2
        clash = client.post("/api/v1/frameworks/", {"definition": self._new_version(title="Other")}, format="json")
        assert clash.status_code == 400
        assert "version" in clash.json()["errors"]

    def test_invalid_definition_lists_its_problems(self, world, api_client_for):
        definition = self._new_version()
        definition["rules"][0]["when"] = {"anwser": "role"}
        response = api_client_for("hq_admin").post("/api/v1/frameworks/", {"definition": definition}, format="json")
        assert response.status_code == 400
        assert "anwser" in json.dumps(response.json())

    def test_only_hq_admins_load_versions(self, world, api_client_for):
        response = api_client_for("coordinator_a").post(
            "/api/v1/frameworks/", {"definition": self._new_version()}, format="json"
        )
        assert response.status_code == 403
        assert api_client_for("viewer_a").get("/api/v1/frameworks/?current=true").json()["count"] == 4

    def test_cli_loads_a_file(self, world, tmp_path):
        path = tmp_path / "eu.json"
        path.write_text(json.dumps(self._new_version("cli-3")), encoding="utf-8")
        out = io.StringIO()
        call_command("load_framework", str(path), "--not-current", stdout=out)
        assert "eu-ai-act cli-3" in out.getvalue()
        assert not Framework.objects.get(version="cli-3").is_current
        broken = tmp_path / "broken.json"
        broken.write_text(json.dumps({"schema": 1}), encoding="utf-8")
        with pytest.raises(Exception, match="problems"):
            call_command("load_framework", str(broken))


class TestClassificationApi:
    def test_classify_revise_and_read_history(self, world, api_client_for):
        client = api_client_for("editor_a")
        created = client.post(
            "/api/v1/classifications/",
            {"use_case": world.uc_a.pk, "framework": "eu-ai-act", "answers": CV_SCREENING},
            format="json",
        )
        assert created.status_code == 201, created.content
        body = created.json()
        assert body["tier"] == "high_risk"
        assert body["result"]["explanation"]
        patched = client.patch(
            f"/api/v1/classifications/{body['id']}/", {"answers": SPAM_FILTER}, format="json", HTTP_IF_MATCH='"1"'
        )
        assert patched.status_code == 200
        assert patched.json()["tier"] == "minimal"
        stale = client.patch(
            f"/api/v1/classifications/{body['id']}/", {"answers": CV_SCREENING}, format="json", HTTP_IF_MATCH='"1"'
        )
        assert stale.status_code == 412
        history = client.get(f"/api/v1/classifications/{body['id']}/revisions/").json()
        assert [row["tier"] for row in history] == ["minimal", "high_risk"]

    def test_scoping(self, world, api_client_for):
        _classify(world, CV_SCREENING)
        assert api_client_for("editor_b").get("/api/v1/classifications/").json()["count"] == 0
        assert api_client_for("viewer_a").get("/api/v1/classifications/").json()["count"] == 1
        refused = api_client_for("viewer_a").post(
            "/api/v1/classifications/",
            {"use_case": world.uc_a.pk, "framework": "ru-ai-ethics", "answers": {"acceded": True}},
            format="json",
        )
        assert refused.status_code == 403
        invisible = api_client_for("editor_b").post(
            "/api/v1/classifications/",
            {"use_case": world.uc_a.pk, "framework": "ru-ai-ethics", "answers": {"acceded": True}},
            format="json",
        )
        assert invisible.status_code == 400
        unknown = api_client_for("editor_a").post(
            "/api/v1/classifications/",
            {"use_case": world.uc_a.pk, "framework": "gdpr", "answers": {}},
            format="json",
        )
        assert unknown.status_code == 400


class TestPages:
    def test_questionnaire_classifies_and_explains(self, world, page_client_for):
        client = page_client_for("editor_a")
        url = f"/use-cases/{world.uc_a.pk}/classify/eu-ai-act/"
        page = client.get(url).content.decode()
        assert 'data-when="' in page
        response = client.post(
            url,
            {"role": "deployer", "public_body": "public_authority", "annex_iii": ["5b"], "financial_fraud": "yes"},
            follow=True,
        )
        text = response.content.decode()
        assert 'data-testid="result-tier"' in text
        classification = Classification.objects.get(use_case=world.uc_a, framework_code="eu-ai-act")
        assert classification.tier == "minimal"
        assert "5(b)" in text
        invalid = client.post(url, {"role": "emperor"})
        assert invalid.status_code == 200
        assert "role" in invalid.context["form"].errors

    def test_read_only_users_see_the_explanation_but_no_form(self, world, page_client_for):
        _classify(world, CV_SCREENING)
        url = f"/use-cases/{world.uc_a.pk}/classify/eu-ai-act/"
        viewer = page_client_for("viewer_a")
        page = viewer.get(url).content.decode()
        assert 'data-testid="explanation"' in page
        assert 'data-testid="questionnaire"' not in page
        assert viewer.post(url, {"role": "provider"}).status_code == 403
        assert page_client_for("editor_b").get(url).status_code == 404

    def test_use_case_page_and_overview_roll_up(self, world, page_client_for):
        _classify(world, CV_SCREENING)
        page = page_client_for("viewer_a").get(f"/use-cases/{world.uc_a.pk}/").content.decode()
        assert 'data-testid="tier-eu-ai-act"' in page
        assert 'data-testid="requirements-eu-ai-act"' in page
        overview = page_client_for("hq_admin").get("/regulation/")
        rows = overview.context["compliance_rows"]
        assert [org.code for org, _k in rows] == ["A"]
        assert rows[0][1].total >= 7
        assert page_client_for("editor_b").get("/regulation/").context["compliance_rows"] == []
        matrix = page_client_for("coordinator_a").get("/regulation/matrix/?framework=eu-ai-act")
        assert matrix.context["grid"].total_rows == 1
        fria = RequirementStatus.objects.get(use_case=world.uc_a, requirement_id="eu-art-27")
        detail = page_client_for("viewer_a").get(f"/regulation/requirements/{fria.pk}/")
        assert detail.context["spec"]["cite"] == "Art. 27"
        assert 'data-testid="requirement-text"' in detail.content.decode()

    def test_framework_upload_page(self, world, page_client_for, tmp_path):
        definition = copy.deepcopy(Framework.objects.get(code="nist-ai-rmf").definition)
        definition["version"] = "uploaded"
        admin = page_client_for("hq_admin")
        upload = io.BytesIO(json.dumps(definition).encode())
        upload.name = "nist.json"
        response = admin.post("/regulation/frameworks/", {"file": upload, "make_current": "on"})
        assert response.status_code == 302
        assert Framework.objects.get(code="nist-ai-rmf", is_current=True).version == "uploaded"
        assert page_client_for("coordinator_a").post("/regulation/frameworks/", {}).status_code == 403


def _inventory_rows(predicate, limit):
    with INVENTORY_2024.open(encoding="utf-8-sig", errors="replace") as handle:
        reader = csv.DictReader(handle)
        rows = [row for row in reader if predicate(row)][:limit]
        return reader.fieldnames, rows


@pytest.mark.skipif(not INVENTORY_2024.exists(), reason="the shared 2024 inventory is not on this machine")
class TestInventoryPrefill:
    def _import(self, world, rows, headers, dry_run=False):
        from aihq.exchange.services import ImportOptions, import_usecases

        buffer = io.StringIO()
        writer = csv.DictWriter(buffer, fieldnames=headers)
        writer.writeheader()
        writer.writerows(rows)
        return import_usecases(
            actor=world.users["hq_admin"],
            data=buffer.getvalue().encode(),
            file_name="omb.csv",
            options=ImportOptions(format="omb-2024", dry_run=dry_run),
        )

    def test_imported_records_get_their_omb_classification_and_statuses(self, world):
        headers, storm = _inventory_rows(lambda r: r["2_use_case_name"].startswith("Stratification Tool for Opioid"), 1)
        _h, neither = _inventory_rows(lambda r: r["17_impact_type"].strip() == "Neither", 2)
        run = self._import(world, storm + neither, headers)
        assert run.status == "applied", run.error
        high = Classification.objects.get(
            use_case__name__startswith="Stratification Tool", framework_code="omb-m-25-21"
        )
        assert high.tier == "high_impact"
        assert high.source == "inventory"
        statuses = dict(
            RequirementStatus.objects.filter(use_case=high.use_case).values_list("requirement_id", "status")
        )
        assert statuses["omb-4-b-ii"] == "met"
        assert statuses["omb-4-b-vi"] == "not_started"
        note = RequirementStatus.objects.get(use_case=high.use_case, requirement_id="omb-4-b-ii").note
        assert "52_impact_assessment" in note
        low = Classification.objects.filter(framework_code="omb-m-25-21", tier="not_high_impact")
        assert low.count() == 2
        assert AuditEvent.objects.filter(object_type="regulation.classification").count() == 3

    def test_dry_run_classifies_nothing_and_a_second_import_keeps_what_people_changed(self, world):
        headers, storm = _inventory_rows(lambda r: r["2_use_case_name"].startswith("Stratification Tool for Opioid"), 1)
        self._import(world, storm, headers, dry_run=True)
        assert not Classification.objects.exists()
        self._import(world, storm, headers)
        requirement = RequirementStatus.objects.get(requirement_id="omb-4-b-vi")
        services.requirement_update(actor=world.users["hq_admin"], requirement=requirement, status="in_progress")
        self._import(world, storm, headers)
        requirement.refresh_from_db()
        assert requirement.status == "in_progress"
        assert Classification.objects.count() == 1

    def test_cli_classifies_what_was_imported_before(self, world):
        headers, storm = _inventory_rows(lambda r: r["2_use_case_name"].startswith("Stratification Tool for Opioid"), 1)
        self._import(world, storm, headers)
        Classification.objects.all().delete()
        out = io.StringIO()
        call_command("classify_inventory", stdout=out)
        assert out.getvalue().startswith("1 use cases classified")
        assert Classification.objects.get().tier == "high_impact"


def test_incident_of_a_high_risk_system_carries_its_art_73_deadline(world, api_client_for, page_client_for):
    _classify(world, CV_SCREENING)
    incident = services.incident_create(
        actor=world.users["editor_a"],
        use_case=world.uc_a,
        title="Candidate died after a wrongful rejection?",
        occurred_on=dt.date(2026, 5, 1),
        detected_on=dt.date(2026, 5, 2),
        severity="critical",
        harms=["death"],
    )
    body = api_client_for("coordinator_a").get(f"/api/v1/incidents/{incident.pk}/").json()
    deadline = body["reporting_deadline"]
    assert deadline["cite"] == "Art. 73(4)"
    assert deadline["due"] == "2026-05-12"
    assert deadline["overdue"] is (dt.date.today() > dt.date(2026, 5, 12))
    listed = api_client_for("coordinator_a").get("/api/v1/incidents/").json()["results"][0]
    assert listed["reporting_deadline"]["days"] == 10
    page = page_client_for("coordinator_a").get(f"/regulation/incidents/{incident.pk}/")
    assert page.context["deadline"].cite == "Art. 73(4)"
    assert 'data-testid="deadline"' in page.content.decode()


class TestReviewedEdges:
    """Edges a review found: each was a 500, a lost update or a wrong date before."""

    def test_due_dates_follow_a_reclassification_unless_set_by_hand(self, world):
        generative = {"role": "provider", "synthetic_content": True}
        _classify(world, generative)
        marking = RequirementStatus.objects.get(use_case=world.uc_a, requirement_id="eu-art-50-2")
        assert marking.due_date == dt.date(2026, 8, 2)
        _classify(world, {**generative, "placed_before_2026_08_02": True})
        marking.refresh_from_db()
        assert marking.due_date == dt.date(2026, 12, 2)
        services.requirement_update(actor=world.users["editor_a"], requirement=marking, due_date=dt.date(2026, 10, 1))
        _classify(world, generative)
        marking.refresh_from_db()
        assert marking.due_date == dt.date(2026, 10, 1)

    def test_first_classification_on_the_page_does_not_overwrite_one_made_meanwhile(self, world, page_client_for):
        url = f"/use-cases/{world.uc_a.pk}/classify/eu-ai-act/"
        client = page_client_for("editor_a")
        client.get(url)
        _classify(world, CV_SCREENING, user="coordinator_a")
        response = client.post(url, {"version": "", "role": "provider"})
        assert response.status_code == 200
        assert response.context["form"].non_field_errors()
        assert Classification.objects.get(use_case=world.uc_a).tier == "high_risk"

    @pytest.mark.parametrize(
        "url",
        [
            "/api/v1/public-incidents/?year=0",
            "/api/v1/public-incidents/?year=99999999999999999999999",
            "/api/v1/risks/?use_case=9223372036854775808",
            "/api/v1/requirements/?use_case=-1",
            "/api/v1/evidence/?requirement=99999999999999999999",
            "/api/v1/risks/?min_score=1e400",
        ],
    )
    def test_out_of_range_filters_are_400(self, world, api_client_for, url):
        assert api_client_for("editor_a").get(url).status_code == 400

    def test_out_of_range_filters_on_pages_show_the_error(self, world, page_client_for):
        response = page_client_for("editor_a").get("/regulation/library/?year=99999999999999999999999")
        assert response.status_code == 200
        assert "year" in response.context["filter"].errors

    def test_absurd_answers_are_400(self, world, api_client_for):
        client = api_client_for("editor_a")
        huge = {"role": "provider", "gpai_model": True, "training_flop": 10**400}
        body = {"use_case": world.uc_a.pk, "framework": "eu-ai-act", "answers": huge}
        assert client.post("/api/v1/classifications/", body, format="json").status_code == 400
        nul = {"presumed_categories": ["n"], "determined_not_high_impact": True, "hi_justification": "a\x00b"}
        body = {"use_case": world.uc_a.pk, "framework": "omb-m-25-21", "answers": nul}
        assert client.post("/api/v1/classifications/", body, format="json").status_code == 400

    def test_incident_dates_at_the_end_of_the_calendar_are_refused(self, world, api_client_for):
        _classify(world, CV_SCREENING)
        body = {"use_case": world.uc_a.pk, "title": "x", "occurred_on": "9999-12-30", "detected_on": "9999-12-31",
                "severity": "serious", "harms": ["death"]}  # fmt: skip
        response = api_client_for("editor_a").post("/api/v1/incidents/", body, format="json")
        assert response.status_code == 400
        assert "detected_on" in response.json()["errors"]
        assert api_client_for("editor_a").get("/api/v1/incidents/").status_code == 200

    def test_unknown_owner_reads_like_a_forbidden_one(self, world, api_client_for):
        requirement = RequirementStatus.objects.create(
            use_case=world.uc_a, framework_code="x", requirement_id="y", title_en="t"
        )
        client = api_client_for("editor_a")
        unknown = client.patch(f"/api/v1/requirements/{requirement.pk}/", {"owner": "nobody-at-all"}, format="json")
        foreign = client.patch(f"/api/v1/requirements/{requirement.pk}/", {"owner": "editor_b"}, format="json")
        assert unknown.status_code == foreign.status_code == 400
        assert unknown.json()["errors"]["owner"] == foreign.json()["errors"]["owner"]

    def test_yaml_aliases_are_refused(self):
        from aihq.regulation import engine

        with pytest.raises(ValueError, match="aliases"):
            engine.read_definition("a: &x [1, 2]\nb: *x\n")


def test_overview_dashboard_counts_high_risk_use_cases_within_scope(world, page_client_for):
    _classify(world, CV_SCREENING)
    mine = page_client_for("coordinator_a").get("/").content.decode()
    assert 'data-testid="regulation-kpis"' in mine
    assert mine.count('<span class="kpi-value">1</span>') >= 1
    theirs = page_client_for("editor_b").get("/")
    assert theirs.status_code == 200
    text = theirs.content.decode()
    section = text[text.index('data-testid="regulation-kpis"') :]
    assert '<span class="kpi-value">0</span>' in section[: section.index("</section>")]
