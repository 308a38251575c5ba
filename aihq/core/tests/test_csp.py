"""Content-Security-Policy: scripts only from AIHQ's files, and no template carries inline script."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import aihq
from aihq.core.tests.test_settings import PRODUCTION, run_aihq

TEMPLATES = sorted(Path(aihq.__file__).resolve().parent.rglob("templates/**/*.html"))
# Any on* attribute (onclick, onchange, onload, ...) in a tag, and the javascript: scheme in a link or action.
INLINE_HANDLER = re.compile(r"<[^>]*\son[a-z]+\s*=", re.IGNORECASE | re.DOTALL)
JAVASCRIPT_URL = re.compile(r"""(?:href|src|action|formaction)\s*=\s*["']?\s*javascript:""", re.IGNORECASE)
SCRIPT_TAG = re.compile(r"<script\b([^>]*)>", re.IGNORECASE)


def directives(header: str) -> dict[str, list[str]]:
    parsed = {}
    for part in header.split(";"):
        words = part.split()
        if words:
            parsed[words[0]] = words[1:]
    return parsed


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/login/", "/register/", "/api/v1/docs/"])
def test_html_pages_carry_the_policy_without_unsafe_script_sources(world, system_actor, path):
    from django.test import Client

    from aihq.publication.services import profile_update

    profile_update(actor=system_actor, enabled=True)
    response = Client().get(path)
    assert response.status_code == 200
    policy = directives(response["Content-Security-Policy"])
    assert policy["script-src"] == ["'self'"]
    assert policy["default-src"] == ["'self'"]
    assert policy["object-src"] == ["'none'"]
    assert policy["frame-ancestors"] == ["'none'"]
    assert policy["base-uri"] == ["'self'"]
    assert policy["form-action"] == ["'self'"]
    assert policy["style-src"] == ["'self'", "'unsafe-inline'"]
    assert policy["img-src"] == ["'self'", "data:"]


@pytest.mark.django_db
def test_signed_in_pages_carry_the_policy_too(world, page_client_for):
    response = page_client_for("editor_a").get("/")
    assert response.status_code == 200
    script_sources = directives(response["Content-Security-Policy"])["script-src"]
    assert "'unsafe-inline'" not in script_sources
    assert "'unsafe-eval'" not in script_sources


def test_the_api_docs_start_swagger_from_a_file_not_an_inline_script(client, db):
    body = client.get("/api/v1/docs/").content.decode()
    scripts = SCRIPT_TAG.findall(body)
    assert scripts
    assert all("src=" in attributes for attributes in scripts)
    assert client.get("/api/v1/docs/?script=").status_code == 200


@pytest.mark.parametrize("template", TEMPLATES, ids=lambda p: str(p).split("templates/", 1)[-1])
def test_no_template_has_inline_event_handlers_or_scripts(template):
    text = template.read_text(encoding="utf-8")
    assert not INLINE_HANDLER.search(text), "inline event handler: use a data- attribute and a static script"
    assert not JAVASCRIPT_URL.search(text), "javascript: URL"
    for attributes in SCRIPT_TAG.findall(text):
        # Data for a script (json_script) is allowed; code must come from a file.
        assert "src=" in attributes or 'type="application/json"' in attributes, f"inline <script{attributes}>"


def test_the_scan_would_catch_what_it_looks_for():
    assert INLINE_HANDLER.search('<button class="x" onclick="go()">')
    assert INLINE_HANDLER.search("<select\n  onchange='this.form.submit()'>")
    assert not INLINE_HANDLER.search('<button data-confirm="Delete?">')
    assert not INLINE_HANDLER.search("<p>Put the monitor on</p>")
    assert JAVASCRIPT_URL.search('<a href="javascript:alert(1)">')
    assert SCRIPT_TAG.findall("<script>alert(1)</script>") == [""]


def test_the_single_sign_on_providers_origin_may_receive_the_sign_in_form(tmp_path):
    oidc = {
        "AIHQ_OIDC_CLIENT_ID": "aihq",
        "AIHQ_OIDC_CLIENT_SECRET": "s",
        "AIHQ_OIDC_AUTHORIZATION_ENDPOINT": "https://id.example.org:8443/realms/gov/protocol/openid-connect/auth",
        "AIHQ_OIDC_TOKEN_ENDPOINT": "https://id.example.org:8443/token",
        "AIHQ_OIDC_USERINFO_ENDPOINT": "https://id.example.org:8443/userinfo",
        "AIHQ_OIDC_JWKS_ENDPOINT": "https://id.example.org:8443/certs",
    }
    code = "from django.conf import settings; print(settings.CONTENT_SECURITY_POLICY['DIRECTIVES']['form-action'])"
    result = run_aihq("shell", "--no-imports", "-c", code, AIHQ_DATA_DIR=str(tmp_path), **PRODUCTION, **oidc)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[\"'self'\", 'https://id.example.org:8443']"
