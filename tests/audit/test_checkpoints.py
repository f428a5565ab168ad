"""Signed checkpoints: `steward audit checkpoint` links what is pending, signs the verified
head and appends it to the copy kept outside the database; verify starts after the newest
valid one; the worker signs one every 15 minutes and the daily digest carries the newest."""

import json

import pytest
from sqlalchemy import select, update

from steward.audit.chain import checkpoint_message, public_key, signature_holds
from steward.audit.models import CHECKPOINTS, ENTRIES
from steward.audit.service import verify, write_checkpoint
from steward.jobs.schedule import SCHEDULE
from tests.audit.conftest import PERSON, append, as_attacker, linked

pytestmark = pytest.mark.promise("X3")


def test_a_checkpoint_signs_the_head_and_verify_starts_after_it(trail, steward_audit):
    signed = steward_audit("checkpoint")
    assert signed.exit_code == 0, signed.output
    assert signed.stdout.startswith("checkpoint 1 signed at seq 10, link ")
    append(trail, 5)
    result = steward_audit("verify")
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[0].startswith("audit trail intact: 15 entries, head ")
    assert "checked 5 entries after the signed checkpoint at seq 10" in result.stdout
    everything = steward_audit("verify", "--from-start")
    assert everything.exit_code == 0, everything.output
    assert "checked" not in everything.stdout


def test_each_checkpoint_is_appended_outside_the_database_without_personal_data(
    trail, keyring, settings, steward_audit
):
    assert steward_audit("checkpoint").exit_code == 0
    append(trail, 2)
    assert steward_audit("checkpoint").exit_code == 0
    lines = [json.loads(line) for line in settings.audit_checkpoints_file.read_text().splitlines()]
    assert settings.audit_checkpoints_file.parent == settings.key_file.parent
    assert [line["seq"] for line in lines] == [10, 12]
    assert all(set(line) == {"seq", "link", "at", "signature"} for line in lines)
    assert PERSON not in settings.audit_checkpoints_file.read_text()
    with trail() as session:
        rows = session.execute(select(CHECKPOINTS).order_by(CHECKPOINTS.c.id)).all()
    assert [(r.seq, r.link, r.signature) for r in rows] == [
        (line["seq"], line["link"], line["signature"]) for line in lines
    ]
    key = public_key(keyring.signing_key)
    assert all(
        signature_holds(key, checkpoint_message(r.seq, r.link, r.at), r.signature) for r in rows
    )


def test_the_worker_signs_a_checkpoint_every_15_minutes():
    assert SCHEDULE["audit.checkpoint"].trigger.interval.total_seconds() == 15 * 60


def test_checkpoint_refuses_to_sign_a_broken_trail(engine, trail, steward_audit):
    with as_attacker(engine) as connection:
        connection.execute(update(ENTRIES).where(ENTRIES.c.id == 2).values(action="write"))
    result = steward_audit("checkpoint")
    assert result.exit_code == 1
    assert result.stderr.startswith(
        "error: not signing: audit trail broken at seq 2: changed (entry 2 was edited"
    )
    with engine.connect() as connection:
        assert connection.execute(select(CHECKPOINTS)).all() == []


def test_checkpoint_of_an_empty_trail_says_there_is_nothing_to_sign(sessions, steward_audit):
    result = steward_audit("checkpoint")
    assert result.exit_code == 1
    assert result.stderr == "error: the audit trail is empty: there is nothing to sign yet\n"


def test_verify_without_a_key_file_says_what_to_do(sessions, steward_audit, settings):
    settings.key_file.unlink()
    result = steward_audit("verify")
    assert result.exit_code == 1
    assert result.stderr == f"error: {settings.key_file} does not exist; run `steward init`\n"


def test_from_start_finds_an_edit_behind_the_newest_checkpoint(
    engine, trail, keyring, steward_audit
):
    write_checkpoint(trail, keyring.signing_key)
    with as_attacker(engine) as connection:
        connection.execute(update(ENTRIES).where(ENTRIES.c.id == 4).values(outcome="refused"))
    quick = steward_audit("verify")  # trusts the signed head, checks what came after it
    assert quick.exit_code == 0
    assert "checked 0 entries after the signed checkpoint at seq 10" in quick.stdout
    broken = steward_audit("verify", "--from-start")
    assert broken.exit_code == 1
    assert broken.stderr.startswith("audit trail broken at seq 4: changed (")


def test_verify_reads_in_batches_and_reports_progress(trail, keyring):
    seen: list[tuple[int, int]] = []
    with trail() as session:
        result = verify(
            session,
            keyring.signing_key,
            progress=lambda done, total: seen.append((done, total)),
            batch=4,
        )
    assert result.intact and result.checked == 10
    assert seen == [(4, 10), (8, 10), (10, 10)]


def test_entries_written_by_several_transactions_are_linked_once(trail, keyring):
    append(trail, 3)
    assert linked(trail, keyring) == 3
    assert linked(trail, keyring) == 0


def test_both_commands_have_help(sessions, steward_audit):
    for command in ("verify", "checkpoint"):
        result = steward_audit(command, "--help")
        assert result.exit_code == 0
        assert "Usage:" in result.stdout
