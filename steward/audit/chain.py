"""The keyed MAC of an entry, the keyed link of the chain, and signed checkpoints.

The audit key is derived from the key file's signing seed with HKDF-SHA256 under its own
info string; it never reaches the database. An entry's `mac` is HMAC-SHA256 under that key
over its canonical encoding: a JSON object of every field but `mac` (so its database id is
covered), keys sorted, no whitespace, ASCII only, `at` as an ISO 8601 UTC timestamp with
microseconds, `categories` and `columns` as the JSON text they are stored as. The chain's
link at `seq` is HMAC-SHA256(key, previous link ‖ seq ‖ entry id ‖ entry mac). Without the
key nobody can make an entry or a link that verifies. A checkpoint signs (seq, link, time)
with the Ed25519 key of the key file; its JSON line holds no personal data.

`legacy_hash` is the unkeyed SHA-256 chain of trails written before migration 0016, checked
once when the sequencer first links those entries.
"""

import hashlib
import hmac
import json
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

ZERO = "0" * 64  # the link before the first entry

FIELDS = (
    "id",
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
)


def timestamp(moment: datetime) -> str:
    if moment.tzinfo is not UTC:
        moment = moment.astimezone(UTC)
    return moment.isoformat(timespec="microseconds")


def encode_names(values: list[str]) -> str:
    """How `categories` and `columns` are stored: a compact JSON list."""
    return json.dumps(values, separators=(",", ":"))


_ENCODER = json.JSONEncoder(sort_keys=True, separators=(",", ":"))


def audit_key(signing_seed: bytes) -> bytes:
    """The MAC key of the trail, derived from the key file's signing seed."""
    hkdf = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=b"steward audit trail mac")
    return hkdf.derive(signing_seed)


def canonical(row: Mapping[Any, Any], entry_id: int | None = None) -> bytes:
    """The bytes an entry's MAC covers; `entry_id` overrides the row's own id."""
    fields = {name: row[name] for name in FIELDS}
    fields["at"] = timestamp(row["at"])
    if entry_id is not None:
        fields["id"] = entry_id
    return _ENCODER.encode(fields).encode()


def entry_mac(key: bytes, row: Mapping[Any, Any], entry_id: int | None = None) -> str:
    return hmac.digest(key, canonical(row, entry_id), "sha256").hex()


def link(key: bytes, previous: str, seq: int, entry_id: int, mac: str) -> str:
    message = f"{previous}\x00{seq}\x00{entry_id}\x00{mac}".encode()
    return hmac.digest(key, message, "sha256").hex()


def legacy_hash(row: Mapping[Any, Any], seq: int, prev_hash: str) -> str:
    """The unkeyed hash an entry got before migration 0016 (seq was its id)."""
    fields = {name: row[name] for name in FIELDS if name != "id"}
    fields |= {"at": timestamp(row["at"]), "seq": seq, "prev_hash": prev_hash}
    return hashlib.sha256(_ENCODER.encode(fields).encode()).hexdigest()


def checkpoint_message(seq: int, link: str, at: datetime) -> bytes:
    return f"steward audit checkpoint 2\x00{seq}\x00{link}\x00{timestamp(at)}".encode()


def legacy_checkpoint_message(seq: int, head_hash: str, at: datetime) -> bytes:
    return f"steward audit checkpoint\x00{seq}\x00{head_hash}\x00{timestamp(at)}".encode()


def checkpoint_line(seq: int, link: str, at: datetime, signature: str) -> str:
    """A checkpoint as the JSON line kept outside the database (and mailed in the digest)."""
    return _ENCODER.encode({"at": timestamp(at), "link": link, "seq": seq, "signature": signature})


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
