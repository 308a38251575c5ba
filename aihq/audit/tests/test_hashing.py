"""The pure chain functions, without a database."""

from __future__ import annotations

from typing import Any

from aihq.audit.hashing import GENESIS_HASH, event_hash, verify_chain


def make_chain(n: int) -> list[dict]:
    events: list[dict] = []
    prev: Any = GENESIS_HASH
    for seq in range(1, n + 1):
        event = {
            "id": seq,
            "seq": seq,
            "timestamp": f"2026-01-0{seq}T00:00:00Z",
            "actor_id": 1,
            "actor_label": "u",
            "request_id": "r",
            "object_type": "registry.usecase",
            "object_id": str(seq),
            "object_repr": "x",
            "action": "create",
            "before": None,
            "after": {"name": f"n{seq}"},
            "prev_hash": prev,
        }
        event["hash"] = event_hash(event)
        prev = event["hash"]
        events.append(event)
    return events


def test_intact_chain_verifies():
    events = make_chain(4)
    assert verify_chain(events, 4, events[-1]["hash"]) is None


def test_empty_chain_verifies():
    assert verify_chain([], None, None) is None


def test_hash_does_not_depend_on_key_order():
    event = make_chain(1)[0]
    assert event_hash(dict(reversed(list(event.items())))) == event["hash"]


def test_edited_content_is_found():
    events = make_chain(4)
    events[1]["after"] = {"name": "tampered"}
    broken = verify_chain(events, 4, events[-1]["hash"])
    assert broken is not None
    assert broken.seq == 2
    assert "edited" in broken.reason


def test_deleted_middle_event_is_found():
    events = make_chain(4)
    del events[2]
    broken = verify_chain(events, 4, make_chain(4)[-1]["hash"])
    assert broken is not None
    assert broken.seq == 4


def test_deleted_last_event_is_found_through_the_head():
    events = make_chain(4)
    head_hash = events[-1]["hash"]
    broken = verify_chain(events[:-1], 4, head_hash)
    assert broken is not None
    assert "head" in broken.reason


def test_inserted_event_with_recomputed_hash_is_found():
    events = make_chain(3)
    forged = dict(events[1], after={"name": "forged"})
    forged["hash"] = event_hash(forged)
    events[1] = forged  # a forger recomputed this event's hash, but the next event still links to the original
    broken = verify_chain(events, 3, events[-1]["hash"])
    assert broken is not None
    assert broken.seq == 3
    assert "link" in broken.reason


def test_missing_head_with_events_is_found():
    events = make_chain(2)
    assert verify_chain(events, None, None) is not None
