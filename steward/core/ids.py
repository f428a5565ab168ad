"""Identifiers: random, sortable by creation time (UUIDv7 layout), stored as text.

Within a process each id is greater than the one before, even in the same millisecond
(RFC 9562, 6.2: the random bits of the previous id plus one), so rows written one after the
other sort in that order: a request's timeline steps of one instant keep theirs."""

import os
import threading
import time
import uuid

_lock = threading.Lock()
_last = 0


def new_id() -> str:
    global _last
    millis = time.time_ns() // 1_000_000
    rand = int.from_bytes(os.urandom(10), "big")
    value = (millis & ((1 << 48) - 1)) << 80 | 0x7 << 76 | (rand >> 68 & 0xFFF) << 64
    value |= 0b10 << 62 | (rand & ((1 << 62) - 1))
    with _lock:
        if value <= _last:
            value = _last + 1  # the same millisecond (or a clock set back): one more
        _last = value
    return str(uuid.UUID(int=value))
