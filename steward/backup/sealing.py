"""The backup file: a clear header, then compressed frames sealed with AES-256-GCM.

Layout: MAGIC, a 4-byte header length, the header (JSON: format, created_at, schema
revision, dialect, key id, salt), then frames, each a 4-byte length and a ciphertext of a
zlib-compressed chunk of records (JSON lines). Since format 2 the clear frame starts with a
byte saying what it holds: `z`, such a chunk, or `b`, raw bytes of a file, which is sealed
already and would neither compress nor gain from JSON (the reader yields them as `bytes`). The file key is derived with HKDF-SHA256 from the key
file's index key (which never rotates, so a backup outlives a master-key rotation) and the
file's random salt; the frame counter is the nonce, and the associated data binds each frame
to the header, its position and whether it is the last, so frames cannot be altered,
reordered, dropped or cut off without the reader noticing.
"""

import base64
import hashlib
import json
import os
import struct
import zlib
from collections.abc import Iterator
from dataclasses import asdict, dataclass, fields
from typing import IO, Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from steward.core.errors import Invalid
from steward.vault.keyring import Keyring

MAGIC = b"STEWARD-BACKUP\x00\x01"
FORMAT = 2  # 2: the encrypted files after the tables, frames marked records or bytes
READABLE = (1, 2)
RECORDS, BYTES = b"z", b"b"
FRAME_BYTES = 1 << 20  # clear bytes per frame before compression
_LENGTH = struct.Struct(">I")
_MAX_FRAME = 64 << 20


class BackupUnreadable(Invalid):
    title = "Backup unreadable"


def _derive(keyring: Keyring, salt: bytes, info: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=salt, info=info).derive(
        keyring.index_key
    )


def key_id(keyring: Keyring) -> str:
    """Names the key file a backup needs, revealing nothing of it."""
    return _derive(keyring, b"", b"steward backup key id").hex()[:16]


def header_json(header: Any) -> bytes:
    """A file header (a dataclass) as the JSON written at the head of the file: its bytes in
    base64, keys sorted, so the same header always gives the same bytes (they are hashed)."""
    values = {
        name: base64.b64encode(value).decode() if isinstance(value, bytes) else value
        for name, value in asdict(header).items()
    }
    return json.dumps(values, sort_keys=True).encode()


def header_values(cls: Any, data: dict[str, Any]) -> dict[str, Any]:
    """The fields of header class `cls` from its JSON, its bytes fields decoded."""
    return {
        f.name: base64.b64decode(data[f.name]) if f.type in (bytes, "bytes") else data[f.name]
        for f in fields(cls)
    }


@dataclass(frozen=True)
class Header:
    created_at: str
    revision: str | None
    dialect: str
    key_id: str
    salt: bytes
    format: int = FORMAT

    def encode(self) -> bytes:
        return header_json(self)

    @classmethod
    def decode(cls, raw: bytes) -> "Header":
        try:
            data = json.loads(raw)
            if data["format"] not in READABLE:
                raise BackupUnreadable(f"backup format {data['format']} is not supported")
            return cls(**header_values(cls, data))
        except (ValueError, KeyError, TypeError):
            raise BackupUnreadable("the backup's header is damaged") from None


def _associated(header_hash: bytes, counter: int, last: bool) -> bytes:
    return header_hash + struct.pack(">Q?", counter, last)


def _nonce(counter: int) -> bytes:
    return b"\x00\x00\x00\x00" + struct.pack(">Q", counter)


class Writer:
    """Buffers records (one JSON line each) and writes them as sealed frames."""

    def __init__(self, out: IO[bytes], keyring: Keyring, header: Header) -> None:
        self._start(
            out, _derive(keyring, header.salt, b"steward backup v1"), MAGIC, header.encode()
        )

    @classmethod
    def with_key(cls, out: IO[bytes], file_key: bytes, magic: bytes, raw_header: bytes) -> "Writer":
        """A writer for another file of the same frames (a transfer archive): its own magic
        and clear header, its frames sealed under `file_key`."""
        writer = cls.__new__(cls)
        writer._start(out, file_key, magic, raw_header)
        return writer

    def _start(self, out: IO[bytes], file_key: bytes, magic: bytes, raw: bytes) -> None:
        self._out = out
        self._aead = AESGCM(file_key)
        self._header_hash = hashlib.sha256(raw).digest()
        self._counter = 0
        self._buffer: list[bytes] = []
        self._size = 0
        out.write(magic + _LENGTH.pack(len(raw)) + raw)

    def record(self, value: Any) -> None:
        line = json.dumps(value, separators=(",", ":"), ensure_ascii=False).encode() + b"\n"
        self._buffer.append(line)
        self._size += len(line)
        if self._size >= FRAME_BYTES:
            self._flush(last=False)

    def close(self) -> None:
        self._flush(last=True)

    def data(self, raw: bytes) -> None:
        """Raw bytes (of a file) in a frame of their own, after the records before them."""
        if self._buffer:
            self._flush(last=False)
        self._seal(BYTES + raw, last=False)

    def _flush(self, last: bool) -> None:
        self._seal(RECORDS + zlib.compress(b"".join(self._buffer), 6), last)
        self._buffer, self._size = [], 0

    def _seal(self, clear: bytes, last: bool) -> None:
        sealed = self._aead.encrypt(
            _nonce(self._counter), clear, _associated(self._header_hash, self._counter, last)
        )
        self._out.write(_LENGTH.pack(len(sealed)) + sealed)
        self._counter += 1


def read_header(source: IO[bytes]) -> tuple[Header, bytes]:
    raw = read_raw_header(source, MAGIC, "not a Steward backup file")
    return Header.decode(raw), raw


def read_raw_header(source: IO[bytes], magic: bytes, not_ours: str) -> bytes:
    if source.read(len(magic)) != magic:
        raise BackupUnreadable(not_ours)
    return source.read(_read_length(source))


def check_key(header: Header, keyring: Keyring) -> None:
    if header.key_id != key_id(keyring):
        raise BackupUnreadable(
            f"this backup was made with another key file (key id {header.key_id}); "
            "use the key file of the installation that made it"
        )


def records(source: IO[bytes], keyring: Keyring) -> Iterator[Any]:
    """Every record of the file, in order; raises BackupUnreadable on any damage."""
    header, raw = read_header(source)
    check_key(header, keyring)
    key = _derive(keyring, header.salt, b"steward backup v1")
    yield from frames(source, key, raw, header.format)


def frames(
    source: IO[bytes], file_key: bytes, raw_header: bytes, format: int = FORMAT
) -> Iterator[Any]:
    """The records of the frames that follow a header, sealed under `file_key`."""
    aead = AESGCM(file_key)
    header_hash = hashlib.sha256(raw_header).digest()
    counter = 0
    while True:
        length = _read_length(source, allow_end=True)
        if length < 0:
            raise BackupUnreadable("the backup is cut short (its last part is missing)")
        sealed = source.read(length)
        if len(sealed) != length:
            raise BackupUnreadable("the backup is cut short (its last part is missing)")
        last = False
        try:
            chunk = aead.decrypt(
                _nonce(counter), sealed, _associated(header_hash, counter, last=False)
            )
        except InvalidTag:
            try:
                chunk = aead.decrypt(
                    _nonce(counter), sealed, _associated(header_hash, counter, last=True)
                )
                last = True
            except InvalidTag:
                raise BackupUnreadable(
                    f"part {counter + 1} of the backup was altered or is damaged"
                ) from None
        if format == 1:
            yield from _lines(chunk)
        elif chunk[:1] == RECORDS:
            yield from _lines(chunk[1:])
        elif chunk[:1] == BYTES:
            yield chunk[1:]
        else:
            raise BackupUnreadable(f"part {counter + 1} of the backup is of an unknown kind")
        counter += 1
        if last:
            if source.read(1):
                raise BackupUnreadable("the backup has data after its last part")
            return


def _lines(chunk: bytes) -> Iterator[Any]:
    for line in zlib.decompress(chunk).splitlines():
        yield json.loads(line)


def _read_length(source: IO[bytes], allow_end: bool = False) -> int:
    raw = source.read(_LENGTH.size)
    if not raw and allow_end:
        return -1
    if len(raw) != _LENGTH.size:
        raise BackupUnreadable("the backup is cut short")
    (length,) = _LENGTH.unpack(raw)
    if length > _MAX_FRAME:
        raise BackupUnreadable("the backup is damaged (a part claims an impossible size)")
    return int(length)


def new_salt() -> bytes:
    return os.urandom(16)
