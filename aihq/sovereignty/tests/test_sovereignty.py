"""Suppliers, components and AI-BOMs in the database: CycloneDX import/export, inference from inventories, the
dashboard's measures, cut-off scenarios, agreements, settings, scoping, API, pages and CLI."""

from __future__ import annotations

import copy
import datetime as dt
import io
import json
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command

from aihq.audit.models import AuditEvent
from aihq.sovereignty import cyclonedx, selectors, services
from aihq.sovereignty.models import BomEntry, Component, Supplier

pytestmark = pytest.mark.django_db

FIXTURE = Path(__file__).parent / "data" / "aibom-ok.json"


def _document() -> dict:
    document: dict = json.loads(FIXTURE.read_text(encoding="utf-8"))
    return document


def _component(world, name: str, country: str, *, kind="model", **fields) -> Component:
    supplier = Supplier.objects.filter(name=f"{name} Inc").first() or services.supplier_create(
        actor=world.users["hq_admin"], name=f"{name} Inc", jurisdiction=country
    )
    return services.component_create(actor=world.users["hq_admin"], type=kind, name=name, supplier=supplier, **fields)


class TestAibomExchange:
    def test_import_creates_suppliers_components_and_entries_then_exports_a_valid_bom(self, world):
        outcome = services.import_aibom(
            actor=world.users["editor_a"], use_case=world.uc_a, content=FIXTURE.read_bytes()
        )
        parsed = cyclonedx.parse_bom(_document())
        assert len(outcome.created) == len(parsed.components)
        types = set(BomEntry.objects.filter(use_case=world.uc_a).values_list("component__type", flat=True))
        assert {"model", "dataset", "framework", "cloud", "hardware"} <= types
        model = Component.objects.get(type="model", uses__use_case=world.uc_a)
        assert model.supplier.jurisdiction == "US"
        assert model.model_card is not None
        assert model.model_card["modelParameters"]["task"] == "text-generation"
        document = services.export_aibom(world.uc_a)
        assert cyclonedx.validate(document) == []
        again = cyclonedx.parse_bom(document)
        assert not again.errors
        assert {(c.type, c.name, getattr(c.supplier, "country", "")) for c in again.components} == {
            (c.type, c.name, getattr(c.supplier, "country", "")) for c in parsed.components
        }
        assert AuditEvent.objects.filter(object_type="sovereignty.bomentry", action="create").count() == len(
            parsed.components
        )

    def test_second_import_changes_nothing_and_a_dry_run_saves_nothing(self, world):
        editor = world.users["editor_a"]
        preview = services.import_aibom(actor=editor, use_case=world.uc_a, content=FIXTURE.read_bytes(), dry_run=True)
        assert preview.created
        assert not BomEntry.objects.exists()
        assert not Supplier.objects.exists()
        services.import_aibom(actor=editor, use_case=world.uc_a, content=FIXTURE.read_bytes())
        second = services.import_aibom(actor=editor, use_case=world.uc_a, content=FIXTURE.read_bytes())
        assert second.created == []
        assert second.updated == []
        assert len(second.unchanged) == BomEntry.objects.count()

    @pytest.mark.parametrize(
        ("mutate", "place"),
        [
            (lambda d: d["components"][0]["supplier"]["address"].update(country="Narnia"), "country"),
            (lambda d: d.update(specVersion="1.4"), "specVersion"),
            (lambda d: d["components"][1].update(type="spaceship"), "type"),
            (lambda d: d["components"][2].pop("name"), "name"),
        ],
    )
    def test_a_malformed_bom_is_refused_with_the_place_named_and_nothing_changes(self, world, mutate, place):
        document = _document()
        mutate(document)
        with pytest.raises(services.AibomErrors) as caught:
            services.import_aibom(actor=world.users["editor_a"], use_case=world.uc_a, content=document)
        assert any(place in p.field for p in caught.value.problems if p.level == "error")
        assert not BomEntry.objects.exists()
        assert not Component.objects.exists()

    def test_not_json_is_refused(self, world):
        with pytest.raises(services.AibomErrors):
            services.import_aibom(actor=world.users["editor_a"], use_case=world.uc_a, content=b"{not json")

    @pytest.mark.parametrize("user", ["editor_b", "viewer_a"])
    def test_only_editors_of_the_use_case_import(self, world, user):
        with pytest.raises(PermissionDenied):
            services.import_aibom(actor=world.users[user], use_case=world.uc_a, content=FIXTURE.read_bytes())

    def test_existing_records_are_filled_not_overwritten(self, world):
        supplier = services.supplier_create(
            actor=world.users["hq_admin"], name="Meta Platforms, Inc.", jurisdiction="IE"
        )
        outcome = services.import_aibom(
            actor=world.users["editor_a"], use_case=world.uc_a, content=FIXTURE.read_bytes()
        )
        supplier.refresh_from_db()
        assert supplier.jurisdiction == "IE"
        assert any("country" in w.field for w in outcome.warnings)

    def test_api_export_import_and_errors(self, world, api_client_for):
        client = api_client_for("editor_a")
        upload = SimpleUploadedFile("bom.cdx.json", FIXTURE.read_bytes(), content_type="application/json")
        response = client.post(f"/api/v1/use-cases/{world.uc_a.pk}/aibom/", {"file": upload})
        assert response.status_code == 200, response.content
        assert response.json()["created"]
        exported = api_client_for("viewer_a").get(f"/api/v1/use-cases/{world.uc_a.pk}/aibom/")
        assert exported.status_code == 200
        assert cyclonedx.validate(exported.json()) == []
        bad = _document()
        bad["components"][0]["supplier"]["address"]["country"] = "XX"
        refused = client.post(f"/api/v1/use-cases/{world.uc_a.pk}/aibom/", bad, format="json")
        assert refused.status_code == 400
        assert refused.json()["errors"]["rows"][0]["row"] == 1
        assert api_client_for("editor_b").get(f"/api/v1/use-cases/{world.uc_a.pk}/aibom/").status_code == 404
        assert (
            api_client_for("viewer_a").post(f"/api/v1/use-cases/{world.uc_a.pk}/aibom/", bad, format="json").status_code
            == 403
        )

    def test_cli_import_and_export(self, world, tmp_path):
        out = io.StringIO()
        call_command("import_aibom", str(FIXTURE), "--use-case", str(world.uc_a.pk), stdout=out)
        assert "added" in out.getvalue()
        target = tmp_path / "bom.json"
        call_command("export_aibom", "--use-case", str(world.uc_a.pk), "--output", str(target), stdout=io.StringIO())
        assert cyclonedx.validate(json.loads(target.read_text(encoding="utf-8"))) == []
        broken = tmp_path / "broken.json"
        broken.write_text('{"bomFormat": "CycloneDX", "specVersion": "1.6", "components": [{"type": "data"}]}')
        with pytest.raises(CommandError):
            call_command("import_aibom", str(broken), "--use-case", str(world.uc_a.pk), stderr=io.StringIO())


def test_inventory_vendors_become_inferred_suppliers_with_known_jurisdictions(world):
    from aihq.exchange.services import ImportOptions, import_usecases

    content = "name,organisation,stage,vendors\nGov chatbot,A,pilot,Сбер; Microsoft; Acme Analytics\n".encode()
    run = import_usecases(
        actor=world.users["hq_admin"], data=content, file_name="x.csv", options=ImportOptions(format="csv")
    )
    assert run.status == "applied", run.error
    entries = BomEntry.objects.filter(use_case__name="Gov chatbot").select_related("component__supplier")
    found = {(e.component.supplier.name, e.component.supplier.jurisdiction, e.inferred) for e in entries}
    assert found == {("Sber", "RU", True), ("Microsoft", "US", True), ("Acme Analytics", "", True)}


class TestMeasuresOverTheDatabase:
    def test_dashboard_shares_concentration_and_scope(self, world):
        us_model = _component(world, "Llama", "US", licence="MIT", open_weights=True, hosting="on_premises")
        ru_model = _component(world, "GigaChat", "RU", hosting="domestic_cloud")
        services.bom_add(actor=world.users["editor_a"], use_case=world.uc_a, component=us_model, criticality="critical")
        services.bom_add(
            actor=world.users["hq_admin"], use_case=world.uc_a1, component=ru_model, criticality="critical"
        )
        services.bom_add(actor=world.users["editor_b"], use_case=world.uc_b, component=ru_model)
        board = selectors.dashboard(world.users["hq_admin"], dt.date.today())
        assert board.use_cases == 3
        assert board.overall.foreign == 1
        assert board.overall.share == pytest.approx(1 / 3)
        # use cases by supplier: Llama Inc 1, GigaChat Inc 2 → shares 33.3 % and 66.7 % → HHI 1,111 + 4,444
        assert board.by_supplier.hhi == pytest.approx(10_000 * ((1 / 3) ** 2 + (2 / 3) ** 2))
        mine = selectors.dashboard(world.users["editor_a"], dt.date.today())
        assert mine.use_cases == 1
        assert mine.overall.share == 1.0

    def test_an_agreement_in_force_raises_the_score_of_its_countrys_components(self, world):
        model = _component(world, "Llama", "US", licence="MIT", open_weights=True, hosting="on_premises",
                           replaceability="drop_in")  # fmt: skip
        services.bom_add(actor=world.users["editor_a"], use_case=world.uc_a, component=model, criticality="critical")
        before = selectors.use_case_score(world.uc_a, dt.date.today()).value
        services.agreement_create(
            actor=world.users["hq_admin"], title="AI cooperation", partner_country="us", kind="cooperation",
            status="in_force",
        )  # fmt: skip
        after = selectors.use_case_score(world.uc_a, dt.date.today()).value
        board = selectors.dashboard(world.users["hq_admin"], dt.date.today())
        assert (board.foreign_dependencies, board.covered_dependencies) == (1, 1)
        # the jurisdiction factor moves from 0 to 0.5 at weight 0.4: +20 points
        assert before is not None
        assert after is not None
        assert after - before == pytest.approx(20.0)


class TestScenarios:
    def test_cutting_a_jurisdiction_lists_broken_use_cases_within_scope(self, world, api_client_for):
        from aihq.objectives.models import Contribution

        us_model = _component(world, "Llama", "US")
        us_lib = _component(world, "PyTorch", "US", kind="framework", alternatives="TensorFlow")
        services.bom_add(actor=world.users["editor_a"], use_case=world.uc_a, component=us_model, criticality="critical")
        services.bom_add(actor=world.users["editor_b"], use_case=world.uc_b, component=us_lib, criticality="minor")
        scenario = services.scenario_create(actor=world.users["hq_admin"], name="No US", jurisdictions=["us"])
        assert scenario.jurisdictions == ["US"]
        result = selectors.scenario_result(world.users["hq_admin"], scenario)
        assert (result.breaks, result.degraded) == (1, 1)
        assert result.by_organisation == {"A": 1, "B": 1}
        assert result.by_region == {"RU-TA": 1}
        assert Contribution.objects.count() == 0
        body = api_client_for("editor_a").get(f"/api/v1/cutoff-scenarios/{scenario.pk}/results/").json()
        assert [u["name"] for u in body["use_cases"]] == ["Chatbot A"]
        assert body["use_cases"][0]["breaks"] is True
        other = api_client_for("editor_b").get(f"/api/v1/cutoff-scenarios/{scenario.pk}/results/").json()
        assert [(u["name"], u["breaks"], u["all_have_alternatives"]) for u in other["use_cases"]] == [
            ("Forecast B", False, True)
        ]

    def test_cutting_a_parent_supplier_takes_its_subsidiaries(self, world):
        parent = services.supplier_create(actor=world.users["hq_admin"], name="Holding", jurisdiction="RU")
        child = services.supplier_create(
            actor=world.users["hq_admin"], name="Cloud arm", jurisdiction="RU", parent=parent
        )
        cloud = services.component_create(actor=world.users["hq_admin"], type="cloud", name="Cloud", supplier=child)
        services.bom_add(actor=world.users["editor_a"], use_case=world.uc_a, component=cloud, criticality="critical")
        scenario = services.scenario_create(actor=world.users["hq_admin"], name="Holding gone", suppliers=[parent])
        result = selectors.scenario_result(world.users["hq_admin"], scenario)
        assert [a.impact.hit[0].reason for a in result.affected] == ["parent_supplier"]

    def test_only_hq_admins_write_scenarios_and_bad_countries_are_refused(self, world):
        with pytest.raises(PermissionDenied):
            services.scenario_create(actor=world.users["coordinator_a"], name="x", jurisdictions=["US"])
        with pytest.raises(ValidationError):
            services.scenario_create(actor=world.users["hq_admin"], name="x", jurisdictions=["ZZ"])


class TestReferenceData:
    def test_editors_add_suppliers_and_components_but_only_hq_changes_them(self, world):
        supplier = services.supplier_create(actor=world.users["editor_a"], name="Acme", jurisdiction="de")
        assert supplier.jurisdiction == "DE"
        with pytest.raises(PermissionDenied):
            services.supplier_update(actor=world.users["editor_a"], supplier=supplier, jurisdiction="FR")
        with pytest.raises(PermissionDenied):
            services.supplier_create(actor=world.users["viewer_a"], name="Other")
        with pytest.raises(ValidationError):
            services.supplier_create(actor=world.users["hq_admin"], name="Bad", jurisdiction="XX")
        component = services.component_create(actor=world.users["editor_a"], type="model", name="M", supplier=supplier)
        services.bom_add(actor=world.users["editor_a"], use_case=world.uc_a, component=component)
        with pytest.raises(ValidationError):
            services.component_delete(actor=world.users["hq_admin"], component=component)
        with pytest.raises(ValidationError):
            services.supplier_delete(actor=world.users["hq_admin"], supplier=supplier)

    def test_settings_weights_are_validated_and_hq_only(self, world, api_client_for):
        assert (
            api_client_for("editor_a")
            .patch("/api/v1/sovereignty/settings/", {"home_country": "US"}, format="json")
            .status_code
            == 403
        )
        bad = api_client_for("hq_admin").patch(
            "/api/v1/sovereignty/settings/",
            {"weight_jurisdiction": 0, "weight_licence": 0, "weight_replaceability": 0},
            format="json",
        )
        assert bad.status_code == 400
        ok = api_client_for("hq_admin").patch("/api/v1/sovereignty/settings/", {"home_country": "us"}, format="json")
        assert ok.status_code == 200
        assert selectors.settings().home_country == "US"


def test_pages_render_and_are_scoped(world, page_client_for):
    model = _component(world, "Llama", "US")
    services.bom_add(actor=world.users["editor_a"], use_case=world.uc_a, component=model, criticality="critical")
    scenario = services.scenario_create(actor=world.users["hq_admin"], name="No US", jurisdictions=["US"])
    for name in ("hq_admin", "coordinator_a", "viewer_a", "editor_b"):
        client = page_client_for(name)
        for url in ("/sovereignty/", "/sovereignty/help/", "/sovereignty/suppliers/", "/sovereignty/components/",
                    "/sovereignty/agreements/", f"/sovereignty/scenarios/{scenario.pk}/", "/sovereignty/settings/",
                    f"/sovereignty/components/{model.pk}/", "/sovereignty/scenarios/"):  # fmt: skip
            assert client.get(url).status_code == 200, (name, url)
    page = page_client_for("viewer_a").get(f"/use-cases/{world.uc_a.pk}/").content.decode()
    assert 'data-testid="aibom-table"' in page
    assert 'data-testid="bom-form"' not in page
    outsider = page_client_for("editor_b").get(f"/sovereignty/scenarios/{scenario.pk}/").content.decode()
    assert "Chatbot A" not in outsider
    assert page_client_for("viewer_a").get("/sovereignty/scenarios/new/").status_code == 403
    csv_text = page_client_for("hq_admin").get(f"/sovereignty/scenarios/{scenario.pk}/?format=csv").content.decode()
    assert "Chatbot A" in csv_text
    upload = SimpleUploadedFile("bom.json", FIXTURE.read_bytes())
    response = page_client_for("editor_a").post(f"/use-cases/{world.uc_a.pk}/aibom/import/", {"file": upload})
    assert response.status_code == 200
    assert response.context["outcome"].created
    bad = copy.deepcopy(_document())
    bad["components"][0]["name"] = ""
    refused = page_client_for("editor_a").post(
        f"/use-cases/{world.uc_a.pk}/aibom/import/", {"file": SimpleUploadedFile("b.json", json.dumps(bad).encode())}
    )
    assert refused.context["problems"]


@pytest.mark.parametrize("endpoint", ["suppliers", "components", "bom-entries", "agreements", "cutoff-scenarios"])
def test_list_endpoints_query_count_does_not_grow_with_rows(world, api_client_for, endpoint):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    admin = world.users["hq_admin"]

    def add(n: int, start: int) -> None:
        for i in range(start, start + n):
            component = _component(world, f"Model {i}", "US")
            services.bom_add(actor=admin, use_case=world.uc_a, component=component, criticality="critical")
            services.agreement_create(
                actor=admin, title=f"A{i}", partner_country="IN", kind="cooperation", suppliers=[component.supplier],
                organisations=[world.org_a],
            )  # fmt: skip
            services.scenario_create(
                actor=admin, name=f"S{i}", jurisdictions=["US"], suppliers=[component.supplier], components=[component]
            )

    client = api_client_for("hq_admin")
    add(2, 0)
    client.get(f"/api/v1/{endpoint}/")
    with CaptureQueriesContext(connection) as few:
        assert client.get(f"/api/v1/{endpoint}/").status_code == 200
    add(3, 10)
    with CaptureQueriesContext(connection) as more:
        assert client.get(f"/api/v1/{endpoint}/").status_code == 200
    assert len(more) == len(few), [q["sql"][:120] for q in more.captured_queries]


class TestReviewedEdges:
    """Edges a review found: each was a 500, a slowdown, a leak or a lost save before."""

    def test_settings_save_on_a_fresh_install(self, world, page_client_for):
        response = page_client_for("hq_admin").post(
            "/sovereignty/settings/",
            {"home_country": "ru", "weight_jurisdiction": 0.5, "weight_hosting": 0.2, "weight_licence": 0.2,
             "weight_replaceability": 0.1, "version": ""},
        )  # fmt: skip
        assert response.status_code == 302
        assert selectors.settings().weight_jurisdiction == 0.5

    @pytest.mark.parametrize("body", [[], "x", 1])
    def test_an_aibom_body_that_is_not_an_object_is_400(self, world, api_client_for, body):
        response = api_client_for("editor_a").post(
            f"/api/v1/use-cases/{world.uc_a.pk}/aibom/?dry_run=true", body, format="json"
        )
        assert response.status_code == 400

    def test_a_body_nested_too_deeply_is_400(self, world, api_client_for):
        deep = "[" * 100_000 + "]" * 100_000
        response = api_client_for("editor_a").generic(
            "POST", "/api/v1/components/", deep, content_type="application/json"
        )
        assert response.status_code == 400

    def test_too_many_components_are_refused_before_the_schema_is_read(self, world):
        document = _document()
        document["components"] = [
            {"type": "library", "name": f"lib{i}", "bom-ref": f"lib{i}"} for i in range(cyclonedx.MAX_COMPONENTS + 1)
        ]
        with pytest.raises(services.AibomErrors) as caught:
            services.import_aibom(actor=world.users["editor_a"], use_case=world.uc_a, content=document)
        assert [p.field for p in caught.value.problems] == ["components"]

    def test_what_the_schema_allows_but_aihq_cannot_hold_is_a_problem_not_a_crash(self, world, page_client_for):
        document = _document()
        document["components"][0]["supplier"]["url"] = ["www.example.org"]
        document["components"][0]["properties"] = [{"name": "aihq:role", "value": "r" * 500}]
        response = page_client_for("editor_a").post(
            f"/use-cases/{world.uc_a.pk}/aibom/import/",
            {"file": SimpleUploadedFile("b.json", json.dumps(document).encode())},
        )
        assert response.status_code == 200
        assert response.context["outcome"].created
        assert BomEntry.objects.get(bom_ref=document["components"][0]["bom-ref"]).role == "r" * 200

    def test_two_files_reusing_a_bom_ref_still_export(self, world):
        first: dict[str, Any] = {"bomFormat": "CycloneDX", "specVersion": "1.6", "version": 1,
                                 "components": [{"type": "library", "name": "alpha", "bom-ref": "x"}]}  # fmt: skip
        second = copy.deepcopy(first)
        second["components"][0]["name"] = "beta"
        for document in (first, second):
            services.import_aibom(actor=world.users["editor_a"], use_case=world.uc_a, content=document)
        exported = services.export_aibom(world.uc_a)
        assert cyclonedx.validate(exported) == []
        assert len({c["bom-ref"] for c in exported["components"]}) == 2

    def test_a_model_card_must_be_one_cyclonedx_accepts(self, world, api_client_for):
        body: dict[str, Any] = {"type": "model", "name": "M", "model_card": [1, 2]}
        assert api_client_for("editor_a").post("/api/v1/components/", body, format="json").status_code == 400
        body["model_card"] = {"modelParameters": {"task": "text-generation"}}
        assert api_client_for("editor_a").post("/api/v1/components/", body, format="json").status_code == 201
        assert api_client_for("editor_a").post("/api/v1/components/", body, format="json").status_code == 400

    def test_vendor_names_keep_their_commas_and_non_vendors_are_skipped(self):
        assert services.vendor_names("Booz Allen Hamilton, Inc.; N/A; TBD\nMicrosoft") == [
            "Booz Allen Hamilton, Inc.",
            "Microsoft",
        ]

    def test_agreements_show_only_the_organisations_and_use_cases_the_reader_may_see(self, world, api_client_for):
        services.agreement_create(
            actor=world.users["hq_admin"], title="T", partner_country="IN", kind="research",
            organisations=[world.org_a, world.org_b], use_cases=[world.uc_a, world.uc_b],
        )  # fmt: skip
        seen = api_client_for("viewer_a").get("/api/v1/agreements/").json()["results"][0]
        assert seen["organisations"] == ["A"]
        assert seen["use_cases"] == [world.uc_a.pk]
        everything = api_client_for("auditor").get("/api/v1/agreements/").json()["results"][0]
        assert sorted(everything["organisations"]) == ["A", "B"]

    def test_scenario_csv_cells_cannot_run_as_formulas(self, world, page_client_for):
        component = services.component_create(
            actor=world.users["editor_a"], type="model", name='=HYPERLINK("http://evil")',
            supplier=services.supplier_create(actor=world.users["hq_admin"], name="X", jurisdiction="US"),
        )  # fmt: skip
        services.bom_add(
            actor=world.users["editor_a"], use_case=world.uc_a, component=component, criticality="critical"
        )
        scenario = services.scenario_create(actor=world.users["hq_admin"], name="US", jurisdictions=["US"])
        text = page_client_for("hq_admin").get(f"/sovereignty/scenarios/{scenario.pk}/?format=csv").content.decode()
        assert "'=HYPERLINK" in text
