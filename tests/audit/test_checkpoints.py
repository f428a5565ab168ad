"""Signed checkpoints: `steward audit checkpoint` signs the verified head; verify starts
after the newest valid one and reports any that was altered or no longer matches."""

import pytest
from sqlalchemy import delete, select, update

from steward.audit.chain import entry_hash
from steward.audit.models import CHECKPOINTS, ENTRIES, HEAD
from steward.audit.service import write_checkpoint
from steward.vault.keyring import Keyring
from tests.audit.conftest import append, as_attacker

pytestmark = pytest.mark.promise("X3")


def test_a_checkpoint_signs_the_head_and_verify_starts_after_it(trail, steward_audit):
    signed = steward_audit("checkpoint")
    assert signed.exit_code == 0, signed.output
    assert signed.stdout.startswith("checkpoint 1 signed at entry 10, head ")
    append(trail, 5)
    result = steward_audit("verify")
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[0].startswith("audit trail intact: 15 entries, head ")
    assert "checked 5 entries after the signed checkpoint at entry 10" in result.stdout
    everything = steward_audit("verify", "--from-start")
    assert everything.exit_code == 0, everything.output
    assert "checked" not in everything.stdout


def test_a_checkpoint_verifies_with_the_public_key_alone(trail, keyring: Keyring):
    from steward.audit.chain import public_key
    from steward.audit.service import verify

    write_checkpoint(trail, keyring.signing_key)
    with trail() as session:
        result = verify(session, public_key(keyring.signing_key))
    assert result.intact and result.from_checkpoint == 10


@pytest.mark.parametrize("column, value", [("head_hash", "ab" * 32), ("seq", 3)])
def test_a_tampered_checkpoint_is_reported(engine, trail, keyring, steward_audit, column, value):
    write_checkpoint(trail, keyring.signing_key)
    with as_attacker(engine) as connection:
        connection.execute(update(CHECKPOINTS).values({column: value}))
    result = steward_audit("verify")
    assert result.exit_code == 1
    seq = value if column == "seq" else 10
    assert result.stderr == (
        f"audit trail broken at entry {seq}: checkpoint (checkpoint 1 is altered or forged: "
        "its signature does not hold)\n"
    )


def test_a_checkpoint_signed_with_another_key_is_reported(trail, steward_audit):
    write_checkpoint(trail, Keyring.generate().signing_key)
    result = steward_audit("verify")
    assert result.exit_code == 1
    assert "checkpoint 1 is altered or forged" in result.stderr


def test_rewriting_the_trail_with_recomputed_hashes_is_caught_by_the_checkpoint(
    engine, trail, keyring, steward_audit
):
    write_checkpoint(trail, keyring.signing_key)
    with as_attacker(engine) as connection:
        rows = [dict(r._mapping) for r in connection.execute(select(ENTRIES).order_by("seq"))]
        prev = rows[2]["hash"]
        for row in rows[3:]:  # change entry 4, then re-chain everything after it
            row["prev_hash"] = prev
            row["actor"] = "someone-else" if row["seq"] == 4 else row["actor"]
            row["hash"] = prev = entry_hash(row)
            connection.execute(update(ENTRIES).where(ENTRIES.c.seq == row["seq"]).values(row))
        connection.execute(update(HEAD).values(hash=prev))
    result = steward_audit("verify")
    assert result.exit_code == 1
    assert result.stderr.startswith(
        "audit trail broken at entry 10: changed (it no longer matches signed checkpoint 1"
    )


def test_removing_signed_entries_from_the_end_is_caught_by_the_checkpoint(
    engine, trail, keyring, steward_audit
):
    write_checkpoint(trail, keyring.signing_key)
    with as_attacker(engine) as connection:
        connection.execute(delete(ENTRIES).where(ENTRIES.c.seq > 8))
        hash_8 = connection.execute(select(ENTRIES.c.hash).where(ENTRIES.c.seq == 8)).scalar()
        connection.execute(update(HEAD).values(seq=8, hash=hash_8))
    result = steward_audit("verify")
    assert result.exit_code == 1
    assert result.stderr.startswith("audit trail broken at entry 9: removed (checkpoint 1 signed")


def test_checkpoint_refuses_to_sign_a_broken_trail(engine, trail, steward_audit):
    with as_attacker(engine) as connection:
        connection.execute(update(ENTRIES).where(ENTRIES.c.seq == 2).values(action="write"))
    result = steward_audit("checkpoint")
    assert result.exit_code == 1
    assert result.stderr == (
        "error: not signing: audit trail broken at entry 2: changed (its contents no longer "
        "match its hash)\n"
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


def test_from_start_finds_tampering_behind_the_newest_checkpoint(
    engine, trail, keyring, steward_audit
):
    write_checkpoint(trail, keyring.signing_key)
    with as_attacker(engine) as connection:
        connection.execute(update(ENTRIES).where(ENTRIES.c.seq == 4).values(outcome="refused"))
    quick = steward_audit("verify")  # trusts the signed head, checks what came after it
    assert quick.exit_code == 0
    assert "checked 0 entries after the signed checkpoint at entry 10" in quick.stdout
    broken = steward_audit("verify", "--from-start")
    assert broken.exit_code == 1
    assert broken.stderr.startswith("audit trail broken at entry 4: changed (")


def test_verify_reads_in_batches_and_reports_progress(trail):
    from steward.audit.service import verify

    seen: list[tuple[int, int]] = []
    with trail() as session:
        result = verify(
            session, b"\x01" * 32, lambda done, total: seen.append((done, total)), batch=4
        )
    assert result.intact and result.checked == 10
    assert seen == [(4, 10), (8, 10), (10, 10)]


def test_both_commands_have_help(sessions, steward_audit):
    for command in ("verify", "checkpoint"):
        result = steward_audit(command, "--help")
        assert result.exit_code == 0
        assert "Usage:" in result.stdout
