"""Shared fixtures: two organisations (A with a sub-organisation A1, and B), a user per role, clients."""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any

import pytest

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright's sync API beside live_server


@dataclass
class World:
    """The permission-matrix world every access test uses."""

    org_a: Any
    org_a1: Any
    org_b: Any
    uc_a: Any
    uc_a1: Any
    uc_b: Any
    users: dict[str, Any]
    sector: Any
    region: Any


ROLE_USERS = {
    # name: (role, organisation key or None)
    "hq_admin": ("hq_admin", None),
    "auditor": ("auditor", None),
    "coordinator_a": ("coordinator", "org_a"),
    "editor_a": ("editor", "org_a"),
    "viewer_a": ("viewer", "org_a"),
    "editor_b": ("editor", "org_b"),
    "norole": (None, None),
}


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """Hashing passwords with PBKDF2 for every test user would dominate the suite's time."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(scope="session")
def _cache_dir(tmp_path_factory):
    return tmp_path_factory.mktemp("cache")


@pytest.fixture(autouse=True)
def _fresh_rate_counts(settings, _cache_dir):
    """Rate-limit counts live in a file cache that the server's processes share: this run's own, so that two
    runs at once do not count each other's requests, and emptied for each test."""
    from django.core.cache import cache

    settings.CACHES = {"default": {**settings.CACHES["default"], "LOCATION": str(_cache_dir)}}
    cache.clear()


@pytest.fixture(autouse=True)
def _no_embedding_on_save(settings):
    """Embedding every use case a test creates would load the sentence encoder everywhere; the coordination
    tests switch it on where they need it."""
    settings.AIHQ_EMBED_ON_SAVE = False


@pytest.fixture(autouse=True)
def _english_after_each_test():
    """A request in Russian leaves Russian active in the test thread; later tests expect the default."""
    from django.utils import translation

    yield
    translation.deactivate()


@pytest.fixture
def system_actor():
    from aihq.accounts.permissions import SystemActor

    return SystemActor("test")


@pytest.fixture
def world(db, system_actor) -> World:
    from aihq.accounts.models import Membership, User
    from aihq.registry.models import Organisation, OrganisationKind, Region, Sector, Stage
    from aihq.registry.services import use_case_create

    region = Region.objects.create(code="RU-TA", country="RU", name_en="Tatarstan", name_ru="Татарстан")
    sector = Sector.objects.create(code="healthcare", name_en="Health", name_ru="Здравоохранение")
    org_a = Organisation.objects.create(
        code="A", name_en="Ministry A", name_ru="Министерство А", kind=OrganisationKind.MINISTRY
    )
    org_a1 = Organisation.objects.create(code="A1", name_en="Agency A1", kind=OrganisationKind.AGENCY, parent=org_a)
    org_b = Organisation.objects.create(code="B", name_en="Ministry B", kind=OrganisationKind.MINISTRY)
    orgs = {"org_a": org_a, "org_b": org_b}
    users = {}
    for name, (role, org_key) in ROLE_USERS.items():
        user = User.objects.create_user(username=name, password="pw-" + name + "-123456")
        if role:
            Membership.objects.create(user=user, role=role, organisation=orgs[org_key] if org_key else None)
        users[name] = user
    uc_a = use_case_create(
        actor=system_actor, organisation=org_a, name="Chatbot A", stage=Stage.PILOT, sectors=[sector], regions=[region]
    )
    uc_a1 = use_case_create(actor=system_actor, organisation=org_a1, name="Vision A1", stage=Stage.PRODUCTION)
    uc_b = use_case_create(actor=system_actor, organisation=org_b, name="Forecast B", stage=Stage.PLANNED)
    return World(org_a, org_a1, org_b, uc_a, uc_a1, uc_b, users, sector, region)


@pytest.fixture
def api_client_for(world):
    """An API client authenticated as one of the world's users (or anonymous for None)."""
    from rest_framework.test import APIClient

    def make(name: str | None) -> APIClient:
        client = APIClient()
        if name is not None:
            client.force_authenticate(world.users[name])
        return client

    return make


@pytest.fixture
def page_client_for(world, client):
    """A browser-like Django test client signed in as one of the world's users (or anonymous for None)."""
    from django.test import Client

    def make(name: str | None) -> Client:
        page_client = Client()
        if name is not None:
            page_client.force_login(world.users[name])
        return page_client

    return make


@dataclass
class Mailbox:
    """What a real SMTP server on loopback received: each message parsed, with its envelope recipients."""

    messages: list[Any]

    def to(self, address: str) -> list[Any]:
        return [m for m in self.messages if address in m["X-Envelope-To"]]

    def clear(self) -> None:
        self.messages.clear()


@pytest.fixture
def smtp_server(settings):
    """An aiosmtpd server on 127.0.0.1 that Django's SMTP backend sends to; yields its mailbox."""
    import email
    import email.policy
    import socket

    from aiosmtpd.controller import Controller

    received: list[Any] = []

    class Handler:
        async def handle_DATA(self, server, session, envelope):
            message = email.message_from_bytes(envelope.content, policy=email.policy.default)
            message["X-Envelope-To"] = ", ".join(envelope.rcpt_tos)
            received.append(message)
            return "250 OK"

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(Handler(), hostname="127.0.0.1", port=port)
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    try:
        yield Mailbox(received)
    finally:
        controller.stop()
