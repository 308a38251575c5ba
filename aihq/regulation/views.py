"""Regulation pages: the portfolio view, the questionnaire, requirements with evidence, the compliance matrix,
the risk and incident registers, the public incident library and the frameworks. Thin over selectors/services."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import IntegrityError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from aihq.accounts.permissions import can_change, get_object_for_user, scope_for
from aihq.core.forms import form_errors_text, run_service
from aihq.core.services import ConflictError
from aihq.core.views import form_page, querystring, require_hq_admin_page
from aihq.exchange.services import EXPORT_KINDS, write_rows
from aihq.registry import selectors as registry_selectors
from aihq.registry.models import Organisation, UseCase
from aihq.regulation import selectors, services, taxonomy
from aihq.regulation.api.views import evidence_file_response
from aihq.regulation.filtersets import IncidentFilterSet, PublicIncidentFilterSet, RequirementFilterSet, RiskFilterSet
from aihq.regulation.forms import (
    EvidenceForm,
    FrameworkUploadForm,
    IncidentForm,
    IncidentMoveForm,
    QuestionnaireForm,
    RequirementForm,
    RiskForm,
)
from aihq.regulation.models import (
    Classification,
    Evidence,
    Framework,
    Incident,
    PublicIncident,
    RequirementStatus,
    Risk,
)


def _today() -> dt.date:
    return dt.date.today()


@login_required
def overview(request: HttpRequest) -> HttpResponse:
    """The portfolio: tiers per framework, compliance by organisation, overdue requirements, the risk heat map
    and open incidents with their deadlines — all within what the user may see."""
    user, today = request.user, _today()
    requirement_rows = selectors.requirements(user)
    organisations = {o.pk: o for o in Organisation.objects.restrict(user)}
    by_org = selectors.compliance_by(requirement_rows, "use_case__organisation", today)
    compliance_rows = sorted(
        ((organisations[pk], value) for pk, value in by_org.items() if pk in organisations),
        key=lambda item: (item[1].share if item[1].share is not None else 2, item[0].code),
    )
    frameworks = list(Framework.objects.filter(is_current=True).order_by("kind", "code"))  # with their tiers
    tiers = selectors.tier_counts(user)
    tier_rows = [
        (
            framework,
            [
                (
                    tier.get("code"),
                    selectors.tier_label(framework, tier.get("code", "")),
                    tiers.get(framework.code, {}).get(tier.get("code"), 0),
                )
                for tier in sorted(framework.definition.get("tiers", ()), key=lambda t: -int(t.get("rank", 0)))
            ],
        )
        for framework in frameworks
    ]
    open_queryset = selectors.open_incidents(selectors.incidents(user))
    open_incidents = list(open_queryset.order_by("-detected_on")[:20])
    risks = selectors.risks(user)
    return render(
        request,
        "regulation/overview.html",
        {
            "frameworks": frameworks,
            "tier_rows": tier_rows,
            "total": selectors.compliance_by(requirement_rows, None, today).get(None, selectors.Compliance()),
            "compliance_rows": compliance_rows,
            "overdue": list(selectors.overdue(requirement_rows, today)[:10]),
            "overdue_count": selectors.overdue(requirement_rows, today).count(),
            "heatmap": _heatmap_rows(selectors.heatmap(risks)),
            "residual_heatmap": _heatmap_rows(selectors.heatmap(risks, residual=True)),
            "top_risks": list(risks.exclude(status="closed").order_by("-likelihood", "-severity", "-id")[:10]),
            "incidents": open_incidents,
            "open_incident_count": open_queryset.count(),
            "deadlines": selectors.deadlines_for(open_incidents, today),
            "today": today,
        },
    )


def _heatmap_rows(grid: list[list[int]]) -> list[tuple[int, list[tuple[int, int, str]]]]:
    """(likelihood, [(severity, count, level)]) rows, likelihood 5 at the top."""
    return [
        (5 - i, [(j + 1, count, selectors.risk_level((5 - i) * (j + 1))) for j, count in enumerate(row)])
        for i, row in enumerate(grid)
    ]


# --- classification -------------------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def classify(request: HttpRequest, pk: int, code: str) -> HttpResponse:
    """A use case's questionnaire under one framework: answers in, tier, requirements and explanation out."""
    use_case = get_object_for_user(UseCase.objects.select_related("organisation"), request.user, pk)
    framework = Framework.objects.filter(code=code, is_current=True).first()
    if framework is None:
        raise Http404
    parsed = services.framework_of(framework)
    current = Classification.objects.filter(use_case=use_case, framework_code=code).select_related("framework").first()
    editable = can_change(request.user, use_case)
    form = QuestionnaireForm(parsed, request.POST or None, answers=current.answers if current else None)
    if request.method == "POST":
        if not editable:
            raise PermissionDenied
        if form.is_valid():
            # The page names the version it showed; "" means it showed none, and then none may exist (0).
            version = request.POST.get("version", "").strip()
            try:
                current = services.classify_use_case(
                    actor=request.user,
                    use_case=use_case,
                    framework_code=code,
                    answers=form.raw_answers(),
                    expected_version=int(version) if version.isascii() and version.isdecimal() else 0,
                )
            except ValidationError as exc:
                _answer_errors(form, exc)
            except (ConflictError, IntegrityError) as exc:
                message = str(exc) if isinstance(exc, ConflictError) else _("Someone else classified it just now.")
                form.add_error(None, message)
            else:
                messages.success(
                    request, _("Classified: %(tier)s.") % {"tier": selectors.tier_label(framework, current.tier)}
                )
                return redirect("classify", pk=use_case.pk, code=code)
    revisions = list(current.revisions.select_related("framework", "classified_by")[:20]) if current else []
    return render(
        request,
        "regulation/classify.html",
        {
            "use_case": use_case,
            "framework": framework,
            "parsed": parsed,
            "form": form,
            "current": current,
            "editable": editable,
            "revisions": revisions,
            "stale": current is not None and current.framework_id != framework.pk,
            "tier_label": selectors.tier_label(current.framework, current.tier) if current else "",
        },
    )


def _answer_errors(form: QuestionnaireForm, exc: ValidationError) -> None:
    """The engine's messages ("question: message") onto the questions they name."""
    messages_by_field = getattr(exc, "message_dict", {"__all__": exc.messages})
    for message in messages_by_field.get("answers", []):
        question, _sep, text = str(message).partition(": ")
        if question in form.fields:
            form.add_error(question, text)
        else:
            form.add_error(None, str(message))
    for name, items in messages_by_field.items():
        if name != "answers":
            for message in items:
                form.add_error(None, message)


# --- requirements and evidence --------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def requirement_detail(request: HttpRequest, pk: int) -> HttpResponse:
    requirement = get_object_for_user(
        RequirementStatus.objects.select_related("use_case__organisation", "owner"), request.user, pk
    )
    editable = can_change(request.user, requirement)
    form = RequirementForm(request.POST or None, instance=requirement, initial={"version": requirement.version})
    if request.method == "POST":
        if not editable:
            raise PermissionDenied
        if form.is_valid():
            data = dict(form.cleaned_data)
            version = data.pop("version", None)
            done, _saved = run_service(
                form,
                lambda: services.requirement_update(
                    actor=request.user, requirement=requirement, expected_version=version, **data
                ),
            )
            if done:
                messages.success(request, _("Changes saved."))
                return redirect("requirement-detail", pk=requirement.pk)
    classification = Classification.objects.filter(
        use_case=requirement.use_case, framework_code=requirement.framework_code
    ).first()
    spec = next(
        (
            r
            for r in (classification.result.get("requirements", []) if classification else [])
            if r.get("id") == requirement.requirement_id
        ),
        None,
    )
    return render(
        request,
        "regulation/requirement_detail.html",
        {
            "requirement": requirement,
            "spec": spec,
            "classification": classification,
            "use_case": requirement.use_case,
            "form": form if editable else None,
            "evidence_form": EvidenceForm() if editable else None,
            "evidence": requirement.evidence.defer("content").select_related("added_by"),
            "max_mb": services.evidence_max_bytes() // (1024 * 1024),
            "extensions": ", ".join(sorted(services.EVIDENCE_EXTENSIONS)),
            "today": _today(),
        },
    )


@login_required
@require_POST
def evidence_add(request: HttpRequest, pk: int) -> HttpResponse:
    requirement = get_object_for_user(RequirementStatus.objects.select_related("use_case"), request.user, pk, "change")
    form = EvidenceForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, form_errors_text(form))
        return redirect("requirement-detail", pk=pk)
    upload = form.cleaned_data.get("file")
    try:
        services.evidence_add(
            actor=request.user,
            requirement=requirement,
            title=form.cleaned_data.get("title", ""),
            url=form.cleaned_data.get("url", ""),
            filename=getattr(upload, "name", ""),
            content=upload.read() if upload else None,
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Evidence added."))
    return redirect("requirement-detail", pk=pk)


@login_required
def evidence_download(request: HttpRequest, pk: int) -> HttpResponse:
    evidence = get_object_for_user(Evidence.objects.all(), request.user, pk)
    if evidence.kind != "file":
        raise Http404
    return evidence_file_response(evidence)


@login_required
@require_POST
def evidence_remove(request: HttpRequest, pk: int) -> HttpResponse:
    evidence = get_object_for_user(
        Evidence.objects.defer("content").select_related("requirement__use_case"), request.user, pk, "change"
    )
    services.evidence_remove(actor=request.user, evidence=evidence)
    messages.success(request, _("Evidence removed."))
    return redirect("requirement-detail", pk=evidence.requirement_id)


@login_required
def requirement_list(request: HttpRequest) -> HttpResponse:
    """Requirements across the portfolio, filtered (overdue first by due date): the overdue list."""
    queryset = selectors.requirements(request.user).filter(applicable=True).order_by("due_date", "use_case_id", "id")
    filterset = RequirementFilterSet(request.GET or None, queryset=queryset)
    rows = filterset.qs if filterset.is_valid() else queryset
    page = Paginator(rows, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "regulation/requirement_list.html",
        {
            "filter": filterset,
            "page": page,
            "frameworks": selectors.frameworks(),
            "querystring": querystring(request),
            "today": _today(),
        },
    )


@login_required
def matrix(request: HttpRequest) -> HttpResponse:
    """Use cases × requirements of one framework, each cell the requirement's status."""
    codes = [f.code for f in selectors.frameworks()]
    code = request.GET.get("framework") or (codes[0] if codes else "")
    if code not in codes:
        code = codes[0] if codes else ""
    requirement_rows = selectors.requirements(request.user).filter(framework_code=code)
    organisation = (request.GET.get("organisation") or "").strip()
    use_cases = registry_selectors.use_case_list(request.user).filter(
        pk__in=requirement_rows.filter(applicable=True).values("use_case_id")
    )
    if organisation:
        use_cases = use_cases.filter(organisation__code__iexact=organisation)
    use_cases = use_cases.select_related("organisation").order_by("organisation__code", "name")
    page = Paginator(use_cases, 50).get_page(request.GET.get("page"))
    grid = selectors.matrix(requirement_rows, list(page.object_list), page.paginator.count)
    return render(
        request,
        "regulation/matrix.html",
        {
            "frameworks": selectors.frameworks(),
            "code": code,
            "organisation": organisation,
            "grid": grid,
            "page": page,
            "querystring": querystring(request),
            "organisations": Organisation.objects.restrict(request.user).order_by("code"),
            "today": _today(),
        },
    )


# --- risks ------------------------------------------------------------------------------------------------------


@login_required
def risk_list(request: HttpRequest) -> HttpResponse:
    queryset = selectors.risks(request.user).order_by("-likelihood", "-severity", "-id")
    filterset = RiskFilterSet(request.GET or None, queryset=queryset)
    rows = filterset.qs if filterset.is_valid() else queryset
    page = Paginator(rows, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "regulation/risk_list.html",
        {
            "filter": filterset,
            "page": page,
            "querystring": querystring(request),
            "heatmap": _heatmap_rows(selectors.heatmap(rows)),
            "residual_heatmap": _heatmap_rows(selectors.heatmap(rows, residual=True)),
            "by_domain": _risks_by_domain(rows),
        },
    )


def _risks_by_domain(rows: Any) -> list[tuple[taxonomy.Category, int]]:
    from collections import Counter

    counts: Counter[str] = Counter()
    for category in rows.values_list("category", flat=True):
        counts[category.split(".", 1)[0]] += 1
    return [(domain, counts[domain.code]) for domain in taxonomy.DOMAINS if counts[domain.code]]


@login_required
@require_http_methods(["GET", "POST"])
def risk_create(request: HttpRequest, pk: int) -> HttpResponse:
    use_case = get_object_for_user(UseCase.objects.all(), request.user, pk, "change")
    form = RiskForm(request.POST or None, use_case=use_case, initial=_risk_from_incident(request.GET.get("incident")))
    return form_page(
        request,
        form,
        lambda version, data: services.risk_create(actor=request.user, use_case=use_case, **data),
        "regulation/risk_form.html",
        {"use_case": use_case},
        "risk-edit",
    )


def _risk_from_incident(incident_id: str | None) -> dict[str, Any]:
    """A new risk pre-filled from a public incident ("what went wrong elsewhere with systems like this")."""
    if not incident_id or not (incident_id.isascii() and incident_id.isdigit()):
        return {}
    incident = PublicIncident.objects.filter(pk=int(incident_id)).first()
    if incident is None:
        return {}
    return {
        "title": f"Like AIID #{incident.source_id}: {incident.title}"[:300],
        "description": f"{incident.description}\n\nhttps://incidentdatabase.ai/cite/{incident.source_id}/".strip(),
        "category": incident.mit_subdomain or incident.mit_domain,
    }


@login_required
@require_http_methods(["GET", "POST"])
def risk_edit(request: HttpRequest, pk: int) -> HttpResponse:
    risk = get_object_for_user(Risk.objects.select_related("use_case"), request.user, pk)
    if request.method == "POST" and not can_change(request.user, risk):
        raise PermissionDenied
    form = RiskForm(request.POST or None, instance=risk, use_case=risk.use_case, initial={"version": risk.version})
    return form_page(
        request,
        form,
        lambda version, data: services.risk_update(actor=request.user, risk=risk, expected_version=version, **data),
        "regulation/risk_form.html",
        {"use_case": risk.use_case, "risk": risk, "editable": can_change(request.user, risk)},
        "risk-edit",
    )


@login_required
@require_POST
def risk_delete(request: HttpRequest, pk: int) -> HttpResponse:
    risk = get_object_for_user(Risk.objects.select_related("use_case"), request.user, pk, "change")
    services.risk_delete(actor=request.user, risk=risk)
    messages.success(request, _("Risk deleted."))
    return redirect("usecase-detail", pk=risk.use_case_id)


# --- incidents --------------------------------------------------------------------------------------------------


@login_required
def incident_list(request: HttpRequest) -> HttpResponse:
    queryset = selectors.incidents(request.user)
    filterset = IncidentFilterSet(request.GET or None, queryset=queryset)
    rows = filterset.qs if filterset.is_valid() else queryset
    page = Paginator(rows, 50).get_page(request.GET.get("page"))
    items = list(page.object_list)
    return render(
        request,
        "regulation/incident_list.html",
        {
            "filter": filterset,
            "page": page,
            "items": items,
            "deadlines": selectors.deadlines_for(items, _today()),
            "querystring": querystring(request),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def incident_create(request: HttpRequest, pk: int) -> HttpResponse:
    use_case = get_object_for_user(UseCase.objects.all(), request.user, pk, "change")
    form = IncidentForm(request.POST or None, use_case=use_case, initial={"detected_on": _today()})
    return form_page(
        request,
        form,
        lambda version, data: services.incident_create(actor=request.user, use_case=use_case, **data),
        "regulation/incident_form.html",
        {"use_case": use_case},
        "incident-detail",
    )


@login_required
@require_http_methods(["GET", "POST"])
def incident_edit(request: HttpRequest, pk: int) -> HttpResponse:
    incident = get_object_for_user(Incident.objects.select_related("use_case"), request.user, pk, "change")
    form = IncidentForm(
        request.POST or None, instance=incident, use_case=incident.use_case, initial={"version": incident.version}
    )
    return form_page(
        request,
        form,
        lambda version, data: services.incident_update(
            actor=request.user, incident=incident, expected_version=version, **data
        ),
        "regulation/incident_form.html",
        {"use_case": incident.use_case, "incident": incident},
        "incident-detail",
    )


@login_required
def incident_detail(request: HttpRequest, pk: int) -> HttpResponse:
    incident = get_object_for_user(
        Incident.objects.select_related("use_case__organisation", "reported_by"), request.user, pk
    )
    editable = can_change(request.user, incident)
    return render(
        request,
        "regulation/incident_detail.html",
        {
            "incident": incident,
            "use_case": incident.use_case,
            "editable": editable,
            "move_form": IncidentMoveForm(initial={"version": incident.version, "status": _next_status(incident)})
            if editable
            else None,
            "transitions": incident.transitions.select_related("moved_by"),
            "deadline": selectors.deadlines_for([incident], _today()).get(incident.pk),
            "risks": incident.risks.all(),
            "similar": _similar_public(incident),
        },
    )


def _next_status(incident: Incident) -> str:
    """The status an incident usually moves to next (closed stays closed until someone reopens it)."""
    flow = [str(s) for s in services.INCIDENT_FLOW]
    index = flow.index(incident.status)
    return flow[min(index + 1, len(flow) - 1)]


def _similar_public(incident: Incident) -> list[PublicIncident]:
    """Public incidents in the same MIT domains as the use case's risks linked to this incident."""
    domains = {c.split(".", 1)[0] for c in incident.risks.values_list("category", flat=True)}
    if not domains:
        return []
    return list(PublicIncident.objects.filter(mit_domain__in=sorted(domains)).order_by("-date")[:5])


@login_required
@require_POST
def incident_move(request: HttpRequest, pk: int) -> HttpResponse:
    incident = get_object_for_user(Incident.objects.select_related("use_case"), request.user, pk, "change")
    form = IncidentMoveForm(request.POST)
    if not form.is_valid():
        messages.error(request, form_errors_text(form))
        return redirect("incident-detail", pk=pk)
    try:
        services.incident_move(
            actor=request.user,
            incident=incident,
            to_status=form.cleaned_data["status"],
            note=form.cleaned_data["note"],
            expected_version=form.cleaned_data.get("version"),
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    except ConflictError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Status changed."))
    return redirect("incident-detail", pk=pk)


# --- exports ---------------------------------------------------------------------------------------------------

EXPORT_FORMATS = {kind: EXPORT_KINDS[kind] for kind in ("csv", "xlsx")}


@login_required
def register_export(request: HttpRequest, kind: str, extension: str) -> HttpResponse:
    """The requirement, risk or incident register as the page's filters select it, as CSV or XLSX."""

    if extension not in EXPORT_FORMATS:
        raise Http404
    today = _today()
    user = request.user
    filtersets = {
        "requirements": (RequirementFilterSet, selectors.requirements(user).filter(applicable=True)),
        "risks": (RiskFilterSet, selectors.risks(user)),
        "incidents": (IncidentFilterSet, selectors.incidents(user)),
    }
    if kind not in filtersets:
        raise Http404
    filterset_class, queryset = filtersets[kind]
    filterset = filterset_class(request.GET or None, queryset=queryset)
    if filterset.is_bound and not filterset.is_valid():
        return HttpResponse(form_errors_text(filterset.form), status=400, content_type="text/plain; charset=utf-8")
    rows = list(filterset.qs.order_by("use_case__organisation__code", "use_case_id", "id"))
    headers, records = _export_rows(kind, rows, today)
    content = write_rows(headers, records, extension, sheet=kind)
    response = HttpResponse(content, content_type=EXPORT_FORMATS[extension])
    stamp = timezone.now().strftime("%Y%m%d-%H%M")
    response["Content-Disposition"] = f'attachment; filename="aihq-{kind}-{stamp}.{extension}"'
    return response


def _yes_no(value: bool) -> str:
    return "yes" if value else "no"


def _export_rows(kind: str, rows: list[Any], today: dt.date) -> tuple[list[str], list[dict[str, Any]]]:
    base = ["organisation", "use_case_id", "use_case"]

    def common(row: Any) -> dict[str, Any]:
        return {
            "organisation": row.use_case.organisation.code,
            "use_case_id": row.use_case_id,
            "use_case": row.use_case.name,
        }

    if kind == "requirements":
        headers = [*base, "framework", "requirement", "citation", "title", "mandatory", "status", "due_date", "overdue",
                   "owner", "justification", "note"]  # fmt: skip
        return headers, [
            {**common(r), "framework": r.framework_code, "requirement": r.requirement_id, "citation": r.cite,
             "title": r.title, "mandatory": _yes_no(r.mandatory), "status": r.status, "due_date": r.due_date,
             "overdue": _yes_no(bool(r.due_date and r.due_date < today and not r.is_closed)),
             "owner": r.owner.username if r.owner else "", "justification": r.justification, "note": r.note}
            for r in rows
        ]  # fmt: skip
    if kind == "risks":
        headers = [*base, "risk", "domain", "domain_name", "likelihood", "severity", "score", "residual_likelihood",
                   "residual_severity", "residual_score", "status", "owner", "mitigations"]  # fmt: skip
        return headers, [
            {**common(r), "risk": r.title, "domain": r.category,
             "domain_name": getattr(taxonomy.category(r.category), "name", ""), "likelihood": r.likelihood,
             "severity": r.severity, "score": r.score, "residual_likelihood": r.residual_likelihood,
             "residual_severity": r.residual_severity, "residual_score": r.residual_score, "status": r.status,
             "owner": r.owner.username if r.owner else "", "mitigations": r.mitigations}
            for r in rows
        ]  # fmt: skip
    deadlines = selectors.deadlines_for(rows, today)
    headers = [*base, "incident", "occurred_on", "detected_on", "severity", "harms", "status", "reported_on",
               "report_due", "report_rule", "report_overdue"]  # fmt: skip
    return headers, [
        {**common(i), "incident": i.title, "occurred_on": i.occurred_on, "detected_on": i.detected_on,
         "severity": i.severity, "harms": ";".join(i.harms or ()), "status": i.status, "reported_on": i.reported_on,
         "report_due": d.due if (d := deadlines.get(i.pk)) else "", "report_rule": d.cite if d else "",
         "report_overdue": bool(d and d.overdue)}
        for i in rows
    ]  # fmt: skip


# --- public incident library ------------------------------------------------------------------------------------


@login_required
def library(request: HttpRequest) -> HttpResponse:
    queryset = selectors.public_incidents(request.user)
    filterset = PublicIncidentFilterSet(request.GET or None, queryset=queryset)
    rows = filterset.qs if filterset.is_valid() else queryset
    page = Paginator(rows, 25).get_page(request.GET.get("page"))
    return render(
        request,
        "regulation/library.html",
        {
            "filter": filterset,
            "page": page,
            "total": queryset.count(),
            "domains": taxonomy.DOMAINS,
            "querystring": querystring(request),
        },
    )


@login_required
def library_detail(request: HttpRequest, pk: int) -> HttpResponse:
    item = get_object_for_user(PublicIncident.objects.all(), request.user, pk)
    return render(
        request,
        "regulation/library_detail.html",
        {
            "item": item,
            "domain": taxonomy.category(item.mit_domain),
            "subdomain": taxonomy.category(item.mit_subdomain),
        },
    )


# --- frameworks -------------------------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def framework_list(request: HttpRequest) -> HttpResponse:
    is_admin = scope_for(request.user).is_hq_admin
    form = FrameworkUploadForm(request.POST or None, request.FILES or None) if is_admin else None
    if request.method == "POST":
        require_hq_admin_page(request)
        assert form is not None
        if form.is_valid():
            try:
                framework = services.framework_load(
                    actor=request.user, data=form.cleaned_data["file"], make_current=form.cleaned_data["make_current"]
                )
            except ValidationError as exc:
                for message in exc.messages:
                    form.add_error("file", message)
            else:
                messages.success(request, _("Loaded %(framework)s.") % {"framework": framework})
                return redirect("framework-detail", pk=framework.pk)
    return render(
        request,
        "regulation/framework_list.html",
        {"frameworks": Framework.objects.defer("definition").order_by("code", "-created_at"), "form": form},
    )


@login_required
def framework_detail(request: HttpRequest, pk: int) -> HttpResponse:
    framework = get_object_for_user(Framework.objects.all(), request.user, pk)
    parsed = services.framework_of(framework)
    return render(
        request,
        "regulation/framework_detail.html",
        {"framework": framework, "parsed": parsed, "can_manage": scope_for(request.user).is_hq_admin},
    )


@login_required
@require_POST
def framework_make_current(request: HttpRequest, pk: int) -> HttpResponse:
    require_hq_admin_page(request)
    framework = get_object_for_user(Framework.objects.all(), request.user, pk)
    services.framework_make_current(actor=request.user, framework=framework)
    messages.success(request, _("New classifications now use this version."))
    return redirect("framework-detail", pk=pk)
