"""Recording and searching the audit trail; the entry points of the sequencer, checkpoints
and verify.

`record` appends inside the caller's transaction, so an entry exists exactly when the work it
describes was committed. The entries of a transaction are held by its session and written
together just before it commits (or before anything in it reads the trail): ids from the
database's sequence, each entry's MAC under the audit key, then one multi-row INSERT, and
one of their ids into the sequencer's queue. No row is locked until commit and no
shared row is touched, so concurrent requests never wait on each other here; the sequencer
(`steward.audit.sequencer`) links committed entries into the gapless chain afterwards. A
savepoint rolled back drops the entries recorded inside it.

The audit key reaches the request path by the database's URL: each entry point that opens
the database with the key file calls `use_key(engine, signing_seed)` (the web app, the CLI's
runtime, which the worker uses too, and `steward audit`).
"""

import re
from collections.abc import Callable, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, TextClause, delete, event, insert, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import ORMExecuteState, Session, SessionTransaction, sessionmaker
from sqlalchemy.sql.elements import ClauseElement
from sqlalchemy.sql.util import find_tables

from steward.audit.chain import audit_key, encode_names, entry_mac
from steward.audit.checkpoints import Checkpoint, write_checkpoint
from steward.audit.models import CHAIN, ENTRIES, HEAD, PENDING, AuditEntry
from steward.audit.sequencer import sequence
from steward.audit.verify import Problem, VerifyResult, verify
from steward.core import clock
from steward.core.actor import Actor
from steward.core.db import normalise_url
from steward.core.errors import DomainError, Invalid

__all__ = [
    "Checkpoint",
    "Problem",
    "VerifyResult",
    "record",
    "record_many",
    "search",
    "sequence",
    "use_key",
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


_KEYS: dict[str, bytes] = {}  # database URL -> audit key: every engine to it in this process
_NEXT_IDS = text(
    "SELECT nextval(pg_get_serial_sequence('audit_entries', 'id')) FROM generate_series(1, :n)"
)
_LAST_ID = select(ENTRIES.c.id).order_by(ENTRIES.c.id.desc()).limit(1)
# SQLite: a write first takes its database-wide write lock (a no-op delete does).
_TAKE_LOCK = delete(PENDING).where(PENDING.c.entry_id < 0)
_PENDING = "audit_pending"  # session.info: entries recorded, not yet written
_SAVEPOINTS = "audit_savepoints"  # session.info: how many were pending as each savepoint began
_TRAIL = frozenset({ENTRIES, CHAIN, HEAD, PENDING})


def use_key(database: Engine | str, signing_seed: bytes) -> None:
    """Give the request path of this process the audit key of the database (an engine or a
    URL), derived from the key file's signing seed."""
    _KEYS[_name(database)] = audit_key(signing_seed)


def _name(database: Engine | str) -> str:
    url = database.url if isinstance(database, Engine) else make_url(normalise_url(database))
    return url.render_as_string(hide_password=False)


def key_for(connection: Connection) -> bytes:
    try:
        return _KEYS[_name(connection.engine)]
    except KeyError:
        raise AuditUnavailable(
            "the audit key is not loaded for this database; open it through the key file"
        ) from None


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
    """Append one entry per person, alike but for the person, in one INSERT: a page of a list
    reads many people's data at once, and each read is still its own entry."""
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
    """Write the entries this transaction recorded, each with its id and MAC, and queue them."""
    if not session.info.get(_PENDING):
        return
    session.flush()  # first the rows the entries may name (a person just added)
    rows, session.info[_PENDING] = session.info[_PENDING], []
    connection = session.connection()  # the caller's transaction, minus ORM overhead
    key = key_for(connection)
    if connection.dialect.name == "postgresql":
        ids = list(connection.execute(_NEXT_IDS, {"n": len(rows)}).scalars())
    else:  # the transaction holds SQLite's write lock (see record_many): nobody else inserts
        last = connection.execute(_LAST_ID).scalar() or 0
        ids = list(range(last + 1, last + 1 + len(rows)))
    for entry_id, row in zip(ids, rows, strict=True):
        row["id"] = entry_id
        row["mac"] = entry_mac(key, row)
    # executemany, which SQLAlchemy sends as multi-row INSERTs from one cached statement
    connection.execute(insert(ENTRIES), rows)
    connection.execute(insert(PENDING), [{"entry_id": i} for i in ids])


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
    before_id: int | None = None,
) -> list[AuditEntry]:
    """Entries matching every given filter, newest first, at most `limit` (1 to 1000).
    `since` is inclusive, `until` exclusive; for the next page pass the last entry's id as
    `before_id`. Newest is by id: the order entries were written in, near enough for reading
    (the chain's seq is the order that verifies)."""
    query = select(AuditEntry).order_by(AuditEntry.id.desc()).limit(max(1, min(limit, 1000)))
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
    if before_id is not None:
        query = query.where(AuditEntry.id < before_id)
    return list(session.scalars(query))


def verify_trail(
    factory: sessionmaker[Session],
    signing_seed: bytes,
    progress: Callable[[int, int], None] | None = None,
    *,
    outside: Path | None = None,
    from_start: bool = False,
) -> VerifyResult:
    """Link what is pending, then `verify` in a read-only session of its own, against the
    checkpoints kept outside the database in `outside` (a JSON line each)."""
    sequence(_bind(factory), signing_seed)
    with factory() as session:
        try:
            return verify(session, signing_seed, progress, outside=outside, from_start=from_start)
        finally:
            session.rollback()


def search_as(session: Session, searcher: Actor, **filters: Any) -> list[AuditEntry]:
    """`search` on behalf of `searcher`; looking at the trail is itself recorded in it."""
    entries = search(session, **filters)
    record(session, searcher, "audit_search", person_id=filters.get("person_id"))
    session.commit()
    return entries


def _bind(factory: sessionmaker[Session]) -> Engine:
    bind = factory.kw["bind"]
    if not isinstance(bind, Engine):
        raise AuditUnavailable("the sessions are bound to no engine")
    return bind
