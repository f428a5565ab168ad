"""The set-based work of an erasure, one batch per call, each in the caller's transaction.

Nothing here loops over rows in Python to delete them: a batch selects up to `limit` ids of
the person's rows and removes them with one DELETE per table, after pointing nullable
foreign keys elsewhere at NULL and taking ownerless children (a ticket's events) along.
Every function can be run again after a crash: it finds what is left and carries on.
"""

import os
import re
from collections.abc import Sequence
from typing import Any

from sqlalchemy import ColumnElement, Table, delete, func, select, update
from sqlalchemy.orm import Session

from steward.core import clock
from steward.identity.models import Account, OneTimeToken, RecoveryCode, WebSession
from steward.pii.mentions import Mention
from steward.rights.datamap import MapIncomplete, declaring, holding, links
from steward.rights.erasure_plan import Step, declared_tables, referencing
from steward.rights.models import RightsRequest
from steward.vault import crypto
from steward.vault.models import DataKey
from steward.vault.service import Erased, Vault

MASK = "[erased]"


def _pk(table: Table) -> Any:
    keys = list(table.primary_key.columns)
    if len(keys) != 1:
        raise MapIncomplete(f"{table.name} has no single-column key to erase by")
    return keys[0]


def unlink(session: Session, table: Table, ids: Sequence[Any]) -> None:
    """Before `ids` of `table` go: NULL nullable references, take ownerless children along,
    and stop on a mandatory reference from someone else's personal data."""
    declared = declared_tables()
    for other, column in referencing(table):
        if other is table:
            continue
        if column.nullable:
            session.execute(update(other).where(column.in_(ids)).values({column.key: None}))
        elif other.name not in declared:
            unlink(
                session,
                other,
                [r[0] for r in session.execute(select(_pk(other)).where(column.in_(ids)))],
            )
            session.execute(delete(other).where(column.in_(ids)))
        elif session.scalar(select(func.count()).select_from(other).where(column.in_(ids))):
            raise MapIncomplete(
                f"{other.name}.{column.key} still points at {table.name} rows being erased"
            )


def delete_batch(
    session: Session, step: Step, person_id: str, limit: int
) -> tuple[int, list[tuple[str, str]]]:
    """Delete up to `limit` of the person's rows of the step's table; returns how many and
    the on-disk files (kind, id) to remove once the batch is committed."""
    table = step.table
    key = _pk(table)
    where: ColumnElement[bool] = step.selector == person_id
    if step.mode == "request_files":
        mine = select(RightsRequest.id).where(RightsRequest.person_id == person_id)
        where = step.selector.in_(mine)
    ids = list(session.scalars(select(key).where(where).limit(limit)))
    if not ids:
        return 0, []
    unlink(session, table, ids)
    session.execute(delete(table).where(key.in_(ids)))
    kind = step.holding.files
    return len(ids), [(kind, str(i)) for i in ids] if kind else []


def mask_batch(session: Session, person_id: str, said: list[str], limit: int) -> int:
    """Mask the person's name, email and phone in up to `limit` rows that mention them, and
    drop those mentions."""
    rows = session.scalars(select(Mention).where(Mention.person_id == person_id).limit(limit))
    found = list(rows)
    patterns = [re.compile(re.escape(s), re.IGNORECASE) for s in said if s and len(s) > 2]
    for mention in found:
        source = holding(mention.source_table)
        key = _pk(source.table)
        row_id: Any = int(mention.row_id) if key.type.python_type is int else mention.row_id
        row = session.get(source.model, row_id)
        for column in source.sealed if row is not None else ():
            value = getattr(row, column)
            if isinstance(value, str) and not isinstance(value, Erased):
                masked = value
                for pattern in patterns:
                    masked = pattern.sub(MASK, masked)
                if masked != value:
                    setattr(row, column, masked)
    session.flush()
    if found:
        session.execute(delete(Mention).where(Mention.id.in_([m.id for m in found])))
    return len(found)


def clear_links(session: Session, person_id: str) -> None:
    """Rows of other people that name this person (a ticket about them, a message they wrote
    on someone else's ticket) keep the row and lose the link."""
    for link in links():
        if link.table.name == "mentions":
            continue  # masked and dropped by mask_batch
        column = link.table.c[link.column]
        if not column.nullable:
            raise MapIncomplete(f"{link.table.name}.{link.column} names a person and is required")
        session.execute(update(link.table).where(column == person_id).values({link.column: None}))


def tombstone(session: Session, steps: list[Step], person_id: str) -> None:
    """People and Account rows stay (foreign keys hold) with nothing personal left; the
    person's rights requests keep their record and lose their contact details; the
    accounts can no longer sign in and a staff member's tickets are unassigned."""
    now = clock.now()
    accounts = list(session.scalars(select(Account.id).where(Account.person_id == person_id)))
    for step in steps:
        if step.mode not in ("tombstone", "keep", "request") or not step.emptied:
            continue
        blank = dict.fromkeys(step.emptied)
        session.execute(update(step.table).where(step.selector == person_id).values(blank))
    session.execute(
        update(step_table("people"))
        .where(step_table("people").c.id == person_id)
        .values(email_index=None, restricted_at=now, erased_at=now, updated_at=now)
    )
    if accounts:
        session.execute(delete(WebSession).where(WebSession.account_id.in_(accounts)))
        session.execute(delete(RecoveryCode).where(RecoveryCode.account_id.in_(accounts)))
        session.execute(delete(OneTimeToken).where(OneTimeToken.account_id.in_(accounts)))
        for model in declaring("__accounts__"):
            for name in model.__accounts__:
                column = model.__table__.c[name]
                session.execute(
                    update(model.__table__).where(column.in_(accounts)).values({name: None})
                )
        for account_id in accounts:
            session.execute(
                update(Account)
                .where(Account.id == account_id)
                .values(
                    login_index=f"erased:{account_id}",
                    status="disabled",
                    password_hash=None,
                    mfa_enabled_at=None,
                )
            )


def step_table(name: str) -> Table:
    return holding(name).table


def rekey(session: Session, vault: Vault, steps: list[Step], person_id: str) -> int:
    """Re-seal what the law keeps under a new data key and destroy the old one, in the
    caller's transaction: either both happen or neither. Returns the values re-sealed."""
    kept: list[tuple[Table, Any, str, bytes]] = []
    for step in steps:
        if not step.kept:
            continue
        key = _pk(step.table)
        columns = [step.table.c[c] for c in sorted(step.kept)]
        rows = session.execute(select(key, *columns).where(step.selector == person_id))
        for row in rows:
            for column in columns:
                blob = row._mapping[column]
                if not isinstance(blob, bytes):
                    continue
                context = f"{step.table.name}.{column.key}"
                clear = vault.open_bytes(session, person_id, context, blob)
                if clear is not None:
                    kept.append((step.table, row[0], column.key, clear))
    if not kept:
        vault.shred(session, person_id)
        return 0
    fresh = os.urandom(32)
    _replace_key(session, vault, person_id, fresh)
    for table, row_id, name, clear in kept:
        sealed = crypto.encrypt(fresh, clear, f"{table.name}.{name}:{person_id}")
        session.execute(update(table).where(_pk(table) == row_id).values({name: sealed}))
    return len(kept)


def _replace_key(session: Session, vault: Vault, person_id: str, fresh: bytes) -> None:
    row = session.get(DataKey, person_id)
    if row is None:
        row = DataKey(person_id=person_id, created_at=clock.now())
        session.add(row)
    row.wrapped, row.master_key_id = vault.wrap(session, person_id, fresh)
    row.shredded_at = clock.now()  # the old key is gone; this one seals only what is kept
    session.flush()
