"""Brute-force defence (X4): per-account and per-address failure counters with growing delays.

After FREE_FAILURES failures on a key the next attempt must wait 2**(n - FREE_FAILURES)
seconds from the last failure; an account is locked after LOCK_AFTER failures. Keys are
blind indexes of "ip:<address>" and "account:<id>", so the table holds no address or id.
"""

import math
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from steward.core import clock
from steward.identity.errors import Throttled
from steward.identity.models import Throttle
from steward.vault.service import vault_of

FREE_FAILURES = 3
LOCK_AFTER = 10
MAX_DELAY = 3600  # seconds; an address is never refused for longer than an hour at a time
FORGET_ADDRESS_AFTER = timedelta(hours=1)  # an address's count restarts after a quiet hour


def key(session: Session, subject: str) -> str:
    return vault_of(session).blind_index("throttle", subject)


def delay(failures: int) -> int:
    if failures < FREE_FAILURES:
        return 0
    return int(min(MAX_DELAY, 2 ** (failures - FREE_FAILURES)))


def _row(session: Session, throttle_key: str) -> Throttle | None:
    return session.get(Throttle, throttle_key)


def wait_for(session: Session, keys: list[str], now: datetime) -> int:
    """Seconds to wait before the next attempt on any of these keys (0: go ahead)."""
    longest = 0.0
    for throttle_key in keys:
        row = _row(session, throttle_key)
        if row is None or row.last_failure_at is None:
            continue
        ready = row.last_failure_at + timedelta(seconds=delay(row.failures))
        longest = max(longest, (ready - now).total_seconds())
    return math.ceil(longest)


def ensure_allowed(session: Session, keys: list[str]) -> None:
    seconds = wait_for(session, keys, clock.now())
    if seconds > 0:
        raise Throttled(
            f"Too many failed attempts. Try again in {seconds} seconds.", retry_after=seconds
        )


def failures(session: Session, throttle_key: str) -> int:
    row = _row(session, throttle_key)
    return row.failures if row else 0


def fail(session: Session, throttle_key: str, *, forgets: bool) -> int:
    """Count one failure; returns the new count. `forgets`: restart after a quiet hour."""
    now = clock.now()
    row = _row(session, throttle_key)
    if row is None:
        row = Throttle(key=throttle_key, failures=0)
        session.add(row)
    quiet = row.last_failure_at is not None and now - row.last_failure_at > FORGET_ADDRESS_AFTER
    if forgets and quiet:
        row.failures = 0
    row.failures += 1
    row.last_failure_at = now
    return row.failures


def clear(session: Session, throttle_key: str) -> None:
    row = _row(session, throttle_key)
    if row is not None:
        session.delete(row)


def bar(session: Session, throttle_key: str) -> None:
    """Refuse every attempt on this key for the longest delay from now: the watch's answer
    to an address spraying sign-ins (X4)."""
    row = _row(session, throttle_key)
    if row is None:
        row = Throttle(key=throttle_key, failures=0)
        session.add(row)
    row.failures = max(row.failures, FREE_FAILURES + MAX_DELAY.bit_length())
    row.last_failure_at = clock.now()
