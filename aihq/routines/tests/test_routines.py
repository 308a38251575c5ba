"""Reporting cycles, obligations, the scanners' events, digests, pages and API of the routines."""

from __future__ import annotations

import datetime as dt
import json
from io import StringIO

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.utils import timezone

from aihq.audit.models import AuditEvent
from aihq.coordination.models import PairDecision, SimilarPair
from aihq.evaluation import services as evaluation_services
from aihq.evaluation.models import BenefitMeasurement, BenefitMetric
from aihq.notifications.models import DigestSent, Event, Notification
from aihq.objectives.models import Indicator, Measurement, Objective, RagOverride
from aihq.registry.models import UseCase
from aihq.regulation.models import RequirementStatus
from aihq.regulation.services import incident_create
from aihq.routines import services
from aihq.routines.models import ReportingCycle, Submission, clean_schedule
from aihq.routines.obligations import obligations, period_end_on, period_ends, shift
from aihq.routines.run import run_routines

pytestmark = pytest.mark.django_db

D = dt.date


def _at(day: dt.date, hour: int = 9) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))


def _emails(world):
    for name, user in world.users.items():
        user.email = f"{name}@example.org"
        user.save()


# --- periods and schedules ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("frequency", "day", "end"),
    [
        ("monthly", D(2026, 2, 3), D(2026, 2, 28)),
        ("monthly", D(2028, 2, 29), D(2028, 2, 29)),
        ("quarterly", D(2026, 11, 30), D(2026, 12, 31)),
        ("quarterly", D(2026, 4, 1), D(2026, 6, 30)),
        ("yearly", D(2026, 1, 1), D(2026, 12, 31)),
    ],
)
def test_period_end_on(frequency, day, end):
    assert period_end_on(frequency, day) == end


def test_shift_across_years_and_month_lengths():
    assert shift("monthly", D(2026, 1, 31), 1) == D(2026, 2, 28)
    assert shift("monthly", D(2026, 12, 31), 2) == D(2027, 2, 28)
    assert shift("quarterly", D(2026, 3, 31), -1) == D(2025, 12, 31)
    assert shift("yearly", D(2026, 12, 31), -3) == D(2023, 12, 31)


def test_period_ends_by_due_date():
    cycle = ReportingCycle(frequency="monthly", due_days=10, starts_on=D(2026, 1, 1))
    # Due dates 10 Feb .. 10 Apr: the periods ending 31 Jan, 28 Feb and 31 Mar.
    assert period_ends(cycle, D(2026, 2, 10), D(2026, 4, 10)) == [D(2026, 1, 31), D(2026, 2, 28), D(2026, 3, 31)]
    assert period_ends(cycle, D(2026, 2, 11), D(2026, 3, 9)) == []
    cycle.starts_on = D(2026, 3, 1)
    assert period_ends(cycle, D(2026, 1, 1), D(2026, 12, 31))[0] == D(2026, 3, 31)


def test_schedule_is_checked_and_sorted():
    assert clean_schedule([{"days": 3, "to": "coordinators"}, {"days": -7, "to": "editors"}]) == [
        {"days": -7, "to": "editors"},
        {"days": 3, "to": "coordinators"},
    ]
    twice = [{"days": 1, "to": "hq"}, {"days": 1, "to": "hq"}]
    for bad in ([], [{"days": "3", "to": "hq"}], [{"days": 3, "to": "boss"}], [{"days": 999, "to": "hq"}],
                twice, [{"days": 1}], "x", [{"days": True, "to": "hq"}]):  # fmt: skip
        with pytest.raises(ValidationError):
            clean_schedule(bad)


# --- obligations of each kind ----------------------------------------------------------------------------------


@pytest.fixture
def indicator(world):
    objective = Objective.objects.create(code="O", title_en="Objective")
    ind = Indicator.objects.create(objective=objective, code="IND", name_en="Indicator", unit="%")
    ind.reporting_organisations.set([world.org_a, world.org_b])
    return ind


def test_indicator_obligations_follow_the_measurements(world, system_actor, indicator):
    cycle = services.cycle_create(
        actor=system_actor, name_en="M", kind="indicator_measurements", frequency="quarterly", due_days=20,
        starts_on=D(2026, 1, 1), indicators=[indicator],
    )  # fmt: skip
    Measurement.objects.create(indicator=indicator, organisation=world.org_a, period_end=D(2026, 6, 30), value=1)
    Measurement.objects.create(indicator=indicator, organisation=world.org_b, period_end=D(2026, 3, 31), value=1)
    rows = {o.organisation.code: o for o in obligations(cycle, D(2026, 6, 30))}
    assert set(rows) == {"A", "B"}
    assert rows["A"].done
    assert rows["A"].due_date == D(2026, 7, 20)
    assert not rows["B"].done  # its value is for the previous quarter
    assert [m["code"] for m in rows["B"].missing] == ["IND"]
    assert rows["B"].state(D(2026, 7, 20)) == "due"
    assert rows["B"].state(D(2026, 7, 21)) == "overdue"
    # The cycle's own organisations replace the indicator's.
    cycle = services.cycle_update(actor=system_actor, cycle=cycle, organisations=[world.org_a1])
    assert [o.organisation.code for o in obligations(cycle, D(2026, 6, 30))] == ["A1"]


def test_benefit_obligations_need_a_measurement_in_the_period(world, system_actor):
    cycle = services.cycle_create(actor=system_actor, name_en="B", kind="benefit_updates", frequency="quarterly",
                                  due_days=15, starts_on=D(2026, 1, 1))  # fmt: skip
    UseCase.objects.update(created_at=timezone.make_aware(dt.datetime(2026, 1, 1)))
    metric = BenefitMetric.objects.create(use_case=world.uc_a, kind="accuracy", unit="%")
    BenefitMetric.objects.create(use_case=world.uc_b, kind="throughput")
    BenefitMeasurement.objects.create(metric=metric, measured_on=D(2026, 9, 30), value=90, source="log")
    BenefitMeasurement.objects.create(metric=metric, measured_on=D(2026, 10, 5), value=91, source="log")
    rows = {o.organisation.code: o for o in obligations(cycle, D(2026, 9, 30))}
    assert rows["A"].done  # measured within the quarter
    q4 = {o.organisation.code: o for o in obligations(cycle, D(2026, 12, 31))}
    assert q4["A"].done  # the 5 October measurement counts for Q4 only
    BenefitMeasurement.objects.filter(measured_on=D(2026, 9, 30)).delete()
    assert not {o.organisation.code: o for o in obligations(cycle, D(2026, 9, 30))}["A"].done
    assert not rows["B"].done
    assert rows["B"].missing[0]["name_en"] == "Forecast B (Throughput)"
    assert rows["B"].missing[0]["name_ru"].startswith("Forecast B (")
    assert "A1" not in rows  # nothing to measure there


def test_inventory_is_done_by_a_confirmation(world, system_actor, page_client_for):
    cycle = services.cycle_create(actor=system_actor, name_en="Inventory", kind="inventory_refresh",
                                  frequency="yearly", due_days=30, starts_on=D(2025, 1, 1))  # fmt: skip
    end = D(2025, 12, 31)
    assert {o.organisation.code for o in obligations(cycle, end)} == {"A", "A1", "B"}
    with pytest.raises(PermissionDenied):
        services.confirm(actor=world.users["editor_b"], cycle=cycle, organisation=world.org_a, period_end=end)
    with pytest.raises(ValidationError):
        services.confirm(
            actor=world.users["editor_a"], cycle=cycle, organisation=world.org_a, period_end=D(2025, 6, 30)
        )
    response = page_client_for("editor_a").post(
        f"/cycles/{cycle.pk}/confirm/", {"organisation": world.org_a.pk, "period_end": "2025-12-31", "next": "/tasks/"}
    )
    assert response.status_code == 302
    assert response["Location"] == "/tasks/"
    rows = {o.organisation.code: o for o in obligations(cycle, end)}
    assert rows["A"].done
    assert not rows["B"].done
    submission = Submission.objects.get()
    assert submission.submitted_by == world.users["editor_a"]
    assert AuditEvent.objects.filter(object_type__endswith="submission", action="create").exists()
    with pytest.raises(ValidationError):  # twice
        services.confirm(actor=world.users["editor_a"], cycle=cycle, organisation=world.org_a, period_end=end)


def test_only_hq_admins_set_cycles_and_a_measurement_cycle_needs_indicators(world, indicator):
    with pytest.raises(PermissionDenied):
        services.cycle_create(actor=world.users["coordinator_a"], name_en="X", kind="inventory_refresh")
    with pytest.raises(ValidationError):
        services.cycle_create(actor=world.users["hq_admin"], name_en="X", kind="indicator_measurements")
    with pytest.raises(ValidationError):
        services.cycle_create(
            actor=world.users["hq_admin"], name_en="X", kind="inventory_refresh", indicators=[indicator]
        )
    assert not ReportingCycle.objects.exists()


# --- events found by the scanners ------------------------------------------------------------------------------


def test_a_serious_incident_reaches_the_organisation_and_the_hq_once(world, system_actor):
    incident_create(actor=system_actor, use_case=world.uc_a, title="Wrong denials", occurred_on=D(2026, 11, 1),
                    detected_on=D(2026, 11, 2), severity="serious")  # fmt: skip
    incident_create(actor=system_actor, use_case=world.uc_b, title="Typo", occurred_on=D(2026, 11, 1),
                    detected_on=D(2026, 11, 2), severity="minor")  # fmt: skip
    summary = run_routines(send=False)
    assert summary.counts["incidents"] == 1
    event = Event.objects.get(kind="incident_serious")
    assert event.payload["title"] == "Wrong denials"
    assert event.organisation == world.org_a
    told = set(Notification.objects.filter(event=event).values_list("recipient__username", flat=True))
    assert told == {"editor_a", "coordinator_a", "hq_admin"}
    run_routines(send=False)
    assert Event.objects.filter(kind="incident_serious").count() == 1


def test_overdue_requirements_go_to_their_owner(world):
    today = timezone.localdate()
    RequirementStatus.objects.create(use_case=world.uc_a, framework_code="EU-AI-ACT", requirement_id="art9",
                                     title_en="Risk management", due_date=today - dt.timedelta(days=2),
                                     owner=world.users["editor_a"])  # fmt: skip
    RequirementStatus.objects.create(use_case=world.uc_b, framework_code="EU-AI-ACT", requirement_id="art10",
                                     title_en="Data governance", due_date=today + dt.timedelta(days=2))  # fmt: skip
    run_routines(send=False)
    notification = Notification.objects.get(kind="requirement_overdue")
    assert notification.recipient == world.users["editor_a"]
    assert "Risk management" in notification.title
    assert notification.email_state == "none"  # no e-mail address


def test_gate_reviews_tell_the_deciders_then_the_asker(world):
    editor, coordinator = world.users["editor_a"], world.users["coordinator_a"]
    review = evaluation_services.review_request(actor=editor, use_case=world.uc_a, to_stage="production",
                                                justification="Ready")  # fmt: skip
    run_routines(send=False)
    asked = Notification.objects.filter(kind="gate_review_requested")
    assert set(asked.values_list("recipient__username", flat=True)) == {"coordinator_a", "hq_admin"}
    evaluation_services.review_decide(actor=coordinator, review=review, decision="go_with_conditions",
                                      conditions=[("Publish the model card", D(2020, 1, 1))])  # fmt: skip
    run_routines(send=False)
    decided = Notification.objects.get(kind="gate_decision", recipient=editor)
    assert "Go with conditions" in decided.title
    assert "Publish the model card" in decided.body
    assert Event.objects.get(kind="gate_decision").payload["decision"] == "go_with_conditions"


def test_overdue_gate_conditions(world):
    review = evaluation_services.review_request(actor=world.users["editor_a"], use_case=world.uc_a,
                                                to_stage="production", justification="Ready")  # fmt: skip
    due = timezone.localdate() - dt.timedelta(days=1)
    evaluation_services.review_decide(actor=world.users["coordinator_a"], review=review,
                                      decision="go_with_conditions", conditions=[("Train staff", due)])  # fmt: skip
    run_routines(send=False)
    condition = Notification.objects.filter(kind="gate_condition_overdue")
    assert set(condition.values_list("recipient__username", flat=True)) == {"editor_a", "coordinator_a"}


def test_an_indicator_turning_red_is_told_once(world, indicator, system_actor):
    indicator.owner = world.org_a
    indicator.save()
    run_routines(send=False)
    assert not Event.objects.filter(kind="rag_red").exists()  # not enough data: not red
    RagOverride.objects.create(indicator=indicator, rating="red", reason="Behind plan")
    other = Indicator.objects.create(objective=indicator.objective, code="RED-ALREADY", name_en="Red", unit="%")
    RagOverride.objects.create(indicator=other, rating="red", reason="Known")
    run_routines(send=False)
    run_routines(send=False)
    event = Event.objects.get(kind="rag_red")  # not the one already red when first seen
    assert event.payload["indicator"]["code"] == "IND"
    assert event.payload["previous"] == "insufficient_data"
    told = set(Notification.objects.filter(event=event).values_list("recipient__username", flat=True))
    assert told == {"coordinator_a", "hq_admin"}


def test_duplicate_pairs_tell_each_side_of_its_own_use_case_only(world):
    SimilarPair.objects.create(use_case_a=world.uc_a, use_case_b=world.uc_b, score=0.91, cluster=1, model="t")
    run_routines(send=False)
    # One event per side; B has no coordinator, so only A's is told — of Chatbot A and of Ministry B, never of
    # Forecast B, which A's coordinator may not see.
    assert Event.objects.filter(kind="duplicate_pair").count() == 2
    told = Notification.objects.get(kind="duplicate_pair")
    assert told.recipient == world.users["coordinator_a"]
    assert "Chatbot A" in told.title
    assert "Ministry B" in told.title
    assert "Forecast B" not in told.title + told.body
    PairDecision.objects.create(
        use_case_a=world.uc_a, use_case_b=world.uc_a1, verdict="not_related", text_hash_a="x", text_hash_b="y"
    )
    SimilarPair.objects.create(use_case_a=world.uc_a, use_case_b=world.uc_a1, score=0.95, cluster=1, model="t")
    run_routines(send=False)
    assert Event.objects.filter(kind="duplicate_pair").count() == 2  # a pair already decided is not news


def test_preferences_off_and_digest(world, smtp_server):
    from aihq.notifications.models import Preference

    _emails(world)
    Preference.objects.create(user=world.users["hq_admin"], kind="incident_serious", delivery="off")
    Preference.objects.create(user=world.users["coordinator_a"], kind="incident_serious", delivery="digest")
    incident_create(actor=world.users["editor_a"], use_case=world.uc_a, title="Leak", occurred_on=D(2026, 11, 1),
                    detected_on=D(2026, 11, 2), severity="critical")  # fmt: skip
    before = timezone.make_aware(dt.datetime.combine(timezone.localdate(), dt.time(5)))
    run_routines(before)  # before the digest hour: the immediate one goes, the digest waits
    assert [m["X-Envelope-To"] for m in smtp_server.messages] == ["editor_a@example.org"]
    assert not Notification.objects.filter(recipient=world.users["hq_admin"], kind="incident_serious").exists()
    assert Notification.objects.get(recipient=world.users["coordinator_a"]).email_state == "digest"
    smtp_server.clear()
    run_routines(before.replace(hour=8))
    run_routines(before.replace(hour=9))
    digests = [m for m in smtp_server.messages if m["X-AIHQ-Kind"] == "digest"]
    assert [m["X-Envelope-To"] for m in digests] == ["coordinator_a@example.org"]
    assert "Leak" in digests[0].get_body(("plain",)).get_content()
    assert Notification.objects.get(recipient=world.users["coordinator_a"]).email_state == "sent"
    assert DigestSent.objects.filter(user=world.users["coordinator_a"], period__startswith="day:").count() == 1


def test_run_routines_command_answers_in_json(world, system_actor):
    incident_create(actor=system_actor, use_case=world.uc_b, title="Outage", occurred_on=D(2026, 11, 1),
                    detected_on=D(2026, 11, 2), severity="serious")  # fmt: skip
    out = StringIO()
    call_command("run_routines", "--no-send", "--json", stdout=out)
    data = json.loads(out.getvalue())
    assert data["incidents"] == 1
    with pytest.raises(Exception, match="--now"):
        call_command("run_routines", "--now", "yesterday")


# --- pages and API ------------------------------------------------------------------------------------------


@pytest.fixture
def open_cycle(world, system_actor, indicator):
    """A monthly cycle whose last period is overdue for both A and B."""
    today = timezone.localdate()
    start = shift("monthly", period_end_on("monthly", today), -2)
    return services.cycle_create(actor=system_actor, name_en="Monthly values", name_ru="Ежемесячные значения",
                                 kind="indicator_measurements", frequency="monthly", due_days=5,
                                 starts_on=start, indicators=[indicator])  # fmt: skip


def test_task_list_shows_what_my_organisations_owe(world, open_cycle, page_client_for):
    page = page_client_for("editor_a").get("/tasks/").content.decode()
    assert "Monthly values" in page
    assert "Ministry A" in page
    assert "Ministry B" not in page
    assert page_client_for("editor_b").get("/tasks/?state=overdue").content.decode().count('data-state="overdue"') >= 1
    assert "Nothing owed" in page_client_for("viewer_a").get("/tasks/").content.decode()
    hq = page_client_for("hq_admin").get("/tasks/").content.decode()
    assert "Ministry A" in hq
    assert "Ministry B" in hq
    home = page_client_for("editor_a").get("/").content.decode()
    assert 'data-testid="my-tasks"' in home


def test_cycle_pages(world, open_cycle, page_client_for, indicator):
    assert page_client_for("editor_a").get("/cycles/").status_code == 200
    detail = page_client_for("hq_admin").get(f"/cycles/{open_cycle.pk}/").content.decode()
    assert "7 days before to the organisation&#x27;s editors" in detail
    assert page_client_for("editor_a").get("/cycles/new/").status_code == 403
    hq = page_client_for("hq_admin")
    response = hq.post("/cycles/new/", {"name_en": "Quarterly", "kind": "indicator_measurements",
                                        "frequency": "quarterly", "due_days": 20, "starts_on": "2026-01-01",
                                        "indicators": [indicator.pk], "active": "on",
                                        "step_days_0": "-3", "step_to_0": "editors",
                                        "step_days_1": "5", "step_to_1": "hq"})  # fmt: skip
    assert response.status_code == 302
    cycle = ReportingCycle.objects.get(name_en="Quarterly")
    assert cycle.schedule == [{"days": -3, "to": "editors"}, {"days": 5, "to": "hq"}]
    bad = hq.post("/cycles/new/", {"name_en": "Bad", "kind": "inventory_refresh", "frequency": "yearly",
                                   "due_days": 20, "starts_on": "2026-01-01", "step_days_0": "3"})  # fmt: skip
    assert bad.status_code == 200
    assert "Give both the days and to whom" in bad.content.decode()
    russian = page_client_for("editor_a").get(f"/cycles/{open_cycle.pk}/", HTTP_ACCEPT_LANGUAGE="ru")
    assert "Ежемесячные значения" in russian.content.decode()


def test_cycle_api(world, api_client_for, indicator, open_cycle):
    editor, hq = api_client_for("editor_a"), api_client_for("hq_admin")
    listed = editor.get("/api/v1/reporting-cycles/").json()
    assert listed["results"][0]["indicators"] == ["IND"]
    body = {"name_en": "Yearly", "kind": "inventory_refresh", "frequency": "yearly", "due_days": 30,
            "starts_on": "2026-01-01", "organisations": ["A", "B"],
            "schedule": [{"days": 0, "to": "editors"}, {"days": 10, "to": "coordinators"}]}  # fmt: skip
    assert editor.post("/api/v1/reporting-cycles/", body, format="json").status_code == 403
    created = hq.post("/api/v1/reporting-cycles/", body, format="json")
    assert created.status_code == 201, created.json()
    pk = created.json()["id"]
    assert hq.patch(f"/api/v1/reporting-cycles/{pk}/", {"due_days": 40, "version": 9}, format="json").status_code == 409
    ok = hq.patch(f"/api/v1/reporting-cycles/{pk}/", {"due_days": 40, "version": 1}, format="json")
    assert ok.status_code == 200
    assert ok["ETag"] == '"2"'
    bad = hq.post("/api/v1/reporting-cycles/", {**body, "schedule": [{"days": 999, "to": "hq"}]}, format="json")
    assert bad.status_code == 400
    tasks = editor.get("/api/v1/tasks/").json()["results"]
    assert {t["organisation"] for t in tasks} == {"A"}
    assert editor.get("/api/v1/tasks/?state=later").status_code == 400
    confirm = {"cycle": pk, "organisation": "B", "period_end": "2026-12-31"}
    assert editor.post("/api/v1/cycle-confirmations/", confirm, format="json").status_code == 403
    confirm["organisation"] = "A"
    assert editor.post("/api/v1/cycle-confirmations/", confirm, format="json").status_code == 201
    assert hq.delete(f"/api/v1/reporting-cycles/{pk}/").status_code == 204


# --- what a review found ------------------------------------------------------------------------------------------


def test_far_dates_are_refused_and_one_bad_cycle_never_stops_the_others(world, api_client_for, open_cycle):
    body = {"name_en": "Far", "kind": "inventory_refresh", "frequency": "yearly", "due_days": 30,
            "starts_on": "9999-12-01"}  # fmt: skip
    answer = api_client_for("hq_admin").post("/api/v1/reporting-cycles/", body, format="json")
    assert answer.status_code == 400
    assert "starts_on" in answer.json()["errors"]
    # A cycle broken some other way (written straight to the database) costs only its own reminders.
    broken = ReportingCycle.objects.create(name_en="Broken", kind="inventory_refresh", frequency="yearly",
                                           starts_on=D(2026, 1, 1), schedule=[{"days": "x", "to": "hq"}])  # fmt: skip
    ReportingCycle.objects.update(created_at=timezone.now() - dt.timedelta(days=60))
    summary = run_routines(send=False)
    assert summary.counts["failed cycles"] == 1
    assert "failed steps" not in summary.counts
    assert Event.objects.filter(key__startswith=f"cycle:{open_cycle.pk}:").exists()
    assert not Event.objects.filter(key__startswith=f"cycle:{broken.pk}:").exists()


def test_reading_a_cycle_follows_view_rights_and_the_home_panel_is_ones_own(world, open_cycle, page_client_for):
    for name in ("auditor", "viewer_a"):
        page = page_client_for(name).get(f"/cycles/{open_cycle.pk}/").content.decode()
        assert "Ministry A" in page, name
        assert 'data-testid="confirm"' not in page
    assert "Ministry B" not in page_client_for("viewer_a").get(f"/cycles/{open_cycle.pk}/").content.decode()
    assert 'data-testid="my-tasks"' not in page_client_for("hq_admin").get("/").content.decode()
    assert "Ministry B" in page_client_for("hq_admin").get("/tasks/").content.decode()  # the HQ's watch list


def test_a_title_with_line_breaks_still_reaches_the_inbox(world, smtp_server):
    _emails(world)
    incident_create(actor=world.users["editor_a"], use_case=world.uc_a, title="Data leak\r\nBcc: x@evil.example",
                    occurred_on=D(2026, 11, 1), detected_on=D(2026, 11, 2), severity="critical")  # fmt: skip
    run_routines()
    subjects = [m["Subject"] for m in smtp_server.messages if m["X-AIHQ-Kind"] == "incident_serious"]
    assert len(subjects) == 3
    assert all("Data leak Bcc: x@evil.example" in s for s in subjects)
    assert not any("evil" in m["X-Envelope-To"] for m in smtp_server.messages)


def test_editing_a_long_schedule_on_the_page_keeps_every_step(world, page_client_for, system_actor):
    steps = [{"days": d, "to": "editors"} for d in range(-8, 0)]
    cycle = services.cycle_create(actor=system_actor, name_en="Long", kind="inventory_refresh", frequency="yearly",
                                  starts_on=D(2026, 1, 1), schedule=steps)  # fmt: skip
    form = page_client_for("hq_admin").get(f"/cycles/{cycle.pk}/edit/").context["form"]
    data = {name: field.value() for name, field in ((n, form[n]) for n in form.fields) if field.value() is not None}
    data["name_ru"] = "Длинный"
    response = page_client_for("hq_admin").post(f"/cycles/{cycle.pk}/edit/", data)
    assert response.status_code == 302
    cycle.refresh_from_db()
    assert cycle.schedule == steps
    assert cycle.name_ru == "Длинный"


def test_an_organisation_nobody_coordinates_escalates_to_the_hq(world, system_actor):
    cycle = services.cycle_create(actor=system_actor, name_en="Inventory", kind="inventory_refresh",
                                  frequency="monthly", due_days=5, organisations=[world.org_b],
                                  starts_on=period_end_on("monthly", timezone.localdate()),
                                  schedule=[{"days": 3, "to": "coordinators"}])  # fmt: skip
    end = period_end_on("monthly", timezone.localdate())
    run_routines(_at(end + dt.timedelta(days=cycle.due_days + 3)), send=False)
    told = Notification.objects.get(kind="escalation")
    assert told.recipient == world.users["hq_admin"]
    assert "as the headquarters" in told.body
