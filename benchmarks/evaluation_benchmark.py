"""How evaluation answers at national scale: the scored portfolio and the briefing pack.

N use cases (default 10,000) across 200 organisations, each with six cost lines (planned and actual), one
monetised benefit metric with eight quarterly measurements, and up to three risks, are written straight into a
fresh database (SQLite by default, or DATABASE_URL). Then the portfolio selector, the portfolio page and API, one
use case's evaluation page, and the briefing pack for everything are timed.

    .venv/bin/python benchmarks/evaluation_benchmark.py [--use-cases 10000] [--repeat 3]
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--use-cases", type=int, default=10_000)
    parser.add_argument("--organisations", type=int, default=200)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    os.environ.setdefault("AIHQ_DATA_DIR", tempfile.mkdtemp(prefix="aihq-evalbench-"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "aihq.settings")
    import django

    django.setup()
    import numpy as np
    from django.core.management import call_command
    from django.db import connection, transaction
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from aihq.accounts.models import Membership, User
    from aihq.accounts.permissions import SystemActor
    from aihq.core.db import insert_returning_ids, insert_rows
    from aihq.evaluation import briefing, selectors
    from aihq.evaluation.models import BenefitMeasurement, BenefitMetric, CostLine
    from aihq.registry.models import Organisation, UseCase
    from aihq.regulation.models import Risk

    call_command("migrate", verbosity=0)
    rng = np.random.default_rng(1)
    now = dt.datetime.now(dt.UTC)
    started = time.perf_counter()
    with transaction.atomic():
        insert_rows(
            Organisation,
            ["code", "name_en", "name_ru", "kind", "created_at", "updated_at"],
            [(f"ORG{i:03d}", f"Organisation {i}", "", "agency", now, now) for i in range(args.organisations)],
        )
        orgs = list(Organisation.objects.order_by("pk").values_list("pk", flat=True))
        # skewed: a few organisations hold most use cases
        owner = rng.zipf(1.6, args.use_cases) % len(orgs)
        stages = rng.choice(["development", "pilot", "production"], args.use_cases, p=[0.2, 0.3, 0.5])
        created = UseCase.objects.bulk_create(
            [
                UseCase(organisation_id=orgs[owner[i]], name=f"Use case {i}", stage=stages[i])
                for i in range(args.use_cases)
            ],
            batch_size=1000,
        )
        use_cases = [uc.pk for uc in created]
        cost_rows = []
        metric_rows = []
        for pk in use_cases:
            capex = float(rng.integers(10, 120)) * 1e6
            opex = capex * float(rng.uniform(0.15, 0.35))
            overrun = float(rng.choice([0.0, 0.0, 0.1]))
            cost_rows.append((pk, 2022, "development", "capital", capex, capex * (1 + overrun), "RUB", "", 1, now, now))
            for year in range(2023, 2028):
                actual = opex * (1 + overrun) if year < 2026 else None
                cost_rows.append((pk, year, "staff", "operating", opex, actual, "RUB", "", 1, now, now))
            gain = float(rng.uniform(10, 40))
            metric_rows.append(
                (pk, "processing_time", "", "minutes per case", "decrease", 60.0, 60.0 - gain,
                 dt.date(2024, 6, 30), (capex + 5 * opex) * float(rng.uniform(0.6, 3.0)) / 5 / gain, "RUB", 2023,
                 "", 1, now, now)
            )  # fmt: skip
        insert_rows(
            CostLine,
            ["use_case_id", "year", "category", "kind", "planned", "actual", "currency", "note", "version",
             "created_at", "updated_at"],
            cost_rows,
        )  # fmt: skip
        metrics = insert_returning_ids(
            BenefitMetric,
            ["use_case_id", "kind", "name", "unit", "direction", "baseline", "target", "target_date",
             "value_per_unit", "currency", "benefits_from", "note", "version", "created_at", "updated_at"],
            metric_rows,
        )  # fmt: skip
        quarters = [
            dt.date(year, month, 30 if month in (6, 9) else 31) for year in (2024, 2025) for month in (3, 6, 9, 12)
        ]
        insert_rows(
            BenefitMeasurement,
            ["metric_id", "measured_on", "value", "source", "evidence", "note", "created_at", "updated_at"],
            (
                (metric, day, 60.0 - float(rng.uniform(5, 40)) * (q + 1) / len(quarters), "bench", "", "", now, now)
                for metric in metrics
                for q, day in enumerate(quarters)
            ),
        )
        insert_rows(
            Risk,
            ["use_case_id", "title", "description", "category", "likelihood", "severity", "mitigations", "status",
             "version", "created_at", "updated_at"],
            (
                (pk, "Risk", "", "7.3", int(rng.integers(1, 6)), int(rng.integers(1, 6)), "", "open", 1, now, now)
                for pk in use_cases
                for _ in range(int(rng.integers(0, 4)))
            ),
        )  # fmt: skip
    loaded = time.perf_counter() - started
    user = User.objects.create_user("bench-admin", password="x")
    Membership.objects.create(user=user, role="hq_admin")
    client = Client()
    client.force_login(user)
    print(f"{connection.vendor}: {args.use_cases:,} use cases with costs, benefits and risks, loaded in {loaded:.0f} s")

    def timed(label: str, call: object, repeat: int) -> None:
        times: list[float] = []
        count = 0
        for _ in range(repeat):
            with CaptureQueriesContext(connection) as queries:
                tick = time.perf_counter()
                call()  # type: ignore[operator]
                times.append(time.perf_counter() - tick)
            count = len(queries)
        print(f"{label:<52} {statistics.median(times):>9.2f} {max(times):>8.2f} {count:>8}")

    print(f"{'what':<52} {'median s':>9} {'max s':>8} {'queries':>8}")
    timed("portfolio selector (score, rank, candidates)", lambda: selectors.portfolio(user), args.repeat)
    timed("portfolio page /evaluation/", lambda: client.get("/evaluation/"), args.repeat)
    timed("portfolio API, what-if weights, first 100", lambda: client.get("/api/v1/portfolio/?value=1"), args.repeat)
    one = use_cases[len(use_cases) // 2]
    timed("one use case's evaluation page", lambda: client.get(f"/use-cases/{one}/evaluation/"), args.repeat)
    actor = SystemActor("bench")

    def pack() -> None:
        data = briefing.collect(actor, period="2026-Q4")
        briefing.render_pdf(data, lang="en")

    timed("briefing pack, everything, collected and rendered", pack, 1)


if __name__ == "__main__":
    main()
