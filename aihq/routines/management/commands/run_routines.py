"""aihq run_routines [--now ISO] [--every SECONDS] [--no-send] [--json]"""

from __future__ import annotations

import logging
import time
from typing import Any

from django.core.management.base import CommandError, CommandParser
from django.db import close_old_connections
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from aihq.core.cli import AIHQCommand
from aihq.routines.run import run_routines

logger = logging.getLogger(__name__)


class Command(AIHQCommand):
    help = (
        "Send what is due: reminders and escalations of reports, notices of serious incidents, overdue "
        "requirements and conditions, stage-gate decisions, indicators turning red and possible duplicates; "
        "e-mails, daily and weekly digests, and webhook deliveries with their retries. Safe to run every few "
        "minutes (from cron or a systemd timer) and from several machines at once: nobody is told twice."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        super().add_arguments(parser)
        parser.add_argument("--now", metavar="ISO", help="Run as if it were this time (catch-up or testing).")
        parser.add_argument(
            "--every", type=int, metavar="SECONDS", help="Keep running, once every SECONDS (a simple worker)."
        )
        parser.add_argument(
            "--no-send", action="store_true", help="Record events and notifications but send no e-mail or webhook."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        now = None
        if options["now"]:
            now = parse_datetime(options["now"])
            if now is None:
                raise CommandError("--now must be a date and time, such as 2026-12-01T09:00:00+03:00.")
            if timezone.is_naive(now):
                now = timezone.make_aware(now)
        every = options["every"]
        if every is not None and (every < 10 or now is not None):
            raise CommandError("--every takes at least 10 seconds and does not go with --now.")
        while True:
            if every is not None:
                close_old_connections()  # a database restarted since the last pass: reconnect, don't die
            try:
                summary = run_routines(now, send=not options["no_send"])
            except Exception:
                if every is None:
                    raise
                logger.exception("routines pass failed; the next one runs in %d s", every)
                time.sleep(every)
                continue
            counts = summary.counts
            text = ", ".join(f"{name}: {n}" for name, n in sorted(counts.items())) or "nothing due"
            self.emit(options, f"Routines done — {text}.", {"now": (now or timezone.now()).isoformat(), **counts})
            if every is None:
                return
            self.stdout.write("")
            time.sleep(every)
