"""Registry pages: dashboard, use cases, organisations. Thin: selectors read, services write."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from aihq.accounts.permissions import can_change, get_object_for_user, scope_for, writable_organisations
from aihq.audit.selectors import object_history
from aihq.core.api import totally_ordered
from aihq.core.forms import apply_service_errors
from aihq.core.http import non_empty_query
from aihq.core.services import ConflictError
from aihq.core.views import querystring, require_hq_admin_page
from aihq.registry import selectors, services
from aihq.registry.filtersets import UseCaseFilterSet
from aihq.registry.forms import OrganisationForm, UseCaseForm
from aihq.registry.models import Organisation, Stage, Technique, UseCase

PAGE_SIZES = (25, 50, 100)


def _page_size(request: HttpRequest) -> int:
    try:
        size = int(request.GET.get("page_size", PAGE_SIZES[0]))
    except ValueError:
        return PAGE_SIZES[0]
    return size if size in PAGE_SIZES else PAGE_SIZES[0]


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    counts = selectors.dashboard_counts(request.user)
    charts = {
        "stage": [{"name": row["label"], "value": row["count"], "key": row["key"]} for row in counts["by_stage"]],
        "sector": [{"name": row["label"], "value": row["count"], "key": row["key"]} for row in counts["by_sector"]],
        "region": [{"name": row["label"], "value": row["count"], "key": row["key"]} for row in counts["by_region"]],
        "organisation": [
            {"name": row["key"], "value": row["count"], "key": row["key"]} for row in counts["by_organisation"]
        ],
    }
    return render(
        request,
        "registry/dashboard.html",
        {"counts": counts, "charts": charts, "has_memberships": request.user.memberships.exists()},  # type: ignore[union-attr]
    )


@login_required
def use_case_list(request: HttpRequest) -> HttpResponse:
    filterset = UseCaseFilterSet(non_empty_query(request.GET), queryset=selectors.use_case_list(request.user))
    queryset = filterset.qs if filterset.is_bound else filterset.queryset
    if filterset.is_bound and not filterset.is_valid():
        queryset = filterset.queryset.none()
    paginator = Paginator(totally_ordered(queryset), _page_size(request))
    page = paginator.get_page(request.GET.get("page"))
    context = {
        "filterset": filterset,
        "page": page,
        "querystring": querystring(request),
        "stages": Stage.choices,
        "can_create": writable_organisations(request.user).exists(),
        "page_sizes": PAGE_SIZES,
        "export_formats": ("xlsx", "csv", "json", "omb-2024", "omb-2025"),
    }
    template = "registry/_use_case_table.html" if getattr(request, "htmx", False) else "registry/use_case_list.html"
    return render(request, template, context)


@login_required
def use_case_detail(request: HttpRequest, pk: int) -> HttpResponse:
    use_case = get_object_for_user(selectors.use_case_list(request.user), request.user, pk)
    history = object_history(use_case)[:20]
    return render(
        request,
        "registry/use_case_detail.html",
        {
            "use_case": use_case,
            "can_edit": can_change(request.user, use_case),
            "history": history,
            "techniques": [Technique(t).label for t in use_case.techniques if t in Technique.values],
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def use_case_create(request: HttpRequest) -> HttpResponse:
    if not writable_organisations(request.user).exists():
        raise PermissionDenied
    initial = {"organisation": request.GET.get("organisation")} if request.GET.get("organisation") else None
    form = UseCaseForm(request.POST or None, user=request.user, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            use_case = services.use_case_create(actor=request.user, **form.service_fields())
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, _("Use case “%(name)s” registered.") % {"name": use_case.name})
            return redirect("usecase-detail", pk=use_case.pk)
    return render(request, "registry/use_case_form.html", {"form": form, "creating": True})


@login_required
@require_http_methods(["GET", "POST"])
def use_case_edit(request: HttpRequest, pk: int) -> HttpResponse:
    use_case = get_object_for_user(UseCase.objects.all(), request.user, pk, "change")
    form = UseCaseForm(request.POST or None, instance=use_case, user=request.user)
    conflict = False
    if request.method == "POST" and form.is_valid():
        try:
            services.use_case_update(
                actor=request.user,
                use_case=use_case,
                expected_version=form.cleaned_data.get("version"),
                **form.service_fields(),
            )
        except ConflictError as exc:
            conflict = True
            form.add_error(None, str(exc))
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, _("Changes saved."))
            return redirect("usecase-detail", pk=use_case.pk)
    return render(
        request,
        "registry/use_case_form.html",
        {"form": form, "use_case": use_case, "creating": False, "conflict": conflict},
    )


@login_required
@require_http_methods(["GET", "POST"])
def use_case_delete(request: HttpRequest, pk: int) -> HttpResponse:
    use_case = get_object_for_user(UseCase.objects.all(), request.user, pk, "change")
    if request.method == "POST":
        try:
            services.use_case_delete(
                actor=request.user, use_case=use_case, expected_version=_int_or_none(request.POST.get("version"))
            )
        except ConflictError as exc:
            messages.error(request, str(exc))
            return redirect("usecase-detail", pk=use_case.pk)
        messages.success(request, _("Use case “%(name)s” deleted.") % {"name": use_case.name})
        return redirect("usecase-list")
    return render(request, "registry/use_case_confirm_delete.html", {"use_case": use_case})


def _int_or_none(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


@login_required
def organisation_tree(request: HttpRequest) -> HttpResponse:
    return render(request, "registry/organisation_tree.html", {"tree": selectors.organisation_tree(request.user)})


@login_required
def organisation_detail(request: HttpRequest, code: str) -> HttpResponse:
    organisation = selectors.organisation_list(request.user).filter(code=code).first()
    if organisation is None:
        raise Http404
    children = selectors.organisation_list(request.user).filter(parent=organisation).order_by("code")
    use_cases = selectors.use_case_list(request.user).filter(organisation=organisation).order_by("name")
    paginator = Paginator(use_cases, 50)
    page = paginator.get_page(request.GET.get("page"))
    ancestors: list[Organisation] = []
    node = organisation.parent
    while node is not None and len(ancestors) < 20:
        ancestors.insert(0, node)
        node = node.parent
    scope = scope_for(request.user)
    ancestors = [org for org in ancestors if scope.can_view_org(org.pk)]
    return render(
        request,
        "registry/organisation_detail.html",
        {
            "organisation": organisation,
            "children": children,
            "page": page,
            "ancestors": ancestors,
            "can_create": can_change(request.user, organisation),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def organisation_create(request: HttpRequest) -> HttpResponse:
    require_hq_admin_page(request)
    initial = {"parent": request.GET.get("parent")} if request.GET.get("parent") else None
    form = OrganisationForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            organisation = services.organisation_create(actor=request.user, **form.service_fields())
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, _("Organisation %(code)s added.") % {"code": organisation.code})
            return redirect("organisation-detail", code=organisation.code)
    return render(request, "registry/organisation_form.html", {"form": form, "creating": True})


@login_required
@require_http_methods(["GET", "POST"])
def organisation_edit(request: HttpRequest, code: str) -> HttpResponse:
    require_hq_admin_page(request)
    organisation = Organisation.objects.filter(code=code).first()
    if organisation is None:
        raise Http404
    form = OrganisationForm(request.POST or None, instance=organisation)
    if request.method == "POST" and form.is_valid():
        try:
            organisation = services.organisation_update(
                actor=request.user, organisation=organisation, **form.service_fields()
            )
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, _("Changes saved."))
            return redirect("organisation-detail", code=organisation.code)
    return render(
        request, "registry/organisation_form.html", {"form": form, "creating": False, "organisation": organisation}
    )


@login_required
@require_http_methods(["POST"])
def organisation_delete(request: HttpRequest, code: str) -> HttpResponse:
    require_hq_admin_page(request)
    organisation = Organisation.objects.filter(code=code).first()
    if organisation is None:
        raise Http404
    try:
        services.organisation_delete(actor=request.user, organisation=organisation)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("organisation-detail", code=code)
    messages.success(request, _("Organisation %(code)s deleted.") % {"code": code})
    return redirect("organisation-list")
