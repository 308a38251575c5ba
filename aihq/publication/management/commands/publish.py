"""aihq publish [--organisation CODE [--include-children]] [--use-case ID ...] [--only-marked-public]
[--withdraw] [--open | --close] [--json]"""

from __future__ import annotations

from typing import Any

from django.core.management.base import CommandError, CommandParser

from aihq.accounts.permissions import descendants
from aihq.core.cli import AIHQCommand
from aihq.publication import services
from aihq.publication.models import PublicationProfile, PublicationRecord
from aihq.registry.models import Organisation, UseCase


class Command(AIHQCommand):
    help = (
        "Publish use cases in the public register as the HQ (new versions only where the public view changed), "
        "withdraw them, or open or close the register. Records the EU AI Act keeps out of public view are skipped."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        super().add_arguments(parser)
        parser.add_argument("--organisation", help="Only this organisation's use cases (its code).")
        parser.add_argument("--include-children", action="store_true", help="With the organisations below it.")
        parser.add_argument("--use-case", type=int, action="append", default=[], help="A use case id (repeatable).")
        parser.add_argument(
            "--only-marked-public", action="store_true", help="Only use cases whose 'public' flag is set."
        )
        parser.add_argument("--withdraw", action="store_true", help="Withdraw the selected use cases instead.")
        parser.add_argument("--reason", default="", help="Why (for --withdraw).")
        switch = parser.add_mutually_exclusive_group()
        switch.add_argument("--open", action="store_true", help="Open the public register.")
        switch.add_argument("--close", action="store_true", help="Close the public register (nothing is deleted).")

    def handle(self, *args: Any, **options: Any) -> None:
        selected = options["organisation"] or options["use_case"] or options["only_marked_public"]
        if not selected and not (options["open"] or options["close"]):
            raise CommandError("Say what to publish: --organisation, --use-case or --only-marked-public.")
        data: dict[str, Any] = {}
        if options["open"] or options["close"]:
            profile = PublicationProfile.current()
            services.profile_update(
                actor=self.actor, expected_version=profile.version or None, enabled=bool(options["open"])
            )
            data["register_open"] = bool(options["open"])
        if selected:
            use_cases = UseCase.objects.select_related("organisation").order_by("pk")
            if options["organisation"]:
                organisation = Organisation.objects.filter(code__iexact=options["organisation"]).first()
                if organisation is None:
                    raise CommandError(f"No organisation has the code {options['organisation']}.")
                ids = {organisation.pk}
                if options["include_children"]:
                    ids = descendants(dict(Organisation.objects.values_list("id", "parent_id")), ids)
                use_cases = use_cases.filter(organisation_id__in=ids)
            if options["use_case"]:
                missing = set(options["use_case"]) - set(
                    UseCase.objects.filter(pk__in=options["use_case"]).values_list("pk", flat=True)
                )
                if missing:
                    raise CommandError(f"No use case has the id {', '.join(map(str, sorted(missing)))}.")
                use_cases = use_cases.filter(pk__in=options["use_case"])
            if options["only_marked_public"]:
                use_cases = use_cases.filter(is_public=True)
            if options["withdraw"]:
                ids_list = list(use_cases.values_list("pk", flat=True))
                data["withdrawn"] = services.withdraw_many(
                    actor=self.actor, use_case_ids=ids_list, reason=options["reason"]
                )
            else:
                data.update(services.publish_many(actor=self.actor, use_cases=use_cases))
        summary = ", ".join(f"{key.replace('_', ' ')}: {value}" for key, value in data.items())
        data["published_records"] = PublicationRecord.objects.filter(current__isnull=False).count()
        self.emit(options, f"{summary}; {data['published_records']} records are public.", data)
