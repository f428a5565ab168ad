"""The key file: master keys (first is current), the blind-index key and the audit signing key.

It lives outside the database (STEWARD_KEY_FILE, mode 0600) so that a copy of the database
alone reveals nothing. JSON, so that rotation can hold the old and the new master key at once.
"""

import base64
import hashlib
import json
import os
from dataclasses import dataclass
from pathlib import Path

from steward.core.errors import DomainError


class KeyFileError(DomainError):
    status = 500
    title = "Key file unusable"


def key_id(key: bytes) -> str:
    return hashlib.sha256(key).hexdigest()[:16]


@dataclass(frozen=True)
class Keyring:
    master_keys: tuple[bytes, ...]  # the first wraps new data keys; the others only unwrap
    index_key: bytes
    signing_key: bytes

    @property
    def current_id(self) -> str:
        return key_id(self.master_keys[0])

    def master(self, wanted_id: str) -> bytes:
        for key in self.master_keys:
            if key_id(key) == wanted_id:
                return key
        raise KeyFileError(f"the key file has no master key {wanted_id}; restore the key file")

    @classmethod
    def generate(cls) -> "Keyring":
        return cls((os.urandom(32),), os.urandom(32), os.urandom(32))

    def with_new_master(self) -> "Keyring":
        return Keyring((os.urandom(32), *self.master_keys), self.index_key, self.signing_key)

    def only_current(self) -> "Keyring":
        return Keyring(self.master_keys[:1], self.index_key, self.signing_key)

    @classmethod
    def load(cls, path: Path) -> "Keyring":
        try:
            data = json.loads(path.read_text())
            return cls(
                tuple(base64.b64decode(k) for k in data["master_keys"]),
                base64.b64decode(data["index_key"]),
                base64.b64decode(data["signing_key"]),
            )
        except FileNotFoundError:
            raise KeyFileError(f"{path} does not exist; run `steward init`") from None
        except (OSError, ValueError, KeyError, TypeError):
            raise KeyFileError(f"{path} is not a Steward key file") from None

    def save(self, path: Path) -> None:
        """Write atomically, readable by the owner only."""
        data = {
            "format": 1,
            "master_keys": [base64.b64encode(k).decode() for k in self.master_keys],
            "index_key": base64.b64encode(self.index_key).decode(),
            "signing_key": base64.b64encode(self.signing_key).decode(),
        }
        temporary = path.with_name(path.name + ".tmp")
        fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as handle:
            json.dump(data, handle)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, path)
