"""Cookies in production: Secure, HttpOnly and SameSite, in the settings and on a real sign-in's Set-Cookie."""

from __future__ import annotations

import json

from aihq.core.tests.test_settings import PRODUCTION, run_aihq

SETTINGS_PROBE = """
import json
from django.conf import settings
names = ["SESSION_COOKIE_SECURE", "CSRF_COOKIE_SECURE", "SESSION_COOKIE_HTTPONLY", "CSRF_COOKIE_HTTPONLY",
         "SESSION_COOKIE_SAMESITE", "CSRF_COOKIE_SAMESITE", "SECURE_SSL_REDIRECT", "SECURE_HSTS_SECONDS"]
print(json.dumps({name: getattr(settings, name) for name in names}))
"""

SIGN_IN_PROBE = """
import json
from django.core.management import call_command
from django.test import Client
call_command("migrate", verbosity=0)
from aihq.accounts.models import User
User.objects.create_user(username="probe", password="Violet-harbour-73-lantern")
client = Client(HTTP_HOST="aihq.example.org")
response = client.post("/login/", {"username": "probe", "password": "Violet-harbour-73-lantern"}, secure=True)
flags = ("secure", "httponly", "samesite")
cookies = {name: {key: morsel[key] for key in flags} for name, morsel in response.cookies.items()}
print(json.dumps({"status": response.status_code, "cookies": cookies}))
"""


def probe(code: str, tmp_path, **env: str) -> dict:
    result = run_aihq("shell", "--no-imports", "-c", code, AIHQ_DATA_DIR=str(tmp_path), **env)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


def test_production_settings_make_cookies_secure_httponly_and_same_site(tmp_path):
    values = probe(SETTINGS_PROBE, tmp_path, **PRODUCTION)
    assert values == {
        "SESSION_COOKIE_SECURE": True,
        "CSRF_COOKIE_SECURE": True,
        "SESSION_COOKIE_HTTPONLY": True,
        "CSRF_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "CSRF_COOKIE_SAMESITE": "Lax",
        "SECURE_SSL_REDIRECT": True,
        "SECURE_HSTS_SECONDS": 31536000,
    }


def test_development_cookies_are_not_secure_only_so_plain_http_on_loopback_works(tmp_path):
    values = probe(SETTINGS_PROBE, tmp_path)
    assert values["SESSION_COOKIE_SECURE"] is False
    assert values["SESSION_COOKIE_HTTPONLY"] is True
    assert values["SESSION_COOKIE_SAMESITE"] == "Lax"


def test_a_production_sign_in_sets_its_cookies_with_every_flag(tmp_path):
    answer = probe(SIGN_IN_PROBE, tmp_path, DATABASE_URL="sqlite://:memory:", **PRODUCTION)
    assert answer["status"] == 302
    assert set(answer["cookies"]) == {"sessionid", "csrftoken"}
    for name, flags in answer["cookies"].items():
        assert flags == {"secure": True, "httponly": True, "samesite": "Lax"}, name
