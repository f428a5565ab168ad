"""AES-256-GCM for data keys and fields, HMAC-SHA256 for blind indexes."""

import hashlib
import hmac
import os
import unicodedata

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from steward.core.errors import DomainError

FORMAT = b"\x01"


class Unreadable(DomainError):
    """A ciphertext that does not open with the key and the context it claims: altered, or
    copied from another row or column. Never shown as anything but this message."""

    status = 500
    title = "Stored data failed its integrity check"


def encrypt(key: bytes, plaintext: bytes, context: str) -> bytes:
    nonce = os.urandom(12)
    return FORMAT + nonce + AESGCM(key).encrypt(nonce, plaintext, context.encode())


def decrypt(key: bytes, blob: bytes, context: str) -> bytes:
    if blob[:1] != FORMAT:
        raise Unreadable("unknown ciphertext format")
    try:
        return AESGCM(key).decrypt(blob[1:13], blob[13:], context.encode())
    except InvalidTag:
        raise Unreadable("ciphertext altered or moved to another row") from None


def normalise(value: str) -> str:
    return unicodedata.normalize("NFKC", value).strip().casefold()


def blind_index(index_key: bytes, kind: str, value: str) -> str:
    """A stable keyed fingerprint for exact look-ups; reveals nothing without the key."""
    message = f"{kind}\x00{normalise(value)}".encode()
    return hmac.new(index_key, message, hashlib.sha256).hexdigest()
