"""Logging a call as an agent expects to: the caller's number filled in, the start typed in
the agent's own time, a recording that survives a mistake in the form (held, sealed, for an
hour, for that agent only), and back to the ticket the call was about."""

import re
from datetime import timedelta

import pytest

from steward.core import clock
from tests.people import enrol_mfa, staff
from tests.rights.intake_kit import steward
from tests.web.test_desk_pages import agent, form, open_ticket, plain_browser, shopper
from tests.web.test_desk_pages_calls import AUDIO, call_form, call_of, requester_on_form, reviewer

__all__ = ["agent", "reviewer", "shopper"]  # fixtures shared with the calls' page tests


@pytest.fixture
def ticket(agent, shopper):
    """A customer's ticket and the requester the call form offers for it."""
    number = open_ticket(shopper)
    return number, requester_on_form(agent.get(f"/desk/calls/new?ticket={number}").text)


def refused_with_a_recording(agent, person: str, number: int):
    """The call form sent with a recording the caller was told of, and no duration."""
    data = call_form(person, number, notice_played="yes", duration="")
    refused = form(agent, "/desk/calls/new", data, files={"recording": AUDIO})
    assert refused.status_code == 422
    return refused


def held_token(page: str) -> str:
    found = re.search(r'<input type="hidden" name="held" value="([^"]+)">', page)
    assert found, "the form holds no recording"
    return found.group(1)


def test_the_callers_number_is_filled_in_from_their_record(agent, admin, ticket):
    number, person = ticket
    assert (
        admin.patch(f"/api/v1/people/{person}", json={"phone": "713 555 0199"}).status_code == 200
    )
    page = agent.get(f"/desk/calls/new?ticket={number}").text
    assert re.search(r'<input id="f-number" name="number" type="tel"\s+value="\+17135550199"', page)
    assert f'value="{person}" checked data-phone="+17135550199"' in page
    assert "like +1 201-555-0123." in page  # the hint writes a number as a US business does


def test_the_start_is_typed_in_the_agents_time_zone_and_shown_back_so(agent, ticket):
    number, person = ticket
    page = agent.get(f"/desk/calls/new?ticket={number}").text
    assert "In your time zone, America/Chicago." in page
    refused = form(
        agent,
        "/desk/calls/new",
        call_form(person, number, started_at="2026-03-02T09:30", duration="soon"),
    )
    assert refused.status_code == 422
    assert 'value="2026-03-02T09:30"' in refused.text
    logged = form(
        agent, "/desk/calls/new", call_form(person, number, started_at="2026-03-02T09:30")
    )
    call = agent.get(f"/desk/calls/{call_of(logged)}").text
    assert '<time datetime="2026-03-02T15:30:00+00:00"' in call  # 09:30 in Houston (CST)
    assert "9:30" in call.split('datetime="2026-03-02T15:30:00+00:00"', 1)[1].split("</time>")[0]


def test_a_call_logged_from_a_ticket_goes_back_to_it(agent, ticket):
    number, person = ticket
    answer = form(agent, "/desk/calls/new", call_form(person, number))
    assert answer.status_code == 303
    assert answer.headers["location"].startswith(f"/desk/tickets/{number}?")
    page = agent.get(answer.headers["location"]).text
    assert "The call is logged." in page
    assert f'<a href="/desk/calls/{call_of(answer)}">Open the call just logged</a>' in page


def test_a_call_without_a_ticket_goes_to_the_call(agent, ticket):
    _, person = ticket
    answer = form(agent, "/desk/calls/new", {**call_form(person, 0), "ticket": ""})
    assert answer.status_code == 303
    assert answer.headers["location"].startswith("/desk/calls/")


@pytest.mark.promise("D6")
def test_a_mistake_in_the_form_keeps_the_recording_for_the_next_try(agent, reviewer, ticket):
    number, person = ticket
    refused = refused_with_a_recording(agent, person, number)
    assert refused.status_code == 422
    assert "Your recording is kept: <strong>call.ogg</strong>" in refused.text
    token = held_token(refused.text)

    again = call_form(person, number, notice_played="yes", held=token)
    logged = form(agent, "/desk/calls/new", again)
    assert logged.status_code == 303
    assert "notice=recording_kept" in logged.headers["location"]
    assert reviewer.get(f"/api/v1/calls/{call_of(logged)}/recording").content == AUDIO[1]

    used = form(agent, "/desk/calls/new", again)  # held once, used once
    assert used.status_code == 404
    assert "no longer kept" in used.text


@pytest.mark.promise("D6")
def test_a_recording_without_the_notice_is_not_held(agent, ticket):
    number, person = ticket
    refused = form(agent, "/desk/calls/new", call_form(person, number), files={"recording": AUDIO})
    assert refused.status_code == 422
    assert "Recording without the notice is not allowed" in refused.text
    assert 'name="held"' not in refused.text and "Your recording is kept" not in refused.text


def test_a_held_recording_is_gone_after_an_hour(agent, ticket):
    number, person = ticket
    with clock.frozen_at(clock.now()):
        refused = refused_with_a_recording(agent, person, number)
        token = held_token(refused.text)
        clock.advance(timedelta(minutes=61))
        late = form(
            agent, "/desk/calls/new", call_form(person, number, notice_played="yes", held=token)
        )
    assert late.status_code == 404
    assert "attach it again" in late.text
    assert 'value="4:30"' in late.text  # the rest of the form is kept


def test_another_agent_cannot_use_a_held_recording(agent, admin, mailbox, new_client, ticket):
    number, person = ticket
    refused = refused_with_a_recording(agent, person, number)
    other = new_client()
    staff(admin, mailbox, other, "second@example.com", "agent")
    enrol_mfa(other)
    plain_browser(other)
    taken = form(
        other,
        "/desk/calls/new",
        call_form(person, number, notice_played="yes", held=held_token(refused.text)),
    )
    assert taken.status_code == 404
    assert "no longer kept" in taken.text


def test_the_worker_removes_a_held_recording_after_its_hour(agent, ticket, identity_settings):
    number, person = ticket
    with clock.frozen_at(clock.now()):
        assert steward(identity_settings, "worker", "--once").exit_code == 0  # its schedule
        refused_with_a_recording(agent, person, number)
        held = identity_settings.files_dir / "held_recordings"
        assert [p for p in held.rglob("*") if p.is_file()]
        clock.advance(timedelta(minutes=61))
        ran = steward(identity_settings, "worker", "--once")
    assert ran.exit_code == 0, ran.output
    assert not [p for p in held.rglob("*") if p.is_file()]  # gone, though no one came back
