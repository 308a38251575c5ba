"""The use-case tallies the database keeps by triggers stay equal to counting the use cases, however they are
written, and the roll-ups read them."""

from __future__ import annotations

from collections import Counter

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from aihq.registry import selectors, tallies
from aihq.registry.models import Organisation, Region, Sector, UseCase, UseCaseTally
from aihq.registry.services import use_case_create, use_case_delete, use_case_update

pytestmark = pytest.mark.django_db


def counted() -> Counter[tuple[int, str, str]]:
    """What the tallies must say, counted from the use cases and their links (nothing where they are not kept)."""
    expected: Counter[tuple[int, str, str]] = Counter()
    if not tallies.kept():
        return expected
    for use_case in UseCase.objects.prefetch_related("sectors", "regions"):
        expected[(use_case.organisation_id, "stage", use_case.stage)] += 1
        for sector in use_case.sectors.all():
            expected[(use_case.organisation_id, "sector", str(sector.pk))] += 1
        for region in use_case.regions.all():
            expected[(use_case.organisation_id, "region", str(region.pk))] += 1
    return expected


def kept() -> Counter[tuple[int, str, str]]:
    rows = UseCaseTally.objects.filter(n__gt=0).values_list("organisation_id", "dimension", "key", "n")
    assert not UseCaseTally.objects.filter(n__lt=0).exists()
    return Counter({(org, dimension, key): n for org, dimension, key, n in rows})


def test_every_kind_of_write_keeps_the_tallies_exact(world, system_actor):
    other_sector = Sector.objects.create(code="transport", name_en="Transport")
    other_region = Region.objects.create(code="RU-MOW", country="RU", name_en="Moscow")
    made = [
        use_case_create(
            actor=system_actor,
            organisation=world.org_a,
            name=f"Case {n}",
            sectors=[world.sector, other_sector][: n % 3],
            regions=[world.region] if n % 2 else [],
        )
        for n in range(6)
    ]
    assert kept() == counted()
    use_case_update(actor=system_actor, use_case=made[0], stage="pilot")  # a new stage
    use_case_update(actor=system_actor, use_case=made[2], organisation=world.org_b)  # moves with its links
    use_case_update(actor=system_actor, use_case=made[3], sectors=[other_sector], regions=[other_region])
    assert kept() == counted()
    use_case_delete(actor=system_actor, use_case=made[4])
    UseCase.objects.filter(pk=made[5].pk).delete()  # a bulk delete, links first
    UseCase.objects.filter(pk=made[1].pk).update(stage="retired", organisation=world.org_b)  # one UPDATE
    UseCase.objects.bulk_create([UseCase(organisation=world.org_b, name="Bulk", stage="pilot")])
    UseCase.sectors.through.objects.create(usecase_id=made[0].pk, sector_id=world.sector.pk)
    made[3].regions.clear()
    assert kept() == counted()


def test_a_rebuild_gives_what_the_triggers_kept(world, system_actor):
    use_case_create(actor=system_actor, organisation=world.org_b, name="Another", sectors=[world.sector])
    before = kept()
    UseCaseTally.objects.update(n=99)
    tallies.rebuild()
    assert kept() == before == counted()


def test_postgresql_counts_live_and_keeps_no_tallies_or_triggers(world, system_actor):
    """One counter row updated by each of thousands of inserts in one transaction is quadratic on PostgreSQL."""
    use_case_create(actor=system_actor, organisation=world.org_b, name="Counted", sectors=[world.sector])
    assert tallies.kept() is (connection.vendor == "sqlite")
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT COUNT(*) FROM pg_trigger WHERE tgname LIKE '%%tally%%'")
            assert cursor.fetchone()[0] == 0
        assert not UseCaseTally.objects.exists()


@pytest.mark.parametrize("by", selectors.ROLLUPS)
@pytest.mark.parametrize("user", ["hq_admin", "editor_a", "editor_b", "norole"])
def test_a_rollup_read_from_the_tallies_equals_counting_the_visible_use_cases(world, system_actor, by, user):
    use_case_create(actor=system_actor, organisation=world.org_b, name="B's", sectors=[world.sector])
    use_case_create(actor=system_actor, organisation=world.org_a, name="A's", regions=[world.region], stage="pilot")
    account = world.users[user]
    visible = UseCase.objects.restrict(account, "view")
    with CaptureQueriesContext(connection) as queries:
        from_tallies = selectors.use_case_rollup(account, by)
    assert from_tallies == selectors.use_case_rollup(account, by, visible)  # the grouped query over use cases
    read_tallies = any("registry_usecasetally" in query["sql"] for query in queries)
    assert read_tallies is (tallies.kept() and user != "norole")  # no role: no organisation to ask about


def test_an_organisation_whose_use_cases_are_gone_is_not_in_a_rollup_and_can_be_deleted(world, system_actor):
    org = Organisation.objects.create(code="GONE", name_en="Soon empty")
    made = use_case_create(actor=system_actor, organisation=org, name="Soon gone", sectors=[world.sector])
    use_case_delete(actor=system_actor, use_case=made)
    assert UseCaseTally.objects.filter(organisation_id=org.pk, n=0).exists() is tallies.kept()  # rows at zero stay
    for by in selectors.ROLLUPS:
        rows = selectors.use_case_rollup(world.users["hq_admin"], by)
        assert all(row["count"] > 0 for row in rows)
        assert "GONE" not in {row["key"] for row in rows}
    org.delete()  # the tallies hold no foreign key that would stop it
