"""How the routines cope at national scale: reminders, escalations and digests for hundreds of organisations.

500 organisations (an editor and a coordinator each) and an HQ admin; 1,000 indicators each reported by five
organisations; three cycles (monthly indicator measurements, a monthly inventory confirmation, quarterly benefit
updates) started a year before. Written straight into a fresh database (SQLite by default, or DATABASE_URL),
then timed: ``run_routines`` on a reminder day (everything to send), the same again (nothing new: the cost of
running it every few minutes), a Monday with the weekly digests, and the pages that show what is owed.

    .venv/bin/python benchmarks/routines_benchmark.py [--organisations 500] [--indicators 1000]
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--organisations", type=int, default=500)
    parser.add_argument("--indicators", type=int, default=1000)
    args = parser.parse_args()
    os.environ.setdefault("AIHQ_DATA_DIR", tempfile.mkdtemp(prefix="aihq-routinesbench-"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "aihq.settings")
    import django

    django.setup()
    from django.conf import settings
    from django.core import mail
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.utils import timezone

    from aihq.accounts.models import Membership, User
    from aihq.accounts.permissions import SystemActor
    from aihq.objectives.models import Indicator, Objective
    from aihq.registry.models import Organisation, UseCase
    from aihq.routines import services
    from aihq.routines.models import ReportingCycle
    from aihq.routines.run import run_routines

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.ALLOWED_HOSTS = ["testserver"]
    mail.outbox = []
    call_command("migrate", verbosity=0)
    actor = SystemActor("benchmark")
    orgs = Organisation.objects.bulk_create(
        [
            Organisation(code=f"O{i:03d}", name_en=f"Organisation {i}", kind="ministry")
            for i in range(args.organisations)
        ]
    )
    users = User.objects.bulk_create(
        [
            User(username=f"{r}{i}", email=f"{r}{i}@example.org", password="!")
            for i in range(len(orgs))
            for r in ("ed", "co")
        ]
    )
    memberships = [Membership(user=users[2 * i], organisation=o, role="editor") for i, o in enumerate(orgs)]
    memberships += [Membership(user=users[2 * i + 1], organisation=o, role="coordinator") for i, o in enumerate(orgs)]
    hq = User.objects.create(username="hq", email="hq@example.org")
    memberships.append(Membership(user=hq, role="hq_admin"))
    Membership.objects.bulk_create(memberships)
    UseCase.objects.bulk_create([UseCase(organisation=o, name=f"Use case of {o.code}", stage="pilot") for o in orgs])
    objective = Objective.objects.create(code="OBJ", title_en="Objective")
    indicators = Indicator.objects.bulk_create(
        [
            Indicator(objective=objective, code=f"I{i:04d}", name_en=f"Indicator {i}", unit="%")
            for i in range(args.indicators)
        ]
    )
    rng = random.Random(1)
    through = Indicator.reporting_organisations.through
    through.objects.bulk_create(
        [through(indicator_id=i.pk, organisation_id=o.pk) for i in indicators for o in rng.sample(orgs, 5)]
    )
    today = timezone.localdate()
    start = dt.date(today.year - 1, 1, 1)
    cycle_kw: list[dict[str, Any]] = [
        {
            "name_en": "Monthly measurements",
            "kind": "indicator_measurements",
            "frequency": "monthly",
            "indicators": indicators,
        },
        {"name_en": "Inventory confirmation", "kind": "inventory_refresh", "frequency": "monthly"},
        {"name_en": "Benefit updates", "kind": "benefit_updates", "frequency": "quarterly"},
    ]
    cycles = [services.cycle_create(actor=actor, due_days=10, starts_on=start, **kw) for kw in cycle_kw]
    ReportingCycle.objects.update(created_at=timezone.now() - dt.timedelta(days=400))
    run_routines(send=False)  # the first look at the indicators (silent): not part of a usual run

    def measure(label: str, call: Any) -> None:
        count = [0]

        def counter(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
            count[0] += 1
            return execute(sql, params, many, context)

        with connection.execute_wrapper(counter):
            started = time.perf_counter()
            result = call()
            elapsed = time.perf_counter() - started
        print(f"| {label} | {elapsed:.2f} s | {count[0]} | {result} |")

    # The next month's 3rd: the monthly cycles' "7 days before" reminders are due for every organisation.
    month_end = dt.date(today.year, today.month, 1) - dt.timedelta(days=1)
    reminder_day = timezone.make_aware(dt.datetime.combine(month_end + dt.timedelta(days=3), dt.time(9)))
    print(f"{len(orgs)} organisations, {len(indicators)} indicators, {len(cycles)} cycles; {connection.vendor}")
    print("| what | time | queries | result |")
    print("|---|---|---|---|")
    measure("run_routines on a reminder day", lambda: run_routines(reminder_day).counts)
    measure("run_routines again (nothing new)", lambda: run_routines(reminder_day + dt.timedelta(minutes=5)).counts)
    monday = reminder_day + dt.timedelta(days=(7 - reminder_day.weekday()) % 7 or 7)
    measure("run_routines on a Monday (weekly digests)", lambda: run_routines(monday).counts)
    print(f"e-mails sent in all: {len(mail.outbox)}")
    editor, client = users[0], Client()
    client.force_login(editor)
    measure("home page, an editor", lambda: client.get("/").status_code)
    measure("/tasks/, an editor", lambda: client.get("/tasks/").status_code)
    client.force_login(hq)
    measure("/tasks/, the HQ (every organisation)", lambda: client.get("/tasks/").status_code)
    measure("/api/v1/tasks/, the HQ (first page)", lambda: client.get("/api/v1/tasks/").status_code)
    measure(f"/cycles/{cycles[0].pk}/, the HQ", lambda: client.get(f"/cycles/{cycles[0].pk}/").status_code)


if __name__ == "__main__":
    main()
