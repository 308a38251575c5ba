"""System checks: no demo accounts may exist in production."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import Error, Tags, register
from django.db import DatabaseError


@register(Tags.security, Tags.database, deploy=True)
def demo_accounts_in_production(app_configs: Any = None, databases: Any = None, **kwargs: Any) -> list[Error]:
    """Demo accounts are refused at sign-in in production; this check asks to delete them too."""
    if not settings.PRODUCTION or not databases:
        return []
    from aihq.accounts.models import User

    try:
        count = User.objects.filter(is_demo=True).count()
    except DatabaseError:  # database not migrated yet: nothing to find
        return []
    if count:
        return [
            Error(
                f"{count} demo account(s) exist in a production database.",
                hint="Delete them: aihq shell -c "
                '"from aihq.accounts.models import User; User.objects.filter(is_demo=True).delete()"',
                id="aihq.E001",
            )
        ]
    return []
