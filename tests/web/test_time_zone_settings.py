"""Each person chooses the time zone they read times in: a customer on /portal/account, staff
on /desk/account. Blank means the business's zone; an unknown zone is refused beside the
form, and times on the pages then show in the chosen zone."""

import html
import re

from tests.web.page_helpers import error_of, post_form, verified_customer
from tests.web.test_portal_pages import open_request, ticket_id_of

HOUSTON = "America/Chicago"  # the default example's zone


def zone_titles(page: str) -> set[str]:
    """The zone each time on a page is shown in (the <time> title)."""
    return set(re.findall(r'<time datetime="[^"]+" title="([^"]+)"', page))


def test_a_customer_chooses_a_time_zone_and_times_show_in_it(client, mailbox):
    verified_customer(client, mailbox, "ada@example.com")
    ticket_id = ticket_id_of(open_request(client))
    form = html.unescape(client.get("/portal/account").text)
    assert '<label for="f-time_zone">Time zone</label>' in form
    assert f'<option value="">The business\'s time zone ({HOUSTON})</option>' in form
    assert zone_titles(client.get(f"/portal/tickets/{ticket_id}").text) <= {"CST", "CDT"}

    saved = post_form(
        client, "/portal/account/time-zone", {"time_zone": "Asia/Tokyo"}, follow_redirects=False
    )
    assert saved.status_code == 303
    page = client.get(saved.headers["location"]).text
    assert "Your time zone is saved" in page
    assert '<option value="Asia/Tokyo" selected>' in page
    assert "(JST)" in page
    assert zone_titles(client.get(f"/portal/tickets/{ticket_id}").text) == {"JST"}

    post_form(client, "/portal/account/time-zone", {"time_zone": ""})
    assert zone_titles(client.get(f"/portal/tickets/{ticket_id}").text) <= {"CST", "CDT"}


def test_an_unknown_time_zone_is_refused_beside_the_form(client, mailbox):
    verified_customer(client, mailbox, "ada@example.com")
    post_form(client, "/portal/account/time-zone", {"time_zone": "Europe/Paris"})
    answer = post_form(client, "/portal/account/time-zone", {"time_zone": "Mars/Olympus_Mons"})
    assert answer.status_code == 422
    assert error_of(answer.text) == "Choose a time zone from the list, like Europe/London."
    assert '<option value="Europe/Paris" selected>' in client.get("/portal/account").text


def test_staff_choose_their_time_zone_on_their_account_page(admin, mailbox, new_client):
    ada = new_client()
    verified_customer(ada, mailbox, "ada@example.com")
    ticket_id = ticket_id_of(open_request(ada))
    assert 'href="/desk/account"' in admin.get("/desk").text
    page = html.unescape(admin.get("/desk/account").text)
    assert f"The business's time zone ({HOUSTON})" in page
    saved = post_form(
        admin, "/desk/account/time-zone", {"time_zone": "Europe/London"}, follow_redirects=False
    )
    assert saved.headers["location"] == "/desk/account?notice=zone_saved"
    assert zone_titles(admin.get(f"/desk/tickets/{ticket_id}").text) <= {"GMT", "BST"}
    refused = post_form(admin, "/desk/account/time-zone", {"time_zone": "Nowhere"})
    assert refused.status_code == 422
    assert "Choose a time zone from the list" in error_of(refused.text)


def test_a_customer_is_sent_from_the_staff_account_page_to_the_portal(client, mailbox):
    verified_customer(client, mailbox, "ada@example.com")
    answer = client.get("/desk/account", follow_redirects=False)
    assert answer.status_code == 303
    assert answer.headers["location"] == "/portal"
