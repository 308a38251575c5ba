"""A simulated month of a reporting cycle: each organisation gets exactly the configured reminders and
escalations, by e-mail through a real SMTP server on loopback, and none after it has reported."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from types import SimpleNamespace

import pytest
from django.utils import timezone

from aihq.accounts.models import Membership, User
from aihq.notifications.models import Event, Notification
from aihq.objectives.models import Indicator, Measurement, Objective
from aihq.registry.models import Organisation
from aihq.routines import services
from aihq.routines.obligations import period_end_on, shift
from aihq.routines.run import run_routines

pytestmark = pytest.mark.django_db


def _person(username, role, organisation=None, language=""):
    user = User.objects.create_user(username=username, email=f"{username}@example.org", language=language)
    Membership.objects.create(user=user, role=role, organisation=organisation)
    return user


@pytest.fixture
def month(system_actor):
    """Three ministries report an indicator monthly, due 10 days after the month; the default schedule."""
    orgs = {
        code: Organisation.objects.create(code=code, name_en=f"Ministry {code}", name_ru=f"Министерство {code}")
        for code in "ABC"
    }
    people = {"hq": _person("hq", "hq_admin")}
    for code, org in orgs.items():
        people[f"editor_{code}"] = _person(f"editor_{code}", "editor", org, language="ru" if code == "B" else "en")
        people[f"coord_{code}"] = _person(f"coord_{code}", "coordinator", org)
    objective = Objective.objects.create(code="O1", title_en="Adoption")
    indicator = Indicator.objects.create(
        objective=objective, code="I1", name_en="Services using AI", name_ru="Услуги с ИИ", unit="count"
    )
    indicator.reporting_organisations.set(orgs.values())
    # The period: the month after the current one, so every reminder falls after the cycle was created.
    period = shift("monthly", period_end_on("monthly", timezone.localdate()), 1)
    cycle = services.cycle_create(
        actor=system_actor,
        name_en="Monthly AI services count",
        name_ru="Ежемесячный подсчёт услуг с ИИ",
        kind="indicator_measurements",
        frequency="monthly",
        due_days=10,
        starts_on=period,
        indicators=[indicator],
    )
    return SimpleNamespace(orgs=orgs, people=people, indicator=indicator, cycle=cycle, period=period)


def _at(day: dt.date, hour: int) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))


def test_a_month_of_reminders_and_escalations(month, smtp_server):
    orgs, indicator, period = month.orgs, month.indicator, month.period
    due = period + dt.timedelta(days=10)
    report_on = {"A": due - dt.timedelta(days=5), "B": due + dt.timedelta(days=5)}  # C never reports
    # From before the period ends to the eve of the next period's first reminder (a week before its due date).
    first, last = period - dt.timedelta(days=3), shift("monthly", period, 1) + dt.timedelta(days=2)
    day = first
    while day <= last:
        for code, when in report_on.items():
            if when == day:
                Measurement.objects.create(indicator=indicator, organisation=orgs[code], period_end=period, value=5)
        for hour in (8, 14):  # the job runs several times a day: nothing twice
            run_routines(_at(day, hour))
        day += dt.timedelta(days=1)

    received: Counter[tuple[str, str]] = Counter()
    weekly: Counter[str] = Counter()
    for message in smtp_server.messages:
        if message["X-AIHQ-Kind"] == "weekly-digest":
            weekly[message["X-Envelope-To"]] += 1
            continue
        assert message["X-AIHQ-Kind"] in ("reminder", "escalation"), message["Subject"]
        received[(message["X-Envelope-To"], message["X-AIHQ-Kind"])] += 1
    expected = Counter(
        {
            ("editor_A@example.org", "reminder"): 1,  # 7 days before; A reported before the due date
            ("editor_B@example.org", "reminder"): 2,  # 7 days before and on the day
            ("coord_B@example.org", "escalation"): 1,  # 3 days after; B reported 5 days after
            ("editor_C@example.org", "reminder"): 2,
            ("coord_C@example.org", "escalation"): 1,
            ("hq@example.org", "escalation"): 1,  # 10 days after, for C only
        }
    )
    assert received == expected
    # Coordinators and the HQ also get the weekly digest, once each Monday (from the digest hour on).
    mondays = sum(1 for n in range((last - first).days + 1) if (first + dt.timedelta(days=n)).isoweekday() == 1)
    addresses = ["hq@example.org"] + [f"coord_{code}@example.org" for code in "ABC"]
    assert weekly == Counter(dict.fromkeys(addresses, mondays))

    # Each went out on its day: the reminder a week before, the HQ's escalation ten days after.
    sent_on = {
        (n.recipient.username, n.event.payload["days"]): timezone.localtime(n.emailed_at).date()
        for n in Notification.objects.select_related("recipient", "event")
    }
    assert sent_on[("editor_C", -7)] == due - dt.timedelta(days=7)
    assert sent_on[("editor_C", 0)] == due
    assert sent_on[("coord_C", 3)] == due + dt.timedelta(days=3)
    assert sent_on[("hq", 10)] == due + dt.timedelta(days=10)

    # Each in the recipient's language, as plain text and HTML, with a link to the tasks.
    russian = next(m for m in smtp_server.to("editor_B@example.org") if m["X-AIHQ-Kind"] == "reminder")
    assert "Министерство B" in russian["Subject"]
    assert russian["Content-Language"] == "ru"
    text = russian.get_body(("plain",)).get_content()
    html = russian.get_body(("html",)).get_content()
    assert "Услуги с ИИ" in text
    assert "/tasks/" in text
    assert "<a href=" in html
    english = next(m for m in smtp_server.to("hq@example.org") if m["X-AIHQ-Kind"] == "escalation")
    assert "1 organisation 10 days overdue" in english["Subject"]
    assert "Ministry C (0/1)" in english.get_body(("plain",)).get_content()
    assert "escalation as the headquarters" in english.get_body(("plain",)).get_content()
    assert Event.objects.filter(kind__in=["reminder", "escalation"]).count() == 8


def test_a_cycle_created_late_does_not_send_old_reminders(month, smtp_server):
    period = month.period
    due = period + dt.timedelta(days=10)
    # A month later than the last step, with nothing reported: the old period's reminders are history.
    run_routines(_at(due + dt.timedelta(days=40), 9))
    assert not [m for m in smtp_server.messages if period.isoformat() in (m["Subject"] or "")]
    assert not Event.objects.filter(key__contains=f":{period.isoformat()}:").exists()


def test_a_failing_mail_server_loses_nothing(month, settings):
    period = month.period
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", 9  # nothing listens there
    settings.EMAIL_TIMEOUT = 2
    reminder_day = period + dt.timedelta(days=3)
    summary = run_routines(_at(reminder_day, 9))
    assert summary.counts.get("reminders") == 3
    waiting = Notification.objects.filter(kind="reminder")
    assert {n.email_state for n in waiting} == {"pending"}
    assert all(n.email_error for n in waiting)
    assert {n.email_attempts for n in waiting} == {0}  # nothing was tried: no attempt used up


def test_mail_down_for_hours_then_back(month, settings, smtp_server):
    """The relay is down for six hours of runs every five minutes; when it is back, every reminder goes, once."""
    port = settings.EMAIL_PORT
    settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = 9, 2  # nothing listens there
    start = _at(month.period + dt.timedelta(days=3), 1)
    for run in range(0, 6 * 60, 5):
        run_routines(start + dt.timedelta(minutes=run), send=False)
        from aihq.notifications.mailer import send_pending

        send_pending(start + dt.timedelta(minutes=run))
    assert not smtp_server.messages
    assert not Notification.objects.filter(email_state="failed").exists()
    settings.EMAIL_PORT = port
    send_pending(start + dt.timedelta(hours=6, minutes=5))
    assert sorted(m["X-Envelope-To"] for m in smtp_server.messages) == [f"editor_{c}@example.org" for c in "ABC"]
    assert set(Notification.objects.values_list("email_state", flat=True)) == {"sent"}


def test_after_a_gap_only_the_latest_step_goes(month, smtp_server):
    """The job was down from before the first reminder until after the coordinators' escalation: one reminder
    to the editors (the day's, not also the week-before one), one escalation; each once."""
    due = month.period + dt.timedelta(days=10)
    for _ in range(2):
        run_routines(_at(due + dt.timedelta(days=4), 9))
    kinds = Counter(
        (m["X-Envelope-To"], m["X-AIHQ-Kind"]) for m in smtp_server.messages if m["X-AIHQ-Kind"] != "weekly-digest"
    )
    assert kinds == Counter(
        {(f"editor_{c}@example.org", "reminder"): 1 for c in "ABC"}
        | {(f"coord_{c}@example.org", "escalation"): 1 for c in "ABC"}
    )
    days = {n.event.payload["days"] for n in Notification.objects.select_related("event")}
    assert days == {0, 3}
