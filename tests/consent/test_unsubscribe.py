"""One-click unsubscribe from marketing mail (RFC 8058; C5, R6, R10): every marketing mail
carries the headers, the link works from a mail client without a session, turns marketing
off and records the withdrawal in the consent ledger; a forged token is refused."""

import re
from urllib.parse import urlsplit

import pytest

from steward.consent.preferences import MARKETING
from tests.consent.kit import ledger_rows
from tests.people import customer

SEND = "/api/v1/marketing-messages"
OFFER = {"subject": "Spring service offer", "body": "A generator check for half price."}
PREFERENCES = "/api/v1/me/preferences"


def offers(mailbox, address: str) -> list:
    return [m for m in mailbox.to(address) if m["Subject"] == OFFER["subject"]]


def subscribed(new_client, mailbox, email: str, marketing: bool = True):
    """A signed-in customer with marketing switched on (or left off); returns the client and
    the person id."""
    person = new_client()
    customer(person, mailbox, email)
    if marketing:
        assert person.put(PREFERENCES, json={"marketing": True}).status_code == 200
    return person, person.get("/api/v1/me").json()["person_id"]


def unsubscribe_path(mail) -> str:
    found = re.fullmatch(r"<(.+)>", mail["List-Unsubscribe"])
    assert found, mail["List-Unsubscribe"]
    url = urlsplit(found.group(1))
    return f"{url.path}?{url.query}"


@pytest.mark.promise("C5")
@pytest.mark.promise("R6")
def test_a_marketing_mail_unsubscribes_with_one_click_and_the_ledger_records_it(
    app, admin, mailbox, new_client
):
    ada, ada_id = subscribed(new_client, mailbox, "ada@example.com")
    subscribed(new_client, mailbox, "bob@example.com", marketing=False)

    answer = admin.post(SEND, json=OFFER)

    assert answer.status_code == 200, answer.text
    assert answer.json()["sent"] == 1
    assert offers(mailbox, "bob@example.com") == []  # no consent, no marketing
    [mail] = offers(mailbox, "ada@example.com")
    assert mail["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    path = unsubscribe_path(mail)
    assert path.startswith("/unsubscribe?token=")
    assert path.split("=", 1)[1] in mail.get_payload(decode=True).decode()  # in the text too

    mail_client = new_client()  # no session, no CSRF token: as a mail client posts it
    done = mail_client.post(path, data={"List-Unsubscribe": "One-Click"})

    assert done.status_code == 200, done.text
    assert "unsubscribed" in done.text
    assert ada.get(PREFERENCES).json()["marketing"] is False
    events = [e for e in ledger_rows(app, ada_id) if e.purpose == MARKETING]
    assert [(e.choice, e.method) for e in events] == [
        ("given", "form"),
        ("withdrawn", "email_link"),
    ]
    again = admin.post(SEND, json=OFFER).json()
    assert again["sent"] == 0
    assert len(offers(mailbox, "ada@example.com")) == 1


@pytest.mark.promise("R6")
def test_the_unsubscribe_link_opens_a_page_whose_button_unsubscribes(admin, mailbox, new_client):
    ada, _ = subscribed(new_client, mailbox, "ada@example.com")
    admin.post(SEND, json=OFFER)
    path = unsubscribe_path(offers(mailbox, "ada@example.com")[0])
    browser = new_client()

    page = browser.get(path)

    assert page.status_code == 200
    assert 'method="post"' in page.text and "Unsubscribe</button>" in page.text
    assert ada.get(PREFERENCES).json()["marketing"] is True  # opening the link changes nothing
    assert browser.post(path).status_code == 200
    assert ada.get(PREFERENCES).json()["marketing"] is False


@pytest.mark.parametrize(
    "token",
    [
        "00000000-0000-0000-0000-000000000000." + "0" * 64,
        "not-a-token",
        "",
    ],
    ids=["forged", "malformed", "missing"],
)
def test_a_forged_unsubscribe_token_is_refused_and_changes_nothing(app, mailbox, new_client, token):
    ada, ada_id = subscribed(new_client, mailbox, "ada@example.com")
    forged = f"{ada_id}.{'a' * 64}" if token.endswith("0" * 64) else token

    answer = new_client().post(f"/unsubscribe?token={forged}")

    assert answer.status_code == 403
    assert new_client().get(f"/unsubscribe?token={forged}").status_code == 403
    assert ada.get(PREFERENCES).json()["marketing"] is True
    assert [e.choice for e in ledger_rows(app, ada_id) if e.purpose == MARKETING] == ["given"]


def test_only_an_admin_sends_marketing(mailbox, new_client):
    ada, _ = subscribed(new_client, mailbox, "ada@example.com")
    assert ada.post(SEND, json=OFFER).status_code == 403
    assert offers(mailbox, "ada@example.com") == []
