"""Recording, searching, checkpointing and verifying the audit trail.

`record` appends inside the caller's transaction, so an entry exists exactly when the work it
describes was committed. The entries of a transaction are held by its session and written
together just before it commits (or before anything in it reads the trail): one move of the
head per transaction rather than per entry, and the head's lock is held from then until the
commit only, not from the transaction's first audited read. Moving the head (`SELECT ... FOR
UPDATE`, or on SQLite an `UPDATE ... RETURNING`, which takes its write lock) comes before
anything is read, so two concurrent transactions can never link to the same previous entry
and fork the chain. A savepoint rolled back drops the entries recorded inside it.
"""

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import TextClause, bindparam, event, insert, select, update
from sqlalchemy.orm import ORMExecuteState, Session, SessionTransaction, sessionmaker
from sqlalchemy.sql.elements import ClauseElement
from sqlalchemy.sql.util import find_tables

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
    "write_pending",
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
_TAKE_LOCK = update(HEAD).where(HEAD.c.id == 1).values(seq=HEAD.c.seq)
_APPEND = insert(ENTRIES)
_SET_HEAD = (
    update(HEAD).where(HEAD.c.id == 1).values(seq=bindparam("new_seq"), hash=bindparam("new_hash"))
)
_PENDING = "audit_pending"  # session.info: entries recorded, not yet written
_SAVEPOINTS = "audit_savepoints"  # session.info: how many were pending as each savepoint began
_TRAIL = frozenset({ENTRIES, HEAD})


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
    if _PENDING not in session.info and session.get_bind().dialect.name == "sqlite":
        # SQLite cannot turn a read transaction into a write once another connection has
        # committed: the first audited access takes its write lock, as it always did.
        session.connection().execute(_TAKE_LOCK)
    session.info.setdefault(_PENDING, []).extend({**common, "person_id": p} for p in people)


def write_pending(session: Session) -> None:
    """Write the entries this transaction recorded, linked after the head, with one move."""
    if not session.info.get(_PENDING):
        return
    session.flush()  # first the rows the entries may name (a person just added)
    # Kept, emptied: the transaction holds the lock now, so `record_many` need not take it.
    rows, session.info[_PENDING] = session.info[_PENDING], []
    connection = session.connection()  # the caller's transaction, minus ORM overhead
    if connection.dialect.name == "postgresql":
        head = connection.execute(_LOCK_HEAD).one_or_none()
        moved = None if head is None else (head.seq + 1, head.hash)
    else:
        head = connection.execute(_MOVE_HEAD, {"count": len(rows)}).one_or_none()
        moved = None if head is None else (head.seq - len(rows) + 1, head.hash)
    if moved is None:
        raise AuditUnavailable("the audit head is missing; run `steward init` to upgrade")
    seq, previous = moved
    for offset, row in enumerate(rows):
        row["seq"], row["prev_hash"] = seq + offset, previous
        row["hash"] = previous = entry_hash(row)
    connection.execute(_APPEND, rows)
    connection.execute(_SET_HEAD, {"new_seq": rows[-1]["seq"], "new_hash": previous})


@event.listens_for(Session, "before_commit")
def _write_before_commit(session: Session) -> None:
    write_pending(session)


@event.listens_for(Session, "do_orm_execute")
def _write_before_reading_the_trail(state: ORMExecuteState) -> None:
    if state.session.info.get(_PENDING) and _reads_trail(state.statement):
        write_pending(state.session)


def _reads_trail(statement: object) -> bool:
    if isinstance(statement, TextClause):
        return "audit_" in statement.text
    if not isinstance(statement, ClauseElement):
        return False
    return any(table in _TRAIL for table in find_tables(statement, include_aliases=True))


@event.listens_for(Session, "after_transaction_create")
def _mark_savepoint(session: Session, transaction: SessionTransaction) -> None:
    if transaction.nested:
        marks = session.info.setdefault(_SAVEPOINTS, {})
        marks[transaction] = len(session.info.get(_PENDING, ()))


@event.listens_for(Session, "after_transaction_end")
def _end_transaction(session: Session, transaction: SessionTransaction) -> None:
    if transaction.parent is None:  # committed (written) or rolled back: nothing to keep
        session.info.pop(_PENDING, None)
        session.info.pop(_SAVEPOINTS, None)


@event.listens_for(Session, "after_soft_rollback")
def _drop_rolled_back(session: Session, previous: SessionTransaction) -> None:
    if previous.nested:
        kept = session.info.get(_SAVEPOINTS, {}).get(previous)
        if kept is not None:
            del session.info.get(_PENDING, [])[kept:]
    else:
        session.info.pop(_PENDING, None)


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
