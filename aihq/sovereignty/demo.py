"""The demo's supply chain: well-known models, frameworks, clouds and accelerators with their real suppliers and
jurisdictions, used by some Russian demo use cases (which use what is illustrative), two illustrative
partnership agreements and two cut-off scenarios."""

from __future__ import annotations

import datetime as dt
from typing import Any

from aihq.objectives.models import Contribution, Indicator
from aihq.objectives.services import contribution_add
from aihq.registry.models import UseCase
from aihq.sovereignty import services
from aihq.sovereignty.models import Agreement, BomEntry, Component, CutoffScenario, Supplier

EXAMPLE = "Иллюстративный пример."

#: (type, name, release, supplier, licence, open weights, hosting, replaceability, alternatives, family, switch)
COMPONENTS: list[tuple[str, str, str, str, str, bool | None, str, str, str, str, str]] = [
    ("model", "GigaChat", "2", "Sber", "LicenseRef-proprietary", False, "domestic_cloud", "effort", "YandexGPT",
     "GigaChat", "2–3 months of prompt and integration work"),
    ("model", "YandexGPT", "5 Pro", "Yandex", "LicenseRef-proprietary", False, "domestic_cloud", "effort", "GigaChat",
     "YandexGPT", "2–3 months"),
    ("model", "Llama 3.1 8B Instruct", "3.1", "Meta", "LicenseRef-Llama-3.1-Community", True, "on_premises",
     "drop_in", "Qwen2.5 7B, GigaChat Lite", "Llama", "2 weeks of evaluation"),
    ("model", "Qwen2.5 7B Instruct", "2.5", "Alibaba Cloud", "Apache-2.0", True, "on_premises", "drop_in",
     "Llama 3.1 8B", "Qwen", "2 weeks of evaluation"),
    ("model", "Whisper large", "v3", "OpenAI", "MIT", True, "on_premises", "effort", "SaluteSpeech", "Whisper",
     "1 month"),
    ("framework", "PyTorch", "2.4", "PyTorch Foundation", "BSD-3-Clause", None, "", "effort", "TensorFlow", "", ""),
    ("framework", "TensorFlow", "2.16", "Google", "Apache-2.0", None, "", "effort", "PyTorch", "", ""),
    ("cloud", "Yandex Cloud", "", "Yandex Cloud", "", None, "domestic_cloud", "effort", "Cloud.ru, VK Cloud", "", ""),
    ("cloud", "Cloud.ru Evolution", "", "Cloud.ru", "", None, "domestic_cloud", "effort", "Yandex Cloud", "", ""),
    ("hardware", "NVIDIA A100 80GB", "", "NVIDIA", "", None, "on_premises", "none", "", "", "export-controlled"),
    ("hardware", "NVIDIA H100", "", "NVIDIA", "", None, "on_premises", "none", "", "", ""),
    ("hardware", "Huawei Ascend 910B", "", "Huawei", "", None, "on_premises", "effort", "NVIDIA A100", "", "6 months"),
]  # fmt: skip

#: (use case reference, component name, role, criticality)
BOM: list[tuple[str, str, str, str]] = [
    ("RU-DEMO-001", "GigaChat", "генерация ответов", "critical"),
    ("RU-DEMO-001", "Cloud.ru Evolution", "размещение", "critical"),
    ("RU-DEMO-001", "NVIDIA A100 80GB", "вывод модели", "important"),
    ("RU-DEMO-012", "YandexGPT", "генерация ответов", "critical"),
    ("RU-DEMO-012", "Yandex Cloud", "размещение", "critical"),
    ("RU-DEMO-014", "Whisper large", "распознавание речи", "critical"),
    ("RU-DEMO-014", "PyTorch", "исполнение модели", "important"),
    ("RU-DEMO-014", "NVIDIA A100 80GB", "вывод модели", "critical"),
    ("RU-DEMO-005", "PyTorch", "обучение и вывод", "important"),
    ("RU-DEMO-005", "NVIDIA H100", "обучение", "critical"),
    ("RU-DEMO-021", "Qwen2.5 7B Instruct", "генерация черновиков", "critical"),
    ("RU-DEMO-021", "PyTorch", "исполнение модели", "important"),
    ("RU-DEMO-021", "Huawei Ascend 910B", "вывод модели", "important"),
    ("RU-DEMO-042", "Llama 3.1 8B Instruct", "генерация черновиков", "critical"),
    ("RU-DEMO-042", "NVIDIA A100 80GB", "вывод модели", "critical"),
    ("RU-DEMO-036", "TensorFlow", "ранжирование вакансий", "important"),
    ("RU-DEMO-036", "Yandex Cloud", "размещение", "important"),
]

#: illustrative links from use cases to the strategy's indicators they contribute to
CONTRIBUTIONS = [("RU-DEMO-001", "AI-TRUST"), ("RU-DEMO-014", "AI-USE-2019"), ("RU-DEMO-042", "AI-USE-2019"),
                 ("RU-DEMO-005", "AI-READINESS")]  # fmt: skip


def load_supply_chain(*, actor: Any) -> dict[str, int]:
    """Create what is missing of the demo's supply chain (idempotent)."""
    counts = {"suppliers": Supplier.objects.count(), "components": 0, "bom_entries": 0, "agreements": 0}
    components: dict[str, Component] = {}
    for (
        kind,
        name,
        release,
        supplier_name,
        licence,
        open_weights,
        hosting,
        replaceability,
        alternatives,
        family,
        switch,
    ) in COMPONENTS:
        supplier = services.known_supplier(supplier_name)
        if supplier.inferred:  # a well-known supplier, confirmed by the demo's curator
            supplier.inferred = False
            supplier.save(update_fields=["inferred", "updated_at"])
        component = Component.objects.filter(type=kind, name=name, release=release, supplier=supplier).first()
        if component is None:
            component = services.component_create(
                actor=actor, type=kind, name=name, release=release, supplier=supplier, licence=licence,
                open_weights=open_weights, hosting=hosting, replaceability=replaceability, alternatives=alternatives,
                model_family=family, switch_cost=switch,
            )  # fmt: skip
            counts["components"] += 1
        components[name] = component
    use_cases = {u.reference: u for u in UseCase.objects.filter(reference__startswith="RU-DEMO-")}
    for reference in {reference for reference, *_rest in BOM}:  # the curated AI-BOM replaces what was inferred
        for entry in BomEntry.objects.filter(use_case__reference=reference, inferred=True).select_related("use_case"):
            services.bom_remove(actor=actor, entry=entry)
    for reference, name, role, criticality in BOM:
        use_case = use_cases.get(reference)
        if use_case is None or BomEntry.objects.filter(use_case=use_case, component=components[name]).exists():
            continue
        services.bom_add(
            actor=actor, use_case=use_case, component=components[name], role=role, criticality=criticality,
            notes=EXAMPLE,
        )  # fmt: skip
        counts["bom_entries"] += 1
    indicators = {i.code: i for i in Indicator.objects.filter(code__in=[code for _r, code in CONTRIBUTIONS])}
    for reference, code in CONTRIBUTIONS:
        use_case, indicator = use_cases.get(reference), indicators.get(code)
        if use_case and indicator and not Contribution.objects.filter(use_case=use_case, indicator=indicator).exists():
            contribution_add(actor=actor, use_case=use_case, indicator=indicator, note=EXAMPLE)
    if not Agreement.objects.exists():
        services.agreement_create(
            actor=actor, title="Соглашение о сотрудничестве в области ИИ (пример)", partner_country="IN",
            kind="cooperation", status="in_force", starts_on=dt.date(2025, 1, 1), scope=EXAMPLE,
            suppliers=[], organisations=[],
        )  # fmt: skip
        services.agreement_create(
            actor=actor, title="Совместная разработка ИИ-решений (пример)", partner_country="IR",
            kind="joint_development", status="signed", starts_on=dt.date(2026, 1, 1), scope=EXAMPLE,
        )  # fmt: skip
        counts["agreements"] = 2
    if not CutoffScenario.objects.exists():
        services.scenario_create(
            actor=actor, name="Недоступность поставщиков из США", description=EXAMPLE, jurisdictions=["US"],
            effective_from=dt.date(2027, 1, 1),
        )  # fmt: skip
        services.scenario_create(
            actor=actor, name="Прекращение поставок ускорителей NVIDIA", description=EXAMPLE,
            suppliers=[Supplier.objects.get(name="NVIDIA")], effective_from=dt.date(2027, 1, 1),
        )  # fmt: skip
    counts["suppliers"] = Supplier.objects.count() - counts["suppliers"]
    return counts
