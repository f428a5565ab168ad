"""`steward demo` under each example policy: the business the policy describes, and only the
data that policy holds (D1)."""

import shutil

import pytest
from sqlalchemy import func, select

import steward.models  # noqa: F401  (every table, so every column category)
from steward.core.db import Base
from steward.desk import models as desk
from tests.conftest import EXAMPLES
from tests.desk.test_examples_cover_the_desk import NOT_HELD

# What each trade's demo shows: the device kinds, words some ticket subject has, words no
# ticket subject has, and the currency of its quotes (None: the business bills nothing).
TRADES = {
    "houston-generator": ({"generator"}, "generator", ("printer", "toner", "laptop"), "USD"),
    "printo-gens": ({"printer"}, "toner", ("generator", "laptop", "server"), "USD"),
    "it-support-shop": (set(), "pc won't boot", ("generator", "printer", "toner"), "GBP"),
    "emergencysupport": (set(), "website is down", ("generator", "printer", "invoice"), None),
    "compustores": ({"workstation", "server", "network_device"}, "server", ("generator",), "USD"),
}
SEALED = [
    (table, column)
    for table in Base.metadata.sorted_tables
    for column in table.c
    if column.info.get("encrypted")
]


@pytest.fixture(params=sorted(TRADES))
def example(request, identity_settings, database_url):
    """The data directory's policy.yaml replaced by one example (PostgreSQL runs one)."""
    if not database_url.startswith("sqlite") and request.param != "printo-gens":
        pytest.skip("one example on PostgreSQL is enough; SQLite runs all five")
    shutil.copyfile(EXAMPLES / f"{request.param}.yaml", identity_settings.policy)
    return request.param


def test_every_example_has_a_trade():
    assert set(TRADES) == set(NOT_HELD)


@pytest.mark.promise("D1")
def test_the_demo_writes_only_what_the_policy_holds(demo, database, example):
    result = demo("--people", "20")
    assert result.exit_code == 0, result.output
    written = {
        str(column.info["category"])
        for table, column in SEALED
        if database.scalar(select(func.count(column)).select_from(table))
    }
    assert written & NOT_HELD[example] == set()
    assert "user.communications" in written  # it did write a desk


def test_the_demo_speaks_the_trade_of_the_policy(demo, database, example):
    kinds, said, unsaid, currency = TRADES[example]
    result = demo("--people", "20")
    assert result.exit_code == 0, result.output
    assert set(database.scalars(select(desk.Device.type).distinct())) == kinds
    subjects = " | ".join(t.subject for t in database.scalars(select(desk.Ticket))).lower()
    assert said in subjects
    assert [word for word in unsaid if word in subjects] == []
    currencies = set(database.scalars(select(desk.Quote.currency).distinct()))
    assert currencies == ({currency} if currency else set())


# The staff a demo signs in as: only roles the policy gives a purpose (the owner and the
# privacy officer always), so nobody signs in to nothing but refusals.
STAFF = {
    "houston-generator": {"billing", "call_reviewer"},
    "printo-gens": {"billing"},  # no call is recorded there
    "it-support-shop": {"billing", "call_reviewer"},
    "emergencysupport": {"call_reviewer"},  # nothing is billed there
    "compustores": {"billing"},
}


def test_the_demo_makes_staff_only_for_roles_the_policy_uses(demo, database, example):
    result = demo("--people", "6")
    assert result.exit_code == 0, result.output
    listed = {line.split()[0] for line in result.output.splitlines() if "@demo." in line}
    assert listed == {"admin", "agent", "privacy_officer", "customer"} | STAFF[example]


def test_the_same_seed_gives_the_same_tickets_under_any_trade(demo, database, example):
    def subjects() -> list[str]:
        database.rollback()
        return [t.subject for t in database.scalars(select(desk.Ticket).order_by(desk.Ticket.id))]

    assert demo("--people", "6", "--seed", "3").exit_code == 0
    first = subjects()
    assert demo("--people", "6", "--seed", "3", "--force").exit_code == 0
    assert subjects() == first * 2
