"""Reads of import runs (a user sees their own; HQ admins and auditors see all)."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from aihq.exchange.models import ImportRun


def import_run_list(user: Any) -> QuerySet[ImportRun]:
    return ImportRun.objects.restrict(user, "view").select_related("organisation")


def run_summary(run: ImportRun) -> str:
    """One line: what the import did (or would do)."""
    c = run.counts or {}
    prefix = {"applied": "Imported", "dry_run": "Dry run — would import", "aborted": "Aborted", "failed": "Failed"}[
        run.status
    ]
    if run.status == "failed":
        return f"{prefix}: {run.error}"
    line = (
        f"{prefix}: {c.get('rows', 0)} rows — {c.get('new', 0)} new, {c.get('updated', 0)} updated, "
        f"{c.get('unchanged', 0)} unchanged, {c.get('skipped', 0)} skipped, {c.get('rejected', 0)} rejected; "
        f"{c.get('warnings', 0)} warnings; {c.get('organisations_created', 0)} organisations created "
        f"({run.format}, {run.duration_ms / 1000:.1f} s)."
    )
    return f"{line} {run.error}".strip() if run.status == "aborted" else line


def run_report(run: ImportRun) -> dict[str, Any]:
    """The run as plain data (CLI --json, API)."""
    return {
        "id": run.pk,
        "status": run.status,
        "file_name": run.file_name,
        "format": run.format,
        "format_detected": run.format_detected,
        "organisation": run.organisation.code if run.organisation else None,
        "options": run.options,
        "counts": run.counts,
        "problem_count": run.problem_count,
        "problems": run.problems,
        "notes": run.notes,
        "error": run.error,
        "rejects_file": run.rejects_file,
        "created_at": run.created_at,
        "duration_ms": run.duration_ms,
        "summary": run_summary(run),
    }
