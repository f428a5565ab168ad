"""Desk pages for phone calls (D6) and remote sessions (D5), through plain HTML forms."""

import re

import pytest

from tests.people import enrol_mfa, staff
from tests.web.test_desk_pages import agent, form, open_ticket, plain_browser, shopper

__all__ = ["agent", "shopper"]  # fixtures shared with the queue's tests

AUDIO = ("call.ogg", b"OggS fake audio bytes", "audio/ogg")


@pytest.fixture
def reviewer(admin, mailbox, new_client):
    browser = new_client()
    staff(admin, mailbox, browser, "reviewer@example.com", "call_reviewer")
    enrol_mfa(browser)
    return plain_browser(browser)


def requester_on_form(page: str) -> str:
    found = re.search(r'type="radio" name="person" value="([^"]+)" checked', page)
    assert found, "the form offers no person"
    return found.group(1)


def call_of(answer) -> str:
    """The call a logged call's redirect names (the ticket's page says which call it was)."""
    found = re.search(r"[?&]call=([^&#]+)", answer.headers["location"])
    assert found, answer.headers["location"]
    return found.group(1)


def link_to_the_call(ticket_page: str) -> str:
    found = re.search(r'<a href="(/desk/calls/[^"]+)">Open the call just logged</a>', ticket_page)
    assert found, "the ticket links to no call just logged"
    return found.group(1)


def call_form(person: str, ticket: int, **extra: str) -> dict[str, str]:
    return {
        "person": person,
        "number": "+44 20 7946 0000",
        "direction": "inbound",
        "duration": "4:30",
        "notes": "Walked them through the rear tray.",
        "ticket": str(ticket),
        **extra,
    }


def test_an_agent_logs_a_call_from_the_ticket_page(agent, shopper):
    number = open_ticket(shopper)
    ticket_page = agent.get(f"/desk/tickets/{number}").text
    assert f'href="/desk/calls/new?ticket={number}"' in ticket_page
    page = agent.get(f"/desk/calls/new?ticket={number}").text
    assert "Ada Lovelace" in page
    answer = form(agent, "/desk/calls/new", call_form(requester_on_form(page), number))
    assert answer.status_code == 303
    back = answer.headers["location"]
    assert back.startswith(f"/desk/tickets/{number}?notice=call_logged&call=")
    on_ticket = agent.get(back).text
    assert "The call is logged." in on_ticket
    call = agent.get(link_to_the_call(on_ticket)).text
    assert "+442079460000" in call
    assert "4 min 30 s" in call
    assert f'href="/desk/tickets/{number}"' in call
    listed = agent.get("/desk/calls", params={"ticket": number}).text
    assert "Ada Lovelace" in listed and "+442079460000" in listed


@pytest.mark.promise("D6")
def test_a_recording_of_a_call_without_the_notice_is_refused_and_nothing_is_kept(agent, shopper):
    number = open_ticket(shopper)
    person = requester_on_form(agent.get(f"/desk/calls/new?ticket={number}").text)
    answer = form(agent, "/desk/calls/new", call_form(person, number), files={"recording": AUDIO})
    assert answer.status_code == 422
    assert "Recording without the notice is not allowed" in answer.text
    assert 'value="4:30"' in answer.text  # the typed values are kept
    assert "No calls match." in agent.get("/desk/calls").text


def test_notes_longer_than_a_call_keeps_are_refused_and_given_back_whole(agent, shopper):
    number = open_ticket(shopper)
    person = requester_on_form(agent.get(f"/desk/calls/new?ticket={number}").text)
    long_notes = "Checked the fuser. " * 250  # 4,750 characters
    answer = form(agent, "/desk/calls/new", call_form(person, number, notes=long_notes))
    assert answer.status_code == 422
    assert "Call notes may be at most 4,000 characters." in answer.text
    assert long_notes.strip() in answer.text  # nothing typed is lost
    assert "No calls match." in agent.get("/desk/calls").text


@pytest.mark.promise("D6")
def test_a_call_logged_without_the_notice_offers_no_recording_upload(agent, shopper):
    number = open_ticket(shopper)
    person = requester_on_form(agent.get(f"/desk/calls/new?ticket={number}").text)
    logged = form(agent, "/desk/calls/new", call_form(person, number))
    call_path = f"/desk/calls/{call_of(logged)}"
    page = agent.get(call_path).text
    assert "no recording of this call can be kept" in page
    refused = form(agent, f"{call_path}/recording", {}, files={"recording": AUDIO})
    assert refused.status_code == 422
    assert "Recording without the notice is not allowed" in refused.text


@pytest.mark.promise("D6")
def test_a_recording_is_kept_with_the_notice_and_only_a_reviewer_can_play_it(
    agent, reviewer, shopper
):
    number = open_ticket(shopper)
    person = requester_on_form(agent.get(f"/desk/calls/new?ticket={number}").text)
    answer = form(
        agent,
        "/desk/calls/new",
        call_form(person, number, notice_played="yes"),
        files={"recording": AUDIO},
    )
    assert answer.status_code == 303
    assert "notice=recording_kept" in answer.headers["location"]
    call_id = call_of(answer)
    assert "Kept (only call reviewers can listen)" in agent.get(f"/desk/calls/{call_id}").text
    assert "<audio" not in agent.get(f"/desk/calls/{call_id}").text

    assert "Listen to a recording" in reviewer.get("/desk/calls").text
    opened = reviewer.get("/desk/calls/open", params={"call": call_id}, follow_redirects=False)
    assert opened.headers["location"] == f"/desk/calls/{call_id}"
    page = reviewer.get(f"/desk/calls/{call_id}").text
    assert f'<audio controls preload="none" src="/api/v1/calls/{call_id}/recording">' in page
    assert "+442079460000" not in page  # the reviewer hears the recording, not the details
    assert reviewer.get(f"/api/v1/calls/{call_id}/recording").content == AUDIO[1]


@pytest.mark.promise("X2")
def test_call_reviewers_get_no_remote_sessions_nor_call_logging(reviewer):
    assert reviewer.get("/desk/remote-sessions").status_code == 403
    assert reviewer.get("/desk/calls/new").status_code == 403
    assert reviewer.get("/desk", follow_redirects=False).headers["location"] == "/desk/calls"


def test_an_unknown_email_for_the_caller_is_explained(agent):
    data = {"email": "nobody@example.com", "number": "+44 20 7946 0000", "duration": "1"}
    answer = form(agent, "/desk/calls/new", data)
    assert answer.status_code == 422
    assert "Nobody with this email address is known yet" in answer.text
    assert 'value="nobody@example.com"' in answer.text


def test_a_caller_found_by_email(agent, shopper):
    data = {"email": "ada@example.com", "number": "+44 20 7946 0000", "duration": "2"}
    answer = form(agent, "/desk/calls/new", data)
    assert answer.status_code == 303, answer.text
    assert "Ada Lovelace" in agent.get(answer.headers["location"]).text


@pytest.mark.promise("D5")
def test_a_remote_session_needs_the_customers_consent(agent, shopper):
    number = open_ticket(shopper)
    page = agent.get(f"/desk/remote-sessions/new?ticket={number}").text
    assert "not recorded" in page
    data = {
        "person": requester_on_form(page),
        "identifier_kind": "hostname",
        "identifier": "ws-ada.example.com",
        "ticket": str(number),
    }
    refused = form(agent, "/desk/remote-sessions/new", data)
    assert refused.status_code == 422
    assert "needs the customer&#39;s consent" in refused.text
    assert 'value="ws-ada.example.com"' in refused.text
    assert "No remote sessions match." in agent.get("/desk/remote-sessions").text

    started = form(agent, "/desk/remote-sessions/new", {**data, "consent": "yes"})
    assert started.status_code == 303
    listed = agent.get(started.headers["location"]).text
    assert "ws-ada.example.com" in listed
    session_id = re.search(r'action="/desk/remote-sessions/([^/]+)/end"', listed).group(1)
    ended = form(agent, f"/desk/remote-sessions/{session_id}/end", {})
    assert ended.status_code == 303
    assert "End the session" not in agent.get("/desk/remote-sessions").text


def test_a_bad_identifier_is_refused_beside_the_form(agent, shopper):
    number = open_ticket(shopper)
    person = requester_on_form(agent.get(f"/desk/remote-sessions/new?ticket={number}").text)
    data = {"person": person, "consent": "yes", "identifier_kind": "ip", "identifier": "999.1.1.1"}
    answer = form(agent, "/desk/remote-sessions/new", data)
    assert answer.status_code == 422
    assert "not a valid IP address" in answer.text
