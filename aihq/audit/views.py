"""The audit log pages, for HQ admins and auditors."""

from __future__ import annotations

from django.apps import apps
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from aihq.accounts.permissions import scope_for
from aihq.audit.filtersets import AuditEventFilterSet
from aihq.audit.recorder import is_audited, object_type
from aihq.audit.selectors import audit_event_list
from aihq.core.http import non_empty_query
from aihq.core.views import querystring


def _require_reader(request: HttpRequest) -> None:
    if not scope_for(request.user).sees_everything:
        raise PermissionDenied


@login_required
def event_list(request: HttpRequest) -> HttpResponse:
    _require_reader(request)
    filterset = AuditEventFilterSet(non_empty_query(request.GET), queryset=audit_event_list(request.user))
    queryset = filterset.qs if (filterset.is_bound and filterset.is_valid()) else filterset.queryset
    page = Paginator(queryset, 50).get_page(request.GET.get("page"))
    template = "audit/_event_table.html" if getattr(request, "htmx", False) else "audit/event_list.html"
    object_types = sorted(
        (
            (object_type(model), str(model._meta.verbose_name).capitalize())
            for model in apps.get_models()
            if is_audited(model)
        ),
        key=lambda pair: pair[1],
    )
    return render(
        request,
        template,
        {"filterset": filterset, "page": page, "querystring": querystring(request), "object_types": object_types},
    )


@login_required
def event_detail(request: HttpRequest, seq: int) -> HttpResponse:
    _require_reader(request)
    event = audit_event_list(request.user).filter(seq=seq).first()
    if event is None:
        raise Http404
    return render(request, "audit/event_detail.html", {"event": event, "changes": event.changed_fields()})
