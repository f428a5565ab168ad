"""Password rules (length, not a common password) and argon2id hashing."""

from functools import cache
from pathlib import Path

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from steward.core.errors import Invalid

MIN_LENGTH = 12
MAX_LENGTH = 200  # argon2 takes any length; this only bounds the work one request can cause
COMMON = Path(__file__).with_name("common-passwords.txt")

_hasher = PasswordHasher()  # argon2id with the library's recommended parameters


@cache
def _common() -> frozenset[str]:
    lines = COMMON.read_text(encoding="utf-8").splitlines()
    return frozenset(
        line.strip().casefold() for line in lines if line.strip() and not line.startswith("#")
    )


def check(password: str) -> None:
    """Refuse a password too short, too long or on the list of common passwords."""
    if len(password) < MIN_LENGTH:
        raise Invalid(f"The password must have at least {MIN_LENGTH} characters.")
    if len(password) > MAX_LENGTH:
        raise Invalid(f"The password must have at most {MAX_LENGTH} characters.")
    if password.strip().casefold() in _common():
        raise Invalid(
            "This password is one of the most common passwords and easy to guess; choose another."
        )


def hash_password(password: str) -> str:
    return _hasher.hash(password)


@cache
def _decoy() -> str:
    return _hasher.hash("a decoy that makes unknown addresses cost the same work")


def verify(stored_hash: str | None, password: str) -> bool:
    """True when the password matches; with no hash, does the same work and answers False."""
    try:
        return _hasher.verify(stored_hash or _decoy(), password) and stored_hash is not None
    except (VerificationError, InvalidHashError):
        return False
