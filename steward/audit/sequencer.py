"""The sequencer: links committed entries into the gapless, keyed chain, in id order.

Requests write entries and queue them in `audit_pending`; a sequencer run takes the queue in
batches, checks each entry's MAC (refusing to link one that does not hold: forged or changed
before it was linked, which `verify` then reports), appends the chain rows with their links,
moves the head and deletes what it linked from the queue, one transaction per batch. Only one
runs at a time: on PostgreSQL the others find the advisory lock taken and return at once (so
only sequencers contend, never requests); on SQLite the database's write lock orders them.
It runs in the worker's poll loop, in each server process every two seconds, and before
`audit verify` and `audit checkpoint`.

Entries written before migration 0016 carry no MAC: the first run checks their unkeyed chain
against the old head and the old signed checkpoints, then MACs and links them; if that
chain is broken it links nothing and says so in the log (ids only).
"""

import asyncio
import logging
from typing import Any

from sqlalchemy import Connection, Engine, delete, insert, select, text, update

from steward.audit.chain import (
    ZERO,
    audit_key,
    entry_mac,
    legacy_checkpoint_message,
    legacy_hash,
    link,
    public_key,
    signature_holds,
)
from steward.audit.models import CHAIN, CHECKPOINTS, ENTRIES, HEAD, PENDING

log = logging.getLogger("steward.audit")

LOCK_ID = 0x5745_4155_4449_54  # the advisory lock of the sequencer ("STEWAUDIT")
_TRY_LOCK = text("SELECT pg_try_advisory_xact_lock(:id)")
_TAKE_SQLITE_LOCK = update(HEAD).where(HEAD.c.id == 1).values(seq=HEAD.c.seq)
_HEAD = select(HEAD).where(HEAD.c.id == 1)

# Entries this process refused to link, as (database, id, MAC): each is warned about once,
# not every two seconds for as long as it stays queued. `verify` names them all the same.
_WARNED: set[tuple[str, int, str | None]] = set()


def sequence(engine: Engine, signing_seed: bytes, batch: int = 2000) -> int:
    """Link every entry pending now; returns how many were linked (0 when another sequencer
    holds the lock). The key file's signing seed gives the audit key."""
    with engine.connect() as connection:  # idle most of the time: look before locking
        if connection.execute(select(PENDING.c.entry_id).limit(1)).first() is None:
            return 0
    key, linked = audit_key(signing_seed), 0
    legacy_checked: dict[int, bool] = {}
    after = 0  # past the entries already looked at: refused ones hold back none behind them
    while True:
        with engine.begin() as connection:
            seen, done, after = _run(connection, key, batch, signing_seed, legacy_checked, after)
        linked += done
        if seen < batch:
            return linked


def _run(
    connection: Connection,
    key: bytes,
    batch: int,
    seed: bytes,
    legacy_checked: dict[int, bool],
    after: int,
) -> tuple[int, int, int]:
    """One batch of the entries queued with an id above `after`: (entries looked at, entries
    linked, the last id looked at). `legacy_checked` keeps, by old head, whether the
    unkeyed trail held, so a run checks it once."""
    if connection.dialect.name == "postgresql":
        if not connection.execute(_TRY_LOCK, {"id": LOCK_ID}).scalar():
            return 0, 0, after
    else:
        connection.execute(_TAKE_SQLITE_LOCK)
    head = connection.execute(_HEAD).one()
    rows = connection.execute(
        select(ENTRIES)
        .join(PENDING, PENDING.c.entry_id == ENTRIES.c.id)
        .where(ENTRIES.c.id > after)
        .order_by(ENTRIES.c.id)
        .limit(batch)
    ).all()
    if not rows:
        return 0, 0, after
    legacy_ok = head.legacy_seq == 0
    if not legacy_ok and any(row.mac is None for row in rows):
        if head.legacy_seq not in legacy_checked:
            legacy_checked[head.legacy_seq] = _legacy_holds(connection, head, seed)
        legacy_ok = legacy_checked[head.legacy_seq]
    seq, previous, chain, done = head.seq, head.link, [], []
    for row in rows:
        fields = row._mapping
        computed = entry_mac(key, fields)
        if row.mac is None:
            if not (legacy_ok and row.legacy_hash is not None and row.id <= head.legacy_seq):
                _warn_once(connection, row, "it has no MAC")
                continue
        elif row.mac != computed:
            _warn_once(connection, row, "its MAC does not hold")
            continue
        seq += 1
        previous = link(key, previous, seq, row.id, computed)
        chain.append({"seq": seq, "entry_id": row.id, "link": previous})
        done.append(row.id)
    if chain:
        connection.execute(insert(CHAIN), chain)
        connection.execute(delete(PENDING).where(PENDING.c.entry_id.in_(done)))
        connection.execute(update(HEAD).where(HEAD.c.id == 1).values(seq=seq, link=previous))
    if (
        head.legacy_seq
        and legacy_ok
        and not connection.execute(
            select(PENDING.c.entry_id).where(PENDING.c.entry_id <= head.legacy_seq).limit(1)
        ).first()
    ):
        connection.execute(
            update(HEAD).where(HEAD.c.id == 1).values(legacy_seq=0, legacy_hash=None)
        )
    return len(rows), len(done), rows[-1].id


def _warn_once(connection: Connection, row: Any, why: str) -> None:
    seen = (connection.engine.url.render_as_string(), row.id, row.mac)
    if seen not in _WARNED:
        _WARNED.add(seen)
        log.warning("audit entry %s not linked: %s", row.id, why)


def _legacy_holds(connection: Connection, head: Any, seed: bytes) -> bool:
    """The unkeyed chain of before 0016: every hash, the old head and the old checkpoints."""
    legacy_seq: int = head.legacy_seq
    previous, seq, hashes = ZERO, 0, {}
    query = select(ENTRIES).where(ENTRIES.c.id <= legacy_seq).order_by(ENTRIES.c.id)
    for row in connection.execute(query):
        seq += 1
        if row.id != seq or legacy_hash(row._mapping, seq, previous) != row.legacy_hash:
            log.error("the audit trail of before migration 0016 is broken at entry %s", seq)
            return False
        previous = hashes[seq] = row.legacy_hash
    if seq != legacy_seq or previous != head.legacy_hash:
        log.error("the audit trail of before migration 0016 ends before its head %s", legacy_seq)
        return False
    old = connection.execute(select(CHECKPOINTS).where(CHECKPOINTS.c.scheme == 1)).all()
    for c in old:
        message = legacy_checkpoint_message(c.seq, c.link, c.at)
        signed = signature_holds(public_key(seed), message, c.signature)
        if not signed or hashes.get(c.seq) != c.link:
            log.error("checkpoint %s of before migration 0016 does not match its trail", c.id)
            return False
    return True


async def keep_linking(engine: Engine, signing_seed: bytes, every: float = 2.0) -> None:
    """Run the sequencer every `every` seconds until cancelled (a server process's task)."""
    while True:
        try:
            await asyncio.to_thread(sequence, engine, signing_seed)
        except Exception as error:  # the database away, say: try again next time
            log.error("audit sequencer failed: %s", type(error).__name__)
        await asyncio.sleep(every)
