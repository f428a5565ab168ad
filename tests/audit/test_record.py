"""Recording: each entry carries a MAC under the key file's audit key, holds names only,
commits or rolls back with the work it describes, and waits for no other request; the
sequencer links the committed entries into one gapless chain."""

import hashlib
import hmac
import json
import threading
import time
from datetime import UTC, datetime

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select, text
from sqlalchemy.orm import Session, sessionmaker

from steward.audit.chain import ZERO, audit_key
from steward.audit.models import CHAIN, AuditEntry, AuditHead
from steward.audit.service import record, record_many, search, verify, write_pending
from steward.core import clock
from steward.core.actor import SYSTEM, Actor
from steward.core.db import transaction
from steward.core.errors import Invalid
from steward.vault.keyring import Keyring
from tests.audit.conftest import AGENT, OTHER_PERSON, PERSON, append, linked


def entries(factory: sessionmaker[Session]) -> list[AuditEntry]:
    with factory() as session:
        return list(session.scalars(select(AuditEntry).order_by(AuditEntry.id)))


def chain(factory: sessionmaker[Session]) -> list[tuple[int, int]]:
    with factory() as session:
        return [tuple(r) for r in session.execute(select(CHAIN.c.seq, CHAIN.c.entry_id))]


def assert_intact(factory: sessionmaker[Session], keyring: Keyring) -> None:
    linked(factory, keyring)
    with factory() as session:
        result = verify(session, keyring.signing_key)
    assert result.intact, result.problem


def mac(key: bytes, message: str) -> str:
    return hmac.new(key, message.encode(), hashlib.sha256).hexdigest()


@pytest.mark.promise("X3")
def test_entries_carry_a_mac_and_the_sequencer_links_them_in_order(sessions, keyring):
    moment = datetime(2025, 3, 1, 12, 0, 0, 123456, tzinfo=UTC)
    with clock.frozen_at(moment), transaction(sessions) as session:
        record(
            session,
            AGENT,
            "read",
            purpose="essential.service",
            person_id=PERSON,
            categories=["user.contact.email", "user.name"],
            columns=["people.email", "people.name"],
        )
        record(session, SYSTEM, "key_shredded", person_id=PERSON, outcome="ok")
    first, second = entries(sessions)
    canonical = {
        "id": first.id,
        "at": "2025-03-01T12:00:00.123456+00:00",
        "actor": AGENT.account_id,
        "actor_role": "agent",
        "action": "read",
        "purpose": "essential.service",
        "person_id": PERSON,
        "categories": '["user.contact.email","user.name"]',
        "columns": '["people.email","people.name"]',
        "outcome": "allowed",
        "request_id": "req-1",
    }
    key = audit_key(keyring.signing_key)
    assert first.mac == mac(key, json.dumps(canonical, sort_keys=True, separators=(",", ":")))
    assert first.at == moment
    assert (second.actor, second.actor_role, second.outcome) == ("system", "system", "ok")
    assert chain(sessions) == []  # written; linked by the sequencer, not by the request
    assert linked(sessions, keyring) == 2
    assert chain(sessions) == [(1, first.id), (2, second.id)]
    link_1 = mac(key, f"{ZERO}\x001\x00{first.id}\x00{first.mac}")
    link_2 = mac(key, f"{link_1}\x002\x00{second.id}\x00{second.mac}")
    with sessions() as session:
        head = session.get(AuditHead, 1)
        assert head is not None and (head.seq, head.link) == (2, link_2)


@pytest.mark.promise("X3")
def test_an_entry_names_the_account_and_role_never_a_name_or_email(sessions):
    append(sessions, 1, person_id=PERSON, columns=["people.email"])
    (entry,) = entries(sessions)
    assert entry.actor == AGENT.account_id
    assert entry.actor_role == "agent"
    assert json.loads(entry.columns) == ["people.email"]


@pytest.mark.promise("X3")
@pytest.mark.parametrize(
    "fields",
    [
        {"columns": ["dana@example.com"]},
        {"categories": ["Dana Whitfield"]},
        {"purpose": "call +1 555 0100"},
        {"person_id": "Dana Whitfield"},
    ],
)
def test_a_value_of_personal_data_is_refused_and_not_repeated(sessions, fields):
    with pytest.raises(Invalid) as refused, transaction(sessions) as session:
        record(session, AGENT, "read", **fields)
    for value in fields.values():
        text = value if isinstance(value, str) else value[0]
        assert text not in refused.value.message
    assert entries(sessions) == []


def test_an_unknown_outcome_or_action_is_refused(sessions):
    with pytest.raises(Invalid), transaction(sessions) as session:
        record(session, AGENT, "read", outcome="maybe")
    with pytest.raises(Invalid), transaction(sessions) as session:
        record(session, AGENT, "Read everything!")


@pytest.mark.promise("X3")
def test_an_entry_rolled_back_with_its_work_leaves_no_gap_in_the_chain(sessions, keyring):
    append(sessions, 2)
    with pytest.raises(RuntimeError), transaction(sessions) as session:
        record(session, AGENT, "write", person_id=PERSON)
        write_pending(session)  # an id taken from the sequence, then given up
        raise RuntimeError("the work failed")
    append(sessions, 1)
    assert [e.action for e in entries(sessions)] == ["read", "read", "read"]
    assert_intact(sessions, keyring)
    assert [seq for seq, _ in chain(sessions)] == [1, 2, 3]


@pytest.mark.promise("X3")
def test_concurrent_appends_are_linked_into_one_total_chain(sessions, keyring):
    errors: list[BaseException] = []

    def worker(n: int) -> None:
        try:
            for _ in range(10):
                append(sessions, 1, Actor(role="agent", account_id=f"acc-{n}"))
        except BaseException as error:
            errors.append(error)

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert_intact(sessions, keyring)
    order = chain(sessions)
    assert [seq for seq, _ in order] == list(range(1, 41))
    assert sorted(entry for _, entry in order) == [e.id for e in entries(sessions)]


@pytest.mark.promise("X3")
def test_a_request_does_not_wait_for_another_one_s_commit(engine: Engine, sessions, keyring):
    """Two transactions record entries at once: the second commits while the first is
    still open, holding its written entries; nothing makes it wait (on PostgreSQL a lock
    wait would fail it at once). Both are then linked, in one chain that verifies."""
    if engine.dialect.name != "postgresql":
        pytest.skip("SQLite has one writer at a time by design")
    with transaction(sessions) as first:
        record(first, AGENT, "read", person_id=PERSON)
        write_pending(first)  # its entries are in, uncommitted, as just before a commit
        done = threading.Event()

        def second() -> None:
            with transaction(sessions) as session:
                session.execute(text("SET LOCAL lock_timeout = '1ms'"))
                record(session, AGENT, "write", person_id=OTHER_PERSON)
            done.set()

        thread = threading.Thread(target=second)
        thread.start()
        thread.join()
        assert done.is_set()  # committed while the first is still open
        assert linked(sessions, keyring) == 1  # the second's; the first is not committed
    assert linked(sessions, keyring) == 1
    assert [seq for seq, _ in chain(sessions)] == [1, 2]
    assert_intact(sessions, keyring)


@pytest.mark.promise("X3")
def test_a_page_of_reads_appends_one_entry_per_person(sessions, keyring):
    with transaction(sessions) as session:
        record(session, SYSTEM, "key_shredded", person_id=PERSON, outcome="ok")
        record_many(
            session,
            AGENT,
            "read",
            [PERSON, OTHER_PERSON],
            purpose="essential.service.support",
            categories=["user.name"],
            columns=["name"],
        )
        record(session, SYSTEM, "key_shredded", person_id=OTHER_PERSON, outcome="ok")
    trail = entries(sessions)
    assert [e.person_id for e in trail] == [PERSON, PERSON, OTHER_PERSON, OTHER_PERSON]
    assert [e.action for e in trail[1:3]] == ["read", "read"]
    assert_intact(sessions, keyring)


@pytest.mark.promise("X3")
def test_a_savepoint_rolled_back_drops_its_entries_and_the_transaction_keeps_the_rest(
    sessions, keyring
):
    with transaction(sessions) as session:
        record(session, AGENT, "read", person_id=PERSON)
        savepoint = session.begin_nested()
        record(session, AGENT, "write", person_id=OTHER_PERSON)
        savepoint.rollback()
        record(session, AGENT, "read", person_id=OTHER_PERSON)
    trail = entries(sessions)
    assert [(e.action, e.person_id) for e in trail] == [("read", PERSON), ("read", OTHER_PERSON)]
    assert_intact(sessions, keyring)


@pytest.mark.promise("X3")
def test_the_trail_read_inside_a_transaction_already_holds_what_it_recorded(sessions, keyring):
    with transaction(sessions) as session:
        record(session, AGENT, "read", person_id=PERSON)
        found = search(session, person_id=PERSON)
        assert [e.action for e in found] == ["read"]
        record(session, AGENT, "write", person_id=PERSON)
    assert [e.action for e in entries(sessions)] == ["read", "write"]
    assert_intact(sessions, keyring)


@pytest.mark.promise("X3")
def test_a_server_process_links_entries_without_a_worker(app, sessions, keyring):
    append(sessions, 2)
    with TestClient(app):  # `make run` starts no worker: the server's own task links
        deadline = time.monotonic() + 30
        while len(chain(sessions)) < 2 and time.monotonic() < deadline:
            time.sleep(0.05)
    assert [seq for seq, _ in chain(sessions)] == [1, 2]
