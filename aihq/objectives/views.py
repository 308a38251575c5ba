"""Objectives pages: overview, objective and indicator pages, stocktake, reporting forms. Thin over selectors."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views.decorators.http import require_http_methods, require_POST

from aihq.accounts.permissions import get_object_for_user, scope_for, writable_organisations
from aihq.core.forms import form_errors_text
from aihq.core.views import form_page, require_hq_admin_page
from aihq.exchange.readers import FileProblem, read_table
from aihq.objectives import engine, rows, selectors, services
from aihq.objectives.forms import (
    ContributionForm,
    IndicatorForm,
    MeasurementForm,
    ObjectiveForm,
    RagOverrideForm,
    UploadForm,
)
from aihq.objectives.models import Contribution, Indicator, NationalValue, Objective
from aihq.registry import selectors as registry_selectors
from aihq.registry.models import Region


def _at(request: HttpRequest) -> dt.date:
    """The day to assess (?at=YYYY-MM-DD, 1900–2200); today, with a note, when it is missing or not a date."""
    text = request.GET.get("at", "").strip()
    if not text:
        return dt.date.today()
    try:
        day = dt.date.fromisoformat(text)
    except ValueError:
        day = None
    if day is None or not selectors.EARLIEST <= day <= selectors.LATEST:
        messages.warning(
            request, _("%(text)s is not a date between 1900 and 2200: showing today.") % {"text": text[:20]}
        )
        return dt.date.today()
    return day


def _can_report(user: Any) -> bool:
    return scope_for(user).is_hq_admin or writable_organisations(user).exists()


@login_required
def overview(request: HttpRequest) -> HttpResponse:
    at = _at(request)
    objectives = list(selectors.objective_list(request.user))
    indicators = list(selectors.indicator_list(request.user))
    statuses = selectors.national_statuses(indicators, request.user, at)
    cards = []
    for objective in objectives:
        own = [
            (indicator, statuses[indicator.pk]) for indicator in indicators if indicator.objective_id == objective.pk
        ]
        cards.append({"objective": objective, "rows": own, "counts": selectors.rag_counts(rated for _, rated in own)})
    return render(
        request,
        "objectives/overview.html",
        {"cards": cards, "at": at, "counts": selectors.rag_counts(statuses.values()), "rag_order": engine.RAG_ORDER},
    )


@login_required
def objective_detail(request: HttpRequest, pk: int) -> HttpResponse:
    objective = get_object_for_user(selectors.objective_list(request.user), request.user, pk)
    at = _at(request)
    by = "organisation" if request.GET.get("by") == "organisation" else "region"
    indicators = list(selectors.indicator_list(request.user).filter(objective=objective))
    statuses = selectors.national_statuses(indicators, request.user, at)
    return render(
        request,
        "objectives/objective_detail.html",
        {
            "objective": objective,
            "rows": [(indicator, statuses[indicator.pk]) for indicator in indicators],
            "league": selectors.league(request.user, at, by, indicators),  # type: ignore[arg-type]
            "indicators": indicators,
            "by": by,
            "at": at,
        },
    )


def _chart_data(
    indicator: Indicator, series: selectors.Series, rated: selectors.Rated, plan: engine.Plan | None
) -> dict[str, Any]:
    """Planned line, actual points, the forecast line and its interval band, as dates and numbers."""
    status = rated.status
    planned_points = []
    if plan is not None:
        days = sorted({*plan.days, *series.t.tolist(), status.at})
        values = engine.planned(plan, days)
        planned_points = [
            [engine.from_day_number(d).isoformat(), round(float(v), 6)]
            for d, v in zip(days, values, strict=True)
            if v == v
        ]
    actual = [
        {
            "value": [engine.from_day_number(d).isoformat(), float(v)],
            "derived": bool(series.derived[i]) if series.derived is not None else False,
        }
        for i, (d, v) in enumerate(zip(series.t.tolist(), series.y.tolist(), strict=True))
        if d <= status.at
    ]
    forecast = []
    if status.forecast is not None and status.actual_at is not None:
        known = series.t <= status.at
        first = float(series.t[known][0])
        points = sorted({first, status.actual_at, *(f.at for f in status.forecasts), status.forecast.at})
        line = engine.fit_groups([0] * int(known.sum()), series.t[known], series.y[known], 1)
        predictions = engine.predict(line, points)
        forecast = [
            [engine.from_day_number(d).isoformat(), float(v), float(lo), float(hi)]
            for d, v, lo, hi in zip(points, predictions.value, predictions.low, predictions.high, strict=True)
        ]
    return {
        "unit": indicator.unit_label,
        "planned": planned_points,
        "actual": actual,
        "forecast": forecast,
        "target": [engine.from_day_number(status.target_at).isoformat(), status.target] if status.target_at else None,
        "at": engine.from_day_number(status.at).isoformat(),
        "labels": {
            "planned": pgettext("trajectory", "Planned"),
            "actual": _("Actual"),
            "derived": _("Actual (sum or mean of the regions)"),
            "forecast": _("Forecast"),
            # xgettext:no-python-format
            "interval": _("80% interval"),
            "target": _("Target"),
        },
    }


@login_required
def indicator_detail(request: HttpRequest, pk: int) -> HttpResponse:
    indicator = get_object_for_user(selectors.indicator_list(request.user), request.user, pk)
    at = _at(request)
    region = None
    if code := request.GET.get("region", "").strip():
        region = Region.objects.filter(code__iexact=code).first()
    series, plan = found = selectors.series_and_plan(indicator, request.user, region=region)
    rated = selectors.indicator_status(indicator, request.user, at, region=region, found=found)
    regional = selectors.regional_statuses(indicator, request.user, at)
    context = {
        "indicator": indicator,
        "objective": indicator.objective,
        "region": region,
        "rated": rated,
        "status": rated.status,
        "at": at,
        "chart": _chart_data(indicator, series, rated, plan),
        "regional": regional,
        "regional_counts": selectors.rag_counts(row.rated for row in regional),
        "organisations": selectors.organisation_statuses(indicator, request.user, at),
        "gaps": selectors.reporting_gaps(indicator, request.user, at),
        "targets": indicator.targets.select_related("region").order_by("region__name_en", "date"),
        "measurements": selectors.measurement_filter(request.user, indicator)[:50],
        "contributions": Contribution.objects.restrict(request.user, "view")
        .filter(indicator=indicator)
        .select_related("use_case", "use_case__organisation"),
        "can_report": _can_report(request.user),
        "can_override": services.can_override_rag(request.user, indicator),
        "report_form": MeasurementForm(indicator=indicator, user=request.user),
        "upload_form": UploadForm(),
        "override_form": RagOverrideForm(
            initial={"region": region, "rating": rated.override.rating if rated.override else None}
        ),
        "linear_warning": _saturating(series, indicator),
        "coverage": None if region is not None else _coverage(indicator, at),
    }
    return render(request, "objectives/indicator_detail.html", context)


def _coverage(indicator: Indicator, at: dt.date) -> dict[str, Any] | None:
    """When the latest national value was added up from only some of the expected regions: which, how many."""
    latest = NationalValue.objects.filter(indicator=indicator, period_end__lte=at).order_by("-period_end").first()
    if latest is None or not latest.derived or not indicator.region_country:
        return None
    expected = selectors.expected_regions(indicator).count()
    if latest.regions >= expected:
        return None
    return {"period_end": latest.period_end, "regions": latest.regions, "expected": expected}


def _saturating(series: selectors.Series, indicator: Indicator) -> bool:
    """Whether a straight line is likely to mislead: a bounded percentage, or growth that is slowing down."""
    if len(series) < 4:
        return indicator.unit == "percent"
    steps = [b - a for a, b in zip(series.y.tolist(), series.y.tolist()[1:], strict=False)]
    slowing = steps[-1] < 0.6 * (sum(steps[:-1]) / len(steps[:-1])) if steps[:-1] else False
    return indicator.unit == "percent" or slowing


@login_required
@require_POST
def measurement_report(request: HttpRequest, pk: int) -> HttpResponse:
    indicator = get_object_for_user(selectors.indicator_list(request.user), request.user, pk)
    form = MeasurementForm(request.POST, indicator=indicator, user=request.user)
    if form.is_valid():
        data = form.cleaned_data
        item = services.MeasurementInput(indicator=indicator, **data)
        try:
            outcome = services.measurements_report(actor=request.user, items=[item])
        except services.RowErrors as exc:
            for problem in exc.problems:
                field = form.fields.get(problem.field)
                label = field.label if field is not None else problem.field
                messages.error(request, f"{label}: {problem.message}")
        except PermissionDenied as exc:
            messages.error(request, str(exc))
        else:
            if outcome.created:
                messages.success(request, _("Value saved."))
            elif outcome.updated:
                messages.success(request, _("The value for this period was replaced."))
            else:
                messages.info(request, _("Nothing changed: this value was already reported for the period."))
    else:
        messages.error(request, form_errors_text(form))
    return redirect("indicator-detail", pk=indicator.pk)


@login_required
@require_POST
def measurement_upload(request: HttpRequest, pk: int) -> HttpResponse:
    indicator = get_object_for_user(selectors.indicator_list(request.user), request.user, pk)
    form = UploadForm(request.POST, request.FILES)
    problems: list[Any] = []
    if form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            table = read_table(data=upload.read(), name=upload.name)
            items, problems = rows.parse_rows(list(table.rows), request.user, indicator=indicator)
            if not problems:
                outcome = services.measurements_report(actor=request.user, items=items)
                messages.success(
                    request,
                    _("%(created)s values added, %(updated)s replaced, %(unchanged)s unchanged.")
                    % {
                        "created": len(outcome.created),
                        "updated": len(outcome.updated),
                        "unchanged": len(outcome.unchanged),
                    },
                )
                return redirect("indicator-detail", pk=indicator.pk)
        except FileProblem as exc:
            messages.error(request, str(exc))
        except services.RowErrors as exc:
            problems = exc.problems
    else:
        messages.error(request, form_errors_text(form))
    if problems:
        return render(
            request, "objectives/upload_errors.html", {"indicator": indicator, "problems": problems}, status=400
        )
    return redirect("indicator-detail", pk=indicator.pk)


@login_required
@require_POST
def rag_override(request: HttpRequest, pk: int) -> HttpResponse:
    indicator = get_object_for_user(selectors.indicator_list(request.user), request.user, pk)
    region_code = ""
    if request.POST.get("clear"):
        region_id = request.POST.get("region", "")
        if region_id and not (region_id.isascii() and region_id.isdecimal()):
            raise Http404
        region = get_object_or_404(Region, pk=region_id) if region_id else None
        services.rag_override_clear(actor=request.user, indicator=indicator, region=region)
        region_code = region.code if region else ""
        messages.success(request, _("The override was removed; the computed rating applies."))
    else:
        form = RagOverrideForm(request.POST)
        if form.is_valid():
            try:
                override = services.rag_override_set(actor=request.user, indicator=indicator, **form.cleaned_data)
            except ValidationError as exc:
                messages.error(request, " ".join(exc.messages))
            else:
                region_code = override.region.code if override.region else ""
                messages.success(request, _("Rating overridden. Both ratings are shown."))
        else:
            messages.error(request, form_errors_text(form))
    url = indicator_url(indicator, region_code)
    return redirect(url)


def indicator_url(indicator: Indicator, region_code: str = "") -> str:
    from django.urls import reverse

    url = reverse("indicator-detail", args=[indicator.pk])
    return f"{url}?region={region_code}" if region_code else url


@login_required
def stocktake(request: HttpRequest) -> HttpResponse:
    at = _at(request)
    show_all = request.GET.get("all") == "1"
    ratings = engine.RAG_ORDER if show_all else ("red", "amber_red")
    rows_ = selectors.stocktake(request.user, at, ratings=ratings)
    return render(request, "objectives/stocktake.html", {"rows": rows_, "at": at, "show_all": show_all})


@login_required
def stocktake_regions(request: HttpRequest) -> HttpResponse:
    """The stocktake's "regions behind" column, fetched after the page (it reads every regional value)."""
    at = _at(request)
    ratings = engine.RAG_ORDER if request.GET.get("all") == "1" else ("red", "amber_red")
    indicators = [row.indicator for row in selectors.stocktake(request.user, at, ratings=ratings)]
    behind = selectors.regions_behind(indicators, request.user, at)
    return render(request, "objectives/_regions_behind.html", {"behind": behind, "indicators": indicators})


@login_required
@require_POST
def contribution_add(request: HttpRequest, pk: int) -> HttpResponse:
    use_case = get_object_for_user(registry_selectors.use_case_list(request.user), request.user, pk, "change")
    form = ContributionForm(request.POST, use_case=use_case, user=request.user)
    if form.is_valid():
        services.contribution_add(actor=request.user, use_case=use_case, **form.cleaned_data)
        messages.success(request, _("Linked to the indicator."))
    else:
        messages.error(request, form_errors_text(form))
    return redirect("usecase-detail", pk=use_case.pk)


@login_required
@require_POST
def contribution_remove(request: HttpRequest, pk: int) -> HttpResponse:
    contribution = get_object_for_user(Contribution.objects.select_related("use_case"), request.user, pk, "change")
    services.contribution_remove(actor=request.user, contribution=contribution)
    messages.success(request, _("Link removed."))
    return redirect("usecase-detail", pk=contribution.use_case_id)


@login_required
@require_http_methods(["GET", "POST"])
def objective_create(request: HttpRequest) -> HttpResponse:
    require_hq_admin_page(request)
    return form_page(
        request,
        ObjectiveForm(request.POST or None),
        lambda _version, data: services.objective_create(actor=request.user, **data),
        "objectives/objective_form.html",
        {},
        "objective-detail",
    )


@login_required
@require_http_methods(["GET", "POST"])
def objective_edit(request: HttpRequest, pk: int) -> HttpResponse:
    require_hq_admin_page(request)
    objective = get_object_or_404(Objective, pk=pk)
    return form_page(
        request,
        ObjectiveForm(request.POST or None, instance=objective, initial={"version": objective.version}),
        lambda version, data: services.objective_update(
            actor=request.user, objective=objective, expected_version=version, **data
        ),
        "objectives/objective_form.html",
        {"objective": objective},
        "objective-detail",
    )


@login_required
@require_http_methods(["GET", "POST"])
def indicator_create(request: HttpRequest) -> HttpResponse:
    require_hq_admin_page(request)
    initial = {"objective": request.GET.get("objective")} if request.GET.get("objective") else None
    return form_page(
        request,
        IndicatorForm(request.POST or None, initial=initial),
        lambda _version, data: services.indicator_create(actor=request.user, **data),
        "objectives/indicator_form.html",
        {},
        "indicator-detail",
    )


@login_required
@require_http_methods(["GET", "POST"])
def indicator_edit(request: HttpRequest, pk: int) -> HttpResponse:
    require_hq_admin_page(request)
    indicator = get_object_or_404(Indicator, pk=pk)
    return form_page(
        request,
        IndicatorForm(request.POST or None, instance=indicator, initial={"version": indicator.version}),
        lambda version, data: services.indicator_update(
            actor=request.user, indicator=indicator, expected_version=version, **data
        ),
        "objectives/indicator_form.html",
        {"indicator": indicator},
        "indicator-detail",
    )
