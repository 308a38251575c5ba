"""``aihq run_routines``: reminders and escalations, events worth telling, e-mails, digests and webhooks.

Safe to run every few minutes and from several workers: every event has a key and is emitted once, e-mails and
webhook deliveries are claimed before they are sent, and digests are recorded per person and period.
``now`` is a parameter so tests (and a catch-up run) can move the clock.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from aihq.accounts import permissions
from aihq.accounts.models import User
from aihq.coordination.models import PairDecision, SimilarPair
from aihq.evaluation.models import GateCondition, GateDecision, GateReview
from aihq.notifications import mailer
from aihq.notifications.events import People, emit, emitted, language_of
from aihq.notifications.kinds import Kind
from aihq.notifications.models import DigestSent
from aihq.objectives import selectors as objective_selectors
from aihq.objectives.models import Indicator
from aihq.registry.models import Organisation
from aihq.regulation import selectors as regulation_selectors
from aihq.regulation.models import Incident, IncidentSeverity, IncidentStatus, RequirementStatus
from aihq.routines.models import Audience, RagState, ReportingCycle
from aihq.routines.obligations import Obligation, obligations, open_obligations, period_ends

log = logging.getLogger(__name__)

#: Reminders whose day passed more than this long ago (the job did not run) are not sent late.
CATCH_UP = dt.timedelta(days=14)
#: How far back the scanners look for incidents, decisions and pairs.
LOOK_BACK = dt.timedelta(days=30)
SERIOUS = (IncidentSeverity.SERIOUS, IncidentSeverity.VERY_SERIOUS, IncidentSeverity.CRITICAL)


@dataclass
class Summary:
    """What a run did, and the time it runs as (each event it emits happened then)."""

    now: dt.datetime
    counts: dict[str, int] = field(default_factory=dict)

    def add(self, name: str, n: int = 1) -> None:
        self.counts[name] = self.counts.get(name, 0) + n


def _org(org: Any) -> dict[str, Any]:
    return {"id": org.pk, "code": org.code, "name_en": org.name_en, "name_ru": org.name_ru}


def _use_case(use_case: Any) -> dict[str, Any]:
    return {"id": use_case.pk, "name": use_case.name, "organisation": _org(use_case.organisation)}


# --- reminders and escalations ------------------------------------------------------------------------------


def reminder_key(obligation: Obligation, step: dict[str, Any]) -> str:
    o = obligation
    return f"cycle:{o.cycle.pk}:{o.organisation.pk}:{o.period_end.isoformat()}:{step['days']}:{step['to']}"


def hq_key(cycle: ReportingCycle, period_end: dt.date, step: dict[str, Any]) -> str:
    return f"cycle:{cycle.pk}:hq:{period_end.isoformat()}:{step['days']}"


def send_reminders(today: dt.date, people: People, summary: Summary) -> None:
    """Each step of each cycle's schedule whose day has come, for each organisation that has not reported."""
    for cycle in ReportingCycle.objects.filter(active=True).prefetch_related("organisations", "indicators"):
        try:
            _cycle_reminders(cycle, today, people, summary)
        except Exception:  # one broken cycle never stops the others' reminders
            log.exception("reminders of reporting cycle %s failed", cycle.pk)
            summary.add("failed cycles")


def _cycle_reminders(cycle: ReportingCycle, today: dt.date, people: People, summary: Summary) -> None:
    steps = cycle.schedule or []
    if not steps:
        return
    first = min(s["days"] for s in steps)
    last = max(s["days"] for s in steps)
    earliest = max(cycle.created_at.date(), today - CATCH_UP)
    for end in period_ends(cycle, earliest - dt.timedelta(days=last), today - dt.timedelta(days=first)):
        come = [s for s in steps if earliest <= end + dt.timedelta(days=cycle.due_days + s["days"]) <= today]
        # After a gap (the job was not running) only the latest step to each audience goes, not every one missed.
        latest = {s["to"]: s for s in sorted(come, key=lambda s: s["days"])}
        if not latest:
            continue
        owing = [o for o in obligations(cycle, end) if not o.done]
        if not owing:
            continue
        local = [s for s in latest.values() if s["to"] != Audience.HQ]
        keys = {reminder_key(o, s): (o, s) for o in owing for s in local}
        for key in sorted(set(keys) - emitted(keys)):
            _remind(*keys[key], key, today, people, summary)
        hq = latest.get(Audience.HQ)
        if hq and not emitted([hq_key(cycle, end, hq)]):
            _escalate_to_hq(cycle, end, hq, owing, today, people, summary)


def _base_payload(
    cycle: ReportingCycle, obligation: Obligation, step: dict[str, Any], today: dt.date
) -> dict[str, Any]:
    return {
        "cycle": {"id": cycle.pk, "name_en": cycle.name_en, "name_ru": cycle.name_ru, "kind": cycle.kind},
        "period_end": obligation.period_end.isoformat(),
        "due_date": obligation.due_date.isoformat(),
        "days": step["days"],
        "late": (today - obligation.due_date).days,  # as sent: a reminder sent late says how late it really is
        "to": step["to"],
    }


def _remind(
    obligation: Obligation, step: dict[str, Any], key: str, today: dt.date, people: People, summary: Summary
) -> None:
    """A reminder to the organisation's editors, or an escalation to its coordinators (the HQ's when it has
    none anywhere above it)."""
    org = obligation.organisation
    if step["to"] == Audience.EDITORS:
        recipients, kind = people.editors(org.pk), Kind.REMINDER
    else:
        recipients, kind = people.coordinators(org.pk), Kind.ESCALATION
        if not recipients:  # nobody coordinates it, here or above: the HQ hears instead
            recipients, step = people.hq(), {**step, "to": Audience.HQ}
    payload = {
        **_base_payload(obligation.cycle, obligation, step, today),
        "organisation": _org(org),
        "expected": obligation.expected,
        "missing": obligation.missing[:20],
        "missing_count": len(obligation.missing),
    }
    if emit(kind, key, payload=payload, recipients=recipients, organisation=org, occurred_at=summary.now):
        summary.add("reminders" if kind == Kind.REMINDER else "escalations")


def _escalate_to_hq(
    cycle: ReportingCycle,
    end: dt.date,
    step: dict[str, Any],
    owing: list[Obligation],
    today: dt.date,
    people: People,
    summary: Summary,
) -> None:
    """One escalation to the HQ per cycle, period and step, naming every organisation still owing."""
    payload = {
        **_base_payload(cycle, owing[0], step, today),
        "organisations": [{**_org(o.organisation), "reported": o.reported, "expected": o.expected} for o in owing[:50]],
        "organisation_count": len(owing),
    }
    key = hq_key(cycle, end, step)
    if emit(Kind.ESCALATION, key, payload=payload, recipients=people.hq(), occurred_at=summary.now):
        summary.add("escalations")


# --- events the scanners find -------------------------------------------------------------------------------


def _new(candidates: dict[str, Any]) -> Iterator[tuple[str, Any]]:
    done = emitted(candidates)
    for key, item in candidates.items():
        if key not in done:
            yield key, item


def serious_incidents(now: dt.datetime, people: People, summary: Summary) -> None:
    rows = (
        Incident.objects.filter(severity__in=SERIOUS, updated_at__gte=now - LOOK_BACK)
        .exclude(status=IncidentStatus.CLOSED)
        .select_related("use_case__organisation")
    )
    candidates = {f"incident:{i.pk}": i for i in rows}
    fresh = list(_new(candidates))
    deadlines = regulation_selectors.deadlines_for([i for _k, i in fresh], timezone.localdate(now))
    for key, incident in fresh:
        deadline = deadlines.get(incident.pk)
        payload = {
            "id": incident.pk,
            "title": incident.title,
            "severity": incident.severity,
            "detected_on": incident.detected_on.isoformat(),
            "use_case": _use_case(incident.use_case),
            "deadline": deadline.due.isoformat() if deadline else None,
            "rule": deadline.cite if deadline else "",
        }
        org_id = incident.use_case.organisation_id
        recipients = people.responsible(org_id) + people.hq()
        if emit(
            Kind.INCIDENT_SERIOUS,
            key,
            payload=payload,
            recipients=recipients,
            organisation=org_id,
            occurred_at=summary.now,
        ):
            summary.add("incidents")


def overdue_requirements(today: dt.date, people: People, summary: Summary) -> None:
    rows = regulation_selectors.overdue(RequirementStatus.objects.all(), today).filter(due_date__gte=today - LOOK_BACK)
    rows = rows.select_related("use_case__organisation", "owner")
    candidates = {f"requirement:{r.pk}:{r.due_date}": r for r in rows}
    for key, requirement in _new(candidates):
        payload = {
            "id": requirement.pk,
            "cite": requirement.cite,
            "title_en": requirement.title_en,
            "title_ru": requirement.title_ru,
            "framework": requirement.framework_code,
            "status": requirement.status,
            "due_date": str(requirement.due_date),
            "use_case": _use_case(requirement.use_case),
        }
        org_id = requirement.use_case.organisation_id
        owner = [requirement.owner] if requirement.owner else []
        recipients = owner or people.responsible(org_id)
        if emit(
            Kind.REQUIREMENT_OVERDUE,
            key,
            payload=payload,
            recipients=recipients,
            organisation=org_id,
            occurred_at=summary.now,
        ):
            summary.add("requirements")


def _review_payload(review: GateReview) -> dict[str, Any]:
    return {
        "id": review.pk,
        "kind": review.kind,
        "from_stage": review.from_stage,
        "to_stage": review.to_stage,
        "regions": sorted(r.code for r in review.regions.all()),
        "decision": review.decision,
        "rationale": review.rationale,
        "requested_by": review.requested_by.get_full_name() or review.requested_by.username
        if review.requested_by
        else "",
        "decided_by": review.decided_by.get_full_name() or review.decided_by.username if review.decided_by else "",
        "conditions": [{"text": c.text, "due_date": c.due_date.isoformat()} for c in review.conditions.all()],
        "use_case": _use_case(review.use_case),
    }


def gate_reviews(now: dt.datetime, people: People, summary: Summary) -> None:
    """Reviews asked for (to those who decide) and decided (to those who asked and the organisation's people)."""
    rows = (
        GateReview.objects.filter(Q(created_at__gte=now - LOOK_BACK) | Q(decided_at__gte=now - LOOK_BACK))
        .select_related("use_case__organisation", "requested_by", "decided_by")
        .prefetch_related("regions", "conditions")
    )
    asked, decided = {}, {}
    for review in rows:
        if review.decision == GateDecision.PENDING:
            asked[f"gate-review:{review.pk}"] = review
        elif review.decided_at:
            decided[f"gate-decision:{review.pk}:{review.decision}"] = review
    for key, review in _new(asked):
        org_id = review.use_case.organisation_id
        recipients = [u for u in people.coordinators(org_id) + people.hq() if u.pk != review.requested_by_id]
        if emit(
            Kind.GATE_REVIEW_REQUESTED,
            key,
            payload=_review_payload(review),
            recipients=recipients,
            organisation=org_id,
            occurred_at=summary.now,
        ):
            summary.add("reviews requested")
    for key, review in _new(decided):
        org_id = review.use_case.organisation_id
        recipients = people.responsible(org_id) + ([review.requested_by] if review.requested_by else [])
        if emit(
            Kind.GATE_DECISION,
            key,
            payload=_review_payload(review),
            recipients=recipients,
            organisation=org_id,
            occurred_at=summary.now,
        ):
            summary.add("decisions")


def overdue_conditions(today: dt.date, people: People, summary: Summary) -> None:
    rows = GateCondition.objects.filter(
        done_at__isnull=True, due_date__lt=today, due_date__gte=today - LOOK_BACK
    ).select_related("review__use_case__organisation")
    candidates = {f"gate-condition:{c.pk}:{c.due_date.isoformat()}": c for c in rows}
    for key, condition in _new(candidates):
        use_case = condition.review.use_case
        payload = {
            "id": condition.pk,
            "text": condition.text,
            "due_date": condition.due_date.isoformat(),
            "use_case": _use_case(use_case),
        }
        recipients = people.responsible(use_case.organisation_id)
        if emit(
            Kind.GATE_CONDITION_OVERDUE,
            key,
            payload=payload,
            recipients=recipients,
            organisation=use_case.organisation_id,
            occurred_at=summary.now,
        ):
            summary.add("conditions")


def red_indicators(today: dt.date, people: People, summary: Summary) -> None:
    """Indicators whose national rating became red since the routines last looked."""
    indicators = list(Indicator.objects.select_related("objective", "owner", "objective__owner"))
    if not indicators:
        return
    statuses = objective_selectors.national_statuses(indicators, permissions.SystemActor("routines"), today)
    known = {s.indicator_id: s for s in RagState.objects.all()}
    for indicator in indicators:
        rag = statuses[indicator.pk].rag
        state = known.get(indicator.pk)
        previous = state.rag if state else ""
        if state is None:
            RagState.objects.create(indicator=indicator, rag=rag, since=today)
        elif state.rag != rag:
            RagState.objects.filter(pk=state.pk).update(rag=rag, since=today)
        if state is None or rag != "red" or previous == "red":
            continue  # the first look only records where each indicator stands: nothing "turned" red
        responsible = indicator.responsible
        payload = {
            "indicator": {
                "id": indicator.pk,
                "code": indicator.code,
                "name_en": indicator.name_en,
                "name_ru": indicator.name_ru,
            },
            "date": today.isoformat(),
            "previous": previous,
        }
        recipients = (people.coordinators(responsible.pk) if responsible else []) + people.hq()
        key = f"rag-red:{indicator.pk}:{today.isoformat()}"
        if emit(
            Kind.RAG_RED, key, payload=payload, recipients=recipients, organisation=responsible, occurred_at=summary.now
        ):
            summary.add("red indicators")


def duplicate_pairs(now: dt.datetime, people: People, summary: Summary) -> None:
    """New pairs of similar use cases across two organisations: each organisation's coordinators hear of their own
    use case and the other organisation's name — not the other use case, which they may not be allowed to see."""
    rows = SimilarPair.objects.filter(created_at__gte=now - LOOK_BACK).select_related(
        "use_case_a__organisation", "use_case_b__organisation"
    )
    rows = rows.exclude(use_case_a__organisation=F("use_case_b__organisation"))
    decided = set(PairDecision.objects.values_list("use_case_a_id", "use_case_b_id"))
    candidates = {}
    for pair in rows:
        if (pair.use_case_a_id, pair.use_case_b_id) in decided:
            continue
        for own, other in ((pair.use_case_a, pair.use_case_b), (pair.use_case_b, pair.use_case_a)):
            key = f"duplicate:{pair.use_case_a_id}:{pair.use_case_b_id}:{own.organisation_id}"
            candidates[key] = (pair, own, other)
    for key, (pair, own, other) in _new(candidates):
        payload = {
            "use_case": _use_case(own),
            "other_organisation": _org(other.organisation),
            "score": round(pair.score, 3),
        }
        org_id = own.organisation_id
        recipients = people.coordinators(org_id)
        if emit(Kind.DUPLICATE_PAIR, key, payload=payload, recipients=recipients, organisation=org_id,
                occurred_at=summary.now):  # fmt: skip
            summary.add("duplicates")


# --- the weekly digest ----------------------------------------------------------------------------------------


def weekly_digests(now: dt.datetime, summary: Summary) -> None:
    """From Monday's digest hour: to each coordinator and HQ admin, once a week, what is late in what they look
    after. What every organisation owes is worked out once for all of them."""
    local = timezone.localtime(now)
    if local.isoweekday() == 1 and not mailer.digest_due(now):
        return  # from Monday's digest hour; a week whose Monday run was missed still gets it, once
    year, week, _day = local.isocalendar()
    period = f"week:{year}-W{week:02d}"
    today = local.date()
    users = list(
        User.objects.filter(is_active=True, memberships__role__in=[permissions.COORDINATOR, permissions.HQ_ADMIN])
        .exclude(email="")
        .exclude(pk__in=DigestSent.objects.filter(period=period).values("user"))
        .distinct()
        .order_by("pk")
    )
    if not users:
        return
    cycles = list(ReportingCycle.objects.filter(active=True).prefetch_related("organisations", "indicators"))
    every_org = list(Organisation.objects.values_list("pk", flat=True))
    late = [o for o in open_obligations(cycles, every_org, today, ahead=0) if o.state(today) == "overdue"]
    for user in users:
        scope = permissions.scope_for(user)
        mine = late if scope.is_hq_admin else [o for o in late if o.organisation.pk in scope.coordinated_org_ids]
        with translation.override(language_of(user)):
            sections = weekly_sections(user, mine, today)
            subject = _("Your weekly digest")
            intro = _("Where things stand this week in what you look after.")
            if mailer.send_summary(user, period, subject, intro, sections, kind="weekly-digest"):
                summary.add("weekly digests")


def weekly_sections(user: User, late: list[Obligation], today: dt.date) -> list[mailer.Section]:
    """The weekly digest's figures and its list of reports overdue (``late``: those of the user's organisations)."""
    reports = [
        (
            f"{o.organisation.name}: {o.cycle.name}",
            _("Due %(due)s, %(reported)d of %(expected)d in.")
            % {"due": o.due_date.isoformat(), "reported": o.reported, "expected": o.expected},
            reverse("cycle-detail", args=[o.cycle.pk]),
        )
        for o in late[:30]
    ]
    requirements = regulation_selectors.overdue(RequirementStatus.objects.restrict(user), today)
    incidents = Incident.objects.restrict(user).filter(severity__in=SERIOUS).exclude(status=IncidentStatus.CLOSED)
    reviews = GateReview.objects.restrict(user).filter(decision=GateDecision.PENDING)
    figures = [
        (_("Reports overdue: %(n)d") % {"n": len(late)}, "", reverse("task-list")),
        (
            _("Requirements overdue: %(n)d") % {"n": requirements.count()},
            "",
            reverse("requirement-list") + "?overdue=true",
        ),
        (_("Serious incidents open: %(n)d") % {"n": incidents.count()}, "", reverse("incident-list")),
        (_("Stage-gate reviews waiting: %(n)d") % {"n": reviews.count()}, "", reverse("evaluation")),
    ]
    sections = [mailer.Section(_("At a glance"), figures)]
    if reports:
        sections.append(mailer.Section(_("Reports overdue"), reports))
    return sections


# --- all of it ------------------------------------------------------------------------------------------------


def run_routines(now: dt.datetime | None = None, *, send: bool = True) -> Summary:
    """One pass of everything; each step's failure is logged and the others still run."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    summary = Summary(now)
    try:
        people = People()
    except Exception:
        log.exception("routines could not read who to tell")
        summary.add("failed steps")
        return summary
    steps: list[tuple[str, Any]] = [
        ("reminders", lambda: send_reminders(today, people, summary)),
        ("incidents", lambda: serious_incidents(now, people, summary)),
        ("requirements", lambda: overdue_requirements(today, people, summary)),
        ("reviews", lambda: gate_reviews(now, people, summary)),
        ("conditions", lambda: overdue_conditions(today, people, summary)),
        ("indicators", lambda: red_indicators(today, people, summary)),
        ("duplicates", lambda: duplicate_pairs(now, people, summary)),
    ]
    if send:
        steps += [
            ("e-mails", lambda: summary.add("e-mails sent", mailer.send_pending(now).sent)),
            ("daily digests", lambda: summary.add("daily digests", mailer.send_daily_digests(now))),
            ("weekly digests", lambda: weekly_digests(now, summary)),
            ("webhooks", lambda: _webhooks(now, summary)),
        ]
    for name, step in steps:
        try:
            step()
        except Exception:
            log.exception("routine step %s failed", name)
            summary.add("failed steps")
    return summary


def _webhooks(now: dt.datetime, summary: Summary) -> None:
    from aihq.webhooks.services import deliver_due

    result = deliver_due(now=now)
    for name, count in (("webhooks delivered", result.succeeded), ("webhooks to retry", result.retrying),
                        ("webhooks failed", result.failed)):  # fmt: skip
        if count:
            summary.add(name, count)
