"""Data keys: created on first use, unwrapped once per session, destroyed to erase a person."""

import os
from typing import Final

from sqlalchemy import select
from sqlalchemy.orm import Session

from steward.core import clock
from steward.vault import crypto
from steward.vault.keyring import Keyring
from steward.vault.models import DataKey

_CACHE: Final = "steward.vault.keys"
_SHREDDED: Final = b""


class Erased(str):
    """What an encrypted value reads as once its owner's key is destroyed."""


ERASED: Final = Erased("[erased]")


class Vault:
    """Encryption for one installation. A session's unwrapped keys live in `session.info`,
    so they are gone when the session (one request, one job) ends."""

    def __init__(self, keyring: Keyring) -> None:
        self.keyring = keyring

    def attach(self, session: Session) -> Session:
        session.info["vault"] = self
        return session

    def _key(self, session: Session, person_id: str, create: bool) -> bytes | None:
        cache: dict[str, bytes] = session.info.setdefault(_CACHE, {})
        if person_id in cache:
            return cache[person_id] or None
        row = session.get(DataKey, person_id)
        if row is None and create:
            key = os.urandom(32)
            row = DataKey(
                person_id=person_id,
                wrapped=crypto.encrypt(self.keyring.master_keys[0], key, _key_context(person_id)),
                master_key_id=self.keyring.current_id,
                created_at=clock.now(),
            )
            session.add(row)
            cache[person_id] = key
            return key
        if row is None or row.wrapped is None or row.master_key_id is None:
            cache[person_id] = _SHREDDED
            return None
        master = self.keyring.master(row.master_key_id)
        key = crypto.decrypt(master, row.wrapped, _key_context(person_id))
        cache[person_id] = key
        return key

    def seal(self, session: Session, person_id: str, context: str, value: str) -> bytes:
        key = self._key(session, person_id, create=True)
        if key is None:
            raise ErasedPerson(person_id)
        return crypto.encrypt(key, value.encode(), f"{context}:{person_id}")

    def open(self, session: Session, person_id: str, context: str, blob: bytes) -> str:
        key = self._key(session, person_id, create=False)
        if key is None:
            return ERASED
        return crypto.decrypt(key, blob, f"{context}:{person_id}").decode()

    def blind_index(self, kind: str, value: str) -> str:
        return crypto.blind_index(self.keyring.index_key, kind, value)

    def shred(self, session: Session, person_id: str) -> None:
        """Destroy the person's data key: every value sealed under it becomes unreadable."""
        row = session.get(DataKey, person_id)
        if row is None:
            row = DataKey(person_id=person_id, created_at=clock.now())
            session.add(row)
        row.wrapped = None
        row.master_key_id = None
        row.shredded_at = clock.now()
        session.info.setdefault(_CACHE, {})[person_id] = _SHREDDED

    def rewrap_batch(self, session: Session, limit: int) -> int:
        """Re-wrap up to `limit` keys still under an old master key; returns how many."""
        current = self.keyring.current_id
        rows = session.scalars(
            select(DataKey)
            .where(DataKey.master_key_id.is_not(None), DataKey.master_key_id != current)
            .order_by(DataKey.person_id)
            .limit(limit)
        ).all()
        for row in rows:
            if row.wrapped is None or row.master_key_id is None:
                continue
            context = _key_context(row.person_id)
            key = crypto.decrypt(self.keyring.master(row.master_key_id), row.wrapped, context)
            row.wrapped = crypto.encrypt(self.keyring.master_keys[0], key, context)
            row.master_key_id = current
        return len(rows)


class ErasedPerson(Exception):
    """Writing data for a person whose key was destroyed: they were erased."""


def _key_context(person_id: str) -> str:
    return f"data_key:{person_id}"
