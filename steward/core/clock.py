"""The one source of time. Tests move it instead of sleeping."""

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta

_frozen: datetime | None = None


def now() -> datetime:
    """The current time, timezone-aware UTC."""
    return _frozen if _frozen is not None else datetime.now(UTC)


def today() -> date:
    return now().date()


@contextmanager
def frozen_at(moment: datetime) -> Iterator[None]:
    """Fix the clock at `moment` (naive values are taken as UTC) for the block."""
    global _frozen
    previous = _frozen
    _frozen = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    try:
        yield
    finally:
        _frozen = previous


def advance(by: timedelta) -> None:
    """Move a frozen clock forward; refuses on a running clock so tests stay explicit."""
    global _frozen
    if _frozen is None:
        raise RuntimeError("advance() needs a frozen clock: use frozen_at() first")
    _frozen = _frozen + by
