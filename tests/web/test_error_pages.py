"""Problem pages (404, 403, 500) keep the nav of whoever is signed in: staff their desk, with
a way back to their own work, not "Sign in / Register"."""

from tests.desk.team import Team


def nav(page: str) -> str:
    return page.split('<nav aria-label="Main">', 1)[1].split("</nav>", 1)[0]


def test_a_missing_page_shows_the_signed_in_officer_their_nav(admin, mailbox, new_client):
    officer = Team(admin, mailbox, new_client)["privacy_officer"]
    page = officer.get("/no/such/page")
    assert page.status_code == 404
    menu = nav(page.text)
    assert 'href="/dpo">Privacy requests' in menu and "Sign out" in menu
    assert "Register" not in menu and "Sign in" not in menu
    assert '<a href="/dpo">Back to your work</a>' in page.text
    anonymous = nav(new_client().get("/no/such/page").text)
    assert "Sign in" in anonymous and "Register" in anonymous


def test_a_refusal_and_a_failure_keep_the_nav(app, admin, mailbox, new_client):
    team = Team(admin, mailbox, new_client)
    refused = team["agent"].get("/dpo")
    assert refused.status_code == 403
    assert 'href="/desk/calls">Calls' in nav(refused.text) and "Register" not in refused.text

    def broken() -> None:
        raise RuntimeError("a bug")

    app.add_api_route("/dpo-broken-for-test", broken)
    failed = team["privacy_officer"].get("/dpo-broken-for-test")
    assert failed.status_code == 500 and "Something went wrong" in failed.text
    assert 'href="/dpo/retention">Retention' in nav(failed.text)
    assert "Register" not in failed.text
