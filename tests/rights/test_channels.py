"""The ways in besides the privacy center's form: the portal and account settings through the
API (signed in, about oneself), a mail to the privacy or DPO address, and a request the
privacy officer logs for a call, a letter or a visit; and the privacy center naming the other
ways when the policy does not offer its form."""

from datetime import UTC, datetime, timedelta

import pytest
import yaml

from steward.core import clock
from steward.policy.channels import CHANNEL_VERIFICATION, servable
from tests.conftest import EXAMPLES
from tests.people import PASSWORD
from tests.rights.channels_kit import (
    ingest,
    log_on_page,
    mail,
    steward_with_input,
    use_example,
)
from tests.rights.conftest import verify_by_code
from tests.rights.intake_kit import body_of
from tests.rights.work import fulfil

IT_SHOP = EXAMPLES / "it-support-shop.yaml"
PRINTO = EXAMPLES / "printo-gens.yaml"


@pytest.fixture
def it_shop(data_dir):
    """The IT support shop's policy: rights by email, phone and post only. Before `app`."""
    return use_example(data_dir, IT_SHOP)


@pytest.fixture
def printo(data_dir):
    """The print provider's policy: access by email, post and portal. Before `app`."""
    return use_example(data_dir, PRINTO)


def test_each_channel_names_what_it_can_check():
    assert servable("privacy_center", ["session"])
    assert servable("portal", ["password"]) and not servable("portal", ["data_points"])
    assert not servable("email", ["session", "password"])
    assert servable("phone", ["document"]) and not servable("post", ["session"])
    assert set(CHANNEL_VERIFICATION) == {
        "privacy_center",
        "portal",
        "account_settings",
        "email",
        "phone",
        "post",
        "in_person",
    }


@pytest.mark.promise("R7")
def test_the_privacy_center_names_the_other_ways_when_it_has_no_form(it_shop, client):
    page = client.get("/privacy/center")
    assert page.status_code == 200
    assert "/privacy/center/new?kind=" not in page.text  # no right is asked on the web
    assert "Write to privacy@kingswayit.co.uk" in page.text
    assert "Call +44 118 496 0321" in page.text
    assert "Reading RG1 4PX" in page.text  # the postal address
    form = client.get("/privacy/center/new")
    assert '<form method="post" action="/privacy/center/new"' not in form.text
    assert "Write to privacy@kingswayit.co.uk" in form.text
    refused = client.post("/api/v1/rights", json={"kind": "access", "email": "a@example.com"})
    assert refused.status_code == 422
    assert "by email, by post" in refused.json()["detail"]


@pytest.mark.promise("R1", "R7")
def test_the_portal_takes_a_signed_in_persons_own_request(printo, team, new_client):
    stranger = new_client()
    asked = stranger.post(
        "/api/v1/rights", json={"kind": "access", "email": "a@example.com", "channel": "portal"}
    )
    assert asked.status_code == 422
    assert "Sign in" in asked.json()["detail"]
    ada, ada_id = team.customer("ada")
    asked = ada.post("/api/v1/rights", json={"kind": "access", "channel": "portal"})
    assert asked.status_code == 202, asked.text
    assert asked.json()["status"] == "open"  # verified by the session
    detail = team["privacy_officer"].get(f"/api/v1/dpo/requests/{asked.json()['id']}").json()
    assert detail["channel"] == "portal" and detail["person_id"] == ada_id
    assert detail["verification"] == "session"


@pytest.mark.promise("R5", "R7")
def test_a_portal_request_asking_for_the_password_checks_it(team):
    ada, _ = team.customer("ada")  # the default policy: portability in the portal, password
    wrong = ada.post(
        "/api/v1/rights", json={"kind": "portability", "channel": "portal", "password": "nope"}
    )
    assert wrong.status_code == 422 and "password is wrong" in wrong.json()["detail"]
    asked = ada.post(
        "/api/v1/rights", json={"kind": "portability", "channel": "portal", "password": PASSWORD}
    )
    assert asked.status_code == 202 and asked.json()["status"] == "open", asked.text
    by_code = ada.post("/api/v1/rights", json={"kind": "portability", "channel": "portal"})
    assert by_code.json()["verification"] == ["email_code"]  # no password: a code instead


@pytest.mark.promise("R8")
def test_a_mail_to_the_privacy_address_whose_kind_cannot_be_told_is_an_inquiry(
    team, mailbox, identity_settings
):
    with clock.frozen_at(datetime(2031, 3, 3, 9, 0, tzinfo=UTC)):
        raw = mail("ada@example.com", "privacy@houstongeneratorcompany.com", "Hi", "Hello?", 1)
        reference = ingest(identity_settings, raw)
        status = team.new_client().get(f"/api/v1/rights/{reference}").json()
    assert status["kind"] == "inquiry" and status["status"] == "open"
    received = datetime.fromisoformat(status["received_at"])
    assert datetime.fromisoformat(status["due_at"]) - received == timedelta(hours=48)
    assert "privacy inquiry" in body_of(mailbox.last_to("ada@example.com"))


@pytest.mark.promise("R4", "R8")
def test_a_right_the_policy_does_not_offer_by_mail_is_an_inquiry(team, identity_settings):
    text = "Please restrict the processing of my data."  # restriction: privacy center only
    raw = mail("ada@example.com", "privacy@houstongeneratorcompany.com", "Restrict", text, 2)
    reference = ingest(identity_settings, raw)
    assert team.new_client().get(f"/api/v1/rights/{reference}").json()["kind"] == "inquiry"


@pytest.mark.promise("R1", "R7", "R10")
def test_a_mail_to_the_dpo_opens_the_request_it_asks_for(team, mailbox, identity_settings):
    team.customer("ada")
    text = "I am a California resident and want to know what personal information you hold."
    raw = mail("ada@example.com", "Dana <dpo@houstongeneratorcompany.com>", "CCPA", text, 3)
    reference = ingest(identity_settings, raw)
    status = team.new_client().get(f"/api/v1/rights/{reference}").json()
    assert status["kind"] == "ccpa_know" and status["verification"] == [
        "email_code",
        "data_points",
    ]
    answer = verify_by_code(team.new_client(), mailbox, reference, "ada@example.com")
    assert answer.status_code == 200, answer.text


@pytest.fixture
def no_code_for_access(data_dir):
    """The IT shop's policy where access by email is checked by details or a document only."""
    path = data_dir / "policy.yaml"
    policy = yaml.safe_load(IT_SHOP.read_text())
    policy["rights"]["access"]["verification"] = ["data_points", "document"]
    path.write_text(yaml.safe_dump(policy, sort_keys=False))


@pytest.mark.promise("R1", "R7")
def test_a_mail_request_without_codes_waits_for_details_we_hold(
    no_code_for_access, team, mailbox, identity_settings
):
    team.customer("ada")
    raw = mail("ada@example.com", "privacy@kingswayit.co.uk", "Copy", "A copy of my data?", 5)
    reference = ingest(identity_settings, raw)
    stranger = team.new_client()
    status = stranger.get(f"/api/v1/rights/{reference}").json()
    assert status["kind"] == "access" and status["verification"] == ["data_points", "document"]
    text = body_of(mailbox.last_to("ada@example.com"))
    assert "enter this code" not in text and "with details we hold about you" in text
    points = {"name": "Ada Lovelace", "birth_date": "1990-02-03"}
    answer = stranger.post(f"/api/v1/rights/{reference}/data-points", json=points)
    assert answer.status_code == 200 and answer.json()["status"] == "open", answer.text


def test_a_mail_to_the_support_address_asking_for_a_copy_stays_a_ticket(team, identity_settings):
    team.customer("ada")
    text = "Please send me a copy of my data."
    raw = mail("ada@example.com", "service@houstongeneratorcompany.com", "Copy", text, 4)
    result = steward_with_input(identity_settings, raw)
    assert result.exit_code == 0 and result.output.startswith("ticket "), result.output


@pytest.mark.promise("R8")
def test_a_reply_to_our_mail_about_a_request_joins_that_request(team, mailbox, identity_settings):
    raw = mail("ada@example.com", "privacy@houstongeneratorcompany.com", "Hi", "Hello?", 6)
    reference = ingest(identity_settings, raw)
    acknowledged = mailbox.last_to("ada@example.com")
    assert reference in acknowledged["Subject"]

    answer = "I meant: which of my details do you pass to your card processor?"
    reply = mail(
        "ada@example.com", acknowledged["From"], f"Re: {acknowledged['Subject']}", answer, 7
    )
    result = steward_with_input(identity_settings, reply)
    assert result.output.strip() == f"privacy request {reference}: the reply is added to it"
    officer = team["privacy_officer"]
    found = officer.get("/api/v1/dpo/requests", params={"limit": 200}).json()["items"]
    assert [r["reference"] for r in found].count(reference) == 1 and len(found) == 1
    detail = officer.get(f"/api/v1/dpo/requests/{found[0]['id']}").json()
    assert answer in detail["details"] and "Hello?" in detail["details"]
    assert "mail_received" in [step["step"] for step in detail["timeline"]]

    stranger = mail("eve@example.com", acknowledged["From"], f"Re: {reference}", "Me too", 8)
    assert steward_with_input(identity_settings, stranger).output.startswith("ticket ")


def _log(officer, **fields):
    body = {
        "kind": "erasure",
        "channel": "phone",
        "received": (clock.now() - timedelta(days=10)).date().isoformat(),
        "name": "Ada Lovelace",
        "email": "ada@example.com",
        "checked": "data_points",
        "note": "Name, phone and address matched the account.",
        **fields,
    }
    return officer.post("/api/v1/dpo/requests", json=body)


@pytest.mark.promise("R3", "R7")
def test_a_logged_request_runs_from_the_day_it_was_received(it_shop, team, mailbox, audit_rows):
    _, ada_id = team.customer("ada")
    officer = team["privacy_officer"]
    logged = _log(officer)
    assert logged.status_code == 201, logged.text
    found = logged.json()
    received = datetime.fromisoformat(found["received_at"])
    assert received.date() == (clock.now() - timedelta(days=10)).date()
    assert (received.hour, received.minute) == (0, 0)  # the start of the day received
    assert datetime.fromisoformat(found["due_at"]) == received + timedelta(days=30)
    assert found["status"] == "open" and found["verification"] == "data_points"
    assert found["person_id"] == ada_id and found["channel"] == "phone"
    steps = [t["step"] for t in found["timeline"]]
    assert steps[:2] == ["received", "logged"] and "verified" in steps
    text = body_of(mailbox.last_to("ada@example.com"))
    assert "You asked by phone" in text and "matched your details" in text
    verified = [r for r in audit_rows() if r["action"] == "verify_data_points"]
    assert verified and verified[-1]["person_id"] == ada_id


@pytest.mark.parametrize(
    ("fields", "said"),
    [
        ({"kind": "access", "channel": "phone"}, "cannot be made by phone: the policy offers it"),
        ({"received": "2999-01-01"}, "cannot be in the future"),
        ({"received": "2001-01-01"}, "more than 365 days ago"),
        ({"checked": "document"}, "accepts: a code mailed to the address; details matched"),
        ({"email": None}, "only a letter is answered by post"),
        ({"note": ""}, "how the identity was checked"),
    ],
)
def test_a_logged_request_the_policy_does_not_allow_is_refused(it_shop, team, fields, said):
    answer = _log(team["privacy_officer"], **fields)
    assert answer.status_code == 422, answer.text
    assert said in answer.json()["detail"]


def test_only_the_privacy_officer_logs_a_request(it_shop, team):
    ada, _ = team.customer("ada")
    assert _log(ada).status_code == 403


@pytest.mark.promise("R1", "R7")
def test_a_letter_without_an_email_address_is_answered_by_post(it_shop, team, mailbox):
    _, ada_id = team.customer("ada")
    officer = team["privacy_officer"]
    sent = len(mailbox.messages)
    logged = _log(
        officer,
        kind="access",
        channel="post",
        email=None,
        person_id=ada_id,
        checked="document",
        note="Copy of a passport enclosed with the letter.",
    )
    assert logged.status_code == 201, logged.text
    found = logged.json()
    assert found["person_id"] == ada_id and found["status"] == "open"
    done = fulfil(officer, found["id"])
    assert done.status_code == 200, done.text
    assert done.json()["status"] == "done" and done.json()["token"]  # for the letter
    assert len(mailbox.messages) == sent  # no mail: there is no address


def test_the_officer_logs_a_call_from_the_dpo_page(it_shop, team, mailbox):
    officer = team["privacy_officer"]
    form = officer.get("/dpo/log")
    assert form.status_code == 200 and "Date received" in form.text
    logged = log_on_page(officer)
    assert logged.status_code == 303, logged.text
    answer = officer.get(logged.headers["location"])
    assert answer.status_code == 200, answer.text
    assert "The request is logged" in answer.text and "Asked by phone" in answer.text
    assert "privacy inquiry" in body_of(mailbox.last_to("ada@example.com"))
    refused = log_on_page(officer, received="2999-01-01")
    assert refused.status_code == 422 and "cannot be in the future" in refused.text


@pytest.mark.promise("R1")
def test_the_officer_names_the_person_a_letter_is_about_by_name_or_email(it_shop, team, mailbox):
    _, ada_id = team.customer("ada")
    officer = team["privacy_officer"]
    letter = {
        "kind": "access",
        "channel": "post",
        "email": "",
        "checked": "document",
        "note": "Copy of a passport enclosed with the letter.",
        "details": "Please send me a copy of my data.",
    }
    form = officer.get("/dpo/log").text
    assert "Whom the letter is about" in form and "id in the desk" not in form

    logged = log_on_page(officer, **letter, about="  ada   LOVELACE ")
    assert logged.status_code == 303, logged.text
    found = officer.get(
        f"/api/v1/dpo/requests/{logged.headers['location'].split('/')[-1].split('?')[0]}"
    )
    assert found.json()["person_id"] == ada_id

    team.customer("grace")  # every test customer is called Ada Lovelace
    refused = log_on_page(officer, **letter, about="Ada Lovelace")
    assert refused.status_code == 422
    assert "Several people have that name: give the email address we hold" in refused.text
    assert 'value="Ada Lovelace"' in refused.text  # what was typed is kept
    by_address = log_on_page(officer, **letter, about="grace@example.com")
    assert by_address.status_code == 303, by_address.text
    unknown = log_on_page(officer, **letter, about="Charles Babbage")
    assert unknown.status_code == 422 and "No one we hold has that name" in unknown.text
