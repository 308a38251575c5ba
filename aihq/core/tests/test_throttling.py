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


def test_a_client_cannot_escape_the_wrong_token_limit_by_writing_x_forwarded_for(world, rates):
    """With no trusted proxy (the default) the header is not believed: a new address in it each time is still
    the same client."""
    rates(failed_token="2/minute")
    client = APIClient()
    codes = [
        get(client, HTTP_AUTHORIZATION="Token wrong", HTTP_X_FORWARDED_FOR=f"203.0.113.{n}").status_code
        for n in range(4)
    ]
    assert codes == [401, 401, 429, 429]


def test_behind_a_trusted_proxy_clients_are_counted_by_the_address_the_proxy_wrote(world, rates, settings):
    """One proxy: the right-most X-Forwarded-For entry is the client; what the client put to its left is not."""
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "NUM_PROXIES": 1}
    rates(failed_token="2/minute")
    client = APIClient()
    proxy = "10.0.0.2"

    def wrong(forwarded_for: str) -> int:
        response = get(client, address=proxy, HTTP_AUTHORIZATION="Token wrong", HTTP_X_FORWARDED_FOR=forwarded_for)
        return int(response.status_code)

    assert [wrong("1.1.1.1, 198.51.100.7"), wrong("2.2.2.2, 198.51.100.7")] == [401, 401]
    assert wrong("3.3.3.3,198.51.100.7") == 429  # the same client behind a forged prefix
    assert wrong("198.51.100.8") == 401  # another client behind the same proxy has its own count
