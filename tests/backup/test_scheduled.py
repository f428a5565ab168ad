"""Backups the worker takes, and its weekly restore test, as the operator and the privacy
officer see them (X5): a backup in its slot, the newest generations kept but never the
newest that passed a restore test, each test's result on /dpo and in the daily digest, a
failed one as a warning."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import delete, select, text

from steward.backup.models import RestoreTest
from steward.backup.rows import backed_up_tables
from steward.core import clock
from steward.core.db import downgrade, make_engine, release
from steward.desk.models import CallRecording
from steward.vault.models import DataKey

pytestmark = pytest.mark.promise("X5")

SUNDAY = datetime(2031, 3, 9, 4, 50, 10, tzinfo=UTC)


def generations(settings) -> list[str]:
    """The backup directory's files, by name; nothing else is left there."""
    return (
        sorted(p.name for p in settings.backup_dir.iterdir())
        if settings.backup_dir.exists()
        else []
    )


def restore_tests(settings) -> list[RestoreTest]:
    engine = make_engine(settings.database_url)
    try:
        with engine.connect() as connection:
            query = select(RestoreTest).order_by(RestoreTest.started_at)
            return [RestoreTest(**row._mapping) for row in connection.execute(query)]
    finally:
        release(engine)


def scratch_databases(settings) -> list[str]:
    if not settings.database_url.startswith("postgresql"):
        return []
    engine = make_engine(settings.database_url)
    try:
        with engine.connect() as connection:
            query = "SELECT datname FROM pg_database WHERE datname LIKE 'steward_restore_test_%'"
            return list(connection.scalars(text(query)))
    finally:
        release(engine)


def test_the_worker_backs_up_in_its_slot_and_restore_tests_the_newest_on_sunday(
    steward, settings, tmp_path
):
    assert steward("demo", "--people", "2").exit_code == 0
    stored = sum(1 for p in settings.files_dir.rglob("*") if p.is_file())
    before_slot = {"STEWARD_BACKUP_SCHEDULE": "55 4 * * *"}  # just before the test's 05:00
    with clock.frozen_at(SUNDAY):
        assert steward("worker", "--once", env=before_slot).exit_code == 0
        assert generations(settings) == []
        clock.advance(timedelta(minutes=10))  # 05:00:10
        result = steward("worker", "--once", env=before_slot)
    assert result.exit_code == 0 and " 0 failed" in result.stdout, result.output
    assert generations(settings) == ["steward-20310309T050010Z.backup"]
    [tested] = restore_tests(settings)
    assert (tested.passed, tested.problem, tested.source) == (True, None, "worker")
    assert tested.backup == "steward-20310309T050010Z.backup"
    assert tested.tables == len(backed_up_tables()) and tested.rows > 100
    assert tested.files == stored > 0 and tested.values_opened > 20
    assert scratch_databases(settings) == []  # dropped again


def test_the_newest_generations_are_kept_and_never_the_newest_good_one(steward, settings):
    keep_two = {"STEWARD_BACKUP_KEEP": "2"}
    made = []
    for day in range(4):
        with clock.frozen_at(SUNDAY + timedelta(days=day)):
            result = steward("backup", "create", env=keep_two)
            assert result.exit_code == 0, result.output
            made.append(result.stdout.split()[1].removesuffix(":"))
            if day == 0:
                tested = steward("backup", "test")
                assert tested.exit_code == 0, tested.output
                assert tested.stdout.startswith(f"restore test passed: {made[0].split('/')[-1]}")
    names = [name.split("/")[-1] for name in made]
    assert generations(settings) == sorted([names[0], names[2], names[3]])
    assert f"deleted the older {made[1]}" in result.stdout


def test_a_backup_is_taken_before_an_upgrade_of_the_schema(steward, settings):
    engine = make_engine(settings.database_url)
    try:
        downgrade(engine, "0016")  # the schema of the Steward before restore tests
    finally:
        release(engine)
    result = steward("backup", "create")
    assert result.exit_code == 0, result.output
    assert "at schema 0016" in result.stdout
    assert len(generations(settings)) == 1


def test_each_restore_test_shows_on_dpo_and_a_failed_one_warns_there_and_in_the_digest(
    steward, settings, team, mailbox
):
    officer = team["privacy_officer"]
    mail = {"STEWARD_SMTP_URL": f"smtp://127.0.0.1:{mailbox.port}"}
    assert "No restore test has run yet" in officer.get("/dpo").text

    assert steward("backup", "create").exit_code == 0
    assert steward("backup", "test").exit_code == 0
    page = officer.get("/dpo").text
    assert "Last restore test: passed, backup steward-" in page and "failed" not in page
    digest = steward("rights", "digest", env=mail)
    assert digest.stdout == "digest mailed to 0 addresses\n"  # nothing open, nothing wrong

    [newest] = settings.backup_dir.iterdir()
    damaged = bytearray(newest.read_bytes())
    damaged[len(damaged) // 2] ^= 0x01
    newest.write_bytes(bytes(damaged))
    failed = steward("backup", "test")
    assert failed.exit_code == 1
    assert failed.stderr == (
        "error: restore test failed: part 1 of the backup was altered or is damaged\n"
    )
    page = officer.get("/dpo").text
    assert "The last restore test failed: part 1 of the backup was altered or is damaged." in page
    assert "Last restore test: FAILED" in page
    assert steward("rights", "digest", env=mail).exit_code == 0
    sent = [m for m in mailbox.messages if "backup warning" in m["Subject"]]
    assert "privacy_officer@example.com" in {m["To"] for m in sent}
    for message in sent:
        body = message.get_payload(decode=True).decode()
        assert "No rights request is open." in body
        assert "WARNING: The last restore test failed: part 1 of the backup" in body


def test_a_restore_test_fails_when_the_live_keys_no_longer_open_the_backup(steward, settings):
    """A backup is only as good as the key store beside it: a data key lost from the live
    store (not destroyed by an erasure) leaves that person's values and files unopenable."""
    assert steward("demo", "--people", "2").exit_code == 0
    assert steward("backup", "create").exit_code == 0
    engine = make_engine(settings.database_url)
    try:
        with engine.begin() as connection:
            owner = connection.scalar(select(CallRecording.owner_id).limit(1))
            connection.execute(delete(DataKey).where(DataKey.person_id == owner))
    finally:
        release(engine)
    result = steward("backup", "test")
    assert result.exit_code == 1, (owner, result.output)
    assert "sealed values do not open (tables " in result.stderr and " people," in result.stderr
    assert "1 recordings files do not open" in result.stderr
    [tested] = restore_tests(settings)
    assert not tested.passed and tested.problem == result.stderr.removeprefix(
        "error: restore test failed: "
    ).rstrip("\n")
