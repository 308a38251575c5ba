"""A date and time in a filter is compared as the instant it names, whatever its offset (aihq.core.filters): Python
reads offsets up to ±23:59, PostgreSQL only up to ±15:59."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError


def test_an_offset_beyond_postgresql_s_range_is_read_in_utc():
    from aihq.core.filters import UtcIsoDateTimeField

    value = UtcIsoDateTimeField().clean("2026-11-30T09:00:00-21:43")
    assert value == dt.datetime(2026, 12, 1, 6, 43, tzinfo=dt.UTC)
    assert value.utcoffset() == dt.timedelta(0)


def test_an_instant_beyond_the_calendar_in_utc_is_invalid():
    from aihq.core.filters import UtcIsoDateTimeField

    with pytest.raises(ValidationError):
        UtcIsoDateTimeField().clean("9999-12-31T23:00:00-21:43")


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/audit-events/?since=9230-08-23T13:56:22-21:43",
        "/api/v1/audit-events/?until=2026-11-30T09:00:00%2B23:59",
        "/api/v1/use-cases/?updated_since=2026-11-30T09:00:00-21:43",
    ],
)
def test_the_api_filters_by_a_time_with_any_offset(api_client_for, url):
    response = api_client_for("auditor").get(url)
    assert response.status_code == 200, response.content[:300]


def test_the_api_refuses_a_time_beyond_the_calendar(api_client_for):
    response = api_client_for("auditor").get("/api/v1/audit-events/?since=9999-12-31T23:56:22-21:43")
    assert response.status_code == 400
    assert "since" in response.json()["errors"]


def test_an_offset_filter_finds_the_same_events_as_utc(api_client_for, world):
    client = api_client_for("auditor")
    utc = client.get("/api/v1/audit-events/?since=2000-01-01T00:00:00Z").json()["count"]
    offset = client.get("/api/v1/audit-events/?since=1999-12-31T02:17:00-21:43").json()["count"]
    assert utc == offset > 0


@pytest.mark.parametrize("url", ["/api/v1/use-cases/?ordering=,", "/api/v1/organisations/?ordering=,,"])
def test_an_ordering_of_commas_keeps_the_default_order(api_client_for, world, url):
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("error")  # DRF warns when it pages an unordered list
        response = api_client_for("auditor").get(url)
    assert response.status_code == 200
    default = api_client_for("auditor").get(url.split("?")[0]).json()["results"]
    assert response.json()["results"] == default
