"""`steward audit verify` finds each kind of tampering and names it, with the first seq.

The attacker here can write to the database (on PostgreSQL with the owner's rights: the
append-only triggers are switched off first, see `as_attacker`) and to the checkpoint file
in the data directory, but has no key file: whatever MAC or link it writes is made with a
key of its own.
"""

import shutil
from datetime import UTC, datetime

import pytest
from sqlalchemy import Connection, delete, func, insert, select, text, update
from sqlalchemy.exc import DBAPIError

from steward.audit.chain import ZERO, checkpoint_message, entry_mac, link, signer
from steward.audit.models import CHAIN, CHECKPOINTS, ENTRIES, HEAD, PENDING
from steward.audit.service import sequence, write_checkpoint
from steward.vault.keyring import Keyring
from tests.audit.conftest import append, as_attacker, linked

pytestmark = pytest.mark.promise("X3")

ATTACKER_KEY = b"\x07" * 32  # not the key file's: the attacker has only the database


def entry_id(connection: Connection, seq: int) -> int:
    return connection.execute(select(CHAIN.c.entry_id).where(CHAIN.c.seq == seq)).scalar_one()


def entry(connection: Connection, seq: int) -> dict:
    row = connection.execute(select(ENTRIES).where(ENTRIES.c.id == entry_id(connection, seq)))
    return dict(row.one()._mapping)


def point(connection: Connection, seq: int, to_entry: int) -> None:
    connection.execute(update(CHAIN).where(CHAIN.c.seq == seq).values(entry_id=to_entry))


def broken(result, seq: int, kind: str) -> str:
    assert result.exit_code == 1, result.output
    assert result.stdout == ""
    assert result.stderr.startswith(f"audit trail broken at seq {seq}: {kind} ("), result.stderr
    return result.stderr


def rewrite_without_the_key(engine, first: int, last: int, change: dict) -> None:
    """Change the entry at `first`, then re-MAC and re-link it and every entry up to `last`
    and move the head, as an attacker would, with a key of its own."""
    with as_attacker(engine) as connection:
        query = select(CHAIN.c.link).where(CHAIN.c.seq == first - 1)
        previous = connection.execute(query).scalar_one()
        for seq in range(first, last + 1):
            row = entry(connection, seq) | (change if seq == first else {})
            row["mac"] = entry_mac(ATTACKER_KEY, row)
            connection.execute(update(ENTRIES).where(ENTRIES.c.id == row["id"]).values(row))
            previous = link(ATTACKER_KEY, previous, seq, row["id"], row["mac"])
            connection.execute(update(CHAIN).where(CHAIN.c.seq == seq).values(link=previous))
        connection.execute(update(HEAD).values(link=previous))


def signed(trail, keyring: Keyring, settings) -> None:
    write_checkpoint(trail, keyring.signing_key, outside=settings.audit_checkpoints_file)


def test_verify_passes_and_exits_0_on_an_intact_trail(trail, steward_audit):
    result = steward_audit("verify")
    assert result.exit_code == 0, result.output
    with trail() as session:
        head = session.execute(select(HEAD.c.link)).scalar_one()
    assert result.stdout == f"audit trail intact: 10 entries, head {head}\n"


def test_verify_links_what_is_pending_first(sessions, steward_audit):
    append(sessions, 3)
    result = steward_audit("verify")
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("audit trail intact: 3 entries, head ")


def test_verify_passes_on_an_empty_trail(sessions, steward_audit):
    result = steward_audit("verify")
    assert result.exit_code == 0, result.output
    assert result.stdout == f"audit trail intact: 0 entries, head {ZERO}\n"


def test_postgresql_refuses_to_update_delete_or_truncate_the_trail(engine, trail, keyring):
    if engine.dialect.name != "postgresql":
        pytest.skip("the append-only triggers exist on PostgreSQL only")
    write_checkpoint(trail, keyring.signing_key)
    for table, column in (
        ("audit_entries", "actor"),
        ("audit_chain", "link"),
        ("audit_checkpoints", "link"),
    ):
        for statement in (
            f"UPDATE {table} SET {column} = 'x'",
            f"DELETE FROM {table}",
            f"TRUNCATE {table} CASCADE",
        ):
            with pytest.raises(DBAPIError, match="append-only"), engine.begin() as connection:
                connection.execute(text(statement))
    with engine.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM audit_chain")).scalar() == 10


def test_an_edited_entry_is_named(engine, trail, steward_audit):
    with as_attacker(engine) as connection:
        connection.execute(
            update(ENTRIES).where(ENTRIES.c.id == entry_id(connection, 4)).values(purpose="x")
        )
    assert "was edited after it was written" in broken(steward_audit("verify"), 4, "changed")


def test_an_edited_entry_with_a_mac_recomputed_without_the_key_is_named(
    engine, trail, steward_audit
):
    with as_attacker(engine) as connection:
        forged = entry(connection, 4) | {"outcome": "refused"}
        forged["mac"] = entry_mac(ATTACKER_KEY, forged)
        connection.execute(update(ENTRIES).where(ENTRIES.c.id == forged["id"]).values(forged))
    broken(steward_audit("verify"), 4, "rewritten")


def test_a_deleted_entry_is_named(engine, trail, steward_audit):
    with as_attacker(engine) as connection:
        connection.execute(delete(ENTRIES).where(ENTRIES.c.id == entry_id(connection, 7)))
    assert "linked at seq 7 is gone" in broken(steward_audit("verify"), 7, "removed")


def test_a_deleted_entry_and_its_link_are_named(engine, trail, steward_audit):
    with as_attacker(engine) as connection:
        gone = entry_id(connection, 7)
        connection.execute(delete(CHAIN).where(CHAIN.c.seq == 7))
        connection.execute(delete(ENTRIES).where(ENTRIES.c.id == gone))
    assert "seq 7 missing before seq 8" in broken(steward_audit("verify"), 7, "removed")


def test_a_deleted_entry_with_the_later_ones_renumbered_is_named(engine, trail, steward_audit):
    with as_attacker(engine) as connection:
        gone = entry_id(connection, 5)
        connection.execute(delete(CHAIN).where(CHAIN.c.seq == 5))
        connection.execute(delete(ENTRIES).where(ENTRIES.c.id == gone))
        for seq in range(6, 11):
            connection.execute(update(CHAIN).where(CHAIN.c.seq == seq).values(seq=seq - 1))
        last = connection.execute(select(CHAIN.c.link).where(CHAIN.c.seq == 9)).scalar_one()
        connection.execute(update(HEAD).values(seq=9, link=last))
    assert "later ones were renumbered" in broken(steward_audit("verify"), 5, "removed")


def test_an_entry_slipped_in_with_the_later_ones_renumbered_is_named(engine, trail, steward_audit):
    with as_attacker(engine) as connection:
        for seq in range(10, 4, -1):  # make room at 5, newest first
            connection.execute(update(CHAIN).where(CHAIN.c.seq == seq).values(seq=seq + 1))
        forged = entry(connection, 4) | {"id": 1000, "actor": "billing", "action": "delete"}
        forged["mac"] = entry_mac(ATTACKER_KEY, forged)
        connection.execute(insert(ENTRIES).values(forged))
        before = connection.execute(select(CHAIN.c.link).where(CHAIN.c.seq == 4)).scalar_one()
        forged_link = link(ATTACKER_KEY, before, 5, 1000, forged["mac"])
        connection.execute(insert(CHAIN).values(seq=5, entry_id=1000, link=forged_link))
        connection.execute(update(HEAD).values(seq=11))
    assert "not linked by the sequencer" in broken(steward_audit("verify"), 5, "inserted")


def test_an_entry_inserted_for_the_sequencer_is_refused_and_named(engine, trail, steward_audit):
    with as_attacker(engine) as connection:
        forged = entry(connection, 10) | {"id": 1000, "action": "delete"}
        forged["mac"] = entry_mac(ATTACKER_KEY, forged)
        connection.execute(insert(ENTRIES).values(forged))
        connection.execute(insert(PENDING).values(entry_id=1000))
    result = steward_audit("verify")  # runs the sequencer first: it links nothing forged
    assert "entry 1000 waits to be linked, but its MAC" in broken(result, 11, "inserted")


def test_forged_entries_queued_first_hold_back_no_genuine_entry(engine, trail, keyring):
    with as_attacker(engine) as connection:
        top = connection.execute(select(func.max(ENTRIES.c.id))).scalar_one()
        forged_ids = [top + n for n in (1, 2, 3)]
        for forged_id in forged_ids:
            forged = entry(connection, 10) | {"id": forged_id, "action": "delete"}
            forged["mac"] = entry_mac(ATTACKER_KEY, forged)
            connection.execute(insert(ENTRIES).values(forged))
            connection.execute(insert(PENDING).values(entry_id=forged_id))
        if engine.dialect.name == "postgresql":  # the next genuine ids come after them
            connection.execute(
                text("SELECT setval(pg_get_serial_sequence('audit_entries', 'id'), :top)"),
                {"top": forged_ids[-1]},
            )
    append(trail, 2)
    assert sequence(engine, keyring.signing_key, batch=2) == 2  # a batch of forged ones first
    with engine.connect() as connection:
        chained = set(connection.scalars(select(CHAIN.c.entry_id)))
    assert len(chained) == 12 and not chained & set(forged_ids)


def test_an_entry_inserted_behind_the_sequencer_s_back_is_named(engine, trail, steward_audit):
    with as_attacker(engine) as connection:
        forged = entry(connection, 10) | {"id": 1000, "action": "delete", "mac": None}
        connection.execute(insert(ENTRIES).values(forged))
    assert "entry 1000 is neither linked nor queued" in broken(
        steward_audit("verify"), 11, "inserted"
    )


def test_a_link_appended_beyond_the_head_is_named(engine, trail, steward_audit):
    with as_attacker(engine) as connection:
        forged = entry(connection, 10) | {"id": 1000}
        forged["mac"] = entry_mac(ATTACKER_KEY, forged)
        connection.execute(insert(ENTRIES).values(forged))
        connection.execute(insert(CHAIN).values(seq=11, entry_id=1000, link="ab" * 32))
    assert "beyond the head" in broken(steward_audit("verify"), 11, "inserted")


@pytest.mark.parametrize("first, second", [(3, 7), (4, 5), (9, 10)])
def test_two_swapped_entries_are_named(engine, trail, steward_audit, first, second):
    with as_attacker(engine) as connection:
        a, b = entry_id(connection, first), entry_id(connection, second)
        point(connection, first, -1)  # entry ids are unique in the chain: one at a time
        point(connection, second, a)
        point(connection, first, b)
    result = broken(steward_audit("verify"), first, "reordered")
    assert f"seq {first} holds entry {b}; entry {a} was linked there" in result


def test_two_entries_with_swapped_contents_are_named(engine, trail, steward_audit):
    with as_attacker(engine) as connection:
        a, b = entry(connection, 3), entry(connection, 6)
        for target, source in ((a, b), (b, a)):
            values = {k: v for k, v in source.items() if k != "id"}
            connection.execute(update(ENTRIES).where(ENTRIES.c.id == target["id"]).values(values))
    result = broken(steward_audit("verify"), 3, "reordered")
    assert f"entry {a['id']} holds what was written as entry {b['id']}" in result


def test_an_entry_moved_earlier_is_named(engine, trail, steward_audit):
    with as_attacker(engine) as connection:
        ids = [entry_id(connection, seq) for seq in range(1, 11)]
        moved = [*ids[:2], ids[7], *ids[2:7], *ids[8:]]  # the 8th now comes 3rd
        for seq in range(3, 9):
            point(connection, seq, -seq)
        for seq in range(3, 9):
            point(connection, seq, moved[seq - 1])
    broken(steward_audit("verify"), 3, "reordered")


def test_a_cut_tail_is_named_by_the_outside_copy(engine, trail, keyring, settings, steward_audit):
    """The tail cut, the head moved back and every checkpoint in the database deleted: the
    copy kept outside (here, one shipped elsewhere) still names the lost seqs."""
    signed(trail, keyring, settings)
    shipped = settings.key_file.parent / "shipped" / "checkpoints.jsonl"
    shipped.parent.mkdir()
    shutil.copyfile(settings.audit_checkpoints_file, shipped)
    with as_attacker(engine) as connection:
        gone = [entry_id(connection, seq) for seq in (9, 10)]
        connection.execute(delete(CHAIN).where(CHAIN.c.seq > 8))
        connection.execute(delete(ENTRIES).where(ENTRIES.c.id.in_(gone)))
        last = connection.execute(select(CHAIN.c.link).where(CHAIN.c.seq == 8)).scalar_one()
        connection.execute(update(HEAD).values(seq=8, link=last))
        connection.execute(delete(CHECKPOINTS))
    settings.audit_checkpoints_file.unlink()  # the local copy too
    cut = broken(steward_audit("verify", "--checkpoints", str(shipped)), 9, "cut")
    assert "line 1 of the outside copy signed seq 10, but the trail ends at seq 8" in cut
    broken(steward_audit("verify", "--from-start", "--checkpoints", str(shipped)), 9, "cut")


def test_a_cut_tail_with_the_head_left_is_named(engine, trail, steward_audit):
    with as_attacker(engine) as connection:
        connection.execute(delete(CHAIN).where(CHAIN.c.seq > 8))
    assert "seqs 9-10 are missing from the end" in broken(steward_audit("verify"), 9, "cut")


def test_a_rewrite_after_the_newest_checkpoint_is_named(
    engine, trail, keyring, settings, steward_audit
):
    """Entries after the checkpoint edited, their MACs and links recomputed and the head
    moved, all without the key file."""
    signed(trail, keyring, settings)
    append(trail, 5)
    linked(trail, keyring)
    rewrite_without_the_key(engine, 12, 15, {"actor": "someone-else"})
    result = steward_audit("verify")
    assert "rewritten without it" in broken(result, 12, "rewritten")


def test_a_rewrite_behind_the_newest_checkpoint_is_named(
    engine, trail, keyring, settings, steward_audit
):
    signed(trail, keyring, settings)
    rewrite_without_the_key(engine, 4, 10, {"outcome": "refused"})
    broken(steward_audit("verify"), 4, "rewritten")


def test_a_checkpoint_deleted_from_the_database_is_named(
    engine, trail, keyring, settings, steward_audit
):
    signed(trail, keyring, settings)
    with as_attacker(engine) as connection:
        connection.execute(delete(CHECKPOINTS))
    result = broken(steward_audit("verify"), 10, "checkpoint removed")
    assert "the checkpoint of seq 10 on line 1 of the outside copy is not in the database" in result


@pytest.mark.parametrize("column, value", [("link", "ab" * 32), ("seq", 3)])
def test_an_altered_checkpoint_is_named(
    engine, trail, keyring, settings, steward_audit, column, value
):
    write_checkpoint(trail, keyring.signing_key)
    with as_attacker(engine) as connection:
        connection.execute(update(CHECKPOINTS).values({column: value}))
    seq = value if column == "seq" else 10
    result = broken(steward_audit("verify"), seq, "checkpoint forged")
    assert "the signature of checkpoint 1 does not hold" in result


def test_a_checkpoint_signed_with_another_key_is_named(engine, trail, steward_audit):
    at = datetime(2025, 1, 1, tzinfo=UTC)
    with as_attacker(engine) as connection:
        head = connection.execute(select(HEAD.c.link)).scalar_one()
        signature = signer(Keyring.generate().signing_key).sign(checkpoint_message(10, head, at))
        connection.execute(
            insert(CHECKPOINTS).values(
                seq=10, link=head, signature=signature.hex(), at=at, scheme=2
            )
        )
    broken(steward_audit("verify"), 10, "checkpoint forged")


def test_a_forged_line_in_the_outside_copy_is_named(trail, keyring, settings, steward_audit):
    signed(trail, keyring, settings)
    path = settings.audit_checkpoints_file
    path.write_text(path.read_text().replace('"seq":10', '"seq":4'))
    result = broken(steward_audit("verify"), 4, "checkpoint forged")
    assert "line 1 of the outside copy" in result
