"""The MIT AI Risk Repository's domain taxonomy: 7 domains and their subdomains.

Source: MIT AI Risk Repository, Domain Taxonomy of AI Risks (airisk.mit.edu, version of April 2025,
CC BY 4.0), as applied to the AI Incident Database in ``classifications_MIT.csv``. The codes ("1", "1.1")
are the repository's own; the Russian names are AIHQ's translation.
"""

from __future__ import annotations

from dataclasses import dataclass

from aihq.core.i18n import localised


@dataclass(frozen=True)
class Category:
    code: str
    name_en: str
    name_ru: str

    @property
    def name(self) -> str:
        return localised(self.name_en, self.name_ru)

    @property
    def domain(self) -> str:
        return self.code.split(".", 1)[0]

    @property
    def label(self) -> str:
        return f"{self.code}. {self.name}"


DOMAINS: tuple[Category, ...] = (
    Category("1", "Discrimination and toxicity", "Дискриминация и токсичность"),
    Category("2", "Privacy and security", "Приватность и безопасность"),
    Category("3", "Misinformation", "Дезинформация"),
    Category("4", "Malicious actors and misuse", "Злоумышленники и злоупотребления"),
    Category("5", "Human-computer interaction", "Взаимодействие человека и компьютера"),
    Category("6", "Socioeconomic and environmental harms", "Социально-экономический и экологический вред"),
    Category("7", "AI system safety, failures and limitations", "Безопасность, сбои и ограничения систем ИИ"),
)

SUBDOMAINS: tuple[Category, ...] = (
    Category(
        "1.1", "Unfair discrimination and misrepresentation", "Несправедливая дискриминация и искажённое представление"
    ),
    Category("1.2", "Exposure to toxic content", "Воздействие токсичного контента"),
    Category("1.3", "Unequal performance across groups", "Неравное качество работы для разных групп"),
    Category(
        "2.1",
        "Compromise of privacy by obtaining, leaking or correctly inferring sensitive information",
        "Нарушение приватности: получение, утечка или выведение чувствительной информации",
    ),
    Category("2.2", "AI system security vulnerabilities and attacks", "Уязвимости и атаки на системы ИИ"),
    Category("3.1", "False or misleading information", "Ложная или вводящая в заблуждение информация"),
    Category(
        "3.2",
        "Pollution of information ecosystem and loss of consensus reality",
        "Загрязнение информационной среды и утрата общей картины реальности",
    ),
    Category("4.1", "Disinformation, surveillance, and influence at scale", "Массовая дезинформация, слежка и влияние"),
    Category(
        "4.2",
        "Cyberattacks, weapon development or use, and mass harm",
        "Кибератаки, разработка или применение оружия, массовый вред",
    ),
    Category("4.3", "Fraud, scams, and targeted manipulation", "Мошенничество и целенаправленная манипуляция"),
    Category("5.1", "Overreliance and unsafe use", "Чрезмерное доверие и небезопасное использование"),
    Category("5.2", "Loss of human agency and autonomy", "Утрата человеком самостоятельности и автономии"),
    Category(
        "6.1",
        "Power centralization and unfair distribution of benefits",
        "Концентрация власти и несправедливое распределение выгод",
    ),
    Category(
        "6.2",
        "Increased inequality and decline in employment quality",
        "Рост неравенства и ухудшение качества занятости",
    ),
    Category(
        "6.3", "Economic and cultural devaluation of human effort", "Экономическое и культурное обесценивание труда"
    ),
    Category("6.4", "Competitive dynamics", "Динамика конкуренции"),
    Category("6.5", "Governance failure", "Провалы управления"),
    Category("6.6", "Environmental harm", "Вред окружающей среде"),
    Category(
        "7.1",
        "AI pursuing its own goals in conflict with human goals or values",
        "ИИ преследует собственные цели вопреки целям и ценностям людей",
    ),
    Category("7.2", "AI possessing dangerous capabilities", "Опасные возможности ИИ"),
    Category("7.3", "Lack of capability or robustness", "Недостаточные возможности или надёжность"),
    Category("7.4", "Lack of transparency or interpretability", "Недостаточная прозрачность или интерпретируемость"),
    Category("7.5", "AI welfare and rights", "Благополучие и права ИИ"),
    Category("7.6", "Multi-agent risks", "Риски взаимодействия многих агентов"),
)

BY_CODE: dict[str, Category] = {c.code: c for c in (*DOMAINS, *SUBDOMAINS)}


def is_category(code: str) -> bool:
    return code in BY_CODE


def category(code: str) -> Category | None:
    return BY_CODE.get(code)


def code_from_label(label: str) -> str:
    """'1.2. Exposure to toxic content' or '7. AI system safety…' → '1.2' / '7' ('' when there is no code)."""
    head = label.strip().split(" ", 1)[0].rstrip(".")
    return head if head in BY_CODE else ""


def choices() -> list[tuple[str, list[tuple[str, str]]]]:
    """Grouped choices for forms: each domain with itself and its subdomains."""
    return [
        (d.label, [(d.code, d.label)] + [(s.code, s.label) for s in SUBDOMAINS if s.domain == d.code]) for d in DOMAINS
    ]
