"""`steward rights list|show|run|digest`, run as an operator runs them."""

from datetime import timedelta

import pytest

from steward.core import clock
from tests.rights.conftest import ask
from tests.rights.intake_kit import START, body_of, steward


def test_every_rights_command_has_help(identity_settings):
    for command in ("list", "show", "run", "digest"):
        result = steward(identity_settings, "rights", command, "--help")
        assert result.exit_code == 0 and "Usage:" in result.output, command


def test_list_and_show_give_references_kinds_and_dates_without_personal_data(
    team, identity_settings
):
    with clock.frozen_at(START):
        ada, _ = team.customer("ada")
        access = ask(ada, "access", details="My generator's service history, please.")
        listed = steward(identity_settings, "rights", "list")
        assert listed.exit_code == 0, listed.output
        assert access["reference"] in listed.output and "access" in listed.output
        assert "due 2031-04-02 09:00" in listed.output and "1 request" in listed.output
        shown = steward(identity_settings, "rights", "show", access["reference"].lower())
        assert shown.exit_code == 0, shown.output
        assert "received   2031-03-03 09:00" in shown.output
        assert "verified" in shown.output and "session" in shown.output
        for private in ("ada@", "lovelace", "generator"):
            assert private not in (listed.output + shown.output).lower()
        unknown = steward(identity_settings, "rights", "show", "PR-AAAA-AAAA")
        assert unknown.exit_code == 1
        assert "error: There is no request with this reference." in unknown.output


@pytest.mark.promise("R7")
def test_run_lapses_requests_nobody_verified_in_time_and_tells_the_address(
    team, mailbox, new_client, identity_settings
):
    with clock.frozen_at(START):
        team.customer("ada")
        stale = ask(new_client(), "access", "ada@example.com")
        clock.advance(timedelta(days=29))
        early = steward(identity_settings, "rights", "run")
        assert early.exit_code == 0, early.output
        assert "lapsed: 0 requests" in early.output
        clock.advance(timedelta(days=1, seconds=1))
        result = steward(identity_settings, "rights", "run")
        assert result.exit_code == 0, result.output
        assert "lapsed: 1 request" in result.output
        assert "erased: 0 requests" in result.output
        assert "notices to recipients: 0 delivered" in result.output
        status = new_client().get(f"/api/v1/rights/{stale['reference']}").json()
        assert status["status"] == "lapsed" and status["outcome"] == "lapsed"
        assert "not confirmed in time" in body_of(mailbox.last_to("ada@example.com"))
        closed = steward(identity_settings, "rights", "list")
        assert "no open requests" in closed.output
        every = steward(identity_settings, "rights", "list", "--all")
        assert stale["reference"] in every.output
