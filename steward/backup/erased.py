"""People erased since a backup was taken: what a restore does so they stay erased.

An erasure destroys the person's data key. When the law keeps some of their data (tax
records), the erasure re-seals that under a new key and marks the key row `shredded_at`.
A backup holds values sealed under the OLD key: with the live, new key they no longer open,
so the restore clears them (NULL) rather than leave ciphertext nobody can, or should, read.
Their accounts come back as the erasure left them: disabled, no password, no sign-in name.
"""

from typing import Any, cast

from sqlalchemy import Column, Connection, Table, delete, select, update

from steward.core.db import Base
from steward.identity.models import Account, OneTimeToken, Person, RecoveryCode, WebSession
from steward.vault import crypto
from steward.vault.crypto import Unreadable
from steward.vault.keyring import Keyring
from steward.vault.models import DataKey

KEYS = cast(Table, DataKey.__table__)


def sealed_tables() -> list[tuple[Table, Column[Any], list[Column[Any]]]]:
    """(table, owner column, sealed columns) of every model with sealed columns."""
    found = []
    for mapper in Base.registry.mappers:
        table = cast(Table, mapper.local_table)
        sealed = [c for c in table.columns if c.info.get("encrypted")]
        owner = getattr(mapper.class_, "__owner__", None)
        if sealed and owner is not None:
            found.append((table, mapper.get_property(owner).columns[0], sealed))
    return sorted(found, key=lambda item: item[0].name)


def erased(connection: Connection) -> list[tuple[str, bytes | None, str | None]]:
    """(person id, wrapped key or None, master key id) of each person whose key was destroyed."""
    query = select(KEYS.c.person_id, KEYS.c.wrapped, KEYS.c.master_key_id).where(
        KEYS.c.shredded_at.is_not(None)
    )
    return [(row[0], row[1], row[2]) for row in connection.execute(query)]


def clear_stale_values(connection: Connection, keyring: Keyring) -> int:
    """NULL each restored value of an erased person that their live key cannot open."""
    cleared = 0
    tables = sealed_tables()
    for person_id, wrapped, master_id in erased(connection):
        if wrapped is None or master_id is None:
            continue  # no key at all: every value reads as erased already
        key = crypto.decrypt(keyring.master(master_id), wrapped, f"data_key:{person_id}")
        for table, owner, sealed in tables:
            primary = list(table.primary_key.columns)
            rows = connection.execute(select(*primary, *sealed).where(owner == person_id))
            for row in rows.all():
                stale = {
                    column.name: None
                    for column in sealed
                    if isinstance(blob := row._mapping[column], bytes)
                    and not _opens(key, blob, f"{table.name}.{column.name}:{person_id}")
                }
                if stale:
                    match = [c == row._mapping[c] for c in primary]
                    connection.execute(update(table).where(*match).values(stale))
                    cleared += len(stale)
    return cleared


def _opens(key: bytes, blob: bytes, context: str) -> bool:
    try:
        crypto.decrypt(key, blob, context)
    except Unreadable:
        return False
    return True


def retire_accounts(connection: Connection) -> dict[str, int]:
    """Tombstone again every restored person whose live key was destroyed: their accounts
    cannot sign in and their email look-up is gone, as right after the erasure. Returns the
    rows deleted per table (their sessions and codes)."""
    people, accounts = cast(Table, Person.__table__), cast(Table, Account.__table__)
    gone = select(KEYS.c.person_id).where(KEYS.c.shredded_at.is_not(None))
    ids = [
        row[0]
        for row in connection.execute(select(accounts.c.id).where(accounts.c.person_id.in_(gone)))
    ]
    removed = {}
    for model in (WebSession, RecoveryCode, OneTimeToken):
        result = connection.execute(delete(model).where(model.account_id.in_(ids)))
        removed[model.__tablename__] = result.rowcount
    for account_id in ids:
        connection.execute(
            update(accounts)
            .where(accounts.c.id == account_id)
            .values(
                login_index=f"erased:{account_id}",
                status="disabled",
                password_hash=None,
                mfa_enabled_at=None,
            )
        )
    shredded = select(KEYS.c.shredded_at).where(KEYS.c.person_id == people.c.id).scalar_subquery()
    connection.execute(
        update(people)
        .where(people.c.id.in_(gone), people.c.erased_at.is_(None))
        .values(email_index=None, erased_at=shredded, restricted_at=shredded)
    )
    return removed
