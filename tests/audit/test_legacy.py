"""An installation upgraded from the unkeyed trail keeps it: migration 0016 queues the old
entries, and the first sequencer run with the key file checks their old chain (hashes, head,
signed checkpoints) before it MACs and links them; a broken old chain is linked nowhere."""

from datetime import UTC, datetime

import pytest
from sqlalchemy import Engine, text

from steward.audit.chain import ZERO, legacy_checkpoint_message, legacy_hash, signer
from steward.audit.service import record, verify
from steward.core.db import downgrade, transaction, upgrade
from tests.audit.conftest import AGENT, PERSON, linked

pytestmark = pytest.mark.promise("X3")

AT = datetime(2025, 6, 1, 12, 0, tzinfo=UTC)


def write_old_trail(engine: Engine, seed: bytes, n: int, break_at: int | None = None) -> None:
    """The trail as Steward wrote it before 0016: seq, prev_hash, hash, a head, a checkpoint."""
    downgrade(engine, "0015")
    previous = ZERO
    with engine.begin() as connection:
        for seq in range(1, n + 1):
            row = {
                "seq": seq,
                "at": AT,
                "actor": AGENT.label,
                "actor_role": "agent",
                "action": "read",
                "purpose": "essential.service",
                "person_id": PERSON,
                "categories": "[]",
                "columns": '["people.email"]',
                "outcome": "allowed",
                "request_id": None,
                "prev_hash": previous,
            }
            row["hash"] = legacy_hash(row, seq, previous)
            if seq == break_at:
                row["outcome"] = "refused"  # edited after it was hashed
            connection.execute(
                text(
                    "INSERT INTO audit_entries VALUES (:seq, :at, :actor, :actor_role, :action, "
                    ":purpose, :person_id, :categories, :columns, :outcome, :request_id, "
                    ":prev_hash, :hash)"
                ),
                row,
            )
            previous = row["hash"]
        connection.execute(
            text("UPDATE audit_head SET seq = :n, hash = :h"), {"n": n, "h": previous}
        )
        signature = signer(seed).sign(legacy_checkpoint_message(n, previous, AT)).hex()
        connection.execute(
            text(
                "INSERT INTO audit_checkpoints (seq, head_hash, signature, at) VALUES (:s, :h, :g, :a)"
            ),
            {"s": n, "h": previous, "g": signature, "a": AT},
        )
    upgrade(engine)


def test_the_old_trail_is_checked_then_linked_before_new_entries(engine, sessions, keyring):
    write_old_trail(engine, keyring.signing_key, 5)
    with transaction(sessions) as session:  # written after the upgrade, before any linking
        record(session, AGENT, "write", person_id=PERSON)
    assert linked(sessions, keyring) == 6
    with sessions() as session:
        chain = session.execute(text("SELECT seq, entry_id FROM audit_chain ORDER BY seq")).all()
        result = verify(session, keyring.signing_key, from_start=True)
    assert [tuple(r) for r in chain] == [(s, s) for s in range(1, 7)]
    assert result.intact, result.problem


def test_a_broken_old_trail_is_linked_nowhere_and_verify_says_so(engine, sessions, keyring):
    write_old_trail(engine, keyring.signing_key, 5, break_at=3)
    assert linked(sessions, keyring) == 0
    with sessions() as session:
        result = verify(session, keyring.signing_key)
    assert result.problem is not None and result.problem.kind == "changed"
    assert "of before migration 0016 waits" in result.problem.detail
