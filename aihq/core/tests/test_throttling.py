"""API rate limits: over the rate a client gets 429 with Retry-After; wrong tokens are limited per address."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.cache import cache
from rest_framework.test import APIClient
from rest_framework.throttling import SimpleRateThrottle

from aihq.accounts.services import api_token_create

pytestmark = pytest.mark.django_db


@pytest.fixture
def rates(monkeypatch):
    """Tiny rates for one test (DRF reads the rates once, at import); the counts start and end empty."""

    def set_rates(**overrides: str | None) -> None:
        monkeypatch.setattr(
            SimpleRateThrottle,
            "THROTTLE_RATES",
            {"anon": "1000/minute", "user": "1000/minute", "failed_token": "1000/minute", **overrides},
        )

    cache.clear()
    yield set_rates
    cache.clear()


def get(client: APIClient, address: str = "10.1.1.1", **headers: Any):
    return client.get("/api/v1/use-cases/", REMOTE_ADDR=address, **headers)


def test_a_user_over_the_rate_gets_429_with_retry_after(world, api_client_for, rates):
    rates(user="3/minute")
    client = api_client_for("editor_a")
    assert [get(client).status_code for _ in range(3)] == [200, 200, 200]
    response = get(client)
    assert response.status_code == 429
    assert 0 < int(response["Retry-After"]) <= 60
    assert "throttled" in response.json()["detail"].lower()
    assert get(api_client_for("editor_b")).status_code == 200  # counted per user


def test_an_anonymous_client_over_the_rate_gets_429_on_public_endpoints(world, rates):
    rates(anon="2/minute")
    client = APIClient()
    assert [client.get("/api/v1/docs/", REMOTE_ADDR="10.1.1.1").status_code for _ in range(2)] == [200, 200]
    response = client.get("/api/v1/docs/", REMOTE_ADDR="10.1.1.1")
    assert response.status_code == 429
    assert int(response["Retry-After"]) > 0
    assert client.get("/api/v1/docs/", REMOTE_ADDR="10.1.1.2").status_code == 200  # counted per address


def test_without_credentials_a_protected_endpoint_answers_401_before_any_throttle(world, rates):
    """DRF checks permissions before throttles: no credentials is a cheap 401 (no lookup), never throttled;
    guessed tokens are, by the next test's throttle."""
    rates(anon="1/minute")
    client = APIClient()
    assert [get(client).status_code for _ in range(3)] == [401, 401, 401]


def test_wrong_tokens_are_throttled_per_address(world, rates):
    rates(failed_token="3/minute")
    client = APIClient()
    bad = {"HTTP_AUTHORIZATION": "Token not-a-real-token"}
    assert [get(client, **bad).status_code for _ in range(3)] == [401, 401, 401]
    response = get(client, **bad)
    assert response.status_code == 429
    assert int(response["Retry-After"]) > 0
    assert get(client, address="10.1.1.2", **bad).status_code == 401


def test_over_the_wrong_token_limit_even_a_right_token_waits(world, rates):
    """Otherwise a 200 among the 429s would still tell a guesser which key was right."""
    rates(failed_token="2/minute")
    _token, key = api_token_create(actor=world.users["editor_a"], user=world.users["editor_a"], name="t")
    client = APIClient()
    for _ in range(2):
        get(client, HTTP_AUTHORIZATION="Token wrong")
    assert get(client, HTTP_AUTHORIZATION=f"Token {key}").status_code == 429
    assert get(client, address="10.1.1.9", HTTP_AUTHORIZATION=f"Token {key}").status_code == 200


def test_right_tokens_are_not_counted_as_failures(world, rates):
    rates(failed_token="2/minute")
    _token, key = api_token_create(actor=world.users["editor_a"], user=world.users["editor_a"], name="t")
    client = APIClient()
    assert {get(client, HTTP_AUTHORIZATION=f"Token {key}").status_code for _ in range(5)} == {200}


def test_a_session_user_is_throttled_like_a_token_user(world, page_client_for, rates):
    rates(user="2/minute")
    client = page_client_for("viewer_a")
    codes = [client.get("/api/v1/use-cases/", REMOTE_ADDR="10.1.1.1").status_code for _ in range(3)]
    assert codes == [200, 200, 429]
