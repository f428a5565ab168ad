"""Signatures on what Steward sends out (portability pushes, notices to processors): Ed25519
with a key derived from the key file's signing key, so receivers can check them against the
public key published at /api/v1/rights/signing-key."""

import base64
import hashlib

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from steward.vault.keyring import Keyring

HEADER = "Steward-Signature"  # base64 Ed25519 signature over the exact request body


def _private(keyring: Keyring) -> Ed25519PrivateKey:
    seed = hashlib.sha256(b"steward outbound signing\0" + keyring.signing_key).digest()
    return Ed25519PrivateKey.from_private_bytes(seed)


def sign(keyring: Keyring, body: bytes) -> str:
    return base64.b64encode(_private(keyring).sign(body)).decode()


def public_key_pem(keyring: Keyring) -> str:
    return (
        _private(keyring)
        .public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )
