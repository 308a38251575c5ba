"""The demo's regulation data: the public incident library, and illustrative classifications, requirement
progress, risks and incidents for some of the Russian demo use cases (every text says it is an example)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from aihq.registry.models import UseCase
from aihq.regulation import services
from aihq.regulation.library import import_public_incidents, shipped_aiid_directory
from aihq.regulation.models import Classification, Incident, PublicIncident, RequirementStatus, Risk

EXAMPLE = "Иллюстративный пример. "

#: (use case reference, framework, answers) — the EU AI Act used as the reference framework it often is
CLASSIFICATIONS: list[tuple[str, str, dict[str, Any]]] = [
    ("RU-DEMO-001", "eu-ai-act", {"role": "deployer", "public_body": "public_authority", "interacts_with_persons": True,
                                  "synthetic_content": True, "placed_before_2026_08_02": True}),
    ("RU-DEMO-036", "eu-ai-act", {"role": "deployer", "public_body": "public_authority", "annex_iii": ["4a"],
                                  "profiling": True}),
    ("RU-DEMO-038", "eu-ai-act", {"role": "deployer", "public_body": "public_authority", "annex_iii": ["5a"],
                                  "profiling": True}),
    ("RU-DEMO-005", "eu-ai-act", {"role": "deployer", "public_body": "public_services", "annex_i_product": True}),
    ("RU-DEMO-027", "eu-ai-act", {"role": "provider", "annex_iii": ["3c"], "art6_3_conditions": ["d"],
                                  "profiling": False}),
    ("RU-DEMO-041", "eu-ai-act", {"role": "deployer", "public_body": "public_authority"}),
    ("RU-DEMO-001", "ru-ai-ethics", {"acceded": True}),
    ("RU-DEMO-036", "ru-ai-ethics", {"acceded": True}),
]  # fmt: skip

#: (use case, requirement id, status, note)
PROGRESS = [
    ("RU-DEMO-036", "eu-art-26-2", "met", "Надзор назначен: два специалиста отдела подбора, обучение пройдено."),
    ("RU-DEMO-036", "eu-art-27", "in_progress", "Оценка воздействия на права: черновик готов, согласование."),
    ("RU-DEMO-036", "eu-art-26-11", "met", "Соискателей уведомляют на портале «Работа России»."),
    ("RU-DEMO-038", "eu-art-26-2", "in_progress", "Порядок ручной проверки отказов утверждается."),
    ("RU-DEMO-001", "eu-art-50-1", "in_progress", "Плашка «Вы общаетесь с ИИ-ассистентом» в макете."),
]

RISKS = [
    ("RU-DEMO-036", "Дискриминация соискателей по возрасту", "1.1", 3, 4, "Аудит выборки, без признака возраста.",
     2, 3),
    ("RU-DEMO-001", "Неверные ответы о порядке получения услуг", "3.1", 4, 3, "Ответы только по базе знаний.",
     2, 3),
    ("RU-DEMO-038", "Ложные отказы в социальных выплатах", "7.3", 3, 5, "Каждый отказ проверяет специалист.", None,
     None),
    ("RU-DEMO-005", "Пропуск патологии на рентгенограмме", "7.3", 2, 5, "Двойное чтение врачом-рентгенологом.", 1, 5),
    ("RU-DEMO-001", "Утечка персональных данных из диалогов", "2.1", 2, 4, "", None, None),
]  # fmt: skip

INCIDENTS = [
    ("RU-DEMO-038", "Ошибочная приостановка выплат 112 заявителям", "serious", ["fundamental_rights", "financial"],
     dt.date(2026, 11, 18), dt.date(2026, 11, 20), "investigating", "Ложные отказы в социальных выплатах"),
    ("RU-DEMO-001", "Ассистент назвал неверный срок подачи заявления", "minor", ["misinformation"],
     dt.date(2026, 9, 2), dt.date(2026, 9, 3), "closed", "Неверные ответы о порядке получения услуг"),
]  # fmt: skip


def load_regulation(*, actor: Any) -> dict[str, int]:
    """Create what is missing of the demo's regulation data (idempotent)."""
    counts = {"public_incidents": 0, "classifications": 0, "risks": 0, "incidents": 0}
    if not PublicIncident.objects.exists():
        counts["public_incidents"] = import_public_incidents(actor=actor, directory=shipped_aiid_directory()).created
    use_cases = {u.reference: u for u in UseCase.objects.filter(reference__startswith="RU-DEMO-")}
    for reference, code, answers in CLASSIFICATIONS:
        use_case = use_cases.get(reference)
        if use_case and not Classification.objects.filter(use_case=use_case, framework_code=code).exists():
            services.classify_use_case(actor=actor, use_case=use_case, framework_code=code, answers=answers)
            counts["classifications"] += 1
    for reference, requirement_id, status, note in PROGRESS:
        row = RequirementStatus.objects.filter(use_case__reference=reference, requirement_id=requirement_id).first()
        if row is not None and row.status == "not_started":
            services.requirement_update(actor=actor, requirement=row, status=status, note=EXAMPLE + note)
    risks: dict[str, Risk] = {}
    for reference, title, category, likelihood, severity, mitigations, r_likelihood, r_severity in RISKS:
        use_case = use_cases.get(reference)
        if use_case is None:
            continue
        risk = Risk.objects.filter(use_case=use_case, title=title).first()
        if risk is None:
            risk = services.risk_create(
                actor=actor,
                use_case=use_case,
                title=title,
                description=EXAMPLE,
                category=category,
                likelihood=likelihood,
                severity=severity,
                mitigations=mitigations,
                residual_likelihood=r_likelihood,
                residual_severity=r_severity,
                status="mitigating" if mitigations else "open",
            )
            counts["risks"] += 1
        risks[title] = risk
    for reference, title, grade, harms, occurred, detected, final, risk_title in INCIDENTS:
        use_case = use_cases.get(reference)
        if use_case is None or Incident.objects.filter(use_case=use_case, title=title).exists():
            continue
        incident = services.incident_create(
            actor=actor,
            use_case=use_case,
            title=title,
            description=EXAMPLE,
            severity=grade,
            harms=harms,
            occurred_on=occurred,
            detected_on=detected,
            risks=[risks[risk_title]] if risk_title in risks else [],
        )
        for step in ("investigating", "mitigated", "closed"):
            if incident.status == final:
                break
            incident = services.incident_move(actor=actor, incident=incident, to_status=step)
        counts["incidents"] += 1
    return counts
