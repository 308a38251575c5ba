"""Routines in a real browser: an HQ admin sets a monthly inventory refresh for two ministries with a reminder
schedule; an editor finds it on the home page under "What I owe" and confirms the inventory, and it leaves the
list; the routines then tell the other ministry's editor, who reads it in the notification centre. The pages
pass axe-core's WCAG 2.1 A/AA rules, and deleting a cycle asks first (without inline script)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from tests.e2e.test_evaluation_flow import fresh_page, password, serious_violations
from tests.e2e.test_registry_flow import sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_a_cycle_from_setting_it_to_the_reminder(browser, live_server, transactional_db, world):
    from aihq.notifications.models import Notification
    from aihq.routines.models import ReportingCycle, Submission
    from aihq.routines.obligations import period_end_on, shift
    from aihq.routines.run import run_routines

    today = timezone.localdate()
    last_month_end = shift("monthly", period_end_on("monthly", today), -1)
    due = today + dt.timedelta(days=10)  # last month's report is due in ten days: the editors owe it now
    failures: list[str] = []
    with fresh_page(browser) as hq:
        sign_in(hq, live_server, "hq_admin", password("hq_admin"))
        hq.click("nav.mainnav >> text=Reporting")
        hq.click("[data-testid=new-cycle]")
        hq.fill("#id_name_en", "Inventory refresh")
        hq.select_option("#id_kind", "inventory_refresh")
        hq.select_option("#id_frequency", "monthly")
        hq.fill("#id_due_days", str((due - last_month_end).days))
        hq.fill("#id_starts_on", last_month_end.isoformat())
        hq.select_option("#id_organisations", [str(world.org_a.pk), str(world.org_b.pk)])
        hq.fill("#id_step_days_0", "-5")
        hq.select_option("#id_step_to_0", "editors")
        failures += serious_violations(hq, "cycle form")
        hq.click("[data-testid=save-cycle]")
        assert hq.locator("h1").inner_text() == "Inventory refresh"
        assert "5 days before to the organisation's editors" in hq.content()
        failures += serious_violations(hq, "cycle page")
        cycle = ReportingCycle.objects.get()
        # The form starts from the usual schedule; the first row was changed from 7 to 5 days before.
        assert cycle.schedule == [
            {"days": -5, "to": "editors"},
            {"days": 0, "to": "editors"},
            {"days": 3, "to": "coordinators"},
            {"days": 10, "to": "hq"},
        ]

    with fresh_page(browser) as editor:
        sign_in(editor, live_server, "editor_a", password("editor_a"))
        tasks = editor.locator("[data-testid=my-tasks] [data-testid=task-row]")
        assert tasks.count() == 1
        assert "Inventory refresh" in tasks.first.inner_text()
        failures += serious_violations(editor, "home with tasks")
        tasks.first.locator("[data-testid=confirm]").click()
        assert "no more reminders" in editor.locator(".messages .message").inner_text()
        assert editor.locator("[data-testid=my-tasks]").count() == 0
        assert Submission.objects.get().organisation == world.org_a
        editor.goto(f"{live_server.url}/tasks/")
        assert "Nothing owed" in editor.content()
        failures += serious_violations(editor, "task list")

    # Five days before the due date the routines remind B's editor (A has confirmed: nothing for A).
    run_routines(timezone.make_aware(dt.datetime.combine(due - dt.timedelta(days=5), dt.time(9))), send=False)
    assert list(Notification.objects.values_list("recipient__username", flat=True)) == ["editor_b"]
    with fresh_page(browser) as other:
        sign_in(other, live_server, "editor_b", password("editor_b"))
        bell = other.locator("header >> text=Notifications")
        assert "1" in bell.inner_text()
        bell.click()
        assert "Inventory refresh" in other.content()
        failures += serious_violations(other, "notification centre")

    with fresh_page(browser) as hq:
        sign_in(hq, live_server, "hq_admin", password("hq_admin"))
        hq.goto(f"{live_server.url}/cycles/{cycle.pk}/")
        hq.once("dialog", lambda dialog: dialog.dismiss())
        hq.click("button:has-text('Delete')")
        assert ReportingCycle.objects.exists()  # dismissed: nothing deleted
        hq.once("dialog", lambda dialog: dialog.accept())
        hq.click("button:has-text('Delete')")
        hq.wait_for_url(f"{live_server.url}/cycles/")
        assert not ReportingCycle.objects.exists()
    assert not failures, "axe found serious or critical violations:\n" + "\n".join(failures)
