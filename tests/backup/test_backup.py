"""`steward backup create|verify|restore`, run as an operator runs them (X5).

A demo desk fills every table and stores attachments and call recordings; its backup must
restore row for row into an empty database of the same kind, and file for file into an empty
directory, open there with the live data keys, and reveal nothing without the key file.
"""

import hashlib
import json
import stat
import zlib
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from sqlalchemy import func, insert, inspect, select

from steward.backup import sealing
from steward.backup.rows import backed_up_tables
from steward.core import clock
from steward.core.db import make_engine, release
from steward.desk.models import Attachment, CallRecording, Ticket
from steward.identity.models import Person
from steward.vault import files
from steward.vault.keyring import Keyring
from steward.vault.models import DataKey

pytestmark = pytest.mark.promise("X5")


@pytest.fixture
def desk(steward):
    result = steward("demo", "--people", "3")
    assert result.exit_code == 0, result.output


@pytest.fixture
def backup(steward, desk, tmp_path):
    path = tmp_path / "nightly.backup"
    result = steward("backup", "create", str(path))
    assert result.exit_code == 0, result.output
    return path


def every_row(url: str) -> dict[str, list[tuple]]:
    """Each table's rows, raw (sealed columns as stored), in primary-key order."""
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            tables = [*backed_up_tables(), DataKey.__table__]
            return {
                t.name: [
                    tuple(row)
                    for row in connection.execute(select(t).order_by(*t.primary_key.columns))
                ]
                for t in tables
            }
    finally:
        release(engine)


def stored_files(root: Path) -> dict[str, bytes]:
    """Every file under `root` by its path inside it, as it lies on disk (sealed)."""
    return {str(p.relative_to(root)): p.read_bytes() for p in root.rglob("*") if p.is_file()}


def test_a_backup_restores_every_table_row_for_row_and_every_file_with_the_live_data_keys(
    steward, settings, backup, empty_url, open_session, tmp_path
):
    restored_files = tmp_path / "restored-files"
    result = steward(
        "backup", "restore", str(backup), "--into", empty_url, "--files-into", str(restored_files)
    )
    assert result.exit_code == 0, result.output
    before, after = every_row(settings.database_url), every_row(empty_url)
    assert after == before
    filled = [name for name, rows in before.items() if rows]
    assert {"people", "accounts", "tickets", "messages", "audit_entries"} <= set(filled)
    assert f"copied {len(before['data_keys'])} data keys from the key store" in result.stdout
    with open_session(settings.database_url) as live, open_session(empty_url) as restored:
        names = [p.name for p in live.scalars(select(Person).order_by(Person.id))]
        assert [p.name for p in restored.scalars(select(Person).order_by(Person.id))] == names
    assert all(isinstance(name, str) and name != "[erased]" for name in names)  # opened

    live_files = stored_files(settings.files_dir)
    assert {p.split("/")[0] for p in live_files} == {"attachments", "recordings"}
    assert stored_files(restored_files) == live_files
    assert f"wrote {len(live_files)} files into {restored_files}" in result.stdout
    with open_session(empty_url) as restored:
        for attachment in restored.scalars(select(Attachment)):
            data = files.load(
                restored, restored_files, "attachments", attachment.id, attachment.owner_id
            )
            assert len(data) == attachment.size
        for recording in restored.scalars(select(CallRecording)):
            data = files.load(
                restored, restored_files, "recordings", recording.id, recording.owner_id
            )
            assert len(data) == recording.size


def test_the_restored_database_takes_new_rows(steward, settings, backup, empty_url, tmp_path):
    """Serial ids carry on after the restored ones (PostgreSQL sequences are moved)."""
    into = ("--into", empty_url, "--files-into", str(tmp_path / "restored-files"))
    assert steward("backup", "restore", str(backup), *into).exit_code == 0
    engine = make_engine(empty_url)
    try:
        with engine.begin() as connection:
            highest = connection.scalar(select(func.max(Ticket.id)))
            requester = connection.scalar(select(Person.id).limit(1))
            now = clock.now()
            new_id = connection.execute(
                insert(Ticket.__table__).returning(Ticket.__table__.c.id),
                {
                    "requester_id": requester,
                    "channel": "web",
                    "status": "new",
                    "priority": "normal",
                    "subject": b"\x01sealed elsewhere",
                    "created_at": now,
                    "updated_at": now,
                    "last_activity_at": now,
                },
            ).scalar_one()
        assert new_id > highest
        assert "alembic_version" in inspect(engine).get_table_names()
    finally:
        release(engine)


def test_the_backup_file_holds_no_data_key_and_reveals_nothing_without_the_key_file(
    settings, backup
):
    raw = backup.read_bytes()
    assert stat.S_IMODE(backup.stat().st_mode) == 0o600
    rows = every_row(settings.database_url)
    for key in rows["data_keys"]:
        assert key[0].encode() not in raw  # not even the ids of the people
        assert key[1] not in raw  # nor a wrapped key
    for table in ("people", "audit_entries", "tickets"):
        assert table.encode() not in raw
    assert b"customer" not in raw  # clear columns are encrypted too
    for sealed_file in stored_files(settings.files_dir).values():
        assert sealed_file[20:80] not in raw  # files too, though sealed already


def test_verify_lists_the_tables_and_catches_damage(steward, backup, tmp_path):
    result = steward("backup", "verify", str(backup))
    assert result.exit_code == 0, result.output
    assert f"backup intact: {len(backed_up_tables())} tables" in result.stdout
    assert "  people: " in result.stdout
    assert "data_keys" not in result.stdout
    assert "  files attachments: " in result.stdout and "  files recordings: " in result.stdout

    raw = bytearray(backup.read_bytes())
    raw[len(raw) // 2] ^= 0x01
    altered = tmp_path / "altered.backup"
    altered.write_bytes(bytes(raw))
    result = steward("backup", "verify", str(altered))
    assert result.exit_code == 1
    assert "of the backup was altered or is damaged" in result.stderr

    cut = tmp_path / "cut.backup"
    cut.write_bytes(backup.read_bytes()[:-100])
    result = steward("backup", "verify", str(cut))
    assert result.exit_code == 1
    assert "cut short" in result.stderr

    result = steward("backup", "verify", str(tmp_path / "policy.yaml"))
    assert result.exit_code == 1
    assert result.stderr == "error: not a Steward backup file\n"

    result = steward("backup", "verify", str(tmp_path / "missing.backup"))
    assert result.exit_code == 1
    assert result.stderr.startswith("error: cannot read ")


def test_a_backup_opens_only_with_the_key_file_that_made_it(steward, backup, tmp_path):
    other = tmp_path / "other.key"
    Keyring.generate().save(other)
    result = steward("backup", "verify", str(backup), key_file=other)
    assert result.exit_code == 1
    assert "this backup was made with another key file" in result.stderr
    assert "Traceback" not in result.output


def test_a_backup_still_opens_after_the_master_key_is_rotated(steward, backup):
    assert steward("keys", "rotate").exit_code == 0
    result = steward("backup", "verify", str(backup))
    assert result.exit_code == 0, result.output


def test_restore_refuses_a_database_that_is_not_empty(steward, settings, backup, tmp_path):
    before = every_row(settings.database_url)
    empty_dir = ("--files-into", str(tmp_path / "restored-files"))
    result = steward("backup", "restore", str(backup), *empty_dir)  # into the live database
    assert result.exit_code == 1
    assert result.stderr.startswith("error: the target database is not empty (table ")
    assert "restore into a new, empty database" in result.stderr
    assert every_row(settings.database_url) == before
    assert not (tmp_path / "restored-files").exists()


def test_restore_refuses_a_files_directory_that_is_not_empty(steward, settings, backup, empty_url):
    before = stored_files(settings.files_dir)
    result = steward("backup", "restore", str(backup), "--into", empty_url)  # the live files
    assert result.exit_code == 1
    assert result.stderr == (
        f"error: the target files directory {settings.files_dir} is not empty: restore the "
        "files into a new, empty directory (--files-into)\n"
    )
    assert stored_files(settings.files_dir) == before
    engine = make_engine(empty_url)
    try:
        assert inspect(engine).get_table_names() == []  # refused before anything was done
    finally:
        release(engine)


def test_a_backup_of_the_first_format_without_files_still_reads(steward, keyring, tmp_path):
    """Backups written before files went in (format 1: every part compressed records)."""
    made_by = sealing.key_id(keyring)
    header = sealing.Header("2030-01-01T00:00:00+00:00", "0015", "sqlite", made_by, b"\0" * 16, 1)
    raw = header.encode()
    aead = AESGCM(sealing._derive(keyring, header.salt, b"steward backup v1"))
    clear = zlib.compress(json.dumps({"done": {}}).encode() + b"\n")
    associated = sealing._associated(hashlib.sha256(raw).digest(), 0, True)
    sealed = aead.encrypt(sealing._nonce(0), clear, associated)
    old = tmp_path / "old.backup"
    old.write_bytes(
        sealing.MAGIC + len(raw).to_bytes(4, "big") + raw + len(sealed).to_bytes(4, "big") + sealed
    )
    result = steward("backup", "verify", str(old))
    assert result.exit_code == 0, result.output
    assert "backup intact: 0 tables, 0 rows, 0 files" in result.stdout
