"""Memberships and single sign-on mappings API: HQ admins grant, revoke and map roles; auditors read."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from rest_framework import mixins, viewsets
from rest_framework.permissions import SAFE_METHODS, BasePermission, IsAuthenticated
from rest_framework.request import Request
from rest_framework.serializers import BaseSerializer

from aihq.accounts import selectors, services
from aihq.accounts.api.serializers import MembershipSerializer, SsoMappingSerializer
from aihq.accounts.filtersets import MembershipFilterSet, SsoMappingFilterSet
from aihq.accounts.models import Membership, SsoMapping
from aihq.accounts.permissions import scope_for
from aihq.registry.api.views import ScopedViewSetMixin


class HQAdminWrites(BasePermission):
    """Only HQ admins write memberships; others are refused before their input is even looked at
    (so the answer never tells whether a username or organisation code exists)."""

    def has_permission(self, request: Request, view: Any) -> bool:
        return request.method in SAFE_METHODS or scope_for(request.user).is_hq_admin


class MembershipViewSet(
    ScopedViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,  # type: ignore[type-arg]
):
    """Who holds which role where. Only HQ admins (and auditors, read-only) see this."""

    serializer_class = MembershipSerializer
    filterset_class = MembershipFilterSet
    queryset = Membership.objects.none()
    permission_classes = [IsAuthenticated, HQAdminWrites]

    def get_queryset(self) -> QuerySet[Membership]:
        return selectors.membership_list(self.request.user)

    def perform_create(self, serializer: BaseSerializer[Membership]) -> None:
        serializer.instance = services.membership_create(actor=self.request.user, **serializer.validated_data)

    def perform_destroy(self, instance: Membership) -> None:
        services.membership_delete(actor=self.request.user, membership=instance)


class SsoMappingViewSet(
    ScopedViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,  # type: ignore[type-arg]
):
    """Single sign-on mappings: users whose claim has the value get the role (in the organisation) at sign-in.

    HQ admins add and remove them (a change is a removal and an addition); auditors read them.
    """

    serializer_class = SsoMappingSerializer
    filterset_class = SsoMappingFilterSet
    queryset = SsoMapping.objects.none()
    permission_classes = [IsAuthenticated, HQAdminWrites]

    def get_queryset(self) -> QuerySet[SsoMapping]:
        return selectors.sso_mapping_list(self.request.user)

    def perform_create(self, serializer: BaseSerializer[SsoMapping]) -> None:
        serializer.instance = services.sso_mapping_create(actor=self.request.user, **serializer.validated_data)

    def perform_destroy(self, instance: SsoMapping) -> None:
        services.sso_mapping_delete(actor=self.request.user, mapping=instance)
