"""A customer in a real browser: registers, follows the mailed link, signs in, opens a request
with an attachment, sees the agent's answer and replies; another customer cannot reach it."""

import re

import pytest

from tests.e2e.conftest import sign_in_through_pages


def mailed_link(mailbox, address: str, path: str) -> str:
    body = mailbox.last_to(address).get_payload(decode=True).decode()
    match = re.search(r"https?://\S+" + re.escape(path) + r"\?token=[A-Za-z0-9_\-]+", body)
    assert match, f"no {path} link mailed to {address}"
    return match.group(0)


@pytest.mark.promise("D3")
def test_a_customer_registers_opens_a_request_and_reads_the_answer(
    browser_page, mailbox, make_staff, screenshot, tmp_path
):
    page = browser_page
    page.goto("/register")
    page.get_by_label("Name", exact=True).fill("Ada Lovelace")
    page.get_by_label("Email", exact=True).fill("ada@example.com")
    page.get_by_label("Password").fill("correct horse battery staple 42")
    page.get_by_label("Date of birth").fill("1990-02-03")
    screenshot(page, "1-register")
    page.get_by_role("button", name="Register").click()
    page.get_by_role("heading", name="Check your email").wait_for()

    page.goto(mailed_link(mailbox, "ada@example.com", "/verify-email"))
    page.get_by_role("button", name="Confirm my address").click()
    page.get_by_text("Your email address is confirmed").wait_for()
    page.get_by_label("Email").fill("ada@example.com")
    page.get_by_label("Password").fill("correct horse battery staple 42")
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("heading", name="Your requests").wait_for()

    page.get_by_role("link", name="Open a new request").click()
    assert page.locator("input[name*=cc i], textarea[name*=cc i]").count() == 0  # D3
    page.get_by_label("Subject").fill("Generator will not start")
    page.get_by_label("Message").fill("It coughs twice and stops.")
    log = tmp_path / "start-log.txt"
    log.write_text("E42 fuel pressure low\n")
    page.get_by_label("Attachments").set_input_files(str(log))
    screenshot(page, "2-new-request")
    page.get_by_role("button", name="Send request").click()
    page.get_by_text("Your request is open.").wait_for()
    ticket_id = int(re.search(r"/portal/tickets/(\d+)", page.url).group(1))
    assert page.get_by_role("link", name="start-log.txt").is_visible()

    agent = make_staff("agent")
    answer = agent.api.post(
        f"/api/v1/tickets/{ticket_id}/messages",
        json={"body": "Please check the fuel filter."},
    )
    assert answer.status_code == 201, answer.text
    note = agent.api.post(
        f"/api/v1/tickets/{ticket_id}/messages",
        json={"body": "Internal: probably the pump", "visibility": "internal"},
    )
    assert note.status_code == 201, note.text

    page.reload()
    page.get_by_text("Please check the fuel filter.").wait_for()
    assert page.get_by_text("probably the pump").count() == 0
    with page.expect_download() as download:
        page.get_by_role("link", name="start-log.txt").click()
    assert download.value.suggested_filename == "start-log.txt"

    page.evaluate("window.stillTheSamePage = true")
    page.get_by_label("Your reply").fill("The filter was clogged; it runs now.")
    page.get_by_role("button", name="Send reply").click()
    page.get_by_text("Your reply is added.").wait_for()
    assert page.evaluate("window.stillTheSamePage === true")  # htmx swapped, no reload
    assert page.get_by_text("The filter was clogged; it runs now.").is_visible()
    screenshot(page, "3-answered")


def test_a_customer_cannot_open_another_customers_request_by_its_address(
    browser_page, new_browser_page, make_customer, screenshot
):
    ada = make_customer("ada@example.com")
    opened = ada.api.post(
        "/api/v1/tickets", json={"subject": "Ada's secret matter", "body": "Private."}
    )
    assert opened.status_code == 201, opened.text
    ticket_id = opened.json()["id"]

    bob = make_customer("bob@example.com")
    page = browser_page
    sign_in_through_pages(page, bob)
    page.get_by_role("heading", name="Your requests").wait_for()
    response = page.goto(f"/portal/tickets/{ticket_id}")
    assert response is not None and response.status == 404
    page.get_by_role("heading", name="Not found").wait_for()
    assert "Ada's secret matter" not in page.content()
    screenshot(page, "refused")

    own = new_browser_page()
    sign_in_through_pages(own, ada, next_path=f"/portal/tickets/{ticket_id}")
    own.get_by_role("heading", name=re.compile("Ada's secret matter")).wait_for()


def test_the_portal_works_without_javascript_on_a_phone(chromium, live_server, make_customer):
    context = chromium.new_context(
        base_url=live_server, java_script_enabled=False, viewport={"width": 375, "height": 740}
    )
    try:
        page = context.new_page()
        sign_in_through_pages(page, make_customer("ada@example.com"))
        page.get_by_role("link", name="Open a new request").click()
        page.get_by_label("Subject").fill("Toner")
        page.get_by_label("Message").fill("Out of toner.")
        page.get_by_role("button", name="Send request").click()
        page.get_by_text("Your request is open.").wait_for()
        page.get_by_label("Your reply").fill("Black only.")
        page.get_by_role("button", name="Send reply").click()
        page.get_by_text("Your reply is added.").wait_for()
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 375  # nothing wider than the phone's screen
    finally:
        context.close()


def test_a_staff_member_signing_in_for_the_portal_lands_on_the_desk(browser_page, make_staff):
    agent = make_staff("agent")
    sign_in_through_pages(browser_page, agent, next_path="/portal")
    assert "/mfa" not in browser_page.url
    browser_page.goto("/portal")
    assert browser_page.url.endswith("/desk")


def test_the_status_filter_swaps_the_list_in_place(browser_page, make_customer):
    ada = make_customer("ada@example.com")
    for subject in ("Toner", "Paper"):
        answer = ada.api.post("/api/v1/tickets", json={"subject": subject, "body": "-"})
        assert answer.status_code == 201, answer.text
    page = browser_page
    sign_in_through_pages(page, ada)
    page.get_by_role("link", name="Paper").wait_for()
    page.evaluate("window.stillTheSamePage = true")
    page.get_by_label("Status").select_option("closed")
    page.get_by_text("No requests with this status.").wait_for()
    assert page.evaluate("window.stillTheSamePage === true")
    assert page.url.endswith("/portal?status=closed")
    page.go_back()
    page.get_by_role("link", name="Paper").wait_for()
