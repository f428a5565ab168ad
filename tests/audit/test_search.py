"""Search: filters by person, actor, purpose and time run in SQL, newest first, by pages."""

from datetime import UTC, datetime, timedelta

import pytest

from steward.audit.service import record, search
from steward.core import clock
from steward.core.db import transaction
from tests.audit.conftest import AGENT, BILLING, OTHER_PERSON, PERSON

START = datetime(2025, 1, 1, 9, 0, tzinfo=UTC)


@pytest.fixture
def varied(sessions):
    """Eight entries an hour apart: agent and billing, two people, two purposes."""
    with clock.frozen_at(START), transaction(sessions) as session:
        for n in range(8):
            record(
                session,
                AGENT if n % 2 == 0 else BILLING,
                "read",
                person_id=PERSON if n < 4 else OTHER_PERSON,
                purpose="essential.service" if n % 3 else "finance.billing",
                columns=["people.email"],
            )
            clock.advance(timedelta(hours=1))
    return sessions


def seqs(entries):
    return [e.id for e in entries]


@pytest.mark.promise("X3")
def test_search_filters_by_person_newest_first(varied):
    with varied() as session:
        assert seqs(search(session, person_id=PERSON)) == [4, 3, 2, 1]
        assert seqs(search(session, person_id=OTHER_PERSON)) == [8, 7, 6, 5]


@pytest.mark.promise("X3")
def test_search_filters_by_actor_and_purpose(varied):
    with varied() as session:
        assert seqs(search(session, actor=BILLING.account_id)) == [8, 6, 4, 2]
        assert seqs(search(session, purpose="finance.billing")) == [7, 4, 1]
        assert seqs(search(session, actor=AGENT.account_id, purpose="finance.billing")) == [7, 1]


@pytest.mark.promise("X3")
def test_search_filters_by_time_range_since_inclusive_until_exclusive(varied):
    with varied() as session:
        found = search(session, since=START + timedelta(hours=2), until=START + timedelta(hours=5))
        assert seqs(found) == [5, 4, 3]
        assert found[0].at == START + timedelta(hours=4)


def test_search_pages_by_id(varied):
    with varied() as session:
        first = search(session, limit=3)
        second = search(session, limit=3, before_id=first[-1].id)
        last = search(session, limit=3, before_id=second[-1].id)
    assert (seqs(first), seqs(second), seqs(last)) == ([8, 7, 6], [5, 4, 3], [2, 1])
