"""The user's own account (roles, API tokens), the sign-in page, roles and single sign-on mappings."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import PasswordChangeForm
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from aihq.accounts import selectors, services
from aihq.accounts.filtersets import MembershipFilterSet, SsoMappingFilterSet
from aihq.accounts.models import MembershipSource, Role, User
from aihq.accounts.oidc import provider_name, sso_enabled
from aihq.accounts.permissions import get_object_for_user, scope_for
from aihq.core.forms import run_service
from aihq.core.views import require_hq_admin_page
from aihq.registry.models import Organisation


class LoginView(auth_views.LoginView):
    """Username and password, and the single sign-on button when it is on."""

    template_name = "accounts/login.html"
    redirect_authenticated_user = True

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["sso_enabled"] = sso_enabled()
        context["sso_provider"] = provider_name()
        return context


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
@require_http_methods(["GET", "POST"])
def password_change(request: HttpRequest) -> HttpResponse:
    """Change one's own password: the current one, then a new one the password validators accept, twice."""
    user = request.user
    assert isinstance(user, User)
    if not user.has_usable_password():
        messages.info(request, _("You sign in with single sign-on: your password is kept by your identity provider."))
        return redirect("account")
    form = PasswordChangeForm(user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.password_change(actor=user, user=user, password=form.cleaned_data["new_password1"])
        update_session_auth_hash(request, user)  # stay signed in here; other sessions end
        messages.success(request, _("Password changed."))
        return redirect("account")
    return render(request, "accounts/password_change.html", {"form": form})


@login_required
@require_POST
def token_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    token = selectors.own_tokens(request.user).filter(pk=pk).first()
    if token is None:
        raise Http404
    services.api_token_revoke(actor=request.user, token=token)
    messages.success(request, _("Token revoked."))
    return redirect("account")


class RoleForm(forms.Form):
    """A role and where it applies: what a grant by hand and a single sign-on mapping both give."""

    role = forms.ChoiceField(label=gettext_lazy("Role"), choices=Role.choices)
    organisation = forms.ModelChoiceField(
        label=gettext_lazy("Organisation"),
        queryset=Organisation.objects.order_by("code"),
        required=False,
        help_text=gettext_lazy("Leave empty for HQ admins and auditors."),
    )


class GrantForm(RoleForm):
    username = forms.CharField(label=gettext_lazy("Username"), max_length=150)
    field_order = ["username", "role", "organisation"]


@login_required
@require_http_methods(["GET", "POST"])
def membership_list(request: HttpRequest) -> HttpResponse:
    scope = scope_for(request.user)
    if not scope.sees_everything:
        raise PermissionDenied
    form = GrantForm(request.POST or None) if scope.is_hq_admin else None
    if request.method == "POST":
        if form is None:
            raise PermissionDenied
        if form.is_valid():
            user = User.objects.filter(username=form.cleaned_data["username"]).first()
            if user is None:
                form.add_error("username", _("No such user. New users are added with: aihq grant USERNAME ROLE"))
            else:
                try:
                    services.membership_create(
                        actor=request.user,
                        user=user,
                        role=form.cleaned_data["role"],
                        organisation=form.cleaned_data["organisation"],
                    )
                except ValidationError as exc:
                    form.add_error(None, exc)
                else:
                    messages.success(request, _("Role granted."))
                    return redirect("membership-list")
    filterset = MembershipFilterSet(request.GET or None, queryset=selectors.membership_list(request.user))
    queryset = filterset.qs if (filterset.is_bound and filterset.is_valid()) else filterset.queryset
    page = Paginator(queryset, 50).get_page(request.GET.get("page"))
    return render(request, "accounts/membership_list.html", {"page": page, "filterset": filterset, "form": form})


@login_required
@require_POST
def membership_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    if not scope_for(request.user).is_hq_admin:
        raise PermissionDenied
    membership = selectors.membership_list(request.user).filter(pk=pk).first()
    if membership is None:
        raise Http404
    try:
        services.membership_delete(actor=request.user, membership=membership)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Role revoked."))
        if membership.source == MembershipSource.SSO:
            messages.warning(
                request,
                _(
                    "Single sign-on gave this role: it comes back at the user's next sign-in while a mapping still "
                    "gives it. Change the mapping or the user's groups at the identity provider, or deactivate the "
                    "user."
                ),
            )
    return redirect("membership-list")


class SsoMappingForm(RoleForm):
    claim = forms.CharField(
        label=gettext_lazy("Claim"),
        max_length=100,
        help_text=gettext_lazy("The identity provider's claim, such as groups."),
    )
    value = forms.CharField(label=gettext_lazy("Value"), max_length=255)
    field_order = ["claim", "value", "role", "organisation"]


@login_required
@require_http_methods(["GET", "POST"])
def sso_mapping_list(request: HttpRequest) -> HttpResponse:
    """Which identity-provider claims give which roles: HQ admins keep them, auditors read them."""
    scope = scope_for(request.user)
    if not scope.sees_everything:
        raise PermissionDenied
    form = None
    if scope.is_hq_admin:
        form = SsoMappingForm(request.POST or None, initial={"claim": settings.AIHQ_OIDC_GROUPS_CLAIM})
    if request.method == "POST":
        if form is None:
            raise PermissionDenied
        if (
            form.is_valid()
            and run_service(form, lambda: services.sso_mapping_create(actor=request.user, **form.cleaned_data))[0]
        ):
            messages.success(request, _("Mapping added. It applies from each user's next single sign-on."))
            return redirect("sso-mapping-list")
    filterset = SsoMappingFilterSet(request.GET or None, queryset=selectors.sso_mapping_list(request.user))
    queryset = filterset.qs if (filterset.is_bound and filterset.is_valid()) else filterset.queryset
    page = Paginator(queryset, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "accounts/sso_mapping_list.html",
        {"page": page, "filterset": filterset, "form": form, "sso_enabled": sso_enabled()},
    )


@login_required
@require_POST
def sso_mapping_delete(request: HttpRequest, pk: int) -> HttpResponse:
    require_hq_admin_page(request)
    mapping = get_object_for_user(selectors.sso_mapping_list(request.user), request.user, pk)
    services.sso_mapping_delete(actor=request.user, mapping=mapping)
    messages.success(request, _("Mapping removed. The roles it gave go at each user's next single sign-on."))
    return redirect("sso-mapping-list")
