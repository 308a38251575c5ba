"""What each kind of event says, in the active language: a title, a few lines of text and a link.

Payloads are plain JSON written when the event happens; names come in both languages (``name_en``/``name_ru``)
so each recipient reads them in theirs.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from django.urls import reverse
from django.utils import formats
from django.utils.dateparse import parse_date
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _

from aihq.evaluation.models import GateDecision
from aihq.notifications.kinds import Kind
from aihq.objectives.models import RagRating
from aihq.registry.models import Stage
from aihq.regulation.models import IncidentSeverity, RequirementState

Payload = Mapping[str, Any]


@dataclass(frozen=True)
class Message:
    title: str
    body: str
    url: str


def name(item: Mapping[str, Any] | None, field: str = "name") -> str:
    """An object's name from a payload, in the active language, falling back to the other one and the code."""
    if not item:
        return ""
    russian = (get_language() or "en").startswith("ru")
    first, second = (f"{field}_ru", f"{field}_en") if russian else (f"{field}_en", f"{field}_ru")
    return str(item.get(first) or item.get(second) or item.get("code") or "")


def day(value: str | None) -> str:
    """An ISO date from a payload, written the reader's way."""
    parsed = parse_date(value) if value else None
    return formats.date_format(parsed, "DATE_FORMAT") if parsed else _("no date")


def _url(name_: str, *args: Any) -> str:
    return reverse(name_, args=args)


def _when(p: Payload) -> str:
    """How the report stands as the message is sent: due in n days, due today, n days overdue."""
    days = int(p.get("late", p["days"]))
    if days < 0:
        return ngettext("due in %(n)d day", "due in %(n)d days", -days) % {"n": -days}
    if days == 0:
        return _("due today")
    return ngettext("%(n)d day overdue", "%(n)d days overdue", days) % {"n": days}


def _reminder(p: Payload) -> Message:
    cycle, period = name(p["cycle"]), day(p["period_end"])
    if "organisations" in p:  # the HQ's escalation: every organisation still owing, in one message
        count = int(p["organisation_count"])
        title = ngettext(
            "%(cycle)s for %(period)s: %(count)d organisation %(when)s",
            "%(cycle)s for %(period)s: %(count)d organisations %(when)s",
            count,
        ) % {"cycle": cycle, "period": period, "count": count, "when": _when(p)}
        owing = ", ".join(f"{name(o)} ({o['reported']}/{o['expected']})" for o in p["organisations"])
        more = count - len(p["organisations"])
        lines = [
            _("Due %(due)s and not reported yet: %(organisations)s.")
            % {"due": day(p["due_date"]), "organisations": owing},
        ]
        if more > 0:
            lines.append(ngettext("And %(n)d more organisation.", "And %(n)d more organisations.", more) % {"n": more})
        lines.append(_("You receive this escalation as %(role)s.") % {"role": _("the headquarters")})
        return Message(title, "\n".join(lines), _url("cycle-detail", p["cycle"]["id"]))
    organisation = name(p["organisation"])
    title = _("%(cycle)s for %(period)s: %(when)s — %(organisation)s") % {
        "cycle": cycle,
        "period": period,
        "when": _when(p),
        "organisation": organisation,
    }
    lines = [
        _("%(organisation)s reports %(cycle)s for the period ending %(period)s by %(due)s.")
        % {"organisation": organisation, "cycle": cycle, "period": period, "due": day(p["due_date"])}
    ]
    if p.get("missing"):
        lines.append(_("Still missing: %(items)s.") % {"items": ", ".join(name(m) for m in p["missing"])})
    if p.get("to") in ("coordinators", "hq"):
        role = _("the organisation's coordinator") if p["to"] == "coordinators" else _("the headquarters")
        lines.append(_("You receive this escalation as %(role)s.") % {"role": role})
    return Message(title, "\n".join(lines), _url("task-list"))


def _incident(p: Payload) -> Message:
    title = _("Serious incident: %(title)s — %(use_case)s") % {"title": p["title"], "use_case": p["use_case"]["name"]}
    lines = [
        _("Severity: %(severity)s. Detected on %(detected)s.")
        % {
            "severity": IncidentSeverity(p["severity"]).label,
            "detected": day(p["detected_on"]),
        }
    ]
    if p.get("deadline"):
        lines.append(
            _("Report it to the authority by %(deadline)s (%(rule)s).")
            % {"deadline": day(p["deadline"]), "rule": p.get("rule", "")}
        )
    return Message(title, "\n".join(lines), _url("incident-detail", p["id"]))


def _requirement(p: Payload) -> Message:
    title = _("Requirement overdue: %(requirement)s — %(use_case)s") % {
        "requirement": " ".join(part for part in (p.get("cite"), name(p, "title")) if part),
        "use_case": p["use_case"]["name"],
    }
    body = _("It was due on %(due)s and is still %(status)s.") % {
        "due": day(p["due_date"]),
        "status": RequirementState(p["status"]).label,
    }
    return Message(title, body, _url("requirement-detail", p["id"]))


def _move(p: Payload) -> str:
    if p.get("regions"):
        return _("scale to %(regions)s") % {"regions": ", ".join(p["regions"])}
    return f"{Stage(p['from_stage']).label} → {Stage(p['to_stage']).label}"


def _review_requested(p: Payload) -> Message:
    title = _("Review requested: %(use_case)s, %(move)s") % {"use_case": p["use_case"]["name"], "move": _move(p)}
    body = _("%(who)s asks for a stage-gate decision.") % {"who": p.get("requested_by") or _("Someone")}
    return Message(title, body, _url("usecase-evaluation", p["use_case"]["id"]))


def _decision(p: Payload) -> Message:
    title = _("Decision: %(decision)s — %(use_case)s, %(move)s") % {
        "decision": GateDecision(p["decision"]).label,
        "use_case": p["use_case"]["name"],
        "move": _move(p),
    }
    lines = [_("Decided by %(who)s.") % {"who": p.get("decided_by") or _("a reviewer")}]
    if p.get("rationale"):
        lines.append(p["rationale"])
    for condition in p.get("conditions", []):
        lines.append(
            _("Condition: %(text)s, due %(due)s.") % {"text": condition["text"], "due": day(condition["due_date"])}
        )
    return Message(title, "\n".join(lines), _url("usecase-evaluation", p["use_case"]["id"]))


def _condition(p: Payload) -> Message:
    title = _("Condition overdue: %(text)s — %(use_case)s") % {"text": p["text"], "use_case": p["use_case"]["name"]}
    body = _("It was due on %(due)s and is not marked met.") % {"due": day(p["due_date"])}
    return Message(title, body, _url("usecase-evaluation", p["use_case"]["id"]))


def _rag_label(value: str) -> str:
    return str(RagRating(value).label) if value in RagRating.values else _("without enough data")


def _rag(p: Payload) -> Message:
    title = _("Indicator turned red: %(indicator)s") % {"indicator": name(p["indicator"])}
    lines = [_("Rated red nationally on %(date)s.") % {"date": day(p["date"])}]
    if p.get("previous"):
        lines.append(_("It was %(previous)s before.") % {"previous": _rag_label(p["previous"])})
    return Message(title, "\n".join(lines), _url("indicator-detail", p["indicator"]["id"]))


def _duplicate(p: Payload) -> Message:
    other = name(p["other_organisation"])
    title = _("Possible duplicate: %(use_case)s and a use case of %(organisation)s") % {
        "use_case": p["use_case"]["name"],
        "organisation": other,
    }
    body = _(
        "%(organisation)s has a use case similar to yours (similarity %(score)s). The duplicate review decides "
        "whether to share, reuse or merge."
    ) % {"organisation": other, "score": formats.number_format(p["score"], 2)}
    return Message(title, body, _url("coordination"))


RENDERERS: dict[str, Callable[[Payload], Message]] = {
    Kind.REMINDER: _reminder,
    Kind.ESCALATION: _reminder,
    Kind.INCIDENT_SERIOUS: _incident,
    Kind.REQUIREMENT_OVERDUE: _requirement,
    Kind.GATE_REVIEW_REQUESTED: _review_requested,
    Kind.GATE_DECISION: _decision,
    Kind.GATE_CONDITION_OVERDUE: _condition,
    Kind.RAG_RED: _rag,
    Kind.DUPLICATE_PAIR: _duplicate,
}


def render(kind: str, payload: Payload) -> Message:
    return RENDERERS[kind](payload)
