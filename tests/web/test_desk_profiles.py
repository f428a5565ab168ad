"""A person's and an organisation's page on the desk, and the desk's search finding people
and organisations: names and links, never ids, on every page an agent reads."""

import re

import pytest

from tests.web.test_desk_pages import agent, billing_clerk, form, open_ticket, shopper

__all__ = ["agent", "billing_clerk", "shopper"]  # fixtures shared with the queue's tests

UUID = re.compile(r"\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b")


def visible_text(page: str) -> str:
    """What a person reads: the page without its tags (and so without link addresses)."""
    body = page.split("<main", 1)[1]
    return re.sub(r"<[^>]+>", " ", body)


@pytest.fixture
def grace_at_acme(admin):
    """Grace Hopper, an end user of Acme Ltd with a phone number, and a device she uses."""
    acme = admin.post("/api/v1/organisations", json={"name": "Acme Ltd", "domain": "acme.test"})
    assert acme.status_code == 201, acme.text
    member = admin.post(
        f"/api/v1/organisations/{acme.json()['id']}/members",
        json={
            "kind": "end_user",
            "name": "Grace Hopper",
            "email": "grace@acme.test",
            "phone": "+1 713 555 0100",
        },
    )
    assert member.status_code == 201, member.text
    return acme.json()["id"], member.json()["person_id"]


def test_a_person_profile_shows_their_details_organisations_tickets_and_calls(
    agent, shopper, admin, grace_at_acme
):
    acme, grace = grace_at_acme
    number = open_ticket(shopper)
    requester = re.search(r'href="/desk/people/([^"]+)"', agent.get(f"/desk/tickets/{number}").text)
    ada = requester.group(1)
    logged = form(
        agent,
        "/desk/calls/new",
        {"person": grace, "number": "+1 713 555 0100", "duration": "3", "direction": "inbound"},
    )
    assert logged.status_code == 303

    page = agent.get(f"/desk/people/{grace}").text
    assert "<h1>Grace Hopper</h1>" in page
    assert '<a href="mailto:grace@acme.test">grace@acme.test</a>' in page
    assert "+17135550100" in page
    assert f'<a href="/desk/organisations/{acme}">Acme Ltd</a>' in page
    assert "(End user)" in page
    calls = page.split('id="calls-heading"', 1)[1]
    assert "They called us" in calls and '<td data-label="Duration">3:00</td>' in calls
    assert f'href="/desk/calls/new?person={grace}"' in page
    assert not UUID.search(visible_text(page))

    theirs = agent.get(f"/desk/people/{ada}").text
    assert "<h1>Ada Lovelace</h1>" in theirs
    assert f'<a href="/desk/tickets/{number}">Printer jams on every page</a>' in theirs
    assert "No calls." in theirs


def test_billing_staff_do_not_get_peoples_profiles(billing_clerk, grace_at_acme):
    _, grace = grace_at_acme
    page = billing_clerk.get(f"/desk/people/{grace}")
    assert page.status_code == 403
    assert "Grace Hopper" not in page.text


def test_a_person_who_does_not_exist_is_a_not_found_page(agent):
    answer = agent.get("/desk/people/00000000-0000-0000-0000-000000000000")
    assert answer.status_code == 404
    assert "There is no such person." in answer.text


def test_an_organisation_page_links_its_members_and_lists_its_tickets(
    agent, shopper, grace_at_acme
):
    acme, grace = grace_at_acme
    added = form(
        agent,
        f"/desk/organisations/{acme}/members",
        {"kind": "contact", "existing_email": "ada@example.com"},
    )
    assert added.status_code == 303
    number = open_ticket(shopper, "Acme's printer jams")
    page = agent.get(f"/desk/organisations/{acme}").text
    assert f'<a href="/desk/people/{grace}">Grace Hopper</a>' in page
    assert re.search(r'<a href="/desk/people/[^"]+">Ada Lovelace</a>', page)
    tickets = page.split('id="tickets-heading"', 1)[1]
    assert f'<a href="/desk/tickets/{number}">Acme&#39;s printer jams</a>' in tickets
    assert not UUID.search(visible_text(page))


def test_an_organisation_gets_a_time_zone_and_clears_it(agent, grace_at_acme):
    acme, _ = grace_at_acme
    page = agent.get(f"/desk/organisations/{acme}").text
    assert '<option value="">The business&#39;s time zone (America/Chicago)</option>' in page
    assert '<option value="Europe/London">Europe/London</option>' in page
    saved = form(
        agent,
        f"/desk/organisations/{acme}",
        {"name": "Acme Ltd", "domain": "acme.test", "time_zone": "Europe/London"},
    )
    assert saved.status_code == 303
    page = agent.get(saved.headers["location"]).text
    assert '<option value="Europe/London" selected>Europe/London</option>' in page
    assert "<dt>Time zone</dt><dd>Europe/London</dd>" in page
    cleared = form(agent, f"/desk/organisations/{acme}", {"name": "Acme Ltd", "time_zone": ""})
    assert cleared.status_code == 303
    assert (
        "<dd>The business&#39;s (America/Chicago)</dd>"
        in agent.get(f"/desk/organisations/{acme}").text
    )


def test_a_made_up_time_zone_is_refused_with_the_form_kept(agent, grace_at_acme):
    acme, _ = grace_at_acme
    answer = form(
        agent, f"/desk/organisations/{acme}", {"name": "Acme Renamed", "time_zone": "Mars/Olympus"}
    )
    assert answer.status_code == 422
    assert "Choose a time zone from the list" in answer.text
    assert 'value="Acme Renamed"' in answer.text
    assert "<h1>Acme Ltd</h1>" in answer.text  # nothing changed


def test_the_desk_search_finds_people_by_name_or_email_and_organisations_by_name(
    agent, shopper, grace_at_acme
):
    acme, grace = grace_at_acme
    by_name = agent.get("/desk", params={"q": "hopper"}).text
    people = by_name.split('id="people-heading"', 1)[1].split("</section>", 1)[0]
    assert f'<a href="/desk/people/{grace}">Grace Hopper</a>' in people
    assert "Ada Lovelace" not in people

    by_email = agent.get("/desk", params={"q": "ada@example.com"}).text
    people = by_email.split('id="people-heading"', 1)[1].split("</section>", 1)[0]
    assert ">Ada Lovelace</a>" in people and "Grace" not in people

    by_organisation = agent.get("/desk", params={"q": "acme"}).text
    found = by_organisation.split('id="found-organisations-heading"', 1)[1]
    assert f'<a href="/desk/organisations/{acme}">Acme Ltd</a>' in found.split("</section>")[0]


def test_staff_are_not_found_as_people(agent, shopper):
    page = agent.get("/desk", params={"q": "agent@example.com"}).text
    assert "Nobody with this name or email address." in page
