"""Data keys: created on first use, unwrapped once per session, destroyed to erase a person.

Rotation (`steward keys rotate`) runs beside servers and workers. A data key is wrapped only
under the master key the database names as current (core.shared, held for the transaction,
so a rotation waits for it and then re-wraps it), and an id the process does not know sends
it back to the key file: no process wraps with a retired key or needs a restart.
"""

import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Final

from sqlalchemy import select
from sqlalchemy.orm import Session

from steward.core import clock, shared
from steward.vault import crypto
from steward.vault.keyring import KeyFileError, Keyring
from steward.vault.models import DataKey

_CACHE: Final = "steward.vault.keys"
_SHREDDED_IDS: Final = "steward.vault.shredded"


class Erased(str):
    """What an encrypted value reads as once its owner's key is destroyed."""


ERASED: Final = Erased("[erased]")


class Vault:
    """Encryption for one installation. A session's unwrapped keys live in `session.info`,
    so they are gone when the session (one request, one job) ends."""

    def __init__(self, keyring: Keyring, key_file: Path | None = None) -> None:
        self.keyring = keyring
        self.key_file = key_file  # read again when the master key moves on

    def reload(self, _: str | None = None) -> None:
        if self.key_file is not None:
            self.keyring = Keyring.load(self.key_file)

    def master(self, wanted_id: str) -> bytes:
        """A master key by id, looking in the key file again for one rotated in meanwhile."""
        try:
            return self.keyring.master(wanted_id)
        except KeyFileError:
            if self.key_file is None:
                raise
        self.reload()
        return self.keyring.master(wanted_id)

    def wrap(self, session: Session, person_id: str, key: bytes) -> tuple[bytes, str]:
        """A data key wrapped under the current master key, and that key's id, which this
        transaction holds current until it ends."""
        current = shared.held(session, shared.KEYS)
        if current is not None and current != self.keyring.current_id:
            self.reload()
        if current is not None and current != self.keyring.current_id:
            raise KeyFileError(
                f"the key file has not the current master key {current}: copy the rotated "
                "key file here"
            )
        keyring = self.keyring
        wrapped = crypto.encrypt(keyring.master_keys[0], key, _key_context(person_id))
        return wrapped, keyring.current_id

    def attach(self, session: Session) -> Session:
        session.info["vault"] = self
        return session

    def _key(self, session: Session, person_id: str, create: bool) -> bytes | None:
        cache: dict[str, bytes | None] = session.info.setdefault(_CACHE, {})
        if person_id not in cache:
            self.preload(session, [person_id])
        key = cache[person_id]
        if key is None and create and person_id not in self._shredded(session):
            key = os.urandom(32)
            wrapped, master_id = self.wrap(session, person_id, key)
            session.add(
                DataKey(
                    person_id=person_id,
                    wrapped=wrapped,
                    master_key_id=master_id,
                    created_at=clock.now(),
                )
            )
            cache[person_id] = key
        return key or None

    def preload(self, session: Session, person_ids: Iterable[str]) -> None:
        """Unwrap the keys of many people with one query per 500, before reading their rows."""
        cache: dict[str, bytes | None] = session.info.setdefault(_CACHE, {})
        wanted = [p for p in dict.fromkeys(person_ids) if p not in cache]
        for start in range(0, len(wanted), 500):
            chunk = wanted[start : start + 500]
            found = session.execute(
                select(DataKey.person_id, DataKey.wrapped, DataKey.master_key_id).where(
                    DataKey.person_id.in_(chunk)
                )
            ).all()
            for person_id, wrapped, master_id in found:
                if wrapped is None or master_id is None:
                    self._shredded(session).add(person_id)
                    cache[person_id] = None
                else:
                    cache[person_id] = self.unwrap(person_id, wrapped, master_id)
            for person_id in set(chunk) - {row[0] for row in found}:
                cache[person_id] = None

    def unwrap(self, person_id: str, wrapped: bytes, master_id: str) -> bytes:
        """A data key as stored, unwrapped (a transfer hands the new owner the clear keys)."""
        return crypto.decrypt(self.master(master_id), wrapped, _key_context(person_id))

    def accept(
        self, session: Session, person_id: str, wrapped: bytes | None, master_id: str | None
    ) -> None:
        """Take a wrapped key that came with a row (see fields.py), unless already known."""
        cache: dict[str, bytes | None] = session.info.setdefault(_CACHE, {})
        if person_id in cache:
            return
        if wrapped is None or master_id is None:
            self.preload(session, [person_id])  # no key, or shredded: ask once
            return
        master = self.master(master_id)
        cache[person_id] = crypto.decrypt(master, wrapped, _key_context(person_id))

    def known_new(self, session: Session, person_id: str) -> None:
        """A person created in this session has no key yet: skip looking for one."""
        session.info.setdefault(_CACHE, {}).setdefault(person_id, None)

    @staticmethod
    def _shredded(session: Session) -> set[str]:
        shredded: set[str] = session.info.setdefault(_SHREDDED_IDS, set())
        return shredded

    def seal(self, session: Session, person_id: str, context: str, value: str) -> bytes:
        return self.seal_bytes(session, person_id, context, value.encode())

    def open(self, session: Session, person_id: str, context: str, blob: bytes) -> str:
        clear = self.open_bytes(session, person_id, context, blob)
        return ERASED if clear is None else clear.decode()

    def sealing_key(self, session: Session, person_id: str) -> "PersonKey":
        """The person's key, to seal many parts of one stream (a large file) with."""
        key = self._key(session, person_id, create=True)
        if key is None:
            raise ErasedPerson(person_id)
        return PersonKey(key, person_id)

    def opening_key(self, session: Session, person_id: str) -> "PersonKey | None":
        """The person's key to open a stream's parts with; None once it is destroyed."""
        key = self._key(session, person_id, create=False)
        return PersonKey(key, person_id) if key is not None else None

    def seal_bytes(self, session: Session, person_id: str, context: str, data: bytes) -> bytes:
        """Encrypt under the person's data key (a file's content, say), bound to `context`."""
        key = self._key(session, person_id, create=True)
        if key is None:
            raise ErasedPerson(person_id)
        return crypto.encrypt(key, data, f"{context}:{person_id}")

    def open_bytes(
        self, session: Session, person_id: str, context: str, blob: bytes
    ) -> bytes | None:
        """The clear bytes, or None once the person's key is destroyed."""
        key = self._key(session, person_id, create=False)
        if key is None:
            return None
        return crypto.decrypt(key, blob, f"{context}:{person_id}")

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
        session.info.setdefault(_CACHE, {})[person_id] = None
        self._shredded(session).add(person_id)

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


@dataclass(frozen=True)
class PersonKey:
    """One person's unwrapped data key, sealing as `Vault.seal_bytes` does."""

    key: bytes = field(repr=False)
    person_id: str

    def seal(self, data: bytes, context: str) -> bytes:
        return crypto.encrypt(self.key, data, f"{context}:{self.person_id}")

    def open(self, blob: bytes, context: str) -> bytes:
        return crypto.decrypt(self.key, blob, f"{context}:{self.person_id}")


class ErasedPerson(Exception):
    """Writing data for a person whose key was destroyed: they were erased."""


def _key_context(person_id: str) -> str:
    return f"data_key:{person_id}"


def vault_of(session: Session) -> Vault:
    """The vault a session was opened with (`Runtime.session` attaches it)."""
    vault = session.info.get("vault")
    if not isinstance(vault, Vault):
        raise RuntimeError("sealed data needs a session opened through the vault")
    return vault


def message_id_index(session: Session, message_id: str) -> str:
    """The blind index under which a mail's Message-ID is kept, for threading replies."""
    return vault_of(session).blind_index("message_id", message_id.strip().strip("<>"))
