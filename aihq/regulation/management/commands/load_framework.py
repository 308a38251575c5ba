"""aihq load_framework FILE [--not-current] — load a new version of a framework from its file."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import CommandError, CommandParser

from aihq.core.cli import AIHQCommand
from aihq.regulation import engine
from aihq.regulation.services import framework_load, load_shipped_frameworks


class Command(AIHQCommand):
    help = (
        "Load a framework version from a YAML or JSON file (schema: aihq/regulation/frameworks/README.md), "
        "or with --shipped every version shipped with AIHQ that is not loaded yet. The same content again "
        "changes nothing; the same version label with other content is refused."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        super().add_arguments(parser)
        parser.add_argument("file", type=Path, nargs="?")
        parser.add_argument("--shipped", action="store_true", help="Load the frameworks shipped with AIHQ.")
        parser.add_argument(
            "--not-current", action="store_true", help="Keep classifying with the current version for now."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["shipped"] == bool(options["file"]):
            raise CommandError("Give a framework file, or --shipped.")
        try:
            if options["shipped"]:
                loaded = load_shipped_frameworks(self.actor)
            else:
                parsed = engine.load_framework_file(options["file"])
                loaded = [
                    framework_load(actor=self.actor, data=parsed.definition, make_current=not options["not_current"])
                ]
        except engine.FrameworkError as exc:
            raise CommandError("The framework file has problems:\n  " + "\n  ".join(exc.messages)) from None
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from None
        except OSError as exc:
            raise CommandError(str(exc)) from None
        rows = [{"code": f.code, "version": f.version, "current": f.is_current, "sha256": f.sha256} for f in loaded]
        text = "\n".join(f"{r['code']} {r['version']}{' (current)' if r['current'] else ''}" for r in rows)
        self.emit(options, text or "Nothing new to load.", {"loaded": rows})
