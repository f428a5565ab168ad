"""The customer portal, used as a browser without JavaScript does: who gets in, opening and
answering requests with attachments, another customer's request staying out of sight, and
the account settings."""

import re

import pytest

from steward.web.pages import portal as portal_pages
from tests.people import PASSWORD, customer
from tests.web.page_helpers import csrf, post_form, verified_customer

PAGES = (
    "/portal",
    "/portal/tickets/new",
    "/portal/tickets/1",
    "/portal/devices",
    "/portal/billing",
    "/portal/account",
)


def open_request(client, subject="Printer jams", message="It jams on page two.", files=None):
    return client.post(
        "/portal/tickets/new",
        data={"csrf_token": csrf(client), "subject": subject, "message": message},
        files=files,
        follow_redirects=False,
    )


def ticket_id_of(answer) -> int:
    match = re.match(r"/portal/tickets/(\d+)\?notice=opened", answer.headers["location"])
    assert match, answer.headers.get("location")
    return int(match.group(1))


def test_anonymous_visitors_are_sent_to_sign_in_and_back(client):
    for path in PAGES:
        answer = client.get(path, follow_redirects=False)
        assert answer.status_code == 303, path
        assert answer.headers["location"] == f"/sign-in?next={path}"


def test_staff_are_sent_to_the_desk(admin):
    for path in PAGES:
        answer = admin.get(path, follow_redirects=False)
        assert answer.status_code == 303, path
        assert answer.headers["location"] == "/desk"


def test_a_customer_sees_every_portal_page(client, mailbox):
    verified_customer(client, mailbox, "ada@example.com")
    for path in PAGES[:2] + PAGES[3:]:
        page = client.get(path, follow_redirects=False)
        assert page.status_code == 200, path
        assert 'href="/portal/account"' in page.text  # the customer's nav
        assert 'href="/desk"' not in page.text


def test_a_customer_without_requests_sees_an_empty_list(client, mailbox):
    verified_customer(client, mailbox, "ada@example.com")
    assert "You have no requests yet." in client.get("/portal").text


@pytest.mark.promise("D3")
def test_the_request_form_has_no_cc_field_and_a_hand_made_one_is_refused(client, mailbox):
    verified_customer(client, mailbox, "ada@example.com")
    form = client.get("/portal/tickets/new").text
    assert not re.search(r'name="[^"]*(cc|copy)[^"]*"', form, re.IGNORECASE)
    answer = client.post(
        "/portal/tickets/new",
        data={
            "csrf_token": csrf(client),
            "subject": "Printer jams",
            "message": "Help",
            "cc": "bob@example.com",
        },
    )
    assert answer.status_code == 422
    assert "no CC or BCC" in answer.text
    assert "You have no requests yet." in client.get("/portal").text


def test_a_customer_opens_a_request_with_an_attachment_and_downloads_it(client, mailbox):
    verified_customer(client, mailbox, "ada@example.com")
    files = {"attachments": ("jam.txt", b"paper jam log", "text/plain")}
    answer = open_request(client, files=files)
    assert answer.status_code == 303
    ticket_id = ticket_id_of(answer)
    page = client.get(answer.headers["location"])
    assert "Printer jams" in page.text
    assert "It jams on page two." in page.text
    assert "Your request is open." in page.text
    link = re.search(r'href="(/portal/attachments/[0-9a-f-]+)"', page.text).group(1)
    download = client.get(link)
    assert download.content == b"paper jam log"
    assert download.headers["content-disposition"].startswith("attachment;")
    listed = client.get("/portal").text
    assert f'href="/portal/tickets/{ticket_id}"' in listed


def test_a_request_without_a_subject_is_shown_again_with_the_message_kept(client, mailbox):
    verified_customer(client, mailbox, "ada@example.com")
    answer = open_request(client, subject="  ", message="Keep this text")
    assert answer.status_code == 422
    assert "Give the request a subject." in answer.text
    assert "Keep this text" in answer.text


def test_the_customer_sees_the_answer_but_never_an_internal_note(admin, mailbox, new_client):
    ada = new_client()
    verified_customer(ada, mailbox, "ada@example.com")
    ticket_id = ticket_id_of(open_request(ada))
    for body, visibility in (("Internal: check toner", "internal"), ("Try tray 2.", "public")):
        answer = admin.post(
            f"/api/v1/tickets/{ticket_id}/messages", json={"body": body, "visibility": visibility}
        )
        assert answer.status_code == 201, answer.text
    page = ada.get(f"/portal/tickets/{ticket_id}").text
    assert "Try tray 2." in page
    assert "check toner" not in page


def test_a_customer_replies_with_an_attachment_without_javascript(client, mailbox):
    verified_customer(client, mailbox, "ada@example.com")
    ticket_id = ticket_id_of(open_request(client))
    answer = client.post(
        f"/portal/tickets/{ticket_id}/reply",
        data={"csrf_token": csrf(client), "message": "Still jamming."},
        files={"attachments": ("photo.png", b"\x89PNG fake", "image/png")},
        follow_redirects=False,
    )
    assert answer.status_code == 303
    assert answer.headers["location"].startswith(f"/portal/tickets/{ticket_id}?notice=replied")
    page = client.get(answer.headers["location"]).text
    assert "Still jamming." in page
    assert "Your reply is added." in page
    assert ">photo.png</a>" in page


@pytest.mark.promise("D4")
def test_a_card_number_in_a_reply_is_masked_and_the_customer_told(client, mailbox):
    verified_customer(client, mailbox, "ada@example.com")
    ticket_id = ticket_id_of(open_request(client))
    answer = post_form(
        client, f"/portal/tickets/{ticket_id}/reply", {"message": "Card 4111 1111 1111 1111"}
    )
    assert "4111 1111 1111 1111" not in answer.text
    assert "We removed a card number from your message" in answer.text


def test_an_empty_reply_is_refused_beside_the_form(client, mailbox):
    verified_customer(client, mailbox, "ada@example.com")
    ticket_id = ticket_id_of(open_request(client))
    answer = post_form(client, f"/portal/tickets/{ticket_id}/reply", {"message": "  "})
    assert answer.status_code == 422
    assert "Write a message or attach a file." in answer.text


def test_a_reply_without_the_csrf_field_is_refused(client, mailbox):
    verified_customer(client, mailbox, "ada@example.com")
    ticket_id = ticket_id_of(open_request(client))
    answer = client.post(f"/portal/tickets/{ticket_id}/reply", data={"message": "Forged"})
    assert answer.status_code == 403
    assert "Forged" not in client.get(f"/portal/tickets/{ticket_id}").text


def test_another_customers_request_and_attachment_are_not_found(client, mailbox, new_client):
    verified_customer(client, mailbox, "ada@example.com")
    files = {"attachments": ("secret.txt", b"private", "text/plain")}
    answer = open_request(client, subject="Ada's private matter", files=files)
    ticket_id = ticket_id_of(answer)
    page = client.get(answer.headers["location"]).text
    attachment = re.search(r'href="(/portal/attachments/[0-9a-f-]+)"', page).group(1)
    bob = new_client()
    customer(bob, mailbox, "bob@example.com")
    for path in (f"/portal/tickets/{ticket_id}", attachment):
        refused = bob.get(path)
        assert refused.status_code == 404, path
        assert "private" not in refused.text
    reply = post_form(bob, f"/portal/tickets/{ticket_id}/reply", {"message": "Sneaky"})
    assert reply.status_code == 404
    assert "Ada's private matter" not in reply.text
    assert "Sneaky" not in client.get(f"/portal/tickets/{ticket_id}").text


def test_the_list_is_filtered_by_status_and_paged(client, mailbox, monkeypatch):
    monkeypatch.setattr(portal_pages, "PAGE_SIZE", 2)
    verified_customer(client, mailbox, "ada@example.com")
    ids = [ticket_id_of(open_request(client, subject=f"Request {n}")) for n in range(3)]
    first = client.get("/portal").text
    assert "Request 2" in first and "Request 1" in first and "Request 0" not in first
    older = re.search(r'href="(/portal\?offset=2)"', first).group(1)
    assert "Request 0" in client.get(older).text
    closed = client.get("/portal?status=closed").text
    assert "No requests with this status." in closed
    assert all(
        f"/portal/tickets/{i}" in client.get("/portal?status=new&offset=0").text for i in ids[1:]
    )


def test_the_body_carries_the_csrf_header_for_htmx(client, mailbox):
    verified_customer(client, mailbox, "ada@example.com")
    page = client.get("/portal").text
    assert f'hx-headers=\'{{"X-CSRF-Token": "{csrf(client)}"}}\'' in page
    assert '<script src="/static/htmx.min.js" defer></script>' in page
    assert client.get("/static/htmx.min.js").status_code == 200


def test_a_customer_corrects_their_details(client, mailbox):
    verified_customer(client, mailbox, "ada@example.com")
    answer = post_form(
        client,
        "/portal/account",
        {"name": "Ada King", "phone": "+1 713 555 0100", "company": "Analytical Engines"},
        follow_redirects=False,
    )
    assert answer.headers["location"] == "/portal/account?notice=saved"
    page = client.get(answer.headers["location"]).text
    assert "Your details are saved." in page
    assert 'value="Ada King"' in page
    assert 'value="Analytical Engines"' in page
    empty = post_form(client, "/portal/account", {"name": " ", "phone": "", "company": ""})
    assert empty.status_code == 422
    assert "The name cannot be empty." in empty.text


def test_an_email_change_needs_the_password_and_the_new_address_confirmed(client, mailbox):
    verified_customer(client, mailbox, "ada@example.com")
    wrong = post_form(
        client, "/portal/account/email", {"email": "ada@new.example", "password": "wrong one"}
    )
    assert wrong.status_code == 401
    assert "The password is wrong." in wrong.text
    assert 'value="ada@new.example"' in wrong.text
    assert mailbox.to("ada@new.example") == []
    answer = post_form(
        client,
        "/portal/account/email",
        {"email": "ada@new.example", "password": PASSWORD},
        follow_redirects=False,
    )
    assert answer.headers["location"] == "/portal/account?notice=email_sent"
    assert mailbox.token_in_last("ada@new.example", "/confirm-email")
    assert "ada@example.com" in client.get("/portal/account").text  # nothing changed yet


def test_a_customer_changes_their_notification_preferences(client, mailbox):
    verified_customer(client, mailbox, "ada@example.com")
    page = client.get("/portal/account").text
    assert 'name="ticket_updates" value="on" checked' in page
    assert 'name="marketing" value="on">' in page
    answer = post_form(
        client,
        "/portal/account/preferences",
        {"marketing": "on", "preferred_channel": "sms"},
        follow_redirects=False,
    )
    assert answer.headers["location"] == "/portal/account?notice=preferences_saved"
    page = client.get(answer.headers["location"]).text
    assert 'name="marketing" value="on" checked' in page
    assert 'name="ticket_updates" value="on">' in page  # unticked: not sent, so turned off
    assert '<option value="sms" selected>' in page


def test_devices_and_billing_show_empty_states_for_a_new_customer(client, mailbox):
    verified_customer(client, mailbox, "ada@example.com")
    assert "No devices are registered" in client.get("/portal/devices").text
    billing = client.get("/portal/billing").text
    for empty in ("No quotes.", "No invoices.", "No payments."):
        assert empty in billing
