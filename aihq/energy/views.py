"""Compute and power pages: sites by region, site forms, scenarios and their runs. Thin over selectors."""

from __future__ import annotations

import csv
from collections import defaultdict
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from aihq.accounts.permissions import get_object_for_user, scope_for, writable_organisations
from aihq.core.exports import safe_row
from aihq.core.forms import form_errors_text
from aihq.core.views import form_page, require_hq_admin_page
from aihq.energy import selectors, services
from aihq.energy.forms import ComputeProfileForm, ComputeSiteForm, ScenarioForm
from aihq.energy.models import SiteStatus
from aihq.energy.scenarios import run_rows
from aihq.energy.templatetags.energy_tags import technology
from aihq.registry import selectors as registry_selectors
from aihq.registry.models import Region


@login_required
def overview(request: HttpRequest) -> HttpResponse:
    sites = list(selectors.site_list(request.user).order_by("region__name_en", "name"))
    by_region: dict[Any, dict[str, Any]] = defaultdict(
        lambda: {"sites": 0, "it_mw": 0.0, "accelerators": 0, "operating_mw": 0.0}
    )
    for site in sites:
        row = by_region[site.region]
        row["sites"] += 1
        row["it_mw"] += site.it_capacity_mw
        row["accelerators"] += sum(site.accelerators.values())
        if site.status == SiteStatus.OPERATING:
            row["operating_mw"] += site.it_capacity_mw
    regions = sorted(by_region.items(), key=lambda item: -item[1]["it_mw"])
    return render(
        request,
        "energy/overview.html",
        {
            "sites": sites,
            "regions": regions,
            "total_mw": sum(site.it_capacity_mw for site in sites),
            "scenarios": selectors.scenario_list(request.user),
            "can_add": writable_organisations(request.user).exists(),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def site_create(request: HttpRequest) -> HttpResponse:
    if not writable_organisations(request.user).exists():
        raise PermissionDenied
    return form_page(
        request,
        ComputeSiteForm(request.POST or None, user=request.user),
        lambda _version, data: services.site_create(actor=request.user, **data),
        "energy/site_form.html",
        {},
        "site-edit",
    )


@login_required
@require_http_methods(["GET", "POST"])
def site_edit(request: HttpRequest, pk: int) -> HttpResponse:
    site = get_object_for_user(selectors.site_list(request.user), request.user, pk, "change")
    return form_page(
        request,
        ComputeSiteForm(request.POST or None, instance=site, user=request.user, initial={"version": site.version}),
        lambda version, data: services.site_update(actor=request.user, site=site, expected_version=version, **data),
        "energy/site_form.html",
        {"site": site},
        "site-edit",
    )


OUTPUT_LABELS = {
    "it_mw": gettext_lazy("IT load, MW"),
    "facility_mw": gettext_lazy("Facility load, MW"),
    "energy_twh": gettext_lazy("Electricity, TWh a year"),
    "generation_mw": gettext_lazy("Generation capacity needed, MW"),
    "new_generation_capex_usd_cumulative": gettext_lazy("New generation capex, USD (cumulative)"),
    "new_generation_capex_rub_cumulative": gettext_lazy("New generation capex, RUB (cumulative)"),
    "data_centre_capex_usd_cumulative": gettext_lazy("Data-centre capex, USD (cumulative)"),
    "co2_mt": gettext_lazy("CO₂, Mt a year"),
}


@login_required
def scenario_detail(request: HttpRequest, pk: int) -> HttpResponse:
    scenario = get_object_for_user(selectors.scenario_list(request.user), request.user, pk)
    run = selectors.run_list(request.user).filter(scenario=scenario).first()
    charts = None
    region = request.GET.get("region", "")
    regions: list[str] = run.results.get("regions", []) if run is not None else []
    if run is not None:
        if region in regions:
            # One region's bands: the regional arrays are regions × years.
            index = regions.index(region)
            regional = run.results.get("regional", {})
            outputs = {
                key: {q: regional[key][q][index] for q in ("p10", "p50", "p90")}
                for key in OUTPUT_LABELS
                if key in regional
            }
        else:
            region = ""
            outputs = run.results.get("national", {})
        charts = {
            "years": run.results.get("years", []),
            "series": [
                {"key": key, "label": str(label), **outputs[key]}
                for key, label in OUTPUT_LABELS.items()
                if key in outputs
            ],
            "capex_by_technology": {
                technology(code): value for code, value in run.results.get("capex_by_technology", {}).items()
            },
            "labels": {"p50": _("Median (P50)"), "band": _("P10–P90"), "total": _("Total")},
        }
    names = {r.code: r.name for r in Region.objects.filter(code__in=regions)}
    if "RU" in regions:
        names["RU"] = str(_("Rest of Russia (national grid)"))
    return render(
        request,
        "energy/scenario_detail.html",
        {
            "scenario": scenario,
            "run": run,
            "charts": charts,
            "check": run.results.get("claim_check") if run is not None and not region else None,
            "regions": [(code, names.get(code, code)) for code in regions],
            "region": region,
            "can_run": scope_for(request.user).is_hq_admin,
        },
    )


@login_required
@require_POST
def scenario_run(request: HttpRequest, pk: int) -> HttpResponse:
    scenario = get_object_for_user(selectors.scenario_list(request.user), request.user, pk)
    try:
        run = services.scenario_run(actor=request.user, scenario=scenario)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Run finished in %(seconds).1f s.") % {"seconds": run.seconds})
    return redirect("scenario-detail", pk=scenario.pk)


@login_required
def run_csv(request: HttpRequest, pk: int) -> HttpResponse:
    """A run's percentiles as CSV: one row per region (or the whole country), year and output."""
    run = get_object_for_user(selectors.run_list(request.user), request.user, pk)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{run.scenario.code}-run-{run.pk}.csv"'
    writer = csv.writer(response)
    writer.writerows(safe_row(row) for row in run_rows(run.results))
    return response


@login_required
@require_http_methods(["GET", "POST"])
def scenario_create(request: HttpRequest) -> HttpResponse:
    require_hq_admin_page(request)
    return form_page(
        request,
        ScenarioForm(request.POST or None),
        lambda _version, data: services.scenario_create(actor=request.user, **data),
        "energy/scenario_form.html",
        {},
        "scenario-detail",
    )


@login_required
@require_http_methods(["GET", "POST"])
def scenario_edit(request: HttpRequest, pk: int) -> HttpResponse:
    require_hq_admin_page(request)
    scenario = get_object_for_user(selectors.scenario_list(request.user), request.user, pk)
    return form_page(
        request,
        ScenarioForm(request.POST or None, instance=scenario, initial={"version": scenario.version}),
        lambda version, data: services.scenario_update(
            actor=request.user, scenario=scenario, expected_version=version, **data
        ),
        "energy/scenario_form.html",
        {"scenario": scenario},
        "scenario-detail",
    )


@login_required
@require_POST
def profile_set(request: HttpRequest, pk: int) -> HttpResponse:
    """Set a use case's compute profile from its page."""
    use_case = get_object_for_user(registry_selectors.use_case_list(request.user), request.user, pk, "change")
    form = ComputeProfileForm(request.POST)
    if form.is_valid():
        try:
            services.profile_set(actor=request.user, use_case=use_case, **form.cleaned_data)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("Compute profile saved."))
    else:
        messages.error(request, form_errors_text(form))
    return redirect("usecase-detail", pk=use_case.pk)
