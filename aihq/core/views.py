"""Health check, error pages (JSON under /api/, HTML elsewhere), and the create/edit page flow."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from aihq.accounts.permissions import scope_for
from aihq.core.api import is_api_request, json_not_found, json_server_error
from aihq.core.forms import run_service


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """For load balancers: 200 when the database answers, 503 otherwise."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception:  # any database failure means "not healthy", whatever its type
        return JsonResponse({"status": "error", "database": "unavailable"}, status=503)
    return JsonResponse({"status": "ok", "database": "ok"})


def not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if is_api_request(request):
        return json_not_found(request, exception)
    return render(request, "404.html", status=404)


def server_error(request: HttpRequest) -> HttpResponse:
    if is_api_request(request):
        return json_server_error(request)
    return render(request, "500.html", status=500)


def form_page(
    request: HttpRequest,
    form: Any,
    save: Any,
    template: str,
    context: dict[str, Any],
    detail: str,
) -> HttpResponse:
    """A create or edit page: ``save(version, fields)`` a valid form, then go to ``detail``; errors stay on the form."""
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        version = data.pop("version", None)
        if form.instance.pk:
            data.pop("code", None)  # codes are natural keys: never changed by an edit
        done, saved = run_service(form, lambda: save(version, data))
        if done:
            messages.success(request, _("Changes saved.") if form.instance.pk else _("Added."))
            return redirect(detail, pk=saved.pk)
    return render(request, template, {"form": form, "creating": not form.instance.pk, **context})


def querystring(request: HttpRequest) -> str:
    """The request's filters without the page number, for pagination links."""
    params = request.GET.copy()
    params.pop("page", None)
    return params.urlencode()


def safe_local_url(url: str) -> bool:
    """Whether ``url`` is a path on this site ("/…"), never another site's ("//host", "/\\host", "https://…"):
    where a "next" or a stored link may send the browser."""
    return (
        url.startswith("/")
        and not url.startswith("//")
        and "\\" not in url
        and not any(ord(c) < 32 or ord(c) == 127 for c in url)
        and url_has_allowed_host_and_scheme(url, allowed_hosts=None)
    )


def require_hq_admin_page(request: HttpRequest) -> None:
    """A page only HQ admins may open: 403 for everyone else."""
    if not scope_for(request.user).is_hq_admin:
        raise PermissionDenied
