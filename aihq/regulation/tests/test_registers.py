"""Risks, incidents, requirements and evidence: services, scoping, API and the reporting-deadline rules."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from aihq.audit.models import AuditEvent
from aihq.core.services import ConflictError
from aihq.regulation import deadlines, services
from aihq.regulation.models import Evidence, IncidentStatus, RequirementStatus, Risk

pytestmark = pytest.mark.django_db

EU_RULES = [
    {
        "id": "art73-2",
        "cite": "Art. 73(2)",
        "days": 15,
        "tiers": ["high_risk"],
        "serious_harms": ["death", "health", "critical_infrastructure", "fundamental_rights", "property_environment"],
        "widespread_counts": True,
    },
    {"id": "art73-3", "cite": "Art. 73(3)", "days": 2, "tiers": ["high_risk"], "harms": ["critical_infrastructure"],
     "widespread": True},
    {"id": "art73-4", "cite": "Art. 73(4)", "days": 10, "tiers": ["high_risk"], "harms": ["death"]},
]  # fmt: skip


def _risk(world, **overrides):
    fields = {"title": "Biased triage", "category": "1.1", "likelihood": 4, "severity": 5}
    return services.risk_create(actor=world.users["editor_a"], use_case=world.uc_a, **{**fields, **overrides})


def _requirement(use_case, **fields):
    defaults = {
        "framework_code": "eu-ai-act",
        "requirement_id": "eu-art-9",
        "cite": "Art. 9",
        "title_en": "Risk management",
    }
    return RequirementStatus.objects.create(use_case=use_case, **{**defaults, **fields})


class TestDeadlines:
    day = dt.date(2026, 3, 1)

    def _deadline(self, tier="high_risk", harms=(), widespread=False, reported_on=None, today=None):
        return deadlines.reporting_deadline(
            {"eu-ai-act": (tier, EU_RULES)},
            harms=harms,
            widespread=widespread,
            severity="serious",
            detected_on=self.day,
            reported_on=reported_on,
            today=today or self.day,
        )

    def test_serious_incident_of_a_high_risk_system_is_due_in_15_days(self):
        found = self._deadline(harms=["fundamental_rights"])
        assert (found.cite, found.days, found.due) == ("Art. 73(2)", 15, dt.date(2026, 3, 16))

    def test_death_is_due_in_10_days_and_critical_infrastructure_in_2(self):
        assert self._deadline(harms=["death"]).due == dt.date(2026, 3, 11)
        assert self._deadline(harms=["critical_infrastructure"]).cite == "Art. 73(3)"
        both = self._deadline(harms=["death", "critical_infrastructure"])
        assert both.days == 2, "the earliest deadline wins"

    def test_widespread_infringement_is_due_in_2_days(self):
        assert self._deadline(harms=["fundamental_rights"], widespread=True).days == 2

    def test_no_deadline_without_a_serious_harm_or_outside_high_risk(self):
        assert self._deadline(harms=["reputation"]) is None
        assert self._deadline(tier="minimal", harms=["death"]) is None

    def test_overdue_and_late(self):
        assert self._deadline(harms=["death"], today=dt.date(2026, 3, 12)).overdue
        late = self._deadline(harms=["death"], reported_on=dt.date(2026, 3, 12), today=dt.date(2026, 4, 1))
        assert late.late
        assert not late.overdue
        on_time = self._deadline(harms=["death"], reported_on=dt.date(2026, 3, 5), today=dt.date(2026, 4, 1))
        assert not on_time.late
        assert not on_time.overdue
        assert on_time.reported


class TestRisks:
    def test_editor_logs_a_risk_and_it_is_audited(self, world):
        risk = _risk(world)
        assert risk.score == 20
        assert AuditEvent.objects.filter(
            object_type="regulation.risk", object_id=str(risk.pk), action="create"
        ).exists()

    def test_other_organisation_cannot_log_a_risk(self, world):
        with pytest.raises(PermissionDenied):
            services.risk_create(
                actor=world.users["editor_b"], use_case=world.uc_a, title="x", category="1", likelihood=1, severity=1
            )

    @pytest.mark.parametrize(
        ("overrides", "field"),
        [
            ({"category": "9.9"}, "category"),
            ({"likelihood": 6}, "likelihood"),
            ({"residual_likelihood": 2}, "residual_severity"),
        ],
    )
    def test_bad_ratings_are_refused_with_the_field_named(self, world, overrides, field):
        with pytest.raises(ValidationError) as caught:
            _risk(world, **overrides)
        assert field in caught.value.message_dict

    def test_stale_update_is_refused(self, world):
        risk = _risk(world)
        services.risk_update(actor=world.users["editor_a"], risk=risk, expected_version=1, status="mitigating")
        with pytest.raises(ConflictError):
            services.risk_update(actor=world.users["editor_a"], risk=risk, expected_version=1, status="accepted")

    def test_api_scoping_and_heatmap(self, world, api_client_for):
        risk = _risk(world)
        _risk(world, likelihood=1, severity=2, residual_likelihood=1, residual_severity=1)
        assert api_client_for("viewer_a").get(f"/api/v1/risks/{risk.pk}/").status_code == 200
        assert api_client_for("editor_b").get(f"/api/v1/risks/{risk.pk}/").status_code == 404
        assert api_client_for("editor_b").get("/api/v1/risks/").json()["count"] == 0
        assert api_client_for("viewer_a").patch(f"/api/v1/risks/{risk.pk}/", {"status": "closed"}).status_code == 403
        grid = api_client_for("coordinator_a").get("/api/v1/risks/heatmap/").json()["grid"]
        assert grid[5 - 4][5 - 1] == 1
        assert grid[5 - 1][2 - 1] == 1
        residual = api_client_for("coordinator_a").get("/api/v1/risks/heatmap/?residual=true").json()["grid"]
        assert residual[5 - 1][1 - 1] == 1
        assert residual[5 - 1][2 - 1] == 0

    def test_api_create_validates(self, world, api_client_for):
        client = api_client_for("editor_a")
        bad = client.post("/api/v1/risks/", {"use_case": world.uc_a.pk, "title": "x", "category": "8", "likelihood": 0,
                                             "severity": 3}, format="json")  # fmt: skip
        assert bad.status_code == 400
        assert {"category", "likelihood"} <= set(bad.json()["errors"])
        ok = client.post("/api/v1/risks/", {"use_case": world.uc_a.pk, "title": "Leak", "category": "2.1",
                                            "likelihood": 2, "severity": 4}, format="json")  # fmt: skip
        assert ok.status_code == 201, ok.content
        assert ok.json()["score"] == 8
        foreign = client.post("/api/v1/risks/", {"use_case": world.uc_b.pk, "title": "x", "category": "1",
                                                 "likelihood": 1, "severity": 1}, format="json")  # fmt: skip
        assert foreign.status_code == 400  # a use case the editor cannot see does not exist for them

    def test_domain_filter_includes_subdomains(self, world, api_client_for):
        _risk(world, category="1.1")
        _risk(world, category="1")
        _risk(world, category="2.2")
        client = api_client_for("editor_a")
        assert client.get("/api/v1/risks/?category=1").json()["count"] == 2
        assert client.get("/api/v1/risks/?category=2.2").json()["count"] == 1


class TestIncidents:
    def _incident(self, world, **overrides):
        fields = {"title": "Wrong denial", "occurred_on": dt.date(2026, 1, 5), "detected_on": dt.date(2026, 1, 7),
                  "severity": "serious", "harms": ["fundamental_rights"]}  # fmt: skip
        return services.incident_create(actor=world.users["editor_a"], use_case=world.uc_a, **{**fields, **overrides})

    def test_flow_keeps_who_moved_it(self, world):
        incident = self._incident(world)
        assert incident.status == IncidentStatus.OPEN
        services.incident_move(actor=world.users["coordinator_a"], incident=incident, to_status="investigating")
        services.incident_move(actor=world.users["editor_a"], incident=incident, to_status="closed")
        with pytest.raises(ValidationError):
            services.incident_move(actor=world.users["editor_a"], incident=incident, to_status="investigating")
        services.incident_move(
            actor=world.users["editor_a"], incident=incident, to_status="investigating", note="The fix did not hold."
        )
        moves = [(t.from_status, t.to_status, t.moved_by.username) for t in incident.transitions.all()]
        assert moves == [
            ("", "open", "editor_a"),
            ("open", "investigating", "coordinator_a"),
            ("investigating", "closed", "editor_a"),
            ("closed", "investigating", "editor_a"),
        ]

    def test_dates_and_harms_are_checked(self, world):
        with pytest.raises(ValidationError) as caught:
            self._incident(world, detected_on=dt.date(2026, 1, 1), harms=["boredom"])
        assert {"detected_on", "harms"} <= set(caught.value.message_dict)

    def test_risks_of_another_use_case_cannot_be_linked(self, world, system_actor):
        other = services.risk_create(
            actor=system_actor, use_case=world.uc_a1, title="x", category="7.3", likelihood=2, severity=2
        )
        with pytest.raises(ValidationError):
            self._incident(world, risks=[other])

    def test_api_move_and_scoping(self, world, api_client_for):
        incident = self._incident(world)
        client = api_client_for("editor_a")
        moved = client.post(f"/api/v1/incidents/{incident.pk}/move/", {"status": "mitigated"}, format="json")
        assert moved.status_code == 200
        assert moved.json()["status"] == "mitigated"
        assert moved.json()["transitions"][-1]["moved_by"] == "editor_a"
        back = client.post(f"/api/v1/incidents/{incident.pk}/move/", {"status": "open"}, format="json")
        assert back.status_code == 400
        assert "note" in back.json()["errors"]
        assert api_client_for("editor_b").post(f"/api/v1/incidents/{incident.pk}/move/", {"status": "closed"},
                                               format="json").status_code == 404  # fmt: skip
        assert api_client_for("viewer_a").post(f"/api/v1/incidents/{incident.pk}/move/", {"status": "closed"},
                                               format="json").status_code == 403  # fmt: skip
        listed = client.get("/api/v1/incidents/?open=true").json()
        assert listed["count"] == 1
        assert listed["results"][0]["reporting_deadline"] is None


class TestRequirementsAndEvidence:
    def test_not_applicable_needs_a_justification(self, world):
        requirement = _requirement(world.uc_a)
        with pytest.raises(ValidationError) as caught:
            services.requirement_update(actor=world.users["editor_a"], requirement=requirement, status="not_applicable")
        assert "justification" in caught.value.message_dict
        done = services.requirement_update(
            actor=world.users["editor_a"], requirement=requirement, status="not_applicable", justification="No data."
        )
        assert done.is_closed
        assert done.version == 2

    def test_owner_must_see_the_use_case(self, world):
        requirement = _requirement(world.uc_a)
        with pytest.raises(ValidationError) as caught:
            services.requirement_update(
                actor=world.users["editor_a"], requirement=requirement, owner=world.users["editor_b"]
            )
        assert "owner" in caught.value.message_dict
        services.requirement_update(
            actor=world.users["editor_a"], requirement=requirement, owner=world.users["viewer_a"]
        )

    def test_api_update_summary_and_overdue(self, world, api_client_for):
        late = _requirement(world.uc_a, due_date=dt.date(2020, 1, 1))
        _requirement(world.uc_a, requirement_id="eu-art-10", status="met")
        _requirement(world.uc_b, requirement_id="eu-art-10")
        client = api_client_for("coordinator_a")
        assert client.get("/api/v1/requirements/?overdue=true").json()["count"] == 1
        summary = client.get("/api/v1/requirements/summary/?by=organisation").json()
        assert summary["total"]["total"] == 2
        assert summary["total"]["met"] == 1
        assert summary["total"]["overdue"] == 1
        assert [row["organisation"] for row in summary["results"]] == ["A"]
        response = client.patch(f"/api/v1/requirements/{late.pk}/", {"status": "met", "version": 1}, format="json")
        assert response.status_code == 200
        assert response.json()["overdue"] is False
        stale = client.patch(f"/api/v1/requirements/{late.pk}/", {"status": "in_progress", "version": 1}, format="json")
        assert stale.status_code == 409

    def test_evidence_file_rules_and_download_scope(self, world, api_client_for, settings):
        requirement = _requirement(world.uc_a)
        client = api_client_for("editor_a")
        pdf = SimpleUploadedFile("plan.pdf", b"%PDF-1.4 risk plan", content_type="application/x-whatever")
        created = client.post("/api/v1/evidence/", {"requirement": requirement.pk, "title": "Plan", "file": pdf})
        assert created.status_code == 201, created.content
        body = created.json()
        assert body["content_type"] == "application/pdf"
        assert body["size"] == 18
        assert len(body["sha256"]) == 64
        download = api_client_for("viewer_a").get(body["download"])
        assert download.status_code == 200
        assert download.content == b"%PDF-1.4 risk plan"
        assert download["Content-Disposition"].startswith("attachment")
        assert api_client_for("editor_b").get(body["download"]).status_code == 404
        exe = SimpleUploadedFile("tool.exe", b"MZ", content_type="application/pdf")
        refused = client.post("/api/v1/evidence/", {"requirement": requirement.pk, "file": exe})
        assert refused.status_code == 400
        assert "file" in refused.json()["errors"]
        settings.AIHQ_EVIDENCE_MAX_MB = 1
        big = SimpleUploadedFile("big.csv", b"x" * (1024 * 1024 + 1))
        assert client.post("/api/v1/evidence/", {"requirement": requirement.pk, "file": big}).status_code == 400
        link = client.post("/api/v1/evidence/", {"requirement": requirement.pk, "url": "https://example.org/fria"},
                           format="json")  # fmt: skip
        assert link.status_code == 201
        assert link.json()["kind"] == "link"
        both_missing = client.post("/api/v1/evidence/", {"requirement": requirement.pk}, format="json")
        assert both_missing.status_code == 400
        assert Evidence.objects.count() == 2
        assert api_client_for("viewer_a").delete(f"/api/v1/evidence/{body['id']}/").status_code == 403


def test_pages_render_for_each_role(world, page_client_for):
    risk = _risk(world)
    requirement = _requirement(world.uc_a)
    for name in ("hq_admin", "coordinator_a", "viewer_a", "auditor"):
        client = page_client_for(name)
        for url in ("/regulation/", "/regulation/matrix/", "/regulation/risks/", "/regulation/incidents/",
                    "/regulation/library/", "/regulation/frameworks/", f"/use-cases/{world.uc_a.pk}/"):  # fmt: skip
            assert client.get(url).status_code == 200, (name, url)
        assert client.get(f"/regulation/risks/{risk.pk}/").status_code == 200
        assert client.get(f"/regulation/requirements/{requirement.pk}/").status_code == 200
    outsider = page_client_for("editor_b")
    assert outsider.get(f"/regulation/risks/{risk.pk}/").status_code == 404
    assert outsider.get(f"/regulation/requirements/{requirement.pk}/").status_code == 404
    assert "Biased triage" not in outsider.get("/regulation/risks/").content.decode()
    assert page_client_for("viewer_a").get(f"/use-cases/{world.uc_a.pk}/risks/new/").status_code == 403
    assert Risk.objects.count() == 1


def test_owner_choices_are_the_people_who_can_see_the_use_case(world):
    from aihq.regulation.forms import RequirementForm

    names = {u.username for u in RequirementForm(instance=_requirement(world.uc_a)).fields["owner"].queryset}
    assert names == {"hq_admin", "auditor", "coordinator_a", "editor_a", "viewer_a"}
    below = {u.username for u in RequirementForm(instance=_requirement(world.uc_a1)).fields["owner"].queryset}
    assert below == {"hq_admin", "auditor", "coordinator_a"}


@pytest.mark.parametrize("endpoint", ["risks", "incidents", "requirements", "classifications", "evidence"])
def test_list_endpoints_query_count_does_not_grow_with_rows(world, api_client_for, endpoint, system_actor):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def add(n: int) -> None:
        for i in range(n):
            risk = services.risk_create(
                actor=system_actor, use_case=world.uc_a, title=f"r{i}", category="7.3", likelihood=2, severity=2
            )
            incident = services.incident_create(
                actor=system_actor,
                use_case=world.uc_a,
                title=f"i{i}",
                occurred_on=dt.date(2026, 1, 1),
                detected_on=dt.date(2026, 1, 2),
                severity="minor",
                risks=[risk],
            )
            services.incident_move(actor=system_actor, incident=incident, to_status="investigating")
            requirement = _requirement(world.uc_a, requirement_id=f"x-{i}-{n}", owner=world.users["editor_a"])
            services.evidence_add(actor=system_actor, requirement=requirement, url=f"https://example.org/{i}")
            services.classify_use_case(
                actor=system_actor,
                use_case=[world.uc_a, world.uc_a1, world.uc_b][i % 3],
                framework_code=["ru-ai-ethics", "nist-ai-rmf"][n % 2],
                answers={"acceded": True} if n % 2 == 0 else {"functions": ["GOVERN"]},
            )

    client = api_client_for("hq_admin")
    add(2)
    client.get(f"/api/v1/{endpoint}/")  # the first request also reads the user's memberships
    with CaptureQueriesContext(connection) as few:
        assert client.get(f"/api/v1/{endpoint}/").status_code == 200
    add(3)
    with CaptureQueriesContext(connection) as more:
        assert client.get(f"/api/v1/{endpoint}/").status_code == 200
    assert len(more) == len(few), [q["sql"][:120] for q in more.captured_queries]


@pytest.mark.parametrize("kind", ["requirements", "risks", "incidents"])
def test_registers_export_as_csv_and_xlsx_within_scope(world, page_client_for, kind):
    import csv as csvlib

    _risk(world)
    _requirement(world.uc_a, due_date=dt.date(2020, 1, 1))
    services.incident_create(
        actor=world.users["editor_a"],
        use_case=world.uc_a,
        title="Wrong denial",
        occurred_on=dt.date(2026, 1, 5),
        detected_on=dt.date(2026, 1, 7),
        severity="serious",
    )
    response = page_client_for("coordinator_a").get(f"/regulation/{kind}.csv")
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    rows = list(csvlib.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert [row["organisation"] for row in rows] == ["A"]
    if kind == "requirements":
        assert rows[0]["overdue"] == "yes"
    xlsx = page_client_for("coordinator_a").get(f"/regulation/{kind}.xlsx")
    assert xlsx.content[:2] == b"PK"
    outsider = page_client_for("editor_b").get(f"/regulation/{kind}.csv").content.decode("utf-8-sig")
    assert len(outsider.strip().splitlines()) == 1  # the header only
    assert page_client_for("coordinator_a").get(f"/regulation/{kind}.pdf").status_code == 404
    assert page_client_for("coordinator_a").get(f"/regulation/{kind}.csv?use_case=abc").status_code == 400
