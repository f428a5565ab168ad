"""The desk's queue as an agent starts the day with it: the open work by default, "All" for
everything, the view shown marked, and requesters who link to their profile."""

import re

from tests.web.test_desk_pages import agent, form, open_ticket, shopper

__all__ = ["agent", "shopper"]  # fixtures shared with the queue's tests


def close(agent, number: int) -> None:
    answer = form(agent, f"/desk/tickets/{number}/update", {"status": "closed"})
    assert answer.status_code == 303


def current_view(page: str) -> str:
    """The name of the view the page marks as the one shown."""
    marked = re.findall(r'<a href="[^"]*" aria-current="page">([^<]+)</a>', page)
    assert len(marked) == 1, marked
    return marked[0]


def test_the_queue_shows_the_open_work_and_all_shows_the_closed_too(agent, shopper):
    open_ticket(shopper, "Printer jams on every page")
    done = open_ticket(shopper, "Toner ordered and fitted")
    close(agent, done)

    default = agent.get("/desk").text
    assert "Printer jams on every page" in default
    assert "Toner ordered and fitted" not in default
    assert '<option value="">All open</option>' in default
    everything = agent.get("/desk", params={"status": "all"}).text
    assert "Printer jams on every page" in everything
    assert "Toner ordered and fitted" in everything
    assert '<option value="all" selected>All</option>' in everything
    assert "Toner ordered" in agent.get("/desk", params={"status": "closed"}).text


def test_a_resolved_ticket_has_left_the_open_work(agent, shopper):
    number = open_ticket(shopper, "Scanner fixed")
    assert form(agent, f"/desk/tickets/{number}/update", {"status": "resolved"}).status_code == 303
    assert "Scanner fixed" not in agent.get("/desk").text
    assert "Scanner fixed" not in agent.get("/desk", params={"status": "all_open"}).text
    assert "Scanner fixed" in agent.get("/desk", params={"status": "resolved"}).text


def test_a_search_finds_a_closed_ticket_by_its_number(agent, shopper):
    done = open_ticket(shopper, "Old toner question")
    close(agent, done)
    assert "Old toner question" in agent.get("/desk", params={"q": f"#{done}"}).text
    closed_only = agent.get("/desk", params={"q": f"#{done}", "status": "new"}).text
    assert "Old toner question" not in closed_only


def test_the_view_shown_is_marked_built_in_or_saved(agent, shopper):
    open_ticket(shopper)
    assert current_view(agent.get("/desk").text) == "All open"
    assert current_view(agent.get("/desk", params={"assignee": "me"}).text) == "Mine"
    assert current_view(agent.get("/desk", params={"status": "all"}).text) == "All tickets"

    saved = form(agent, "/desk/views", {"name": "Urgent ones", "priority": "urgent"})
    assert saved.status_code == 303
    page = agent.get("/desk", params={"priority": "urgent"}).text
    assert current_view(page) == "Urgent ones"
    assert re.search(r'<li class="current"><a href="/desk\?priority=urgent"', page)
    unsaved = agent.get("/desk", params={"priority": "low"}).text
    assert "aria-current" not in unsaved  # no view is these filters


def test_htmx_keeps_the_mark_and_the_filters_to_save_in_step(agent, shopper):
    open_ticket(shopper)
    answer = agent.get(
        "/desk", params={"status": "all"}, headers={"HX-Request": "true", "HX-Target": "queue"}
    )
    views = answer.text.split('<aside id="views"', 1)
    assert len(views) == 2, "the views come along, out of band"
    assert 'hx-swap-oob="true"' in views[1].split(">", 1)[0]
    assert current_view(views[1]) == "All tickets"
    assert '<input type="hidden" name="status" value="all">' in views[1]


def test_a_requester_links_to_their_profile(agent, shopper):
    number = open_ticket(shopper)
    queue = agent.get("/desk").text
    link = re.search(r'<a href="(/desk/people/[^"]+)">Ada Lovelace</a>', queue)
    assert link
    ticket = agent.get(f"/desk/tickets/{number}").text
    assert f'<a href="{link.group(1)}">Ada Lovelace</a>' in ticket
    assert agent.get(link.group(1)).status_code == 200
