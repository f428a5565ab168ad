"""The portal's "Your data" page and closing one's account from the portal's pages, under the
Houston policy (erasure and consent withdrawal in the account settings, portability in the
portal with the password) and the print provider's (erasure by mail or post only); and the
admin's accounts page at /desk/accounts."""

import pytest

from tests.desk.team import Team
from tests.identity.closing_kit import account_of, person_of, requests_of, use_example
from tests.people import PASSWORD, sign_in
from tests.rights.work import fulfil
from tests.web.page_helpers import error_of, post_form


@pytest.fixture
def team(admin, mailbox, new_client) -> Team:
    return Team(admin, mailbox, new_client)


@pytest.fixture
def printo(data_dir):
    use_example(data_dir, "printo-gens.yaml")


def _section(html: str, heading_id: str) -> str:
    """From the heading to the next one of its level (sections nest inside it)."""
    start = html.index(f'id="{heading_id}"')
    end = html.find("<h2", start)
    return html[start:] if end < 0 else html[start:end]


@pytest.mark.promise("R2")
def test_your_data_offers_what_the_policy_offers_here_and_names_the_other_ways(team):
    ada, _ = team.customer("ada")

    page = ada.get("/portal/data")

    assert page.status_code == 200
    here = _section(page.text, "here-heading")
    elsewhere = _section(page.text, "elsewhere-heading")
    assert 'value="portability"' in here and 'value="consent_withdrawal"' in here
    assert "Delete your data" in here and "/portal/account/close" in here
    assert "Restrict how we use your data" in elsewhere
    assert 'value="restriction"' not in page.text
    assert "privacy center" in elsewhere
    assert 'href="/privacy/center"' in page.text


@pytest.mark.promise("R1")
def test_a_download_asked_in_the_portal_appears_there_once_fulfilled(team, app):
    ada, ada_id = team.customer("ada")
    bob, _ = team.customer("bob")
    officer = team["privacy_officer"]

    asked = post_form(
        ada,
        "/portal/data/ask",
        {"kind": "portability", "password": PASSWORD},
        follow_redirects=False,
    )
    assert asked.status_code == 303, asked.text
    [request] = requests_of(app, ada_id)
    fulfilled = fulfil(officer, request.id)
    assert fulfilled.status_code == 200, fulfilled.text

    page = ada.get("/portal/data")
    ready = _section(page.text, "downloads-heading")
    assert request.reference in ready
    link = ready.split('href="')[1].split('"')[0]
    download = ada.get(link)
    assert download.status_code == 200
    assert "attachment" in download.headers["content-disposition"]
    assert download.content.startswith(b"{")
    assert bob.get(link).status_code == 404  # someone else's export is not found


def test_a_wrong_password_in_a_form_asks_again(team, app):
    ada, ada_id = team.customer("ada")

    answer = post_form(ada, "/portal/data/ask", {"kind": "portability", "password": "nope nope"})

    assert answer.status_code == 422
    assert "The password is wrong." in answer.text
    assert requests_of(app, ada_id) == []


def test_an_over_long_password_is_refused_by_the_form_as_by_the_api(team, app):
    ada, ada_id = team.customer("ada")
    too_long = "correct horse " * 72  # 1,008 characters; a password here has at most 1,000

    answer = post_form(ada, "/portal/data/ask", {"kind": "portability", "password": too_long})
    api = ada.post("/api/v1/me/rights", json={"kind": "portability", "password": too_long})

    assert answer.status_code == 422
    assert error_of(answer.text) == "Check this field: Password (at most 1000 characters)."
    assert too_long not in answer.text  # a password is never shown again
    assert api.status_code == 422
    assert api.json()["detail"] == "Check these fields: password."
    assert requests_of(app, ada_id) == []


@pytest.mark.promise("R3")
def test_the_close_page_says_what_is_kept_and_until_when(team):
    ada, _ = team.customer("ada")

    page = ada.get("/portal/account/close")

    assert page.status_code == 200
    assert "after your account is closed" in page.text
    assert "/portal/account/close-and-delete" in page.text
    assert "7 days" in page.text
    assert "P7Y" not in page.text and "account_closure" not in page.text


@pytest.mark.promise("R3")
def test_closing_from_the_portal_signs_out_and_refuses_sign_in(team, app, new_client):
    ada, ada_id = team.customer("ada")

    closed = post_form(ada, "/portal/account/close", {})

    assert closed.status_code == 200, closed.text
    assert "Your account is closed" in closed.text
    assert "after your account is closed" in closed.text
    assert person_of(app, ada_id).closed_at is not None
    assert ada.get("/portal", follow_redirects=False).headers["location"].startswith("/sign-in")
    assert sign_in(new_client(), "ada@example.com").status_code == 403


@pytest.mark.promise("R3")
def test_close_and_delete_from_the_portal_needs_the_password(team, app):
    ada, ada_id = team.customer("ada")

    wrong = post_form(ada, "/portal/account/close-and-delete", {"password": "nope nope"})
    assert wrong.status_code == 422 and "The password is wrong." in wrong.text
    assert account_of(app, ada_id).status == "active" and requests_of(app, ada_id) == []

    done = post_form(ada, "/portal/account/close-and-delete", {"password": PASSWORD})
    assert done.status_code == 200, done.text
    assert "We will delete your data on" in done.text
    assert requests_of(app, ada_id)[0].status == "scheduled"


@pytest.mark.promise("R3")
def test_where_erasure_is_by_mail_the_portal_offers_closing_and_names_the_address(
    printo, team, app
):
    ada, ada_id = team.customer("ada")

    data = ada.get("/portal/data")
    close = ada.get("/portal/account/close")

    assert 'value="access"' in _section(data.text, "here-heading")
    elsewhere = _section(data.text, "elsewhere-heading")
    assert "Delete your data" in elsewhere and "privacy@printogens.com" in elsewhere
    assert "/portal/account/close-and-delete" not in close.text
    assert "privacy@printogens.com" in close.text
    refused = post_form(ada, "/portal/account/close-and-delete", {"password": PASSWORD})
    assert refused.status_code == 422
    assert requests_of(app, ada_id) == []
    assert post_form(ada, "/portal/account/close", {}).status_code == 200
    assert person_of(app, ada_id).closed_at is not None


def test_an_admin_closes_an_account_on_the_desk(team, app):
    ada, ada_id = team.customer("ada")
    admin = team.admin
    account_id = ada.get("/api/v1/me").json()["account_id"]

    page = admin.get("/desk/accounts")
    assert page.status_code == 200 and f"/desk/accounts/{account_id}/status" in page.text
    assert '<td data-label="Role">Administrator</td>' in page.text  # roles in words
    assert '<td data-label="Role">Customer</td>' in page.text
    closed = post_form(
        admin, f"/desk/accounts/{account_id}/status", {"action": "close"}, follow_redirects=False
    )

    assert closed.status_code == 303, closed.text
    assert account_of(app, ada_id).status == "closed"
    assert person_of(app, ada_id).closed_at is not None
    assert ada.get("/api/v1/me").status_code == 401
    reopened = post_form(admin, f"/desk/accounts/{account_id}/status", {"action": "reopen"})
    assert reopened.status_code == 200
    assert person_of(app, ada_id).closed_at is None
    assert team["agent"].get("/desk/accounts").status_code == 403
