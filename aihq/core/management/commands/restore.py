"""aihq restore FILE [--force] — replace the database's contents with a backup's, all or nothing."""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any

from django.core.management.base import CommandError, CommandParser
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from aihq.core.backup import BackupError, restore
from aihq.core.cli import AIHQCommand


class Command(AIHQCommand):
    help = gettext_noop(
        "Restore a backup made by `aihq backup` into a database migrated to the same migrations. Refused if the "
        "database holds data, unless --force (which deletes everything in it). One transaction: a failure "
        "changes nothing. Not recorded in the audit log, which comes back exactly as it was backed up."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        super().add_arguments(parser)
        parser.description = _(self.help)
        parser.add_argument("file", type=Path, help=_("The backup file to read."))
        parser.add_argument(
            "--force",
            action="store_true",
            help=_("Restore even though the database holds data: everything in it is deleted first."),
        )

    def handle(self, *args: Any, **options: Any) -> None:
        progress = functools.partial(self.progress, quiet=bool(options.get("json")))
        try:
            summary = restore(options["file"], force=options["force"], progress=progress)
        except BackupError as exc:
            raise CommandError(str(exc)) from None
        chain = summary.audit_message
        self.emit(
            options,
            _(
                "Restored %(rows)s rows of %(tables)s tables from %(path)s (taken %(created)s on %(vendor)s, "
                "AIHQ %(version)s) in %(seconds).1f s. %(chain)s"
            )
            % {
                "rows": summary.rows,
                "tables": summary.tables,
                "path": summary.path,
                "created": summary.created_at,
                "vendor": summary.source_vendor,
                "version": summary.source_version,
                "seconds": summary.seconds,
                "chain": chain,
            },
            {
                "file": str(summary.path),
                "tables": summary.tables,
                "rows": summary.rows,
                "seconds": round(summary.seconds, 3),
                "source": {
                    "vendor": summary.source_vendor,
                    "aihq_version": summary.source_version,
                    "created_at": summary.created_at,
                },
                "audit_chain": {"ok": summary.audit_ok, "events": summary.audit_events, "break": summary.audit_break},
            },
        )
