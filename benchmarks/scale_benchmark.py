"""The pages and API endpoints that matter, at national scale, against hand-written SQL (``make bench``).

    python benchmarks/scale_benchmark.py                          # SQLite, the issue's full scale
    python benchmarks/scale_benchmark.py --database postgresql    # on DATABASE_URL's server (a scratch database)
    python benchmarks/scale_benchmark.py --use-cases 10000 --measurements 360000 --repeat 5   # quick

The scale data (``aihq generate_scale``) is made once per size and seed and kept (SQLite: under
``var/bench/``; PostgreSQL: a database ``aihq_bench_<size>``), so a second run starts at once. Then gunicorn
serves AIHQ on loopback and each case is timed through the real HTTP stack (keep-alive, a token for the API, a
session for pages): median and p95 of ``--repeat`` requests after two warm-ups. The same request is made once
in-process to count its queries (for lists at 10 and at 100 rows a page: the two must be equal), and hand-written
SQL giving the same answer runs on the same database, timed the same way; the answers are compared.
"""

from __future__ import annotations

import argparse
import csv
import http.client
import io
import json
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


@dataclass
class Case:
    name: str
    kind: str  # "list", "rollup", "page", "export", "status"
    path: str
    sql: Callable[[Any], Any]  # cursor → the answer
    answer: Callable[[bytes], Any]  # response body → the answer
    page: bool = False  # a page (session) rather than the API (token)
    sizes: tuple[int, int] | None = None  # page sizes whose query counts must be equal
    result: dict[str, Any] = field(default_factory=dict)


TARGETS = {"rollup": 1.5, "list": 2.0, "page": 2.0}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _run(cmd: list[str], env: dict[str, str]) -> None:
    print("$", " ".join(cmd), file=sys.stderr, flush=True)
    subprocess.run(cmd, env=env, check=True, cwd=ROOT)


def prepare(args: argparse.Namespace) -> dict[str, str]:
    """The environment pointing at the scale database, generating it first when it is not there yet."""
    size = f"{args.use_cases}-{args.organisations}-{args.indicators}-{args.measurements}-{args.seed}"
    env = dict(os.environ, AIHQ_ENV="development", AIHQ_DEBUG="false", AIHQ_EMBED_ON_SAVE="false")
    env["DJANGO_SETTINGS_MODULE"] = "aihq.settings"
    env["AIHQ_THROTTLE_USER"] = "1000000/minute"
    if args.existing:
        return env
    generate = [str(BIN / "aihq"), "generate_scale", "--use-cases", str(args.use_cases)]
    generate += ["--organisations", str(args.organisations), "--indicators", str(args.indicators)]
    generate += ["--measurements", str(args.measurements), "--seed", str(args.seed)]
    if args.database == "sqlite":
        data_dir = ROOT / "var" / "bench" / f"sqlite-{size}"
        env["AIHQ_DATA_DIR"] = str(data_dir)
        env.pop("DATABASE_URL", None)
        if not (data_dir / "generated").exists():
            shutil.rmtree(data_dir, ignore_errors=True)
            data_dir.mkdir(parents=True)
            _run([str(BIN / "aihq"), "migrate", "--noinput", "-v", "0"], env)
            _run(generate, env)
            (data_dir / "generated").write_text(" ".join(generate))
        _run([str(BIN / "aihq"), "migrate", "--noinput", "-v", "0"], env)  # data kept from an older AIHQ
        return env
    import psycopg

    base = os.environ.get("DATABASE_URL", "")
    if not base.startswith("postgres"):
        sys.exit("--database postgresql needs DATABASE_URL=postgresql://… (a role that may CREATE DATABASE)")
    name = "aihq_bench_" + size.replace("-", "_")
    data_dir = ROOT / "var" / "bench" / f"pg-{size}"
    data_dir.mkdir(parents=True, exist_ok=True)
    env["AIHQ_DATA_DIR"] = str(data_dir)
    env["DATABASE_URL"] = re.sub(r"/[^/]*$", "/" + name, base)
    with psycopg.connect(base, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if exists and not (data_dir / "generated").exists():
            conn.execute(f'DROP DATABASE "{name}"')
            exists = None
        if not exists:
            conn.execute(f'CREATE DATABASE "{name}"')
    if not (data_dir / "generated").exists():
        _run([str(BIN / "aihq"), "migrate", "--noinput", "-v", "0"], env)
        _run(generate, env)
        (data_dir / "generated").write_text(" ".join(generate))
    _run([str(BIN / "aihq"), "migrate", "--noinput", "-v", "0"], env)  # data kept from an older AIHQ
    return env


class Server:
    """gunicorn on loopback, as in production (two workers), until the benchmark ends."""

    def __init__(self, env: dict[str, str], workers: int = 2) -> None:
        self.port = _free_port()
        self.process = subprocess.Popen(
            [
                str(BIN / "gunicorn"),
                "aihq.wsgi:application",
                "-b",
                f"127.0.0.1:{self.port}",
                "-w",
                str(workers),
                "--timeout",
                "900",
                "--log-level",
                "warning",
            ],
            env=env,
            cwd=ROOT,
        )
        self.base = f"http://127.0.0.1:{self.port}"
        import requests

        for _ in range(300):
            try:
                if requests.get(self.base + "/healthz", timeout=2).status_code == 200:
                    return
            except requests.RequestException:  # not listening yet, or a worker still booting
                time.sleep(0.2)
        self.stop()
        sys.exit("gunicorn did not answer /healthz")

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=30)


def _timed(fn: Callable[[], Any], repeat: int) -> tuple[list[float], Any]:
    fn()
    fn()  # warm-ups: caches, connections, the planner
    times, result = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return times, result


def _p95(times: list[float]) -> float:
    ordered = sorted(times)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


# --- answers read from responses -------------------------------------------------------------------------------


def _api_page(body: bytes) -> Any:
    data = json.loads(body)
    return data["count"], [row.get("id", row.get("seq")) for row in data["results"]]


_ROW_LINK = re.compile(rb'<td><a href="/use-cases/(\d+)/"')


def _page_ids(body: bytes) -> Any:
    ids: list[int] = []
    for match in _ROW_LINK.finditer(body):
        value = int(match.group(1))
        if value not in ids:
            ids.append(value)
    return ids


def _audit_page_seqs(body: bytes) -> Any:
    return [int(x) for x in dict.fromkeys(re.findall(rb'href="/audit/(\d+)/"', body))]


def _chart_data(body: bytes) -> Any:
    match = re.search(rb'<script id="chart-data" type="application/json">(.*?)</script>', body, re.S)
    assert match, "no chart data on the dashboard"
    charts = json.loads(match.group(1))
    return {kind: sorted((row["key"], row["value"]) for row in rows) for kind, rows in charts.items()}


def _rollup(body: bytes) -> Any:
    return sorted((row["key"], row["count"]) for row in json.loads(body)["rows"])


def _csv_rows(body: bytes) -> Any:
    reader = csv.reader(io.StringIO(body.decode("utf-8-sig")))
    next(reader)
    return sum(1 for _ in reader)


# --- the cases ---------------------------------------------------------------------------------------------------


def build_cases(cursor: Any, vendor: str) -> list[Case]:
    """The cases, with parameters picked from the data: the largest organisation, a common sector, region, word."""

    def first(sql: str) -> Any:
        cursor.execute(sql)
        return cursor.fetchone()[0]

    def busiest(table: str, other: str, offset: int) -> str:
        """The code of a sector or region with many use cases (not the very largest: a typical filter)."""
        return str(
            first(
                f"SELECT x.code FROM registry_usecase_{table} t JOIN registry_{other} x ON x.id = t.{other}_id "
                f"GROUP BY x.code ORDER BY COUNT(*) DESC, x.code LIMIT 1 OFFSET {offset}"
            )
        )

    big_org = first(
        "SELECT o.code FROM registry_usecase u JOIN registry_organisation o ON o.id = u.organisation_id "
        "GROUP BY o.code ORDER BY COUNT(*) DESC, o.code LIMIT 1"
    )
    parent_org = first(
        "SELECT p.code FROM registry_organisation o JOIN registry_organisation p ON p.id = o.parent_id "
        "GROUP BY p.code ORDER BY COUNT(*) DESC, p.code LIMIT 1"
    )
    sector = busiest("sectors", "sector", 2)
    region = busiest("regions", "region", 5)
    objective = first("SELECT id FROM objectives_objective ORDER BY id LIMIT 1")
    like = "ILIKE" if vendor == "postgresql" else "LIKE"
    word = "monitoring"

    def use_case_page(
        where: str, params: list[Any], order: str = "u.updated_at DESC, u.id DESC", limit: int = 50
    ) -> Callable:
        def run(cur: Any) -> Any:
            cur.execute(f"SELECT COUNT(*) FROM registry_usecase u WHERE {where}", params)
            count = cur.fetchone()[0]
            cur.execute(
                "SELECT u.*, o.code, o.name_en, o.name_ru FROM registry_usecase u "
                f"JOIN registry_organisation o ON o.id = u.organisation_id WHERE {where} "
                f"ORDER BY {order} LIMIT {limit}",
                params,
            )
            rows = cur.fetchall()
            ids = [row[0] for row in rows]
            marks = ", ".join(["%s"] * len(ids)) or "NULL"
            for table, other in (("sectors", "sector"), ("regions", "region")):
                cur.execute(
                    f"SELECT t.usecase_id, x.* FROM registry_usecase_{table} t "
                    f"JOIN registry_{other} x ON x.id = t.{other}_id WHERE t.usecase_id IN ({marks})",
                    ids,
                )
                cur.fetchall()
            return count, ids

        return run

    everything = "1 = 1"
    in_org = "u.organisation_id = (SELECT id FROM registry_organisation WHERE code = %s)"
    subtree = (
        "u.organisation_id IN (WITH RECURSIVE t(id) AS (SELECT id FROM registry_organisation WHERE code = %s "
        "UNION ALL SELECT o.id FROM registry_organisation o JOIN t ON o.parent_id = t.id) SELECT id FROM t)"
    )

    def linked(table: str, other: str) -> str:
        return (
            f"u.id IN (SELECT t.usecase_id FROM registry_usecase_{table} t JOIN registry_{other} x "
            f"ON x.id = t.{other}_id WHERE x.code = %s)"
        )

    in_sector, in_region = linked("sectors", "sector"), linked("regions", "region")
    text = " OR ".join(f"u.{c} {like} %s" for c in ("name", "description", "purpose", "vendors", "unit"))
    text = f"({text} OR u.reference = %s)"
    true = "true" if vendor == "postgresql" else "1"
    api = "/api/v1/use-cases/?page_size=50"
    cases = [
        Case("use cases: no filter", "list", api, use_case_page(everything, []), _api_page, sizes=(10, 100)),
        Case(
            "use cases: organisation",
            "list",
            f"{api}&organisation={big_org}",
            use_case_page(in_org, [big_org]),
            _api_page,
            sizes=(10, 100),
        ),
        Case(
            "use cases: organisation + children",
            "list",
            f"{api}&organisation={parent_org}&include_children=true",
            use_case_page(subtree, [parent_org]),
            _api_page,
        ),
        Case(
            "use cases: stage",
            "list",
            f"{api}&stage=production",
            use_case_page("u.stage = %s", ["production"]),
            _api_page,
        ),
        Case("use cases: sector", "list", f"{api}&sector={sector}", use_case_page(in_sector, [sector]), _api_page),
        Case("use cases: region", "list", f"{api}&region={region}", use_case_page(in_region, [region]), _api_page),
        Case(
            "use cases: generative",
            "list",
            f"{api}&is_generative=true",
            use_case_page(f"u.is_generative = {true}", []),
            _api_page,
        ),
        Case(
            "use cases: sorted by name",
            "list",
            f"{api}&ordering=name",
            use_case_page(everything, [], "u.name, u.updated_at DESC, u.id DESC"),
            _api_page,
        ),
        Case(
            "use cases: text search",
            "list",
            f"{api}&q={word}",
            use_case_page(text, [f"%{word}%"] * 5 + [word]),
            _api_page,
        ),
        Case(
            "page /use-cases/",
            "page",
            "/use-cases/",
            lambda cur: use_case_page(everything, [], limit=25)(cur)[1],
            _page_ids,
            page=True,
        ),
    ]

    def rollup_sql(by: str) -> Callable:
        queries = {
            "stage": "SELECT stage, COUNT(*) FROM registry_usecase GROUP BY stage",
            "sector": "SELECT s.code, COUNT(*) FROM registry_usecase_sectors t JOIN registry_sector s "
            "ON s.id = t.sector_id GROUP BY s.code",
            "region": "SELECT r.code, COUNT(*) FROM registry_usecase_regions t JOIN registry_region r "
            "ON r.id = t.region_id GROUP BY r.code",
            "organisation": "SELECT o.code, COUNT(*) FROM registry_usecase u JOIN registry_organisation o "
            "ON o.id = u.organisation_id GROUP BY o.code",
        }

        def run(cur: Any) -> Any:
            cur.execute(queries[by])
            return sorted((key, n) for key, n in cur.fetchall())

        return run

    for by in ("stage", "sector", "region", "organisation"):
        cases.append(Case(f"roll-up by {by}", "rollup", f"/api/v1/use-cases/rollup/?by={by}", rollup_sql(by), _rollup))

    def audit_sql(cur: Any) -> Any:
        cur.execute("SELECT COUNT(*) FROM audit_auditevent")
        count = cur.fetchone()[0]
        cur.execute("SELECT * FROM audit_auditevent ORDER BY seq DESC LIMIT 50")
        return count, [row_seq(row) for row in cur.fetchall()]

    def audit_api(body: bytes) -> Any:
        data = json.loads(body)
        return data["count"], [row["seq"] for row in data["results"]]

    def audit_page_sql(cur: Any) -> Any:
        cur.execute("SELECT COUNT(*) FROM audit_auditevent")
        cur.fetchone()
        cur.execute("SELECT * FROM audit_auditevent ORDER BY seq DESC LIMIT 50")
        return [row_seq(row) for row in cur.fetchall()]

    cursor.execute("SELECT * FROM audit_auditevent LIMIT 0")
    seq_index = [col[0] for col in cursor.description].index("seq")

    def row_seq(row: Any) -> int:
        return int(row[seq_index])

    cases += [
        Case("audit log API", "list", "/api/v1/audit-events/?page_size=50", audit_sql, audit_api, sizes=(10, 100)),
        Case("page /audit/", "page", "/audit/", audit_page_sql, _audit_page_seqs, page=True),
    ]

    def league_sql(cur: Any) -> Any:
        cur.execute(
            "SELECT COUNT(DISTINCT m.region_id) FROM objectives_measurement m JOIN objectives_indicator i "
            "ON i.id = m.indicator_id WHERE i.objective_id = %s AND m.region_id IS NOT NULL",
            [objective],
        )
        return cur.fetchone()[0]

    def league_answer(body: bytes) -> Any:
        return sum(1 for row in json.loads(body)["results"] if row.get("achievement") is not None)

    def overview_sql(cur: Any) -> Any:
        # The inputs of every indicator's national status: the national values and the targets.
        cur.execute("SELECT indicator_id, period_end, value FROM objectives_nationalvalue ORDER BY indicator_id")
        cur.fetchall()
        cur.execute("SELECT indicator_id, date, value FROM objectives_target WHERE region_id IS NULL")
        cur.fetchall()
        cur.execute("SELECT COUNT(*) FROM objectives_indicator")
        return cur.fetchone()[0]

    def overview_answer(body: bytes) -> Any:
        return len(set(re.findall(rb'href="/indicators/(\d+)/', body)))

    cases.append(Case("page /objectives/ (status of every indicator)", "status", "/objectives/", overview_sql,
                      overview_answer, page=True))  # fmt: skip
    cases.append(
        Case(
            "league table (objective, by region)",
            "status",
            f"/api/v1/objectives/{objective}/league/?by=region",
            league_sql,
            league_answer,
        )
    )

    def export_sql(cur: Any) -> Any:
        agg = "string_agg" if vendor == "postgresql" else "group_concat"
        cur.execute(
            f"SELECT u.*, o.code, (SELECT {agg}(s.code, ';') FROM registry_usecase_sectors t "
            "JOIN registry_sector s ON s.id = t.sector_id WHERE t.usecase_id = u.id), "
            f"(SELECT {agg}(r.code, ';') FROM registry_usecase_regions t JOIN registry_region r "
            "ON r.id = t.region_id WHERE t.usecase_id = u.id) "
            "FROM registry_usecase u JOIN registry_organisation o ON o.id = u.organisation_id ORDER BY u.id"
        )
        return len(cur.fetchall())

    cases.append(
        Case("export CSV (every use case)", "export", "/api/v1/use-cases/export/?format=csv", export_sql, _csv_rows)
    )
    return cases


def scale_arguments(parser: argparse.ArgumentParser) -> None:
    """The database and the size of the scale data (the issue's by default), shared with the load test."""
    parser.add_argument("--database", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--use-cases", type=int, default=100_000)
    parser.add_argument("--organisations", type=int, default=500)
    parser.add_argument("--indicators", type=int, default=1000)
    parser.add_argument("--measurements", type=int, default=3_600_000)
    parser.add_argument("--seed", type=int, default=1)


def use_environment(env: dict[str, str]) -> None:
    """Point this process (Django, once set up) at the scale database."""
    os.environ.update(env)
    if "DATABASE_URL" not in env:
        os.environ.pop("DATABASE_URL", None)
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def signed_in_session(user: Any) -> Any:
    """A saved session signed in as ``user`` (what a browser holds after signing in), without the sign-in form."""
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore

    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "aihq.accounts.authentication.AIHQModelBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.create()
    return session


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    scale_arguments(parser)
    parser.add_argument("--repeat", type=int, default=15, help="timed requests per case (exports: a third)")
    parser.add_argument("--only", default="", help="run the cases whose name contains this")
    parser.add_argument("--json", action="store_true", help="the table as JSON on stdout")
    parser.add_argument(
        "--existing", action="store_true", help="benchmark the database AIHQ_DATA_DIR / DATABASE_URL name, as it is"
    )
    args = parser.parse_args()

    env = prepare(args)
    use_environment(env)
    from django.db import connection

    from aihq.accounts.models import ApiToken, Membership, User, hash_token

    admin = User.objects.filter(memberships__role="hq_admin", is_active=True).order_by("pk").first()
    if admin is None:
        sys.exit("The scale data has no HQ admin.")
    key = ApiToken.generate_key()
    ApiToken.objects.create(user=admin, name="bench", prefix=key[:8], key_hash=hash_token(key))
    session = signed_in_session(admin)
    assert Membership.objects.filter(user=admin).exists()

    vendor = connection.vendor
    with connection.cursor() as cursor:
        cases = [case for case in build_cases(cursor, vendor) if args.only in case.name]
    server = Server(env)
    try:
        run_cases(cases, server, key, session.session_key, args, admin)
    finally:
        server.stop()
        ApiToken.objects.filter(name="bench", user=admin).delete()
        session.delete()
    report(cases, vendor, args)


def run_cases(
    cases: list[Case], server: Server, key: str, session_key: str, args: argparse.Namespace, admin: Any
) -> None:
    """Time each case through HTTP and as SQL, count its queries in-process, compare the answers."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client(HTTP_AUTHORIZATION=f"Token {key}", HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(admin)
    for case in cases:
        repeat = max(3, args.repeat // 3) if case.kind == "export" else args.repeat
        headers = {"Accept-Language": "en"}
        headers.update({"Cookie": f"sessionid={session_key}"} if case.page else {"Authorization": f"Token {key}"})

        def fetch(case: Case = case, headers: dict = headers) -> bytes:
            # The standard library's client: a few hundred microseconds lighter a request than requests', which
            # would count against the server. gunicorn's sync workers close each connection, as browsers see.
            connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=900)
            try:
                connection.request("GET", case.path, headers=headers)
                response = connection.getresponse()
                body = response.read()
            finally:
                connection.close()
            if response.status != 200:
                raise RuntimeError(f"{case.path}: HTTP {response.status} {body[:300]!r}")
            return body

        print(f"… {case.name}", file=sys.stderr, flush=True)
        http_times, body = _timed(fetch, repeat)
        with connection.cursor() as cursor:
            sql_times, expected = _timed(lambda cursor=cursor, case=case: case.sql(cursor), repeat)
        with CaptureQueriesContext(connection) as queries:
            client.get(case.path)
        counts = [len(queries)]
        if case.sizes:
            for size in case.sizes:
                with CaptureQueriesContext(connection) as queries:
                    client.get(re.sub(r"page_size=\d+", f"page_size={size}", case.path))
                counts.append(len(queries))
        http_median, sql_median = statistics.median(http_times), statistics.median(sql_times)
        try:
            got = case.answer(body)
        except (KeyError, ValueError, AssertionError) as error:
            got = f"unreadable: {error!r}"
        case.result = {
            "case": case.name,
            "kind": case.kind,
            "median_ms": round(http_median * 1000, 1),
            "p95_ms": round(_p95(http_times) * 1000, 1),
            "queries": counts[0],
            "queries_by_page_size": counts[1:],
            "sql_median_ms": round(sql_median * 1000, 1),
            "ratio": round(http_median / sql_median, 2) if sql_median else None,
            "target": TARGETS.get(case.kind),
            "same_answer": got == expected,
        }
        if got != expected:
            case.result["mismatch"] = f"HTTP {str(got)[:200]} ≠ SQL {str(expected)[:200]}"


def report(cases: list[Case], vendor: str, args: argparse.Namespace) -> None:
    rows = [case.result for case in cases]
    if args.json:
        print(json.dumps({"database": vendor, "rows": rows}, indent=2))
        return
    from aihq.objectives.models import Indicator, Measurement
    from aihq.registry.models import Organisation, UseCase

    sizes = [
        (UseCase, "use cases"),
        (Organisation, "organisations"),
        (Indicator, "indicators"),
        (Measurement, "measurements"),
    ]
    data = ", ".join(f"{model.objects.count():,} {label}" for model, label in sizes)
    print(f"\n{vendor}: {data}; {args.repeat} requests per case (median, p95 through gunicorn)\n")
    header = f"{'case':<38}{'median ms':>10}{'p95 ms':>9}{'queries':>9}{'q@10/100':>10}{'SQL ms':>9}{'ratio':>7}"
    print(header + f"{'target':>8}  answer")
    print("-" * (len(header) + 16))
    for row in rows:
        sizes = "/".join(str(n) for n in row["queries_by_page_size"]) or "—"
        target = row["target"]
        ratio = row["ratio"]
        verdict = "" if target is None or ratio is None else ("  ok" if ratio <= target else "  OVER")
        print(
            f"{row['case']:<38}{row['median_ms']:>10.1f}{row['p95_ms']:>9.1f}{row['queries']:>9}{sizes:>10}"
            f"{row['sql_median_ms']:>9.1f}{ratio if ratio is not None else '—':>7}"
            f"{('≤' + str(target)) if target else '—':>8}{verdict}  {'same' if row['same_answer'] else 'DIFFERENT'}"
        )
        if "mismatch" in row:
            print(f"    {row['mismatch']}")


if __name__ == "__main__":
    main()
