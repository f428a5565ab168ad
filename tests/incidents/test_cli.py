"""X6: `steward incident list|new|show|update|close`, as the privacy officer runs them at a
terminal: each mistake is one line and exit 1, and nothing of a refused change is kept."""

import pytest

from tests.incidents.conftest import hours_ago
from tests.rights.intake_kit import steward

pytestmark = pytest.mark.promise("X6")
BY = ("--by", "privacy_officer@example.com")


def run(settings, *args: str):
    return steward(settings, "incident", *args)


def refused(result, words: str) -> None:
    """Exit 1 with one line naming what is wrong."""
    assert result.exit_code == 1, result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and words in lines[0], result.stderr


def test_an_officer_keeps_the_register_from_the_terminal(team, identity_settings):
    team["privacy_officer"]  # the officer's account
    made = run(
        identity_settings,
        "new",
        "--title",
        "Backup disk lost",
        "--aware-at",
        hours_ago(80),
        "--set",
        "categories=user.account,user.financial",
        "--set",
        "jurisdictions=gdpr",
        *BY,
    )
    assert made.exit_code == 0, made.output
    reference = made.output.split()[1]
    assert reference.startswith("INC-")
    listed = run(identity_settings, "list", *BY).output
    assert reference in listed and "OVERDUE" in listed and "1 incident" in listed
    shown = run(identity_settings, "show", reference.lower(), *BY).output
    assert "categories: user.account, user.financial" in shown
    assert "duty authority:gdpr" in shown and "OVERDUE" in shown

    changed = run(
        identity_settings,
        "update",
        reference,
        "--set",
        "data_context=3",
        "--set",
        "identification=0.75",
        "--set",
        "circumstances=confidentiality:0.5",
        *BY,
    )
    assert changed.exit_code == 0, changed.output
    assert "severity: high (2.75)" not in changed.output  # 3 x 0.75 + 0.5 = 2.75: medium
    assert "severity: medium (2.75)" in changed.output

    refused(run(identity_settings, "close", reference, *BY), "Before closing, record the decision")
    decided = run(
        identity_settings,
        "update",
        reference,
        "--set",
        "notify_authority=yes",
        "--set",
        "authority_reason=Bank details",
        "--set",
        "notify_people=no",
        "--set",
        "people_reason=Medium risk only",
        *BY,
    )
    assert decided.exit_code == 0, decided.output
    assert "notify authority: yes" in decided.output
    closed = run(identity_settings, "close", reference, "--note", "Disk found", *BY)
    assert closed.exit_code == 0 and f"closed {reference}" in closed.output
    assert "no incidents" not in run(identity_settings, "list", "--all", *BY).output


def test_bad_input_is_one_line_and_nothing_is_kept(team, identity_settings):
    team["privacy_officer"]
    team["agent"]
    made = run(identity_settings, "new", "--title", "Lost phone", "--aware-at", hours_ago(1), *BY)
    reference = made.output.split()[1]
    for args, words in (
        (("update", reference, "--set", "categories=user.health"), "no category 'user.health'"),
        (("update", reference, "--set", "colour=red"), "colour: Extra inputs are not permitted"),
        (("update", reference, "--set", "notify_people=maybe"), "notify_people is yes or no"),
        (("update", reference, "--set", "people_count"), "'people_count' is not name=value"),
        (("update", reference, "--set", "people_count=many"), "people_count"),
        (("update", "INC-1999-0001", "--set", "title=x"), "There is no incident INC-1999-0001"),
        (("new", "--title", "x", "--aware-at", "yesterday"), "aware_at"),
    ):
        refused(run(identity_settings, *args, *BY), words)
    refused(
        run(identity_settings, "list", "--by", "agent@example.com"),
        "is not an active privacy officer's account",
    )
    shown = run(identity_settings, "show", reference, *BY).output
    assert "categories: -" in shown and "people: ?" in shown
