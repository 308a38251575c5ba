"""The public register with a database: the workflow, what the public sees (and never sees), history, open data,
caching, Art. 49(4), scoping, audit, API, pages and the CLI."""

from __future__ import annotations

import csv
import io
import json

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.test import Client
from openpyxl import load_workbook

from aihq.audit.models import AuditEvent
from aihq.core.services import ConflictError
from aihq.publication import selectors, services
from aihq.publication.models import PublicationProfile, PublicationRecord, PublishedVersion, RequestState
from aihq.registry.services import use_case_delete, use_case_update
from aihq.regulation.services import classify_use_case

pytestmark = pytest.mark.django_db

SECRET_REF = "SECRET-REF-4711"
ALL_BUT_REFERENCE_AND_CONTACT = [
    "organisation_kind", "description", "purpose", "outputs", "stage", "sectors", "regions", "is_generative",
    "techniques", "development_method", "date_deployed", "risk_tiers", "human_oversight", "data_used", "suppliers",
    "impact_assessments",
]  # fmt: skip


@pytest.fixture
def register(world, system_actor):
    """An open register that keeps the reference and the contact private; Chatbot A carries both."""
    services.profile_update(actor=system_actor, enabled=True, public_fields=ALL_BUT_REFERENCE_AND_CONTACT)
    use_case_update(
        actor=system_actor,
        use_case=world.uc_a,
        reference=SECRET_REF,
        purpose="Answer citizens' questions about benefits",
        description="Диалоговый помощник",
    )
    world.uc_a.refresh_from_db()
    return world


def _published(world, use_case=None, *, contact="ai@example.org", by="coordinator_a"):
    use_case = use_case or world.uc_a
    record = services.request_publication(actor=world.users[by], use_case=use_case, contact=contact)
    services.approve(actor=world.users[by], record=record)
    record.refresh_from_db()
    return record


anonymous = Client


class TestWorkflow:
    def test_an_editor_asks_a_coordinator_approves_and_a_version_is_kept(self, register):
        world = register
        record = services.request_publication(
            actor=world.users["editor_a"], use_case=world.uc_a, contact=" ai@example.org ", note="please"
        )
        assert record.request_state == RequestState.REQUESTED
        assert record.contact == "ai@example.org"
        assert not record.is_published
        version = services.approve(actor=world.users["coordinator_a"], record=record, note="ok")
        record.refresh_from_db()
        assert record.current == version
        assert version.number == 1
        assert record.request_state == RequestState.NONE
        assert record.decided_by == world.users["coordinator_a"]
        assert version.data["name"] == "Chatbot A"
        assert version.data["reference"] == SECRET_REF
        assert version.public_fields == ["name", "organisation", *ALL_BUT_REFERENCE_AND_CONTACT]
        assert version.use_case_version == world.uc_a.version
        assert AuditEvent.objects.filter(object_type="publication.publishedversion", action="create").count() == 1
        assert AuditEvent.objects.filter(object_type="publication.publicationrecord").count() >= 2

    def test_who_may_ask_approve_and_withdraw(self, register):
        world = register
        for name in ("viewer_a", "editor_b", "auditor"):
            with pytest.raises(PermissionDenied):
                services.request_publication(actor=world.users[name], use_case=world.uc_a)
        record = services.request_publication(actor=world.users["editor_a"], use_case=world.uc_a)
        for name in ("editor_a", "viewer_a", "editor_b"):
            with pytest.raises(PermissionDenied):
                services.approve(actor=world.users[name], record=record)
        # a coordinator approves below their organisation too; an HQ admin anywhere
        below = services.request_publication(actor=world.users["coordinator_a"], use_case=world.uc_a1)
        services.approve(actor=world.users["coordinator_a"], record=below)
        services.approve(actor=world.users["hq_admin"], record=record)
        with pytest.raises(PermissionDenied):
            services.withdraw(actor=world.users["editor_b"], record=record)
        services.withdraw(actor=world.users["editor_a"], record=record, reason="retired")
        record.refresh_from_db()
        assert not record.is_published
        assert record.withdrawal_reason == "retired"
        assert record.versions.get().withdrawn_at is not None

    def test_sending_back_needs_a_reason_and_a_pending_request(self, register):
        world = register
        record = services.request_publication(actor=world.users["editor_a"], use_case=world.uc_a)
        with pytest.raises(ValidationError):
            services.send_back(actor=world.users["coordinator_a"], record=record, note="  ")
        services.send_back(actor=world.users["coordinator_a"], record=record, note="Describe the data used")
        record.refresh_from_db()
        assert record.request_state == RequestState.REJECTED
        assert record.decision_note == "Describe the data used"
        with pytest.raises(ValidationError):
            services.send_back(actor=world.users["coordinator_a"], record=record, note="again")

    def test_stale_versions_are_refused(self, register):
        world = register
        record = services.request_publication(actor=world.users["editor_a"], use_case=world.uc_a)
        stale = record.version
        services.update_texts(actor=world.users["editor_a"], record=record, contact="x@example.org")
        with pytest.raises(ConflictError):
            services.approve(actor=world.users["coordinator_a"], record=record, expected_version=stale)
        assert not PublishedVersion.objects.exists()

    def test_a_changed_use_case_is_out_of_date_until_republished_and_history_keeps_both(self, register):
        world = register
        record = _published(world)
        assert list(selectors.out_of_date(world.users["coordinator_a"])) == []
        use_case_update(actor=world.users["editor_a"], use_case=world.uc_a, name="Chatbot A, second edition")
        assert list(selectors.out_of_date(world.users["coordinator_a"])) == [record]
        assert list(selectors.out_of_date(world.users["editor_b"])) == []
        record = services.request_publication(actor=world.users["editor_a"], use_case=world.uc_a)
        assert record.is_published  # the old version stays public while the update waits
        second = services.approve(actor=world.users["coordinator_a"], record=record)
        assert second.number == 2
        assert second.changed == ["name"]
        assert list(selectors.out_of_date(world.users["coordinator_a"])) == []
        page = anonymous().get(f"/register/records/{record.pk}/versions/1/")
        assert page.status_code == 200
        assert "Chatbot A, second edition" not in page.content.decode()
        body = anonymous().get(f"/register/records/{record.pk}.json").json()
        assert body["version"] == 2
        assert body["name"] == "Chatbot A, second edition"
        assert [h["version"] for h in body["history"]] == [2, 1]

    def test_deleting_a_use_case_withdraws_its_record_and_keeps_the_history(self, register):
        world = register
        record = _published(world)
        use_case_delete(actor=world.users["editor_a"], use_case=world.uc_a)
        record.refresh_from_db()
        assert record.use_case_id is None
        assert not record.is_published
        assert record.versions.count() == 1
        assert anonymous().get(f"/register/records/{record.pk}/").status_code == 404


class TestEuDatabaseExclusion:
    def test_law_enforcement_and_migration_systems_are_refused_with_the_article(self, register):
        world = register
        classify_use_case(
            actor=world.users["editor_a"],
            use_case=world.uc_a,
            framework_code="eu-ai-act",
            answers={"role": "deployer", "public_body": "public_authority", "annex_iii": ["6a"]},
        )
        with pytest.raises(ValidationError) as refused:
            services.request_publication(actor=world.users["editor_a"], use_case=world.uc_a)
        assert "49(4)" in str(refused.value)
        assert "6a" in str(refused.value)
        assert not PublicationRecord.objects.exists()
        counts = services.publish_many(actor=world.users["hq_admin"], use_cases=[world.uc_a, world.uc_a1])
        assert counts["refused"] == 1
        assert counts["published"] == 1

    def test_a_published_record_leaves_the_register_when_classified_into_annex_iii_point_7(self, register):
        world = register
        record = _published(world)
        classify_use_case(
            actor=world.users["editor_a"],
            use_case=world.uc_a,
            framework_code="eu-ai-act",
            answers={"role": "deployer", "public_body": "public_authority", "annex_iii": ["7b"]},
        )
        record.refresh_from_db()
        assert not record.is_published
        assert "49(4)" in record.withdrawal_reason
        assert anonymous().get(f"/register/records/{record.pk}/").status_code == 404


class TestWhatThePublicSees:
    def test_a_closed_register_answers_404_everywhere(self, world, system_actor):
        record = _published(world)
        for url in ("/register/", "/register/data/", "/register/register.json", f"/register/records/{record.pk}/"):
            assert anonymous().get(url).status_code == 404, url

    def test_only_published_records_and_only_their_public_fields(self, register):
        world = register
        record = _published(world)
        pending = services.request_publication(actor=world.users["coordinator_a"], use_case=world.uc_a1)
        page = anonymous().get(f"/register/records/{record.pk}/")
        html = page.content.decode()
        assert page.status_code == 200
        assert "Chatbot A" in html
        assert "Answer citizens" in html
        assert SECRET_REF not in html
        assert "ai@example.org" not in html
        assert anonymous().get(f"/register/records/{pending.pk}/").status_code == 404
        assert anonymous().get(f"/register/records/{pending.pk}.json").status_code == 404
        listing = anonymous().get("/register/").content.decode()
        assert "Chatbot A" in listing
        assert "Vision A1" not in listing

    def test_the_dumps_hold_exactly_the_published_records_and_no_private_field(self, register):
        world = register
        first = _published(world)
        second = _published(world, world.uc_a1)
        withdrawn = _published(world, world.uc_b, by="hq_admin")
        services.withdraw(actor=world.users["hq_admin"], record=withdrawn)
        services.request_publication(actor=world.users["editor_a"], use_case=world.uc_a)  # pending update
        body = anonymous().get("/register/register.json").json()
        assert sorted(r["id"] for r in body["records"]) == sorted([first.pk, second.pk])
        assert body["register"]["count"] == 2
        text = json.dumps(body)
        assert SECRET_REF not in text
        assert "ai@example.org" not in text
        assert all("reference" not in r and "contact" not in r for r in body["records"])
        rows = list(csv.DictReader(io.StringIO(anonymous().get("/register/register.csv").content.decode("utf-8-sig"))))
        assert sorted(int(r["id"]) for r in rows) == sorted([first.pk, second.pk])
        assert "reference" not in rows[0]
        assert "contact" not in rows[0]
        sheet = load_workbook(io.BytesIO(anonymous().get("/register/register.xlsx").content)).active
        ids = [row[0] for row in sheet.iter_rows(min_row=2, values_only=True)]
        assert sorted(int(str(i)) for i in ids) == sorted([first.pk, second.pk])

    def test_search_does_not_find_words_of_private_fields(self, register):
        world = register
        _published(world)
        assert anonymous().get("/register/?q=chatbot").context["total"] == 1
        assert anonymous().get("/register/?q=CITIZENS+benefits").context["total"] == 1
        assert anonymous().get("/register/?q=диалоговый").context["total"] == 1
        assert anonymous().get(f"/register/?q={SECRET_REF}").context["total"] == 0
        assert anonymous().get("/register/?q=ai@example.org").context["total"] == 0

    def test_removing_a_field_hides_it_at_once_adding_one_waits_for_the_next_version(self, register, system_actor):
        world = register
        record = _published(world)
        profile = PublicationProfile.current()
        services.profile_update(actor=system_actor, public_fields=[k for k in profile.public_fields if k != "purpose"])
        assert "Answer citizens" not in anonymous().get(f"/register/records/{record.pk}/").content.decode()
        assert anonymous().get("/register/?q=citizens").context["total"] == 0
        services.profile_update(actor=system_actor, public_fields=[*profile.public_fields, "reference"])
        assert SECRET_REF not in anonymous().get(f"/register/records/{record.pk}/").content.decode()
        services.publish_many(actor=world.users["hq_admin"], use_cases=[world.uc_a])
        assert SECRET_REF in anonymous().get(f"/register/records/{record.pk}/").content.decode()

    def test_facets_count_and_filter_and_hidden_facets_are_ignored(self, register, system_actor):
        world = register
        _published(world)
        _published(world, world.uc_a1)
        response = anonymous().get("/register/")
        stages = {v.code: v.count for v in response.context["facets"]["stage"]}
        assert stages == {"pilot": 1, "production": 1}
        assert anonymous().get("/register/?stage=pilot").context["total"] == 1
        assert anonymous().get("/register/?stage=pilot&stage=production").context["total"] == 2
        assert anonymous().get("/register/?stage=pilot&q=vision").context["total"] == 0
        assert anonymous().get("/register/?regions=RU-TA").context["total"] == 1
        assert anonymous().get("/register/?organisation=A1").context["total"] == 1
        services.profile_update(actor=system_actor, public_fields=["stage"])
        response = anonymous().get("/register/?regions=RU-TA")
        assert response.context["total"] == 2
        assert "regions" not in response.context["facets"]

    def test_russian_by_parameter_with_stable_urls(self, register):
        world = register
        record = _published(world)
        response = anonymous().get(f"/register/records/{record.pk}/?lang=ru")
        html = response.content.decode()
        assert response["Content-Language"] == "ru"
        assert '<html lang="ru">' in html
        assert "Министерство А" in html
        assert "Здравоохранение" in html
        assert "История" in html
        english = anonymous().get(f"/register/records/{record.pk}/?lang=en").content.decode()
        assert "Ministry A" in english
        assert "Health" in english

    def test_caching_headers_and_conditional_requests(self, register):
        world = register
        record = _published(world)
        first = anonymous().get("/register/register.json")
        assert "public" in first["Cache-Control"]
        assert first["ETag"]
        assert first["Last-Modified"]
        assert anonymous().get("/register/register.json", HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304
        one = anonymous().get(f"/register/records/{record.pk}.json")
        assert anonymous().get(f"/register/records/{record.pk}.json", HTTP_IF_NONE_MATCH=one["ETag"]).status_code == 304
        services.withdraw(actor=world.users["editor_a"], record=record)
        assert anonymous().get("/register/register.json", HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 200
        page = anonymous().get("/register/")
        assert "public" in page["Cache-Control"]
        assert "must-revalidate" in page["Cache-Control"]
        assert anonymous().get("/register/", HTTP_IF_NONE_MATCH=page["ETag"]).status_code == 304
        assert anonymous().get("/register/?lang=ru", HTTP_IF_NONE_MATCH=page["ETag"]).status_code == 200
        services.publish_many(actor=world.users["hq_admin"], use_cases=[world.uc_a1])  # bulk writes move it too
        assert anonymous().get("/register/", HTTP_IF_NONE_MATCH=page["ETag"]).status_code == 200

    def test_odd_inputs_are_never_a_server_error_and_writes_are_refused(self, register):
        world = register
        record = _published(world)
        for url in (
            "/register/?page=abc", "/register/?page=99999999999", "/register/?q=" + "x" * 5000,
            "/register/?stage=%00", "/register/?stage=a|b", "/register/?lang=xx", "/register/?sort=zzz",
            "/register/register.pdf", f"/register/records/{record.pk}/versions/99/", "/register/records/0.json",
        ):  # fmt: skip
            assert anonymous().get(url).status_code in (200, 400, 404), url
        assert anonymous().post("/register/").status_code == 405
        assert anonymous().get("/register/register.pdf").status_code == 404


class TestBulkAndCli:
    def test_publish_many_publishes_once_and_counts_what_it_skipped(self, register):
        world = register
        counts = services.publish_many(
            actor=world.users["coordinator_a"], use_cases=[world.uc_a, world.uc_a1, world.uc_b]
        )
        assert counts == {"published": 2, "unchanged": 0, "not_allowed": 1, "refused": 0}
        again = services.publish_many(actor=world.users["coordinator_a"], use_cases=[world.uc_a, world.uc_a1])
        assert again["published"] == 0
        assert again["unchanged"] == 2
        assert AuditEvent.objects.filter(object_type="publication.publishedversion").count() == 2
        body = anonymous().get("/register/register.json").json()
        assert {r["name"] for r in body["records"]} == {"Chatbot A", "Vision A1"}

    def test_the_cli_opens_the_register_publishes_and_withdraws(self, world, capsys):
        call_command("publish", "--organisation", "A", "--include-children", "--open", "--json")
        data = json.loads(capsys.readouterr().out)
        assert data["register_open"] is True
        assert data["published"] == 2
        assert data["published_records"] == 2
        call_command("publish", "--use-case", str(world.uc_a1.pk), "--withdraw", "--json")
        assert json.loads(capsys.readouterr().out)["published_records"] == 1
        assert AuditEvent.objects.filter(actor_label="cli:publish").exists()


class TestApi:
    def test_request_approve_and_withdraw_through_the_api(self, register, api_client_for):
        world = register
        editor, coordinator = api_client_for("editor_a"), api_client_for("coordinator_a")
        created = editor.post(
            "/api/v1/publications/", {"use_case": world.uc_a.pk, "contact": "ai@example.org"}, format="json"
        )
        assert created.status_code == 201, created.content
        pk, version = created.json()["id"], created.json()["version"]
        assert editor.post(f"/api/v1/publications/{pk}/approve/", {}, format="json").status_code == 403
        assert (
            coordinator.post(f"/api/v1/publications/{pk}/approve/", {"version": version + 5}, format="json").status_code
            == 409
        )
        stale = coordinator.post(f"/api/v1/publications/{pk}/approve/", {}, format="json", HTTP_IF_MATCH='"99"')
        assert stale.status_code == 412
        approved = coordinator.post(f"/api/v1/publications/{pk}/approve/", {"note": "ok"}, format="json")
        assert approved.status_code == 200
        assert approved.json()["public_version"] == 1
        assert approved.json()["public_url"].endswith(f"/register/records/{pk}/")
        versions = editor.get(f"/api/v1/publications/{pk}/versions/").json()
        assert versions[0]["number"] == 1
        assert "reference" not in versions[0]["public"]
        assert api_client_for("editor_b").get(f"/api/v1/publications/{pk}/").status_code == 404
        assert api_client_for("editor_b").get("/api/v1/publications/").json()["count"] == 0
        assert editor.get("/api/v1/publications/?published=true").json()["count"] == 1
        withdrawn = editor.post(f"/api/v1/publications/{pk}/withdraw/", {"reason": "done"}, format="json")
        assert withdrawn.status_code == 200
        assert withdrawn.json()["is_published"] is False

    def test_bad_requests_are_4xx(self, register, api_client_for):
        world = register
        editor = api_client_for("editor_a")
        assert editor.post("/api/v1/publications/", {"use_case": world.uc_b.pk}, format="json").status_code == 400
        assert editor.post("/api/v1/publications/", {"use_case": "x"}, format="json").status_code == 400
        assert (
            editor.post(
                "/api/v1/publications/", {"use_case": world.uc_a.pk, "contact": "x" * 400}, format="json"
            ).status_code
            == 400
        )
        created = editor.post("/api/v1/publications/", {"use_case": world.uc_a.pk}, format="json").json()
        back = api_client_for("coordinator_a").post(
            f"/api/v1/publications/{created['id']}/send-back/", {}, format="json"
        )
        assert back.status_code == 400
        assert api_client_for(None).get("/api/v1/publications/").status_code in (401, 403)

    def test_the_profile_is_read_by_all_and_changed_by_hq_admins(self, register, api_client_for):
        assert api_client_for("viewer_a").get("/api/v1/publication-profile/").json()["enabled"] is True
        assert (
            api_client_for("coordinator_a")
            .patch("/api/v1/publication-profile/", {"enabled": False}, format="json")
            .status_code
            == 403
        )
        admin = api_client_for("hq_admin")
        assert (
            admin.patch("/api/v1/publication-profile/", {"public_fields": ["nonsense"]}, format="json").status_code
            == 400
        )
        changed = admin.patch(
            "/api/v1/publication-profile/", {"enabled": False, "public_fields": ["stage"]}, format="json"
        )
        assert changed.status_code == 200
        assert changed.json()["public_fields"] == ["name", "organisation", "stage"]
        assert anonymous().get("/register/").status_code == 404


class TestPages:
    def test_the_use_case_page_and_the_publication_page_flow(self, register, page_client_for):
        world = register
        editor, coordinator = page_client_for("editor_a"), page_client_for("coordinator_a")
        assert "Public register" in editor.get(f"/use-cases/{world.uc_a.pk}/").content.decode()
        url = f"/use-cases/{world.uc_a.pk}/publication/"
        assert page_client_for("editor_b").get(url).status_code == 404
        page = editor.get(url)
        assert page.status_code == 200
        assert b'data-testid="request"' in page.content
        assert b'data-testid="approve"' not in page.content
        response = editor.post(
            url, {"action": "request", "contact": "ai@example.org", "human_oversight": "A person checks"}
        )
        assert response.status_code == 302
        record = PublicationRecord.objects.get(use_case=world.uc_a)
        assert record.human_oversight == "A person checks"
        assert page_client_for("viewer_a").post(url, {"action": "request"}).status_code == 403
        assert editor.post(url, {"action": "approve", "version": record.version}).status_code == 403
        assert not PublicationRecord.objects.get(pk=record.pk).is_published
        assert coordinator.post(url, {"action": "approve", "version": record.version}).status_code == 302
        assert PublicationRecord.objects.get(pk=record.pk).is_published
        dashboard = coordinator.get("/publication/")
        assert dashboard.status_code == 200
        row = next(r for r in dashboard.context["rows"] if r.organisation.code == "A")
        assert row.published == 1
        assert row.use_cases == 1
        assert dashboard.context["regions"] == {"RU-TA": 1}

    def test_only_hq_admins_edit_the_profile(self, register, page_client_for):
        assert page_client_for("coordinator_a").get("/publication/profile/").status_code == 403
        admin = page_client_for("hq_admin")
        form = admin.get("/publication/profile/")
        assert form.status_code == 200
        version = PublicationProfile.current().version
        response = admin.post(
            "/publication/profile/",
            {"enabled": "on", "public_fields": ["stage", "purpose"], "title_en": "Register", "title_ru": "Реестр",
             "licence": "CC0 1.0", "version": version},
        )  # fmt: skip
        assert response.status_code == 302
        assert PublicationProfile.current().public_fields == ["name", "organisation", "purpose", "stage"]
        stale = admin.post("/publication/profile/", {"title_en": "x", "licence": "x", "version": version})
        assert stale.status_code == 200
        assert PublicationProfile.current().title_en == "Register"


class TestScale:
    def test_the_register_page_costs_the_same_queries_for_two_records_or_thirty(
        self, register, system_actor, django_assert_max_num_queries
    ):
        world = register
        from aihq.registry.services import use_case_create

        services.publish_many(actor=system_actor, use_cases=[world.uc_a, world.uc_a1])

        def count(url: str) -> int:
            from django.db import connection
            from django.test.utils import CaptureQueriesContext

            with CaptureQueriesContext(connection) as queries:
                assert anonymous().get(url).status_code == 200
            return len(queries)

        few = count("/register/?q=a")
        created = [
            use_case_create(actor=system_actor, organisation=world.org_b, name=f"Case {i}", sectors=[world.sector])
            for i in range(28)
        ]
        services.publish_many(actor=system_actor, use_cases=created)
        assert count("/register/?q=a") == few
        with django_assert_max_num_queries(few):
            anonymous().get("/register/?q=a&page=2")

    def test_odd_api_inputs_are_4xx(self, register, api_client_for):
        client = api_client_for("hq_admin")
        for params in ("?page=abc", "?published=maybe", "?request_state=%00", "?page_size=-1"):
            assert client.get(f"/api/v1/publications/{params}").status_code < 500, params
        for body in ({"use_case": None}, {"use_case": [1]}, {"use_case": 10**20}, {"contact": {"a": 1}}):
            assert client.post("/api/v1/publications/", body, format="json").status_code == 400, body
        assert client.post("/api/v1/publications/999999/approve/", {}, format="json").status_code == 404
        assert client.patch("/api/v1/publication-profile/", {"enabled": "sometimes"}, format="json").status_code == 400


class TestReviewedEdges:
    """Cases a review found: moves, re-approval, deletions with a pending request, headers, stale previews."""

    def test_a_moved_use_case_takes_its_record_along(self, register, api_client_for):
        world = register
        record = services.request_publication(actor=world.users["editor_a"], use_case=world.uc_a)
        use_case_update(actor=world.users["hq_admin"], use_case=world.uc_a, organisation=world.org_b)
        record.refresh_from_db()
        assert record.organisation == world.org_b
        with pytest.raises(PermissionDenied):
            services.approve(actor=world.users["coordinator_a"], record=record)
        assert api_client_for("viewer_a").get(f"/api/v1/publications/{record.pk}/").status_code == 404
        response = api_client_for("coordinator_a").post(f"/api/v1/publications/{record.pk}/approve/", {}, format="json")
        assert response.status_code == 404
        assert (
            AuditEvent.objects.filter(object_type="publication.publicationrecord", object_id=str(record.pk)).count()
            >= 2
        )

    def test_approval_needs_a_request_and_refuses_a_use_case_changed_since_it_was_seen(self, register):
        world = register
        record = services.request_publication(actor=world.users["editor_a"], use_case=world.uc_a)
        seen = world.uc_a.version
        use_case_update(actor=world.users["editor_a"], use_case=world.uc_a, purpose="Changed after the request")
        with pytest.raises(ConflictError):
            services.approve(actor=world.users["coordinator_a"], record=record, use_case_version=seen)
        services.send_back(actor=world.users["coordinator_a"], record=record, note="Say more")
        with pytest.raises(ValidationError):
            services.approve(actor=world.users["coordinator_a"], record=record)
        assert not PublishedVersion.objects.exists()

    def test_republishing_unchanged_after_a_withdrawal_keeps_an_empty_change_list(self, register):
        world = register
        record = _published(world)
        services.withdraw(actor=world.users["editor_a"], record=record)
        again = services.request_publication(actor=world.users["editor_a"], use_case=world.uc_a)
        version = services.approve(actor=world.users["coordinator_a"], record=again)
        assert version.number == 2
        assert version.changed == []

    def test_deleting_a_use_case_with_a_pending_request_clears_it(self, register, page_client_for):
        world = register
        record = services.request_publication(actor=world.users["editor_a"], use_case=world.uc_a)
        use_case_delete(actor=world.users["editor_a"], use_case=world.uc_a)
        record.refresh_from_db()
        assert record.request_state == RequestState.NONE
        assert page_client_for("hq_admin").get("/publication/").status_code == 200

    def test_an_organisation_named_by_kept_records_is_not_deleted_but_explained(self, register):
        world = register
        _published(world, world.uc_b, by="hq_admin")
        use_case_delete(actor=world.users["hq_admin"], use_case=world.uc_b)
        from aihq.registry.services import organisation_delete

        with pytest.raises(ValidationError) as refused:
            organisation_delete(actor=world.users["hq_admin"], organisation=world.org_b)
        assert "publication records" in str(refused.value)

    def test_control_characters_do_not_break_the_workbook(self, register):
        world = register
        use_case_update(actor=world.users["editor_a"], use_case=world.uc_a, purpose="line\x0bbreak\x01")
        _published(world)
        response = anonymous().get("/register/register.xlsx")
        assert response.status_code == 200
        sheet = load_workbook(io.BytesIO(response.content)).active
        assert any("linebreak" in str(cell) for row in sheet.iter_rows(values_only=True) for cell in row)

    def test_requests_on_unpublished_records_leave_the_public_headers_alone(self, register):
        world = register
        _published(world)
        before = anonymous().get("/register/register.json")
        services.request_publication(actor=world.users["coordinator_a"], use_case=world.uc_a1, contact="x@example.org")
        after = anonymous().get("/register/register.json")
        assert after["ETag"] == before["ETag"]
        assert after["Last-Modified"] == before["Last-Modified"]

    def test_a_chosen_facet_value_keeps_the_others_on_offer(self, register):
        world = register
        other = __import__("aihq.registry.models", fromlist=["Sector"]).Sector.objects.create(
            code="transport", name_en="Transport"
        )
        use_case_update(actor=world.users["coordinator_a"], use_case=world.uc_a1, sectors=[other])
        _published(world)
        _published(world, world.uc_a1)
        response = anonymous().get("/register/?sectors=healthcare")
        assert response.context["total"] == 1
        sectors = {v.code: (v.count, v.selected) for v in response.context["facets"]["sectors"]}
        assert sectors == {"healthcare": (1, True), "transport": (1, False)}
        stages = {v.code: v.count for v in response.context["facets"]["stage"]}
        assert stages == {"pilot": 1}
        gone = anonymous().get("/register/?sectors=healthcare&q=nothing-matches-this")
        assert [(v.code, v.count, v.selected) for v in gone.context["facets"]["sectors"]] == [("healthcare", 0, True)]

    def test_bulk_publication_after_hiding_a_field_makes_no_new_version(self, register, system_actor):
        world = register
        services.publish_many(actor=system_actor, use_cases=[world.uc_a])
        profile = PublicationProfile.current()
        services.profile_update(actor=system_actor, public_fields=[k for k in profile.public_fields if k != "purpose"])
        assert services.publish_many(actor=system_actor, use_cases=[world.uc_a])["published"] == 0

    def test_one_record_json_validates_against_the_schema(self, register):
        import jsonschema  # type: ignore[import-untyped]

        world = register
        record = _published(world)
        body = anonymous().get(f"/register/records/{record.pk}.json").json()
        jsonschema.validate(body, anonymous().get("/register/schema.json").json())
