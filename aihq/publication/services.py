"""Writes for the public register: request, approve, send back, withdraw, and the HQ's profile.

Editors of a use case's organisation ask for publication and may withdraw it; coordinators of the
organisation (or above it) and HQ admins approve. Every approval stores a new version, kept for ever.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from aihq.accounts.permissions import can_change, coordinates, person, require_hq_admin
from aihq.audit.recorder import Change, append_many
from aihq.audit.recorder import snapshot as audit_snapshot
from aihq.core.services import ConflictError, check_version, reject_unknown_fields, save_valid, service
from aihq.publication import fields as catalogue
from aihq.publication import snapshot
from aihq.publication.models import PublicationProfile, PublicationRecord, PublishedVersion, RequestState
from aihq.registry.models import UseCase

TEXTS = frozenset({"contact", "human_oversight", "data_used"})
PROFILE_FIELDS = frozenset(
    {"enabled", "public_fields", "title_en", "title_ru", "intro_en", "intro_ru", "publisher", "licence", "licence_url"}
)


def can_approve(actor: Any, organisation_id: int | None) -> bool:
    """Coordinators of the organisation (or of one above it) and HQ admins approve publication."""
    return coordinates(actor, organisation_id)


def owner_id(record: PublicationRecord) -> int:
    """The organisation a record answers to: its use case's, while the use case exists."""
    return record.use_case.organisation_id if record.use_case is not None else record.organisation_id


def _require_approver(actor: Any, record: PublicationRecord) -> None:
    if not can_approve(actor, owner_id(record)):
        raise PermissionDenied(_("Only a coordinator of the organisation or an HQ admin approves publication."))


def _require_publishable(use_case: UseCase) -> None:
    reason = snapshot.non_public_reason(use_case)
    if reason:
        raise ValidationError({"use_case": reason})


def refresh_public_columns(record: PublicationRecord, profile: PublicationProfile) -> None:
    """Set the record's facet and search columns from the public view of its current version (not saved)."""
    version = record.current
    if version is None:
        record.public_name, record.facets, record.facet_keys, record.search_text = "", {}, "", ""
        return
    view = version.shown(profile.public_fields)
    record.public_name = str(view.get("name", ""))[:500]
    record.facets = catalogue.facet_labels(view)
    record.facet_keys = catalogue.facet_key_text(view)
    record.search_text = catalogue.search_text(view)


def _new_version(
    record: PublicationRecord,
    data: dict[str, Any],
    previous: PublishedVersion | None,
    keys: list[str],
    who: Any,
    use_case_version: int,
) -> PublishedVersion:
    """The next version of ``record`` (not saved): ``data`` as it is now under the public fields ``keys``, with
    what the public sees changed since ``previous``."""
    return PublishedVersion(
        record=record,
        number=previous.number + 1 if previous else 1,
        published_at=timezone.now(),
        published_by=who,
        data=data,
        public_fields=keys,
        changed=catalogue.changed_keys(previous.shown(keys) if previous else None, catalogue.public_view(data, keys)),
        use_case_version=use_case_version,
    )


def _mark_published(record: PublicationRecord, version: PublishedVersion, note: str) -> None:
    """Make ``version`` the public one: the request is settled, a withdrawal undone (the record is not saved)."""
    record.current = version
    record.published_at = record.decided_at = record.updated_at = version.published_at
    record.decided_by = version.published_by
    record.request_state = RequestState.NONE
    record.decision_note = (note or "").strip()
    record.withdrawn_at = None
    record.withdrawal_reason = ""


def _profile() -> PublicationProfile:
    """The profile, locked: a publication and a change of public fields never interleave (the public columns
    always follow the profile that is saved)."""
    return PublicationProfile.objects.select_for_update().order_by("pk").first() or PublicationProfile(version=0)


def _lock_use_case(use_case: UseCase) -> None:
    """Two first requests for one use case (or a request and a bulk publication) wait for each other."""
    UseCase.objects.select_for_update().order_by().filter(pk=use_case.pk).exists()


def _locked(record: PublicationRecord) -> PublicationRecord:
    """The record as it is now, locked until the transaction ends (two approvers cannot both publish)."""
    locked: PublicationRecord = (
        PublicationRecord.objects.select_for_update(of=("self",)).select_related("use_case").get(pk=record.pk)
    )
    return locked


def _record_for(use_case: UseCase) -> PublicationRecord:
    record = PublicationRecord.objects.select_for_update().filter(use_case=use_case).first()
    if record is None:
        record = PublicationRecord(use_case=use_case, organisation_id=use_case.organisation_id)
        for key, value in snapshot.prefill(use_case).items():
            setattr(record, key, value)
    return record


@service
def request_publication(
    *,
    actor: Any,
    use_case: UseCase,
    note: str = "",
    expected_version: int | None = None,
    precondition: bool = False,
    **texts: str,
) -> PublicationRecord:
    """Ask for ``use_case`` to be published (or republished with its changes), with its public texts."""
    reject_unknown_fields(texts, TEXTS)
    if not can_change(actor, use_case):
        raise PermissionDenied(_("You cannot ask to publish this use case."))
    _require_publishable(use_case)
    _lock_use_case(use_case)
    record = _record_for(use_case)
    if record.pk is not None:
        check_version(record.version, expected_version, precondition=precondition)
        record.version += 1
    for key, value in texts.items():
        setattr(record, key, (value or "").strip())
    record.organisation_id = use_case.organisation_id
    record.request_state = RequestState.REQUESTED
    record.requested_by = person(actor)
    record.requested_at = timezone.now()
    record.request_note = (note or "").strip()
    record.decision_note = ""
    return save_valid(record)


@service
def update_texts(
    *,
    actor: Any,
    record: PublicationRecord,
    expected_version: int | None = None,
    precondition: bool = False,
    **texts: str,
) -> PublicationRecord:
    """Change the public texts; they reach the register with the next approved version."""
    record = _locked(record)
    reject_unknown_fields(texts, TEXTS)
    if record.use_case is None or not (
        can_change(actor, record.use_case) or can_approve(actor, record.organisation_id)
    ):
        raise PermissionDenied(_("You cannot edit this publication."))
    check_version(record.version, expected_version, precondition=precondition)
    for key, value in texts.items():
        setattr(record, key, (value or "").strip())
    record.version += 1
    return save_valid(record)


@service
def approve(
    *,
    actor: Any,
    record: PublicationRecord,
    note: str = "",
    expected_version: int | None = None,
    precondition: bool = False,
    use_case_version: int | None = None,
) -> PublishedVersion:
    """Publish a requested use case as it is now: a new version becomes the public one. With
    ``use_case_version`` (what the approver saw), a use case edited since is refused rather than published unseen."""
    record = _locked(record)
    _require_approver(actor, record)
    check_version(record.version, expected_version, precondition=precondition)
    if record.request_state != RequestState.REQUESTED:
        raise ValidationError({"request_state": _("There is no request to approve: the organisation asks first.")})
    use_case = record.use_case
    if use_case is None:
        raise ValidationError({"use_case": _("The use case of this record was deleted; it cannot be published.")})
    _lock_use_case(use_case)
    use_case.refresh_from_db(fields=["version"])
    if use_case_version is not None and int(use_case_version) != use_case.version:
        raise ConflictError(
            _("The use case was changed after you opened it (version %(seen)s, now %(now)s): look again.")
            % {"seen": use_case_version, "now": use_case.version},
            current_version=record.version,
        )
    _require_publishable(use_case)
    profile = _profile()
    version = save_valid(
        _new_version(
            record,
            snapshot.build(use_case, record),
            record.versions.order_by("-number").first(),
            list(profile.public_fields),
            person(actor),
            use_case.version,
        )
    )
    _mark_published(record, version, note)
    record.organisation_id = use_case.organisation_id
    record.version += 1
    refresh_public_columns(record, profile)
    save_valid(record)
    return version


@service
def publish(*, actor: Any, use_case: UseCase, note: str = "", **texts: Any) -> PublishedVersion:
    """Request and approve in one step and one transaction, for an approver (the demo and the CLI use it)."""
    record = request_publication(actor=actor, use_case=use_case, note=note, **texts)
    return approve(actor=actor, record=record, note=note)


@service
def send_back(
    *, actor: Any, record: PublicationRecord, note: str, expected_version: int | None = None, precondition: bool = False
) -> PublicationRecord:
    """Refuse a request, saying why; the organisation may change the use case and ask again."""
    record = _locked(record)
    _require_approver(actor, record)
    check_version(record.version, expected_version, precondition=precondition)
    if record.request_state != RequestState.REQUESTED:
        raise ValidationError({"request_state": _("There is no request to send back.")})
    if not (note or "").strip():
        raise ValidationError({"note": _("Say why the request is sent back.")})
    record.request_state = RequestState.REJECTED
    record.decided_by = person(actor)
    record.decided_at = timezone.now()
    record.decision_note = note.strip()
    record.version += 1
    return save_valid(record)


@service
def withdraw(
    *,
    actor: Any,
    record: PublicationRecord,
    reason: str = "",
    expected_version: int | None = None,
    precondition: bool = False,
) -> PublicationRecord:
    """Take a record off the register (its history stays for the HQ), or cancel a pending request."""
    record = _locked(record)
    allowed = can_approve(actor, owner_id(record)) or (
        record.use_case is not None and can_change(actor, record.use_case)
    )
    if not allowed:
        raise PermissionDenied(_("You cannot withdraw this publication."))
    check_version(record.version, expected_version, precondition=precondition)
    if record.current is None and record.request_state != RequestState.REQUESTED:
        raise ValidationError({"current": _("This use case is not published and has no pending request.")})
    _unpublish(record, reason, actor)
    return save_valid(record)


def _unpublish(record: PublicationRecord, reason: str, actor: Any) -> None:
    now = timezone.now()
    if record.current is not None:
        version = record.current
        version.withdrawn_at = now
        version.save(update_fields=["withdrawn_at", "updated_at"])  # audited, like every write
        record.current = None
        record.withdrawn_at = now
        record.withdrawal_reason = (reason or "").strip()
    record.request_state = RequestState.NONE
    record.decided_by = person(actor)
    record.decided_at = now
    record.version += 1
    refresh_public_columns(record, _profile())


@service
def withdraw_many(*, actor: Any, use_case_ids: Iterable[int], reason: str = "") -> int:
    """Withdraw the published records of these use cases (HQ admins)."""
    require_hq_admin(actor, _("Only HQ admins withdraw records in bulk."))
    return withdraw_for(actor=actor, use_case_ids=use_case_ids, reason=reason)


def withdraw_for(*, actor: Any, use_case_ids: Iterable[int], reason: str) -> int:
    """Withdraw the records of these use cases (deleted, or no longer publishable); runs in the caller's
    transaction. Returns how many were taken off the register."""
    done = 0
    for record in PublicationRecord.objects.select_for_update().filter(use_case_id__in=list(use_case_ids)):
        if record.current_id is None and record.request_state == RequestState.NONE:
            continue
        done += record.current_id is not None
        _unpublish(record, reason, actor)
        record.save()
    return done


@service
def profile_update(
    *, actor: Any, expected_version: int | None = None, precondition: bool = False, **changes: Any
) -> PublicationProfile:
    """Change the register's switch, public fields or texts; the public columns follow at once."""
    require_hq_admin(actor, _("Only HQ admins change the public register's profile."))
    reject_unknown_fields(changes, PROFILE_FIELDS)
    profile = _profile()
    check_version(profile.version, expected_version, precondition=precondition)
    for key, value in changes.items():
        setattr(profile, key, value)
    profile.version += 1
    save_valid(profile)
    records = list(
        PublicationRecord.objects.select_for_update(of=("self",))
        .filter(current__isnull=False)
        .select_related("current")
    )
    for record in records:
        refresh_public_columns(record, profile)
    PublicationRecord.objects.bulk_update(
        records, ["public_name", "facets", "facet_keys", "search_text"], batch_size=500
    )
    return profile


@service
def publish_many(*, actor: Any, use_cases: Iterable[UseCase], note: str = "") -> dict[str, int]:
    """Publish many use cases at once, as an approver: new ones get a record and version 1, published ones a new
    version only when their public view changed. Use cases the actor may not approve, and those the EU AI Act
    keeps out of public view, are skipped and counted. Bulk writes with one audit event per object."""
    cases = list(use_cases)
    UseCase.objects.select_for_update().order_by().filter(pk__in=[uc.pk for uc in cases]).exists()
    profile = _profile()
    allowed = [uc for uc in cases if can_approve(actor, uc.organisation_id)]
    refused = snapshot.non_public_reasons([uc.pk for uc in allowed])
    todo = [uc for uc in allowed if uc.pk not in refused]
    existing = {
        r.use_case_id: r
        for r in PublicationRecord.objects.select_for_update(of=("self",))
        .filter(use_case_id__in=[uc.pk for uc in todo])
        .select_related("current")
    }
    created = []
    for use_case in todo:
        if use_case.pk not in existing:
            record = PublicationRecord(use_case=use_case, organisation_id=use_case.organisation_id)
            for key, value in snapshot.prefill(use_case).items():
                setattr(record, key, value)
            created.append(record)
    PublicationRecord.objects.bulk_create(created, batch_size=500)
    records = {**existing, **{r.use_case_id: r for r in created}}
    keys = list(profile.public_fields)
    latest = {
        v.record_id: v
        for v in PublishedVersion.objects.filter(record__in=list(existing.values())).order_by("record", "number")
    }
    who = person(actor)
    versions, touched, befores = [], [], {}
    for use_case_id, data in snapshot.build_many(todo, records).items():
        record = records[use_case_id]
        previous = latest.get(record.pk)
        if (
            record.current is not None
            and previous is not None
            and previous.shown(keys) == catalogue.public_view(data, keys)
        ):
            continue
        if record.use_case_id in existing:
            befores[record.pk] = audit_snapshot(record)
        use_case = record.use_case
        versions.append(_new_version(record, data, previous, keys, who, use_case.version if use_case else 0))
        touched.append(record)
    PublishedVersion.objects.bulk_create(versions, batch_size=500)
    for record, version in zip(touched, versions, strict=True):
        _mark_published(record, version, note)
        record.version += 1 if record.pk in befores else 0
        refresh_public_columns(record, profile)
    PublicationRecord.objects.bulk_update(
        touched,
        ["current", "published_at", "request_state", "decided_by", "decided_at", "decision_note", "withdrawn_at",
         "withdrawal_reason", "version", "public_name", "facets", "facet_keys", "search_text", "updated_at"],
        batch_size=500,
    )  # fmt: skip
    append_many(
        [Change(r, "create", None, audit_snapshot(r)) for r in created]
        + [Change(v, "create", None, audit_snapshot(v)) for v in versions]
        + [Change(r, "update", befores[r.pk], audit_snapshot(r)) for r in touched if r.pk in befores]
    )
    return {
        "published": len(versions),
        "unchanged": len(todo) - len(versions),
        "not_allowed": len(cases) - len(allowed),
        "refused": len(refused),
    }
