"""D2 on the portal: a contact of an organisation opens a request about one of its end users
through the new-request form; nobody else gets the choice, and a forged one is refused."""

import re

import pytest

from tests.people import customer
from tests.web.test_desk_pages import form, plain_browser

OPTION = re.compile(r'<option value="([^"]*)"[^>]*>([^<]*)</option>')


def member(browser, mailbox, email: str):
    customer(browser, mailbox, email)
    return plain_browser(browser), browser.get("/api/v1/me").json()["person_id"]


@pytest.fixture
def acme(admin, mailbox, client, new_client):
    """Carol, a contact of Acme; Bob, an end user of Acme; Eve, of no organisation."""
    people = {
        name: member(new_client(), mailbox, f"{name}@example.com")
        for name in ("carol", "bob", "eve")
    }
    made = admin.post("/api/v1/organisations", json={"name": "Acme Lab"})
    assert made.status_code == 201, made.text
    for name, kind in (("carol", "contact"), ("bob", "end_user")):
        joined = admin.post(
            f"/api/v1/organisations/{made.json()['id']}/members",
            json={"kind": kind, "person_id": people[name][1]},
        )
        assert joined.status_code == 201, joined.text
    return people


def new_request(browser, **extra: str):
    data = {"subject": "Bob's laptop will not boot", "message": "It beeps three times."}
    return form(browser, "/portal/tickets/new", {**data, **extra})


@pytest.mark.promise("D2")
def test_a_contact_opens_a_request_about_an_end_user_of_the_organisation(acme, admin):
    carol, _ = acme["carol"]
    _, bob = acme["bob"]
    page = carol.get("/portal/tickets/new").text
    assert "Who is this request about?" in page
    choices = dict(OPTION.findall(page))
    assert choices[""] == "Myself"
    assert bob in choices and "Acme Lab" in choices[bob]
    assert acme["eve"][1] not in choices

    answer = new_request(carol, about=bob)
    assert answer.status_code == 303, answer.text
    ticket_id = answer.headers["location"].split("?")[0].rsplit("/", 1)[1]
    assert admin.get(f"/api/v1/tickets/{ticket_id}").json()["about_id"] == bob


@pytest.mark.promise("D2")
def test_a_customer_who_is_no_contact_sees_no_choice_of_whom_it_is_about(acme):
    for name in ("bob", "eve"):
        page = acme[name][0].get("/portal/tickets/new").text
        assert "Who is this request about?" not in page
        assert "<select" not in page


@pytest.mark.promise("D2")
def test_a_forged_choice_of_someone_outside_the_organisation_is_refused_plainly(acme, admin):
    carol, _ = acme["carol"]
    eve_browser, eve = acme["eve"]
    for browser, about in ((carol, eve), (eve_browser, acme["bob"][1])):
        answer = new_request(browser, about=about)
        assert answer.status_code == 403
        assert "Only a contact of an organisation may open a request" in answer.text
        assert 'value="Bob&#39;s laptop will not boot"' in answer.text  # the typed text stays
    assert admin.get("/api/v1/tickets").json()["items"] == []
