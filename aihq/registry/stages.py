"""Stage changes other capabilities may hold back (a stage-gate review) or follow (using up a decision).

The registry does not know why a move is held: a guard registered here answers, for a batch of moves, the
message that blocks each one. ``moved`` tells the guards which moves happened, inside the same transaction.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, NamedTuple

from django.dispatch import Signal


class Move(NamedTuple):
    use_case_id: int
    old: str
    new: str


Guard = Callable[[Any, Sequence[Move]], dict[int, str]]

_guards: list[Guard] = []

#: Sent after stage changes were written (sender=UseCase, actor=..., moves=[Move, ...]).
stage_changed = Signal()


def register(guard: Guard) -> None:
    if guard not in _guards:
        _guards.append(guard)


def blocked(actor: Any, moves: Sequence[Move]) -> dict[int, str]:
    """The message that holds back each move a guard refuses, by use case id (empty: all may go)."""
    moves = [m for m in moves if m.old != m.new]
    refused: dict[int, str] = {}
    if not moves:
        return refused
    for guard in _guards:
        for pk, message in guard(actor, moves).items():
            refused.setdefault(pk, message)
    return refused


def moved(actor: Any, sender: type, moves: Sequence[Move]) -> None:
    moves = [m for m in moves if m.old != m.new]
    if moves:
        stage_changed.send(sender=sender, actor=actor, moves=moves)
