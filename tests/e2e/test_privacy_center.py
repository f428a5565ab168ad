"""A person who is not signed in asks for a copy of their data in a real browser, confirms it
with the mailed code, the privacy officer fulfils it at /dpo, and the person downloads the
export from the mailed link."""

import json
import re
import zipfile

import pytest

from tests.e2e.conftest import sign_in_through_pages


def mailed(mailbox, address: str) -> str:
    return mailbox.last_to(address).get_payload(decode=True).decode()


@pytest.mark.promise("R1", "R7")
def test_a_person_asks_confirms_and_downloads_what_the_officer_released(
    browser_page, new_browser_page, mailbox, make_customer, make_staff, screenshot
):
    make_customer("ada@example.com")
    officer = make_staff("privacy_officer", "dpo@example.com")
    page = browser_page

    page.goto("/privacy/center/new")
    page.get_by_label("What do you ask for?").select_option("access")
    page.get_by_label("Email address the request is about").fill("ada@example.com")
    screenshot(page, "1-ask")
    page.get_by_role("button", name="Send the request").click()
    code = re.search(r"\b(\d{6})\b", mailed(mailbox, "ada@example.com")).group(1)
    page.get_by_role("textbox", name="Code").fill(code)
    page.get_by_role("button", name="Confirm").first.click()
    page.get_by_text("the request is confirmed as yours").wait_for()
    reference = re.search(r"PR-[A-Z0-9]{4}-[A-Z0-9]{4}", page.content()).group(0)
    screenshot(page, "2-confirmed")

    desk = new_browser_page()
    sign_in_through_pages(desk, officer, "/dpo")
    desk.goto("/dpo")
    desk.get_by_role("link", name=reference).click()
    screenshot(desk, "3-officer")
    desk.get_by_role("link", name="Preview the export").first.click()
    desk.get_by_role("button", name="Send the export").click()
    desk.get_by_text("Done").first.wait_for()

    link = re.search(
        r"https?://\S+/privacy/center/download\?token=\S+", mailed(mailbox, "ada@example.com")
    )
    page.goto(link.group(0))
    with page.expect_download() as download:
        page.get_by_role("button", name="Download").click()
    archive = zipfile.ZipFile(download.value.path())
    document = json.loads(archive.read("export.json"))
    assert document["reference"] == reference
    emails = [v["value"] for c in document["categories"].values() for v in c["values"]]
    assert "ada@example.com" in emails
