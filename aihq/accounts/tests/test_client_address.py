"""The sign-in lock-out sees the same client address as the API's rate limits (``AIHQ_TRUSTED_PROXIES``)."""

from __future__ import annotations

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db

PASSWORD = "pw-editor_a-123456"


def sign_in(client: Client, password: str, *, forwarded_for: str, address: str = "10.0.0.2"):
    return client.post(
        "/login/",
        {"username": "editor_a", "password": password},
        REMOTE_ADDR=address,
        HTTP_X_FORWARDED_FOR=forwarded_for,
    )


def test_without_a_trusted_proxy_a_forged_x_forwarded_for_does_not_escape_the_lockout(world, settings):
    settings.AXES_FAILURE_LIMIT = 3
    client = Client()
    codes = [sign_in(client, "wrong-password", forwarded_for=f"203.0.113.{n}").status_code for n in range(3)]
    assert codes == [200, 200, 429]
    assert sign_in(client, PASSWORD, forwarded_for="203.0.113.99").status_code == 429


def test_behind_a_trusted_proxy_one_clients_lockout_does_not_lock_out_the_others(world, settings):
    """Otherwise everyone behind the proxy shares its address, and a few wrong passwords lock a username out
    for the whole office."""
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "NUM_PROXIES": 1}
    settings.AXES_FAILURE_LIMIT = 3
    attacker = Client()
    codes = [sign_in(attacker, "wrong-password", forwarded_for="198.51.100.7").status_code for _ in range(3)]
    assert codes == [200, 200, 429]
    assert sign_in(attacker, PASSWORD, forwarded_for="1.2.3.4, 198.51.100.7").status_code == 429
    assert sign_in(Client(), PASSWORD, forwarded_for="198.51.100.8").status_code == 302
