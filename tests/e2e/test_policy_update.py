"""A material policy change in a real browser (C4): published through the CLI while a
customer holds an account, the restarted server asks the customer to accept it before the
portal opens, and the history page lists both versions."""

import pytest
from fastapi.testclient import TestClient

from steward.core.db import release
from steward.web.app import create_app
from tests.e2e.conftest import Login, sign_in_through_pages
from tests.people import customer
from tests.policy.publish_kit import material_change
from tests.rights.intake_kit import body_of, steward

EMAIL = "ada@example.com"


@pytest.fixture
def published(live_settings, mailbox, tmp_path) -> str:
    """A customer registers under version 1.0, then the operator publishes 1.1 with the CLI;
    requested before `browser_page`, so the live server starts on the new file."""
    app = create_app(live_settings)
    try:
        with TestClient(app) as client:
            customer(client, mailbox, EMAIL)
    finally:
        release(app.state.sessions.kw["bind"])
    new = material_change(live_settings.policy, tmp_path / "policy-1.1.yaml")
    result = steward(live_settings, "policy", "publish", str(new))
    assert result.exit_code == 0, result.output
    assert "1 sent, 0 failed" in result.output
    return result.output


@pytest.mark.promise("C4", "S3")
def test_a_customer_accepts_a_material_change_before_the_portal_and_the_history_shows_both(
    published, browser_page, mailbox, screenshot
):
    assert "version 1.1" in body_of(mailbox.last_to(EMAIL))
    page = browser_page
    sign_in_through_pages(page, Login(email=EMAIL), "/portal")
    page.get_by_role("heading", name="Our privacy policy has changed").wait_for()
    assert "/privacy/accept" in page.url
    assert page.get_by_text("processors: added 'mailgun'").is_visible()
    screenshot(page, "1-asked")

    with page.expect_navigation():
        page.get_by_role("button", name="I accept").click()
    page.get_by_role("heading", name="Your requests").wait_for()
    assert page.url.endswith("/portal")

    page.goto("/portal")  # accepted once: not asked again
    page.get_by_role("heading", name="Your requests").wait_for()

    page.goto("/privacy/history")
    links = page.get_by_role("link", name="Version")
    assert links.all_inner_texts() == ["Version 1.1", "Version 1.0"]
    screenshot(page, "2-history")
    links.first.click()
    page.get_by_text("Mailgun Technologies, Inc.").first.wait_for()
