"""Import and export pages: upload → preview (dry run) → confirm; history; downloads."""

from __future__ import annotations

from pathlib import Path

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from aihq.accounts.permissions import can_change, writable_organisations
from aihq.core.http import non_empty_query
from aihq.exchange import selectors, services
from aihq.exchange.formats import FORMAT_NAMES
from aihq.exchange.forms import ImportForm
from aihq.exchange.models import ImportRun, ImportStatus
from aihq.registry import selectors as registry_selectors
from aihq.registry.filtersets import UseCaseFilterSet


def _run_for_user(request: HttpRequest, pk: int) -> ImportRun:
    run = selectors.import_run_list(request.user).filter(pk=pk).first()
    if run is None:
        raise Http404
    return run


@login_required
def import_list(request: HttpRequest) -> HttpResponse:
    page = Paginator(selectors.import_run_list(request.user), 30).get_page(request.GET.get("page"))
    return render(
        request,
        "exchange/import_list.html",
        {"page": page, "can_import": writable_organisations(request.user).exists(), "querystring": ""},
    )


@login_required
@require_http_methods(["GET", "POST"])
def import_new(request: HttpRequest) -> HttpResponse:
    if not writable_organisations(request.user).exists():
        raise PermissionDenied
    form = ImportForm(request.POST or None, request.FILES or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        run = services.import_usecases(
            actor=request.user,
            data=upload.read(),
            file_name=upload.name,
            options=services.ImportOptions(
                format=form.cleaned_data["format"] or None,
                organisation=form.cleaned_data["organisation"],
                dry_run=True,
                strict=form.cleaned_data["strict"],
                on_conflict=form.cleaned_data["on_conflict"],
            ),
            keep_file=True,
        )
        return redirect("import-detail", pk=run.pk)
    return render(request, "exchange/import_new.html", {"form": form, "formats": FORMAT_NAMES})


@login_required
def import_detail(request: HttpRequest, pk: int) -> HttpResponse:
    run = _run_for_user(request, pk)
    level = request.GET.get("level", "")
    problems = [p for p in run.problems if not level or p["level"] == level]
    can_apply = (
        run.status == ImportStatus.DRY_RUN
        and bool(run.stored_file)
        and can_change(request.user, run)
        and (timezone.now() - run.created_at).total_seconds() < 24 * 3600
    )
    return render(
        request,
        "exchange/import_detail.html",
        {
            "run": run,
            "summary": selectors.run_summary(run),
            "problems": problems[:500],
            "more_problems": max(len(problems) - 500, 0),
            "level": level,
            "can_apply": can_apply,
        },
    )


@login_required
@require_POST
def import_apply(request: HttpRequest, pk: int) -> HttpResponse:
    preview = _run_for_user(request, pk)
    if preview.status != ImportStatus.DRY_RUN or not preview.stored_file or not can_change(request.user, preview):
        raise PermissionDenied
    path = Path(preview.stored_file)
    if not path.is_file():
        messages.error(request, _("The uploaded file is no longer kept; upload it again."))
        return redirect("import-new")
    options = services.ImportOptions(
        format=preview.format or None,
        organisation=preview.organisation,
        strict=bool(preview.options.get("strict")),
        on_conflict=preview.options.get("on_conflict", "update"),
        encoding=preview.options.get("encoding"),
    )
    run = services.import_usecases(
        actor=request.user, data=path.read_bytes(), file_name=preview.file_name, options=options
    )
    ImportRun.objects.filter(pk=run.pk).update(preview_of=preview)
    if run.status == ImportStatus.APPLIED:
        # Kept after an abort, so the user can fix the conflict and confirm again without uploading.
        path.unlink(missing_ok=True)
        ImportRun.objects.filter(pk=preview.pk).update(stored_file="")
    if run.status == ImportStatus.APPLIED:
        messages.success(request, selectors.run_summary(run))
    else:
        messages.error(request, selectors.run_summary(run))
    return redirect("import-detail", pk=run.pk)


@login_required
def import_rejects(request: HttpRequest, pk: int) -> FileResponse:
    run = _run_for_user(request, pk)
    path = Path(run.rejects_file) if run.rejects_file else None
    if path is None or not path.is_file():
        raise Http404
    return FileResponse(path.open("rb"), as_attachment=True, filename=f"rejects-{run.pk}{path.suffix}")


@login_required
def import_template(request: HttpRequest, kind: str) -> HttpResponse:
    if kind not in services.EXPORT_KINDS:
        raise Http404
    response = HttpResponse(services.template(kind), content_type=services.EXPORT_KINDS[kind])
    response["Content-Disposition"] = f'attachment; filename="aihq-use-cases-template.{kind}"'
    return response


def export_response(queryset: object, format_name: str) -> HttpResponse:
    """A download of ``queryset`` in ``format_name`` (shared by the page and the API)."""
    content, content_type, extension = services.export_queryset(queryset, format_name)  # type: ignore[arg-type]
    stamp = timezone.now().strftime("%Y%m%d-%H%M")
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="aihq-use-cases-{format_name}-{stamp}.{extension}"'
    return response


@login_required
def use_case_export(request: HttpRequest) -> HttpResponse:
    format_name = request.GET.get("format", "csv")
    if format_name not in FORMAT_NAMES:
        return HttpResponse(_("Unknown format."), status=400, content_type="text/plain; charset=utf-8")
    filterset = UseCaseFilterSet(non_empty_query(request.GET), queryset=registry_selectors.use_case_list(request.user))
    if filterset.is_bound and not filterset.is_valid():
        return HttpResponse(str(filterset.errors), status=400, content_type="text/plain; charset=utf-8")
    return export_response(filterset.qs if filterset.is_bound else filterset.queryset, format_name)
