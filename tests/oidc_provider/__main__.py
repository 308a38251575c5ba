"""Run the test OpenID Connect provider, or change a user's groups in its database.

    python -m tests.oidc_provider serve --db PATH --client-id ID --client-secret SECRET --redirect-uri URI \
        [--user NAME:PASSWORD:EMAIL:GROUP,GROUP ...] [--port 0]
    python -m tests.oidc_provider set-groups --db PATH NAME GROUP,GROUP

``serve`` migrates a fresh SQLite database, makes a new RSA signing key, registers one confidential client
(authorization code, PKCE, RS256, no consent page) and the users, then listens on 127.0.0.1 (port 0: any free
one) and prints ``listening on http://127.0.0.1:PORT`` when it accepts connections.
"""

from __future__ import annotations

import argparse
import os
from typing import Any


def _setup(db: str) -> None:
    os.environ["DJANGO_SETTINGS_MODULE"] = "tests.oidc_provider.settings"
    os.environ["OIDC_PROVIDER_DB"] = db
    import django

    django.setup()


def _new_rsa_key() -> str:
    """A fresh signing key for each run: nothing secret lives in the repository."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode("ascii")


def _set_groups(user: Any, names: str) -> None:
    from django.contrib.auth.models import Group

    groups = [Group.objects.get_or_create(name=name)[0] for name in names.split(",") if name]
    user.groups.set(groups)


def serve(args: argparse.Namespace) -> None:
    os.environ["OIDC_PROVIDER_RSA_KEY"] = _new_rsa_key()
    _setup(args.db)
    from django.contrib.auth.models import User
    from django.core.management import call_command
    from django.core.servers.basehttp import ThreadedWSGIServer, WSGIRequestHandler
    from django.core.wsgi import get_wsgi_application
    from oauth2_provider.models import Application

    call_command("migrate", verbosity=0, interactive=False)
    Application.objects.create(
        name="AIHQ",
        client_id=args.client_id,
        client_secret=args.client_secret,
        client_type=Application.CLIENT_CONFIDENTIAL,
        authorization_grant_type=Application.GRANT_AUTHORIZATION_CODE,
        redirect_uris=args.redirect_uri,
        skip_authorization=True,
        algorithm=Application.RS256_ALGORITHM,
    )
    for spec in args.user:
        name, password, email, groups = spec.split(":", 3)
        user = User.objects.create_user(
            name, email=email, password=password, first_name=name.capitalize(), last_name="Example"
        )
        _set_groups(user, groups)

    server = ThreadedWSGIServer(("127.0.0.1", args.port), WSGIRequestHandler)
    server.set_app(get_wsgi_application())
    print(f"listening on http://127.0.0.1:{server.server_port}", flush=True)
    server.serve_forever()


def set_groups(args: argparse.Namespace) -> None:
    _setup(args.db)
    from django.contrib.auth.models import User

    _set_groups(User.objects.get(username=args.username), args.groups)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m tests.oidc_provider", description=__doc__.split("\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    run = commands.add_parser("serve", help="run the provider")
    run.add_argument("--db", required=True, help="SQLite file (created)")
    run.add_argument("--client-id", required=True)
    run.add_argument("--client-secret", required=True)
    run.add_argument("--redirect-uri", required=True, help="the relying party's callback URL")
    run.add_argument("--user", action="append", default=[], help="NAME:PASSWORD:EMAIL:GROUP,GROUP")
    run.add_argument("--port", type=int, default=0, help="0 (default): any free port")
    run.set_defaults(handler=serve)
    change = commands.add_parser("set-groups", help="replace a user's groups")
    change.add_argument("--db", required=True)
    change.add_argument("username")
    change.add_argument("groups", help="comma-separated; empty for none")
    change.set_defaults(handler=set_groups)
    args = parser.parse_args(argv)
    args.handler(args)


if __name__ == "__main__":
    main()
