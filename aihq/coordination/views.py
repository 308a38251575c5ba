"""Coordination pages: the duplicate review (clusters of similar use cases across organisations, verdicts), an
organisation's coordination report, and "similar as you type" for the use case form."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from aihq.accounts.permissions import get_object_for_user, scope_for
from aihq.coordination import selectors, services
from aihq.coordination.forms import DecisionForm, ReviewFilterForm, RunForm
from aihq.coordination.models import SimilarPair, Verdict
from aihq.core.forms import form_errors_text, run_service
from aihq.core.views import querystring
from aihq.exchange.services import EXPORT_KINDS, write_rows
from aihq.registry.models import Organisation, UseCase


@login_required
def review(request: HttpRequest) -> HttpResponse:
    form = ReviewFilterForm(request.GET or None)
    filters: dict[str, Any] = form.cleaned_data if form.is_valid() else {}
    found = selectors.clusters(
        request.user,
        min_score=filters.get("min_score") or 0.0,
        only_open=not filters.get("decided"),
        q=(filters.get("q") or "").strip(),
    )
    scope = scope_for(request.user)
    return render(
        request,
        "coordination/review.html",
        {
            "filter": form,
            "page": Paginator(found, 20).get_page(request.GET.get("page")),
            "querystring": querystring(request),
            "total_pairs": selectors.pairs(request.user).count(),
            "computed_at": SimilarPair.objects.order_by("-created_at").values_list("created_at", flat=True).first(),
            "verdicts": Verdict.choices,
            "is_hq_admin": scope.is_hq_admin,
            "coordinated": scope.coordinated_org_ids,
            "run_form": RunForm(),
        },
    )


def _next(request: HttpRequest) -> str:
    """Back to the page the verdict was given on, if it is one of ours."""
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=False):
        return target
    return reverse("coordination")


@login_required
@require_POST
def decide(request: HttpRequest) -> HttpResponse:
    form = DecisionForm(request.POST)
    if not form.is_valid():
        messages.error(request, form_errors_text(form))
        return redirect(_next(request))
    visible = UseCase.objects.restrict(request.user)
    a = get_object_for_user(visible, request.user, form.cleaned_data["use_case_a"])
    b = get_object_for_user(visible, request.user, form.cleaned_data["use_case_b"])
    done, decision = run_service(
        form,
        lambda: services.decide(
            actor=request.user,
            use_case_a=a,
            use_case_b=b,
            verdict=form.cleaned_data["verdict"],
            note=form.cleaned_data["note"],
            expected_version=form.cleaned_data.get("version"),
        ),
    )
    if done:
        messages.success(request, _("Recorded: %(verdict)s.") % {"verdict": decision.get_verdict_display()})
    else:
        messages.error(request, form_errors_text(form))
    return redirect(_next(request))


@login_required
@require_POST
def run(request: HttpRequest) -> HttpResponse:
    if not scope_for(request.user).is_hq_admin:
        raise PermissionDenied
    form = RunForm(request.POST)
    if not form.is_valid():
        messages.error(request, form_errors_text(form))
        return redirect("coordination")
    threshold = form.cleaned_data.get("threshold") or services.DEFAULT_THRESHOLD
    try:
        outcome = services.find_duplicates(actor=request.user, threshold=threshold)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(
            request,
            _("%(pairs)s pairs in %(clusters)s clusters at similarity ≥ %(threshold)s.")
            % {"pairs": outcome["pairs"], "clusters": outcome["clusters"], "threshold": outcome["threshold"]},
        )
    return redirect("coordination")


@login_required
def organisation_report(request: HttpRequest, code: str) -> HttpResponse:
    found = Organisation.objects.filter(code=code).values_list("pk", flat=True).first()
    organisation = get_object_for_user(Organisation.objects.all(), request.user, found)
    rows = selectors.organisation_report(request.user, organisation.pk)
    kind = request.GET.get("format", "")
    if kind in EXPORT_KINDS:
        headers = ["score", "use_case", "organisation", "other_use_case", "other_organisation", "verdict", "note",
                   "decided_by", "decided_at", "reopened"]  # fmt: skip
        table = []
        for r in rows:
            mine, other = (
                (r.pair.use_case_a, r.pair.use_case_b)
                if r.pair.use_case_a.organisation_id == organisation.pk
                else (r.pair.use_case_b, r.pair.use_case_a)
            )
            table.append(
                {
                    "score": round(r.pair.score, 3),
                    "use_case": mine.name,
                    "organisation": mine.organisation.code,
                    "other_use_case": other.name,
                    "other_organisation": other.organisation.code,
                    "verdict": r.decision.verdict if r.decision else "",
                    "note": r.decision.note if r.decision else "",
                    "decided_by": str(r.decision.decided_by or "") if r.decision else "",
                    "decided_at": r.decision.updated_at.isoformat() if r.decision else "",
                    "reopened": "yes" if r.reopened else "",
                }
            )
        response = HttpResponse(write_rows(headers, table, kind, sheet="coordination"), content_type=EXPORT_KINDS[kind])
        response["Content-Disposition"] = f'attachment; filename="coordination-{organisation.code}.{kind}"'
        return response
    counts: dict[str, int] = {}
    for r in rows:
        key = r.decision.verdict if r.decision and not r.reopened else "open"
        counts[key] = counts.get(key, 0) + 1
    return render(
        request,
        "coordination/organisation.html",
        {"organisation": organisation, "rows": rows, "counts": counts, "verdicts": dict(Verdict.choices)},
    )


@login_required
@require_http_methods(["GET", "POST"])
def similar_preview(request: HttpRequest) -> HttpResponse:
    """The registered use cases most like the one being typed on the use case form (an htmx fragment)."""
    data = request.POST if request.method == "POST" else request.GET
    text = ". ".join(str(data.get(key, ""))[:2000] for key in ("name", "description", "purpose", "outputs"))
    exclude = request.GET.get("exclude", "")
    found = selectors.similar_to_text(
        request.user, text, exclude=int(exclude) if exclude.isascii() and exclude.isdigit() else None
    )
    return render(request, "coordination/_similar_preview.html", {"found": found})
