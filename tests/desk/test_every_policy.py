"""The desk under each of the five example policies (issue 16, point 12), on SQLite and
PostgreSQL: a customer opens a ticket, an agent replies and the customer gets the mail, a
call is logged, agents work with devices where the business keeps them (and are told plainly
where it does not), the customer reads and changes their preferences; the banner's
configuration and a retention plan answer. Where the policy stops a core function, `policy
check` names the declaration (steward.policy.serviceable.desk_findings) and the pages say
what happened in plain words, never in the policy's keys."""

import re
import shutil
from pathlib import Path

import pytest
import yaml

from steward.policy.schema import Policy
from steward.policy.serviceable import (
    DEVICE,
    EMAIL,
    PREFERENCES,
    desk_findings,
    keeps_devices,
    mail_purposes,
    preference_purpose,
    records_calls,
)
from tests.conftest import DEFAULT_EXAMPLE, EXAMPLE_FILES
from tests.web.page_helpers import post_form

NOT_RECORDED = "This business does not record calls under its privacy policy."
NO_INVENTORY = "This business does not keep a device inventory under its privacy policy."
# A policy key on a page: 'user.device', 'essential.service.support' and the like.
KEY = re.compile(r"\b(user|system|essential|functional|marketing|analytics|operations)\.[a-z_]")


@pytest.fixture(params=EXAMPLE_FILES, ids=lambda p: p.stem)
def example(request: pytest.FixtureRequest) -> Path:
    return request.param


@pytest.fixture
def data_dir(tmp_path: Path, example: Path) -> Path:
    """The chosen example as the data directory's policy.yaml."""
    shutil.copyfile(example, tmp_path / "policy.yaml")
    return tmp_path


def policy_of(example: Path) -> Policy:
    """The example as the schema reads it, before any cross-reference check."""
    return Policy.model_validate(yaml.safe_load(example.read_text()))


def no_keys(text: str) -> None:
    shown = re.sub(r"<[^>]+>", " ", text)  # what a person reads, not the markup
    assert not KEY.search(shown), KEY.search(shown)


def test_the_names_here_are_the_desk_tables_categories():
    import steward.models  # noqa: F401
    from steward.core.db import Base

    declared = {
        c.info["category"]
        for t in Base.metadata.tables.values()
        for c in t.c
        if "category" in c.info
    }
    assert {EMAIL, PREFERENCES, *DEVICE} <= declared


def test_the_desk_works_under_every_example_or_policy_check_says_why(example, team, mailbox, app):
    policy = policy_of(example)
    findings = [sentence for _path, sentence in desk_findings(policy)]
    ada, ada_id = team.customer("ada")
    opened = ada.post(
        "/api/v1/tickets", json={"subject": "The screen stays dark", "body": "Since 9 am."}
    )
    assert opened.status_code == 201, opened.text
    ticket = opened.json()["id"]
    agent = team["agent"]

    # The agent replies from the ticket page; the customer gets the reply, or the page says
    # why not, and policy check names the declaration.
    before = len(mailbox.to("ada@example.com"))
    replied = post_form(
        agent,
        f"/desk/tickets/{ticket}/messages",
        {"body": "We are looking at it now.", "visibility": "public"},
    )
    assert replied.status_code == 200, replied.text
    mails = mailbox.to("ada@example.com")[before:]
    if mail_purposes(policy):
        assert len(mails) == 1
        assert "We are looking at it now." in mails[0].get_payload(decode=True).decode()
        assert "Your reply is sent." in replied.text
    else:
        assert mails == []
        assert "Your reply is sent." not in replied.text
        assert "Your reply is saved; the customer was not emailed because" in replied.text
        assert any(s.startswith("The desk cannot email customers") for s in findings)
    no_keys(replied.text)

    # A call is logged against the ticket.
    call = agent.post(
        "/api/v1/calls",
        json={
            "person_id": ada_id,
            "number": "+14155552671",
            "direction": "inbound",
            "duration_seconds": 90,
            "recording_notice_played": False,
            "ticket_id": ticket,
            "notes": "Walked through a restart.",
        },
    )
    assert call.status_code == 201, call.text
    call_page = agent.get(f"/desk/calls/{call.json()['id']}")
    assert call_page.status_code == 200

    # A recording is kept only where the policy declares call recordings (D6).
    heard = agent.post(
        "/api/v1/calls",
        json={
            "person_id": ada_id,
            "number": "+14155552671",
            "direction": "inbound",
            "duration_seconds": 30,
            "recording_notice_played": True,
        },
    )
    assert heard.status_code == 201, heard.text
    stored = agent.post(
        f"/api/v1/calls/{heard.json()['id']}/recording",
        files={"file": ("call.wav", b"RIFF0000WAVE", "audio/wav")},
    )
    if records_calls(policy):
        assert stored.status_code == 201, stored.text
    else:
        assert stored.status_code == 422
        assert stored.json()["detail"] == NOT_RECORDED
        assert "Hand over the recording" not in agent.get(f"/desk/calls/{heard.json()['id']}").text

    # Devices: worked with where the business keeps them, said plainly where it does not.
    home = agent.get("/desk")
    if keeps_devices(policy):
        made = agent.post(
            "/api/v1/devices",
            json={"type": "workstation", "person_id": ada_id, "hostname": "ws-ada"},
        )
        assert made.status_code == 201, made.text
        page = agent.get(f"/desk/devices/{made.json()['id']}")
        assert page.status_code == 200 and "ws-ada" in page.text
        assert 'href="/desk/devices"' in home.text
    else:
        page = agent.get("/desk/devices")
        assert page.status_code == 404 and NO_INVENTORY in page.text
        no_keys(page.text)
        assert 'href="/desk/devices"' not in home.text
        api = agent.get("/api/v1/devices")
        assert api.status_code == 404 and api.json()["detail"] == NO_INVENTORY

    # Billing: offered in the nav only where the business bills, to the roles it names.
    bills = "essential.service.billing" in policy.purposes
    assert ('href="/portal/billing"' in ada.get("/portal").text) == bills
    owner = team.admin.get("/desk").text
    assert ('href="/desk/billing"' in owner) == (
        bills and "admin" in policy.purposes["essential.service.billing"].roles
    )

    # The customer reads and changes their preferences, or is told plainly whom to write to.
    read = ada.get("/api/v1/me/preferences")
    account = ada.get("/portal/account")
    assert account.status_code == 200
    no_keys(account.text)
    if preference_purpose(policy):
        assert read.status_code == 200 and read.json()["ticket_updates"] is True
        changed = ada.put("/api/v1/me/preferences", json={"ticket_updates": False})
        assert changed.status_code == 200, changed.text
        assert ada.get("/api/v1/me/preferences").json()["ticket_updates"] is False
    else:
        assert read.status_code == 403
        no_keys(read.json()["detail"])
        assert policy.controller.privacy_contact in read.json()["detail"]
        assert "cannot be changed online" in account.text
        assert any(s.startswith("Customers cannot see or change") for s in findings)

    # The banner's configuration and the retention plan answer under every policy.
    assert ada.get("/consent/config.json").status_code == 200
    plan = team["privacy_officer"].get("/api/v1/dpo/retention/plan")
    assert plan.status_code == 200, plan.text
    assert set(plan.json()) == {"now", "next_30_days"}


def test_a_policy_that_serves_the_desk_has_no_desk_finding():
    assert list(desk_findings(policy_of(DEFAULT_EXAMPLE))) == []


def test_policy_check_names_the_declaration_that_stops_mail_and_preferences():
    data = yaml.safe_load(DEFAULT_EXAMPLE.read_text())
    data["categories"]["user.preferences"]["purposes"] = ["functional.preferences"]
    findings = dict(desk_findings(Policy.model_validate(data)))
    place = ("categories", "user.preferences", "purposes")
    assert list(findings) == [place]  # one place, both sentences (dict keeps the last)
    sentences = [s for path, s in desk_findings(Policy.model_validate(data)) if path == place]
    assert sentences[0].startswith("The desk cannot email customers about their tickets")
    assert "'functional.preferences'" in sentences[0]
    assert sentences[1].startswith("Customers cannot see or change their notification")


def test_a_business_without_devices_is_no_finding_but_half_a_device_is():
    data = yaml.safe_load(DEFAULT_EXAMPLE.read_text())
    data["categories"]["user.device"]["purposes"] = ["essential.service.security"]
    without = Policy.model_validate(data)
    assert not keeps_devices(without) and list(desk_findings(without)) == []
    data = yaml.safe_load(DEFAULT_EXAMPLE.read_text())
    data["categories"]["user.device"]["includes"] = ["user.device.hostname"]
    data["categories"]["serials"] = {
        **data["categories"]["user.device"],
        "includes": ["user.device.serial_number"],
        "purposes": ["essential.service.security"],
    }
    half = list(desk_findings(Policy.model_validate(data)))
    assert [path for path, _ in half] == [("categories", "serials", "purposes")]
    assert "'user.device.serial_number'" in half[0][1]
