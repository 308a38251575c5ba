"""aihq briefing (--organisation CODE | --all) --period YYYY-QN --output FILE.pdf [--lang en|ru] [--json]"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from django.core.management.base import CommandError, CommandParser

from aihq.core.cli import AIHQCommand
from aihq.evaluation import briefing
from aihq.evaluation.forms import parse_period
from aihq.registry.models import Organisation


@contextlib.contextmanager
def _silent() -> Iterator[None]:
    yield None


class Command(AIHQCommand):
    help = (
        "Write the quarter's briefing pack as a PDF: the portfolio, objectives, risks and incidents, compliance "
        "and evaluation of one organisation (with those below it) or of all."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        super().add_arguments(parser)
        parser.add_argument("--organisation", metavar="CODE", help="The organisation (its sub-organisations included).")
        parser.add_argument("--all", action="store_true", help="Every organisation.")
        parser.add_argument("--period", metavar="YYYY-QN", help="The quarter, such as 2026-Q4.")
        parser.add_argument("--output", metavar="FILE.pdf", help="Where to write the PDF.")
        parser.add_argument("--lang", choices=["en", "ru"], default="en", help="The pack's language (default: en).")

    def handle(self, *args: Any, **options: Any) -> None:
        code, everything = (options["organisation"] or "").strip(), options["all"]
        if bool(code) == bool(everything):
            raise CommandError("Give exactly one of --organisation CODE or --all.")
        period = (options["period"] or "").strip().upper()
        if not period:
            raise CommandError("Give the quarter with --period YYYY-QN, such as 2026-Q4.")
        if parse_period(period) is None:
            raise CommandError(f"Give --period as YYYY-QN, such as 2026-Q4 (not {options['period']!r}).")
        if not options["output"]:
            raise CommandError("Give the PDF file to write with --output FILE.pdf.")
        output = Path(options["output"])
        if not output.parent.is_dir():
            raise CommandError(f"Cannot write {output}: the folder {output.parent} does not exist.")
        organisation = None
        if code:
            organisation = Organisation.objects.filter(code=code).first()
            if organisation is None:
                raise CommandError(f"No organisation has the code {code!r}.")
        scope = f"{organisation.code} ({organisation.name_en or organisation.name_ru})" if organisation else "all"
        lang = options["lang"]

        quiet = options["json"] or not self.console.is_terminal
        with self.console.status("Reading the register …", spinner="dots") if not quiet else _silent() as status:

            def step(name: str) -> None:
                if status is not None:
                    status.update(f"Reading {name} …")

            data = briefing.collect(self.actor, organisation=organisation, period=period, on_step=step)
            if status is not None:
                status.update("Laying out the PDF …")
            try:
                rendered = briefing.render(data, lang=lang)
            except RuntimeError as exc:
                raise CommandError(str(exc)) from exc
        try:
            output.write_bytes(rendered.pdf)
        except OSError as exc:
            raise CommandError(f"Cannot write {output}: {exc.strerror or exc}.") from exc
        size = len(rendered.pdf)
        label = scope if organisation else "all organisations"
        self.emit(
            options,
            f"Wrote {output} ({rendered.pages} pages, {max(round(size / 1024), 1)} KB) for {label}, {period}.",
            {"output": str(output), "pages": rendered.pages, "bytes": size, "scope": code or "all", "period": period},
        )
