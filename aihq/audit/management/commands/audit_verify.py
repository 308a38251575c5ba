"""aihq audit_verify — exit 0 when the audit hash chain is intact, 1 naming the first broken event."""

from __future__ import annotations

import sys
from typing import Any

from aihq.audit.selectors import verify_audit_chain
from aihq.core.cli import AIHQCommand


class Command(AIHQCommand):
    help = "Check the audit log's hash chain; names the first edited, deleted or inserted event."

    def handle(self, *args: Any, **options: Any) -> None:
        with self.console.status("Verifying the audit chain…"):
            result, count = verify_audit_chain()
        if result is None:
            self.emit(options, f"Audit chain intact: {count} events verified.", {"ok": True, "events": count})
            return
        self.emit(
            options,
            f"Audit chain BROKEN at event #{result.seq} (id {result.event_id}): {result.reason}. {count} events read.",
            {"ok": False, "events": count, "seq": result.seq, "event_id": result.event_id, "reason": result.reason},
        )
        sys.exit(1)
