"""Fixtures and helpers for the retention tests: the team (the privacy officer is
`team["privacy_officer"]`), one person's rows in every table, the sweep run as an operator
runs it, and reading rows back."""

import shutil
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import select

from steward.identity.models import Person
from tests.conftest import EXAMPLES
from tests.desk.team import Team
from tests.rights.fill import fill
from tests.rights.intake_kit import steward
from tests.rights.work import db

START = datetime(2031, 3, 3, 9, tzinfo=UTC)


@pytest.fixture
def team(admin, mailbox, new_client) -> Team:
    return Team(admin, mailbox, new_client)


@pytest.fixture
def compustores(data_dir):
    """The managed IT provider's policy (technical logs a year) instead of the default.
    Ask for it before `app` so the app starts with it."""
    shutil.copyfile(EXAMPLES / "compustores.yaml", data_dir / "policy.yaml")


def filled(app, person_id: str) -> dict[str, Any]:
    """One row about the person in every table of the data map, stamped now; the person
    keeps their own name and address (mail still reaches them)."""
    with db(app) as session:
        person = session.get_one(Person, person_id)
        name, email = person.name, person.email
        made = fill(session, person_id)
        person = session.get_one(Person, person_id)
        person.name, person.email = name, email
        session.commit()
        return made


def sweep(settings, *args: str) -> str:
    """`steward retention run`; returns what it printed."""
    result = steward(settings, "retention", "run", *args)
    assert result.exit_code == 0, result.output
    return result.output


def row(app, model, key) -> Any:
    """The row as stored now (None when deleted), its sealed columns opened."""
    with db(app) as session:
        found = session.get(model, key)
        if found is not None:
            session.expunge(found)
        return found


def count(app, model) -> int:
    with db(app) as session:
        return len(list(session.scalars(select(model))))


def hold(officer, scope: str, target: str, reason: str = "dispute", **extra) -> dict:
    answer = officer.post(
        "/api/v1/dpo/holds", json={"scope": scope, "target": target, "reason": reason, **extra}
    )
    assert answer.status_code == 201, answer.text
    return answer.json()
