"""A bounded load test over the scale data (``make load``): gunicorn on loopback, locust headless, then a table.

    python benchmarks/load_test.py                              # 60 s, 32 users, SQLite, the issue's full scale
    python benchmarks/load_test.py --database postgresql        # on DATABASE_URL's server (a scratch database)
    python benchmarks/load_test.py --seconds 20 --use-cases 10000 --measurements 360000   # quick

The scale data come from ``aihq generate_scale`` through ``scale_benchmark.prepare`` (made once, then reused).
Each of the ``--users`` simulated users is another organisation's editor with a token and a session of their own
(``benchmarks/load/locustfile.py`` has the mix: lists with filters, search, records, pages, roll-ups, indicator
status, league tables, edits with If-Match, creations). Everything stays on 127.0.0.1 and stops by itself; the run
fails (exit 1) on any error: a failed request, a 5xx, or a 409/412 (users never share a record).
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from scale_benchmark import (
    BIN,
    ROOT,
    Server,
    prepare,
    scale_arguments,
    signed_in_session,
    use_environment,
)


def make_fixture(users: int, path: Path) -> list[int]:
    """Tokens and sessions for ``users`` editors (the organisations with the most use cases first); returns the
    token ids to delete afterwards."""
    from django.db.models import Count

    from aihq.accounts.models import ApiToken, Membership, hash_token
    from aihq.objectives.models import Indicator, Objective
    from aihq.registry.models import Region, Sector, UseCase

    editors = []
    tokens = []
    memberships = (
        Membership.objects.filter(role="editor", user__is_active=True, organisation__isnull=False)
        .annotate(n=Count("organisation__use_cases"))
        .filter(n__gt=0)
        .select_related("user", "organisation")
        .order_by("-n", "pk")[:users]
    )
    for membership in memberships:
        key = ApiToken.generate_key()
        token = ApiToken.objects.create(user=membership.user, name="load", prefix=key[:8], key_hash=hash_token(key))
        tokens.append(token.pk)
        session = signed_in_session(membership.user)
        mine = list(
            UseCase.objects.filter(organisation=membership.organisation)
            .order_by("pk")
            .values_list("pk", flat=True)[:200]
        )
        editors.append(
            {
                "token": key,
                "session": session.session_key,
                "organisation": membership.organisation.code,
                "use_cases": mine,
            }
        )
    if len(editors) < users:
        sys.exit(f"The data has {len(editors)} editors of organisations with use cases; {users} users need as many.")
    fixture = {
        "editors": editors,
        "sectors": list(Sector.objects.values_list("code", flat=True)),
        "regions": list(Region.objects.filter(use_cases__isnull=False).distinct().values_list("code", flat=True)),
        "indicators": list(Indicator.objects.order_by("pk").values_list("pk", flat=True)[:200]),
        "objectives": list(Objective.objects.order_by("pk").values_list("pk", flat=True)),
        "words": ["monitoring", "forecast", "chatbot", "прогноз", "распознавание", "fraud", "translation"],
    }
    path.write_text(json.dumps(fixture))
    return tokens


def read_stats(prefix: Path) -> list[dict[str, str]]:
    with open(f"{prefix}_stats.csv", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    scale_arguments(parser)
    parser.add_argument("--users", type=int, default=32)
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--workers", type=int, default=4, help="gunicorn worker processes")
    args = parser.parse_args()
    args.existing = False

    env = prepare(args)
    use_environment(env)
    out = Path(env["AIHQ_DATA_DIR"]) / "load"
    out.mkdir(parents=True, exist_ok=True)
    fixture = out / "fixture.json"
    tokens = make_fixture(args.users, fixture)
    server = Server(env, workers=args.workers)
    prefix = out / f"run-{int(time.time())}"
    try:
        command = [str(BIN / "locust"), "-f", str(ROOT / "benchmarks" / "load" / "locustfile.py"), "--headless"]
        command += ["-u", str(args.users), "-r", str(max(1, args.users // 4)), "-t", f"{args.seconds}s"]
        command += ["--host", server.base, "--csv", str(prefix), "--only-summary", "--stop-timeout", "10"]
        command += ["--loglevel", "WARNING"]
        result = subprocess.run(command, env=dict(env, AIHQ_LOAD_FIXTURE=str(fixture)), cwd=ROOT, check=False)
    finally:
        server.stop()
        from aihq.accounts.models import ApiToken

        ApiToken.objects.filter(pk__in=tokens).delete()
    rows = read_stats(prefix)
    print(f"\n{os.environ.get('DATABASE_URL', 'sqlite').split(':')[0]}: {args.users} users for {args.seconds} s, "
          f"gunicorn {args.workers} workers on 127.0.0.1\n")  # fmt: skip
    print(f"{'request':<26}{'count':>8}{'errors':>8}{'p50 ms':>8}{'p95 ms':>8}{'p99 ms':>8}{'req/s':>8}")
    for row in rows:
        name = row["Name"] if row["Name"] != "Aggregated" else "ALL"
        print(
            f"{name[:25]:<26}{int(row['Request Count']):>8}{int(row['Failure Count']):>8}{row['50%']:>8}"
            f"{row['95%']:>8}{row['99%']:>8}{float(row['Requests/s']):>8.1f}"
        )
    total = next(row for row in rows if row["Name"] == "Aggregated")
    failures = int(total["Failure Count"])
    if failures or result.returncode:
        print(f"\n{failures} errors (see {prefix}_failures.csv); locust exit {result.returncode}")
        sys.exit(1)
    print("\n0 errors.")


if __name__ == "__main__":
    main()
