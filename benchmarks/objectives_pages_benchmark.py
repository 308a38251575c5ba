"""How the objectives pages and API answer at national scale.

1,000 indicators × 89 regions × 40 quarterly periods (3.56 million regional measurements) are written
straight into a fresh database (SQLite by default, or DATABASE_URL), then the overview, the
stocktake, one indicator's page and its status API are timed through Django's full request stack.

    .venv/bin/python benchmarks/objectives_pages_benchmark.py [--indicators 1000] [--regions 89] [--periods 40]
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
    parser.add_argument("--indicators", type=int, default=1000)
    parser.add_argument("--regions", type=int, default=89)
    parser.add_argument("--periods", type=int, default=40)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    os.environ.setdefault("AIHQ_DATA_DIR", tempfile.mkdtemp(prefix="aihq-objbench-"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "aihq.settings")
    import django

    django.setup()
    import numpy as np
    from django.core.management import call_command
    from django.db import connection, transaction
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from aihq.accounts.models import Membership, User
    from aihq.core.db import insert_rows
    from aihq.objectives.models import Indicator, Measurement, Objective, Target
    from aihq.objectives.rollups import refresh_national_values
    from aihq.registry.models import Region

    call_command("migrate", verbosity=0)
    started = time.perf_counter()
    rng = np.random.default_rng(1)
    with transaction.atomic():
        insert_rows(
            Region,
            ["code", "country", "name_en", "name_ru", "group_en", "group_ru", "created_at", "updated_at"],
            [
                (f"XX-{i:03d}", "XX", f"Region {i}", "", "", "", dt.datetime.now(dt.UTC), dt.datetime.now(dt.UTC))
                for i in range(args.regions)
            ],
        )
        region_ids = list(Region.objects.values_list("id", flat=True))
        objectives = [Objective.objects.create(code=f"O{i}", title_en=f"Objective {i}") for i in range(20)]
        now = dt.datetime.now(dt.UTC)
        fixed = {"unit": "percent", "unit_ru": "%", "baseline_value": 10.0, "baseline_date": dt.date(2015, 12, 31)}
        fixed |= {"shape": "linear", "frequency": "quarterly", "aggregation": "mean", "region_country": "XX"}
        fixed |= {"name_ru": "", "weight_label": "", "source": "", "notes": "", "version": 1}
        fixed |= {"created_at": now, "updated_at": now}
        columns = ["objective_id", "code", "name_en", "direction", *fixed]
        rows = [
            (
                objectives[i % 20].pk,
                f"I{i:04d}",
                f"Indicator {i}",
                "decrease" if i % 4 == 0 else "increase",
                *fixed.values(),
            )
            for i in range(args.indicators)
        ]
        insert_rows(Indicator, columns, rows)
        indicators = list(Indicator.objects.order_by("id").values_list("id", flat=True))
        insert_rows(
            Target,
            ["indicator_id", "region_id", "date", "value", "created_at", "updated_at"],
            [(pk, None, dt.date(2030, 12, 31), 90.0, now, now) for pk in indicators],
        )
        quarter_ends = []
        year, month = 2016, 3
        for _ in range(args.periods):
            quarter_ends.append(dt.date(year, month, 31 if month in (3, 12) else 30))
            month += 3
            if month > 12:
                year, month = year + 1, 3
        fields = ["indicator_id", "period_end", "value", "region_id", "source", "note", "is_illustrative",
                  "created_at", "updated_at"]  # fmt: skip
        for pk in indicators:
            slope = rng.uniform(0.2, 2.2)
            noise = rng.normal(0, 2, (len(region_ids), len(quarter_ends)))
            insert_rows(
                Measurement,
                fields,
                (
                    (pk, day, float(10 + slope * q + noise[r, q]), region_id, "", "", True, now, now)
                    for r, region_id in enumerate(region_ids)
                    for q, day in enumerate(quarter_ends)
                ),
            )
    loaded = time.perf_counter() - started
    started = time.perf_counter()
    with transaction.atomic():
        refresh_national_values(indicators)
    rolled_up = time.perf_counter() - started
    count = Measurement.objects.count()
    user = User.objects.create_user("bench-admin", password="x")
    Membership.objects.create(user=user, role="hq_admin")
    client = Client()
    client.force_login(user)
    at = (quarter_ends[-1] + dt.timedelta(days=1)).isoformat()
    first = indicators[0]
    targets = {
        "overview page": f"/objectives/?at={at}",
        "stocktake page": f"/stocktake/?at={at}",
        "indicator page": f"/indicators/{first}/?at={at}",
        "indicator page, one region": f"/indicators/{first}/?at={at}&region=XX-001",
        "status API": f"/api/v1/indicators/{first}/status/?at={at}",
        "stocktake regions behind (after the page)": f"/stocktake/regions-behind/?at={at}",
        "league API (objective, by region)": f"/api/v1/objectives/{objectives[0].pk}/league/?at={at}",
    }
    print(
        f"{connection.vendor}: {count:,} measurements, {args.indicators} indicators, loaded in {loaded:.0f} s, "
        f"national values rolled up in {rolled_up:.1f} s"
    )
    print(f"{'request':<44} {'median s':>9} {'max s':>8} {'queries':>8}")
    for url in targets.values():
        client.get(url)  # warm up: templates compiled, modules imported, caches filled
    for label, url in targets.items():
        times = []
        for _ in range(args.repeat):
            with CaptureQueriesContext(connection) as queries:
                tick = time.perf_counter()
                response = client.get(url)
                times.append(time.perf_counter() - tick)
            assert response.status_code == 200, (url, response.status_code)
        print(f"{label:<44} {statistics.median(times):>9.3f} {max(times):>8.3f} {len(queries):>8}")


if __name__ == "__main__":
    main()
