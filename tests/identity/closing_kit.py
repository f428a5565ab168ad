"""Helpers for the tests of closing an account: the policy of another example, the person's
rows as stored, and the mailed cancel link."""

import re
import shutil

from sqlalchemy import select

from steward.identity.models import Account, Person
from steward.rights.models import RightsRequest
from tests.conftest import EXAMPLES
from tests.rights.work import db


def use_example(data_dir, name: str) -> None:
    """Make `name` (a file of examples/) the policy; ask for it before `app`."""
    shutil.copyfile(EXAMPLES / name, data_dir / "policy.yaml")


def person_of(app, person_id: str) -> Person:
    with db(app) as session:
        person = session.get_one(Person, person_id)
        session.expunge(person)
        return person


def account_of(app, person_id: str) -> Account:
    with db(app) as session:
        account = session.scalars(select(Account).where(Account.person_id == person_id)).one()
        session.expunge(account)
        return account


def requests_of(app, person_id: str) -> list[RightsRequest]:
    with db(app) as session:
        found = list(
            session.scalars(select(RightsRequest).where(RightsRequest.person_id == person_id))
        )
        for request in found:
            session.expunge(request)
        return found


def cancel_token(mailbox, address: str) -> str:
    for message in reversed(mailbox.to(address)):
        body = message.get_payload(decode=True).decode()
        found = re.search(r"/account/cancel-erasure\?token=([A-Za-z0-9_\-]+)", body)
        if found:
            return found.group(1)
    raise AssertionError(f"no cancel link mailed to {address}")


def body_of_last(mailbox, address: str, subject: str) -> str:
    found = [m for m in mailbox.to(address) if m["Subject"] == subject]
    assert found, f"no mail '{subject}' to {address}"
    return found[-1].get_payload(decode=True).decode()
