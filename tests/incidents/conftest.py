"""Fixtures and helpers for the breach register's tests: the team (the privacy officer is
`team["privacy_officer"]`), a policy chosen among the examples before the app starts, and
recording an incident through the API as the officer does."""

import shutil
from datetime import timedelta
from typing import Any

import pytest

from steward.core import clock
from tests.conftest import EXAMPLES
from tests.desk.team import Team


@pytest.fixture
def team(admin, mailbox, new_client) -> Team:
    return Team(admin, mailbox, new_client)


def use_example(data_dir, name: str) -> None:
    """Serve the policy of example `name` (ask for it before the app starts)."""
    shutil.copyfile(EXAMPLES / f"{name}.yaml", data_dir / "policy.yaml")


def hours_ago(hours: float) -> str:
    return (clock.now() - timedelta(hours=hours)).isoformat()


def new(officer, title: str = "Laptop stolen from a technician's car", **fields: Any) -> dict:
    """Record a breach through the API; returns the record."""
    body = {"title": title, "aware_at": hours_ago(1), **fields}
    answer = officer.post("/api/v1/dpo/incidents", json=body)
    assert answer.status_code == 201, answer.text
    return answer.json()


def duties(record: dict) -> dict[str, str]:
    """The record's duties by key, each to its state."""
    return {d["key"]: d["state"] for d in record["duties"]}
