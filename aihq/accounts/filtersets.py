"""Membership and single sign-on mapping filters for the API and pages."""

from __future__ import annotations

import django_filters
from django.utils.translation import gettext_lazy as _

from aihq.accounts.models import Membership, MembershipSource, Role, SsoMapping


class MembershipFilterSet(django_filters.FilterSet):
    user = django_filters.CharFilter(field_name="user__username", label=_("Username"))
    organisation = django_filters.CharFilter(field_name="organisation__code", label=_("Organisation code"))
    role = django_filters.ChoiceFilter(choices=Role.choices, label=_("Role"))
    source = django_filters.ChoiceFilter(choices=MembershipSource.choices, label=_("Source"))

    class Meta:
        model = Membership
        fields: list[str] = []


class SsoMappingFilterSet(django_filters.FilterSet):
    claim = django_filters.CharFilter(label=_("Claim"))
    value = django_filters.CharFilter(label=_("Value"))
    organisation = django_filters.CharFilter(field_name="organisation__code", label=_("Organisation code"))
    role = django_filters.ChoiceFilter(choices=Role.choices, label=_("Role"))

    class Meta:
        model = SsoMapping
        fields: list[str] = []
