"""`steward audit verify` finds tampering and names the first entry it touched.

On PostgreSQL the database itself refuses to change history; the attacker here has the
owner's rights and switches the triggers off first (see `as_attacker`).
"""

import pytest
from sqlalchemy import Connection, delete, insert, select, text, update
from sqlalchemy.exc import DBAPIError

from steward.audit.chain import entry_hash
from steward.audit.models import ENTRIES, HEAD
from steward.audit.service import write_checkpoint
from tests.audit.conftest import as_attacker

pytestmark = pytest.mark.promise("X3")


def fields(connection: Connection, seq: int) -> dict:
    row = connection.execute(select(ENTRIES).where(ENTRIES.c.seq == seq)).one()
    return dict(row._mapping)


def move(connection: Connection, seq: int, to: int) -> None:
    connection.execute(update(ENTRIES).where(ENTRIES.c.seq == seq).values(seq=to))


def broken_at(result, seq: int, kind: str) -> None:
    assert result.exit_code == 1, result.output
    assert result.stdout == ""
    assert result.stderr.startswith(f"audit trail broken at entry {seq}: {kind} ("), result.stderr


def test_verify_passes_and_exits_0_on_an_intact_trail(trail, steward_audit):
    result = steward_audit("verify")
    assert result.exit_code == 0, result.output
    with trail() as session:
        head = session.execute(select(HEAD.c.hash)).scalar_one()
    assert result.stdout == f"audit trail intact: 10 entries, head {head}\n"


def test_verify_passes_on_an_empty_trail(sessions, steward_audit):
    result = steward_audit("verify")
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("audit trail intact: 0 entries, head 0000")


def test_postgresql_refuses_to_update_delete_or_truncate_entries(engine, trail):
    if engine.dialect.name != "postgresql":
        pytest.skip("the append-only triggers exist on PostgreSQL only")
    write_checkpoint(trail, b"\x01" * 32)
    for statement in (
        "UPDATE audit_entries SET actor = 'someone' WHERE seq = 3",
        "DELETE FROM audit_entries WHERE seq = 3",
        "TRUNCATE audit_entries",
        "UPDATE audit_checkpoints SET seq = 1",
        "DELETE FROM audit_checkpoints",
        "TRUNCATE audit_checkpoints",
    ):
        with pytest.raises(DBAPIError, match="append-only"), engine.begin() as connection:
            connection.execute(text(statement))
    with engine.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM audit_entries")).scalar() == 10


def test_editing_one_column_of_an_entry_makes_verify_name_it(engine, trail, steward_audit):
    with as_attacker(engine) as connection:
        connection.execute(update(ENTRIES).where(ENTRIES.c.seq == 4).values(purpose="marketing"))
    broken_at(steward_audit("verify"), 4, "changed")


def test_editing_the_link_of_an_entry_says_so(engine, trail, steward_audit):
    with as_attacker(engine) as connection:
        connection.execute(update(ENTRIES).where(ENTRIES.c.seq == 6).values(prev_hash="ab" * 32))
    result = steward_audit("verify")
    broken_at(result, 6, "changed")
    assert "prev_hash was edited" in result.stderr


def test_rewriting_an_entry_with_a_recomputed_hash_names_it(engine, trail, steward_audit):
    with as_attacker(engine) as connection:
        forged = fields(connection, 5) | {"actor": "someone-else"}
        new_hash = entry_hash(forged)
        connection.execute(
            update(ENTRIES).where(ENTRIES.c.seq == 5).values(actor="someone-else", hash=new_hash)
        )
    broken_at(steward_audit("verify"), 5, "changed")


def test_deleting_an_entry_makes_verify_name_it(engine, trail, steward_audit):
    with as_attacker(engine) as connection:
        connection.execute(delete(ENTRIES).where(ENTRIES.c.seq == 7))
    result = steward_audit("verify")
    broken_at(result, 7, "removed")
    assert "entry 7 missing before entry 8" in result.stderr


def test_deleting_the_newest_entries_is_noticed_through_the_head(engine, trail, steward_audit):
    with as_attacker(engine) as connection:
        connection.execute(delete(ENTRIES).where(ENTRIES.c.seq >= 9))
    result = steward_audit("verify")
    broken_at(result, 9, "removed")
    assert "entries 9-10 are missing from the end" in result.stderr


def test_deleting_an_entry_and_renumbering_the_rest_is_reported_as_removed(
    engine, trail, steward_audit
):
    with as_attacker(engine) as connection:
        connection.execute(delete(ENTRIES).where(ENTRIES.c.seq == 5))
        for seq in range(6, 11):
            move(connection, seq, seq - 1)
        connection.execute(update(HEAD).values(seq=9))
    broken_at(steward_audit("verify"), 5, "removed")


@pytest.mark.parametrize("first, second", [(3, 7), (4, 5), (9, 10)])
def test_swapping_two_entries_makes_verify_report_a_reorder(
    engine, trail, steward_audit, first, second
):
    with as_attacker(engine) as connection:
        a, b = fields(connection, first), fields(connection, second)
        for seq, other in ((first, b), (second, a)):
            values = {k: v for k, v in other.items() if k != "seq"}
            connection.execute(update(ENTRIES).where(ENTRIES.c.seq == seq).values(values))
    result = steward_audit("verify")
    broken_at(result, first, "reordered")
    assert f"written as entry {second}" in result.stderr


def test_inserting_a_forged_entry_makes_verify_name_it(engine, trail, steward_audit):
    with as_attacker(engine) as connection:
        for seq in range(10, 4, -1):  # make room at 5, newest first
            move(connection, seq, seq + 1)
        forged = fields(connection, 4) | {"seq": 5, "actor": "billing", "action": "delete"}
        forged["prev_hash"] = fields(connection, 4)["hash"]
        forged["hash"] = entry_hash(forged)
        connection.execute(insert(ENTRIES).values(forged))
        connection.execute(update(HEAD).values(seq=11))
    result = steward_audit("verify")
    broken_at(result, 5, "inserted")


def test_appending_an_entry_behind_stewards_back_makes_verify_name_it(engine, trail, steward_audit):
    with as_attacker(engine) as connection:
        last = fields(connection, 10)
        forged = last | {"seq": 11, "prev_hash": last["hash"], "action": "delete"}
        forged["hash"] = entry_hash(forged)
        connection.execute(insert(ENTRIES).values(forged))
    result = steward_audit("verify")
    broken_at(result, 11, "inserted")
    assert "beyond the audit head" in result.stderr
