"""Fixtures for the incident tests: the team of signed-in browsers (the privacy officer is
`team["privacy_officer"]`, privacy_officer@example.com)."""

import pytest

from tests.desk.team import Team


@pytest.fixture
def team(admin, mailbox, new_client) -> Team:
    return Team(admin, mailbox, new_client)
