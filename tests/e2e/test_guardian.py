"""A child's account in a real browser (C3): registered through the pages with a guardian's
address, it cannot be used until the guardian, in their own browser, follows the mailed link
and consents; then the child signs in to the portal."""

import pytest

from tests.e2e.conftest import Login, sign_in_through_pages

KID = "kid@example.com"
PARENT = "parent@example.com"


@pytest.mark.promise("C3")
def test_a_childs_account_cannot_be_used_before_the_guardian_consents(
    browser_page, new_browser_page, mailbox, screenshot
):
    page = browser_page
    page.goto("/register")
    page.get_by_label("Name", exact=True).fill("Kit Lovelace")
    page.get_by_label("Email", exact=True).fill(KID)
    page.get_by_label("Password").fill(Login(KID).password)
    page.get_by_label("Date of birth").fill("2018-05-01")
    page.get_by_label("Parent's or guardian's name").fill("Grace Lovelace")
    page.get_by_label("Parent's or guardian's email").fill(PARENT)
    with page.expect_navigation():
        page.get_by_role("button", name="Register").click()
    page.get_by_text("We have also emailed the parent or guardian you named").wait_for()

    page.goto(f"/verify-email?token={mailbox.token_in_last(KID, '/verify-email')}")
    with page.expect_navigation():
        page.get_by_role("button", name="Confirm my address").click()
    sign_in_through_pages(page, Login(KID), "/portal")
    page.get_by_text("waiting for a parent's or guardian's consent").wait_for()
    assert "/portal" not in page.url.split("?")[0]
    screenshot(page, "1-refused")

    guardian = new_browser_page()
    guardian.goto(f"/guardian/consent?token={mailbox.token_in_last(PARENT, '/guardian/consent')}")
    guardian.get_by_text("Kit Lovelace has registered").wait_for()
    screenshot(guardian, "2-asked")
    guardian.get_by_label("I consent to the account", exact=False).check()
    with guardian.expect_navigation():
        guardian.get_by_role("button", name="Give my consent").click()
    guardian.get_by_text("Your child's account can now be used").wait_for()
    screenshot(guardian, "3-consented")

    sign_in_through_pages(page, Login(KID), "/portal")
    page.get_by_role("heading", name="Your requests").wait_for()
    assert page.url.endswith("/portal")
