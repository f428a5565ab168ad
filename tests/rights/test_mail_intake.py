"""Account closure by email (R9): a mail from an account's own address asking to close it
becomes an erasure request that the address's owner confirms; other mail goes to the desk."""

from email.message import EmailMessage

import pytest

from steward.core import clock
from tests.rights.conftest import verify_by_code
from tests.rights.intake_kit import START, body_of, steward


def mail(sender: str, subject: str, body: str) -> bytes:
    message = EmailMessage()
    message["From"] = f"Ada Lovelace <{sender}>"
    message["To"] = "service@houstongeneratorcompany.com"
    message["Subject"] = subject
    message["Message-ID"] = f"<{abs(hash((sender, subject, body)))}@mail.example>"
    message.set_content(body)
    return bytes(message)


def ingest(settings, raw: bytes):
    return steward(settings, "mail", "ingest", "-", input=raw)


@pytest.mark.promise("R9", "R3")
def test_a_closure_mail_from_the_accounts_address_becomes_an_erasure_it_confirms(
    officer, team, mailbox, new_client, identity_settings
):
    with clock.frozen_at(START):
        _, ada_id = team.customer("ada")
        raw = mail("ada@example.com", "Goodbye", "Hello,\n\nPlease close my account.\n\nAda")
        result = ingest(identity_settings, raw)
        assert result.exit_code == 0, result.output
        assert result.output.startswith("privacy request PR-")
        reference = result.output.split()[2].rstrip(":")
        text = body_of(mailbox.last_to("ada@example.com"))
        assert "erasure of your data" in text and "enter this code" in text
        stranger = new_client()
        status = stranger.get(f"/api/v1/rights/{reference}").json()
        assert status["kind"] == "erasure" and status["status"] == "unverified"
        answer = verify_by_code(stranger, mailbox, reference, "ada@example.com")
        assert answer.status_code == 200, answer.text
        dpo = officer.again()
        items = dpo.get("/api/v1/dpo/requests").json()["items"]
        found = next(i for i in items if i["reference"] == reference)
        assert found["channel"] == "email"
        detail = dpo.get(f"/api/v1/dpo/requests/{found['id']}").json()
        assert detail["person_id"] == ada_id


@pytest.mark.promise("R9")
@pytest.mark.parametrize(
    ("sender", "subject", "body"),
    [
        ("ada@example.com", "Generator noise", "The generator makes a noise. Can you look?"),
        ("ada@example.com", "Account", "Please do not close my account, I still need it."),
        ("stranger@example.com", "Close", "Please delete my account."),  # no account here
    ],
)
def test_other_mail_goes_to_the_desk(team, identity_settings, sender, subject, body):
    with clock.frozen_at(START):
        team.customer("ada")
        result = ingest(identity_settings, mail(sender, subject, body))
        assert result.exit_code == 0, result.output
        assert result.output.startswith("ticket "), result.output


@pytest.mark.promise("R9")
def test_the_same_closure_mail_delivered_twice_opens_one_request(
    officer, team, mailbox, identity_settings
):
    with clock.frozen_at(START):
        team.customer("ada")
        raw = mail("ada@example.com", "Goodbye", "Please close my account.")
        first = ingest(identity_settings, raw)
        again = ingest(identity_settings, raw)
        assert first.exit_code == 0 and again.exit_code == 0, again.output
        assert first.output.split()[2] == again.output.split()[2]  # the same reference
        items = officer.again().get("/api/v1/dpo/requests").json()["items"]
        assert [i["kind"] for i in items] == ["erasure"]
