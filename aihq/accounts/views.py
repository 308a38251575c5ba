"""The user's own account: their roles and API tokens."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from aihq.accounts import selectors, services


class TokenForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Token name"), max_length=100, required=False)
    expires_in_days = forms.IntegerField(
        label=gettext_lazy("Expires in (days)"), min_value=1, max_value=3650, required=False
    )


@login_required
@require_http_methods(["GET", "POST"])
def account(request: HttpRequest) -> HttpResponse:
    form = TokenForm(request.POST or None)
    new_key = None
    if request.method == "POST" and form.is_valid():
        _token, new_key = services.api_token_create(
            actor=request.user,
            user=request.user,  # type: ignore[arg-type]
            name=form.cleaned_data["name"],
            expires_in_days=form.cleaned_data["expires_in_days"],
        )
        messages.success(request, _("Token created. Copy it now: it will not be shown again."))
        form = TokenForm()
    return render(
        request,
        "accounts/account.html",
        {
            "memberships": selectors.own_memberships(request.user),
            "tokens": selectors.own_tokens(request.user),
            "form": form,
            "new_key": new_key,
        },
    )


@login_required
@require_POST
def token_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    token = selectors.own_tokens(request.user).filter(pk=pk).first()
    if token is None:
        raise Http404
    services.api_token_revoke(actor=request.user, token=token)
    messages.success(request, _("Token revoked."))
    return redirect("account")
