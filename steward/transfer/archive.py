"""The transfer archive: the whole data set for the new owner, in one encrypted file that
only the new owner's private key opens (S4).

It is a backup's frames (steward.backup.sealing: compressed JSON records and raw file parts
under AES-256-GCM, each frame bound to the header, its place and whether it is last) behind
its own magic and clear header. The frames' key is random and is wrapped for the new owner:
an ephemeral X25519 key agreement with their public key, HKDF-SHA256, AES-GCM. The records
are a backup's (steward.backup.rows): first `transfer_data_keys` (each kept owner's data key,
in the clear inside the archive, so the new owner can open the sealed values without our key
file) and `transfer_index_key` (the blind-index key, so look-ups by address keep working),
then every table, then the encrypted files, then the summary.

People left out (erased, erasing, or objecting where the policy says so) leave with their
rows, the rows hanging off those rows, their data keys and their files; a link to them from
someone else's row is emptied, or the row left out when the link cannot be empty. Streamed
throughout: the only sets held are the ids of what is left out.
"""

import base64
import hashlib
import json
import os
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any, cast

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from sqlalchemy import Column, Connection, Engine, Table, inspect, select

from steward.backup import disk, sealing
from steward.backup.rows import (
    Walker,
    backed_up_tables,
    decoder,
    encoder,
    kind_of,
    unknown_tables,
)
from steward.backup.sealing import BackupUnreadable, header_json, header_values
from steward.backup.service import open_readable, revision_of, snapshot
from steward.core import clock
from steward.core.errors import Invalid
from steward.rights.datamap import holdings
from steward.vault import files
from steward.vault.crypto import Unreadable
from steward.vault.keyring import Keyring
from steward.vault.models import DataKey
from steward.vault.service import PersonKey, Vault

MAGIC = b"STEWARD-TRANSFER\x00\x01"
FORMAT = 1
KEYS_TABLE = "transfer_data_keys"
INDEX_KEY_TABLE = "transfer_index_key"
BATCH = 1000
_INFO = b"steward transfer v1"
OnProgress = Callable[[str, int], None]


class ArchiveUnreadable(BackupUnreadable):
    title = "Transfer archive unreadable"


# Keys


def new_key_pair() -> tuple[bytes, bytes]:
    """A new owner's key pair: the private key (PKCS #8 PEM) and the public key (PEM)."""
    private = X25519PrivateKey.generate()
    private_pem = private.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    public_pem = private.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return private_pem, public_pem


def load_public_key(pem: bytes) -> X25519PublicKey:
    try:
        key = serialization.load_pem_public_key(pem)
    except ValueError:
        raise Invalid("the new owner's public key is not a PEM public key") from None
    if not isinstance(key, X25519PublicKey):
        raise Invalid("the new owner's public key must be an X25519 key (steward transfer keygen)")
    return key


def load_private_key(pem: bytes) -> X25519PrivateKey:
    try:
        key = serialization.load_pem_private_key(pem, password=None)
    except (ValueError, TypeError):
        raise Invalid("the key given is not an unencrypted PEM private key") from None
    if not isinstance(key, X25519PrivateKey):
        raise Invalid("the key given is not an X25519 private key (steward transfer keygen)")
    return key


def _raw(public: X25519PublicKey) -> bytes:
    return public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def key_id(public: X25519PublicKey) -> str:
    """Names the key an archive is for, revealing nothing of it."""
    return hashlib.sha256(_raw(public)).hexdigest()[:16]


def _key_encryption_key(shared: bytes, salt: bytes, ephemeral: bytes, recipient: bytes) -> bytes:
    return HKDF(
        algorithm=hashes.SHA256(), length=32, salt=salt, info=_INFO + ephemeral + recipient
    ).derive(shared)


# The header


@dataclass(frozen=True)
class Header:
    created_at: str
    revision: str | None
    dialect: str
    new_controller: str
    recipient: str  # key id of the new owner's public key
    ephemeral: bytes  # our one-time X25519 public key
    salt: bytes
    wrapped: bytes  # the frames' key, sealed for the new owner
    format: int = FORMAT

    def encode(self) -> bytes:
        return header_json(self)

    @classmethod
    def decode(cls, raw: bytes) -> "Header":
        try:
            data = json.loads(raw)
            if data["format"] != FORMAT:
                raise ArchiveUnreadable(f"transfer archive format {data['format']} is unknown")
            return cls(**header_values(cls, data))
        except (ValueError, KeyError, TypeError):
            raise ArchiveUnreadable("the archive's header is damaged") from None


def _seal_for(recipient: X25519PublicKey, header_fields: dict[str, Any]) -> tuple[Header, bytes]:
    """A header whose wrapped key only the recipient's private key opens, and that key."""
    file_key, salt = AESGCM.generate_key(256), os.urandom(16)
    ephemeral = X25519PrivateKey.generate()
    ephemeral_raw = _raw(ephemeral.public_key())
    kek = _key_encryption_key(ephemeral.exchange(recipient), salt, ephemeral_raw, _raw(recipient))
    wrapped = AESGCM(kek).encrypt(b"\x00" * 12, file_key, _INFO)  # kek is used once
    header = Header(
        **header_fields,
        recipient=key_id(recipient),
        ephemeral=ephemeral_raw,
        salt=salt,
        wrapped=wrapped,
    )
    return header, file_key


def _open_with(private: X25519PrivateKey, header: Header) -> bytes:
    mine = private.public_key()
    if header.recipient != key_id(mine):
        raise ArchiveUnreadable(
            f"this archive is for another key (key id {header.recipient}, this key is "
            f"{key_id(mine)}): use the new owner's private key"
        )
    ephemeral = X25519PublicKey.from_public_bytes(header.ephemeral)
    kek = _key_encryption_key(
        private.exchange(ephemeral), header.salt, header.ephemeral, _raw(mine)
    )
    try:
        return AESGCM(kek).decrypt(b"\x00" * 12, header.wrapped, _INFO)
    except InvalidTag:
        raise ArchiveUnreadable("the archive's key does not open with this private key") from None


# Writing


@dataclass
class Written:
    """What an archive holds: names, counts and its digest, no personal data."""

    sha256: str = ""
    people: int = 0
    tables: dict[str, int] = field(default_factory=dict)
    files: dict[str, int] = field(default_factory=dict)
    keys: int = 0
    rows_left_out: int = 0

    @property
    def rows(self) -> int:
        """The data set's rows: the keys aside."""
        return sum(n for t, n in self.tables.items() if t not in (KEYS_TABLE, INDEX_KEY_TABLE))


class _LeftOut:
    """Ids of what stays behind, per table, and the owners whose keys stay behind."""

    def __init__(self, people: set[str]) -> None:
        self.rows: dict[str, set[Any]] = {"people": set(people)}
        self.owners: set[str] = set(people)


def write(
    engine: Engine,
    keyring: Keyring,
    recipient: X25519PublicKey,
    new_controller: str,
    leave_out: set[str],
    path: Path,
    files_dir: Path,
    progress: OnProgress | None = None,
) -> Written:
    """Write the archive to `path` (atomically, readable by the owner only), leaving out
    the people whose ids are in `leave_out`."""
    on_progress = progress or (lambda table, done: None)
    temporary = path.with_name(f".{path.name}.partial")
    written = Written()
    with snapshot(engine) as connection:
        present = set(inspect(connection).get_table_names())
        unknown = unknown_tables(present)
        if unknown:
            raise Invalid(
                f"the database holds tables the models do not declare ({', '.join(unknown)}); "
                "the archive would leave them out, so none was written"
            )
        fields = {
            "created_at": clock.now().isoformat(),
            "revision": revision_of(connection),
            "dialect": engine.dialect.name,
            "new_controller": new_controller,
        }
        header, file_key = _seal_for(recipient, fields)
        descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        try:
            with os.fdopen(descriptor, "wb") as raw_out:
                out = _Hashing(raw_out)
                writer = sealing.Writer.with_key(
                    cast(IO[bytes], out), file_key, MAGIC, header.encode()
                )
                left = _LeftOut(leave_out)
                left.owners |= _own_keys_of(connection, leave_out, present)
                # the keys first, so a reader can open each row as it streams by
                written.keys = _keys(connection, writer, keyring, left.owners)
                written.tables[KEYS_TABLE] = written.keys
                writer.record({"table": INDEX_KEY_TABLE, "columns": ["key"], "kinds": ["bytes"]})
                writer.record([base64.b64encode(keyring.index_key).decode()])
                writer.record({"end": INDEX_KEY_TABLE, "rows": 1})
                written.tables[INDEX_KEY_TABLE] = 1
                for table in backed_up_tables():
                    if table.name in present:
                        _table(connection, writer, table, left, written, on_progress)

                def keep(table: str, file_id: str, owner: str) -> bool:
                    return owner not in left.owners and file_id not in left.rows.get(table, ())

                written.files, _ = disk.write(connection, writer, files_dir, on_progress, keep)
                writer.record({"done": written.tables, "files": written.files})
                writer.close()
                raw_out.flush()
                os.fsync(raw_out.fileno())
                written.sha256 = out.digest.hexdigest()
            os.replace(temporary, path)
        finally:
            temporary.unlink(missing_ok=True)
    written.people = written.tables.get("people", 0)
    return written


class _Hashing:
    """A file that hashes what is written to it, so the digest costs no second read."""

    def __init__(self, out: IO[bytes]) -> None:
        self.out, self.digest = out, hashlib.sha256()

    def write(self, data: bytes) -> int:
        self.digest.update(data)
        return self.out.write(data)


@dataclass(frozen=True)
class _Rule:
    """How one table's rows are judged: the columns naming whose they are, and the columns
    pointing at rows of other tables (which may have been left out)."""

    whose: tuple[int, ...]
    owner: int | None  # the row's own id, when the row is sealed under a key of its own
    pointers: tuple[tuple[int, str, bool], ...]  # (index, parent table, may be emptied)
    key: int | None  # the single primary key column, to remember a row left out


def _rule(table: Table, columns: list[Column[Any]]) -> _Rule:
    names = [c.name for c in columns]
    holding = next((h for h in holdings() if h.table.name == table.name), None)
    whose = {holding.owner, holding.subject} - {None} if holding else set()
    if table.name == "people":
        whose = {"id"}
    pointers = tuple(
        (
            names.index(c.name),
            fk.column.table.name,
            bool(c.nullable) and c.name not in whose,
        )
        for c in columns
        for fk in c.foreign_keys
    )
    keys = list(table.primary_key.columns)
    return _Rule(
        whose=tuple(names.index(n) for n in whose if n in names),
        # a row sealed under its own key (a rights request) takes that key with it
        owner=names.index(holding.owner)
        if holding and len(keys) == 1 and holding.owner == keys[0].name in names
        else None,
        pointers=pointers,
        key=names.index(keys[0].name) if len(keys) == 1 and keys[0].name in names else None,
    )


def _table(
    connection: Connection,
    writer: sealing.Writer,
    table: Table,
    left: _LeftOut,
    written: Written,
    on_progress: OnProgress,
) -> None:
    stored = {c["name"] for c in inspect(connection).get_columns(table.name)}
    columns = [c for c in table.columns if c.name in stored]
    kinds = [kind_of(c) for c in columns]
    rule = _rule(table, columns)
    writer.record({"table": table.name, "columns": [c.name for c in columns], "kinds": kinds})
    encode, count = encoder(kinds), 0
    query = select(*columns).order_by(*table.primary_key.columns)
    for row in connection.execution_options(yield_per=BATCH).execute(query):
        values = list(row)
        if not _kept(values, rule, left):
            written.rows_left_out += 1
            if rule.key is not None:
                left.rows.setdefault(table.name, set()).add(values[rule.key])
            if rule.owner is not None and values[rule.owner] is not None:
                left.owners.add(str(values[rule.owner]))
            continue
        writer.record(encode(values))
        count += 1
        if count % BATCH == 0:
            on_progress(table.name, count)
    on_progress(table.name, count)
    writer.record({"end": table.name, "rows": count})
    written.tables[table.name] = count


def _kept(values: list[Any], rule: _Rule, left: _LeftOut) -> bool:
    """Whether a row passes; a link to someone left out is emptied in `values`."""
    people = left.rows["people"]
    if any(values[i] in people for i in rule.whose):
        return False
    for index, parent, may_empty in rule.pointers:
        value = values[index]
        if value is not None and value in left.rows.get(parent, ()):
            if not may_empty:
                return False
            values[index] = None
    return True


def _own_keys_of(connection: Connection, people: set[str], present: set[str]) -> set[str]:
    """The keys of rows sealed under a key of their own (a rights request) that are about
    the people left out: those keys stay behind with them."""
    found: set[str] = set()
    ordered = sorted(people)
    for holding in holdings():
        keys = list(holding.table.primary_key.columns)
        own = len(keys) == 1 and holding.owner == keys[0].name
        if not own or holding.subject in (None, holding.owner) or holding.name not in present:
            continue
        owner, subject = holding.table.c[holding.owner], holding.subject_column()
        for start in range(0, len(ordered), 500):
            chunk = ordered[start : start + 500]
            found.update(
                str(o) for o in connection.scalars(select(owner).where(subject.in_(chunk)))
            )
    return found


def _keys(connection: Connection, writer: sealing.Writer, keyring: Keyring, left: set[str]) -> int:
    keys = cast(Table, DataKey.__table__)
    vault = Vault(keyring)
    writer.record({"table": KEYS_TABLE, "columns": ["owner_id", "key"], "kinds": ["json", "bytes"]})
    count = 0
    query = (
        select(keys.c.person_id, keys.c.wrapped, keys.c.master_key_id)
        .where(keys.c.wrapped.is_not(None), keys.c.master_key_id.is_not(None))
        .order_by(keys.c.person_id)
    )
    for owner, wrapped, master_id in connection.execution_options(yield_per=BATCH).execute(query):
        if owner in left:
            continue
        key = vault.unwrap(owner, wrapped, master_id)
        writer.record([owner, base64.b64encode(key).decode()])
        count += 1
    writer.record({"end": KEYS_TABLE, "rows": count})
    return count


# Reading


@dataclass
class Opened:
    """What verifying an archive found: counts, the people's ids, the sealed values opened."""

    header: Header
    tables: dict[str, int]
    files: dict[str, int]
    people: list[str]
    sealed_values: int  # sealed values opened with the archive's keys
    files_opened: int  # files opened with them

    @property
    def rows(self) -> int:
        return sum(n for t, n in self.tables.items() if t not in (KEYS_TABLE, INDEX_KEY_TABLE))


def read_header(path: Path) -> Header:
    with open_readable(path) as source:
        return Header.decode(
            sealing.read_raw_header(source, MAGIC, "not a Steward transfer archive")
        )


def verify(path: Path, private_pem: bytes, progress: OnProgress | None = None) -> Opened:
    """Open the archive with the new owner's private key and read all of it: every frame,
    count, and every sealed value of every row and every file opened with the archive's own
    keys. Raises ArchiveUnreadable (or Invalid for a key that is no key)."""
    private = load_private_key(private_pem)
    on_progress = progress or (lambda table, done: None)
    sealed = {h.table.name: h for h in holdings() if h.sealed}
    keys: dict[str, bytes] = {}
    people: list[str] = []
    state: dict[str, Any] = {"opened": 0}
    file_tables = {found.table.name: found for found in disk.file_tables()}
    owners: dict[tuple[str, str], str] = {}  # (kind, file id) -> whose key seals the file
    opener = _FileOpener(keys, owners)

    def table(name: str, columns: list[str], kinds: list[str]) -> None:
        holding = sealed.get(name)
        state.update(name=name, columns=columns, decode=decoder(kinds), done=0)
        state["check"] = (
            [(columns.index(c), f"{name}.{c}") for c in sorted(holding.sealed) if c in columns]
            if holding
            else []
        )
        state["owner"] = columns.index(holding.owner) if holding else None

    def rows(name: str, batch: list[list[Any]]) -> None:
        decoded = [state["decode"](r) for r in batch]
        if name == KEYS_TABLE:
            keys.update((owner, key) for owner, key in decoded)
        elif name == "people":
            people.extend(r[state["columns"].index("id")] for r in decoded)
        for row in decoded:
            state["opened"] += _open_sealed(row, state, keys)
        found = file_tables.get(name)
        if found is not None:
            at = state["columns"].index
            for row in decoded:
                owners[(found.kind, row[at("id")])] = str(row[at(found.owner.name)])
        state["done"] += len(batch)
        on_progress(name, state["done"])

    with open_readable(path) as source:
        raw = sealing.read_raw_header(source, MAGIC, "not a Steward transfer archive")
        header = Header.decode(raw)
        file_key = _open_with(private, header)
        walker = Walker(
            on_table=table,
            on_rows=rows,
            on_file=opener.start,
            on_bytes=opener.write,
            on_file_end=opener.end,
            batch=BATCH,
        )
        try:
            tables = walker.walk(sealing.frames(source, file_key, raw))
        except BackupUnreadable as error:
            raise ArchiveUnreadable(error.message.replace("backup", "archive")) from None
    return Opened(header, tables, walker.files, people, state["opened"], opener.opened)


class _FileOpener:
    """Opens each file of the archive as it streams by, with its owner's key from the
    archive: spooled to a temporary file (a large one is never whole in memory), then read
    as vault.files wrote it, whole or in sealed parts."""

    def __init__(self, keys: dict[str, bytes], owners: dict[tuple[str, str], str]) -> None:
        self.keys, self.owners = keys, owners
        self.opened = 0
        self._spool: IO[bytes] | None = None
        self._kind = self._id = ""

    def start(self, kind: str, file_id: str, size: int) -> None:
        self._kind, self._id = kind, file_id
        spool = tempfile.SpooledTemporaryFile(max_size=8 << 20)  # noqa: SIM115 (closed in end)
        self._spool = cast(IO[bytes], spool)

    def write(self, data: bytes) -> None:
        if self._spool is not None:
            self._spool.write(data)

    def end(self) -> None:
        spool, self._spool = self._spool, None
        if spool is None:
            return
        with spool:
            spool.seek(0)
            owner = self.owners.get((self._kind, self._id))
            key = self.keys.get(owner) if owner is not None else None
            if owner is None or key is None:
                raise ArchiveUnreadable(
                    f"a {self._kind} file in the archive has no row or no key to open it"
                )
            person_key, context = PersonKey(key, owner), f"file:{self._kind}:{self._id}"
            try:
                if spool.read(1) == files.STREAMED:
                    for _ in files.parts(
                        spool, lambda data, part: person_key.open(data, f"{context}:{part}")
                    ):
                        pass
                else:
                    spool.seek(0)
                    person_key.open(spool.read(), context)
            except Unreadable:
                raise ArchiveUnreadable(
                    f"a {self._kind} file does not open with the archive's key"
                ) from None
        self.opened += 1


def _open_sealed(row: list[Any], state: dict[str, Any], keys: dict[str, bytes]) -> int:
    owner_at = state["owner"]
    opened = 0
    for index, context in state["check"]:
        blob = row[index]
        if blob is None:
            continue
        owner = str(row[owner_at])
        key = keys.get(owner)
        if key is None:
            raise ArchiveUnreadable(
                f"a row of {state['name']} is sealed under a key the archive does not hold"
            )
        try:
            PersonKey(key, owner).open(blob, context)
        except Unreadable:
            raise ArchiveUnreadable(
                f"a sealed value of {state['name']} does not open with the archive's key"
            ) from None
        opened += 1
    return opened
