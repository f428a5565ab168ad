"""A customer's ordinary day in a real browser, under a US and a UK business: from `/` to
sign-in and the portal; a new request (acknowledged by mail) and the agent's reply (mailed
from the agent by name); an invoice opened from Billing and its PDF; the privacy center from
the footer, a copy of their data asked for as the policy offers it (in the privacy center in
Houston; by mail in Reading, confirmed with the mailed code in the privacy center) and its
report.html read. The UK walk runs with JavaScript off on a phone-width screen, as every page
it passes claims to work that way.
Amounts and dates read as each business writes them: $ and "Dec 7, 2026" in Houston, £ and
"7 Dec 2026" in Reading."""

import re
import zipfile
from dataclasses import dataclass
from email.utils import parseaddr
from pathlib import Path

import pytest

from steward.policy.loader import load_policy
from tests.conftest import DEFAULT_EXAMPLE, EXAMPLES
from tests.desk.test_billing import invoice
from tests.e2e.conftest import sign_in_through_pages
from tests.rights.channels_kit import ASKING, ingest, mail, use_example
from tests.rights.conftest import code_in_last
from tests.rights.work import fulfil


@dataclass(frozen=True)
class Walk:
    name: str
    javascript: bool
    currency: str
    total: str  # the invoice's total as the business writes it
    date: str  # the shape of a date as the business writes it
    access_by_mail: bool  # the policy takes access requests by mail, not in the center

    def __str__(self) -> str:
        return self.name


WALKS = {
    DEFAULT_EXAMPLE: Walk(
        "houston-js", True, "USD", "$475.00", r"[A-Z][a-z]{2} \d{1,2}, \d{4}", False
    ),
    EXAMPLES / "it-support-shop.yaml": Walk(
        "reading-no-js", False, "GBP", "£475.00", r"\d{1,2} [A-Z][a-z]{2} \d{4}", True
    ),
}


@pytest.fixture(params=list(WALKS), ids=lambda p: str(WALKS[p]))
def walk(request, data_dir) -> Walk:
    """The walk's business in place of the default policy; ask for it before the server."""
    use_example(data_dir, request.param)
    return WALKS[request.param]


def mailed(mailbox, address: str):
    message = mailbox.last_to(address)
    return message, message.get_payload(decode=True).decode()


def test_a_customers_day(
    walk,
    data_dir,
    chromium,
    live_server,
    live_settings,
    admin,
    mailbox,
    make_customer,
    make_staff,
    screenshot,
    tmp_path,
):
    ada = make_customer("ada@example.com")
    agent = make_staff("agent")
    officer = make_staff("privacy_officer", "dpo@example.com")
    ada_id = ada.api.get("/api/v1/me").json()["person_id"]
    billed = invoice(admin, ada_id, currency=walk.currency).json()
    phone = {} if walk.javascript else {"viewport": {"width": 375, "height": 740}}
    context = chromium.new_context(
        base_url=live_server, locale="en-GB", java_script_enabled=walk.javascript, **phone
    )
    context.set_default_timeout(10_000)
    try:
        page = context.new_page()

        page.goto("/")
        assert page.url.endswith("/sign-in")
        sign_in_through_pages(page, ada)
        page.get_by_role("heading", name="Your requests").wait_for()
        assert page.url.endswith("/portal")
        screenshot(page, "1-portal")

        page.get_by_role("link", name="Open a new request").click()
        page.get_by_label("Subject").fill("Printer offline")
        page.get_by_label("Message").fill("The office printer shows as offline since Monday.")
        page.get_by_role("button", name="Send request").click()
        page.get_by_text("Your request is open.").wait_for()
        ticket_id = int(re.search(r"/portal/tickets/(\d+)", page.url).group(1))
        acknowledged, body = mailed(mailbox, ada.email)
        assert acknowledged["Subject"] == f"[#{ticket_id}] Printer offline"
        assert f"{live_server}/portal/tickets/{ticket_id}" in body

        answer = agent.api.post(
            f"/api/v1/tickets/{ticket_id}/messages", json={"body": "We restarted its server."}
        )
        assert answer.status_code == 201, answer.text
        replied, body = mailed(mailbox, ada.email)
        assert parseaddr(replied["From"])[0].startswith("Staff Member at ")  # the agent's name
        assert "We restarted its server." in body
        page.reload()
        page.get_by_text("We restarted its server.").wait_for()
        screenshot(page, "2-answered")

        page.get_by_role("link", name="Billing").click()
        page.get_by_role("link", name=billed["number"]).click()
        page.get_by_role("heading", name=f"Invoice {billed['number']}").wait_for()
        shown = page.inner_text("main")
        assert walk.total in shown
        assert re.search(rf"Issued\s+{walk.date}", shown), shown
        screenshot(page, "3-invoice")
        with page.expect_download() as download:
            page.get_by_role("link", name="Download the invoice (PDF)").click()
        assert download.value.suggested_filename == f"{billed['number']}.pdf"
        assert Path(download.value.path()).read_bytes().startswith(b"%PDF")

        page.get_by_role("link", name="Your privacy choices and rights").click()
        page.get_by_role("heading", name="Privacy center").wait_for()
        if walk.access_by_mail:
            contact = load_policy(data_dir / "policy.yaml").controller.privacy_contact
            assert contact in page.inner_text("main")
            asked = mail(ada.email, contact, "My data", ASKING["access"], 1)
            reference = ingest(live_settings, asked)
            page.goto(f"/privacy/center/verify?reference={reference}")
            page.get_by_role("textbox", name="Code").fill(code_in_last(mailbox, ada.email))
            page.get_by_role("button", name="Confirm").first.click()
            page.get_by_text("the request is confirmed as yours").wait_for()
        else:
            page.get_by_role("link", name="Access to your data").click()
            page.get_by_role("button", name="Send the request").click()
            reference = re.search(r"PR-[A-Z0-9]{4}-[A-Z0-9]{4}", page.url).group(0)
        screenshot(page, "4-asked")
        queue = officer.api.get("/api/v1/dpo/requests").json()["items"]
        request_id = next(r["id"] for r in queue if r["reference"] == reference)
        assert fulfil(officer.api, request_id).status_code == 200

        page.get_by_role("link", name="Your data").first.click()
        with page.expect_download() as download:
            page.get_by_role("link", name=f"Your data, request {reference}").click()
        zipfile.ZipFile(download.value.path()).extract("report.html", tmp_path)
        page.goto((tmp_path / "report.html").as_uri())
        page.get_by_role("heading", name=re.compile("holds about you")).wait_for()
        report = page.inner_text("main")
        assert "answered with this copy" in report
        assert f"Invoice {billed['number']}, yours" in report
        assert re.search(rf"we made it on {walk.date}", report)
        screenshot(page, "5-report")
    finally:
        context.close()
