"""Pages: what I owe, the reporting cycles and each cycle's state by organisation."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from aihq.accounts.permissions import scope_for
from aihq.core.forms import form_errors_text
from aihq.core.views import form_page, querystring, require_hq_admin_page, safe_local_url
from aihq.routines import selectors, services
from aihq.routines.forms import ConfirmForm, CycleForm
from aihq.routines.models import ReportingCycle


@login_required
def task_list(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    tasks = selectors.my_tasks(request.user, today, everyone=True)
    state = request.GET.get("state", "")
    if state in ("due", "overdue"):
        tasks = [t for t in tasks if t.state(today) == state]
    return render(
        request,
        "routines/task_list.html",
        {
            "page": Paginator(tasks, 50).get_page(request.GET.get("page")),
            "today": today,
            "state": state,
            "querystring": querystring(request),
            "is_hq_admin": scope_for(request.user).is_hq_admin,
        },
    )


@login_required
def cycle_list(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "routines/cycle_list.html",
        {"cycles": selectors.cycles(request.user), "is_hq_admin": scope_for(request.user).is_hq_admin},
    )


@login_required
def cycle_detail(request: HttpRequest, pk: int) -> HttpResponse:
    cycle = get_object_or_404(selectors.cycles(request.user), pk=pk)
    today = timezone.localdate()
    return render(
        request,
        "routines/cycle_detail.html",
        {
            "cycle": cycle,
            "today": today,
            "periods": selectors.cycle_periods(cycle, request.user, today),
            "sent": Paginator(selectors.reminders_sent(cycle, request.user), 50).get_page(request.GET.get("page")),
            "is_hq_admin": scope_for(request.user).is_hq_admin,
            "changeable": scope_for(request.user).change_org_ids,
        },
    )


def _save(request: HttpRequest, cycle: ReportingCycle | None) -> Any:
    def save(version: int | None, data: dict[str, Any]) -> ReportingCycle:
        if cycle is None:
            return services.cycle_create(actor=request.user, **data)
        return services.cycle_update(actor=request.user, cycle=cycle, expected_version=version, **data)

    return save


@login_required
@require_http_methods(["GET", "POST"])
def cycle_create(request: HttpRequest) -> HttpResponse:
    require_hq_admin_page(request)
    form = CycleForm(request.POST or None, initial={"starts_on": timezone.localdate()})
    return form_page(request, form, _save(request, None), "routines/cycle_form.html", {}, "cycle-detail")


@login_required
@require_http_methods(["GET", "POST"])
def cycle_edit(request: HttpRequest, pk: int) -> HttpResponse:
    require_hq_admin_page(request)
    cycle = get_object_or_404(ReportingCycle, pk=pk)
    form = CycleForm(request.POST or None, instance=cycle, initial={"version": cycle.version})
    return form_page(request, form, _save(request, cycle), "routines/cycle_form.html", {"cycle": cycle}, "cycle-detail")


@login_required
@require_POST
def cycle_delete(request: HttpRequest, pk: int) -> HttpResponse:
    require_hq_admin_page(request)
    cycle = get_object_or_404(ReportingCycle, pk=pk)
    services.cycle_delete(actor=request.user, cycle=cycle)
    messages.success(request, _("Reporting cycle deleted."))
    return redirect("cycle-list")


@login_required
@require_POST
def cycle_confirm(request: HttpRequest, pk: int) -> HttpResponse:
    """The organisation confirms its report (its inventory is current) for a period."""
    cycle = get_object_or_404(selectors.cycles(request.user), pk=pk)
    form = ConfirmForm(request.POST)
    if not form.is_valid():
        messages.error(request, form_errors_text(form))
    else:
        try:
            services.confirm(actor=request.user, cycle=cycle, **form.cleaned_data)
        except (ValidationError, PermissionDenied) as exc:
            text = " ".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)
            messages.error(request, text)
        else:
            messages.success(request, _("Confirmed: no more reminders for this period."))
    back = request.POST.get("next", "")
    return redirect(back if safe_local_url(back) else "task-list")
