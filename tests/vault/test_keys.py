"""Data keys: sealed values open only for their owner and place; rotation and shredding."""

import shutil

import pytest
from sqlalchemy import event, select

from steward.cli import app
from steward.core.db import make_engine, make_sessionmaker, release, transaction
from steward.core.ids import new_id
from steward.vault.crypto import Unreadable
from steward.vault.keyring import Keyring
from steward.vault.models import DataKey
from steward.vault.service import ERASED, Vault


@pytest.fixture
def sessions(engine):
    return make_sessionmaker(engine)


def seal_for_people(sessions, vault, count):
    sealed = {}
    with transaction(sessions) as session:
        for n in range(count):
            person = new_id()
            sealed[person] = vault.seal(session, person, "people.email", f"person{n}@example.com")
    return sealed


def open_all(sessions, vault, sealed):
    with sessions() as session:
        return {p: vault.open(session, p, "people.email", blob) for p, blob in sealed.items()}


def test_a_value_opens_only_for_its_owner_and_column(sessions, keyring):
    vault = Vault(keyring)
    alice, bob = new_id(), new_id()
    with transaction(sessions) as session:
        blob = vault.seal(session, alice, "people.email", "alice@example.com")
        vault.seal(session, bob, "people.email", "bob@example.com")
    with sessions() as session:
        assert vault.open(session, alice, "people.email", blob) == "alice@example.com"
        with pytest.raises(Unreadable):
            vault.open(session, alice, "people.phone", blob)  # moved to another column
    with sessions() as session, pytest.raises(Unreadable):
        vault.open(session, bob, "people.email", blob)  # moved to another person's row


def test_shredding_a_key_erases_the_value_in_the_database_and_in_earlier_copies(
    sessions, keyring, engine, tmp_path, database_url
):
    vault = Vault(keyring)
    sealed = seal_for_people(sessions, vault, 3)
    victim, *others = sealed
    with transaction(sessions) as session:
        vault.shred(session, victim)
    readable = open_all(sessions, Vault(keyring), sealed)
    assert readable[victim] == ERASED
    assert all(readable[p].endswith("@example.com") for p in others)
    with sessions() as session:
        row = session.get(DataKey, victim)
        assert row is not None and row.wrapped is None and row.shredded_at is not None


def test_a_copy_of_the_database_taken_before_shredding_is_unreadable_with_live_keys(
    keyring, tmp_path
):
    """Backups never carry a key of their own: they open with the live key table, so a key
    destroyed today erases the person from every earlier copy too."""
    live = make_engine(f"sqlite:///{tmp_path / 'live.db'}")
    from steward.core.db import upgrade

    upgrade(live)
    sessions = make_sessionmaker(live)
    vault = Vault(keyring)
    sealed = seal_for_people(sessions, vault, 2)
    victim = next(iter(sealed))
    release(live)
    shutil.copyfile(tmp_path / "live.db", tmp_path / "backup.db")  # a backup, taken before
    with transaction(sessions) as session:
        vault.shred(session, victim)
    with sessions() as session:
        assert vault.open(session, victim, "people.email", sealed[victim]) == ERASED
    release(live)


def test_rotation_rewraps_every_key_and_keeps_every_value_readable(
    sessions, keyring, settings, cli, monkeypatch
):
    vault = Vault(keyring)
    sealed = seal_for_people(sessions, vault, 25)
    before = open_all(sessions, vault, sealed)
    result = rotate(cli, monkeypatch, settings, "--batch", "7")
    assert result.exit_code == 0, result.output
    rotated = Keyring.load(settings.key_file)
    assert len(rotated.master_keys) == 1
    assert rotated.master_keys[0] != keyring.master_keys[0]
    assert rotated.index_key == keyring.index_key  # blind indexes stay valid
    assert open_all(sessions, Vault(rotated), sealed) == before
    with sessions() as session:
        ids = set(session.scalars(select(DataKey.master_key_id)))
    assert ids == {rotated.current_id}


def test_an_interrupted_rotation_finishes_when_run_again(
    sessions, keyring, settings, cli, monkeypatch
):
    vault = Vault(keyring)
    sealed = seal_for_people(sessions, vault, 10)
    before = open_all(sessions, vault, sealed)
    # What a rotation killed after its first batch leaves behind:
    halfway = keyring.with_new_master()
    halfway.save(settings.key_file)
    with transaction(sessions) as session:
        assert Vault(halfway).rewrap_batch(session, 4) == 4
    result = rotate(cli, monkeypatch, settings)
    assert result.exit_code == 0, result.output
    assert "resuming" in result.stdout
    finished = Keyring.load(settings.key_file)
    assert finished.master_keys == halfway.master_keys[:1]
    assert open_all(sessions, Vault(finished), sealed) == before


def test_rotation_without_a_key_file_says_so(cli, monkeypatch, settings):
    settings.key_file.unlink()
    result = rotate(cli, monkeypatch, settings)
    assert result.exit_code == 1
    assert "does not exist; run `steward init`" in result.stderr


def rotate(cli, monkeypatch, settings, *args):
    from steward.core.settings import get_settings

    monkeypatch.setenv("STEWARD_DATABASE_URL", settings.database_url)
    monkeypatch.setenv("STEWARD_KEY_FILE", str(settings.key_file))
    get_settings.cache_clear()
    try:
        return cli.invoke(app, ["keys", "rotate", *args])
    finally:
        get_settings.cache_clear()


def test_blind_indexes_match_however_the_address_is_written(keyring):
    vault = Vault(keyring)
    assert vault.blind_index("email", " Alice@Example.COM ") == vault.blind_index(
        "email", "alice@example.com"
    )
    assert vault.blind_index("email", "alice@example.com") != vault.blind_index(
        "phone", "alice@example.com"
    )
    assert "alice" not in vault.blind_index("email", "alice@example.com")


def test_a_session_unwraps_each_key_once(sessions, keyring, engine):
    vault = Vault(keyring)
    sealed = seal_for_people(sessions, vault, 1)
    ((person, blob),) = sealed.items()
    statements = []

    def count(conn, cursor, statement, *args):
        if "data_keys" in statement:
            statements.append(statement)

    event.listen(engine, "before_cursor_execute", count)
    try:
        with sessions() as session:
            for _ in range(5):
                vault.open(session, person, "people.email", blob)
    finally:
        event.remove(engine, "before_cursor_execute", count)
    assert len(statements) == 1
