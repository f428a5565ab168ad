"""A policy that stops a core desk function (issue 16, point 12): `policy check` warns with
the line of the declaration, and the desk says in plain words what did not happen. The
policy is a copy of the default example whose notification preferences serve only a
consent-based convenience purpose: nobody may read them to decide whether to mail a person,
and customers may not keep them."""

import re
import shutil
from pathlib import Path

import pytest

from steward.cli import app as cli_app
from tests.conftest import DEFAULT_EXAMPLE
from tests.web.page_helpers import post_form


def stopped(text: str) -> str:
    start = text.index("purposes: [", text.index("\n  user.preferences:"))
    end = text.index("]", start)
    return text[:start] + "purposes: [functional.preferences]" + text[end + 1 :]


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    (tmp_path / "policy.yaml").write_text(stopped(DEFAULT_EXAMPLE.read_text()))
    return tmp_path


def test_policy_check_warns_at_the_line_that_stops_mail_and_preferences(cli, tmp_path):
    path = tmp_path / "policy.yaml"
    shutil.copyfile(DEFAULT_EXAMPLE, path)
    assert "cannot email" not in cli.invoke(cli_app, ["policy", "check", str(path)]).stdout
    text = stopped(DEFAULT_EXAMPLE.read_text())
    path.write_text(text)
    line = text[: text.index("purposes: [functional.preferences]")].count("\n") + 1

    result = cli.invoke(cli_app, ["policy", "check", str(path)])

    assert result.exit_code == 0  # a warning: the desk runs, and says what it cannot do
    out = result.stdout + result.stderr
    assert f"{path}:{line}: warning: The desk cannot email customers about their tickets" in out
    assert f"{path}:{line}: warning: Customers cannot see or change their notification" in out


def test_a_reply_that_cannot_be_mailed_is_never_reported_as_sent(team, mailbox):
    ada, _ = team.customer("ada")
    opened = ada.post("/api/v1/tickets", json={"subject": "No power", "body": "Dead since noon."})
    assert opened.status_code == 201, opened.text
    ticket = opened.json()["id"]
    before = len(mailbox.to("ada@example.com"))

    page = post_form(
        team["agent"],
        f"/desk/tickets/{ticket}/messages",
        {"body": "A technician is on the way.", "visibility": "public"},
    )

    assert page.status_code == 200
    assert mailbox.to("ada@example.com")[before:] == []
    assert "Your reply is sent." not in page.text
    assert (
        "Your reply is saved; the customer was not emailed because the privacy policy does not "
        "allow reading their notification preferences to decide whether to email them."
    ) in page.text
    assert "A technician is on the way." in page.text  # saved all the same


def test_customers_are_told_plainly_whom_to_write_to_for_their_preferences(team):
    ada, _ = team.customer("ada")

    api = ada.get("/api/v1/me/preferences")
    changed = ada.put("/api/v1/me/preferences", json={"ticket_updates": False})
    account = ada.get("/portal/account")

    assert api.status_code == 403 and changed.status_code == 403
    detail = api.json()["detail"]
    assert detail.startswith("Your notification preferences cannot be changed online")
    assert "write to privacy@" in detail
    assert not re.search(r"'?(user|functional|essential)\.", detail)
    assert account.status_code == 200 and "cannot be changed online" in account.text
    assert "user.preferences" not in account.text and "functional.preferences" not in account.text
