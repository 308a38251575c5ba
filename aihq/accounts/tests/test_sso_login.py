"""Single sign-on through a real OpenID Connect provider: django-oauth-toolkit in a process of its own on loopback.

Nothing is mocked: AIHQ (pytest-django's live server) sends the browser (a requests session) to the provider's
login page, exchanges the code at its token endpoint, checks the ID token with its published keys, reads
userinfo, and signs the user in with the roles the mappings give.
"""

from __future__ import annotations

import html
import os
import re
import select
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

import pytest

pytest.importorskip("oauth2_provider", reason="the test identity provider needs django-oauth-toolkit (the dev extra)")
requests = pytest.importorskip("requests", reason="the tests' browser is a requests session")

from aihq.accounts import services  # noqa: E402
from aihq.accounts.models import ExternalIdentity, Membership, MembershipSource, User  # noqa: E402
from aihq.accounts.permissions import SystemActor  # noqa: E402

pytestmark = pytest.mark.django_db(transaction=True)

REPO = Path(__file__).resolve().parents[3]
CLIENT_ID = "aihq-test-client"
CLIENT_SECRET = "aihq-test-client-secret-0123456789"
ALICE = ("alice", "alice-password-123")
BOB = ("bob", "bob-password-123")
CAROL = ("carol", "carol-password-123")
STARTUP_SECONDS = 60


@dataclass
class Provider:
    """The running provider: its base URL and a way to change a user's groups there."""

    url: str
    db: Path

    @property
    def issuer(self) -> str:
        return f"{self.url}/o"

    def set_groups(self, username: str, *groups: str) -> None:
        subprocess.run(
            [
                sys.executable,
                "-m",
                "tests.oidc_provider",
                "set-groups",
                "--db",
                str(self.db),
                username,
                ",".join(groups),
            ],
            cwd=REPO,
            check=True,
            capture_output=True,
            timeout=60,
        )


@pytest.fixture(scope="module")
def oidc_provider(live_server, tmp_path_factory) -> Iterator[Provider]:
    """Start the provider as a subprocess on a free loopback port, with its own SQLite file; stop it at the end."""
    directory = tmp_path_factory.mktemp("oidc_provider")
    db = directory / "provider.sqlite3"
    log = (directory / "provider.log").open("w")
    command = [
        sys.executable,
        "-m",
        "tests.oidc_provider",
        "serve",
        "--db",
        str(db),
        "--client-id",
        CLIENT_ID,
        "--client-secret",
        CLIENT_SECRET,
        "--redirect-uri",
        f"{live_server.url}/oidc/callback/",
        "--user",
        f"{ALICE[0]}:{ALICE[1]}:alice@example.org:analysts,staff",
        "--user",
        f"{BOB[0]}:{BOB[1]}:bob@example.org:visitors",
        "--user",
        f"{CAROL[0]}:{CAROL[1]}:carol@example.org:analysts",
    ]
    env = {key: value for key, value in os.environ.items() if key != "DJANGO_SETTINGS_MODULE"}
    process = subprocess.Popen(command, cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=log, text=True)
    try:
        url = _wait_for_listening(process, directory / "provider.log")
        _wait_until_answering(f"{url}/o/.well-known/openid-configuration")
        yield Provider(url=url, db=db)
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)
        log.close()


def _wait_for_listening(process: subprocess.Popen[str], log: Path) -> str:
    assert process.stdout is not None
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"the test OpenID Connect provider stopped at start:\n{log.read_text()}")
        ready, _, _ = select.select([process.stdout], [], [], 0.5)
        if ready:
            line = process.stdout.readline()
            match = re.search(r"listening on (http://127\.0\.0\.1:\d+)", line)
            if match:
                return match.group(1)
    pytest.fail(f"the test OpenID Connect provider did not start in {STARTUP_SECONDS} s:\n{log.read_text()}")


def _wait_until_answering(url: str) -> None:
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        try:
            if requests.get(url, timeout=2).status_code == 200:
                return
        except requests.ConnectionError:
            pass
        time.sleep(0.1)
    pytest.fail(f"the test OpenID Connect provider does not answer at {url}")


_browsers: list = []


def new_browser():
    """A cookie-keeping HTTP client, closed after the test (so no server thread keeps its connection open)."""
    browser = requests.Session()
    _browsers.append(browser)
    return browser


@pytest.fixture(autouse=True)
def _close_browsers():
    yield
    while _browsers:
        _browsers.pop().close()


@pytest.fixture
def sso_on(settings, oidc_provider):
    """AIHQ pointed at the provider, as AIHQ_OIDC_* in the environment would (see the end of aihq/settings.py)."""
    settings.OIDC_RP_CLIENT_ID = CLIENT_ID
    settings.OIDC_RP_CLIENT_SECRET = CLIENT_SECRET
    settings.OIDC_OP_AUTHORIZATION_ENDPOINT = f"{oidc_provider.url}/o/authorize/"
    settings.OIDC_OP_TOKEN_ENDPOINT = f"{oidc_provider.url}/o/token/"
    settings.OIDC_OP_USER_ENDPOINT = f"{oidc_provider.url}/o/userinfo/"
    settings.OIDC_OP_JWKS_ENDPOINT = f"{oidc_provider.url}/o/.well-known/jwks.json"
    settings.OIDC_RP_SIGN_ALGO = "RS256"
    settings.AIHQ_OIDC_PROVIDER_NAME = "Test ID"
    return oidc_provider


@pytest.fixture
def mappings(world, system_actor):
    """Analysts edit in Ministry A; staff are auditors."""
    services.sso_mapping_create(actor=system_actor, value="analysts", role="editor", organisation=world.org_a)
    services.sso_mapping_create(actor=system_actor, value="staff", role="auditor")


def _form_field(page: str, name: str) -> str:
    match = re.search(rf'name="{name}"\s+value="([^"]*)"', page)
    assert match, f"no {name} in the form"
    return html.unescape(match.group(1))


def _to_provider_login(browser, live_server, next_url: str | None = None):
    """Press AIHQ's single sign-on button; the provider's sign-in page answers."""
    login_page = browser.get(f"{live_server.url}/login/")
    assert "Sign in with Test ID" in login_page.text
    params = {"next": next_url} if next_url else None
    page = browser.get(f"{live_server.url}/oidc/authenticate/", params=params)
    assert page.status_code == 200
    assert "/accounts/login/" in page.url
    return page


def _sign_in_at_provider(browser, page, username: str, password: str, *, follow: bool = True):
    return browser.post(
        page.url,
        data={
            "csrfmiddlewaretoken": _form_field(page.text, "csrfmiddlewaretoken"),
            "username": username,
            "password": password,
            "next": _form_field(page.text, "next"),
        },
        allow_redirects=follow,
    )


def sso_login(live_server, username: str, password: str, next_url: str | None = None):
    """A new browser signs in through the provider; returns the browser and the last page it landed on."""
    browser = new_browser()
    page = _to_provider_login(browser, live_server, next_url)
    return browser, _sign_in_at_provider(browser, page, username, password)


def _callback_url(browser, page, username: str, password: str) -> str:
    """Sign in at the provider, following redirects up to (not into) AIHQ's callback; returns the callback URL."""
    response = _sign_in_at_provider(browser, page, username, password, follow=False)
    for _ in range(5):
        location = str(response.headers["Location"])
        if "/oidc/callback/" in location:
            return location
        response = browser.get(urljoin(response.url, location), allow_redirects=False)
    pytest.fail("the provider never sent the browser back to AIHQ")


def _signed_in_as(browser, live_server) -> str | None:
    response = browser.get(f"{live_server.url}/account/", allow_redirects=False)
    if response.status_code != 200:
        return None
    match = re.search(r'class="username"[^>]*>([^<]+)<', response.text)
    return match.group(1) if match else None


def test_sso_login_lands_on_the_dashboard_with_the_mapped_membership(live_server, sso_on, mappings, world):
    sso_on.set_groups("alice", "analysts")
    browser, landed = sso_login(live_server, *ALICE)

    assert landed.status_code == 200
    assert landed.url == f"{live_server.url}/"
    assert _signed_in_as(browser, live_server) == "alice"
    user = User.objects.get(username="alice")
    assert (user.email, user.first_name, user.last_name) == ("alice@example.org", "Alice", "Example")
    assert not user.has_usable_password()
    assert [(m.role, m.organisation_id, m.source) for m in user.memberships.all()] == [
        ("editor", world.org_a.pk, MembershipSource.SSO)
    ]
    identity = ExternalIdentity.objects.get(user=user)
    assert identity.issuer == sso_on.issuer
    # The account page shows the role in the mapped organisation.
    account = browser.get(f"{live_server.url}/account/").text
    assert "Ministry A" in account
    assert "Editor" in account


def test_a_second_login_follows_the_provider_groups_and_keeps_hand_grants(live_server, sso_on, mappings, world):
    sso_on.set_groups("alice", "analysts", "staff")
    sso_login(live_server, *ALICE)
    alice = User.objects.get(username="alice")
    assert {(m.role, m.source) for m in alice.memberships.all()} == {("editor", "sso"), ("auditor", "sso")}
    services.membership_create(actor=SystemActor("test"), user=alice, role="viewer", organisation=world.org_b)

    sso_on.set_groups("alice", "staff")
    _browser, landed = sso_login(live_server, *ALICE)

    assert landed.url == f"{live_server.url}/"
    assert User.objects.filter(username__startswith="alice").count() == 1  # the same user, found by identity
    held = {(m.role, m.organisation_id, m.source) for m in Membership.objects.filter(user=alice)}
    assert held == {("auditor", None, "sso"), ("viewer", world.org_b.pk, "manual")}


def test_an_unmapped_user_gets_in_with_no_roles(live_server, sso_on, mappings):
    sso_on.set_groups("bob", "visitors")
    browser, landed = sso_login(live_server, *BOB)

    assert landed.url == f"{live_server.url}/"
    assert _signed_in_as(browser, live_server) == "bob"
    assert not Membership.objects.filter(user__username="bob").exists()


def test_an_inactive_user_is_refused(live_server, sso_on, mappings):
    sso_on.set_groups("carol", "analysts")
    sso_login(live_server, *CAROL)
    User.objects.filter(username="carol").update(is_active=False)

    browser, landed = sso_login(live_server, *CAROL)

    assert landed.url.startswith(f"{live_server.url}/login/")
    assert "Single sign-on did not sign you in" in landed.text
    assert _signed_in_as(browser, live_server) is None


def test_a_forged_state_is_refused(live_server, sso_on, mappings):
    sso_on.set_groups("alice", "analysts")
    browser = new_browser()
    callback = _callback_url(browser, _to_provider_login(browser, live_server), *ALICE)
    parts = urlsplit(callback)
    query = dict(parse_qsl(parts.query))
    query["state"] = "forged-state"
    forged = urlunsplit(parts._replace(query=urlencode(query)))

    landed = browser.get(forged)

    assert landed.url.startswith(f"{live_server.url}/login/")
    assert _signed_in_as(browser, live_server) is None
    assert not User.objects.filter(username="alice").exists()


def test_a_callback_replayed_in_another_browser_is_refused(live_server, sso_on, mappings):
    sso_on.set_groups("alice", "analysts")
    victim = new_browser()
    callback = _callback_url(victim, _to_provider_login(victim, live_server), *ALICE)

    attacker = new_browser()
    landed = attacker.get(callback)

    assert landed.url.startswith(f"{live_server.url}/login/")
    assert _signed_in_as(attacker, live_server) is None
    # The real browser still completes its own login.
    victim.get(callback)
    assert _signed_in_as(victim, live_server) == "alice"


def test_a_next_address_off_the_site_is_ignored(live_server, sso_on, mappings):
    sso_on.set_groups("alice", "analysts")
    _browser, landed = sso_login(live_server, *ALICE, next_url="https://evil.example.org/phish")
    assert landed.url == f"{live_server.url}/"


def test_a_next_address_on_the_site_is_followed(live_server, sso_on, mappings):
    sso_on.set_groups("alice", "analysts")
    _browser, landed = sso_login(live_server, *ALICE, next_url="/account/")
    assert landed.url == f"{live_server.url}/account/"


def test_a_wrong_password_at_the_provider_signs_no_one_in(live_server, sso_on, mappings):
    browser = new_browser()
    page = _to_provider_login(browser, live_server)
    response = _sign_in_at_provider(browser, page, "alice", "not-her-password")
    assert "/accounts/login/" in response.url  # still at the provider
    assert _signed_in_as(browser, live_server) is None


def test_local_password_login_still_works_with_sso_on(live_server, sso_on, world):
    browser = new_browser()
    page = browser.get(f"{live_server.url}/login/")
    assert 'data-testid="sso-login"' in page.text
    landed = browser.post(
        f"{live_server.url}/login/",
        data={
            "csrfmiddlewaretoken": _form_field(page.text, "csrfmiddlewaretoken"),
            "username": "editor_a",
            "password": "pw-editor_a-123456",
            "next": "",
        },
    )
    assert landed.url == f"{live_server.url}/"
    assert _signed_in_as(browser, live_server) == "editor_a"


def test_a_wrong_client_secret_fails_at_the_token_endpoint(live_server, sso_on, mappings, settings):
    settings.OIDC_RP_CLIENT_SECRET = "not-the-secret"
    sso_on.set_groups("alice", "analysts")
    browser, landed = sso_login(live_server, *ALICE)

    assert landed.url.startswith(f"{live_server.url}/login/")
    assert _signed_in_as(browser, live_server) is None
    assert not User.objects.filter(username="alice").exists()


def test_an_id_token_from_another_issuer_is_refused(live_server, sso_on, mappings, settings):
    """With AIHQ_OIDC_ISSUER pinned, a token the provider issued under another name signs no one in; with the
    provider's own issuer it does."""
    settings.AIHQ_OIDC_ISSUER = "https://login.other-tenant.example/v2.0"
    sso_on.set_groups("alice", "analysts")
    browser, landed = sso_login(live_server, *ALICE)
    assert landed.url.startswith(f"{live_server.url}/login/")
    assert not User.objects.filter(username="alice").exists()
    settings.AIHQ_OIDC_ISSUER = sso_on.issuer
    browser, landed = sso_login(live_server, *ALICE)
    assert _signed_in_as(browser, live_server) == "alice"
