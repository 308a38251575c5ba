"""Sovereignty pages: the dashboard, suppliers, components, a use case's AI-BOM, agreements, cut-off scenarios and
the settings. Thin over selectors and services."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from aihq.accounts.permissions import can_change, get_object_for_user, scope_for
from aihq.core.forms import form_errors_text, run_service
from aihq.core.views import form_page, querystring, require_hq_admin_page
from aihq.exchange.services import write_rows
from aihq.registry.models import UseCase
from aihq.sovereignty import selectors, services
from aihq.sovereignty.filtersets import ComponentFilterSet, SupplierFilterSet
from aihq.sovereignty.forms import (
    AgreementForm,
    AibomUploadForm,
    BomEntryForm,
    ComponentForm,
    ScenarioForm,
    SettingsForm,
    SupplierForm,
)
from aihq.sovereignty.models import Agreement, BomEntry, CutoffScenario, Supplier


def _contributor(request: HttpRequest) -> bool:
    return services.is_contributor(request.user)


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    today = dt.date.today()
    board = selectors.dashboard(request.user, today)
    return render(
        request,
        "sovereignty/dashboard.html",
        {
            "board": board,
            "agreements": selectors.agreements_in_force(today).order_by("partner_country", "title"),
            "scenarios": selectors.scenarios(request.user)[:10],
            "is_hq_admin": scope_for(request.user).is_hq_admin,
        },
    )


@login_required
def help_page(request: HttpRequest) -> HttpResponse:
    return render(request, "sovereignty/help.html", {"settings": selectors.settings()})


# --- suppliers and components ---------------------------------------------------------------------------------


def _registry_list(request: HttpRequest, queryset: Any, filterset_class: Any, template: str) -> HttpResponse:
    """A filtered, paged list of suppliers or components."""
    filterset = filterset_class(request.GET or None, queryset=queryset)
    rows = filterset.qs if filterset.is_valid() else queryset
    return render(
        request,
        template,
        {
            "filter": filterset,
            "page": Paginator(rows, 50).get_page(request.GET.get("page")),
            "querystring": querystring(request),
            "can_add": _contributor(request),
        },
    )


def _registry_create(request: HttpRequest, form_class: Any, create: Any, template: str, detail: str) -> HttpResponse:
    """Adding a supplier or component: anyone who edits some use case may."""
    if not _contributor(request):
        raise PermissionDenied
    return form_page(
        request,
        form_class(request.POST or None),
        lambda version, data: create(actor=request.user, **data),
        template,
        {},
        detail,
    )


@login_required
def supplier_list(request: HttpRequest) -> HttpResponse:
    return _registry_list(
        request, selectors.suppliers(request.user), SupplierFilterSet, "sovereignty/supplier_list.html"
    )


@login_required
@require_http_methods(["GET", "POST"])
def supplier_create(request: HttpRequest) -> HttpResponse:
    return _registry_create(
        request, SupplierForm, services.supplier_create, "sovereignty/supplier_form.html", "supplier-detail"
    )


@login_required
@require_http_methods(["GET", "POST"])
def supplier_detail(request: HttpRequest, pk: int) -> HttpResponse:
    supplier = get_object_for_user(selectors.suppliers(request.user), request.user, pk)
    editable = can_change(request.user, supplier)
    form = SupplierForm(request.POST or None, instance=supplier, initial={"version": supplier.version})
    if request.method == "POST" and not editable:
        raise PermissionDenied
    context = {
        "supplier": supplier,
        "editable": editable,
        "components": supplier.components.order_by("type", "name"),
        "subsidiaries": Supplier.objects.filter(parent=supplier).order_by("name"),
        "use_cases": selectors.bom_entries(request.user).filter(component__supplier=supplier).count(),
        "agreements": Agreement.objects.filter(suppliers=supplier),
    }
    return form_page(
        request,
        form,
        lambda version, data: services.supplier_update(
            actor=request.user, supplier=supplier, expected_version=version, **data
        ),
        "sovereignty/supplier_detail.html",
        context,
        "supplier-detail",
    )


@login_required
def component_list(request: HttpRequest) -> HttpResponse:
    return _registry_list(
        request, selectors.components(request.user), ComponentFilterSet, "sovereignty/component_list.html"
    )


@login_required
@require_http_methods(["GET", "POST"])
def component_create(request: HttpRequest) -> HttpResponse:
    return _registry_create(
        request, ComponentForm, services.component_create, "sovereignty/component_form.html", "component-detail"
    )


@login_required
@require_http_methods(["GET", "POST"])
def component_detail(request: HttpRequest, pk: int) -> HttpResponse:
    component = get_object_for_user(selectors.components(request.user), request.user, pk)
    editable = can_change(request.user, component)
    if request.method == "POST" and not editable:
        raise PermissionDenied
    form = ComponentForm(request.POST or None, instance=component, initial={"version": component.version})
    context = {
        "component": component,
        "editable": editable,
        "model_card": json.dumps(component.model_card, indent=2, ensure_ascii=False) if component.model_card else "",
        "uses": selectors.bom_entries(request.user).filter(component=component).order_by("use_case__name")[:100],
    }
    return form_page(
        request,
        form,
        lambda version, data: services.component_update(
            actor=request.user, component=component, expected_version=version, **data
        ),
        "sovereignty/component_detail.html",
        context,
        "component-detail",
    )


# --- a use case's AI-BOM ------------------------------------------------------------------------------------


@login_required
@require_POST
def bom_add(request: HttpRequest, pk: int) -> HttpResponse:
    use_case = get_object_for_user(UseCase.objects.all(), request.user, pk, "change")
    form = BomEntryForm(request.POST)
    if not form.is_valid():
        messages.error(request, form_errors_text(form))
    else:
        try:
            services.bom_add(actor=request.user, use_case=use_case, **form.cleaned_data)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("Added to the AI-BOM."))
    return redirect(f"/use-cases/{use_case.pk}/#aibom")


@login_required
@require_POST
def bom_remove(request: HttpRequest, pk: int) -> HttpResponse:
    entry = get_object_for_user(BomEntry.objects.select_related("use_case"), request.user, pk, "change")
    services.bom_remove(actor=request.user, entry=entry)
    messages.success(request, _("Removed from the AI-BOM."))
    return redirect(f"/use-cases/{entry.use_case_id}/#aibom")


@login_required
@require_http_methods(["GET", "POST"])
def aibom_import(request: HttpRequest, pk: int) -> HttpResponse:
    use_case = get_object_for_user(UseCase.objects.all(), request.user, pk, "change")
    form = AibomUploadForm(request.POST or None, request.FILES or None)
    outcome = problems = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            outcome = services.import_aibom(
                actor=request.user, use_case=use_case, content=upload.read(), dry_run=form.cleaned_data["dry_run"]
            )
        except services.AibomErrors as exc:
            problems = exc.problems
        else:
            if not outcome.dry_run:
                messages.success(
                    request,
                    _("AI-BOM imported: %(new)s added, %(updated)s updated, %(same)s unchanged.")
                    % {
                        "new": len(outcome.created),
                        "updated": len(outcome.updated),
                        "same": len(outcome.unchanged),
                    },
                )
    return render(
        request,
        "sovereignty/aibom_import.html",
        {"use_case": use_case, "form": form, "outcome": outcome, "problems": problems},
    )


@login_required
def aibom_export(request: HttpRequest, pk: int) -> HttpResponse:
    use_case = get_object_for_user(UseCase.objects.all(), request.user, pk)
    document = services.export_aibom(use_case)
    response = HttpResponse(
        json.dumps(document, indent=2, ensure_ascii=False), content_type="application/vnd.cyclonedx+json"
    )
    response["Content-Disposition"] = f'attachment; filename="aibom-use-case-{use_case.pk}.cdx.json"'
    return response


# --- agreements ---------------------------------------------------------------------------------------------


@login_required
def agreement_list(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "sovereignty/agreement_list.html",
        {
            "agreements": selectors.agreements(request.user).prefetch_related("suppliers", "organisations"),
            "in_force": set(selectors.agreements_in_force(dt.date.today()).values_list("pk", flat=True)),
            "is_hq_admin": scope_for(request.user).is_hq_admin,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def agreement_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    require_hq_admin_page(request)
    agreement = get_object_for_user(Agreement.objects.all(), request.user, pk) if pk else None
    form = AgreementForm(
        request.POST or None, instance=agreement, initial={"version": agreement.version} if agreement else None
    )
    if agreement is None:
        save = lambda version, data: services.agreement_create(actor=request.user, **data)  # noqa: E731
    else:
        save = lambda version, data: services.agreement_update(  # noqa: E731
            actor=request.user, agreement=agreement, expected_version=version, **data
        )
    return form_page(request, form, save, "sovereignty/agreement_form.html", {"agreement": agreement}, "agreement-edit")


# --- scenarios ------------------------------------------------------------------------------------------------


@login_required
def scenario_list(request: HttpRequest) -> HttpResponse:
    rows = list(selectors.scenarios(request.user).prefetch_related("suppliers", "components")[:50])
    return render(
        request,
        "sovereignty/scenario_list.html",
        {
            "rows": list(zip(rows, selectors.scenario_results(request.user, rows), strict=True)),
            "is_hq_admin": scope_for(request.user).is_hq_admin,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def scenario_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    require_hq_admin_page(request)
    scenario = get_object_for_user(CutoffScenario.objects.all(), request.user, pk) if pk else None
    form = ScenarioForm(
        request.POST or None, instance=scenario, initial={"version": scenario.version} if scenario else None
    )
    if scenario is None:
        save = lambda version, data: services.scenario_create(actor=request.user, **data)  # noqa: E731
    else:
        save = lambda version, data: services.scenario_update(  # noqa: E731
            actor=request.user, scenario=scenario, expected_version=version, **data
        )
    return form_page(request, form, save, "sovereignty/scenario_form.html", {"scenario": scenario}, "cutoff-detail")


@login_required
def scenario_detail(request: HttpRequest, pk: int) -> HttpResponse:
    scenario = get_object_for_user(CutoffScenario.objects.prefetch_related("suppliers", "components"), request.user, pk)
    result = selectors.scenario_result(request.user, scenario)
    if request.GET.get("format") == "csv":
        return _scenario_csv(scenario, result)
    from aihq.registry.models import Region, Sector

    return render(
        request,
        "sovereignty/scenario_detail.html",
        {
            "scenario": scenario,
            "result": result,
            "is_hq_admin": scope_for(request.user).is_hq_admin,
            "region_names": {r.code: r.name for r in Region.objects.filter(code__in=list(result.by_region))},
            "sector_names": {s.code: s.name for s in Sector.objects.filter(code__in=list(result.by_sector))},
        },
    )


def _scenario_csv(scenario: CutoffScenario, result: selectors.ScenarioResult) -> HttpResponse:
    headers = ["use_case_id", "use_case", "organisation", "breaks", "cut_components", "alternatives_for_all",
               "indicators"]  # fmt: skip
    rows = [
        {
            "use_case_id": item.use_case.pk,
            "use_case": item.use_case.name,
            "organisation": item.use_case.organisation.code,
            "breaks": "yes" if item.impact.breaks else "no",
            "cut_components": "; ".join(
                str(item.components.get(h.component_id, h.component_id)) for h in item.impact.hit
            ),
            "alternatives_for_all": "yes" if item.impact.all_have_alternatives else "no",
            "indicators": "; ".join(i.code for i in item.indicators),
        }
        for item in result.affected
    ]
    response = HttpResponse(write_rows(headers, rows, "csv"), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="cutoff-scenario-{scenario.pk}.csv"'
    return response


@login_required
@require_http_methods(["GET", "POST"])
def settings_page(request: HttpRequest) -> HttpResponse:
    current = selectors.settings()
    is_admin = scope_for(request.user).is_hq_admin
    if request.method == "POST" and not is_admin:
        raise PermissionDenied
    form = SettingsForm(request.POST or None, instance=current, initial={"version": current.version or None})
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        version = data.pop("version", None)
        if run_service(form, lambda: services.settings_update(actor=request.user, expected_version=version, **data))[0]:
            messages.success(request, _("Changes saved."))
            return redirect("sovereignty-settings-page")
    return render(request, "sovereignty/settings.html", {"form": form, "editable": is_admin})
