from __future__ import annotations

from django.contrib.auth import views as auth_views
from django.urls import path

from aihq.accounts import views

urlpatterns = [
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("account/", views.account, name="account"),
    path("account/password/", views.password_change, name="password-change"),
    path("account/tokens/<int:pk>/revoke/", views.token_revoke, name="token-revoke"),
    path("roles/", views.membership_list, name="membership-list"),
    path("roles/<int:pk>/revoke/", views.membership_revoke, name="membership-revoke"),
    path("roles/sso/", views.sso_mapping_list, name="sso-mapping-list"),
    path("roles/sso/<int:pk>/delete/", views.sso_mapping_delete, name="sso-mapping-delete"),
]
