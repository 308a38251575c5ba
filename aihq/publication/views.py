"""The HQ's side of the public register: a use case's publication, the approval queue and coverage, the profile."""

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

from aihq.accounts.permissions import can_change, get_object_for_user, scope_for
from aihq.core.forms import form_errors_text, run_service
from aihq.core.views import querystring, require_hq_admin_page
from aihq.publication import fields as catalogue
from aihq.publication import selectors, services, snapshot
from aihq.publication.forms import ApprovalForm, DecisionForm, ProfileForm, RequestForm, WithdrawForm
from aihq.publication.models import PublicationProfile, PublicationRecord, RequestState
from aihq.registry.models import UseCase
from aihq.registry.selectors import use_case_list

ACTIONS = ("request", "texts", "approve", "send_back", "withdraw")


@login_required
@require_http_methods(["GET", "POST"])
def use_case_publication(request: HttpRequest, pk: int) -> HttpResponse:
    use_case = get_object_for_user(use_case_list(request.user), request.user, pk)
    record = PublicationRecord.objects.select_related("current").filter(use_case=use_case).first()
    editable = can_change(request.user, use_case)
    approver = services.can_approve(request.user, use_case.organisation_id)
    initial = (
        {"contact": record.contact, "human_oversight": record.human_oversight, "data_used": record.data_used}
        if record
        else snapshot.prefill(use_case)
    )
    version = record.version if record else None
    forms_by_action: dict[str, Any] = {
        "request": RequestForm(initial={**initial, "version": version}),
        "approve": ApprovalForm(initial={"version": version, "use_case_version": use_case.version}),
        "send_back": DecisionForm(initial={"version": version}, prefix="back"),
        "withdraw": WithdrawForm(initial={"version": version}),
    }
    if request.method == "POST":
        action = request.POST.get("action", "")
        if action not in ACTIONS or (action in ("request", "texts") and not editable and not approver):
            raise PermissionDenied
        form_class, prefix = {
            "request": (RequestForm, None),
            "texts": (RequestForm, None),
            "approve": (ApprovalForm, None),
            "send_back": (DecisionForm, "back"),
            "withdraw": (WithdrawForm, None),
        }[action]
        form = form_class(request.POST, prefix=prefix)
        forms_by_action["request" if action == "texts" else action] = form
        if form.is_valid():
            data = dict(form.cleaned_data)
            expected = data.pop("version", None)
            if run_service(form, lambda: _act(request, action, use_case, record, expected, data))[0]:
                return redirect("usecase-publication", pk=use_case.pk)
        messages.error(request, form_errors_text(form) or _("The form has errors."))
    profile = PublicationProfile.current()
    # what would be published now, built once: the preview, and what changed since the public version
    preview = catalogue.public_view(
        snapshot.build(use_case, record or PublicationRecord(**initial)), profile.public_fields
    )
    current = record.current if record else None
    return render(
        request,
        "publication/use_case_publication.html",
        {
            "use_case": use_case,
            "profile": profile,
            "editable": editable,
            "approver": approver,
            "forms": forms_by_action,
            "versions": list(record.versions.all()) if record else [],
            "preview": preview,
            "record": record,
            "changed": catalogue.changed_keys(current.shown(profile.public_fields), preview) if current else [],
            "non_public": snapshot.non_public_reason(use_case),
        },
    )


def _act(
    request: HttpRequest,
    action: str,
    use_case: UseCase,
    record: PublicationRecord | None,
    expected: Any,
    data: dict[str, Any],
) -> None:
    user = request.user
    if action == "request":
        note = data.pop("note", "")
        services.request_publication(actor=user, use_case=use_case, note=note, expected_version=expected, **data)
        messages.success(request, _("Publication requested: a coordinator will review it."))
        return
    if record is None:
        raise ValidationError(_("This use case has no publication record yet."))
    if action == "texts":
        data.pop("note", None)
        services.update_texts(actor=user, record=record, expected_version=expected, **data)
        messages.success(request, _("Public texts saved; they are published with the next approved version."))
    elif action == "approve":
        version = services.approve(
            actor=user,
            record=record,
            note=data["note"],
            expected_version=expected,
            use_case_version=data.get("use_case_version"),
        )
        messages.success(request, _("Published as version %(n)s.") % {"n": version.number})
    elif action == "send_back":
        services.send_back(actor=user, record=record, note=data["note"], expected_version=expected)
        messages.success(request, _("The request was sent back."))
    elif action == "withdraw":
        was_public = record.is_published
        services.withdraw(actor=user, record=record, reason=data["reason"], expected_version=expected)
        messages.success(request, _("Withdrawn from the public register.") if was_public else _("Request cancelled."))


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    profile = PublicationProfile.current()
    rows, regions = selectors.coverage(request.user, profile)
    scope = scope_for(request.user)
    return render(
        request,
        "publication/dashboard.html",
        {
            "profile": profile,
            "queue": selectors.queue(request.user)[:100],
            "out_of_date": selectors.out_of_date(request.user)[:100],
            "sent_back": selectors.records(request.user).filter(request_state=RequestState.REJECTED)[:100],
            "rows": rows,
            "page": Paginator(rows, 50).get_page(request.GET.get("page")),
            "querystring": querystring(request),
            "totals": {
                "use_cases": sum(r.use_cases for r in rows),
                "published": sum(r.published for r in rows),
                "requested": sum(r.requested for r in rows),
                "publishing": sum(1 for r in rows if r.published),
            },
            "regions": regions,
            "region_rows": _region_rows(regions),
            "is_hq_admin": scope.is_hq_admin,
        },
    )


def _region_rows(counts: dict[str, int]) -> list[tuple[str, int]]:
    """Published records per region, with the regions' names, most first (the map's text alternative)."""
    from aihq.registry.models import Region

    names = {r.code: r.name for r in Region.objects.filter(code__in=list(counts))}
    return sorted(((names.get(code, code), n) for code, n in counts.items()), key=lambda row: (-row[1], row[0]))


@login_required
@require_http_methods(["GET", "POST"])
def profile_edit(request: HttpRequest) -> HttpResponse:
    require_hq_admin_page(request)
    profile = PublicationProfile.current()
    form = ProfileForm(request.POST or None, instance=profile if profile.pk else None)
    if request.method == "POST" and form.is_valid():
        data = {key: form.cleaned_data[key] for key in ProfileForm.Meta.fields}
        version = form.cleaned_data.get("version")
        if run_service(form, lambda: services.profile_update(actor=request.user, expected_version=version, **data))[0]:
            messages.success(request, _("Changes saved."))
            return redirect("publication")
    return render(request, "publication/profile.html", {"form": form, "profile": profile})


def record_by_id(request: HttpRequest, pk: int) -> HttpResponse:
    """From a record number to its use case's publication page (for the HQ), when the use case still exists."""
    record = get_object_for_user(selectors.records(request.user), request.user, pk)
    if record.use_case_id is None:
        raise Http404
    return redirect("usecase-publication", pk=record.use_case_id)
