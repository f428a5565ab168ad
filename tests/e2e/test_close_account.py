"""A customer closes their account from the portal in a real browser and reads, in plain
words, what is kept and until when; then deletes their data under a policy that offers it in
the account settings (the Houston policy)."""

import re

import pytest

from tests.e2e.conftest import sign_in_through_pages
from tests.people import PASSWORD, sign_in


@pytest.mark.promise("R3")
def test_a_customer_closes_their_account_and_sees_what_is_kept(
    browser_page, make_customer, new_client, screenshot
):
    page = browser_page
    ada = make_customer("ada@example.com")
    sign_in_through_pages(page, ada)

    page.goto("/portal/account")
    page.get_by_role("link", name="Close your account").click()
    page.get_by_role("heading", name="Close your account", level=1).wait_for()
    kept = page.locator("ul.kept").inner_text()
    assert "after your account is closed" in kept
    assert not re.search(r"\bP\d+[YMD]\b", kept) and "account_closure" not in kept
    screenshot(page, "1-before")

    page.get_by_role("button", name="Close my account", exact=True).click()
    page.get_by_role("heading", name="Your account is closed").wait_for()
    after = page.locator("main").inner_text()
    assert "after your account is closed" in after
    assert re.search(r"until \w{3} \d{1,2}, \d{4}", after)  # the day it ends, as the US writes it
    screenshot(page, "2-closed")

    page.goto("/portal")
    assert "/sign-in" in page.url  # signed out
    assert sign_in(new_client(), ada.email).status_code == 403


@pytest.mark.promise("R3")
def test_a_customer_closes_and_deletes_with_the_password_and_sees_the_date(
    browser_page, make_customer, screenshot
):
    page = browser_page
    ada = make_customer("ada@example.com")
    sign_in_through_pages(page, ada)

    page.goto("/portal/account/close")
    page.get_by_label("Your password, to confirm it is you").fill("not my password")
    page.get_by_role("button", name="Close my account and delete my data").click()
    page.get_by_text("The password is wrong.").wait_for()

    page.get_by_label("Your password, to confirm it is you").fill(PASSWORD)
    page.get_by_role("button", name="Close my account and delete my data").click()
    page.get_by_role("heading", name="Your account is closed").wait_for()
    assert re.search(r"We will delete your data on \w{3} \d{1,2}, \d{4}", page.inner_text("main"))
    screenshot(page, "deleted")
