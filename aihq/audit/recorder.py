"""Record every change to an audited model as a hash-chained AuditEvent, through signals.

A model opts in with ``audit_enabled = True`` (and ``audit_exclude`` for fields never logged).
Outside a batch each save, delete or many-to-many change is one event. Services run inside
``audit_batch()``, which folds all changes to one object into one event (its state before the
service and after it), written before the service's transaction commits.
"""

from __future__ import annotations

import contextlib
import contextvars
import datetime as dt
import json
import threading
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple

from django.core.serializers.json import DjangoJSONEncoder
from django.db import models, transaction
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_delete, pre_save
from django.utils import timezone

from aihq.audit.hashing import GENESIS_HASH, event_hash
from aihq.audit.models import AuditAction, AuditEvent, AuditHead
from aihq.core import context
from aihq.core.db import insert_rows

Snapshot = dict[str, Any]
_UNSET: Any = object()


def format_timestamp(value: dt.datetime) -> str:
    """The one textual form of an event time that its hash covers (UTC, microseconds)."""
    return value.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def is_audited(model: type[models.Model] | Any) -> bool:
    return isinstance(model, type) and bool(getattr(model, "audit_enabled", False))


def object_type(model: type[models.Model] | models.Model) -> str:
    meta = model._meta
    return f"{meta.app_label}.{meta.model_name}"


_SIMPLE = (str, int, float, bool, type(None))


def plain(value: Any) -> Any:
    """A value as JSON would hold it (dates as ISO text, Decimals and UUIDs as text), without a JSON round trip."""
    if isinstance(value, _SIMPLE):
        return value
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    if isinstance(value, dt.datetime):
        # As DjangoJSONEncoder writes it: milliseconds, "Z" for UTC.
        text = value.isoformat()
        if value.microsecond:
            text = text[:23] + text[26:]
        return text[:-6] + "Z" if text.endswith("+00:00") else text
    if isinstance(value, (dt.date, dt.time)):
        return value.isoformat()
    result: Any = json.loads(json.dumps(value, cls=DjangoJSONEncoder))
    return result


def snapshot(instance: models.Model, *, with_m2m: bool = True) -> Snapshot:
    """The instance's logged fields as plain JSON values (foreign keys and many-to-many as ids)."""
    exclude: set[str] = set(getattr(instance, "audit_exclude", ()))
    data: Snapshot = {}
    for field in instance._meta.concrete_fields:
        if field.name in exclude:
            continue
        data[field.name] = plain(field.value_from_object(instance))
    if with_m2m and instance.pk is not None:
        for m2m in instance._meta.many_to_many:
            if m2m.name in exclude:
                continue
            data[m2m.name] = sorted(getattr(instance, m2m.name).values_list("pk", flat=True))
    return data


# Fields that change on every save; a save that changes nothing else is not an event.
VOLATILE_FIELDS = frozenset({"updated_at"})


def differs(before: Snapshot | None, after: Snapshot | None) -> bool:
    """Whether two snapshots differ in anything but volatile fields."""
    if before is None or after is None:
        return before is not after
    keys = (before.keys() | after.keys()) - VOLATILE_FIELDS
    return any(before.get(key) != after.get(key) for key in keys)


def _stored_snapshot(instance: models.Model) -> Snapshot | None:
    if instance.pk is None or instance._state.adding:
        return None
    stored = type(instance)._base_manager.filter(pk=instance.pk).first()
    return snapshot(stored) if stored is not None else None


class Change(NamedTuple):
    """One change to record: the object, the action, its states, and (for deletes) the id and name it had."""

    instance: models.Model
    action: str
    before: Snapshot | None
    after: Snapshot | None
    object_id: Any = None
    object_repr: str | None = None
    #: when the change happened, for history written after the fact (a generated or migrated log); None: now
    timestamp: dt.datetime | None = None


def append_event(
    *,
    instance: models.Model,
    action: str,
    before: Snapshot | None,
    after: Snapshot | None,
    object_id: Any = None,
    object_repr: str | None = None,
) -> None:
    """Append one event to the chain."""
    append_many([Change(instance, action, before, after, object_id, object_repr)])


def append_many(entries: Sequence[Change | tuple[models.Model, str, Snapshot | None, Snapshot | None]]) -> int:
    """Append events in one locked step (the head's row lock keeps concurrent appends in order).

    Each entry is a Change, or (instance, action, before, after). Returns how many events were written.
    """
    if not entries:
        return 0
    actor = context.get_actor()
    actor_id = actor.pk if actor is not None else None
    actor_label = actor.get_username() if actor is not None else context.get_actor_label()
    request_id = context.get_request_id()
    now = timezone.now()
    stamp = format_timestamp(now)
    with transaction.atomic():
        head = AuditHead.objects.select_for_update().filter(pk=1).first()
        if head is None:
            head = AuditHead.objects.create(pk=1, seq=0, hash=GENESIS_HASH)
        rows = []
        seq, prev = head.seq, head.hash
        for entry in entries:
            change = Change(*entry)
            seq += 1
            content = {
                "seq": seq,
                "timestamp": format_timestamp(change.timestamp) if change.timestamp else stamp,
                "actor_id": actor_id,
                "actor_label": actor_label,
                "request_id": request_id,
                "object_type": object_type(change.instance),
                "object_id": str(change.object_id if change.object_id is not None else change.instance.pk),
                "object_repr": (change.object_repr if change.object_repr is not None else str(change.instance))[:200],
                "action": change.action,
                "before": change.before,
                "after": change.after,
                "prev_hash": prev,
            }
            prev = event_hash(content)
            row = [*(content[name] for name in _EVENT_COLUMNS[:-1]), prev]
            row[1] = change.timestamp or now  # the hash covers the formatted time; the column holds the datetime
            rows.append(row)
        insert_rows(AuditEvent, _EVENT_COLUMNS, rows)
        head.seq, head.hash = seq, prev
        head.save(update_fields=["seq", "hash"])
    return len(rows)


# The stored columns of an event, in the order append_many fills them (hash last).
_EVENT_COLUMNS = (
    "seq", "timestamp", "actor_id", "actor_label", "request_id", "object_type", "object_id", "object_repr",
    "action", "before", "after", "prev_hash", "hash",
)  # fmt: skip


@dataclass
class _Pending:
    instance: models.Model
    before: Snapshot | None
    created: bool = False
    deleted: bool = False
    #: the object's name taken before a delete (its related rows may be gone by the time the event is written)
    name: str | None = None


_batch: contextvars.ContextVar[dict[tuple[str, Any], _Pending] | None] = contextvars.ContextVar(
    "aihq_audit_batch", default=None
)


@contextlib.contextmanager
def audit_batch() -> Iterator[None]:
    """Fold the changes made in the block into one event per object, written at the block's end.

    Use inside a transaction (services are ``@transaction.atomic``): the events then commit or
    roll back with the changes they describe. Nested batches join the outer one.
    """
    if _batch.get() is not None:
        yield
        return
    pending: dict[tuple[str, Any], _Pending] = {}
    token = _batch.set(pending)
    try:
        yield
    finally:
        _batch.reset(token)
    _flush(pending)


def _flush(pending: dict[tuple[str, Any], _Pending]) -> None:
    for (_type, pk), entry in pending.items():
        if entry.created and entry.deleted:
            continue
        if entry.deleted:
            # Django clears the pk of a deleted instance; the key kept it.
            append_event(
                instance=entry.instance,
                action=AuditAction.DELETE,
                before=entry.before,
                after=None,
                object_id=pk,
                object_repr=entry.name,
            )
            continue
        after = snapshot(entry.instance)
        if entry.created:
            append_event(instance=entry.instance, action=AuditAction.CREATE, before=None, after=after)
        elif differs(entry.before, after):
            append_event(instance=entry.instance, action=AuditAction.UPDATE, before=entry.before, after=after)


def _key(instance: models.Model) -> tuple[str, Any]:
    return (object_type(instance), instance.pk)


def _on_pre_save(sender: Any, instance: models.Model, raw: bool = False, **kwargs: Any) -> None:
    if not is_audited(sender) or raw:
        return
    pending = _batch.get()
    if pending is not None:
        if instance.pk is not None and _key(instance) not in pending and not instance._state.adding:
            pending[_key(instance)] = _Pending(instance, _stored_snapshot(instance))
        return
    instance._audit_before = _stored_snapshot(instance)  # type: ignore[attr-defined]


def _on_post_save(sender: Any, instance: models.Model, created: bool, raw: bool = False, **kwargs: Any) -> None:
    if not is_audited(sender) or raw:
        return
    pending = _batch.get()
    if pending is not None:
        entry = pending.get(_key(instance))
        if entry is None:
            pending[_key(instance)] = _Pending(instance, None, created=True)
        else:
            entry.instance = instance
        return
    before = getattr(instance, "_audit_before", None)
    instance._audit_before = _UNSET  # type: ignore[attr-defined]
    after = snapshot(instance)
    if created or before is None:
        append_event(instance=instance, action=AuditAction.CREATE, before=None, after=after)
    elif before is not _UNSET and differs(before, after):
        append_event(instance=instance, action=AuditAction.UPDATE, before=before, after=after)


def _on_pre_delete(sender: Any, instance: models.Model, **kwargs: Any) -> None:
    if not is_audited(sender):
        return
    pending = _batch.get()
    if pending is not None:
        if _key(instance) not in pending:
            pending[_key(instance)] = _Pending(instance, snapshot(instance))
        pending[_key(instance)].name = str(instance)
        return
    instance._audit_before = snapshot(instance)  # type: ignore[attr-defined]
    instance._audit_name = str(instance)  # type: ignore[attr-defined]


def _on_post_delete(sender: Any, instance: models.Model, **kwargs: Any) -> None:
    if not is_audited(sender):
        return
    pending = _batch.get()
    if pending is not None:
        entry = pending.get(_key(instance))
        if entry is not None:
            entry.deleted = True
        return
    before = getattr(instance, "_audit_before", None)
    append_event(
        instance=instance,
        action=AuditAction.DELETE,
        before=before,
        after=None,
        object_id=instance.pk,
        object_repr=getattr(instance, "_audit_name", None),
    )


def _on_m2m_changed(
    sender: Any, instance: models.Model, action: str, reverse: bool, model: Any, pk_set: Any, **kwargs: Any
) -> None:
    # Reverse changes (sector.use_cases.add) are written as changes of each object on the audited side.
    targets: list[models.Model]
    if not reverse:
        if not is_audited(type(instance)):
            return
        targets = [instance]
    else:
        if not is_audited(model):
            return
        if pk_set is None:
            accessor = next(
                (rel.get_accessor_name() for rel in instance._meta.related_objects if rel.through is sender),  # type: ignore[attr-defined]
                None,
            )
            targets = list(getattr(instance, accessor).all()) if accessor else []
        else:
            targets = list(model._base_manager.filter(pk__in=pk_set))
    pending = _batch.get()
    for target in targets:
        if action.startswith("pre_"):
            if pending is not None:
                if _key(target) not in pending:
                    pending[_key(target)] = _Pending(target, snapshot(target))
            else:
                _m2m_before().setdefault(_key(target), snapshot(target))
        elif action.startswith("post_") and pending is None:
            before = _m2m_before().pop(_key(target), None)
            after = snapshot(target)
            if differs(before, after):
                append_event(instance=target, action=AuditAction.UPDATE, before=before, after=after)


_local = threading.local()


def _m2m_before() -> dict[tuple[str, Any], Snapshot]:
    """Before-states between the pre_ and post_ m2m signals of one call, outside a batch."""
    if not hasattr(_local, "m2m_before"):
        _local.m2m_before = {}
    return _local.m2m_before  # type: ignore[no-any-return]


def connect_signals() -> None:
    """Connect the recorder to every model (the handlers skip models that are not audited)."""
    pre_save.connect(_on_pre_save, dispatch_uid="aihq_audit_pre_save")
    post_save.connect(_on_post_save, dispatch_uid="aihq_audit_post_save")
    pre_delete.connect(_on_pre_delete, dispatch_uid="aihq_audit_pre_delete")
    post_delete.connect(_on_post_delete, dispatch_uid="aihq_audit_post_delete")
    m2m_changed.connect(_on_m2m_changed, dispatch_uid="aihq_audit_m2m")
