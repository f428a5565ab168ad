"""Recording: each entry is chained to the one before, holds names only, and commits
or rolls back with the work it describes."""

import hashlib
import itertools
import json
import threading
from datetime import UTC, datetime

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from steward.audit.chain import ZERO
from steward.audit.models import AuditEntry, AuditHead
from steward.audit.service import record, record_many, search, verify
from steward.core import clock
from steward.core.actor import SYSTEM, Actor
from steward.core.db import transaction
from steward.core.errors import Invalid
from tests.audit.conftest import AGENT, OTHER_PERSON, PERSON, append


def entries(factory: sessionmaker[Session]) -> list[AuditEntry]:
    with factory() as session:
        return list(session.scalars(select(AuditEntry).order_by(AuditEntry.seq)))


def assert_intact(factory: sessionmaker[Session]) -> None:
    with factory() as session:
        assert verify(session, b"\x01" * 32).intact


@pytest.mark.promise("X3")
def test_appends_chain_each_entry_to_the_one_before(sessions):
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
    assert (first.seq, second.seq) == (1, 2)
    assert first.prev_hash == ZERO
    assert second.prev_hash == first.hash
    canonical = {
        "seq": 1,
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
        "prev_hash": ZERO,
    }
    encoded = json.dumps(canonical, sort_keys=True, separators=(",", ":")).encode()
    assert first.hash == hashlib.sha256(encoded).hexdigest()
    assert first.at == moment
    assert (second.actor, second.actor_role, second.outcome) == ("system", "system", "ok")
    with sessions() as session:
        head = session.get(AuditHead, 1)
        assert head is not None and (head.seq, head.hash) == (2, second.hash)


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
def test_an_entry_rolled_back_with_its_work_leaves_no_gap(sessions):
    append(sessions, 2)
    with pytest.raises(RuntimeError), transaction(sessions) as session:
        record(session, AGENT, "write", person_id=PERSON)
        raise RuntimeError("the work failed")
    append(sessions, 1)
    assert [e.seq for e in entries(sessions)] == [1, 2, 3]
    assert_intact(sessions)


@pytest.mark.promise("X3")
def test_concurrent_appends_never_fork_the_chain(sessions):
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
    chain = entries(sessions)
    assert [e.seq for e in chain] == list(range(1, 41))
    assert all(b.prev_hash == a.hash for a, b in itertools.pairwise(chain))
    assert_intact(sessions)


@pytest.mark.promise("X3")
def test_a_page_of_reads_appends_one_chained_entry_per_person(sessions):
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
    assert [e.seq for e in trail] == [1, 2, 3, 4]
    assert [e.person_id for e in trail[1:3]] == [PERSON, OTHER_PERSON]
    assert all(e.prev_hash == before.hash for before, e in itertools.pairwise(trail))
    assert_intact(sessions)


@pytest.mark.promise("X3")
def test_a_savepoint_rolled_back_drops_its_entries_and_the_transaction_keeps_the_rest(sessions):
    with transaction(sessions) as session:
        record(session, AGENT, "read", person_id=PERSON)
        savepoint = session.begin_nested()
        record(session, AGENT, "write", person_id=OTHER_PERSON)
        savepoint.rollback()
        record(session, AGENT, "read", person_id=OTHER_PERSON)
    trail = entries(sessions)
    assert [(e.seq, e.action, e.person_id) for e in trail] == [
        (1, "read", PERSON),
        (2, "read", OTHER_PERSON),
    ]
    assert_intact(sessions)


@pytest.mark.promise("X3")
def test_the_trail_read_inside_a_transaction_already_holds_what_it_recorded(sessions):
    with transaction(sessions) as session:
        record(session, AGENT, "read", person_id=PERSON)
        found = search(session, person_id=PERSON)
        assert [(e.seq, e.action) for e in found] == [(1, "read")]
        record(session, AGENT, "write", person_id=PERSON)
    assert [e.action for e in entries(sessions)] == ["read", "write"]
    assert_intact(sessions)
