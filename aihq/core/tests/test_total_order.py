"""Pages of any list, in any order a client asks for, neither repeat nor skip rows that tie: ``totally_ordered``
completes every ordering up to a unique column."""

from __future__ import annotations

import pytest
from django.apps import apps

from aihq.core.api import totally_ordered

MODELS = sorted((m for m in apps.get_models() if m.__module__.startswith("aihq.")), key=lambda m: m._meta.label_lower)


def _ends_unique(model, ordering) -> bool:
    last = ordering[-1]
    assert isinstance(last, str), ordering
    name = last.lstrip("-")
    field = model._meta.pk if name == "pk" else model._meta.get_field(name)
    return bool(field.primary_key or (field.unique and not field.null))


@pytest.mark.parametrize("model", MODELS, ids=[m._meta.label_lower for m in MODELS])
def test_every_models_default_order_is_completed_to_a_unique_column(model):
    ordering = totally_ordered(model._default_manager.all()).query.order_by
    assert _ends_unique(model, ordering), ordering


@pytest.mark.parametrize("model", MODELS, ids=[m._meta.label_lower for m in MODELS])
def test_a_cleared_or_explicit_order_is_completed_too(model):
    assert _ends_unique(model, totally_ordered(model._default_manager.order_by()).query.order_by)
    some = next(f.name for f in model._meta.concrete_fields if not f.primary_key)
    assert _ends_unique(model, totally_ordered(model._default_manager.order_by(some)).query.order_by)


def test_the_completion_keeps_the_asked_order_first_and_stops_at_the_first_unique_column():
    from aihq.audit.models import AuditEvent
    from aihq.registry.models import Sector, UseCase

    assert totally_ordered(Sector.objects.order_by("-name_en")).query.order_by == ("-name_en", "pk")
    assert totally_ordered(UseCase.objects.order_by("name")).query.order_by == ("name", "-updated_at", "-id")
    assert totally_ordered(AuditEvent.objects.all()).query.order_by == ("-seq",)  # seq is unique: nothing to add
