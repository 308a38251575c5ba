"""Memberships API: HQ admins grant and revoke roles; auditors read."""

from __future__ import annotations

from django.db.models import QuerySet
from rest_framework import mixins, viewsets
from rest_framework.serializers import BaseSerializer

from aihq.accounts import selectors, services
from aihq.accounts.api.serializers import MembershipSerializer
from aihq.accounts.filtersets import MembershipFilterSet
from aihq.accounts.models import Membership
from aihq.registry.api.views import ScopedViewSetMixin


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

    def get_queryset(self) -> QuerySet[Membership]:
        return selectors.membership_list(self.request.user)

    def perform_create(self, serializer: BaseSerializer[Membership]) -> None:
        serializer.instance = services.membership_create(actor=self.request.user, **serializer.validated_data)

    def perform_destroy(self, instance: Membership) -> None:
        services.membership_delete(actor=self.request.user, membership=instance)
