"""Production settings pass Django's deployment checks; missing secrets are refused."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest


def run_aihq(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    unset = {"SECRET_KEY", "ALLOWED_HOSTS", "AIHQ_ENV", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    environment = {k: v for k, v in os.environ.items() if k not in unset}
    environment.update(env)
    return subprocess.run(
        [sys.executable, "-m", "aihq", *args], env=environment, capture_output=True, text=True, timeout=120
    )


PRODUCTION = {
    "AIHQ_ENV": "production",
    "SECRET_KEY": "x7Kq2v9Lm4Np8Rs1Tu6Wy3Za5Bc0De2Fg7Hj4Kl9Mn1Pq6Rs3Tu8Vw0Xy5Za2Bc7De",
    "ALLOWED_HOSTS": "aihq.example.org",
}


SSO = {
    "AIHQ_OIDC_CLIENT_ID": "aihq",
    "AIHQ_OIDC_CLIENT_SECRET": "s",
    "AIHQ_OIDC_AUTHORIZATION_ENDPOINT": "https://id.example.org/auth",
    "AIHQ_OIDC_TOKEN_ENDPOINT": "https://id.example.org/token",
    "AIHQ_OIDC_USERINFO_ENDPOINT": "https://id.example.org/userinfo",
    "AIHQ_OIDC_JWKS_ENDPOINT": "https://id.example.org/certs",
}


@pytest.mark.parametrize("extra", [{}, SSO], ids=["passwords", "single-sign-on"])
def test_production_settings_pass_check_deploy(tmp_path, extra):
    """With the lock-out (django-axes) and the Content-Security-Policy (django-csp) checks included."""
    env = {**PRODUCTION, **extra}
    result = run_aihq("check", "--deploy", "--fail-level", "WARNING", AIHQ_DATA_DIR=str(tmp_path), **env)
    assert result.returncode == 0, result.stdout + result.stderr
    listed = run_aihq(
        "shell", "--no-imports", "-c", "from django.conf import settings; print(settings.INSTALLED_APPS)",
        AIHQ_DATA_DIR=str(tmp_path), **env,
    )  # fmt: skip
    assert "'axes'" in listed.stdout
    assert "'csp'" in listed.stdout


@pytest.mark.parametrize("missing", ["SECRET_KEY", "ALLOWED_HOSTS"])
def test_production_refuses_to_start_without(tmp_path, missing):
    env = {k: v for k, v in PRODUCTION.items() if k != missing}
    result = run_aihq("check", AIHQ_DATA_DIR=str(tmp_path), **env)
    assert result.returncode != 0
    assert missing in result.stderr


def test_development_secret_is_made_once_and_kept_private(tmp_path):
    assert run_aihq("check", AIHQ_DATA_DIR=str(tmp_path)).returncode == 0
    secret = tmp_path / "secret_key"
    first = secret.read_text()
    assert len(first) >= 50
    assert oct(secret.stat().st_mode & 0o777) == "0o600"
    assert run_aihq("check", AIHQ_DATA_DIR=str(tmp_path)).returncode == 0
    assert secret.read_text() == first


def test_rate_limit_counts_are_shared_by_the_servers_processes(tmp_path):
    """gunicorn runs several workers: counts kept in each one's memory would multiply every rate limit."""
    write = "from django.core.cache import cache; cache.set('throttle_user_1', [1.0], 60)"
    read = "from django.core.cache import cache; print(cache.get('throttle_user_1'))"
    assert run_aihq("shell", "-c", write, AIHQ_DATA_DIR=str(tmp_path)).returncode == 0
    seen = run_aihq("shell", "-c", read, AIHQ_DATA_DIR=str(tmp_path))
    assert seen.stdout.strip().splitlines()[-1] == "[1.0]", seen.stderr
