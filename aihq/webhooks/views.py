"""Webhook pages: the endpoints with their latest delivery and failures, an endpoint with its secret (right after
it is created or rotated only), its test ping and delivery log, a delivery with every attempt. HQ admins change;
auditors read; everyone else gets 403."""

from __future__ import annotations

import json
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from aihq.accounts.permissions import get_object_for_user, scope_for
from aihq.core.forms import run_service
from aihq.core.http import non_empty_query
from aihq.core.services import ConflictError
from aihq.core.views import form_page, querystring, require_hq_admin_page
from aihq.webhooks import delivery, protocol, selectors, services
from aihq.webhooks.filtersets import DeliveryFilterSet
from aihq.webhooks.forms import EndpointForm
from aihq.webhooks.models import Delivery, DeliveryState, Endpoint


def _require_reader(request: HttpRequest) -> None:
    if not scope_for(request.user).sees_everything:
        raise PermissionDenied


@login_required
def endpoint_list(request: HttpRequest) -> HttpResponse:
    _require_reader(request)
    endpoints = list(selectors.endpoint_list(request.user).order_by("name", "pk"))
    labels = dict(DeliveryState.choices)
    for endpoint in endpoints:
        endpoint.last_state_label = labels.get(endpoint.last_state, "")  # type: ignore[attr-defined]
    return render(
        request,
        "webhooks/endpoint_list.html",
        {"endpoints": endpoints, "is_hq_admin": scope_for(request.user).is_hq_admin},
    )


def _secret_key(pk: int) -> str:
    return f"webhook-secret-{pk}"


def _show_secret_once(request: HttpRequest, endpoint: Endpoint, secret: str) -> HttpResponse:
    """Go to the endpoint's page, which shows the new secret this once (a reload does not create or rotate again)."""
    request.session[_secret_key(endpoint.pk)] = secret
    return redirect("webhook-detail", pk=endpoint.pk)


@never_cache
@login_required
def endpoint_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """An endpoint with its delivery log (filtered, newest first, 50 a page) and, once, its new secret."""
    _require_reader(request)
    endpoint = get_object_for_user(selectors.endpoints(request.user), request.user, pk)
    new_secret = request.session.pop(_secret_key(endpoint.pk), None)
    deliveries = selectors.delivery_list(request.user).filter(endpoint=endpoint)
    filterset = DeliveryFilterSet(non_empty_query(request.GET), queryset=deliveries)
    queryset = filterset.qs if (filterset.is_bound and filterset.is_valid()) else filterset.queryset
    return render(
        request,
        "webhooks/endpoint_detail.html",
        {
            "endpoint": endpoint,
            "new_secret": new_secret,
            "filterset": filterset,
            "page": Paginator(queryset, 50).get_page(request.GET.get("page")),
            "querystring": querystring(request),
            "is_hq_admin": scope_for(request.user).is_hq_admin,
            "states": DeliveryState.choices,
            "headers": {
                "event": protocol.HEADER_EVENT,
                "delivery": protocol.HEADER_DELIVERY,
                "timestamp": protocol.HEADER_TIMESTAMP,
                "signature": protocol.HEADER_SIGNATURE,
            },
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def endpoint_create(request: HttpRequest) -> HttpResponse:
    require_hq_admin_page(request)
    form = EndpointForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        data.pop("version", None)
        done, result = run_service(form, lambda: services.endpoint_create(actor=request.user, **data))
        if done:
            endpoint, secret = result
            messages.success(request, _("Endpoint added. Copy its secret now: it will not be shown again."))
            return _show_secret_once(request, endpoint, secret)
    return render(request, "webhooks/endpoint_form.html", {"form": form, "creating": True})


@login_required
@require_http_methods(["GET", "POST"])
def endpoint_edit(request: HttpRequest, pk: int) -> HttpResponse:
    require_hq_admin_page(request)
    endpoint: Endpoint = get_object_for_user(Endpoint.objects.all(), request.user, pk, "change")
    form = EndpointForm(request.POST or None, instance=endpoint, initial={"version": endpoint.version})

    def save(version: int | None, data: dict[str, Any]) -> Endpoint:
        return services.endpoint_update(actor=request.user, endpoint=endpoint, expected_version=version, **data)

    return form_page(request, form, save, "webhooks/endpoint_form.html", {"endpoint": endpoint}, "webhook-detail")


def _posted_version(request: HttpRequest) -> int | None:
    """The version the page showed, sent back with a delete or a rotation (409 when someone changed it since)."""
    version = request.POST.get("version", "")
    return int(version) if version.isdigit() else None


@login_required
@require_http_methods(["GET", "POST"])
def endpoint_delete(request: HttpRequest, pk: int) -> HttpResponse:
    require_hq_admin_page(request)
    endpoint: Endpoint = get_object_for_user(Endpoint.objects.all(), request.user, pk, "change")
    if request.method == "POST":
        try:
            services.endpoint_delete(actor=request.user, endpoint=endpoint, expected_version=_posted_version(request))
        except ConflictError as exc:
            messages.error(request, str(exc))
            return redirect("webhook-detail", pk=endpoint.pk)
        messages.success(request, _("Endpoint deleted with its delivery log."))
        return redirect("webhook-list")
    return render(request, "webhooks/endpoint_confirm_delete.html", {"endpoint": endpoint})


@login_required
@require_POST
def endpoint_rotate(request: HttpRequest, pk: int) -> HttpResponse:
    require_hq_admin_page(request)
    endpoint: Endpoint = get_object_for_user(Endpoint.objects.all(), request.user, pk, "change")
    try:
        rotated, secret = services.endpoint_rotate_secret(
            actor=request.user, endpoint=endpoint, expected_version=_posted_version(request)
        )
    except ConflictError as exc:
        messages.error(request, str(exc))
        return redirect("webhook-detail", pk=endpoint.pk)
    messages.success(
        request, _("New secret set: the old one no longer signs. Copy it now: it will not be shown again.")
    )
    return _show_secret_once(request, rotated, secret)


@login_required
@require_POST
def endpoint_test(request: HttpRequest, pk: int) -> HttpResponse:
    """Send a test ping now and say how the receiver answered."""
    require_hq_admin_page(request)
    endpoint: Endpoint = get_object_for_user(Endpoint.objects.all(), request.user, pk, "change")
    sent = delivery.deliver_now(services.send_test(actor=request.user, endpoint=endpoint))
    if sent.state == DeliveryState.SUCCEEDED:
        messages.success(
            request, _("Test ping delivered: the receiver answered %(status)s.") % {"status": sent.last_status_code}
        )
    else:
        messages.error(request, _("Test ping failed: %(error)s") % {"error": sent.last_error or _("no answer")})
    return redirect("webhook-detail", pk=endpoint.pk)


@login_required
def delivery_detail(request: HttpRequest, pk: int) -> HttpResponse:
    _require_reader(request)
    item: Delivery = get_object_for_user(selectors.delivery_detail(request.user), request.user, pk)
    return render(
        request,
        "webhooks/delivery_detail.html",
        {
            "delivery": item,
            "body": _readable(item.body),
            "attempts": list(item.attempt_log.all()),
            "is_hq_admin": scope_for(request.user).is_hq_admin,
        },
    )


def _readable(body: str) -> str:
    """The body indented for reading (what is sent is the compact text, as the API shows it)."""
    try:
        return json.dumps(json.loads(body), ensure_ascii=False, indent=2)
    except ValueError:
        return body


@login_required
@require_POST
def delivery_redeliver(request: HttpRequest, pk: int) -> HttpResponse:
    require_hq_admin_page(request)
    item: Delivery = get_object_for_user(Delivery.objects.all(), request.user, pk, "change")
    try:
        services.redeliver(actor=request.user, delivery=item)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Delivery queued again: it is sent within the next run of the delivery job."))
    if request.POST.get("next") == "delivery":
        return redirect("webhook-delivery", pk=item.pk)
    return redirect("webhook-detail", pk=item.endpoint_id)
