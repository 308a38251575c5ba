"""aihq generate_scale [--use-cases N] [--organisations N] [--indicators N] [--measurements N] [--seed N]
— deterministic synthetic data at national scale, for benchmarks and load tests."""

from __future__ import annotations

import datetime as dt
import functools
from typing import Any

from django.conf import settings
from django.core.management.base import CommandError, CommandParser
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from aihq.core.cli import AIHQCommand
from aihq.registry.scale import (
    SCALE_PASSWORD,
    RegistryNotEmpty,
    ScaleOptions,
    generate,
    quarter_end_on_or_before,
)

# How many editor and coordinator accounts the text summary names before "…".
SHOWN_ACCOUNTS = 3
COUNT_LABELS = {
    "organisations": gettext_lazy("organisations"),
    "users": gettext_lazy("users"),
    "memberships": gettext_lazy("memberships"),
    "use_cases": gettext_lazy("use cases"),
    "use_case_sectors": gettext_lazy("use case–sector links"),
    "use_case_regions": gettext_lazy("use case–region links"),
    "objectives": gettext_lazy("objectives"),
    "indicators": gettext_lazy("indicators"),
    "targets": gettext_lazy("targets"),
    "indicator_reporting_organisations": gettext_lazy("reporting organisations of indicators"),
    "measurements": gettext_lazy("measurements"),
    "contributions": gettext_lazy("contributions"),
    "risks": gettext_lazy("risks"),
    "audit_events": gettext_lazy("audit events"),
    "national_values": gettext_lazy("national values"),
}


def count(value: str) -> int:
    number = int(value)
    if number < 0:
        raise ValueError(value)
    return number


class Command(AIHQCommand):
    help = (
        "Fill an empty database with synthetic organisations, accounts, use cases, indicators, measurements and "
        "their audit history (deterministic for a seed). Refused in production and on a registry with data."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        super().add_arguments(parser)
        defaults = ScaleOptions()
        parser.add_argument("--use-cases", type=count, default=defaults.use_cases, help="Use cases to create.")
        parser.add_argument("--organisations", type=count, default=defaults.organisations, help="Organisations.")
        parser.add_argument("--indicators", type=count, default=defaults.indicators, help="Indicators.")
        parser.add_argument(
            "--measurements", type=count, default=defaults.measurements, help="Measurements in all, over indicators."
        )
        parser.add_argument("--seed", type=int, default=defaults.seed, help="The random seed (same seed, same data).")
        parser.add_argument(
            "--until",
            type=dt.date.fromisoformat,
            default=None,
            help="The newest measurements' quarter: the quarter ended on or before this date, YYYY-MM-DD "
            "(default: the last quarter ended before today).",
        )
        parser.add_argument(
            "--batch-size", type=count, default=defaults.batch_size, help="Rows per INSERT batch (default 10000)."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if settings.PRODUCTION:
            raise CommandError(_("Synthetic data is never generated in production (AIHQ_ENV=production)."))
        if options["organisations"] < 1 and (options["use_cases"] or options["indicators"]):
            raise CommandError(_("Use cases and indicators need at least one organisation."))
        fields: dict[str, Any] = {
            "use_cases": options["use_cases"],
            "organisations": options["organisations"],
            "indicators": options["indicators"],
            "measurements": options["measurements"] if options["indicators"] else 0,
            "seed": options["seed"],
            "batch_size": max(1, options["batch_size"]),
        }
        if options["until"] is not None:
            fields["until"] = quarter_end_on_or_before(options["until"])
        scale = ScaleOptions(**fields)
        quiet = bool(options.get("json"))
        progress = functools.partial(self.progress, quiet=quiet)
        try:
            result = generate(actor=self.actor, options=scale, progress=progress)
        except RegistryNotEmpty as exc:
            raise CommandError(str(exc)) from exc
        counts: dict[str, int] = result["counts"]
        summary = _("Generated %(counts)s in %(seconds).1f s (seed %(seed)s, last quarter %(until)s).") % {
            "counts": ", ".join(f"{value:,} {COUNT_LABELS.get(name, name)}" for name, value in counts.items()),
            "seconds": result["seconds"]["total"],
            "seed": scale.seed,
            "until": scale.until.isoformat(),
        }
        if not quiet:
            self._show_accounts(result["accounts"])
        self.emit(
            options,
            summary,
            {
                "counts": counts,
                "seconds": result["seconds"],
                "seed": scale.seed,
                "until": scale.until.isoformat(),
                "password": SCALE_PASSWORD,
                "accounts": result["accounts"],
            },
        )

    def _show_accounts(self, accounts: list[dict[str, str | None]]) -> None:
        self.stdout.write(_("Accounts (password for all: %(password)s):") % {"password": SCALE_PASSWORD})
        numbered = [a for a in accounts if a["role"] in ("editor", "coordinator")]
        shown = [a for a in accounts if a not in numbered] + numbered[: 2 * SHOWN_ACCOUNTS]
        for account in shown:
            where = account["organisation"] or "*"
            self.stdout.write(f"  {account['username']:<26} {account['role'] or '':<12} {where}")
        if len(numbered) > 2 * SHOWN_ACCOUNTS:
            self.stdout.write(
                _(
                    "  … %(count)s more: one editor and one coordinator for each public body, numbered in the order "
                    "of the organisations' codes (--json lists them all)."
                )
                % {"count": len(numbered) - 2 * SHOWN_ACCOUNTS}
            )
