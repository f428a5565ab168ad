"""T3, T1: an account unused for the policy's period is warned by email, then closed; seven
years after closure (the account-data period) the person is wiped by the erasure engine:
their rows deleted, their record a tombstone, their data key destroyed."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from steward.core import clock
from steward.desk.models import Invoice, Message
from steward.identity.models import Account, Person
from steward.vault.models import DataKey
from tests.people import sign_in
from tests.retention.conftest import START, filled, row, sweep
from tests.rights.intake_kit import body_of, steward
from tests.rights.work import db

DAY = timedelta(days=1)
INACTIVE = timedelta(days=3 * 365)  # houston-generator: stale_accounts.inactive_after P3Y


def stale(settings) -> str:
    result = steward(settings, "retention", "stale")
    assert result.exit_code == 0, result.output
    return result.output


def account_of(app, person_id: str) -> Account:
    with db(app) as session:
        return session.scalars(select(Account).where(Account.person_id == person_id)).one()


@pytest.mark.promise("T3", "T1")
def test_an_unused_account_is_warned_closed_and_wiped_seven_years_later(
    team, app, identity_settings, mailbox, new_client
):
    with clock.frozen_at(START):
        _, ada = team.customer("ada")
        made = filled(app, ada)
    limit = START + INACTIVE
    with clock.frozen_at(limit - timedelta(days=31)):
        assert "warned: 0 accounts" in stale(identity_settings)
    with clock.frozen_at(limit - timedelta(days=29)):
        assert "warned: 1 account;" in stale(identity_settings)
        warning = mailbox.last_to("ada@example.com")
        assert warning["Subject"] == "Your account will be closed"
        assert "unless you sign in" in body_of(warning)
        assert "warned: 0 accounts" in stale(identity_settings)  # once
    with clock.frozen_at(limit + DAY):
        assert "closed: 1 account" in stale(identity_settings)
        assert mailbox.last_to("ada@example.com")["Subject"] == "Your account is closed"
        assert account_of(app, ada).status == "closed"
        refused = sign_in(new_client(), "ada@example.com")
        assert refused.status_code == 403 and "closed" in refused.text
        closed_at = row(app, Person, ada).closed_at
    with clock.frozen_at(closed_at + timedelta(days=7 * 365)):  # a day short of seven years
        sweep(identity_settings)
        assert row(app, Person, ada).email == "ada@example.com"
    with clock.frozen_at(closed_at + timedelta(days=7 * 366)):
        printed = sweep(identity_settings)
        assert "people wiped: 1" in printed
        person = row(app, Person, ada)
        assert person.erased_at is not None and person.email is None and person.name is None
        assert row(app, Message, made["messages"]) is None
        with db(app) as session:
            assert session.get(DataKey, ada).shredded_at is not None
        invoice = row(app, Invoice, made["invoices"])  # seven years old too: anonymised, kept
        assert invoice is not None and invoice.billing_address is None
        assert "people wiped: 0" in sweep(identity_settings)


@pytest.mark.promise("T3")
def test_signing_in_after_the_warning_keeps_the_account_open(
    team, app, identity_settings, mailbox, new_client
):
    with clock.frozen_at(START):
        team.customer("ada")
    limit = START + INACTIVE
    with clock.frozen_at(limit - timedelta(days=10)):
        assert "warned: 1 account;" in stale(identity_settings)
        assert sign_in(new_client(), "ada@example.com").status_code == 200
    with clock.frozen_at(limit + timedelta(days=60)):
        assert "closed: 0 accounts" in stale(identity_settings)
    with clock.frozen_at(limit - timedelta(days=10) + INACTIVE - timedelta(days=20)):
        assert "warned: 1 account;" in stale(identity_settings)  # a new spell of disuse


def test_an_account_is_closed_only_after_a_full_warning(team, app, identity_settings, mailbox):
    """A worker that was down past the limit warns first and closes 30 days later."""
    with clock.frozen_at(START):
        _, ada = team.customer("ada")
    late = START + INACTIVE + timedelta(days=100)
    with clock.frozen_at(late):
        assert stale(identity_settings).strip() == "warned: 1 account; closed: 0 accounts"
    with clock.frozen_at(late + timedelta(days=29)):
        assert "closed: 0 accounts" in stale(identity_settings)
    with clock.frozen_at(late + timedelta(days=31)):
        assert "closed: 1 account" in stale(identity_settings)
    assert account_of(app, ada).status == "closed"


def test_staff_accounts_are_not_closed_for_disuse(team, app, identity_settings):
    team["agent"]
    with clock.frozen_at(START + INACTIVE * 2):
        assert stale(identity_settings).strip() == "warned: 0 accounts; closed: 0 accounts"


@pytest.mark.promise("T3", "C3")
def test_a_child_whose_guardian_never_consents_is_deleted_after_the_links_seven_days(
    app, client, mailbox, identity_settings
):
    from tests.identity.test_guardians import CHILD, GUARDIAN, KID
    from tests.people import register

    with clock.frozen_at(START):
        assert register(client, KID, **CHILD, **GUARDIAN).status_code == 202
        with db(app) as session:
            child = session.scalars(select(Person).where(Person.kind == "child")).one()
    with clock.frozen_at(START + timedelta(days=6)):
        assert "people wiped: 0" in sweep(identity_settings)
    with clock.frozen_at(START + timedelta(days=7, hours=1)):
        assert "people wiped: 1" in sweep(identity_settings)
        gone = row(app, Person, child.id)
        assert gone.erased_at is not None and gone.name is None and gone.email is None
        with db(app) as session:
            assert session.get(DataKey, child.id).shredded_at is not None  # and the guardian
