"""The demo's public register: open, with every US inventory record (public by law in their own country) and the
Russian demo use cases in pilot or production published, one of them with a second version."""

from __future__ import annotations

from typing import Any

from aihq.publication import services
from aihq.publication.models import PublicationProfile, PublicationRecord
from aihq.registry.models import Stage, UseCase

INTRO_EN = (
    "An illustrative register run by the AIHQ demo: the US federal AI use-case inventory 2024 (public data) and "
    "illustrative Russian projects. Records, contacts and texts of the Russian projects are examples."
)
INTRO_RU = (
    "Иллюстративный реестр демонстрационной версии AIHQ: перечень применения ИИ федеральными ведомствами США за "
    "2024 год (открытые данные) и иллюстративные российские проекты. Записи и тексты российских проектов — примеры."
)


def load_publication(*, actor: Any) -> dict[str, int]:
    if PublicationRecord.objects.exists():
        return {"published_records": 0}
    profile = PublicationProfile.current()
    services.profile_update(
        actor=actor,
        expected_version=profile.version or None,
        enabled=True,
        publisher="AIHQ demo (illustrative)",
        intro_en=INTRO_EN,
        intro_ru=INTRO_RU,
    )
    use_cases = (
        UseCase.objects.filter(is_public=True)
        .exclude(stage__in=[Stage.PLANNED, Stage.RETIRED])
        .select_related("organisation")
        .order_by("pk")
    )
    counts = services.publish_many(actor=actor, use_cases=use_cases, note="Demo")
    waiting = UseCase.objects.filter(is_public=False, stage=Stage.PILOT, organisation__code__regex=r"^[A-Z]").exclude(
        source_format__startswith="omb"
    )
    for use_case in waiting.order_by("pk")[:2]:
        services.request_publication(actor=actor, use_case=use_case, note="Пилот завершён, просим опубликовать.")
    return {"published_records": counts["published"]}
