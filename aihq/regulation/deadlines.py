"""Incident reporting deadlines a framework sets, computed from the incident and the use case's tier.

The rules are data in the framework file (``incident_reporting``); this module only applies them. For the
EU AI Act (Art. 73): a serious incident (Art. 3(49)) of a high-risk system is reported no later than 15
days after awareness, 2 days for a widespread infringement or a serious and irreversible disruption of
critical infrastructure, 10 days in case of death. When several rules apply, the earliest deadline wins.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Deadline:
    framework_code: str
    rule_id: str
    cite: str
    days: int
    due: dt.date
    reported: bool
    overdue: bool  # not reported and past due
    late: bool  # reported after the due date
    label_en: str
    label_ru: str

    def as_dict(self) -> dict[str, Any]:
        return {
            "framework": self.framework_code,
            "rule": self.rule_id,
            "cite": self.cite,
            "days": self.days,
            "due": self.due.isoformat(),
            "reported": self.reported,
            "overdue": self.overdue,
            "late": self.late,
        }


def _rule_applies(rule: Mapping[str, Any], *, tier: str, harms: set[str], widespread: bool, severity: str) -> bool:
    if rule.get("tiers") and tier not in rule["tiers"]:
        return False
    if severity in rule.get("exclude_severity", ()):
        return False
    serious = set(rule.get("serious_harms", ()))
    if serious and not (harms & serious or (widespread and rule.get("widespread_counts", False))):
        return False
    triggers = set(rule.get("harms", ()))
    if not triggers and not rule.get("widespread"):
        return True
    return bool(harms & triggers) or (widespread and bool(rule.get("widespread")))


def reporting_deadline(
    rules_by_framework: Mapping[str, tuple[str, Iterable[Mapping[str, Any]]]],
    *,
    harms: Iterable[str],
    widespread: bool,
    severity: str,
    detected_on: dt.date,
    reported_on: dt.date | None,
    today: dt.date,
) -> Deadline | None:
    """The earliest reporting deadline any framework sets for this incident, or None.

    ``rules_by_framework`` maps a framework code to (the use case's tier under it, the framework's
    ``incident_reporting`` rules).
    """
    harm_set = set(harms)
    best: Deadline | None = None
    for code, (tier, rules) in rules_by_framework.items():
        for rule in rules:
            if not _rule_applies(rule, tier=tier, harms=harm_set, widespread=widespread, severity=severity):
                continue
            try:
                due = detected_on + dt.timedelta(days=int(rule["days"]))
            except OverflowError:  # a date at the end of the calendar: no meaningful deadline
                continue
            if best is not None and due >= best.due:
                continue
            best = Deadline(
                framework_code=code,
                rule_id=str(rule["id"]),
                cite=str(rule.get("cite", "")),
                days=int(rule["days"]),
                due=due,
                reported=reported_on is not None,
                overdue=reported_on is None and today > due,
                late=reported_on is not None and reported_on > due,
                label_en=str(rule.get("label_en", "")),
                label_ru=str(rule.get("label_ru", "")),
            )
    return best
