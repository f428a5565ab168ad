"""Helpers for the consent tests: posting a banner choice and reading the ledger directly."""

import uuid

from sqlalchemy import select

from steward.consent import banner
from steward.consent.models import ConsentEvent, UsageEvent
from steward.policy.service import read_active
from tests.conftest import DEFAULT_EXAMPLE

VERSION = "1.0"
TEXT = banner.config(read_active(DEFAULT_EXAMPLE).policy)[1]  # what the banner shows


def choose(browser, choices: dict, *, browser_id: str | None = None, headers=None, **extra):
    """POST the banner's choice as the banner does, with the version and text hash the
    server's config.json gives; returns the answer (checked to be 200)."""
    shown = browser.get("/consent/config.json").json()
    body = {
        "choices": choices,
        "policy_version": shown["policy_version"],
        "text_sha256": shown["text_sha256"],
        **extra,
    }
    if browser_id is not None:
        body["browser_id"] = browser_id
    answer = browser.post("/api/v1/consent", json=body, headers=headers or {})
    assert answer.status_code == 200, answer.text
    return answer.json()


def new_browser_id() -> str:
    return str(uuid.uuid4())


def ledger_rows(app, owner: str) -> list[ConsentEvent]:
    with app.state.sessions() as session:
        query = select(ConsentEvent).where(ConsentEvent.owner_id == owner)
        rows = list(session.scalars(query.order_by(ConsentEvent.at, ConsentEvent.id)))
        session.expunge_all()
        return rows


def usage_rows(app, browser_id: str) -> list[UsageEvent]:
    with app.state.sessions() as session:
        rows = list(session.scalars(select(UsageEvent).where(UsageEvent.browser_id == browser_id)))
        session.expunge_all()
        return rows
