"""What a customer's mailbox receives about their requests: an acknowledgement with the
reference, subject and portal link when they open one (portal or API), and an agent's reply
from that agent by name; never an internal note."""

from email.utils import parseaddr

from tests.people import customer
from tests.web.page_helpers import post_form, verified_customer
from tests.web.test_portal_pages import open_request, ticket_id_of

BUSINESS = "Houston Generator Company"  # the default example's trading name


def body_of(message) -> str:
    return message.get_payload(decode=True).decode()


def test_opening_a_request_in_the_portal_mails_an_acknowledgement(client, mailbox):
    verified_customer(client, mailbox, "ada@example.com")
    ticket_id = ticket_id_of(open_request(client, subject="Generator will not start"))
    mail = mailbox.last_to("ada@example.com")
    assert mail["Subject"] == f"[#{ticket_id}] Generator will not start"
    body = body_of(mail)
    assert f"reference is #{ticket_id}" in body
    assert '"Generator will not start"' in body
    assert f"/portal/tickets/{ticket_id}" in body
    assert "UTC" not in body  # the time is in the business's zone (Houston: CST or CDT)
    assert mail["Message-ID"].startswith(f"<t{ticket_id}.")  # replies thread under it


def test_opening_a_request_through_the_api_mails_an_acknowledgement(client, mailbox):
    customer(client, mailbox, "ada@example.com")
    opened = client.post("/api/v1/tickets", json={"subject": "Fuel gauge", "body": "Stuck at half"})
    assert opened.status_code == 201, opened.text
    mail = mailbox.last_to("ada@example.com")
    assert mail["Subject"] == f"[#{opened.json()['id']}] Fuel gauge"


def test_a_reply_comes_from_the_agent_by_name_and_a_note_is_never_mailed(
    admin, mailbox, new_client
):
    ada = new_client()
    verified_customer(ada, mailbox, "ada@example.com")
    ticket_id = ticket_id_of(open_request(ada))
    before = len(mailbox.to("ada@example.com"))
    desk = f"/desk/tickets/{ticket_id}/messages"
    note = {"body": "Internal: the customer is on a payment plan", "visibility": "internal"}
    assert post_form(admin, desk, note).status_code == 200
    assert len(mailbox.to("ada@example.com")) == before
    assert post_form(admin, desk, {"body": "Try the other tray."}).status_code == 200
    mail = mailbox.last_to("ada@example.com")
    name, address = parseaddr(mail["From"])
    assert name == f"Grace Hopper at {BUSINESS}"  # the admin fixture's name
    assert address == "service@houstongeneratorcompany.com"
    assert "Try the other tray." in body_of(mail)
    assert "payment plan" not in "".join(body_of(m) for m in mailbox.to("ada@example.com"))
