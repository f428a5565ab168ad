"""Answering a ticket and moving it on in one go ("Send and set status"), and the canned
reply's form, through plain HTML forms."""

import re

from tests.web.test_desk_pages import agent, form, open_ticket, shopper

__all__ = ["agent", "shopper"]  # fixtures shared with the queue's tests


def status_of(shopper, number: int) -> str:
    return shopper.get(f"/api/v1/tickets/{number}").json()["status"]


def bodies(shopper, number: int) -> list[str]:
    return [m["body"] for m in shopper.get(f"/api/v1/tickets/{number}").json()["messages"]]


def test_send_and_set_status_replies_and_moves_the_ticket_on(agent, shopper, mailbox):
    number = open_ticket(shopper)
    before = len(mailbox.to("ada@example.com"))
    page = agent.get(f"/desk/tickets/{number}").text
    assert '<button type="submit" name="and_set" value="yes"' in page
    assert '<option value="waiting_on_customer" selected>Waiting on customer</option>' in page
    answer = form(
        agent,
        f"/desk/tickets/{number}/messages",
        {"body": "Fixed: the tray was loose.", "then_status": "resolved", "and_set": "yes"},
    )
    assert answer.status_code == 303
    assert "status_set=resolved" in answer.headers["location"]
    shown = agent.get(answer.headers["location"]).text
    assert "Your reply is sent." in shown and "The status is now Resolved." in shown
    assert status_of(shopper, number) == "resolved"
    assert bodies(shopper, number)[-1] == "Fixed: the tray was loose."
    mailed = mailbox.to("ada@example.com")[before:]  # the reply alone, no status notice after it
    assert (
        len(mailed) == 1
        and "Fixed: the tray was loose." in mailed[0].get_payload(decode=True).decode()
    )


def test_send_alone_leaves_the_status_as_it_is(agent, shopper):
    number = open_ticket(shopper)
    answer = form(
        agent,
        f"/desk/tickets/{number}/messages",
        {"body": "Looking into it.", "then_status": "closed"},
    )
    assert answer.status_code == 303
    assert "status_set" not in answer.headers["location"]
    assert status_of(shopper, number) == "open"  # a first public reply opens a new ticket


def test_a_made_up_status_is_refused_before_anything_is_sent(agent, shopper):
    number = open_ticket(shopper)
    answer = form(
        agent,
        f"/desk/tickets/{number}/messages",
        {"body": "On its way.", "then_status": "sleeping", "and_set": "yes"},
    )
    assert answer.status_code == 422
    assert "The status is one of" in answer.text
    assert re.search(r'<textarea id="f-body"[^>]*>On its way.</textarea>', answer.text)
    assert bodies(shopper, number) == ["It jams. Please help."]


def test_the_canned_reply_form_does_not_stop_at_the_empty_message_box(agent, admin, shopper):
    """htmx checks the fields it sends along; the required, empty message box must not stop
    "Insert" (the browser walk proves it with JavaScript on)."""
    admin.post("/api/v1/canned-replies", json={"title": "Thanks", "body": "Thank you."})
    page = agent.get(f"/desk/tickets/{open_ticket(shopper)}").text
    canned = re.search(r'<form method="get"[^>]*class="filters canned"([^>]*)>', page)
    assert canned and "novalidate" in canned.group(1) and 'hx-include="#f-body"' in canned.group(1)
