"""The privacy officer's ordinary day in a real browser, under two example businesses (a US
generator dealer and a UK IT shop): signing in lands on /dpo; a request asked by mail shows
who asked; its code is mailed again and the identity recorded as checked by a call-back; an
access export is previewed, then sent; an erasure's approval step says when it runs; a legal
hold on an organisation is placed by its name, named in the list, and released through its
confirmation (once with JavaScript off)."""

import re

import pytest

from steward.policy.service import read_active
from tests.conftest import EXAMPLES
from tests.e2e.conftest import sign_in_through_pages
from tests.rights.channels_kit import ASKING, ingest, mail, use_example
from tests.rights.conftest import code_in_last

WALKS = {
    "houston-generator.yaml": True,  # JavaScript on throughout
    "it-support-shop.yaml": False,  # the hold released with JavaScript off
}


@pytest.fixture(params=sorted(WALKS))
def example(request, data_dir):
    """The example policy the walk runs under: set before the live server starts."""
    return use_example(data_dir, EXAMPLES / request.param)


def asked_by_mail(settings, example, kind: str, number: int) -> str:
    """Ada writes to the privacy address asking for `kind`; the reference it opened."""
    privacy = read_active(example).policy.controller.privacy_contact
    return ingest(settings, mail("ada@example.com", privacy, "Privacy", ASKING[kind], number))


def test_the_officers_day(
    example,
    live_settings,
    browser_page,
    chromium,
    admin,
    new_client,
    mailbox,
    make_customer,
    make_staff,
    screenshot,
):
    make_customer("ada@example.com")
    officer = make_staff("privacy_officer", "dpo@example.com")
    assert admin.post("/api/v1/organisations", json={"name": "Lovelace Engines"}).status_code == 201
    access = asked_by_mail(live_settings, example, "access", 1)
    erasure = asked_by_mail(live_settings, example, "erasure", 2)
    code = code_in_last(mailbox, "ada@example.com")
    assert new_client().post(f"/api/v1/rights/{erasure}/verify", json={"code": code}).is_success
    page = browser_page

    sign_in_through_pages(page, officer)
    assert page.url.endswith("/dpo")
    row = page.get_by_role("row").filter(has_text=access)
    assert "Ada Lovelace" in row.inner_text()
    screenshot(page, "1-queue")

    row.get_by_role("link", name=access).click()
    page.get_by_role("button", name="Resend the code").click()
    page.get_by_text("A new code is mailed to the person").wait_for()
    page.get_by_label("A call-back to the phone number we hold").check()
    page.get_by_label("What you did").fill("Called back on the number in her account.")
    page.get_by_role("button", name="Record the check and verify").click()
    page.get_by_text("The identity check is recorded").wait_for()
    timeline = page.locator("ol.timeline").inner_text()
    assert "Verified (by a call-back to the phone number we hold) by Staff Member" in timeline
    screenshot(page, "2-verified")

    page.get_by_role("link", name="Preview the export").first.click()
    names = {c.name for c in read_active(example).policy.categories.values()}
    shown = page.locator("#export-categories tbody td[data-label=Data]").all_inner_texts()
    assert shown and set(shown) <= names  # each kind of data by the policy's own name
    screenshot(page, "3-preview")
    page.get_by_role("button", name="Send the export").click()
    page.get_by_text("The export is ready").wait_for()

    page.goto("/dpo")
    page.get_by_role("link", name=erasure).click()
    approval = page.locator("section", has=page.get_by_role("heading", name="Approve the erasure"))
    assert re.search(r"grace period of .+ is over: approved now, on", approval.inner_text())
    screenshot(page, "4-erasure")
    approval.get_by_role("button", name="Approve the erasure").click()
    page.get_by_text("The erasure is approved").wait_for()

    page.goto("/dpo/retention")
    page.get_by_label("On", exact=True).select_option(label="An organisation")
    page.get_by_label("Which one").fill("Lovelace Engines")
    page.get_by_label("Reason").select_option(label="Dispute")
    page.get_by_role("button", name="Place the hold").click()
    page.get_by_text("The hold is in force").wait_for()
    holds = page.locator("#holds").inner_text()
    assert "Lovelace Engines" in holds
    screenshot(page, "5-hold")

    releasing = page
    if not WALKS[example.name]:  # the same session, in a browser with JavaScript off
        context = chromium.new_context(base_url=live_settings.public_url, java_script_enabled=False)
        context.add_cookies(page.context.cookies())
        releasing = context.new_page()
        releasing.goto("/dpo/retention")
    releasing.get_by_role("link", name="Release the hold on Lovelace Engines").click()
    releasing.get_by_role("heading", name="Release the hold on Lovelace Engines?").wait_for()
    screenshot(releasing, "6-confirm-release")
    releasing.get_by_role("button", name="Release the hold").click()
    releasing.get_by_text("The hold is released").wait_for()
    assert "No holds in force." in releasing.locator("main").inner_text()
    if releasing is not page:
        releasing.context.close()
