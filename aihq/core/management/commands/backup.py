"""aihq backup FILE — the whole database, as one consistent snapshot, in one file."""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any

from django.core.management.base import CommandError, CommandParser
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from aihq.core.backup import BackupError, backup
from aihq.core.cli import AIHQCommand


class Command(AIHQCommand):
    help = gettext_noop(
        "Write the whole database to FILE (a zip of JSON lines with a manifest) from one consistent snapshot; "
        "others can keep working meanwhile. FILE is replaced only when the backup is complete."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        super().add_arguments(parser)
        parser.description = _(self.help)
        parser.add_argument("file", type=Path, help=_("The backup file to write."))

    def handle(self, *args: Any, **options: Any) -> None:
        progress = functools.partial(self.progress, quiet=bool(options.get("json")))
        try:
            summary = backup(options["file"], progress=progress)
        except BackupError as exc:
            raise CommandError(str(exc)) from None
        self.emit(
            options,
            _("Backed up %(rows)s rows of %(tables)s tables to %(path)s (%(size)s) in %(seconds).1f s.")
            % {
                "rows": summary.rows,
                "tables": summary.tables,
                "path": summary.path,
                "size": filesizeformat(summary.size),
                "seconds": summary.seconds,
            },
            {
                "file": str(summary.path),
                "vendor": summary.vendor,
                "tables": summary.tables,
                "rows": summary.rows,
                "bytes": summary.size,
                "seconds": round(summary.seconds, 3),
                "per_table": summary.per_table,
            },
        )
