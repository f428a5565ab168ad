"""The desk's call page lists the kept recordings for call reviewers (D6)."""

import pytest

from tests.web.test_desk_pages import agent, form, open_ticket, shopper
from tests.web.test_desk_pages_calls import (
    AUDIO,
    call_form,
    call_of,
    requester_on_form,
    reviewer,
)

__all__ = ["agent", "reviewer", "shopper"]  # fixtures shared with the calls' page tests


@pytest.mark.promise("D6")
def test_a_reviewer_sees_the_kept_recordings_each_linking_to_its_player(agent, reviewer, shopper):
    assert "No recordings are kept." in reviewer.get("/desk/calls").text
    number = open_ticket(shopper)
    person = requester_on_form(agent.get(f"/desk/calls/new?ticket={number}").text)
    kept = form(
        agent,
        "/desk/calls/new",
        call_form(person, number, notice_played="yes"),
        files={"recording": AUDIO},
    )
    call_id = call_of(kept)

    page = reviewer.get("/desk/calls").text
    assert "Kept recordings" in page
    assert f'href="/desk/calls/{call_id}"' in page
    assert "4:30" in page and "audio/ogg" in page
    assert "+442079460000" not in page and "Ada Lovelace" not in page
    player = reviewer.get(f"/desk/calls/{call_id}").text
    assert f'src="/api/v1/calls/{call_id}/recording"' in player
    assert "Kept recordings" not in agent.get("/desk/calls").text
