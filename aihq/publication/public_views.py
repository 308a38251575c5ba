"""The public register at /register/: no login, published records only, English and Russian, open data.

Every read goes through ``selectors.published()``: a record that is not published (never, or withdrawn)
is a 404 here, as is everything when the HQ has not opened the register. ``?lang=en|ru`` chooses the
language, so each page has a stable URL per language and no session or form is needed.
"""

from __future__ import annotations

import functools
import hashlib
import json
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.utils.http import http_date, quote_etag
from django.views.decorators.http import require_safe

from aihq.exchange.services import EXPORT_KINDS, write_rows
from aihq.publication import fields as catalogue
from aihq.publication import opendata, selectors
from aihq.publication.models import PublicationProfile

PAGE_SIZE = 25
LANGUAGES = {code for code, _ in settings.LANGUAGES}


def public(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """A register page: 404 while the register is closed; ``?lang=`` honoured; cacheable by anyone, but always
    revalidated (a withdrawn record must disappear at once): an ETag from the register's last change, the
    language and the address, so an unchanged page costs a 304 and two queries."""

    @require_safe
    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        profile = PublicationProfile.current()
        if not profile.enabled:
            raise Http404("The public register is not open.")
        lang = request.GET.get("lang", "")
        language = lang if lang in LANGUAGES else translation.get_language()
        changed = selectors.last_change()
        key = f"{changed.isoformat() if changed else '-'}|{profile.version}|{language}|{request.get_full_path()}"
        etag = quote_etag(hashlib.sha256(key.encode("utf-8")).hexdigest()[:32])
        if etag in [tag.strip() for tag in request.headers.get("If-None-Match", "").split(",")]:
            response = HttpResponse(status=304)
        else:
            with translation.override(language):
                request.LANGUAGE_CODE = language
                response = view(request, profile, *args, **kwargs)
                response.headers.setdefault("Content-Language", language)
        if response.status_code in (200, 304):
            response["ETag"] = etag
            if changed is not None:
                response["Last-Modified"] = http_date(changed.timestamp())
        patch_cache_control(response, public=True, max_age=0, must_revalidate=True)
        patch_vary_headers(response, ("Accept-Language", "Cookie"))
        return response

    return wrapper


def _language_links(request: HttpRequest) -> list[dict[str, Any]]:
    links = []
    for code, name in (("en", "English"), ("ru", "Русский")):
        params = request.GET.copy()
        params["lang"] = code
        links.append({"code": code, "name": name, "query": params.urlencode()})
    return links


def _base(request: HttpRequest, profile: PublicationProfile) -> dict[str, Any]:
    return {
        "profile": profile,
        "language_links": _language_links(request),
        "lang": translation.get_language(),
        "labels": {f.key: f.label for f in catalogue.FIELDS},
    }


def _selected(request: HttpRequest) -> dict[str, list[str]]:
    return {key: request.GET.getlist(key) for key in selectors.FACET_ORDER if request.GET.getlist(key)}


@public
def register(request: HttpRequest, profile: PublicationProfile) -> HttpResponse:
    selected = _selected(request)
    q = request.GET.get("q", "")[:200]
    records = selectors.search(selected, q, profile)
    order = "name" if request.GET.get("sort") == "name" else "recent"
    ordered = records.order_by("public_name", "pk") if order == "name" else records.order_by("-published_at", "-pk")
    page = Paginator(ordered.select_related("current"), PAGE_SIZE).get_page(request.GET.get("page"))
    items = [(record, selectors.public_view(record, profile)) for record in page.object_list]
    params = request.GET.copy()
    params.pop("page", None)
    return render(
        request,
        "publication/public/register.html",
        {
            **_base(request, profile),
            "page": page,
            "items": items,
            "facets": selectors.facet_counts(records, profile, selected, q),
            "selected": selected,
            "q": q,
            "order": order,
            "total": page.paginator.count,
            "querystring": params.urlencode(),
            "filtered": bool(selected or q),
        },
    )


def _record_or_404(pk: int) -> Any:
    record = selectors.public_record(pk)
    if record is None:
        raise Http404("No such published record.")
    return record


@public
def record(request: HttpRequest, profile: PublicationProfile, pk: int, number: int | None = None) -> HttpResponse:
    found = _record_or_404(pk)
    shown = found.current if number is None else found.versions.filter(number=number).first()
    if shown is None:
        raise Http404("No such version.")
    view = selectors.public_view(found, profile, shown)
    return render(
        request,
        "publication/public/record.html",
        {
            **_base(request, profile),
            "record": found,
            "shown": shown,
            "is_current": shown.pk == found.current_id,
            "view": view,
            "rows": [(catalogue.BY_KEY[key], value) for key, value in view.items() if key != "name"],
            "versions": selectors.history(found, profile),
        },
    )


@public
def open_data(request: HttpRequest, profile: PublicationProfile) -> HttpResponse:
    mappings = opendata.mappings()
    return render(
        request,
        "publication/public/open_data.html",
        {
            **_base(request, profile),
            "fields": [f for f in catalogue.FIELDS if f.key in set(profile.public_fields) | catalogue.REQUIRED],
            "columns": opendata.columns(profile.public_fields),
            "standards": mappings.get("standards", []),
            "unmapped": mappings.get("unmapped", []),
            "count": selectors.published().count(),
        },
    )


def _record_body(request: HttpRequest, found: Any, profile: PublicationProfile) -> dict[str, Any]:
    """One published record as open data: its public view with its number, address, version and date."""
    url = request.build_absolute_uri(reverse("register-record", args=[found.pk]))
    version = found.current
    return opendata.record_json(
        found.pk, url, version.number, version.published_at, version.shown(profile.public_fields)
    )


def _records_json(request: HttpRequest, profile: PublicationProfile) -> list[dict[str, Any]]:
    records = selectors.published().select_related("current").order_by("pk").iterator(chunk_size=500)
    return [_record_body(request, found, profile) for found in records]


@public
def dump(request: HttpRequest, profile: PublicationProfile, kind: str) -> HttpResponse:
    if kind not in EXPORT_KINDS:
        raise Http404
    records = _records_json(request, profile)
    stamp = timezone.now().strftime("%Y%m%d")
    if kind == "json":
        body = {
            "register": {
                "title_en": profile.title_en,
                "title_ru": profile.title_ru,
                "publisher": profile.publisher,
                "licence": profile.licence,
                "licence_url": profile.licence_url,
                "schema": request.build_absolute_uri(reverse("register-schema")),
                "generated_at": timezone.now().isoformat(),
                "count": len(records),
            },
            "records": records,
        }
        content = json.dumps(body, ensure_ascii=False, indent=1).encode("utf-8")
    else:
        content = write_rows(
            opendata.columns(profile.public_fields), opendata.flat_rows(records), kind, sheet="register"
        )
    response = HttpResponse(content, content_type=EXPORT_KINDS[kind])
    response["Content-Disposition"] = f'attachment; filename="ai-register-{stamp}.{kind}"'
    return response


@public
def record_json(request: HttpRequest, profile: PublicationProfile, pk: int) -> HttpResponse:
    found = _record_or_404(pk)
    body = _record_body(request, found, profile)
    body["history"] = [
        {
            "version": v.number,
            "published_at": v.published_at.isoformat(),
            "changed": v.visible_changed,  # type: ignore[attr-defined]
            "withdrawn_at": v.withdrawn_at.isoformat() if v.withdrawn_at else None,
        }
        for v in selectors.history(found, profile)
    ]
    return JsonResponse(body, json_dumps_params={"ensure_ascii": False, "indent": 1})


@public
def schema(request: HttpRequest, profile: PublicationProfile) -> HttpResponse:
    return JsonResponse(opendata.json_schema(), json_dumps_params={"indent": 1})
