"""Top-level URLs: pages, the API, health check, language switch."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.urls import include, path

from aihq.core import views as core_views

urlpatterns = [
    path("healthz", core_views.healthz, name="healthz"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/v1/", include("aihq.api_urls")),
    path("", include("aihq.accounts.urls")),
    # Single sign-on (OpenID Connect): authenticate/, callback/ (404 while it is off), logout/.
    path("oidc/", include("mozilla_django_oidc.urls")),
    path("audit/", include("aihq.audit.urls")),
    path("", include("aihq.exchange.urls")),
    path("", include("aihq.objectives.urls")),
    path("", include("aihq.energy.urls")),
    path("", include("aihq.regulation.urls")),
    path("", include("aihq.sovereignty.urls")),
    path("", include("aihq.publication.urls")),
    path("", include("aihq.coordination.urls")),
    path("", include("aihq.evaluation.urls")),
    path("", include("aihq.notifications.urls")),
    path("", include("aihq.webhooks.urls")),
    path("", include("aihq.routines.urls")),
    path("register/", include("aihq.publication.public_urls")),
    path("", include("aihq.registry.urls")),
]


def handler404(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return core_views.not_found(request, exception)


def handler500(request: HttpRequest) -> HttpResponse:
    return core_views.server_error(request)
