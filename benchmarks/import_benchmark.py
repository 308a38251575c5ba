#!/usr/bin/env python
"""How fast ``import_usecases`` writes use cases, against raw bulk inserts of the same rows.

    python benchmarks/import_benchmark.py [--rows 100000] [--json] [--profile DIR] [--keep]

Phases, each in its own child process on its own fresh copy of a migrated database (reference
sectors and Russia's regions loaded, nothing else):

- ``omb2024``: the shipped US OMB 2024 inventory through ``import_usecases`` (organisations created by it);
- ``import``: a generated generic CSV of ``--rows`` rows through ``import_usecases``, 50 organisations present;
- ``bulk_create``: the same CSV read with ``csv.DictReader`` into ``UseCase.objects.bulk_create(batch_size=1000)``
  plus the sector and region links with ``bulk_create``;
- ``executemany``: the same CSV into ``cursor.executemany`` INSERTs on the use-case table only.

The database is whatever ``DATABASE_URL`` names: SQLite (the default) uses scratch files in a temporary
``AIHQ_DATA_DIR``; PostgreSQL gets scratch databases ``aihq_bench_<pid>_*`` created on the same server (the
role needs CREATEDB) and dropped at the end; the named database itself is only used to issue CREATE/DROP.
Peak memory is each child's ``ru_maxrss`` as reported by ``os.wait4`` (KiB on Linux), i.e. what
``RUSAGE_CHILDREN`` accounts, but per phase instead of the maximum over all children.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import gzip
import hashlib
import io
import json
import os
import platform
import random
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
OMB_FILE = ROOT / "aihq" / "exchange" / "data" / "us_omb_2024_inventory.csv.gz"
PHASES = ("omb2024", "import", "bulk_create", "executemany")
TARGET_RATIO = 0.5
SEED = 20240
BATCH = 1000
ORGANISATIONS = [(f"BENCH-{i:02d}", f"Benchmark organisation {i:02d}") for i in range(1, 51)]
ACTOR_LABEL = "system:benchmark"

_PROSE = (
    "automated analysis of incoming applications documents citizens requests images records data model "
    "classification forecasting demand detection anomalies fraud risk scoring triage routing recognition "
    "speech text translation summarisation search knowledge base assistant operators inspectors doctors "
    "patients schools transport traffic energy grid water supply agriculture crops forestry satellite "
    "monitoring emissions weather inventory procurement contracts payments taxes customs border security "
    "maintenance equipment failures quality control workflow prioritisation recommendations reports "
    "dashboards alerts feedback complaints chatbot portal regional federal municipal public service "
    "machine learning neural network computer vision language processing statistical model training "
    "evaluation accuracy validation deployment pilot production retraining pipeline integration"
)
WORDS = tuple(_PROSE.split())
TITLES = (
    "Predictive", "Automated", "Intelligent", "Assisted", "Smart", "Real-time", "Adaptive", "Integrated",
)  # fmt: skip
SUBJECTS = (
    "document triage", "fraud detection", "demand forecasting", "citizen chatbot", "image recognition",
    "risk scoring", "traffic management", "speech transcription", "inspection planning", "crop monitoring",
    "anomaly detection", "translation service", "contract review", "grid balancing", "case routing",
)  # fmt: skip
VENDORS = ("", "", "Yandex", "Sber AI", "VK Tech", "Kaspersky", "Positive Technologies", "ABBYY", "NTech Lab")
STAGES = ("planned", "development", "pilot", "production", "production", "retired")
METHODS = ("in_house", "contracted", "mixed", "off_the_shelf", "unknown")
IMPACTS = ("", "", "neither", "rights", "safety", "both")
TECHNIQUES = ("agentic", "classical_ml", "computer_vision", "genai", "nlp", "rl")
TAGS = ("chatbot", "vision", "forecast", "nlp", "risk", "ocr", "pilot-2024", "priority", "open-data")


# --------------------------------------------------------------------------------------------
# the parent: scratch databases, child processes, the report


class SqliteScratch:
    """Scratch SQLite files in the work directory: one template, a copy per phase."""

    vendor = "sqlite"

    def __init__(self, workdir: Path) -> None:
        self.workdir = workdir

    def url(self, name: str) -> str:
        return f"sqlite:///{self.workdir / (name + '.sqlite3')}"

    def template_url(self) -> str:
        return self.url("template")

    def fresh(self, phase: str) -> str:
        source = self.workdir / "template.sqlite3"
        for suffix in ("", "-wal", "-shm"):
            if Path(f"{source}{suffix}").exists():
                shutil.copyfile(f"{source}{suffix}", self.workdir / f"{phase}.sqlite3{suffix}")
        return self.url(phase)

    def cleanup(self) -> None:
        """The files go with the work directory."""


class PostgresScratch:
    """Scratch databases on the server DATABASE_URL names: a migrated template, a copy per phase."""

    vendor = "postgresql"

    def __init__(self, base_url: str) -> None:
        import psycopg

        self.parts = urlsplit(base_url)
        admin = self.parts._replace(scheme="postgresql")
        self.admin = psycopg.connect(urlunsplit(admin), autocommit=True)
        self.prefix = f"aihq_bench_{os.getpid()}"
        self.created: list[str] = []

    def url(self, name: str) -> str:
        return urlunsplit(self.parts._replace(path="/" + name))

    def _create(self, name: str, template: str | None = None) -> str:
        from psycopg import sql

        statement = sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name))
        if template:
            statement = sql.SQL("CREATE DATABASE {} TEMPLATE {}").format(sql.Identifier(name), sql.Identifier(template))
        self.admin.execute(statement)
        self.created.append(name)
        return self.url(name)

    def template_url(self) -> str:
        return self._create(f"{self.prefix}_template")

    def fresh(self, phase: str) -> str:
        return self._create(f"{self.prefix}_{phase}", template=f"{self.prefix}_template")

    def cleanup(self) -> None:
        from psycopg import sql

        for name in reversed(self.created):
            self.admin.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
        self.admin.close()


def run_child(phase: str, args: argparse.Namespace, workdir: Path, db_url: str) -> dict[str, Any]:
    """Run one phase in a child process; its result plus the child's peak RSS from os.wait4."""
    data_dir = workdir / f"data-{phase}"
    data_dir.mkdir(exist_ok=True)
    result_path = workdir / f"result-{phase}.json"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "aihq.settings",
        "AIHQ_ENV": "development",
        # as in production: DEBUG keeps every query's SQL (whole INSERTs) in memory and formats it
        "AIHQ_DEBUG": "false",
        "AIHQ_DATA_DIR": str(data_dir),
        "DATABASE_URL": db_url,
        "SECRET_KEY": "benchmark-only-not-secret",
        "AIHQ_LOG_LEVEL": "WARNING",
    }
    command = [
        sys.executable,
        str(Path(__file__).resolve()),
        "--phase",
        phase,
        "--rows",
        str(args.rows),
        "--workdir",
        str(workdir),
        "--result",
        str(result_path),
    ]
    if args.profile:
        command += ["--profile", str(Path(args.profile).resolve())]
    started = time.monotonic()
    child = subprocess.Popen(command, env=env, cwd=ROOT)
    _pid, status, usage = os.wait4(child.pid, 0)
    child.returncode = os.waitstatus_to_exitcode(status)
    if child.returncode != 0:
        raise SystemExit(f"phase {phase} failed with exit code {child.returncode}")
    result: dict[str, Any] = json.loads(result_path.read_text())
    result["peak_rss_kib"] = kib(usage.ru_maxrss)
    result["process_seconds"] = round(time.monotonic() - started, 2)
    return result


def orchestrate(args: argparse.Namespace) -> int:
    started = time.monotonic()
    base_url = os.environ.get("DATABASE_URL", "").strip()
    scheme = urlsplit(base_url).scheme if base_url else "sqlite"
    workdir = Path(tempfile.mkdtemp(prefix="aihq-bench-"))
    scratch: SqliteScratch | PostgresScratch
    if scheme.startswith("sqlite"):
        scratch = SqliteScratch(workdir)
    elif scheme in ("postgres", "postgresql", "pgsql"):
        scratch = PostgresScratch(base_url)
    else:
        raise SystemExit(f"unsupported DATABASE_URL scheme {scheme!r}: use SQLite or PostgreSQL")
    phases = [p for p in PHASES if p in args.phases.split(",")]
    code = code_fingerprint()
    results: dict[str, dict[str, Any]] = {}
    try:
        say(f"setting up: migrate, reference data, {args.rows:,}-row CSV in {workdir}")
        setup = run_child("setup", args, workdir, scratch.template_url())
        for phase in phases:
            say(f"running {phase} ...")
            results[phase] = run_child(phase, args, workdir, scratch.fresh(phase))
            say(f"  {phase}: {results[phase]['rows']:,} rows in {results[phase]['seconds']:.2f} s")
    finally:
        scratch.cleanup()
        if args.keep:
            say(f"kept {workdir}")
        else:
            shutil.rmtree(workdir, ignore_errors=True)
    report = build_report(args, setup, results, time.monotonic() - started)
    report["code"] = code
    if code_fingerprint()["sha256"] != code["sha256"]:
        report["code"]["warning"] = "aihq's sources changed during the run: phases may have run different code"
    if args.json:
        print(json.dumps(report, indent=2))
    else:
        print_table(report)
    return 0


def code_fingerprint() -> dict[str, str]:
    """Which code was measured (without git): a hash of aihq's Python sources, tests left out, and their newest time."""
    digest = hashlib.sha256()
    newest = 0.0
    for path in sorted((ROOT / "aihq").rglob("*.py")):
        if "tests" in path.parts:
            continue
        digest.update(str(path.relative_to(ROOT)).encode() + b"\0" + path.read_bytes())
        newest = max(newest, path.stat().st_mtime)
    changed = dt.datetime.fromtimestamp(newest, tz=dt.UTC).strftime("%Y-%m-%d %H:%M:%S UTC")
    return {"sha256": digest.hexdigest()[:12], "newest_change": changed}


def build_report(
    args: argparse.Namespace, setup: dict[str, Any], results: dict[str, dict[str, Any]], total: float
) -> dict[str, Any]:
    import django

    ratios: dict[str, float] = {}
    imported = results.get("import")
    for baseline in ("bulk_create", "executemany"):
        if imported and baseline in results:
            ratios[f"import_vs_{baseline}"] = round(imported["rows_per_s"] / results[baseline]["rows_per_s"], 3)
    return {
        "database": setup["database"],
        "rows": args.rows,
        "python": platform.python_version(),
        "django": django.get_version(),
        "cpus": os.cpu_count(),
        "setup_seconds": setup["seconds"],
        "phases": results,
        "ratios": ratios,
        "target": f"import >= {TARGET_RATIO} x bulk_create",
        "meets_target": ratios["import_vs_bulk_create"] >= TARGET_RATIO if "import_vs_bulk_create" in ratios else None,
        "memory": "peak_rss_kib: ru_maxrss of the phase's child process from os.wait4 (KiB); "
        "rss_start_kib: the child's ru_maxrss just before the timed section",
        "profiled": bool(args.profile),
        "total_seconds": round(total, 1),
    }


def print_table(report: dict[str, Any]) -> None:
    db = report["database"]
    print(
        f"AIHQ import benchmark: {db['vendor']} {db['version']}, {report['rows']:,} generated rows, "
        f"Python {report['python']}, Django {report['django']}, {report['cpus']} CPUs"
    )
    print(f"aihq code {report['code']['sha256']} (sources last changed {report['code']['newest_change']})")
    if "warning" in report["code"]:
        print(f"WARNING: {report['code']['warning']}")
    if report["profiled"]:
        print("(profiled run: timings include cProfile overhead)")
    print()
    header = f"{'phase':<12} {'rows':>9} {'seconds':>9} {'rows/s':>9} {'peak RSS MiB':>13} {'RSS at start MiB':>17}"
    print(header)
    print("-" * len(header))
    for phase, result in report["phases"].items():
        print(
            f"{phase:<12} {result['rows']:>9,} {result['seconds']:>9.2f} {result['rows_per_s']:>9,.0f} "
            f"{result['peak_rss_kib'] / 1024:>13.1f} {result['rss_start_kib'] / 1024:>17.1f}"
        )
    print()
    for name, ratio in report["ratios"].items():
        print(f"{name.replace('_', ' ')}: {ratio:.2f}")
    if report["meets_target"] is not None:
        verdict = "met" if report["meets_target"] else "NOT met"
        print(f"target {report['target']}: {verdict}")
    print()
    for phase, result in report["phases"].items():
        if "counts" in result:
            counted = ", ".join(f"{k} {v:,}" for k, v in result["counts"].items() if v)
            print(f"{phase} counted ({result['format']}): {counted}")
        print(f"{phase} left in the database: " + ", ".join(f"{k} {v:,}" for k, v in result["written"].items()))
    print()
    print("peak RSS = ru_maxrss of the phase's child process (os.wait4, KiB on Linux, shown in MiB);")
    print("RSS at start = the child's ru_maxrss just before the timed section (Django loaded, data read).")
    print(f"setup {report['setup_seconds']:.1f} s, whole run {report['total_seconds']:.1f} s")


def say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


# --------------------------------------------------------------------------------------------
# the children: one phase each


def child(args: argparse.Namespace) -> int:
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    workdir = Path(args.workdir)
    csv_path = workdir / "generic.csv"
    result = {
        "setup": phase_setup,
        "omb2024": phase_omb2024,
        "import": phase_import,
        "bulk_create": phase_bulk_create,
        "executemany": phase_executemany,
    }[args.phase](args, csv_path)
    if "rows" in result and result.get("seconds"):
        result["rows_per_s"] = round(result["rows"] / result["seconds"], 1)
    result["phase"] = args.phase
    result["self_maxrss_kib"] = maxrss_kib()
    Path(args.result).write_text(json.dumps(result))
    return 0


def kib(maxrss: int) -> int:
    """ru_maxrss in KiB: Linux reports KiB already, macOS bytes."""
    return maxrss // 1024 if sys.platform == "darwin" else maxrss


def maxrss_kib() -> int:
    return kib(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)


class Timed:
    """Wall time of the block (and a cProfile of it with --profile)."""

    def __init__(self, args: argparse.Namespace) -> None:
        self.args = args
        self.seconds = 0.0
        self.rss_start_kib = 0

    def __enter__(self) -> Timed:
        self.profiler = None
        if self.args.profile:
            import cProfile

            self.profiler = cProfile.Profile()
        self.rss_start_kib = maxrss_kib()
        self.started = time.perf_counter()
        if self.profiler:
            self.profiler.enable()
        return self

    def __exit__(self, *exc: object) -> None:
        if self.profiler:
            self.profiler.disable()
        self.seconds = time.perf_counter() - self.started
        if self.profiler:
            import pstats

            folder = Path(self.args.profile)
            folder.mkdir(parents=True, exist_ok=True)
            self.profiler.dump_stats(folder / f"{self.args.phase}.prof")
            with (folder / f"{self.args.phase}.txt").open("w") as out:
                stats = pstats.Stats(self.profiler, stream=out)
                stats.sort_stats("cumulative").print_stats(40)
                stats.sort_stats("tottime").print_stats(40)


def database_info() -> dict[str, str]:
    from django.db import connection

    query = "SHOW server_version" if connection.vendor == "postgresql" else "SELECT sqlite_version()"
    with connection.cursor() as cursor:
        cursor.execute(query)
        row = cursor.fetchone()
    return {"vendor": connection.vendor, "version": str(row[0]).split(" ")[0] if row else "?"}


def written() -> dict[str, int]:
    """What the database holds after a phase (checked against the expected rows)."""
    from aihq.audit.models import AuditEvent
    from aihq.registry.models import Organisation, UseCase

    return {
        "use cases": UseCase.objects.count(),
        "sector links": UseCase.sectors.through.objects.count(),
        "region links": UseCase.regions.through.objects.count(),
        "organisations": Organisation.objects.count(),
        "audit events": AuditEvent.objects.count(),
    }


def create_organisations() -> dict[str, int]:
    from aihq.registry.models import Organisation, OrganisationKind

    Organisation.objects.bulk_create(
        Organisation(code=code, name_en=name, kind=OrganisationKind.MINISTRY) for code, name in ORGANISATIONS
    )
    return dict(Organisation.objects.values_list("code", "id"))


def phase_setup(args: argparse.Namespace, csv_path: Path) -> dict[str, Any]:
    from django.core.management import call_command
    from django.db import connection

    from aihq.accounts.permissions import SystemActor
    from aihq.registry.loaders import load_regions, load_sectors
    from aihq.registry.models import Region, Sector

    started = time.perf_counter()
    call_command("migrate", verbosity=0, interactive=False)
    actor = SystemActor(ACTOR_LABEL)
    load_sectors(actor=actor)
    load_regions(actor=actor)
    sectors = sorted(Sector.objects.values_list("code", flat=True))
    regions = sorted(Region.objects.values_list("code", flat=True))
    csv_path.write_bytes(generate_csv(args.rows, sectors, regions))
    info = database_info()
    connection.close()  # SQLite: checkpoints the WAL into the file the phases copy
    return {"seconds": round(time.perf_counter() - started, 2), "database": info, "csv_bytes": csv_path.stat().st_size}


def phase_omb2024(args: argparse.Namespace, _csv_path: Path) -> dict[str, Any]:
    from aihq.accounts.permissions import SystemActor
    from aihq.exchange.services import ImportOptions, import_usecases

    data = gzip.decompress(OMB_FILE.read_bytes())
    with Timed(args) as timed:
        run = import_usecases(
            actor=SystemActor(ACTOR_LABEL), data=data, file_name="us_omb_2024_inventory.csv", options=ImportOptions()
        )
    if run.status != "applied":
        raise SystemExit(f"OMB 2024 import ended {run.status}: {run.error}")
    return {
        "rows": run.counts["rows"],
        "seconds": timed.seconds,
        "rss_start_kib": timed.rss_start_kib,
        "format": run.format,
        "counts": run.counts,
        "written": written(),
    }


def phase_import(args: argparse.Namespace, csv_path: Path) -> dict[str, Any]:
    from aihq.accounts.permissions import SystemActor
    from aihq.exchange.services import ImportOptions, import_usecases

    create_organisations()
    data = csv_path.read_bytes()
    with Timed(args) as timed:
        run = import_usecases(actor=SystemActor(ACTOR_LABEL), data=data, file_name="bench.csv", options=ImportOptions())
    if run.status != "applied" or run.counts["new"] != args.rows or run.counts["rejected"]:
        raise SystemExit(f"import ended {run.status} with {run.counts}: {run.error} {run.problems[:3]}")
    return {
        "rows": run.counts["rows"],
        "seconds": timed.seconds,
        "rss_start_kib": timed.rss_start_kib,
        "format": run.format,
        "counts": run.counts,
        "written": check_written(args.rows),
    }


def check_written(rows: int) -> dict[str, int]:
    found = written()
    if found["use cases"] != rows:
        raise SystemExit(f"expected {rows} use cases, found {found['use cases']}")
    return found


def split(value: str) -> list[str]:
    return [part for part in value.split(";") if part]


def model_values(row: dict[str, str], org_ids: dict[str, int]) -> dict[str, Any]:
    """A generic CSV row as UseCase field values, trusting the file (no validation at all)."""

    def date(value: str) -> dt.date | None:
        return dt.date.fromisoformat(value) if value else None

    return {
        "reference": row["reference"],
        "name": row["name"],
        "organisation_id": org_ids[row["organisation"]],
        "unit": row["unit"],
        "stage": row["stage"],
        "description": row["description"],
        "purpose": row["purpose"],
        "outputs": row["outputs"],
        "development_method": row["development_method"],
        "vendors": row["vendors"],
        "is_generative": row["is_generative"] == "yes",
        "impact_type": row["impact_type"],
        "is_high_impact": None if not row["is_high_impact"] else row["is_high_impact"] == "yes",
        "techniques": split(row["techniques"]),
        "date_initiated": date(row["date_initiated"]),
        "date_deployed": date(row["date_deployed"]),
        "date_retired": date(row["date_retired"]),
        "is_public": row["is_public"] == "yes",
        "tags": split(row["tags"]),
        "attributes": {},
        # what the import stores too, so that both write the same use-case rows
        "source_format": "csv",
        "source_record": row,
    }


def read_rows(data: bytes) -> Iterator[dict[str, str]]:
    return csv.DictReader(io.StringIO(data.decode("utf-8-sig"), newline=""))


def phase_bulk_create(args: argparse.Namespace, csv_path: Path) -> dict[str, Any]:
    from django.db import transaction

    from aihq.registry.models import Region, Sector, UseCase

    org_ids = create_organisations()
    sector_ids = dict(Sector.objects.values_list("code", "id"))
    region_ids = dict(Region.objects.values_list("code", "id"))
    SectorLink, RegionLink = UseCase.sectors.through, UseCase.regions.through
    data = csv_path.read_bytes()
    with Timed(args) as timed, transaction.atomic():
        use_cases, links = [], []
        for row in read_rows(data):
            use_cases.append(UseCase(**model_values(row, org_ids)))
            links.append((split(row["sectors"]), split(row["regions"])))
        UseCase.objects.bulk_create(use_cases, batch_size=BATCH)
        sector_links, region_links = [], []
        for use_case, (sectors, regions) in zip(use_cases, links, strict=True):
            sector_links += [SectorLink(usecase_id=use_case.pk, sector_id=sector_ids[code]) for code in sectors]
            region_links += [RegionLink(usecase_id=use_case.pk, region_id=region_ids[code]) for code in regions]
        SectorLink.objects.bulk_create(sector_links, batch_size=BATCH)
        RegionLink.objects.bulk_create(region_links, batch_size=BATCH)
    return {
        "rows": len(use_cases),
        "seconds": timed.seconds,
        "rss_start_kib": timed.rss_start_kib,
        "written": check_written(args.rows),
    }


def phase_executemany(args: argparse.Namespace, csv_path: Path) -> dict[str, Any]:
    from django.db import connection, transaction
    from django.utils import timezone

    from aihq.registry.models import UseCase

    org_ids = create_organisations()
    fields = [f for f in UseCase._meta.concrete_fields if not f.primary_key]
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    placeholders = ", ".join(["%s"] * len(fields))
    statement = f"INSERT INTO {connection.ops.quote_name(UseCase._meta.db_table)} ({columns}) VALUES ({placeholders})"
    json_fields = {"tags", "techniques", "attributes", "source_record"}
    date_fields = {"date_initiated", "date_deployed", "date_retired"}
    ops = connection.ops
    data = csv_path.read_bytes()
    rows = 0
    with Timed(args) as timed, transaction.atomic(), connection.cursor() as cursor:
        now = ops.adapt_datetimefield_value(timezone.now())
        fixed = {"created_at": now, "updated_at": now, "version": 1}
        batch: list[tuple[Any, ...]] = []
        for row in read_rows(data):
            values = model_values(row, org_ids) | fixed
            for name in json_fields:
                values[name] = ops.adapt_json_value(values[name], None)
            for name in date_fields:
                values[name] = ops.adapt_datefield_value(values[name])
            batch.append(tuple(values[f.attname] for f in fields))
            if len(batch) >= BATCH:
                cursor.executemany(statement, batch)
                rows += len(batch)
                batch = []
        if batch:
            cursor.executemany(statement, batch)
            rows += len(batch)
    return {
        "rows": rows,
        "seconds": timed.seconds,
        "rss_start_kib": timed.rss_start_kib,
        "written": check_written(args.rows),
    }


def generate_csv(rows: int, sectors: list[str], regions: list[str]) -> bytes:
    """A generic-format CSV of ``rows`` plausible use cases, the same for the same arguments."""
    from aihq.exchange.formats.generic import COLUMNS

    rng = random.Random(SEED)

    def prose(low: int, high: int) -> str:
        target = rng.randint(low, high)
        words = rng.choices(WORDS, k=target // 6 + 8)
        text = " ".join(words)[:target].rsplit(" ", 1)[0]
        return text[0].upper() + text[1:] + "."

    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(COLUMNS), lineterminator="\r\n")
    writer.writeheader()
    start = dt.date(2018, 1, 1)
    for number in range(1, rows + 1):
        stage = rng.choice(STAGES)
        initiated = start + dt.timedelta(days=rng.randrange(2200)) if rng.random() < 0.9 else None
        deployed = retired = None
        if stage in ("pilot", "production", "retired") and initiated:
            deployed = initiated + dt.timedelta(days=rng.randrange(30, 700))
            if stage == "retired":
                retired = deployed + dt.timedelta(days=rng.randrange(30, 900))
        writer.writerow(
            {
                "reference": f"UC-{number:06d}",
                "name": f"{rng.choice(TITLES)} {rng.choice(SUBJECTS)} {prose(10, 40).rstrip('.').lower()}",
                "organisation": rng.choice(ORGANISATIONS)[0],
                "unit": rng.choice(("", "Department of digital transformation", "Analytics centre", "IT directorate")),
                "stage": stage,
                "description": prose(170, 230),
                "purpose": prose(80, 160),
                "outputs": prose(30, 90),
                "sectors": ";".join(rng.sample(sectors, rng.randint(1, 2))),
                "regions": ";".join(rng.sample(regions, rng.choice((0, 1, 1, 2, 3)))),
                "development_method": rng.choice(METHODS),
                "vendors": rng.choice(VENDORS),
                "is_generative": rng.choice(("yes", "no", "no")),
                "impact_type": rng.choice(IMPACTS),
                "is_high_impact": rng.choice(("", "yes", "no")),
                "techniques": ";".join(rng.sample(TECHNIQUES, rng.randint(0, 2))),
                "date_initiated": initiated.isoformat() if initiated else "",
                "date_deployed": deployed.isoformat() if deployed else "",
                "date_retired": retired.isoformat() if retired else "",
                "is_public": rng.choice(("yes", "no")),
                "tags": ";".join(rng.sample(TAGS, rng.randint(0, 3))),
            }
        )
    return buffer.getvalue().encode("utf-8")


# --------------------------------------------------------------------------------------------


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", 1)[0])
    parser.add_argument("--rows", type=int, default=100_000, help="rows of the generated CSV (default 100000)")
    parser.add_argument("--json", action="store_true", help="print one JSON object instead of the table")
    parser.add_argument(
        "--phases", default=",".join(PHASES), help=f"comma-separated subset of {','.join(PHASES)} (default: all)"
    )
    parser.add_argument(
        "--profile", metavar="DIR", help="cProfile each timed section into DIR/<phase>.prof and .txt (slows it)"
    )
    parser.add_argument("--keep", action="store_true", help="keep the temporary directory (CSV, SQLite files)")
    parser.add_argument("--phase", help=argparse.SUPPRESS)
    parser.add_argument("--workdir", help=argparse.SUPPRESS)
    parser.add_argument("--result", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.rows < 1:
        parser.error("--rows must be at least 1")
    unknown = set(args.phases.split(",")) - set(PHASES)
    if unknown:
        parser.error(f"unknown phase(s): {', '.join(sorted(unknown))}")
    if args.phase:
        return child(args)
    sys.path.insert(0, str(ROOT))
    return orchestrate(args)


if __name__ == "__main__":
    sys.exit(main())
