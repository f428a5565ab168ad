"""Helpers for the incident tests: an incident and its frozen list made directly in the
database (the register and the impact computation have their own tests), with real people."""

import json
from collections import Counter
from datetime import timedelta

from steward.core import clock
from steward.incidents import affected
from steward.incidents.models import Incident
from steward.vault.service import vault_of
from tests.rights.work import db

CONSEQUENCES = "Phishing aimed at the people whose contact details were read."
TAKEN = "We ended the attacker's sessions and reset the account's password."
PROPOSED = "We will require hardware keys for every staff account."


def incident(
    app,
    officer_account_id: str,
    reference: str = "INC-2031-0001",
    *,
    aware_hours_ago: int = 2,
    categories: tuple[str, ...] = ("user.account",),
    jurisdictions: tuple[str, ...] = ("gdpr",),
    **fields,
) -> str:
    """An open incident with every Art. 33(3) item filled in; returns its id."""
    now = clock.now()
    decided = {"notify_authority": True, "notify_people": True, **fields}
    with db(app) as session:
        made = Incident(
            reference=reference,
            title="Stolen agent laptop",
            aware_at=now - timedelta(hours=aware_hours_ago),
            occurred_from=now - timedelta(days=2),
            occurred_until=now - timedelta(days=1),
            found_how="The agent reported the laptop stolen.",
            kinds=json.dumps(["confidentiality"]),
            summary="A laptop of one of our agents was stolen from a car.",
            systems="The service desk, reached from the laptop's browser.",
            categories=json.dumps(list(categories)),
            subjects=json.dumps(["customer"]),
            jurisdictions=json.dumps(list(jurisdictions)),
            consequences=CONSEQUENCES,
            measures_taken=TAKEN,
            measures_proposed=PROPOSED,
            created_at=now,
            created_by=officer_account_id,
            **decided,
        )
        session.add(made)
        session.commit()
        return made.id


def freeze(app, incident_id: str, people: dict[str, str | None], records: int = 3) -> None:
    """Freeze the list: each person (id -> jurisdiction key) with `records` rows of account data."""
    with db(app) as session:
        vault = vault_of(session)
        stored = affected.store(
            session,
            vault,
            incident_id,
            [affected.Affected(p, ("user.account",), j, records) for p, j in people.items()],
        )
        found = session.get_one(Incident, incident_id)
        found.people_count, found.records_count = stored, stored * records
        laws = Counter(j for j in people.values() if j)
        found.people_by_law = json.dumps(dict(sorted(laws.items())))
        found.affected_frozen_at = clock.now()
        session.commit()


def erase_key(app, person_id: str) -> None:
    """The person's data key destroyed, as an erasure leaves it."""
    with db(app) as session:
        vault_of(session).shred(session, person_id)
        session.commit()
