"""Rotating the master key that wraps every person's data key (`steward keys rotate`, and
the privacy officer containing an incident, X6). Data is not re-encrypted.

Safe to interrupt and run again: the key file keeps the old key beside the new one until
every data key is re-wrapped, and a second run carries on where the first stopped. Running
servers and workers read the new key file within a second, without a restart (core.shared).
"""

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from steward.core.db import transaction
from steward.core.shared import KEYS, announce
from steward.vault.keyring import Keyring
from steward.vault.models import DataKey
from steward.vault.service import Vault


@dataclass(frozen=True)
class Rotated:
    key_id: str  # the new current master key
    rewrapped: int  # data keys re-wrapped under it by this run
    resumed: bool  # this run carried on an interrupted rotation


def rotate(
    key_file: Path,
    sessions: sessionmaker[Session],
    batch: int = 500,
    *,
    started: Callable[[str, bool, int], None] | None = None,
    advanced: Callable[[int], None] | None = None,
) -> Rotated:
    """Re-wrap every data key under a new master key (or the one an interrupted run made).
    `started(key_id, resumed, pending)` and `advanced(done)` report progress. Each step
    commits on its own: call it with no transaction of the caller's open."""
    keyring = Keyring.load(key_file)  # KeyFileError names what is wrong
    resumed = len(keyring.master_keys) > 1
    if not resumed:
        keyring = keyring.with_new_master()
        keyring.save(key_file)
    vault = Vault(keyring)
    # From this commit on, every process wraps under the new key; a key being wrapped under
    # the old one now is committed first (the announcement waits) and re-wrapped below.
    with transaction(sessions) as session:
        announce(session, KEYS, keyring.current_id)
    old = DataKey.master_key_id.is_not(None) & (DataKey.master_key_id != keyring.current_id)
    with transaction(sessions) as session:
        pending = session.scalar(select(func.count()).where(old)) or 0
    if started is not None:
        started(keyring.current_id, resumed, pending)
    while True:
        with transaction(sessions) as session:
            done = vault.rewrap_batch(session, batch)
        if not done:
            break
        if advanced is not None:
            advanced(done)
    keyring.only_current().save(key_file)
    with transaction(sessions) as session:  # processes drop the retired key too
        announce(session, KEYS, keyring.current_id)
    return Rotated(key_id=keyring.current_id, rewrapped=pending, resumed=resumed)
