"""The data the API-wide tests share: the demo, and what the demo leaves empty that every API reader meets.

Used by the list query-count test and the API fuzz test; each adds what only it needs.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

#: The demo's editor (of MINTSIFRY), the scoped user both tests read the API as.
EDITOR = "editor"
EDITOR_ORGANISATION = "MINTSIFRY"


def seed_demo_with_imports_and_webhooks(actor: Any, *, hook_url: Callable[[int], str]) -> None:
    """The demo without the US inventory, two imports made by the demo editor into its own organisation (imports
    are their importer's own), and two webhook endpoints for serious incidents at ``hook_url(0)`` and
    ``hook_url(1)``. ``run_routines`` is left to the caller, after what it adds for the routines to tell."""
    from aihq.accounts.models import User
    from aihq.exchange.services import ImportOptions, import_usecases
    from aihq.notifications.kinds import Kind
    from aihq.registry.demo import load_demo
    from aihq.webhooks.services import endpoint_create

    load_demo(actor=actor, us_inventory=False)
    editor = User.objects.get(username=EDITOR)
    for name in ("a.csv", "b.csv"):
        data = f"name,organisation\nImported {name},{EDITOR_ORGANISATION}\n".encode()
        import_usecases(actor=editor, data=data, file_name=name, options=ImportOptions(format="csv"))
    for n in range(2):
        endpoint_create(actor=actor, name=f"Hook {n}", url=hook_url(n), event_types=[Kind.INCIDENT_SERIOUS])
