"""The notification centre: your notifications (filter, open, mark read) and how you want to be told."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from aihq.core.forms import run_service
from aihq.core.views import querystring, safe_local_url
from aihq.notifications import selectors, services
from aihq.notifications.kinds import DEFAULT_DELIVERY, Delivery, Kind

PAGE_SIZE = 50


class FilterForm(forms.Form):
    kind = forms.ChoiceField(label=gettext_lazy("Kind"), required=False)
    unread = forms.BooleanField(label=gettext_lazy("Unread only"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [("", _("Any")), *Kind.choices]  # type: ignore[attr-defined]


@login_required
@require_GET
def notification_list(request: HttpRequest) -> HttpResponse:
    form = FilterForm(request.GET or None)
    kind, unread = "", None
    if form.is_valid():
        kind = form.cleaned_data["kind"]
        unread = True if form.cleaned_data["unread"] else None
    notifications = selectors.filtered(selectors.own_notifications(request.user), kind=kind, unread=unread)
    page = Paginator(notifications, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "notifications/list.html",
        {
            "form": form,
            "kind": kind,
            "unread_only": bool(unread),
            "kinds": Kind.choices,
            "page": page,
            "querystring": querystring(request),
        },
    )


@login_required
@require_POST
def notification_read_all(request: HttpRequest) -> HttpResponse:
    """Mark all your unread notifications read (only those of the kind the list shows, when it is filtered)."""
    kind = request.POST.get("kind", "")
    if kind not in Kind.values:
        kind = ""
    count = services.mark_all_read(actor=request.user, kind=kind or None)
    if count:
        messages.success(request, _("%(count)d notifications marked as read.") % {"count": count})
    else:
        messages.info(request, _("Nothing was unread."))
    url = reverse("notification-list")
    params = {k: v for k, v in (("kind", kind), ("unread", request.POST.get("unread", ""))) if v}
    return HttpResponseRedirect(f"{url}?{urlencode(params)}" if params else url)


@login_required
@require_GET
def notification_open(request: HttpRequest, pk: int) -> HttpResponse:
    """Mark a notification read and go where it points (a page of this site; otherwise back to the list)."""
    notification = selectors.own_notifications(request.user).filter(pk=pk).first()
    if notification is None:
        raise Http404
    services.mark_read(actor=request.user, notification=notification)
    if notification.url and safe_local_url(notification.url):
        return HttpResponseRedirect(notification.url)
    return redirect("notification-list")


def _language_choices() -> list[tuple[str, Any]]:
    default = dict(settings.LANGUAGES).get(settings.LANGUAGE_CODE, settings.LANGUAGE_CODE)
    return [("", _("Site default (%(language)s)") % {"language": default}), *settings.LANGUAGES]


class PreferencesForm(forms.Form):
    """One select per kind of notification, and the language of e-mails."""

    language = forms.ChoiceField(
        label=gettext_lazy("Language of e-mails"),
        required=False,
        help_text=gettext_lazy("Notifications you receive from now on are written in this language."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["language"].choices = _language_choices()  # type: ignore[attr-defined]
        for kind in Kind:
            self.fields[f"kind_{kind.value}"] = forms.ChoiceField(
                label=kind.label,
                choices=Delivery.choices,
                help_text=Delivery(DEFAULT_DELIVERY[kind]).label,
            )

    def kind_fields(self) -> list[forms.BoundField]:
        return [self[f"kind_{kind.value}"] for kind in Kind]

    def deliveries(self) -> dict[str, str]:
        return {kind.value: self.cleaned_data[f"kind_{kind.value}"] for kind in Kind}


@login_required
@require_http_methods(["GET", "POST"])
def notification_preferences(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    initial = {f"kind_{kind}": delivery for kind, delivery in selectors.deliveries(user).items()}
    initial["language"] = getattr(user, "language", "")
    form = PreferencesForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        done, _result = run_service(
            form,
            lambda: services.preferences_update(
                actor=user, user=user, deliveries=form.deliveries(), language=form.cleaned_data["language"]
            ),
        )
        if done:
            messages.success(request, _("Your notification preferences are saved."))
            return redirect("notification-preferences")
    return render(request, "notifications/preferences.html", {"form": form})
