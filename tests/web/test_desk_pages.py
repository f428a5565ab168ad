"""The agents' desk pages, /desk: who gets in, the queue and its saved views, and working a
ticket through plain HTML forms (no JavaScript: the CSRF token travels in the form)."""

import re

import pytest

from tests.people import customer, enrol_mfa, staff
from tests.web.page_helpers import csrf, signed_out


def plain_browser(client):
    """Forms only: drop the API helpers' CSRF header, so the form field must carry it."""
    client.headers.pop("X-CSRF-Token", None)
    return client


def form(client, path, data, files=None):
    return client.post(
        path, data={"csrf_token": csrf(client), **data}, files=files, follow_redirects=False
    )


@pytest.fixture
def agent(admin, mailbox, new_client):
    browser = new_client()
    staff(admin, mailbox, browser, "agent@example.com", "agent")
    enrol_mfa(browser)
    return plain_browser(browser)


@pytest.fixture
def billing_clerk(admin, mailbox, new_client):
    browser = new_client()
    staff(admin, mailbox, browser, "billing@example.com", "billing")
    enrol_mfa(browser)
    return plain_browser(browser)


@pytest.fixture
def shopper(client, mailbox, new_client):
    """A signed-in customer. `client` is asked for so that the app's lifespan runs and its
    database connections are closed at the end (new_client alone leaves them open)."""
    browser = new_client()
    customer(browser, mailbox, "ada@example.com")
    return browser


def open_ticket(shopper, subject="Printer jams on every page", body="It jams. Please help."):
    answer = shopper.post("/api/v1/tickets", json={"subject": subject, "body": body})
    assert answer.status_code == 201, answer.text
    return answer.json()["id"]


# Who gets in


@pytest.mark.promise("X2")
def test_anonymous_visitors_are_sent_to_sign_in_and_back(client):
    answer = client.get("/desk/tickets/1?notice=updated", follow_redirects=False)
    assert answer.status_code == 303
    assert answer.headers["location"] == "/sign-in?next=/desk/tickets/1%3Fnotice%3Dupdated"


@pytest.mark.promise("X2")
def test_customers_are_sent_to_their_portal_and_never_see_a_ticket_on_the_desk(shopper):
    number = open_ticket(shopper)
    for path in ("/desk", f"/desk/tickets/{number}", "/desk/calls", "/desk/billing"):
        answer = shopper.get(path, follow_redirects=False)
        assert answer.status_code == 303, path
        assert answer.headers["location"] == "/portal"


@pytest.mark.promise("X2")
def test_staff_without_mfa_are_sent_to_the_mfa_step(admin, mailbox, new_client):
    browser = new_client()
    staff(admin, mailbox, browser, "fresh@example.com", "agent")
    answer = browser.get("/desk", follow_redirects=False)
    assert answer.status_code == 303
    assert answer.headers["location"] == "/mfa/enrol"


@pytest.mark.promise("X2")
def test_billing_staff_do_not_get_the_queue_or_tickets(billing_clerk, shopper):
    number = open_ticket(shopper)
    answer = billing_clerk.get("/desk", follow_redirects=False)
    assert answer.status_code == 303
    assert answer.headers["location"] == "/desk/billing"
    page = billing_clerk.get(f"/desk/tickets/{number}")
    assert page.status_code == 403
    assert "Printer jams" not in page.text
    assert form(billing_clerk, "/desk/views", {"name": "Mine"}).status_code == 403


@pytest.mark.promise("X2")
def test_an_agent_gets_the_queue_with_the_customers_ticket(agent, shopper):
    number = open_ticket(shopper)
    page = agent.get("/desk")
    assert page.status_code == 200
    assert f'href="/desk/tickets/{number}"' in page.text
    assert "Printer jams on every page" in page.text
    assert "Ada Lovelace" in page.text


# The queue


def test_the_queue_filters_by_status_assignee_and_search(agent, shopper):
    jam = open_ticket(shopper, "Printer jams on every page")
    toner = open_ticket(shopper, "Toner runs out too fast")
    assert form(agent, f"/desk/tickets/{toner}/update", {"assignee": "me"}).status_code == 303

    mine = agent.get("/desk", params={"assignee": "me"}).text
    assert "Toner runs out" in mine and "Printer jams" not in mine
    unassigned = agent.get("/desk", params={"assignee": "none"}).text
    assert "Printer jams" in unassigned and "Toner runs out" not in unassigned
    searched = agent.get("/desk", params={"q": "toner"}).text
    assert "Toner runs out" in searched and "Printer jams" not in searched
    by_number = agent.get("/desk", params={"q": f"#{jam}"}).text
    assert "Printer jams" in by_number and "Toner runs out" not in by_number
    closed = agent.get("/desk", params={"status": "closed"}).text
    assert "No tickets match these filters." in closed


def test_a_bad_filter_is_explained_beside_the_filters(agent):
    page = agent.get("/desk", params={"status": "sleeping"})
    assert page.status_code == 200
    assert "The status is one of" in page.text


def test_htmx_gets_only_the_table_when_filters_change(agent, shopper):
    open_ticket(shopper)
    answer = agent.get(
        "/desk", params={"status": "new"}, headers={"HX-Request": "true", "HX-Target": "queue"}
    )
    assert answer.status_code == 200
    assert answer.text.lstrip().startswith('<section id="queue"')
    assert "Printer jams" in answer.text
    assert "<html" not in answer.text


def test_an_agent_saves_a_view_picks_it_and_deletes_it(agent, shopper):
    open_ticket(shopper)
    saved = form(agent, "/desk/views", {"name": "My open work", "status": "new", "assignee": "me"})
    assert saved.status_code == 303
    assert saved.headers["location"] == "/desk?status=new&assignee=me&notice=view_saved"
    page = agent.get("/desk").text
    link = re.search(r'<a href="([^"]+)">My open work</a>', page)
    assert link and link.group(1) == "/desk?status=new&amp;assignee=me"
    view_id = re.search(r'action="/desk/views/([^/]+)/delete"', page).group(1)
    assert form(agent, f"/desk/views/{view_id}/delete", {}).status_code == 303
    assert "My open work" not in agent.get("/desk").text


def test_a_view_without_a_name_is_refused_with_the_filters_kept(agent):
    answer = form(agent, "/desk/views", {"name": " ", "status": "open"})
    assert answer.status_code == 422
    assert "Give the view a name" in answer.text
    assert '<option value="open" selected>' in answer.text


# A ticket


def test_an_agent_answers_a_ticket_and_the_customer_reads_the_reply(agent, shopper, mailbox):
    number = open_ticket(shopper)
    page = agent.get(f"/desk/tickets/{number}")
    assert page.status_code == 200
    assert "It jams. Please help." in page.text
    answer = form(
        agent,
        f"/desk/tickets/{number}/messages",
        {"body": "Try the rear tray, please.", "visibility": "public"},
    )
    assert answer.status_code == 303
    assert answer.headers["location"].startswith(f"/desk/tickets/{number}?notice=replied#m-")
    seen = shopper.get(f"/api/v1/tickets/{number}").json()
    assert [m["body"] for m in seen["messages"]][-1] == "Try the rear tray, please."


def test_an_internal_note_is_set_apart_and_hidden_from_the_customer(agent, shopper):
    number = open_ticket(shopper)
    answer = form(
        agent,
        f"/desk/tickets/{number}/messages",
        {"body": "Customer sounded annoyed; escalate.", "visibility": "internal"},
    )
    assert answer.status_code == 303
    assert "notice=noted" in answer.headers["location"]
    page = agent.get(f"/desk/tickets/{number}").text
    note = re.search(r'<li id="m-[^"]+" class="internal">(.*?)</li>', page, re.S)
    assert note and "Customer sounded annoyed" in note.group(1)
    assert "Internal note" in note.group(1)
    seen = shopper.get(f"/api/v1/tickets/{number}").json()
    assert all("annoyed" not in (m["body"] or "") for m in seen["messages"])


def test_an_empty_reply_is_refused_beside_the_form_and_changes_nothing(agent, shopper):
    number = open_ticket(shopper)
    answer = form(
        agent, f"/desk/tickets/{number}/messages", {"body": "  ", "visibility": "internal"}
    )
    assert answer.status_code == 422
    assert "Write a message or attach a file." in answer.text
    assert 'id="f-internal" type="radio" name="visibility" value="internal" checked' in answer.text
    assert len(shopper.get(f"/api/v1/tickets/{number}").json()["messages"]) == 1


def test_a_reply_with_an_attachment_offers_it_for_download(agent, shopper):
    number = open_ticket(shopper)
    files = {"attachments": ("steps.txt", b"1. Open the tray\n", "text/plain")}
    answer = form(
        agent, f"/desk/tickets/{number}/messages", {"body": "See the steps."}, files=files
    )
    assert answer.status_code == 303
    page = agent.get(f"/desk/tickets/{number}").text
    link = re.search(r'href="(/desk/attachments/[^"]+)" download>steps.txt<', page)
    assert link
    got = agent.get(link.group(1))
    assert got.content == b"1. Open the tray\n"
    assert got.headers["content-disposition"].startswith("attachment;")


def test_a_card_number_in_a_reply_is_masked_and_the_agent_told(agent, shopper):
    number = open_ticket(shopper)
    answer = form(
        agent, f"/desk/tickets/{number}/messages", {"body": "Card 4111 1111 1111 1111 noted."}
    )
    page = agent.get(answer.headers["location"]).text
    assert "4111 1111 1111 1111" not in page
    assert "We removed a card number" in page


def test_a_status_change_is_recorded_in_the_history(agent, shopper):
    number = open_ticket(shopper)
    answer = form(
        agent,
        f"/desk/tickets/{number}/update",
        {"status": "waiting_on_customer", "priority": "high", "assignee": "none"},
    )
    assert answer.status_code == 303
    page = agent.get(f"/desk/tickets/{number}").text
    history = page.split('id="history-heading"', 1)[1]
    assert re.search(r"<strong>Status</strong>\s*New → Waiting on customer", history)
    assert re.search(r"<strong>Priority</strong>\s*Normal → High|normal → high", history)
    assert "by you" in history


def test_assign_to_me_names_the_agent_in_the_history(agent, shopper):
    number = open_ticket(shopper)
    assert form(agent, f"/desk/tickets/{number}/update", {"assignee": "me"}).status_code == 303
    page = agent.get(f"/desk/tickets/{number}").text
    assert re.search(r"<strong>Assignee</strong>\s*unassigned → you", page)


def test_a_form_without_its_csrf_token_is_refused(agent, shopper):
    number = open_ticket(shopper)
    answer = agent.post(
        f"/desk/tickets/{number}/messages", data={"body": "Hello"}, follow_redirects=False
    )
    assert answer.status_code == 403
    assert len(shopper.get(f"/api/v1/tickets/{number}").json()["messages"]) == 1


def test_a_canned_reply_prefills_the_reply_box(agent, admin, shopper):
    admin.post(
        "/api/v1/canned-replies",
        json={"title": "Rear tray", "body": "Please try the rear tray."},
    )
    number = open_ticket(shopper)
    page = agent.get(f"/desk/tickets/{number}").text
    reply_id = re.search(r'<option value="([^"]+)">Rear tray</option>', page).group(1)
    prefilled = agent.get(f"/desk/tickets/{number}", params={"canned": reply_id}).text
    assert re.search(r'<textarea id="f-body"[^>]*>Please try the rear tray.</textarea>', prefilled)


def test_a_missing_ticket_is_a_not_found_page(agent):
    answer = agent.get("/desk/tickets/999999")
    assert answer.status_code == 404
    assert "There is no such ticket." in answer.text


def test_signed_out_agents_lose_the_desk(agent):
    signed_out(agent)
    assert agent.get("/desk", follow_redirects=False).status_code == 303


def test_htmx_inserts_a_canned_reply_after_the_text_already_typed(agent, admin, shopper):
    created = admin.post(
        "/api/v1/canned-replies", json={"title": "Thanks", "body": "Thank you for waiting."}
    )
    number = open_ticket(shopper)
    answer = agent.get(
        f"/desk/tickets/{number}",
        params={"canned": created.json()["id"], "body": "Hello Ada,"},
        headers={"HX-Request": "true", "HX-Target": "reply-form"},
    )
    assert answer.text.lstrip().startswith('<section id="reply-form"')
    assert re.search(
        r'<textarea id="f-body"[^>]*>Hello Ada,\n\nThank you for waiting.</textarea>', answer.text
    )
