"""The front door: `/` leads a signed-in person to their work and a visitor to sign in; the
sign-in page, the published policy and the portal lead to the privacy center."""

from tests.web.page_helpers import verified_customer

CENTER = 'href="/privacy/center"'


def test_a_visitor_at_the_root_is_sent_to_sign_in_which_leads_everywhere_else(client):
    answer = client.get("/", follow_redirects=False)
    assert answer.status_code == 303
    assert answer.headers["location"] == "/sign-in"
    page = client.get("/sign-in").text
    for link in ('href="/register"', 'href="/privacy"', CENTER):
        assert link in page, link


def test_a_signed_in_person_at_the_root_is_sent_to_their_work(client, mailbox, admin, new_client):
    ada = new_client()
    verified_customer(ada, mailbox, "ada@example.com")
    assert ada.get("/", follow_redirects=False).headers["location"] == "/portal"
    assert admin.get("/", follow_redirects=False).headers["location"] == "/desk"


def test_the_policy_and_the_portal_link_to_the_privacy_center(client, mailbox):
    policy = client.get("/privacy").text
    assert CENTER in policy
    assert "Your privacy choices and rights" in policy
    verified_customer(client, mailbox, "ada@example.com")
    for path in ("/portal", "/privacy"):
        page = client.get(path).text
        assert CENTER in page, path
        assert 'href="/portal/account"' in page, path  # the policy shows the customer's nav
