"""State every process must agree on without a restart: the active policy and the current
master key. Each is a row of `shared_state` whose generation moves on with every change
(`announce`); a process looks at the few rows at most once per interval (`Follower`) and
reloads only what moved. See docs/architecture.md, "Every process sees the same state".
"""

import logging
import threading
import time
from collections.abc import Callable

from sqlalchemy import BigInteger, String, bindparam, select, update
from sqlalchemy.orm import Mapped, Session, mapped_column, sessionmaker

from steward.core.db import Base

log = logging.getLogger("steward.shared")

POLICY = "policy"  # value: the sha256 of the active policy's text (policy_versions.sha256)
KEYS = "keys"  # value: the id of the master key that wraps new data keys


class SharedState(Base):
    """One row per name, seeded by the migration, so announcing is always an UPDATE."""

    __tablename__ = "shared_state"

    name: Mapped[str] = mapped_column(String(32), primary_key=True)
    generation: Mapped[int] = mapped_column(BigInteger)
    value: Mapped[str | None] = mapped_column(String(128))


def announce(session: Session, name: str, value: str) -> None:
    """Set `name` to `value` and move its generation on; the caller commits. On PostgreSQL
    the UPDATE waits for transactions holding the row with `held`."""
    session.connection().execute(
        update(SharedState)
        .where(SharedState.name == name)
        .values(generation=SharedState.generation + 1, value=value)
    )


def held(session: Session, name: str) -> str | None:
    """The value of `name`, which cannot change before this transaction ends: read under a
    share lock on PostgreSQL (an `announce` waits for it); on SQLite, whose writers take
    turns anyway, after taking the write lock with an UPDATE that changes nothing."""
    connection = session.connection()
    if connection.dialect.name == "sqlite":
        connection.execute(_TAKE_WRITE_LOCK, {"shared": name})
    return connection.execute(_HELD, {"shared": name}).scalar()


_TAKE_WRITE_LOCK = (
    update(SharedState)
    .where(SharedState.name == bindparam("shared"))
    .values(generation=SharedState.generation)
)
_HELD = (
    select(SharedState.value)
    .where(SharedState.name == bindparam("shared"))
    .with_for_update(read=True)
)


class Follower:
    """What one process last saw of the shared rows, and what to reload when one moves.

    `follow` costs a clock reading, except at most once per `interval`, when it reads the
    table (a handful of rows by primary key) in one query."""

    def __init__(self, interval: float = 1.0) -> None:
        self.interval = interval
        self.reloads: dict[str, Callable[[str | None], None]] = {}
        self._seen: dict[str, int] = {}
        self._due = 0.0
        self._lock = threading.Lock()

    def due(self) -> bool:
        return time.monotonic() >= self._due

    def start(self, sessions: sessionmaker[Session]) -> None:
        """Take what the process loaded at its start as current: only later changes reload."""
        self._seen = {name: generation for name, generation, _ in self._read(sessions)}
        self._due = time.monotonic() + self.interval

    def follow(self, sessions: sessionmaker[Session]) -> None:
        if not self.due() or not self._lock.acquire(blocking=False):
            return  # another thread of this process is looking already
        try:
            try:
                rows = self._read(sessions)
            except Exception as error:  # the database away: keep serving what is loaded
                log.error("looking at the shared state failed: %s", type(error).__name__)
                rows = []
            for name, generation, value in rows:
                reload = self.reloads.get(name)
                if reload is None or self._seen.get(name) == generation:
                    continue
                try:
                    reload(value)
                except Exception as error:  # keep what works; try again at the next look
                    log.error("reloading the shared %s failed: %s", name, type(error).__name__)
                    continue
                self._seen[name] = generation
            self._due = time.monotonic() + self.interval
        finally:
            self._lock.release()

    @staticmethod
    def _read(sessions: sessionmaker[Session]) -> list[tuple[str, int, str | None]]:
        with sessions() as session:
            query = select(SharedState.name, SharedState.generation, SharedState.value)
            return [(n, g, v) for n, g, v in session.execute(query)]
