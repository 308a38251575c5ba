"""Values no database column can hold — an id beyond 64 bits (99999999999999999999), a text with a NUL — are bad
input wherever they come from: a form error, a 400 or a 404, never a 500. Without aihq.core.lookups, SQLite raises
OverflowError for the id in an ``in`` lookup, and PostgreSQL refuses the NUL in any text lookup."""

from __future__ import annotations

import pytest

HUGE = "99999999999999999999"


def test_the_use_case_form_refuses_a_huge_organisation_id(page_client_for, world):
    response = page_client_for("editor_a").post(
        "/use-cases/new/", {"name": "Huge", "organisation": HUGE, "stage": "planned"}
    )
    assert response.status_code == 200
    assert "organisation" in response.context["form"].errors


def test_the_use_case_form_refuses_a_huge_sector_id(page_client_for, world):
    response = page_client_for("editor_a").post(
        "/use-cases/new/", {"name": "Huge", "organisation": world.org_a.pk, "stage": "planned", "sectors": [HUGE]}
    )
    assert response.status_code == 200
    assert "sectors" in response.context["form"].errors


@pytest.mark.parametrize(
    "lookup",
    ["pk__in", "organisation__in", "organisation_id__in", "sectors__in"],
    ids=["primary key", "foreign key", "foreign key column", "many-to-many"],
)
def test_an_in_lookup_leaves_out_huge_ids_and_keeps_the_others(world, lookup):
    from aihq.registry.models import UseCase

    wanted = {
        "pk__in": world.uc_a.pk,
        "organisation__in": world.org_a.pk,
        "organisation_id__in": world.org_a.pk,
        "sectors__in": world.sector.pk,
    }[lookup]
    found = UseCase.objects.filter(**{lookup: [HUGE, wanted, "-" + HUGE]}).values_list("pk", flat=True)
    assert world.uc_a.pk in set(found)
    assert not UseCase.objects.filter(**{lookup: [int(HUGE)]}).exists()


@pytest.mark.parametrize(
    ("lookup", "value", "matches_all"),
    [
        ("organisation", HUGE, False),
        ("organisation_id", "-" + HUGE, False),
        ("organisation__gt", HUGE, False),
        ("organisation__gte", "-" + HUGE, True),
        ("organisation__lt", HUGE, True),
        ("organisation__lte", "-" + HUGE, False),
        ("sectors", HUGE, False),
        ("pk__range", (1, HUGE), True),
        ("pk__range", ("-" + HUGE, HUGE), True),
        ("pk__range", (HUGE, HUGE + "0"), False),
    ],
)
def test_a_comparison_with_a_huge_id_matches_all_or_nothing_as_arithmetic_says(world, lookup, value, matches_all):
    from aihq.registry.models import UseCase

    value = tuple(int(v) for v in value) if isinstance(value, tuple) else int(value)
    found = UseCase.objects.filter(**{lookup: value}).count()
    assert found == (UseCase.objects.count() if matches_all else 0)


def test_a_range_is_clamped_not_dropped(world):
    from aihq.registry.models import UseCase

    assert set(UseCase.objects.filter(pk__range=(world.uc_a.pk, int(HUGE))).values_list("pk", flat=True)) == set(
        UseCase.objects.filter(pk__gte=world.uc_a.pk).values_list("pk", flat=True)
    )


@pytest.mark.parametrize("lookup", ["code", "code__iexact", "code__icontains", "code__startswith", "name_en__endswith"])
def test_a_text_lookup_with_a_nul_matches_nothing(world, lookup):
    from aihq.registry.models import Organisation

    assert not Organisation.objects.filter(**{lookup: "A\x00"}).exists()
    assert Organisation.objects.exclude(**{lookup: "A\x00"}).count() == Organisation.objects.count()


def test_a_text_in_lookup_leaves_out_values_with_a_nul(world):
    from aihq.registry.models import Organisation

    found = Organisation.objects.filter(code__in=["A\x00", "A"]).values_list("code", flat=True)
    assert list(found) == ["A"]


@pytest.mark.parametrize(
    ("method", "url", "body", "expected"),
    [
        ("get", f"/api/v1/use-cases/{HUGE}/", None, 404),
        ("get", f"/api/v1/risks/?use_case={HUGE}", None, 400),  # the filter's own bound names the limit
        ("get", f"/api/v1/components/?supplier={HUGE}", None, 400),
        ("get", f"/api/v1/webhook-deliveries/?endpoint={HUGE}", None, 400),
        ("get", f"/api/v1/measurements/?indicator={HUGE}", None, 200),
        ("post", "/api/v1/risks/", {"use_case": HUGE, "title": "Huge"}, 400),
        ("post", "/api/v1/agreements/", {"title": "Huge", "suppliers": [HUGE]}, 400),
        ("post", "/api/v1/bom-entries/", {"use_case": HUGE, "component": HUGE}, 400),
        ("get", "/api/v1/organisations/A%00/", None, 404),
        ("get", "/api/v1/regions/RU%00TA/", None, 404),
        ("patch", "USE_CASE", {"organisation": "A\x00"}, 400),
        ("patch", "USE_CASE", {"sectors": ["healthcare\x00"]}, 400),
    ],
)
def test_the_api_answers_an_impossible_value_without_a_server_error(api_client_for, world, method, url, body, expected):
    client = api_client_for("hq_admin")
    url = url.replace("USE_CASE", f"/api/v1/use-cases/{world.uc_a.pk}/")
    response = getattr(client, method)(url, body, format="json") if body else getattr(client, method)(url)
    assert response.status_code == expected, response.content[:300]
    if expected == 200:
        assert response.json()["count"] == 0
