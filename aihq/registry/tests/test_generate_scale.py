"""aihq generate_scale: synthetic national-scale data, deterministic for a seed, refused where it does not belong."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import re
import statistics
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.db import transaction
from django.db.models import Count

from aihq.accounts.models import User
from aihq.audit.models import AuditEvent
from aihq.objectives import selectors
from aihq.objectives.models import Indicator, Measurement, NationalValue
from aihq.registry import scale
from aihq.registry.models import Organisation, UseCase

pytestmark = pytest.mark.django_db

UNTIL = "2026-09-30"
SMALL = {"use_cases": 1200, "organisations": 40, "indicators": 5, "measurements": 2000}
CYRILLIC = re.compile("[а-яё]", re.IGNORECASE)


def generate(seed: int = 1, **sizes: int) -> dict[str, Any]:
    """Run the command at a small size; returns its JSON answer."""
    sizes = SMALL | sizes
    args = [f"--{name.replace('_', '-')}={value}" for name, value in sizes.items()]
    out = io.StringIO()
    call_command("generate_scale", *args, f"--seed={seed}", f"--until={UNTIL}", "--json", stdout=out)
    return json.loads(out.getvalue())  # type: ignore[no-any-return]


def digest() -> str:
    """A fingerprint of the generated rows by their natural keys (ids differ between databases)."""
    rows: list[Any] = []
    rows += Organisation.objects.order_by("code").values_list("code", "name_en", "name_ru", "kind", "parent__code")
    rows += UseCase.objects.order_by("reference").values_list(
        "reference", "name", "description", "purpose", "organisation__code", "stage", "date_initiated",
        "date_deployed", "date_retired", "created_at", "updated_at", "techniques",
    )  # fmt: skip
    rows += UseCase.sectors.through.objects.order_by("usecase__reference", "sector__code").values_list(
        "usecase__reference", "sector__code"
    )
    rows += UseCase.regions.through.objects.order_by("usecase__reference", "region__code").values_list(
        "usecase__reference", "region__code"
    )
    rows += Measurement.objects.order_by(
        "indicator__code", "period_end", "region__code", "organisation__code"
    ).values_list("indicator__code", "period_end", "region__code", "organisation__code", "value")
    rows += Indicator.objects.order_by("code").values_list("code", "name_en", "baseline_value", "direction")
    return hashlib.sha256(repr(rows).encode()).hexdigest()


class Discard(Exception):
    """Raised to roll a generated data set back."""


def digest_of_run(seed: int) -> str:
    """Generate in a savepoint, fingerprint, roll back: the next run starts from an empty registry again."""
    result = ""
    try:
        with transaction.atomic():
            generate(seed)
            result = digest()
            raise Discard
    except Discard:
        pass
    return result


def test_counts_match_the_options():
    answer = generate()
    assert UseCase.objects.count() == answer["counts"]["use_cases"] == 1200
    assert Organisation.objects.count() == answer["counts"]["organisations"] == 40
    assert Indicator.objects.count() == answer["counts"]["indicators"] == 5
    assert Measurement.objects.count() == answer["counts"]["measurements"] == 2000
    assert NationalValue.objects.count() == answer["counts"]["national_values"] > 0
    assert answer["password"] == scale.SCALE_PASSWORD


def test_the_same_seed_gives_identical_data_and_another_seed_differs():
    first, again, other = digest_of_run(1), digest_of_run(1), digest_of_run(2)
    assert first == again
    assert first != other


def test_the_largest_organisation_holds_far_more_use_cases_than_the_median():
    generate()
    per_org = list(Organisation.objects.annotate(n=Count("use_cases")).values_list("n", flat=True))
    assert max(per_org) >= 5 * statistics.median(per_org)
    assert min(per_org) >= 1  # the long tail holds a handful, not nothing


def test_organisations_form_a_hierarchy_with_unique_codes_and_names_in_both_languages():
    generate()
    organisations = list(Organisation.objects.all())
    assert len({o.code for o in organisations}) == len(organisations)
    assert all(o.name_en and CYRILLIC.search(o.name_ru) for o in organisations)
    kinds = {o.kind for o in organisations}
    assert {"ministry", "agency", "regional_government", "company"} <= kinds
    assert Organisation.objects.filter(kind="agency", parent__kind="ministry").exists()
    assert not Organisation.objects.filter(kind="regional_government", region=None).exists()


def test_use_cases_are_written_in_english_and_in_russian_with_consistent_dates():
    generate()
    names = list(UseCase.objects.values_list("name", flat=True))
    russian = sum(1 for name in names if CYRILLIC.search(name))
    assert 0.3 * len(names) < russian < 0.95 * len(names)
    assert UseCase.objects.filter(description__icontains="trained on").exists()
    assert UseCase.objects.filter(description__icontains="применяется для").exists()
    for uc in UseCase.objects.exclude(stage="planned"):
        assert uc.date_initiated is not None
        assert uc.created_at <= uc.updated_at
        assert (uc.date_deployed is not None) == (uc.stage in ("production", "retired"))
        if uc.date_deployed:
            assert uc.date_initiated <= uc.date_deployed <= dt.date.fromisoformat(UNTIL)
        if uc.date_retired:
            assert uc.date_deployed <= uc.date_retired <= dt.date.fromisoformat(UNTIL)  # type: ignore[operator]
    stages = dict(UseCase.objects.values_list("stage").annotate(n=Count("id")))
    assert stages["pilot"] > stages["production"] > stages["retired"]


def test_the_audit_history_is_dated_over_years_and_its_chain_verifies():
    generate()
    out = io.StringIO()
    call_command("audit_verify", "--json", stdout=out)
    assert json.loads(out.getvalue()) == {"ok": True, "events": AuditEvent.objects.count()}
    created = AuditEvent.objects.filter(action="create")
    assert created.filter(object_type="registry.usecase").count() == UseCase.objects.count()
    assert created.filter(object_type="registry.organisation").count() == Organisation.objects.count()
    assert AuditEvent.objects.filter(object_type="registry.usecase", action="update").exists()
    use_case = UseCase.objects.filter(version=2).first()
    assert use_case is not None
    history = AuditEvent.objects.filter(object_type="registry.usecase", object_id=str(use_case.pk)).order_by("seq")
    assert [(e.action, e.timestamp) for e in history] == [
        ("create", use_case.created_at),
        ("update", use_case.updated_at),
    ]
    first, last = (
        AuditEvent.objects.filter(object_type="registry.usecase").order_by(o).first() for o in ("seq", "-seq")
    )
    assert first is not None
    assert last is not None
    assert (last.timestamp - first.timestamp).days > 3 * 365


def test_the_generated_admin_signs_in_and_the_pages_and_the_use_case_api_answer(client):
    generate()
    assert client.login(username="scale-admin", password=scale.SCALE_PASSWORD)
    for url in ("/", "/use-cases/", "/objectives/", "/stocktake/", "/organisations/"):
        assert client.get(url).status_code == 200, url
    response = client.get("/api/v1/use-cases/")
    assert response.status_code == 200
    assert response.json()["count"] == UseCase.objects.count()


def test_editors_see_their_own_organisation_and_sign_in_with_the_shared_password(client):
    answer = generate()
    editor = next(a for a in answer["accounts"] if a["username"] == "scale-editor-0001")
    assert client.login(username="scale-editor-0001", password=scale.SCALE_PASSWORD)
    response = client.get("/api/v1/use-cases/")
    own = UseCase.objects.filter(organisation__code=editor["organisation"]).count()
    assert response.json()["count"] == own < UseCase.objects.count()


def test_a_registry_with_data_is_refused_and_left_as_it_was(world):
    before = UseCase.objects.count(), Organisation.objects.count()
    with pytest.raises(CommandError, match="empty registry"):
        generate()
    assert (UseCase.objects.count(), Organisation.objects.count()) == before


def test_production_is_refused(settings):
    settings.PRODUCTION = True
    with pytest.raises(CommandError, match="never generated in production"):
        generate()
    assert not Organisation.objects.exists()


@pytest.mark.parametrize(("total", "regions", "organisations"), [(3_600_000 // 1000, 86, 300), (20, 86, 5), (5, 86, 0),
                                                                   (10_000, 86, 2), (0, 86, 3)])  # fmt: skip
def test_the_series_layout_spreads_exactly_the_measurements_asked_for(total, regions, organisations):
    layout = scale.series_layout(total, regions, organisations)
    assert sum(layout.counts) == total
    assert all(0 < count <= layout.periods for count in layout.counts)
    assert layout.regions <= regions
    assert layout.organisations <= organisations


def test_the_national_size_uses_every_region_and_four_organisations_for_forty_quarters():
    assert scale.series_layout(3600, 86, 300) == scale.Layout(86, 4, 40, [40] * 90)


@pytest.mark.parametrize("total", [1, 2, 3, 7, 40, 500, 5000])
def test_organisation_kinds_add_up_to_the_total(total):
    counts = scale.kind_counts(total, 86)
    assert sum(counts.values()) == total
    assert all(value >= 0 for value in counts.values())
    assert counts["ministry"] >= 1


def test_indicator_ratings_come_out_mixed_as_the_product_rates_them():
    """The generated indicators, rated nationally by the objectives pages' own selector (plans from the stored
    baselines and targets, the national roll-up of the stored values), as the generated HQ admin sees them."""
    generate(use_cases=100, organisations=20, indicators=60, measurements=60 * 30 * 12)
    admin = User.objects.get(username="scale-admin")
    indicators = list(Indicator.objects.order_by("code"))
    rated = selectors.national_statuses(indicators, admin, dt.date.fromisoformat(UNTIL))
    counts = selectors.rag_counts(rated.values())
    assert sum(counts.values()) == len(indicators) == 60
    assert counts["green"] > 0, counts
    assert counts["red"] > 0, counts
    assert sum(1 for rag, n in counts.items() if n and rag != "insufficient_data") >= 3, counts


def test_quarter_ends_count_back_from_the_last_one():
    assert scale.quarter_end_on_or_before(dt.date(2026, 11, 30)) == dt.date(2026, 9, 30)
    assert scale.quarter_end_on_or_before(dt.date(2026, 3, 31)) == dt.date(2026, 3, 31)
    assert scale.quarter_end_on_or_before(dt.date(2026, 2, 1)) == dt.date(2025, 12, 31)
    assert scale.quarter_ends(dt.date(2026, 3, 31), 3) == [
        dt.date(2025, 9, 30),
        dt.date(2025, 12, 31),
        dt.date(2026, 3, 31),
    ]
