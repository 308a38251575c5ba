"""Synthetic national-scale data for benchmarks and load tests (``aihq generate_scale``).

Every choice is drawn from ``numpy.random.default_rng(seed)`` and every date is counted back from ``until``
(the last reporting period's end), so one seed and one ``until`` give the same rows in any database; only
primary keys, the audit log's request id and the times of the reference data's own events differ.

What is made: Russia's regions and the sectors (the shipped loaders), organisations in a hierarchy (federal
ministries, agencies under them, regional governments and their departments, state and private companies),
an editor and a coordinator for every public body plus an HQ admin, an auditor and a viewer, use cases skewed
across organisations, sectors and regions, objectives with indicators, targets and a trend-plus-noise
measurement per indicator × series × quarter, contributions, risks of use cases in production, and an audit
history dated over the past years, appended through the audit recorder so ``aihq audit_verify`` checks it.

The big tables are written with ``aihq.core.db`` (prepared statements in batches, no signals), so no use case
is embedded for the duplicate review and no supplier is inferred, as a real import would do. Measurements get
no audit events: 3.6 million of them would make the log twenty times larger than everything else in it.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import math
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, NamedTuple

import numpy as np
from django.contrib.auth.hashers import make_password
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from aihq.accounts.models import Membership, Role, User
from aihq.audit.recorder import Change, append_many, snapshot
from aihq.core.cli import Advance, ProgressFactory, no_progress
from aihq.core.db import analyze, copy_rows, insert_returning_ids, insert_rows
from aihq.objectives.models import Aggregation, Contribution, Indicator, Measurement, NationalValue, Objective, Target
from aihq.objectives.rollups import refresh_national_values
from aihq.registry.loaders import load_regions, load_sectors
from aihq.registry.models import Organisation, OrganisationKind, Region, Sector, Stage, UseCase
from aihq.regulation.models import Risk

SCALE_PASSWORD = "scale-password"
SOURCE = "Synthetic data (aihq generate_scale)"
#: Quarters of measurements per series before organisations are added as further series.
PERIODS = 40
#: The fewest measurements a regional series gets when there are too few to give every region some.
MIN_PERIODS = 8

# --- vocabulary ----------------------------------------------------------------------------------------------

# Ministries: code, English name, Russian name, home sector, topic (English, Russian genitive).
MINISTRIES: tuple[tuple[str, str, str, str, str, str], ...] = (
    ("DIGITAL", "Ministry of Digital Development", "Министерство цифрового развития", "telecom-it",
     "Digital Services", "цифровых сервисов"),
    ("HEALTH", "Ministry of Health", "Министерство здравоохранения", "healthcare", "Health Care", "здравоохранения"),
    ("EDUCATION", "Ministry of Education", "Министерство просвещения", "education", "Schools", "школьного образования"),
    ("SCIENCE", "Ministry of Science and Higher Education", "Министерство науки и высшего образования",
     "science-space", "Research", "научных исследований"),
    ("TRANSPORT", "Ministry of Transport", "Министерство транспорта", "transport", "Transport", "транспорта"),
    ("ENERGY", "Ministry of Energy", "Министерство энергетики", "energy-environment", "Energy", "энергетики"),
    ("INDUSTRY", "Ministry of Industry and Trade", "Министерство промышленности и торговли", "industry",
     "Industry", "промышленности"),
    ("AGRICULTURE", "Ministry of Agriculture", "Министерство сельского хозяйства", "agriculture", "Agriculture",
     "сельского хозяйства"),
    ("FINANCE", "Ministry of Finance", "Министерство финансов", "finance", "Public Finance",
     "государственных финансов"),
    ("JUSTICE", "Ministry of Justice", "Министерство юстиции", "law-justice", "Justice", "юстиции"),
    ("EMERGENCY", "Ministry of Emergency Situations", "Министерство по чрезвычайным ситуациям", "emergency",
     "Civil Protection", "гражданской защиты"),
    ("FOREIGN", "Ministry of Foreign Affairs", "Министерство иностранных дел", "diplomacy-trade", "Consular Services",
     "консульских услуг"),
    ("LABOUR", "Ministry of Labour and Social Protection", "Министерство труда и социальной защиты",
     "social-protection", "Employment", "занятости"),
    ("CONSTRUCTION", "Ministry of Construction and Housing", "Министерство строительства и жилищно-коммунального "
     "хозяйства", "construction-urban", "Housing", "жилищного хозяйства"),
    ("CULTURE", "Ministry of Culture", "Министерство культуры", "culture", "Culture", "культуры"),
    ("ECONOMY", "Ministry of Economic Development", "Министерство экономического развития", "public-administration",
     "Economic Development", "экономического развития"),
    ("NATURE", "Ministry of Natural Resources and Environment", "Министерство природных ресурсов и экологии",
     "energy-environment", "the Environment", "охраны окружающей среды"),
    ("INTERIOR", "Ministry of Internal Affairs", "Министерство внутренних дел", "law-justice", "Public Order",
     "общественного порядка"),
    ("SPORT", "Ministry of Sport", "Министерство спорта", "culture", "Sport", "спорта"),
    ("ARCTIC", "Ministry for the Far East and the Arctic", "Министерство по развитию Дальнего Востока и Арктики",
     "public-administration", "the Far East", "Дальнего Востока"),
)  # fmt: skip

# Agencies and departments: English form, Russian form; {t} is the topic (Russian in the genitive).
AGENCY_FORMS = (
    ("Federal Service for Supervision of {t}", "Федеральная служба по надзору в сфере {t}"),
    ("Federal Agency for {t}", "Федеральное агентство развития {t}"),
    ("Centre for Digital Transformation of {t}", "Центр цифровой трансформации {t}"),
    ("Research Institute of {t}", "Научно-исследовательский институт {t}"),
    ("Situation Centre for {t}", "Ситуационный центр {t}"),
    ("Data Agency for {t}", "Агентство данных {t}"),
    ("Analytical Centre for {t}", "Аналитический центр {t}"),
)
# The portfolios a region's government has a department for (foreign affairs, justice and the like are federal).
REGIONAL_TOPICS = tuple(i for i, m in enumerate(MINISTRIES) if m[0] not in ("FOREIGN", "ARCTIC", "INTERIOR", "JUSTICE"))
DEPARTMENT_FORM = ("Department of {t}, {r}", "Департамент {t}: {r}")
REGIONAL_GOVERNMENT_FORM = ("Government of {r}", "Правительство региона: {r}")

COMPANY_STEMS = (
    ("Neuro", "Нейро"), ("Data", "Дата"), ("Sib", "Сиб"), ("Ural", "Урал"), ("Volga", "Волга"), ("Techno", "Техно"),
    ("Smart", "Смарт"), ("Info", "Инфо"), ("Cyber", "Кибер"), ("Geo", "Гео"), ("Med", "Мед"), ("Agro", "Агро"),
    ("Energo", "Энерго"), ("Avia", "Авиа"), ("Robo", "Робо"), ("Baikal", "Байкал"),
)  # fmt: skip
COMPANY_ENDINGS = (
    ("Soft", "софт"), ("Lab", "лаб"), ("Systems", "системс"), ("Tech", "тех"), ("Logic", "лоджик"), ("Net", "нет"),
    ("Sense", "сенс"), ("Mind", "майнд"), ("Analytics", "аналитикс"), ("Vision", "вижн"),
)  # fmt: skip
COMPANY_FORMS = (("{n} LLC", "ООО «{n}»"), ("{n} JSC", "АО «{n}»"), ("{n} PJSC", "ПАО «{n}»"))
STATE_COMPANY_FORM = ("State Corporation {n}", "Госкорпорация «{n}»")

# Systems: English, Russian, techniques.
SYSTEMS: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("Chatbot", "Чат-бот", ("genai", "nlp")),
    ("Virtual assistant", "Виртуальный ассистент", ("genai", "nlp")),
    ("Document classifier", "Классификатор документов", ("nlp", "classical_ml")),
    ("Anomaly detection system", "Система выявления аномалий", ("classical_ml",)),
    ("Demand forecasting model", "Модель прогнозирования спроса", ("classical_ml",)),
    ("Computer vision system", "Система компьютерного зрения", ("computer_vision",)),
    ("Speech recognition service", "Сервис распознавания речи", ("nlp",)),
    ("Recommendation engine", "Рекомендательная система", ("classical_ml",)),
    ("Risk scoring model", "Модель оценки рисков", ("classical_ml",)),
    ("Text summarisation tool", "Инструмент реферирования текстов", ("genai", "nlp")),
    ("Fraud detection model", "Модель выявления мошенничества", ("classical_ml",)),
    ("Predictive maintenance system", "Система предиктивного обслуживания", ("classical_ml",)),
    ("Machine translation service", "Сервис машинного перевода", ("nlp",)),
    ("Satellite image analysis", "Анализ спутниковых снимков", ("computer_vision",)),
    ("Route optimisation model", "Модель оптимизации маршрутов", ("rl", "classical_ml")),
    ("Generative drafting assistant", "Генеративный помощник подготовки документов", ("genai",)),
    ("Knowledge search agent", "Агент поиска по базе знаний", ("genai", "agentic")),
    ("Medical image analysis", "Анализ медицинских изображений", ("computer_vision",)),
    ("Call routing system", "Система маршрутизации обращений", ("nlp", "classical_ml")),
    ("Data quality checker", "Система контроля качества данных", ("classical_ml",)),
)

# Tasks: English, Russian (genitive, after «для»), the sector they belong to.
TASKS: tuple[tuple[str, str, str], ...] = (
    ("citizen enquiries", "обработки обращений граждан", "public-services"),
    ("permit applications", "рассмотрения заявлений на разрешения", "public-administration"),
    ("tax audits", "налоговых проверок", "finance"),
    ("inspection planning", "планирования проверок", "public-administration"),
    ("procurement review", "анализа закупок", "finance"),
    ("benefit claims", "проверки заявлений на выплаты", "social-protection"),
    ("road traffic monitoring", "мониторинга дорожного движения", "transport"),
    ("crop yield estimation", "оценки урожайности", "agriculture"),
    ("wildfire detection", "обнаружения лесных пожаров", "emergency"),
    ("patient triage", "сортировки пациентов", "healthcare"),
    ("exam grading", "проверки экзаменационных работ", "education"),
    ("court case routing", "распределения судебных дел", "law-justice"),
    ("energy load balancing", "балансировки энергетической нагрузки", "energy-environment"),
    ("public transport planning", "планирования общественного транспорта", "transport"),
    ("customs declarations", "проверки таможенных деклараций", "diplomacy-trade"),
    ("job matching", "подбора вакансий", "social-protection"),
    ("building permit checks", "проверки разрешений на строительство", "construction-urban"),
    ("emergency call handling", "обработки экстренных вызовов", "emergency"),
    ("archive digitisation", "оцифровки архивов", "culture"),
    ("cyber threat detection", "выявления киберугроз", "cybersecurity"),
    ("regulatory reporting", "подготовки регуляторной отчётности", "mission-enabling"),
    ("staff onboarding", "адаптации новых сотрудников", "human-resources"),
    ("water quality monitoring", "мониторинга качества воды", "energy-environment"),
    ("land registry updates", "обновления земельного реестра", "construction-urban"),
    ("equipment diagnostics", "диагностики оборудования", "industry"),
    ("grant applications", "рассмотрения заявок на гранты", "science-space"),
    ("network fault prediction", "прогнозирования сбоев сети", "telecom-it"),
    ("disease outbreak monitoring", "мониторинга вспышек заболеваний", "healthcare"),
    ("student dropout prediction", "прогнозирования отчисления студентов", "education"),
    ("livestock health monitoring", "мониторинга здоровья скота", "agriculture"),
)

DATA_SOURCES = (
    ("historical case files", "исторические материалы дел"),
    ("open government data", "открытые государственные данные"),
    ("sensor readings", "показания датчиков"),
    ("scanned documents", "сканированные документы"),
    ("call centre transcripts", "расшифровки звонков в контакт-центр"),
    ("satellite imagery", "спутниковые снимки"),
    ("registry records", "записи государственных реестров"),
    ("anonymised medical records", "обезличенные медицинские карты"),
)
TECHNIQUE_PHRASES = {
    "genai": ("a large language model", "большая языковая модель"),
    "nlp": ("natural language processing", "обработка естественного языка"),
    "classical_ml": ("gradient boosting", "градиентный бустинг"),
    "computer_vision": ("convolutional neural networks", "свёрточные нейронные сети"),
    "rl": ("reinforcement learning", "обучение с подкреплением"),
    "agentic": ("an agent that calls internal tools", "агент, вызывающий внутренние сервисы"),
}
OVERSIGHT = (
    ("A human operator reviews every decision.", "Каждое решение проверяет оператор."),
    ("Specialists check the results before any action is taken.", "Специалисты проверяют результаты до принятия мер."),
    ("Uncertain cases are passed to staff.", "Спорные случаи передаются сотрудникам."),
    ("The results are advisory only.", "Результаты носят рекомендательный характер."),
)
OUTPUTS = (
    ("Scores, flags and a short explanation for each case.", "Оценки, отметки и краткое пояснение по каждому случаю."),
    ("Draft answers with links to sources.", "Черновики ответов со ссылками на источники."),
    ("A ranked list of cases for review.", "Ранжированный список случаев для проверки."),
    ("Forecasts with confidence intervals.", "Прогнозы с доверительными интервалами."),
    ("Maps and alerts for operators.", "Карты и оповещения для операторов."),
    ("Structured data extracted from documents.", "Структурированные данные, извлечённые из документов."),
)
UNITS = (
    ("Department of Digital Services", "Департамент цифровых сервисов"),
    ("Analytics Division", "Аналитическое управление"),
    ("Department of Data Management", "Департамент управления данными"),
    ("Citizen Services Office", "Управление по работе с гражданами"),
    ("Inspection Department", "Контрольно-надзорный департамент"),
    ("IT Directorate", "Дирекция информационных технологий"),
    ("Planning and Forecasting Unit", "Отдел планирования и прогнозирования"),
    ("Innovation Lab", "Лаборатория инноваций"),
)
VENDORS = (
    ("Sber", "Сбер"), ("Yandex", "Яндекс"), ("Rostelecom", "Ростелеком"), ("MTS", "МТС"), ("Kaspersky", "Касперский"),
    ("VK", "VK"), ("1C", "1С"), ("Naumen", "Наумен"), ("Cognitive Technologies", "Когнитивные технологии"),
)  # fmt: skip

# Risks: English title, Russian title, MIT risk subdomain.
RISKS = (
    ("Biased outcomes for some groups", "Смещённые результаты для отдельных групп", "1.1"),
    ("Lower accuracy for rare cases", "Низкая точность на редких случаях", "1.3"),
    ("Leak of personal data", "Утечка персональных данных", "2.1"),
    ("Attack on the model", "Атака на модель", "2.2"),
    ("Wrong or invented answers", "Неверные или выдуманные ответы", "3.1"),
    ("Fraudulent use of the system", "Мошенническое использование системы", "4.3"),
    ("Over-reliance on automated decisions", "Чрезмерное доверие к автоматическим решениям", "5.1"),
    ("Loss of staff skills", "Утрата навыков сотрудниками", "6.2"),
    ("Failure on unusual inputs", "Сбой на нетипичных входных данных", "7.3"),
    ("Decisions cannot be explained", "Решения невозможно объяснить", "7.4"),
)
MITIGATIONS = (
    ("Human review of every decision; quarterly bias tests.", "Проверка каждого решения человеком; ежеквартальные "
     "тесты на смещение."),
    ("Access control, logging and anonymised training data.", "Разграничение доступа, журналирование и обезличенные "
     "обучающие данные."),
    ("Monitoring of answer quality with a sample checked by staff.", "Мониторинг качества ответов с выборочной "
     "проверкой сотрудниками."),
)  # fmt: skip

# Indicator families: English and Russian name forms, unit (English, Russian), aggregation, direction, subject kind.
INDICATOR_SUBJECTS = (
    ("schools", "школ"), ("hospitals", "больниц"), ("farms", "сельхозпредприятий"),
    ("manufacturers", "промышленных предприятий"), ("public bodies", "органов власти"), ("universities", "вузов"),
    ("small and medium enterprises", "малых и средних предприятий"), ("logistics companies", "логистических компаний"),
    ("clinics", "поликлиник"), ("banks", "банков"), ("energy companies", "энергетических компаний"),
    ("retailers", "торговых сетей"), ("transport operators", "транспортных операторов"),
    ("construction companies", "строительных компаний"), ("municipalities", "муниципалитетов"),
)  # fmt: skip


class Family(NamedTuple):
    name_en: str
    name_ru: str
    unit: str
    unit_ru: str
    aggregation: str
    direction: str
    subjects: str  # "subjects" (INDICATOR_SUBJECTS) or "tasks" (TASKS)


FAMILIES = (
    Family("Share of {s} using AI", "Доля {s}, использующих ИИ", "percent", "%", "mean", "increase", "subjects"),
    Family("Share of employees of {s} with AI skills", "Доля работников {s} с навыками ИИ", "percent", "%", "mean",
           "increase", "subjects"),
    Family("AI specialists trained for {s}", "Специалисты по ИИ, подготовленные для {s}", "persons", "чел.", "sum",
           "increase", "subjects"),
    Family("Average time of {s}", "Среднее время {s}", "days", "дн.", "mean", "decrease", "tasks"),
    Family("Share of manual work in {s}", "Доля ручного труда в процессе {s}", "percent", "%", "mean", "decrease",
           "tasks"),
)  # fmt: skip
FAMILY_WEIGHTS = (0.3, 0.2, 0.2, 0.15, 0.15)
OBJECTIVE_FORMS = (
    ("{s}: AI adoption", "{s}: внедрение ИИ"),
    ("{s}: skills and data for AI", "{s}: кадры и данные для ИИ"),
    ("{s}: trusted AI", "{s}: доверенный ИИ"),
)
PROGRAMME = ("National AI programme (synthetic)", "Национальная программа ИИ (синтетические данные)")

STAGES = (Stage.PLANNED, Stage.DEVELOPMENT, Stage.PILOT, Stage.PRODUCTION, Stage.RETIRED)
# Most use cases are ideas, in development or piloted; fewer run in production, fewer still are retired.
STAGE_WEIGHTS = (0.22, 0.22, 0.28, 0.2, 0.08)
METHODS = ("in_house", "contracted", "mixed", "off_the_shelf", "unknown")
METHOD_WEIGHTS = (0.3, 0.35, 0.2, 0.1, 0.05)
IMPACTS = ("", "neither", "rights", "safety", "both")
IMPACT_WEIGHTS = (0.4, 0.4, 0.12, 0.06, 0.02)
RISK_STATUSES = ("open", "mitigating", "accepted", "closed")
RISK_STATUS_WEIGHTS = (0.3, 0.4, 0.2, 0.1)
PUBLIC_BODIES = (
    OrganisationKind.MINISTRY,
    OrganisationKind.AGENCY,
    OrganisationKind.REGIONAL_GOVERNMENT,
)
# Log-mean of an organisation's use-case weight by kind (the spread is the same for all): ministries hold most.
KIND_WEIGHT = {
    OrganisationKind.MINISTRY: 2.5,
    OrganisationKind.AGENCY: 1.0,
    OrganisationKind.REGIONAL_GOVERNMENT: 1.2,
    OrganisationKind.STATE_COMPANY: 1.3,
    OrganisationKind.COMPANY: -0.2,
}
DEPARTMENT_WEIGHT = 0.3
# Organisations whose use cases serve their own region (federal bodies name regions across the country).
REGIONAL_KINDS = (OrganisationKind.REGIONAL_GOVERNMENT, OrganisationKind.COMPANY)
WEIGHT_SPREAD = 1.2


# --- options and plans (pure) --------------------------------------------------------------------------------


@dataclass(frozen=True)
class ScaleOptions:
    """What to generate; ``until`` is the last quarter's end (the newest measurement)."""

    use_cases: int = 100_000
    organisations: int = 500
    indicators: int = 1_000
    measurements: int = 3_600_000
    seed: int = 1
    until: dt.date = field(default_factory=lambda: quarter_end_on_or_before(dt.date.today() - dt.timedelta(days=1)))
    batch_size: int = 10_000


def quarter_end_on_or_before(day: dt.date) -> dt.date:
    """The last day of a quarter on or before ``day``."""
    for month in (12, 9, 6, 3):
        end = _month_end(day.year, month)
        if end <= day:
            return end
    return dt.date(day.year - 1, 12, 31)


def _month_end(year: int, month: int) -> dt.date:
    return (dt.date(year + month // 12, month % 12 + 1, 1)) - dt.timedelta(days=1)


def quarter_ends(last: dt.date, count: int) -> list[dt.date]:
    """``count`` quarter ends up to ``last`` (itself a quarter end), oldest first."""
    days = []
    year, month = last.year, last.month
    for _step in range(count):
        days.append(_month_end(year, month))
        month -= 3
        if month <= 0:
            year, month = year - 1, month + 12
    return days[::-1]


def kind_counts(total: int, regions: int) -> dict[str, int]:
    """How many organisations of each kind (``department`` is a regional government's department)."""
    if total <= 0:
        return {"ministry": 0, "regional_government": 0, "agency": 0, "department": 0, "state_company": 0, "company": 0}
    counts = {
        "ministry": min(max(1, round(total * 0.04)), len(MINISTRIES)),
        "regional_government": min(regions, round(total * 0.17)),
        "agency": round(total * 0.35),
        "department": 0,
        "state_company": round(total * 0.04),
    }
    if counts["regional_government"]:
        counts["department"] = round(total * 0.10)
    counts["company"] = total - sum(counts.values())
    for kind in ("agency", "department", "state_company", "regional_government"):
        if counts["company"] >= 0:
            break
        cut = min(counts[kind], -counts["company"])
        counts[kind] -= cut
        counts["company"] += cut
    return counts


class Layout(NamedTuple):
    """One indicator's series: how many regions and organisations report, over how many quarters, how many each."""

    regions: int
    organisations: int
    periods: int
    counts: list[int]


def series_layout(
    total: int, regions: int, organisations: int, *, periods: int = PERIODS, min_periods: int = MIN_PERIODS
) -> Layout:
    """Spread ``total`` measurements of one indicator: every region (or, with few, some regions with at least
    ``min_periods`` each) over up to ``periods`` quarters, then organisations, then more quarters."""
    if total <= 0:
        return Layout(0, 0, periods, [])
    if regions <= 0 and organisations <= 0:
        raise ValueError("An indicator needs a region or an organisation to report it.")
    if total <= regions * periods:
        n_regions, n_orgs = min(regions, max(1, total // min_periods)), 0
    else:
        n_regions = max(regions, 0)
        n_orgs = min(organisations, -(-(total - n_regions * periods) // periods))
        periods = max(periods, -(-total // (n_regions + n_orgs)))
    base, extra = divmod(total, n_regions + n_orgs)
    counts = [base + (1 if i < extra else 0) for i in range(n_regions + n_orgs)]
    return Layout(n_regions, n_orgs, periods, counts)


def split_evenly(total: int, parts: int) -> list[int]:
    """``total`` split into ``parts`` integers differing by at most one, the larger first."""
    if parts <= 0:
        return []
    base, extra = divmod(total, parts)
    return [base + (1 if i < extra else 0) for i in range(parts)]


def skewed_counts(rng: np.random.Generator, weights: np.ndarray[Any, Any], total: int) -> np.ndarray[Any, Any]:
    """``total`` items over owners in proportion to ``weights``, each owner at least one while there are enough."""
    n = len(weights)
    if n == 0:
        return np.zeros(0, dtype=np.int64)
    p = np.asarray(weights, dtype=np.float64) / float(np.sum(weights))
    floor = 1 if total >= n else 0
    return np.asarray(rng.multinomial(total - floor * n, p) + floor, dtype=np.int64)


class RegionInfo(NamedTuple):
    code: str
    name_en: str
    name_ru: str


class OrgSpec(NamedTuple):
    """One organisation to create; ``parent`` is an index into the same plan, ``topic`` into ``MINISTRIES``."""

    code: str
    name_en: str
    name_ru: str
    kind: str
    parent: int | None
    region: str | None
    topic: int
    department: bool = False


def plan_organisations(rng: np.random.Generator, total: int, regions: Sequence[RegionInfo]) -> list[OrgSpec]:
    """The organisations, parents before children: ministries, agencies, regional governments and their
    departments, state companies, companies."""
    counts = kind_counts(total, len(regions))
    plan: list[OrgSpec] = []
    topics = rng.permutation(len(MINISTRIES))[: counts["ministry"]]
    ministry_index = []
    for topic in topics.tolist():
        code, name_en, name_ru, _sector, _t_en, _t_ru = MINISTRIES[topic]
        ministry_index.append(len(plan))
        plan.append(OrgSpec(f"MIN-{code}", name_en, name_ru, OrganisationKind.MINISTRY, None, "RU-MOW", topic))
    # Agencies under ministries, more under the bigger portfolios (a Zipf-like share).
    shares = 1.0 / np.arange(1, len(ministry_index) + 1) ** 0.7
    parents = rng.choice(len(ministry_index), size=counts["agency"], p=shares / shares.sum())
    used: dict[tuple[int, int], int] = {}
    per_ministry: dict[int, int] = {}
    for parent in parents.tolist():
        owner = plan[ministry_index[parent]]
        form = int(rng.integers(len(AGENCY_FORMS)))
        seen = used.get((owner.topic, form), 0)
        used[(owner.topic, form)] = seen + 1
        per_ministry[parent] = per_ministry.get(parent, 0) + 1
        t_en, t_ru = MINISTRIES[owner.topic][4], MINISTRIES[owner.topic][5]
        name_en = AGENCY_FORMS[form][0].format(t=t_en)
        name_ru = AGENCY_FORMS[form][1].format(t=t_ru)
        if seen:
            name_en, name_ru = f"{name_en} No. {seen + 1}", f"{name_ru} № {seen + 1}"
        code = f"AG-{MINISTRIES[owner.topic][0]}-{per_ministry[parent]:02d}"
        plan.append(
            OrgSpec(code, name_en, name_ru, OrganisationKind.AGENCY, ministry_index[parent], "RU-MOW", owner.topic)
        )
    # Regional governments of regions chosen at random (17 % of the organisations, at most one per region).
    chosen = rng.permutation(len(regions))[: counts["regional_government"]]
    government_index = []
    for index in chosen.tolist():
        region = regions[index]
        government_index.append(len(plan))
        plan.append(
            OrgSpec(
                f"RG-{region.code.removeprefix('RU-')}",
                REGIONAL_GOVERNMENT_FORM[0].format(r=region.name_en),
                REGIONAL_GOVERNMENT_FORM[1].format(r=region.name_ru or region.name_en),
                OrganisationKind.REGIONAL_GOVERNMENT,
                None,
                region.code,
                int(rng.integers(len(MINISTRIES))),
            )
        )
    departments_of: dict[int, int] = {}
    for parent in rng.integers(len(government_index), size=counts["department"]) if government_index else []:
        government = plan[government_index[int(parent)]]
        topic = REGIONAL_TOPICS[int(rng.integers(len(REGIONAL_TOPICS)))]
        departments_of[int(parent)] = departments_of.get(int(parent), 0) + 1
        region_name = next(r for r in regions if r.code == government.region)
        plan.append(
            OrgSpec(
                f"{government.code.replace('RG-', 'RD-', 1)}-{departments_of[int(parent)]:02d}",
                DEPARTMENT_FORM[0].format(t=MINISTRIES[topic][4], r=region_name.name_en),
                DEPARTMENT_FORM[1].format(t=MINISTRIES[topic][5], r=region_name.name_ru or region_name.name_en),
                OrganisationKind.AGENCY,
                government_index[int(parent)],
                government.region,
                topic,
                department=True,
            )
        )
    names = [(a[0] + b[0], a[1] + b[1]) for a in COMPANY_STEMS for b in COMPANY_ENDINGS]
    order = rng.permutation(len(names)).tolist()
    region_codes = [r.code for r in regions]
    for number in range(counts["state_company"] + counts["company"]):
        stem_en, stem_ru = names[order[number % len(names)]]
        if number >= len(names):
            stem_en, stem_ru = f"{stem_en} {number // len(names) + 1}", f"{stem_ru} {number // len(names) + 1}"
        if number < counts["state_company"]:
            legal, kind, code = STATE_COMPANY_FORM, OrganisationKind.STATE_COMPANY, f"SC-{number + 1:02d}"
        else:
            legal = COMPANY_FORMS[int(rng.integers(len(COMPANY_FORMS)))]
            kind, code = OrganisationKind.COMPANY, f"CO-{number - counts['state_company'] + 1:04d}"
        home = region_codes[int(rng.integers(len(region_codes)))] if region_codes else None
        plan.append(
            OrgSpec(
                code,
                legal[0].format(n=stem_en),
                legal[1].format(n=stem_ru),
                kind,
                None,
                home,
                int(rng.integers(len(MINISTRIES))),
            )
        )
    return plan


def organisation_weights(rng: np.random.Generator, plan: Sequence[OrgSpec]) -> np.ndarray[Any, Any]:
    """Each organisation's share of the use cases: log-normal around its kind's level (heavy-tailed)."""
    means = np.array([DEPARTMENT_WEIGHT if o.department else KIND_WEIGHT[OrganisationKind(o.kind)] for o in plan])
    return np.asarray(rng.lognormal(means, WEIGHT_SPREAD), dtype=np.float64)


def zipf_weights(rng: np.random.Generator, n: int, exponent: float = 0.9) -> np.ndarray[Any, Any]:
    """Weights 1/rank^exponent over ``n`` items in a random order."""
    ranks = rng.permutation(n) + 1
    return np.asarray(1.0 / ranks**exponent, dtype=np.float64)


class UseCasePlan(NamedTuple):
    """One use case's values; ``organisation`` indexes the organisation plan; ``previous_stage`` is set when
    the history has an update that moved it to its stage at ``updated``."""

    fields: dict[str, Any]
    organisation: int
    sectors: list[str]
    regions: list[str]
    created: dt.datetime
    updated: dt.datetime | None
    previous_stage: str | None
    russian: bool


def _moment(day: dt.date, seconds: int) -> dt.datetime:
    """A time on ``day`` (UTC), ``seconds`` after 06:00 (09:00 in Moscow)."""
    return dt.datetime.combine(day, dt.time(6), tzinfo=dt.UTC) + dt.timedelta(seconds=seconds)


def plan_use_cases(
    rng: np.random.Generator,
    total: int,
    organisations: Sequence[OrgSpec],
    sector_codes: Sequence[str],
    regions: Sequence[RegionInfo],
    start: dt.date,
    until: dt.date,
) -> list[UseCasePlan]:
    """Use cases skewed across organisations (log-normal), sectors and regions (Zipf), with consistent dates."""
    if total <= 0 or not organisations:
        return []
    owners = np.repeat(
        np.arange(len(organisations)), skewed_counts(rng, organisation_weights(rng, organisations), total)
    )
    owners = owners[rng.permutation(total)]
    sector_weights = zipf_weights(rng, len(sector_codes))
    sector_p = sector_weights / sector_weights.sum()
    region_weights = rng.lognormal(0.0, 1.0, len(regions))
    for big, factor in (("RU-MOW", 8.0), ("RU-SPE", 4.0)):
        region_weights[[i for i, r in enumerate(regions) if r.code == big]] *= factor
    region_p = region_weights / region_weights.sum() if len(regions) else region_weights
    home_sector = {
        i: MINISTRIES[o.topic][3] if MINISTRIES[o.topic][3] in sector_codes else sector_codes[0]
        for i, o in enumerate(organisations)
    }
    stage_index = rng.choice(len(STAGES), size=total, p=STAGE_WEIGHTS)
    # Durations in days: initiation to deployment, deployment to retirement; start dates fitted to end by until.
    to_deploy = rng.integers(120, 900, size=total)
    to_retire = rng.integers(180, 1400, size=total)
    span = (until - start).days - 60
    needed = np.where(stage_index >= 3, to_deploy, 0) + np.where(stage_index == 4, to_retire, 0)
    scale = np.minimum(1.0, (span - 1) / np.maximum(needed, 1))
    to_deploy = np.maximum(1, (to_deploy * scale).astype(np.int64))
    to_retire = np.maximum(1, (to_retire * scale).astype(np.int64))
    needed = np.where(stage_index >= 3, to_deploy, 0) + np.where(stage_index == 4, to_retire, 0)
    # Ideas are recent; older use cases have moved further along.
    recency = np.array([0.25, 0.45, 0.6, 1.0, 1.0])[stage_index]
    latest = span - needed
    earliest = np.maximum(0, (latest * (1 - recency)).astype(np.int64))
    initiated_offset = earliest + (rng.random(total) * np.maximum(latest - earliest, 1)).astype(np.int64)
    # Columns drawn at once, then read as Python lists (a numpy scalar per cell would be slow).
    entry_lag = rng.integers(0, 60, size=total).tolist()
    seconds = rng.integers(0, 9 * 3600, size=(total, 2)).tolist()
    has_update = ((stage_index >= 3) | ((stage_index >= 1) & (rng.random(total) < 0.5))).tolist()
    update_fraction = rng.uniform(0.2, 0.95, size=total).tolist()
    russian_share = np.array([0.5 if o.kind == OrganisationKind.COMPANY else 0.75 for o in organisations])
    ru = (rng.random(total) < russian_share[owners]).tolist()
    system = rng.integers(len(SYSTEMS), size=total).tolist()
    own_task = (rng.random(total) < 0.7).tolist()
    task_any = rng.integers(len(TASKS), size=total).tolist()
    own_sector = (rng.random(total) < 0.65).tolist()
    sector_any = rng.choice(len(sector_codes), size=total, p=sector_p).tolist()
    second_sector = np.where(rng.random(total) < 0.3, rng.choice(len(sector_codes), size=total, p=sector_p), -1)
    second = second_sector.tolist()
    federal_regions = rng.choice(4, size=total, p=(0.45, 0.3, 0.15, 0.1)).tolist()
    extra_region = (rng.random(total) < 0.1).tolist()
    data_source = rng.integers(len(DATA_SOURCES), size=total).tolist()
    oversight = rng.integers(len(OVERSIGHT), size=total).tolist()
    output = rng.integers(len(OUTPUTS), size=total).tolist()
    unit = rng.integers(len(UNITS), size=total).tolist()
    method = rng.choice(len(METHODS), size=total, p=METHOD_WEIGHTS).tolist()
    vendor = rng.integers(len(VENDORS), size=total).tolist()
    impact = rng.choice(len(IMPACTS), size=total, p=IMPACT_WEIGHTS).tolist()
    public = (rng.random(total) < 0.4).tolist()
    saving = rng.integers(10, 60, size=total).tolist()
    with_region_in_name = (rng.random(total) < 0.3).tolist()
    region_cdf = np.cumsum(region_p) if len(regions) else np.zeros(1)
    region_picks = np.minimum(np.searchsorted(region_cdf, rng.random((total, 4))), max(len(regions) - 1, 0)).tolist()
    owner_list, stage_list = owners.tolist(), stage_index.tolist()
    technique_texts = [tuple("; ".join(TECHNIQUE_PHRASES[t][lang] for t in s[2]) for lang in (0, 1)) for s in SYSTEMS]
    stage_values = [stage.value for stage in STAGES]
    deploy_list, retire_list, offset_list = to_deploy.tolist(), to_retire.tolist(), initiated_offset.tolist()
    tasks_by_sector: dict[str, list[int]] = {}
    for index, task in enumerate(TASKS):
        tasks_by_sector.setdefault(task[2], []).append(index)
    region_index = {r.code: i for i, r in enumerate(regions)}

    plans: list[UseCasePlan] = []
    for n in range(total):
        org_i = owner_list[n]
        org = organisations[org_i]
        stage = stage_list[n]
        # Sectors: the organisation's own most of the time, else the (skewed) national mix.
        primary = home_sector[org_i] if own_sector[n] else sector_codes[sector_any[n]]
        sectors = [primary]
        if second[n] >= 0 and sector_codes[second[n]] != primary:
            sectors.append(sector_codes[second[n]])
        # Regions: a regional body's own region; federal bodies name 0–3 regions, the big ones most often.
        use_regions: list[str] = []
        if org.region and (org.department or org.kind in REGIONAL_KINDS):
            use_regions.append(org.region)
            wanted = 2 if extra_region[n] else 1
        else:
            wanted = federal_regions[n]
        for pick in region_picks[n][: max(0, wanted - len(use_regions))] if regions else ():
            if regions[pick].code not in use_regions:
                use_regions.append(regions[pick].code)
        candidates = tasks_by_sector.get(primary)
        task = TASKS[candidates[task_any[n] % len(candidates)] if candidates and own_task[n] else task_any[n]]
        system_en, system_ru, techniques = SYSTEMS[system[n]]
        lang = 1 if ru[n] else 0
        region_label = ""
        if with_region_in_name[n] and use_regions:
            info = regions[region_index[use_regions[0]]]
            region_label = info.name_ru or info.name_en if lang else info.name_en
        unit_name = UNITS[unit[n]][lang]
        method_code = METHODS[method[n]]
        technique_text = technique_texts[system[n]][lang]
        if lang:
            name = f"{system_ru} для {task[1]}"
            description = (
                f"{system_ru} применяется для {task[1]} в подразделении «{unit_name}». "
                f"Методы: {technique_text}. Данные: {DATA_SOURCES[data_source[n]][1]}. "
                f"{OVERSIGHT[oversight[n]][1]}"
            )
            purpose = f"Сократить время {task[1]} на {saving[n]}% и повысить качество решений."
        else:
            name = f"{system_en} for {task[0]}"
            description = (
                f"The {system_en.lower()} supports {task[0]} in the {unit_name}. "
                f"It uses {technique_text} trained on {DATA_SOURCES[data_source[n]][0]}. "
                f"{OVERSIGHT[oversight[n]][0]}"
            )
            purpose = f"Cut the time spent on {task[0]} by {saving[n]}% and improve the quality of decisions."
        if region_label:
            name = f"{name} ({region_label})"
        initiated = start + dt.timedelta(days=60 + offset_list[n])
        deployed = initiated + dt.timedelta(days=deploy_list[n]) if stage >= 3 else None
        retired = deployed + dt.timedelta(days=retire_list[n]) if stage == 4 and deployed else None
        created_day = min(initiated + dt.timedelta(days=entry_lag[n]), until)
        if deployed is not None:
            created_day = min(created_day, deployed)
        created = _moment(created_day, seconds[n][0])
        updated: dt.datetime | None = None
        previous: str | None = None
        if has_update[n]:
            previous = stage_values[stage - 1]
            if stage == 4 and retired is not None:
                change_day = retired
            elif stage == 3 and deployed is not None:
                change_day = deployed
            else:
                change_day = created_day + dt.timedelta(days=int((until - created_day).days * update_fraction[n]))
            updated = max(_moment(change_day, seconds[n][1]), created + dt.timedelta(minutes=1))
        impact_type = IMPACTS[impact[n]]
        plans.append(
            UseCasePlan(
                fields={
                    "reference": f"UC-{n + 1:06d}",
                    "name": name,
                    "description": description,
                    "unit": unit_name,
                    "purpose": purpose,
                    "outputs": OUTPUTS[output[n]][lang],
                    "stage": stage_values[stage],
                    "development_method": method_code,
                    "vendors": VENDORS[vendor[n]][lang]
                    if method_code in ("contracted", "mixed", "off_the_shelf")
                    else "",
                    "is_generative": "genai" in techniques,
                    "date_initiated": initiated,
                    "date_deployed": deployed,
                    "date_retired": retired,
                    "is_public": public[n],
                    "tags": ["synthetic", "синтетика" if lang else "scale"],
                    "impact_type": impact_type,
                    "is_high_impact": None if not impact_type else impact_type != "neither",
                    "techniques": list(techniques),
                    "version": 2 if updated else 1,
                    "created_at": created,
                    "updated_at": updated or created,
                },
                organisation=org_i,
                sectors=sectors,
                regions=use_regions,
                created=created,
                updated=updated,
                previous_stage=previous,
                russian=bool(lang),
            )
        )
    return plans


class Series(NamedTuple):
    """One region's or organisation's values of an indicator: ``values`` for consecutive quarters of ``days``."""

    region: str | None
    organisation: int | None  # index into the reporting organisations
    days: list[dt.date]
    values: np.ndarray[Any, Any]

    def points(self) -> list[tuple[dt.date, float]]:
        return list(zip(self.days, self.values.tolist(), strict=True))


class IndicatorPlan(NamedTuple):
    """One indicator: its fields, objective index, plan points and the generated series."""

    fields: dict[str, Any]
    objective: int
    targets: list[tuple[str | None, dt.date, float]]  # (region code or None, date, value)
    series: list[Series]


def plan_objectives(
    rng: np.random.Generator, indicators: int, sectors: Sequence[tuple[str, str, str]]
) -> list[dict[str, Any]]:
    """About one objective per 25 indicators, titled after the sectors."""
    count = max(1, math.ceil(indicators / 25)) if indicators else 0
    order = rng.permutation(len(sectors) * len(OBJECTIVE_FORMS)).tolist()
    objectives = []
    for i in range(count):
        slot = order[i % len(order)]
        sector = sectors[slot % len(sectors)]
        form = OBJECTIVE_FORMS[slot // len(sectors)]
        title_en, title_ru = form[0].format(s=sector[1]), form[1].format(s=sector[2] or sector[1])
        if i >= len(order):
            title_en, title_ru = f"{title_en} ({i // len(order) + 1})", f"{title_ru} ({i // len(order) + 1})"
        objectives.append(
            {
                "code": f"OBJ-{i + 1:03d}",
                "title_en": title_en,
                "title_ru": title_ru,
                "programme": PROGRAMME[0],
                "programme_ru": PROGRAMME[1],
            }
        )
    return objectives


def plan_indicators(
    rng: np.random.Generator,
    total_indicators: int,
    total_measurements: int,
    objectives: int,
    regions: Sequence[RegionInfo],
    reporters: int,
    until: dt.date,
) -> list[IndicatorPlan]:
    """Indicators with a baseline, a target and values following a trend with noise: some ahead of their plan,
    some behind, so the ratings come out mixed. ``reporters`` organisations (indices 0…) may report too."""
    plans: list[IndicatorPlan] = []
    per_indicator = split_evenly(total_measurements, total_indicators)
    layouts = [series_layout(m, len(regions), reporters) for m in per_indicator]
    periods = max((layout.periods for layout in layouts), default=PERIODS)
    # One quarter more than any series needs: late series stop a quarter early.
    grid = quarter_ends(until, periods + 1)
    grid_days = np.array([(d - grid[0]).days for d in grid], dtype=np.float64)
    baseline_date = quarter_ends(grid[0], 2)[0]
    region_order = np.argsort(-rng.lognormal(0.0, 1.0, len(regions))) if len(regions) else np.zeros(0, dtype=np.int64)
    used_names: dict[tuple[int, int, int], int] = {}
    for i in range(total_indicators):
        family_i = int(rng.choice(len(FAMILIES), p=FAMILY_WEIGHTS))
        family = FAMILIES[family_i]
        pool = INDICATOR_SUBJECTS if family.subjects == "subjects" else [(t[0], t[1]) for t in TASKS]
        subject_i = int(rng.integers(len(pool)))
        target_year = until.year + int(rng.integers(2, 7))
        key = (family_i, subject_i, target_year)
        used_names[key] = used_names.get(key, 0) + 1
        name_en = f"{family.name_en.format(s=pool[subject_i][0])} by {target_year}"
        name_ru = f"{family.name_ru.format(s=pool[subject_i][1])} к {target_year} году"
        if used_names[key] > 1:
            name_en, name_ru = f"{name_en} ({used_names[key]})", f"{name_ru} ({used_names[key]})"
        # Baseline and target, in the family's unit.
        if family.unit == "percent" and family.direction == "increase":
            baseline = float(rng.uniform(3, 35))
            target = min(99.0, baseline + float(rng.uniform(25, 60)))
        elif family.unit == "percent":
            baseline = float(rng.uniform(40, 90))
            target = baseline * float(rng.uniform(0.2, 0.6))
        elif family.unit == "days":
            baseline = float(rng.uniform(10, 60))
            target = baseline * float(rng.uniform(0.3, 0.7))
        else:
            baseline = float(np.round(rng.lognormal(8.0, 1.0)))
            target = float(np.round(baseline * rng.uniform(2.0, 5.0)))
        target_date = dt.date(target_year, 12, 31)
        span = float((target_date - baseline_date).days)
        offset = float((grid[0] - baseline_date).days)
        # How well the indicator delivers: 1.0 on plan; regions scatter around it.
        performance = float(rng.normal(0.9, 0.25))
        layout = layouts[i]
        n_series = layout.regions + layout.organisations
        region_pick = region_order[: layout.regions].tolist()
        org_pick = rng.permutation(reporters)[: layout.organisations].tolist() if reporters else []
        perf = performance + rng.normal(0.0, 0.15, n_series)
        level = rng.lognormal(0.0, 0.12, n_series)
        shares = rng.lognormal(0.0, 0.8, n_series)
        shares = shares / shares[: max(layout.regions, 1)].sum()
        noise = rng.normal(0.0, 1.0, (n_series, len(grid)))
        late = rng.random(n_series) < 0.04
        elapsed = (grid_days + offset)[None, :]
        change = target - baseline
        if family.aggregation == Aggregation.SUM:
            national = baseline + perf[:, None] * change * elapsed / span
            values = shares[:, None] * national * (1.0 + 0.06 * noise)
        else:
            values = level[:, None] * baseline + perf[:, None] * change * elapsed / span + 0.05 * abs(change) * noise
        if family.unit == "percent":
            values = np.clip(values, 0.0, 100.0)
        elif family.unit == "days":
            values = np.maximum(values, 0.5)
        else:
            values = np.maximum(np.round(values), 0.0)
        values = np.round(values, 2)
        series: list[Series] = []
        for s, count in enumerate(layout.counts):
            stop = len(grid) - (1 if late[s] and count < len(grid) else 0)
            days, cells = grid[stop - count : stop], values[s, stop - count : stop].copy()
            if s < layout.regions:
                series.append(Series(regions[region_pick[s]].code, None, days, cells))
            else:
                series.append(Series(None, int(org_pick[s - layout.regions]), days, cells))
        targets: list[tuple[str | None, dt.date, float]] = [(None, target_date, round(target, 2))]
        if family.aggregation == Aggregation.MEAN and layout.regions:
            # A few regions have their own plans (more ambitious ones for the bigger regions).
            for s in range(min(3, layout.regions)):
                code = regions[region_pick[s]].code
                own = round(baseline * float(level[s]), 2)
                targets += [(code, baseline_date, own), (code, target_date, round(own + change * 1.1, 2))]
        plans.append(
            IndicatorPlan(
                fields={
                    "code": f"IND-{i + 1:04d}",
                    "name_en": name_en,
                    "name_ru": name_ru,
                    "unit": family.unit,
                    "unit_ru": family.unit_ru,
                    "direction": family.direction,
                    "baseline_value": round(baseline, 2),
                    "baseline_date": baseline_date,
                    "shape": "linear",
                    "frequency": "quarterly",
                    "aggregation": family.aggregation,
                    "region_country": "RU" if layout.regions else "",
                    "source": SOURCE,
                },
                objective=i % max(objectives, 1),
                targets=targets,
                series=series,
            )
        )
    return plans


# --- writing -------------------------------------------------------------------------------------------------


class RegistryNotEmpty(Exception):
    """The database already holds a registry; generated data would mix with it."""


def registry_is_empty() -> bool:
    """No organisations, use cases or indicators yet (regions, sectors and users may exist)."""
    return not (UseCase.objects.exists() or Organisation.objects.exists() or Indicator.objects.exists())


def _nothing() -> dict[str, Any] | None:
    return None


@dataclass
class _Event:
    """An audit event to append later, in time order; its snapshots are taken when it is written."""

    when: dt.datetime
    instance: models.Model
    action: str
    after: Callable[[], dict[str, Any]]
    before: Callable[[], dict[str, Any] | None] = _nothing


@dataclass
class _Run:
    options: ScaleOptions
    progress: ProgressFactory
    rng: np.random.Generator
    counts: dict[str, int] = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)
    events: list[_Event] = field(default_factory=list)
    #: the organisations that may report an indicator's values (ministries and agencies), by plan index
    reporters: list[Organisation] = field(default_factory=list)

    @contextlib.contextmanager
    def phase(self, name: str) -> Iterator[None]:
        started = time.perf_counter()
        yield
        self.seconds[name] = round(time.perf_counter() - started, 2)


def _insert_instances(objects: Sequence[models.Model], batch: int, advance: Advance | None = None) -> None:
    """INSERT model instances as they are (their own created_at/updated_at kept) and give them their ids."""
    if not objects:
        return
    model = type(objects[0])
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    names = [f.name for f in fields]
    attnames = [f.attname for f in fields]
    for start in range(0, len(objects), batch):
        part = objects[start : start + batch]
        ids = insert_returning_ids(model, names, [[getattr(obj, a) for a in attnames] for obj in part])
        for obj, pk in zip(part, ids, strict=True):
            obj.pk = pk
            obj._state.adding = False
        if advance:
            advance(len(part))


def _snap(instance: models.Model, **extra: Any) -> Callable[[], dict[str, Any]]:
    return lambda: snapshot(instance, with_m2m=False) | extra


def generate(*, actor: Any, options: ScaleOptions, progress: ProgressFactory = no_progress) -> dict[str, Any]:
    """Write the synthetic data set in one transaction.

    Returns ``counts`` (rows per table), ``seconds`` (per phase and in total) and ``accounts`` (username, role,
    organisation code). Raises ``RegistryNotEmpty`` when there are organisations, use cases or indicators already.
    """
    started = time.perf_counter()
    run = _Run(options, progress, np.random.default_rng(options.seed))
    with transaction.atomic():
        if not registry_is_empty():
            raise RegistryNotEmpty(
                _(
                    "The database already has organisations, use cases or indicators; generate_scale only fills "
                    "an empty registry (use a new database)."
                )
            )
        with run.phase("reference"):
            load_regions(actor=actor, country="RU")
            load_sectors(actor=actor, only_missing=True)
        regions = [
            RegionInfo(*row)
            for row in Region.objects.filter(country="RU").order_by("code").values_list("code", "name_en", "name_ru")
        ]
        sectors = list(Sector.objects.order_by("code").values_list("code", "name_en", "name_ru"))
        # The history starts eight years back, or earlier if the measurements do.
        start = min(dt.date(options.until.year - 8, 1, 1), quarter_ends(options.until, PERIODS + 2)[0])
        with run.phase("organisations"):
            orgs = _write_organisations(run, regions, start)
        with run.phase("users"):
            accounts, editors = _write_users(run, [org for org, _spec in orgs], start)
        with run.phase("use_cases"):
            use_cases = _write_use_cases(run, orgs, sectors, regions, start)
        with run.phase("indicators"):
            indicators = _write_indicators(run, [org for org, _spec in orgs], sectors, regions, start)
        with run.phase("measurements"):
            _write_measurements(run, indicators, editors)
        with run.phase("contributions_and_risks"):
            _write_contributions_and_risks(run, use_cases, [i for i, _plan in indicators], editors)
        with run.phase("audit"):
            _write_events(run)
        with run.phase("rollups"):
            run.counts["national_values"] = refresh_national_values([i.pk for i, _plan in indicators])
    with run.phase("analyze"):
        analyze([UseCase, Organisation, Measurement, Indicator, Target, Risk, Contribution, User, NationalValue])
    run.seconds["total"] = round(time.perf_counter() - started, 2)
    return {"counts": run.counts, "seconds": run.seconds, "accounts": accounts}


def _write_organisations(run: _Run, regions: list[RegionInfo], start: dt.date) -> list[tuple[Organisation, OrgSpec]]:
    plan = plan_organisations(run.rng, run.options.organisations, regions)
    region_ids = dict(Region.objects.filter(country="RU").values_list("code", "id"))
    offsets = run.rng.integers(0, 30 * 86400, size=len(plan))
    objects = []
    for index, spec in enumerate(plan):
        # Organisations under another are registered a month after the top level.
        when = _moment(start, int(offsets[index]) + (31 * 86400 if spec.parent is not None else 0))
        objects.append(
            Organisation(
                code=spec.code,
                name_en=spec.name_en,
                name_ru=spec.name_ru,
                kind=spec.kind,
                region_id=region_ids.get(spec.region) if spec.region else None,
                created_at=when,
                updated_at=when,
            )
        )
    top = [org for org, spec in zip(objects, plan, strict=True) if spec.parent is None]
    below = [org for org, spec in zip(objects, plan, strict=True) if spec.parent is not None]
    with run.progress(_("Organisations"), len(plan)) as advance:
        # The top level first, so that every parent has its id when its children are written.
        _insert_instances(top, run.options.batch_size, advance)
        for org, spec in zip(objects, plan, strict=True):
            if spec.parent is not None:
                org.parent = objects[spec.parent]
        _insert_instances(below, run.options.batch_size, advance)
    for org in objects:
        run.events.append(_Event(org.created_at, org, "create", _snap(org)))
    run.counts["organisations"] = len(objects)
    return list(zip(objects, plan, strict=True))


def _write_users(
    run: _Run, orgs: list[Organisation], start: dt.date
) -> tuple[list[dict[str, str | None]], dict[int, User]]:
    """An HQ admin, an auditor, a viewer of the first ministry, and an editor and a coordinator of every public
    body (numbered in organisation code order). Returns the accounts and each organisation's editor by its id."""
    password = make_password(SCALE_PASSWORD)  # hashed once: every account shares the one hash
    bodies = sorted((o for o in orgs if o.kind in PUBLIC_BODIES), key=lambda o: o.code)
    ministry = next((o for o in orgs if o.kind == OrganisationKind.MINISTRY), None)
    when = _moment(start, 0) + dt.timedelta(days=45)
    people: list[tuple[User, str, Organisation | None]] = [
        (_user("scale-admin", password, when), Role.HQ_ADMIN, None),
        (_user("scale-auditor", password, when), Role.AUDITOR, None),
    ]
    if ministry is not None:
        people.append((_user("scale-viewer", password, when), Role.VIEWER, ministry))
    for number, org in enumerate(bodies, start=1):
        joined = when + dt.timedelta(minutes=number)
        people.append((_user(f"scale-editor-{number:04d}", password, joined), Role.EDITOR, org))
        people.append((_user(f"scale-coordinator-{number:04d}", password, joined), Role.COORDINATOR, org))
    memberships = [
        Membership(user=user, role=role, organisation=org, created_at=user.date_joined, updated_at=user.date_joined)
        for user, role, org in people
    ]
    with run.progress(_("Accounts"), 2 * len(people)) as advance:
        _insert_instances([user for user, _role, _org in people], run.options.batch_size, advance)
        for membership, (user, _role, _org) in zip(memberships, people, strict=True):
            membership.user = user  # now with its id
        _insert_instances(memberships, run.options.batch_size, advance)
    for (user, _role, _org), membership in zip(people, memberships, strict=True):
        run.events.append(_Event(user.date_joined, user, "create", _snap(user)))
        run.events.append(_Event(membership.created_at, membership, "create", _snap(membership)))
    run.counts["users"] = len(people)
    run.counts["memberships"] = len(memberships)
    accounts: list[dict[str, str | None]] = [
        {"username": user.username, "role": role, "organisation": org.code if org else None}
        for user, role, org in people
    ]
    editors = {org.pk: user for user, role, org in people if role == Role.EDITOR and org is not None}
    return accounts, editors


def _user(username: str, password: str, joined: dt.datetime) -> User:
    return User(
        username=username,
        password=password,
        email=f"{username}@scale.invalid",
        is_demo=True,  # a published password: such accounts cannot sign in in production
        date_joined=joined,
    )


def _write_use_cases(
    run: _Run,
    orgs: list[tuple[Organisation, OrgSpec]],
    sectors: list[tuple[str, str, str]],
    regions: list[RegionInfo],
    start: dt.date,
) -> list[tuple[UseCase, bool]]:
    """The use cases and their sector and region links; returns each with whether its text is Russian."""
    plans = plan_use_cases(
        run.rng,
        run.options.use_cases,
        [spec for _org, spec in orgs],
        [code for code, _en, _ru in sectors],
        regions,
        start,
        run.options.until,
    )
    sector_ids = dict(Sector.objects.values_list("code", "id"))
    region_ids = dict(Region.objects.filter(country="RU").values_list("code", "id"))
    written: list[tuple[UseCase, bool]] = []
    batch = run.options.batch_size
    with run.progress(_("Use cases"), len(plans)) as advance:
        for first in range(0, len(plans), batch):
            part = plans[first : first + batch]
            objects = [UseCase(organisation=orgs[p.organisation][0], **p.fields) for p in part]
            _insert_instances(objects, batch)
            links = [(uc, p, sorted(sector_ids[c] for c in p.sectors), sorted(region_ids[c] for c in p.regions))
                     for uc, p in zip(objects, part, strict=True)]  # fmt: skip
            copy_rows(
                UseCase.sectors.through, ("usecase", "sector"), [(uc.pk, s) for uc, _p, ss, _r in links for s in ss]
            )
            copy_rows(
                UseCase.regions.through, ("usecase", "region"), [(uc.pk, r) for uc, _p, _s, rs in links for r in rs]
            )
            for uc, p, sector_list, region_list in links:
                relations = {"sectors": sector_list, "regions": region_list}
                final = _snap(uc, **relations)
                if p.updated is None:
                    run.events.append(_Event(p.created, uc, "create", final))
                else:
                    initial = _initial_state(uc, p, relations)
                    run.events.append(_Event(p.created, uc, "create", initial))
                    run.events.append(_Event(p.updated, uc, "update", final, initial))
                written.append((uc, p.russian))
            advance(len(part))
    run.counts["use_cases"] = len(written)
    run.counts["use_case_sectors"] = sum(len(p.sectors) for p in plans)
    run.counts["use_case_regions"] = sum(len(p.regions) for p in plans)
    return written


def _initial_state(uc: UseCase, plan: UseCasePlan, relations: dict[str, list[int]]) -> Callable[[], dict[str, Any]]:
    """The use case as first recorded: the stage before its move, no deployment or retirement date yet."""

    def state() -> dict[str, Any]:
        data = snapshot(uc, with_m2m=False) | relations
        data |= {"stage": plan.previous_stage, "version": 1, "updated_at": data["created_at"]}
        if plan.previous_stage in (Stage.PLANNED, Stage.DEVELOPMENT, Stage.PILOT):
            data["date_deployed"] = None
        if plan.previous_stage != Stage.RETIRED:
            data["date_retired"] = None
        return data

    return state


def _write_indicators(
    run: _Run,
    orgs: list[Organisation],
    sectors: list[tuple[str, str, str]],
    regions: list[RegionInfo],
    start: dt.date,
) -> list[tuple[Indicator, IndicatorPlan]]:
    """Objectives (owned by the ministries), indicators, their targets and reporting organisations."""
    options = run.options
    ministries = [o for o in orgs if o.kind == OrganisationKind.MINISTRY]
    reporters = [o for o in orgs if o.kind in (OrganisationKind.MINISTRY, OrganisationKind.AGENCY)]
    objective_rows = plan_objectives(run.rng, options.indicators, sectors)
    plans = plan_indicators(
        run.rng, options.indicators, options.measurements, len(objective_rows), regions, len(reporters), options.until
    )
    region_ids = dict(Region.objects.filter(country="RU").values_list("code", "id"))
    when = _moment(start, 0) + dt.timedelta(days=50)
    objectives = [
        Objective(
            owner=ministries[i % len(ministries)] if ministries else None, created_at=when, updated_at=when, **row
        )
        for i, row in enumerate(objective_rows)
    ]
    _insert_instances(objectives, options.batch_size)
    indicators = []
    for plan in plans:
        objective = objectives[plan.objective]
        indicators.append(
            Indicator(objective=objective, owner=objective.owner, created_at=when, updated_at=when, **plan.fields)
        )
    _insert_instances(indicators, options.batch_size)
    targets = [
        Target(indicator=indicator, region_id=region_ids[code] if code else None, date=day, value=value,
               created_at=when, updated_at=when)
        for indicator, plan in zip(indicators, plans, strict=True)
        for code, day, value in plan.targets
    ]  # fmt: skip
    _insert_instances(targets, options.batch_size)
    reporting_of: dict[int, list[int]] = {}
    for indicator, plan in zip(indicators, plans, strict=True):
        for one in plan.series:
            if one.organisation is not None:
                reporting_of.setdefault(indicator.pk, []).append(reporters[one.organisation].pk)
    reporting = [(pk, org) for pk, orgs_of in reporting_of.items() for org in orgs_of]
    insert_rows(Indicator.reporting_organisations.through, ("indicator", "organisation"), reporting)
    for objective in objectives:
        run.events.append(_Event(when, objective, "create", _snap(objective)))
    for indicator in indicators:
        extra = {"reporting_organisations": sorted(reporting_of.get(indicator.pk, []))}
        run.events.append(_Event(when, indicator, "create", _snap(indicator, **extra)))
    for target in targets:
        run.events.append(_Event(when, target, "create", _snap(target)))
    run.counts |= {
        "objectives": len(objectives),
        "indicators": len(indicators),
        "targets": len(targets),
        "indicator_reporting_organisations": len(reporting),
    }
    run.reporters = reporters
    return list(zip(indicators, plans, strict=True))


def _write_measurements(run: _Run, indicators: list[tuple[Indicator, IndicatorPlan]], editors: dict[int, User]) -> None:
    """Every series' values, regions' and organisations' (these reported by the organisation's editor)."""
    columns = ("indicator", "period_end", "value", "region", "organisation", "weight", "source", "note",
               "is_illustrative", "reported_by", "created_at", "updated_at")  # fmt: skip
    region_ids = dict(Region.objects.filter(country="RU").values_list("code", "id"))
    # Values are reported three to eight weeks after the quarter ends (one time per period, reused), and never
    # later than now: the last quarter may have ended only days ago.
    reported_at: dict[dt.date, dt.datetime] = {}
    now = timezone.now()
    rows: list[tuple[Any, ...]] = []
    written = 0
    with run.progress(_("Measurements"), run.options.measurements) as advance:
        for indicator, plan in indicators:
            for one in plan.series:
                region_id = region_ids[one.region] if one.region else None
                org = run.reporters[one.organisation] if one.organisation is not None else None
                org_id = org.pk if org is not None else None
                editor = editors.get(org.pk) if org is not None else None
                editor_id = editor.pk if editor is not None else None
                for day, value in zip(one.days, one.values.tolist(), strict=True):
                    at = reported_at.get(day)
                    if at is None:
                        lag = dt.timedelta(days=21 + 3 * (day.month % 12))
                        at = reported_at[day] = min(_moment(day + lag, 3600), now)
                    rows.append(
                        (indicator.pk, day, value, region_id, org_id, None, SOURCE, "", True, editor_id, at, at)
                    )
                if len(rows) >= run.options.batch_size:  # per series: an indicator may have a million values
                    written += copy_rows(Measurement, columns, rows)
                    advance(len(rows))
                    rows = []
        written += copy_rows(Measurement, columns, rows)
        advance(len(rows))
    run.counts["measurements"] = written


def _write_contributions_and_risks(
    run: _Run, use_cases: list[tuple[UseCase, bool]], indicators: list[Indicator], editors: dict[int, User]
) -> None:
    """One use case in ten in pilot or production contributes to an indicator; use cases in production have
    0–3 risks, rated before and after mitigation and owned by the organisation's editor."""
    rng = run.rng
    active = [uc for uc, _ru in use_cases if uc.stage in (Stage.PILOT, Stage.PRODUCTION)]
    contributions: list[Contribution] = []
    if indicators:
        linked = rng.random(len(active)) < 0.1
        picks = rng.integers(len(indicators), size=len(active))
        contributions = [
            Contribution(use_case=uc, indicator=indicators[pick], created_at=uc.updated_at, updated_at=uc.updated_at)
            for uc, link, pick in zip(active, linked.tolist(), picks.tolist(), strict=True)
            if link
        ]
    production = [(uc, ru) for uc, ru in use_cases if uc.stage == Stage.PRODUCTION]
    risk_counts = np.minimum(rng.poisson(1.2, len(production)), 3).tolist()
    risks: list[Risk] = []
    for (uc, ru), count in zip(production, risk_counts, strict=True):
        lang = 1 if ru else 0
        editor = editors.get(uc.organisation_id)
        for pick in rng.permutation(len(RISKS))[:count].tolist():
            likelihood, severity = (int(v) for v in rng.integers(1, 6, size=2))
            risks.append(
                Risk(
                    use_case=uc,
                    title=RISKS[pick][lang],
                    category=RISKS[pick][2],
                    likelihood=likelihood,
                    severity=severity,
                    mitigations=MITIGATIONS[int(rng.integers(len(MITIGATIONS)))][lang],
                    residual_likelihood=max(1, likelihood - int(rng.integers(0, 3))),
                    residual_severity=severity,
                    owner=editor,
                    status=RISK_STATUSES[int(rng.choice(len(RISK_STATUSES), p=RISK_STATUS_WEIGHTS))],
                    created_at=uc.updated_at,
                    updated_at=uc.updated_at,
                )
            )
    with run.progress(_("Risks and contributions"), len(contributions) + len(risks)) as advance:
        _insert_instances(contributions, run.options.batch_size, advance)
        _insert_instances(risks, run.options.batch_size, advance)
    for obj in [*contributions, *risks]:
        run.events.append(_Event(obj.created_at, obj, "create", _snap(obj)))
    run.counts["contributions"] = len(contributions)
    run.counts["risks"] = len(risks)


def _write_events(run: _Run) -> None:
    """The history in time order through the audit recorder: hash-chained, each event at its own time."""
    order = sorted(range(len(run.events)), key=lambda i: (run.events[i].when, i))
    batch = run.options.batch_size
    written = 0
    with run.progress(_("Audit history"), len(order)) as advance:
        for first in range(0, len(order), batch):
            changes = [
                Change(e.instance, e.action, e.before(), e.after(), timestamp=e.when)
                for e in (run.events[i] for i in order[first : first + batch])
            ]
            written += append_many(changes)
            advance(len(changes))
    run.counts["audit_events"] = written
    run.events = []
