"""Fixtures shared by the rights tests: the team of signed-in browsers (the privacy officer is
`team["privacy_officer"]`), and helpers to ask and verify through the public API."""

import re

import pytest
import yaml

from tests.desk.team import Team
from tests.rights.intake_kit import Officer


@pytest.fixture
def team(admin, mailbox, new_client) -> Team:
    return Team(admin, mailbox, new_client)


@pytest.fixture
def officer(admin, mailbox, new_client) -> Officer:
    """The privacy officer, made before any test freezes the clock; call `again()` inside."""
    return Officer(admin, mailbox, new_client)


@pytest.fixture
def access_extension(data_dir):
    """The default policy with a 60-day extension for access, as the GDPR allows (its seed
    offers none). Ask for it before `app`."""
    path = data_dir / "policy.yaml"
    policy = yaml.safe_load(path.read_text())
    policy["rights"]["access"]["extension_days"] = 60
    path.write_text(yaml.safe_dump(policy, sort_keys=False))
    return data_dir


def ask(browser, kind: str, email: str | None = None, **fields) -> dict:
    """Open a request through POST /api/v1/rights; returns its answer (reference, due_at...)."""
    body = {"kind": kind, **fields}
    if email is not None:
        body["email"] = email
    answer = browser.post("/api/v1/rights", json=body)
    assert answer.status_code == 202, answer.text
    return answer.json()


def code_in_last(mailbox, address: str) -> str:
    """The six-digit verification code in the last mail to `address`."""
    body = mailbox.last_to(address).get_payload(decode=True).decode()
    match = re.search(r"\b(\d{6})\b", body)
    assert match, f"no code in the last mail to {address}"
    return match.group(1)


def verify_by_code(browser, mailbox, reference: str, address: str):
    code = code_in_last(mailbox, address)
    return browser.post(f"/api/v1/rights/{reference}/verify", json={"code": code})
