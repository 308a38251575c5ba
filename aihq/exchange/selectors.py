"""Reads of import runs (a user sees their own; HQ admins and auditors see all)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db.models import QuerySet
from django.utils import translation
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from aihq.exchange.models import ImportRun


def import_run_list(user: Any) -> QuerySet[ImportRun]:
    return ImportRun.objects.restrict(user, "view").select_related("organisation")


def run_summary(run: ImportRun) -> str:
    """One line, in the active language: what the import did (or would do)."""
    c = run.counts or {}
    if run.status == "failed":
        return _("Failed: %(error)s") % {"error": run.error}
    prefix = {"applied": _("Imported"), "dry_run": _("Dry run — would import"), "aborted": _("Aborted")}[run.status]
    line = _(
        "%(status)s: %(rows)s rows — %(new)s new, %(updated)s updated, %(unchanged)s unchanged, "
        "%(skipped)s skipped, %(rejected)s rejected; %(warnings)s warnings; "
        "%(organisations)s organisations created (%(format)s, %(seconds)s s)."
    ) % {
        "status": prefix,
        "rows": c.get("rows", 0),
        "new": c.get("new", 0),
        "updated": c.get("updated", 0),
        "unchanged": c.get("unchanged", 0),
        "skipped": c.get("skipped", 0),
        "rejected": c.get("rejected", 0),
        "warnings": c.get("warnings", 0),
        "organisations": c.get("organisations_created", 0),
        "format": run.format,
        "seconds": _seconds(run.duration_ms),
    }
    return f"{line} {run.error}".strip() if run.status == "aborted" else line


def _seconds(milliseconds: int) -> str:
    """Milliseconds as seconds with one decimal, written as the active language writes decimals ("1.2", "1,2")."""
    rounded = Decimal(f"{milliseconds / 1000:.1f}")
    return str(number_format(rounded, decimal_pos=1)) if translation.get_language() else str(rounded)


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
