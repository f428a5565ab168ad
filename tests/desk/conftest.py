"""Fixtures shared by the desk's HTTP tests."""

import pytest

from tests.desk.team import Team


@pytest.fixture
def team(admin, mailbox, new_client) -> Team:
    return Team(admin, mailbox, new_client)
