"""The gate's view of a person is read once per transaction and kept on the session; any
change to it inside the transaction is seen by the next decision."""

import pytest
from sqlalchemy import update

from steward.access.gate import Refused
from steward.access.people import check_person, state_of
from steward.consent.models import ConsentEvent
from steward.core import clock
from steward.core.actor import Actor
from steward.identity.models import Person
from tests.people import customer


@pytest.fixture
def person_id(client, mailbox) -> str:
    customer(client, mailbox, "ada@example.com")
    return client.get("/api/v1/me").json()["person_id"]


AGENT = Actor(role="agent", account_id="0190a1b2-0000-7000-8000-000000000001")


def read_name(session, person_id: str) -> None:
    check_person(session, AGENT, Person, person_id, ["name"], purpose="essential.service")


@pytest.mark.promise("R6")
def test_a_restriction_made_in_the_transaction_refuses_the_next_read_at_once(app, person_id):
    with app.state.runtime.session() as session:
        read_name(session, person_id)  # allowed, and the person's state is now known
        person = session.get(Person, person_id)
        assert person is not None
        person.restricted_at = clock.now()
        with pytest.raises(Refused):
            read_name(session, person_id)
    with app.state.runtime.session() as session:
        session.execute(update(Person).values(restricted_at=None))
        read_name(session, person_id)
        session.execute(update(Person).values(restricted_at=clock.now()))
        with pytest.raises(Refused):
            read_name(session, person_id)


def test_a_consent_given_in_the_transaction_counts_at_once(app, person_id):
    with app.state.runtime.session() as session:
        assert "analytics.reporting" not in state_of(session, person_id).consents
        session.add(
            ConsentEvent(
                owner_id=person_id,
                person_id=person_id,
                purpose="analytics.reporting",
                choice="given",
                method="settings",
                policy_version="1",
                text_sha256="0" * 64,
                at=clock.now(),
            )
        )
        assert "analytics.reporting" in state_of(session, person_id).consents
