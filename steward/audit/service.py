"""Recording, searching, checkpointing and verifying the audit trail.

`record` appends inside the caller's transaction, so an entry exists exactly when the work it
describes was committed. Each append first moves the one-row head (`UPDATE ... RETURNING`):
that write takes PostgreSQL's row lock and SQLite's write lock before anything is read, so
two concurrent appends can never link to the same previous entry and fork the chain.
"""

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, insert, select, update
from sqlalchemy.orm import Session, sessionmaker

from steward.audit.chain import checkpoint_message, encode_names, entry_hash, signer
from steward.audit.models import ENTRIES, HEAD, AuditCheckpoint, AuditEntry
from steward.audit.verify import Problem, VerifyResult, verify
from steward.core import clock
from steward.core.actor import Actor
from steward.core.db import transaction
from steward.core.errors import Conflict, DomainError, Invalid

__all__ = [
    "Checkpoint",
    "Problem",
    "VerifyResult",
    "checkpoint",
    "record",
    "record_many",
    "search",
    "verify",
    "verify_trail",
    "write_checkpoint",
]

OUTCOMES = frozenset({"allowed", "refused", "failed", "ok"})
_ACTION = re.compile(r"[a-z][a-z0-9_]{0,31}")
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_.\-]{0,127}")
_ID = re.compile(r"[A-Za-z0-9_.:\-]{1,64}")


class AuditUnavailable(DomainError):
    status = 500
    title = "Audit trail unavailable"


class AuditBroken(DomainError):
    status = 409
    title = "Audit trail broken"


@dataclass(frozen=True)
class Checkpoint:
    id: int
    seq: int
    head_hash: str
    signature: str
    at: datetime


# PostgreSQL: lock the head row, then move it once. SQLite: a write comes first, because
# that is what takes its database-wide write lock (a read would not, and could go stale).
_LOCK_HEAD = select(HEAD.c.seq, HEAD.c.hash).where(HEAD.c.id == 1).with_for_update()
_MOVE_HEAD = (
    update(HEAD)
    .where(HEAD.c.id == 1)
    .values(seq=HEAD.c.seq + bindparam("count"))
    .returning(HEAD.c.seq, HEAD.c.hash)
)
_APPEND = insert(ENTRIES)
_SET_HEAD = (
    update(HEAD).where(HEAD.c.id == 1).values(seq=bindparam("new_seq"), hash=bindparam("new_hash"))
)


def _check(pattern: re.Pattern[str], value: str, what: str) -> str:
    # The message names the field, never the value: a refused value may be personal data.
    if not pattern.fullmatch(value):
        raise Invalid(f"audit {what} must be a name or an id, never a value of personal data")
    return value


def record(
    session: Session,
    actor: Actor,
    action: str,
    *,
    purpose: str | None = None,
    person_id: str | None = None,
    categories: Sequence[str] = (),
    columns: Sequence[str] = (),
    outcome: str = "allowed",
) -> None:
    """Append one entry in the caller's transaction; it commits or rolls back with the work."""
    record_many(
        session,
        actor,
        action,
        [person_id],
        purpose=purpose,
        categories=categories,
        columns=columns,
        outcome=outcome,
    )


def record_many(
    session: Session,
    actor: Actor,
    action: str,
    person_ids: Sequence[str | None],
    *,
    purpose: str | None = None,
    categories: Sequence[str] = (),
    columns: Sequence[str] = (),
    outcome: str = "allowed",
) -> None:
    """Append one entry per person, alike but for the person, with one move of the head: a
    page of a list reads many people's data at once, and each read is still its own entry."""
    if not person_ids:
        return
    if outcome not in OUTCOMES:
        raise Invalid(f"audit outcome must be one of {', '.join(sorted(OUTCOMES))}")
    common: dict[str, object] = {
        "at": clock.now(),
        "actor": _check(_ID, actor.label, "actor"),
        "actor_role": _check(_NAME, actor.role, "actor role"),
        "action": _check(_ACTION, action, "action"),
        "purpose": None if purpose is None else _check(_NAME, purpose, "purpose"),
        "categories": encode_names([_check(_NAME, c, "category") for c in categories]),
        "columns": encode_names([_check(_NAME, c, "column") for c in columns]),
        "outcome": outcome,
        "request_id": None
        if actor.request_id is None
        else _check(_ID, actor.request_id, "request id"),
    }
    people = [None if p is None else _check(_ID, p, "person id") for p in person_ids]
    count = len(people)
    connection = session.connection()  # the caller's transaction, minus ORM overhead
    if connection.dialect.name == "postgresql":
        head = connection.execute(_LOCK_HEAD).one_or_none()
        moved = None if head is None else (head.seq + 1, head.hash)
    else:
        head = connection.execute(_MOVE_HEAD, {"count": count}).one_or_none()
        moved = None if head is None else (head.seq - count + 1, head.hash)
    if moved is None:
        raise AuditUnavailable("the audit head is missing; run `steward init` to upgrade")
    seq, previous = moved
    rows = []
    for offset, person_id in enumerate(people):
        row = {**common, "person_id": person_id, "seq": seq + offset, "prev_hash": previous}
        row["hash"] = previous = entry_hash(row)
        rows.append(row)
    connection.execute(_APPEND, rows)
    connection.execute(_SET_HEAD, {"new_seq": rows[-1]["seq"], "new_hash": previous})


def search(
    session: Session,
    *,
    person_id: str | None = None,
    actor: str | None = None,
    purpose: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    limit: int = 100,
    after_seq: int | None = None,
) -> list[AuditEntry]:
    """Entries matching every given filter, newest first, at most `limit` (1 to 1000).
    `since` is inclusive, `until` exclusive; for the next page pass the last entry's seq as
    `after_seq`."""
    query = select(AuditEntry).order_by(AuditEntry.seq.desc()).limit(max(1, min(limit, 1000)))
    if person_id is not None:
        query = query.where(AuditEntry.person_id == person_id)
    if actor is not None:
        query = query.where(AuditEntry.actor == actor)
    if purpose is not None:
        query = query.where(AuditEntry.purpose == purpose)
    if since is not None:
        query = query.where(AuditEntry.at >= since)
    if until is not None:
        query = query.where(AuditEntry.at < until)
    if after_seq is not None:
        query = query.where(AuditEntry.seq < after_seq)
    return list(session.scalars(query))


def checkpoint(
    session: Session,
    signing_seed: bytes,
    progress: Callable[[int, int], None] | None = None,
) -> Checkpoint:
    """Verify the trail since the newest good checkpoint, then sign its head.

    Refuses (AuditBroken) to sign a broken trail, so every checkpoint covers a verified
    chain; refuses (Conflict) an empty one."""
    result = verify(session, signing_seed, progress)
    if result.problem is not None:
        raise AuditBroken(f"not signing: audit trail broken at entry {result.problem}")
    if result.head_seq == 0:
        raise Conflict("the audit trail is empty: there is nothing to sign yet")
    at = clock.now()
    message = checkpoint_message(result.head_seq, result.head_hash, at)
    row = AuditCheckpoint(
        seq=result.head_seq,
        head_hash=result.head_hash,
        signature=signer(signing_seed).sign(message).hex(),
        at=at,
    )
    session.add(row)
    session.flush()
    return Checkpoint(row.id, row.seq, row.head_hash, row.signature, row.at)


def write_checkpoint(
    factory: sessionmaker[Session],
    signing_seed: bytes,
    progress: Callable[[int, int], None] | None = None,
) -> Checkpoint:
    """`checkpoint` in a transaction of its own."""
    with transaction(factory) as session:
        return checkpoint(session, signing_seed, progress)


def verify_trail(
    factory: sessionmaker[Session],
    signing_seed: bytes,
    progress: Callable[[int, int], None] | None = None,
    *,
    from_start: bool = False,
) -> VerifyResult:
    """`verify` in a read-only session of its own."""
    with factory() as session:
        try:
            return verify(session, signing_seed, progress, from_start=from_start)
        finally:
            session.rollback()


def search_as(session: Session, searcher: Actor, **filters: Any) -> list[AuditEntry]:
    """`search` on behalf of `searcher`; looking at the trail is itself recorded in it."""
    entries = search(session, **filters)
    record(session, searcher, "audit_search", person_id=filters.get("person_id"))
    session.commit()
    return entries
