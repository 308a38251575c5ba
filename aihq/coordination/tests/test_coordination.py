"""Coordination with a database and the real sentence encoder: embeddings kept current, similar use cases within
the reader's scope (also across languages), similar public incidents, the duplicate job, verdicts that come back
when texts change, API, pages and CLI."""

from __future__ import annotations

import csv
import gzip
import io
import json
from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command

from aihq.audit.models import AuditEvent
from aihq.coordination import embeddings, selectors, services
from aihq.coordination.models import PairDecision, SimilarPair, UseCaseEmbedding
from aihq.core.services import ConflictError
from aihq.registry.models import Organisation, Stage
from aihq.registry.services import use_case_create, use_case_update

pytestmark = pytest.mark.django_db

INVENTORY = Path(__file__).resolve().parents[2] / "exchange" / "data" / "us_omb_2024_inventory.csv.gz"
CROSSLINGUAL = Path(__file__).parent / "data" / "crosslingual_ru.csv"

CHATBOT_B = "Citizen chatbot answering questions about benefits and tax forms"
FORECAST = "Forecasting river floods from rainfall and gauge readings to warn residents"


@pytest.fixture
def similar_world(world, system_actor):
    """A's chatbot has a near twin in B and in A1; B also has an unrelated flood forecast."""
    use_case_update(
        actor=system_actor,
        use_case=world.uc_a,
        name="Benefits chatbot",
        purpose="A chatbot that answers citizens' questions about social benefits and tax forms",
    )
    use_case_update(actor=system_actor, use_case=world.uc_b, name="Citizen chatbot", purpose=CHATBOT_B)
    use_case_update(actor=system_actor, use_case=world.uc_a1, name="Benefits assistant", purpose=CHATBOT_B)
    world.flood = use_case_create(actor=system_actor, organisation=world.org_b, name="Flood warning", purpose=FORECAST)
    embeddings.embed_use_cases()
    for uc in (world.uc_a, world.uc_b, world.uc_a1):
        uc.refresh_from_db()
    return world


class TestEmbeddings:
    def test_missing_changed_or_other_model_embeddings_are_computed_and_nothing_else(self, world, monkeypatch):
        assert embeddings.embed_use_cases() == 3
        assert embeddings.embed_use_cases() == 0
        stored = UseCaseEmbedding.objects.get(use_case=world.uc_a)
        vector = embeddings.as_vector(stored.vector)
        assert vector.shape == (512,)
        assert abs(float(vector @ vector) - 1.0) < 1e-5
        use_case_update(actor=world.users["editor_a"], use_case=world.uc_a, purpose="Something else entirely")
        assert embeddings.embed_use_cases() == 1
        monkeypatch.setattr(embeddings, "MODEL", "another-model-1.0")
        assert embeddings.embed_use_cases() == 3
        assert set(UseCaseEmbedding.objects.values_list("model", flat=True)) == {"another-model-1.0"}

    def test_a_use_case_saved_one_by_one_is_embedded_once_committed(
        self, world, settings, system_actor, django_capture_on_commit_callbacks
    ):
        settings.AIHQ_EMBED_ON_SAVE = True
        with django_capture_on_commit_callbacks(execute=True):
            created = use_case_create(actor=system_actor, organisation=world.org_b, name="Speech to text for hotlines")
        assert UseCaseEmbedding.objects.filter(use_case=created, model=embeddings.MODEL).exists()


class TestSimilar:
    def test_twins_in_other_organisations_come_first_and_explain_themselves(self, similar_world):
        world = similar_world
        found = selectors.similar_use_cases(world.users["hq_admin"], world.uc_a)
        names = [s.use_case.name for s in found]
        assert names[:2] == ["Benefits assistant", "Citizen chatbot"] or names[:2] == [
            "Citizen chatbot",
            "Benefits assistant",
        ]
        assert "Flood warning" not in names[:2]
        assert all(s.use_case.organisation_id != world.uc_a.organisation_id for s in found)
        assert all(s.score >= selectors.MIN_SCORE for s in found)
        assert "chatbot" in next(s for s in found if s.use_case.name == "Citizen chatbot").shared_words

    def test_a_reader_sees_only_what_they_may(self, similar_world):
        world = similar_world
        seen_by_a = [s.use_case.name for s in selectors.similar_use_cases(world.users["coordinator_a"], world.uc_a)]
        assert seen_by_a == ["Benefits assistant"]  # A1 is coordinated; B is not visible
        assert selectors.similar_use_cases(world.users["editor_a"], world.uc_a) == []

    def test_shared_components_are_named(self, similar_world, system_actor):
        from aihq.sovereignty import services as sovereignty

        world = similar_world
        component = sovereignty.component_create(actor=system_actor, type="model", name="GigaChat")
        for uc in (world.uc_a, world.uc_b):
            sovereignty.bom_add(actor=system_actor, use_case=uc, component=component)
        found = {s.use_case.name: s for s in selectors.similar_use_cases(world.users["hq_admin"], world.uc_a)}
        assert found["Citizen chatbot"].shared_components == ["GigaChat"]
        assert found["Benefits assistant"].shared_components == []

    def test_similar_as_you_type(self, similar_world, page_client_for):
        world = similar_world
        client = page_client_for("hq_admin")
        response = client.post(
            "/use-cases/similar-preview/", {"name": "Tax chatbot", "purpose": "Answers questions on tax forms"}
        )
        assert response.status_code == 200
        assert "Citizen chatbot" in response.content.decode()
        assert client.post("/use-cases/similar-preview/", {"name": "x"}).content.strip() == b""
        excluded = client.post(f"/use-cases/similar-preview/?exclude={world.uc_b.pk}", {"purpose": CHATBOT_B})
        assert "Citizen chatbot" not in excluded.content.decode()
        assert (
            "Citizen chatbot"
            not in page_client_for("editor_a")
            .post("/use-cases/similar-preview/", {"purpose": CHATBOT_B})
            .content.decode()
        )


def _inventory() -> list[dict[str, str]]:
    text = gzip.decompress(INVENTORY.read_bytes()).decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(text)))


def test_a_russian_description_finds_its_english_twin_among_the_whole_us_inventory():
    """The model across languages, on the real 2024 inventory (1,757 texts), through AIHQ's own text rule."""
    import numpy as np

    rows = _inventory()
    texts = [
        embeddings.use_case_text(r["2_use_case_name"], "", r["11_purpose_benefits"], r["12_outputs"]) for r in rows
    ]
    corpus = embeddings.encode(texts)
    russian = list(csv.DictReader(CROSSLINGUAL.open(encoding="utf-8")))
    queries = embeddings.encode([r["text_ru"] for r in russian])
    for query, twin in zip(queries, russian, strict=True):
        order = np.argsort(-(corpus @ query), kind="stable")[:3]
        top3 = {(rows[i]["3_abr"], rows[i]["2_use_case_name"]) for i in order}
        assert (twin["agency"], twin["name"]) in top3, twin["name"]


def test_the_same_through_the_product_with_scoping(world, system_actor):
    rows = _inventory()
    russian = list(csv.DictReader(CROSSLINGUAL.open(encoding="utf-8")))
    wanted = {(r["agency"], r["name"]) for r in russian}
    chosen = [r for r in rows if (r["3_abr"], r["2_use_case_name"]) in wanted] + rows[:60]
    us = Organisation.objects.create(code="US-DEMO", name_en="US agencies")
    for r in chosen:
        use_case_create(
            actor=system_actor, organisation=us, name=r["2_use_case_name"][:500], purpose=r["11_purpose_benefits"],
            outputs=r["12_outputs"], stage=Stage.PRODUCTION,
        )  # fmt: skip
    embeddings.embed_use_cases()
    for twin in russian:
        top3 = [s.use_case.name for s in selectors.similar_to_text(world.users["hq_admin"], twin["text_ru"], k=3)]
        assert twin["name"] in top3, twin["name"]
    assert selectors.similar_to_text(world.users["editor_a"], russian[0]["text_ru"]) == []


class TestIncidents:
    def test_similar_public_incidents_and_a_risk_from_one(self, similar_world, page_client_for):
        from aihq.regulation.models import PublicIncident

        world = similar_world
        bot = PublicIncident.objects.create(
            source_id=9001, title="Government benefits chatbot gave wrong answers about tax forms", mit_domain="3",
            mit_subdomain="3.1", description="A public chatbot told citizens wrong things about benefits.",
        )  # fmt: skip
        PublicIncident.objects.create(source_id=9002, title="Self-driving car hits a pedestrian", mit_domain="7")
        assert embeddings.embed_incidents() == 2
        found = selectors.similar_incidents(world.uc_a)
        assert next(incident.pk for incident, _score in found) == bot.pk
        page = page_client_for("editor_a").get(f"/use-cases/{world.uc_a.pk}/")
        assert "Government benefits chatbot" in page.content.decode()
        form = page_client_for("editor_a").get(f"/use-cases/{world.uc_a.pk}/risks/new/?incident={bot.pk}")
        assert form.context["form"].initial["title"].startswith("Like AIID #9001")
        assert form.context["form"].initial["category"] == "3.1"


class TestDuplicates:
    def test_the_job_lists_cross_organisation_pairs_in_clusters(self, similar_world):
        world = similar_world
        outcome = services.find_duplicates(actor=world.users["hq_admin"], threshold=0.6)
        pairs = {(p.use_case_a_id, p.use_case_b_id): p for p in SimilarPair.objects.all()}
        chatbots = sorted([world.uc_a.pk, world.uc_b.pk, world.uc_a1.pk])
        assert (chatbots[0], chatbots[1]) in pairs or (chatbots[0], chatbots[2]) in pairs
        assert all(p.use_case_a.organisation_id != p.use_case_b.organisation_id for p in pairs.values())
        assert all(world.flood.pk not in key for key in pairs)
        assert len({p.cluster for p in pairs.values()}) == 1
        assert outcome["pairs"] == len(pairs)
        assert services.find_duplicates(actor=world.users["hq_admin"], threshold=0.6)["pairs"] == len(pairs)
        assert services.find_duplicates(actor=world.users["hq_admin"], threshold=0.99)["pairs"] == 0

    def test_only_hq_admins_run_it_and_the_threshold_is_checked(self, similar_world):
        with pytest.raises(PermissionDenied):
            services.find_duplicates(actor=similar_world.users["coordinator_a"])
        with pytest.raises(ValidationError):
            services.find_duplicates(actor=similar_world.users["hq_admin"], threshold=1.5)

    def test_a_verdict_is_audited_remembered_and_comes_back_when_a_text_changes(self, similar_world):
        world = similar_world
        services.find_duplicates(actor=world.users["hq_admin"], threshold=0.5)
        pair = SimilarPair.objects.get(
            use_case_a=min(world.uc_a.pk, world.uc_b.pk), use_case_b=max(world.uc_a.pk, world.uc_b.pk)
        )
        decision = services.decide(
            actor=world.users["hq_admin"], use_case_a=world.uc_b, use_case_b=world.uc_a, verdict="not_related", note="x"
        )
        assert (decision.use_case_a_id, decision.use_case_b_id) == (pair.use_case_a_id, pair.use_case_b_id)
        assert AuditEvent.objects.filter(object_type="coordination.pairdecision", action="create").count() == 1
        open_pairs = [r.pair.pk for c in selectors.clusters(world.users["hq_admin"]) for r in c.reviews]
        assert pair.pk not in open_pairs
        services.find_duplicates(actor=world.users["hq_admin"], threshold=0.5)  # the list is rebuilt, verdicts stay
        assert PairDecision.objects.count() == 1
        use_case_update(actor=world.users["editor_b"], use_case=world.uc_b, purpose=CHATBOT_B + " and pensions")
        embeddings.embed_use_cases()
        reopened = [r for c in selectors.clusters(world.users["hq_admin"]) for r in c.reviews if r.decision]
        assert [r.reopened for r in reopened] == [True]
        with pytest.raises(ConflictError):
            services.decide(
                actor=world.users["hq_admin"], use_case_a=world.uc_a, use_case_b=world.uc_b, verdict="duplicate",
                expected_version=decision.version + 3,
            )  # fmt: skip

    def test_who_may_decide(self, similar_world):
        world = similar_world
        with pytest.raises(PermissionDenied):
            services.decide(
                actor=world.users["coordinator_a"], use_case_a=world.uc_a, use_case_b=world.uc_b, verdict="reuse"
            )
        services.decide(
            actor=world.users["coordinator_a"], use_case_a=world.uc_a, use_case_b=world.uc_a1, verdict="reuse"
        )
        with pytest.raises(PermissionDenied):
            services.decide(
                actor=world.users["editor_a"], use_case_a=world.uc_a, use_case_b=world.uc_a1, verdict="reuse"
            )
        with pytest.raises(ValidationError):
            services.decide(
                actor=world.users["hq_admin"], use_case_a=world.uc_a, use_case_b=world.uc_a, verdict="reuse"
            )
        with pytest.raises(ValidationError):
            services.decide(
                actor=world.users["hq_admin"], use_case_a=world.uc_a, use_case_b=world.uc_b, verdict="maybe"
            )


class TestInterfaces:
    def test_api(self, similar_world, api_client_for):
        world = similar_world
        services.find_duplicates(actor=world.users["hq_admin"], threshold=0.5)
        admin = api_client_for("hq_admin")
        similar = admin.get(f"/api/v1/use-cases/{world.uc_a.pk}/similar/?limit=2").json()
        assert len(similar) == 2
        assert {"score", "shared_words", "organisation"} <= set(similar[0])
        assert api_client_for("editor_b").get(f"/api/v1/use-cases/{world.uc_a.pk}/similar/").status_code == 404
        assert admin.get(f"/api/v1/use-cases/{world.uc_a.pk}/similar/?limit=x").status_code == 400
        pairs = admin.get("/api/v1/duplicates/?open=true").json()
        assert pairs["count"] >= 1
        assert api_client_for("editor_b").get("/api/v1/duplicates/").json()["count"] == 0
        body = {"use_case_a": world.uc_a.pk, "use_case_b": world.uc_b.pk, "verdict": "duplicate", "note": "same bot"}
        assert api_client_for("coordinator_a").post("/api/v1/pair-decisions/", body, format="json").status_code in (
            400,
            403,
        )
        created = admin.post("/api/v1/pair-decisions/", body, format="json")
        assert created.status_code == 201
        stale = admin.post("/api/v1/pair-decisions/", {**body, "version": 9}, format="json")
        assert stale.status_code == 409
        assert admin.get("/api/v1/duplicates/?min_score=abc").status_code == 400

    def test_pages_and_cli(self, similar_world, page_client_for, capsys):
        world = similar_world
        call_command("find_duplicates", "--threshold", "0.5", "--json")
        outcome = json.loads(capsys.readouterr().out)
        assert outcome["pairs"] >= 1
        admin = page_client_for("hq_admin")
        page = admin.get("/coordination/")
        assert page.status_code == 200
        assert b'data-testid="pair"' in page.content
        pair = SimilarPair.objects.order_by("-score").first()
        response = admin.post(
            "/coordination/decide/",
            {
                "use_case_a": pair.use_case_a_id,
                "use_case_b": pair.use_case_b_id,
                "verdict": "reuse",
                "next": "/coordination/",
            },
        )
        assert response.status_code == 302
        assert PairDecision.objects.get().verdict == "reuse"
        assert (
            page_client_for("editor_b")
            .post(
                "/coordination/decide/", {"use_case_a": world.uc_a.pk, "use_case_b": world.uc_b.pk, "verdict": "reuse"}
            )
            .status_code
            == 404
        )
        report = admin.get("/coordination/organisations/A/?format=csv")
        assert report.status_code == 200
        assert "reuse" in report.content.decode("utf-8-sig")
        assert admin.get("/coordination/organisations/A/").status_code == 200
        assert page_client_for("editor_b").get("/coordination/organisations/A/").status_code == 404
        assert page_client_for("coordinator_a").post("/coordination/run/").status_code == 403
        assert admin.post("/coordination/run/", {"threshold": "0.5"}).status_code == 302
        detail = admin.get(f"/use-cases/{world.uc_a.pk}/").content.decode()
        assert "Similar use cases in other organisations" in detail
        assert "Citizen chatbot" in detail


def test_the_index_follows_edits_additions_and_deletions(world, system_actor):
    from aihq.registry.services import use_case_delete

    embeddings.embed_use_cases()
    first = embeddings.use_case_index()
    assert sorted(first.ids.tolist()) == sorted([world.uc_a.pk, world.uc_a1.pk, world.uc_b.pk])
    use_case_update(actor=system_actor, use_case=world.uc_b, purpose="Flood forecasting from river gauges")
    added = use_case_create(actor=system_actor, organisation=world.org_b, name="Speech to text")
    embeddings.embed_use_cases()
    patched = embeddings.use_case_index()
    assert sorted(patched.ids.tolist()) == sorted([world.uc_a.pk, world.uc_a1.pk, world.uc_b.pk, added.pk])
    row = patched.position()[world.uc_b.pk]
    stored = embeddings.as_vector(UseCaseEmbedding.objects.get(use_case=world.uc_b).vector)
    assert float(patched.matrix[row] @ stored) > 0.999
    assert float(first.matrix[first.position()[world.uc_b.pk]] @ stored) < 0.99  # the old one was not changed
    use_case_delete(actor=system_actor, use_case=added)
    assert added.pk not in embeddings.use_case_index().ids.tolist()


def test_a_verdict_never_redirects_off_site(similar_world, page_client_for):
    world = similar_world
    admin = page_client_for("hq_admin")
    for target in ("https://evil.example/", "//evil.example/", "/\\evil.example/"):
        response = admin.post(
            "/coordination/decide/",
            {"use_case_a": world.uc_a.pk, "use_case_b": world.uc_b.pk, "verdict": "reuse", "next": target},
        )
        assert response.status_code == 302
        assert response["Location"] == "/coordination/", target


def test_a_new_model_re_embeds_but_keeps_verdicts_closed(similar_world, monkeypatch):
    world = similar_world
    services.find_duplicates(actor=world.users["hq_admin"], threshold=0.5)
    services.decide(actor=world.users["hq_admin"], use_case_a=world.uc_a, use_case_b=world.uc_b, verdict="reuse")
    monkeypatch.setattr(embeddings, "MODEL", "usem3-next")
    assert embeddings.embed_use_cases() == 4
    decided = [r for c in selectors.clusters(world.users["hq_admin"], only_open=False) for r in c.reviews if r.decision]
    assert [r.reopened for r in decided] == [False]
    assert all(r.decision is None for c in selectors.clusters(world.users["hq_admin"]) for r in c.reviews)


def test_odd_digits_are_not_a_server_error(similar_world, page_client_for):
    world = similar_world
    client = page_client_for("hq_admin")
    assert client.post("/use-cases/similar-preview/?exclude=%C2%B2", {"purpose": CHATBOT_B}).status_code == 200
    assert client.get(f"/use-cases/{world.uc_a.pk}/risks/new/?incident=%C2%B2").status_code == 200
    assert client.post("/coordination/run/", {"threshold": "abc"}).status_code == 302
