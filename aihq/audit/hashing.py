"""The audit hash chain as pure functions: canonical content, event hash, chain verification."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

GENESIS_HASH = "0" * 64

# The fields of an event that its hash covers, in a fixed order.
HASHED_FIELDS = (
    "seq",
    "timestamp",
    "actor_id",
    "actor_label",
    "request_id",
    "object_type",
    "object_id",
    "object_repr",
    "action",
    "before",
    "after",
    "prev_hash",
)


def canonical(content: Mapping[str, Any]) -> str:
    """The canonical JSON of an event's hashed fields (sorted keys, no whitespace)."""
    return json.dumps(
        {name: content.get(name) for name in HASHED_FIELDS},
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=False,
        default=str,
    )


def event_hash(content: Mapping[str, Any]) -> str:
    """SHA-256 of the canonical content; the content includes the previous event's hash."""
    return hashlib.sha256(canonical(content).encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class ChainBreak:
    """Where and why a chain stops being trustworthy."""

    seq: int | None
    event_id: int | None
    reason: str


def verify_chain(events: Iterable[Mapping[str, Any]], head_seq: int | None, head_hash: str | None) -> ChainBreak | None:
    """Check events in ``seq`` order; return the first break, or None if the chain is intact.

    Each event must have the next sequence number, point at the previous hash, and hash to its
    stored value; the head (kept beside the chain) must name the last event, so a deleted tail
    is found too.
    """
    expected_seq = 1
    prev = GENESIS_HASH
    last_id: int | None = None
    for event in events:
        seq = int(event["seq"])
        if seq != expected_seq:
            return ChainBreak(
                seq, event.get("id"), f"expected event #{expected_seq}, found #{seq} (deleted or inserted)"
            )
        if event["prev_hash"] != prev:
            return ChainBreak(seq, event.get("id"), "does not link to the previous event's hash")
        if event_hash(event) != event["hash"]:
            return ChainBreak(seq, event.get("id"), "content does not match its hash (edited)")
        prev = event["hash"]
        last_id = event.get("id")
        expected_seq += 1
    last_seq = expected_seq - 1
    if last_seq == 0 and head_seq in (None, 0):
        return None
    if head_seq is None:
        return ChainBreak(last_seq or None, last_id, "the chain head record is missing")
    if head_seq != last_seq or head_hash != prev:
        return ChainBreak(
            last_seq or None,
            last_id,
            f"the chain head names event #{head_seq} but the log ends at #{last_seq}"
            " (events removed or added at the end)",
        )
    return None
