from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "aihq.accounts"
    label = "accounts"
    verbose_name = _("Accounts")

    def ready(self) -> None:
        from aihq.accounts import lockout, schema  # noqa: F401  (the lock-out audit receiver, the OpenAPI auth extension)
