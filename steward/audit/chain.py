"""The hash of an entry and the signed message of a checkpoint.

An entry's hash is SHA-256 over its canonical encoding: a JSON object of every field but
`hash` (so `seq` and `prev_hash` are covered), keys sorted, no whitespace, ASCII only,
`at` as an ISO 8601 UTC timestamp with microseconds, `categories` and `columns` as the
JSON text they are stored as (so any change to that text shows, even a reformatting).
Anyone can recompute it, so it proves order and integrity but not authorship: the Ed25519
signature of a checkpoint, made with a key kept outside the database, does that.
"""

import hashlib
import json
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

ZERO = "0" * 64  # the prev_hash of the first entry

FIELDS = (
    "seq",
    "at",
    "actor",
    "actor_role",
    "action",
    "purpose",
    "person_id",
    "categories",
    "columns",
    "outcome",
    "request_id",
    "prev_hash",
)


def timestamp(moment: datetime) -> str:
    if moment.tzinfo is not UTC:
        moment = moment.astimezone(UTC)
    return moment.isoformat(timespec="microseconds")


def encode_names(values: list[str]) -> str:
    """How `categories` and `columns` are stored: a compact JSON list."""
    return json.dumps(values, separators=(",", ":"))


_ENCODER = json.JSONEncoder(sort_keys=True, separators=(",", ":"))


def canonical(
    row: Mapping[Any, Any], seq: int | None = None, prev_hash: str | None = None
) -> bytes:
    """The bytes an entry's hash covers; `seq` and `prev_hash` override the row's own."""
    fields = {name: row[name] for name in FIELDS}
    fields["at"] = timestamp(row["at"])
    if seq is not None:
        fields["seq"] = seq
    if prev_hash is not None:
        fields["prev_hash"] = prev_hash
    return _ENCODER.encode(fields).encode()


def entry_hash(row: Mapping[Any, Any], seq: int | None = None, prev_hash: str | None = None) -> str:
    return hashlib.sha256(canonical(row, seq, prev_hash)).hexdigest()


def checkpoint_message(seq: int, head_hash: str, at: datetime) -> bytes:
    return f"steward audit checkpoint\x00{seq}\x00{head_hash}\x00{timestamp(at)}".encode()


def signer(seed: bytes) -> Ed25519PrivateKey:
    return Ed25519PrivateKey.from_private_bytes(seed)


def public_key(key: bytes | Ed25519PublicKey) -> Ed25519PublicKey:
    """The verifying key: given as is, or derived from the 32-byte signing seed."""
    return key if isinstance(key, Ed25519PublicKey) else signer(key).public_key()


def signature_holds(key: Ed25519PublicKey, message: bytes, signature: str) -> bool:
    try:
        key.verify(bytes.fromhex(signature), message)
    except (InvalidSignature, ValueError):
        return False
    return True
