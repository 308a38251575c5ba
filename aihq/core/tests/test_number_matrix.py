"""core.db.number_matrix: numeric rows of a queryset as a float matrix, read on a plain cursor."""

from __future__ import annotations

import datetime as dt

import pytest

from aihq.core.db import DayNumber, number_matrix
from aihq.registry.models import UseCase

pytestmark = pytest.mark.django_db


def test_the_rows_come_in_the_querysets_order_as_floats(world):
    UseCase.objects.filter(pk=world.uc_a.pk).update(date_initiated=dt.date(1970, 1, 11))
    rows = UseCase.objects.annotate(day=DayNumber("date_initiated")).order_by("-id").values_list("id", "version", "day")
    matrix = number_matrix(rows, 3)
    assert matrix.shape == (UseCase.objects.count(), 3)
    assert matrix[:, 0].tolist() == [float(pk) for pk in UseCase.objects.order_by("-id").values_list("id", flat=True)]
    assert matrix.dtype.name == "float64"
    assert matrix[matrix[:, 0] == world.uc_a.pk, 2].tolist() == [10.0]  # a day number


@pytest.mark.parametrize("empty", ["none", "in nothing", "no rows"])
def test_an_empty_queryset_gives_an_empty_matrix_of_the_right_width(world, empty):
    rows = {
        "none": UseCase.objects.none(),
        "in nothing": UseCase.objects.filter(id__in=[]),
        "no rows": UseCase.objects.filter(name="no such use case"),
    }[empty].values_list("id", "version")
    assert number_matrix(rows, 2).shape == (0, 2)
