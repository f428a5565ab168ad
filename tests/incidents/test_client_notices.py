"""Telling the client controllers whose processor the business is (X6; GDPR Art. 33(2)): the
officer ticks the clients an incident involved on the notices tab (or names them to the API
and the CLI), each is mailed once through the rights outbox at the address in its contact,
the clients not chosen get nothing, and a client gone from the policy fails cleanly."""

import pytest
from sqlalchemy import select

from steward.rights.models import OutboxMessage
from tests.desk.team import Team
from tests.incidents.conftest import use_example
from tests.incidents.kit import TAKEN, freeze, incident
from tests.rights.intake_kit import steward
from tests.rights.test_officer_pages import shown
from tests.rights.work import db
from tests.web.page_helpers import post_form

WILLAMETTE = "Willamette Valley Legal Partners LLP"
PEARL = "Pearl District Architects PC"
BREACH_AT_PROCESSOR = "Personal data breach at your processor"


def breach_mails(mailbox, to: str) -> list:
    return [m for m in mailbox.to(to) if BREACH_AT_PROCESSOR in m["Subject"]]


def body(message) -> str:
    return message.get_payload(decode=True).decode()


@pytest.fixture
def printo_gens(data_dir) -> None:
    use_example(data_dir, "printo-gens")  # a processor for two law and architecture firms


def ready(admin, mailbox, new_client, app) -> tuple:
    """The officer, and an incident whose list is frozen with one person."""
    team = Team(admin, mailbox, new_client)
    officer = team["privacy_officer"]
    account = officer.get("/api/v1/me").json()["account_id"]
    incident_id = incident(app, account)
    freeze(app, incident_id, {team.customer("ada")[1]: "gdpr"})
    return officer, incident_id


@pytest.mark.promise("X6")
def test_the_client_the_officer_ticks_is_mailed_once_and_no_other(
    printo_gens, admin, mailbox, new_client, app, identity_settings
):
    officer, incident_id = ready(admin, mailbox, new_client, app)
    page = officer.get(f"/dpo/incidents/{incident_id}/notices")
    assert "Client controllers this incident involved" in shown(page.text)
    assert WILLAMETTE in page.text and PEARL in page.text
    asked = officer.get(f"/dpo/incidents/{incident_id}/notices/send?client=0")
    assert f"And the client controllers chosen, whose processor we are: {WILLAMETTE}." in shown(
        asked.text
    )
    sent = post_form(officer, f"/dpo/incidents/{incident_id}/notices/send", {"client": "0"})
    assert "The notices are queued" in sent.text
    assert not breach_mails(mailbox, "privacy@wvlegalpartners.com")  # the outbox sends
    ran = steward(identity_settings, "rights", "run")
    assert ran.exit_code == 0, ran.output

    (told,) = breach_mails(mailbox, "privacy@wvlegalpartners.com")
    words = body(told)
    assert "INC-2031-0001" in told["Subject"] and "Printo Gens" in told["Subject"]
    assert "we process personal data for you as your processor" in words.lower()
    assert "this breach may involve data we hold for you" in words
    assert "A laptop of one of our agents was stolen" in words and TAKEN in words
    assert "Categories of personal data involved:" in words
    assert "ada@example.com" not in words
    assert not breach_mails(mailbox, "privacy@pearlarchitects.com")  # not ticked

    notices = officer.get(f"/api/v1/dpo/incidents/{incident_id}/notices").json()
    clients = [t for t in notices["told"] if t["client"]]
    assert [(t["name"], bool(t["delivered_at"])) for t in clients] == [(WILLAMETTE, True)]
    page = shown(officer.get(f"/dpo/incidents/{incident_id}/notices").text)
    assert f"{WILLAMETTE} (client controller): told" in page

    again = officer.post(
        f"/api/v1/dpo/incidents/{incident_id}/notices", json={"clients": [WILLAMETTE, 0]}
    )
    assert again.status_code == 202 and again.json()["clients"] == []
    assert steward(identity_settings, "rights", "run").exit_code == 0
    assert len(breach_mails(mailbox, "privacy@wvlegalpartners.com")) == 1  # never twice
    unknown = officer.post(f"/api/v1/dpo/incidents/{incident_id}/notices", json={"clients": [7]})
    assert unknown.status_code == 422 and "no client 7" in unknown.json()["detail"]


@pytest.mark.promise("X6")
def test_a_client_removed_from_the_policy_fails_cleanly(
    printo_gens, admin, mailbox, new_client, app, identity_settings, data_dir
):
    officer, incident_id = ready(admin, mailbox, new_client, app)
    sent = officer.post(f"/api/v1/dpo/incidents/{incident_id}/notices", json={"clients": [PEARL]})
    assert sent.status_code == 202 and sent.json()["clients"] == [PEARL]
    policy = data_dir / "policy.yaml"
    text = policy.read_text()  # the client's entry is the last of processing_for_clients
    start, end = text.index(f"  - client: {PEARL}"), text.index("# X6: the seed protects")
    policy.write_text(text[:start] + "\n" + text[end:])
    assert steward(identity_settings, "rights", "run").exit_code == 0
    assert not breach_mails(mailbox, "privacy@pearlarchitects.com")
    with db(app) as session:
        message = session.scalar(
            select(OutboxMessage).where(OutboxMessage.processor == f"client:{PEARL}")
        )
        assert message.delivered_at is None and message.attempts == 1
        assert message.last_error == "the client is no longer in the policy"


@pytest.mark.promise("X6")
def test_a_policy_with_no_clients_shows_no_such_fieldset(data_dir, admin, mailbox, new_client, app):
    use_example(data_dir, "houston-generator")
    officer, incident_id = ready(admin, mailbox, new_client, app)
    page = officer.get(f"/dpo/incidents/{incident_id}/notices")
    assert page.status_code == 200 and "Send to 1 person" in shown(page.text)
    assert "Client controllers" not in page.text and 'name="client"' not in page.text
    refused = officer.post(f"/api/v1/dpo/incidents/{incident_id}/notices", json={"clients": [0]})
    assert refused.status_code == 422 and "no client 0" in refused.json()["detail"]
    assert (
        officer.get(f"/api/v1/dpo/incidents/{incident_id}/notices").json()["counts"]["pending"] == 0
    )  # nothing half-applied
    sent = officer.post(f"/api/v1/dpo/incidents/{incident_id}/notices")  # no body: as before
    assert sent.status_code == 202 and sent.json()["queued"] == 1


@pytest.mark.promise("X6")
def test_the_cli_tells_a_client_once(
    printo_gens, admin, mailbox, new_client, app, identity_settings
):
    ready(admin, mailbox, new_client, app)
    wrong = steward(
        identity_settings, "incident", "notify", "INC-2031-0001", "--yes", "--client", "Nobody LLC"
    )
    assert wrong.exit_code == 1 and "no client 'Nobody LLC'" in wrong.output
    sent = steward(
        identity_settings, "incident", "notify", "INC-2031-0001", "--yes", "--client", PEARL
    )
    assert sent.exit_code == 0, sent.output
    assert f"clients told: {PEARL}" in sent.output
    assert len(breach_mails(mailbox, "privacy@pearlarchitects.com")) == 1
    again = steward(
        identity_settings, "incident", "notify", "INC-2031-0001", "--yes", "--client", PEARL
    )
    assert again.exit_code == 0 and "clients told" not in again.output
    assert len(breach_mails(mailbox, "privacy@pearlarchitects.com")) == 1
    assert not breach_mails(mailbox, "privacy@wvlegalpartners.com")


@pytest.fixture
def no_address(data_dir) -> None:
    """Printo Gens, with the first client reachable only by telephone."""
    use_example(data_dir, "printo-gens")
    policy = data_dir / "policy.yaml"
    by_phone = "Office Manager, by telephone on (503) 555-0100"
    policy.write_text(
        policy.read_text().replace("Office Manager, privacy@wvlegalpartners.com", by_phone)
    )


@pytest.mark.promise("X6")
def test_a_client_whose_contact_holds_no_address_is_reported_unreachable(
    no_address, admin, mailbox, new_client, app
):
    officer, incident_id = ready(admin, mailbox, new_client, app)
    sent = post_form(officer, f"/dpo/incidents/{incident_id}/notices/send", {"client": "0"})
    assert "has no email address in its contact" in shown(sent.text)
    api = officer.post(f"/api/v1/dpo/incidents/{incident_id}/notices", json={"clients": [0]})
    assert api.json()["clients_unreachable"] == [WILLAMETTE] and api.json()["clients"] == []
    assert [
        t
        for t in officer.get(f"/api/v1/dpo/incidents/{incident_id}/notices").json()["told"]
        if t["client"]
    ] == []


def test_once_everyone_and_every_client_is_told_nothing_is_left_to_send(
    printo_gens, admin, mailbox, new_client, app
):
    officer, incident_id = ready(admin, mailbox, new_client, app)
    sent = officer.post(
        f"/api/v1/dpo/incidents/{incident_id}/notices", json={"clients": [WILLAMETTE]}
    )
    assert sent.json()["queued"] == 1 and sent.json()["clients"] == [WILLAMETTE]
    page = officer.get(f"/dpo/incidents/{incident_id}/notices").text
    assert "Tell the chosen clients" in page  # Pearl District is still to choose
    assert f"{WILLAMETTE} (told)" in shown(page)
    officer.post(f"/api/v1/dpo/incidents/{incident_id}/notices", json={"clients": [PEARL]})
    page = officer.get(f"/dpo/incidents/{incident_id}/notices").text
    assert "Tell the chosen clients" not in page and 'name="client"' not in page
    assert f"{PEARL} (client controller): waiting to be sent" in shown(page)


@pytest.mark.promise("X6")
def test_a_client_is_told_before_anything_is_decided_for_the_people(
    printo_gens, admin, mailbox, new_client, app, identity_settings
):
    team = Team(admin, mailbox, new_client)
    officer = team["privacy_officer"]
    account = officer.get("/api/v1/me").json()["account_id"]
    undecided = incident(app, account, notify_people=None)  # no list frozen either
    page = shown(officer.get(f"/dpo/incidents/{undecided}/notices").text)
    assert "Client controllers this incident involved" in page and "Send to" not in page
    api = f"/api/v1/dpo/incidents/{undecided}/notices"
    nobody = officer.post(api)
    assert nobody.status_code == 409 and "Freeze the list" in nobody.json()["detail"]
    sent = post_form(officer, f"/dpo/incidents/{undecided}/notices/send", {"client": "0"})
    assert sent.status_code == 200, sent.text
    assert officer.get(api).json()["counts"]["pending"] == 0  # no person queued
    assert steward(identity_settings, "rights", "run").exit_code == 0
    assert len(breach_mails(mailbox, "privacy@wvlegalpartners.com")) == 1
