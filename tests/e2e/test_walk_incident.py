"""X6 in a real browser: the privacy officer answers a breach from the report to the notices,
under the US generator dealer's policy (the GDPR and California). An agent's account read two
customers through the app (one in Berlin, one in Los Angeles), then was compromised. The
officer records the breach and sees its clocks, decides to report it and tell the people,
computes and freezes the people affected (that account over the window: the two it read and
the agent, not the third customer), revokes the agent's sessions, notes the initial phase of the report to
the authority, sends the people's notices, and sees every duty done in time. The customer
told finds the notice in her privacy center and in her mail; the customer not read finds
none."""

from datetime import UTC, datetime, timedelta

import pytest

from tests.conftest import EXAMPLES
from tests.e2e.conftest import Login, sign_in_through_pages
from tests.rights.channels_kit import use_example
from tests.rights.intake_kit import steward
from tests.web.page_helpers import post_form

ZONES = {"ada@example.com": "America/Los_Angeles", "bob@example.com": "Europe/Berlin"}


@pytest.fixture
def example(data_dir):
    """The generator dealer's policy (GDPR, California, COPPA): set before the server starts."""
    return use_example(data_dir, EXAMPLES / "houston-generator.yaml")


def typed(moment: datetime) -> str:
    """A moment as a datetime-local field takes it."""
    return moment.strftime("%Y-%m-%dT%H:%M")


def states(page) -> dict[str, str]:
    """The record's clocks: each duty's words to its state, as the table shows them."""
    rows = page.locator("#clocks tbody tr")
    return {
        rows.nth(n).locator("td[data-label=Duty]").inner_text().split("\n")[0]: rows.nth(n)
        .locator("td[data-label=State] strong")
        .inner_text()
        for n in range(rows.count())
    }


@pytest.mark.promise("X6")
def test_the_officer_answers_a_breach_from_the_report_to_the_notices(
    example,
    live_settings,
    browser_page,
    new_browser_page,
    make_customer,
    make_staff,
    mailbox,
    screenshot,
):
    customers = {email: make_customer(email) for email in (*ZONES, "cy@example.com")}
    for email, zone in ZONES.items():  # where they live: the law each is under
        client = customers[email].api
        saved = post_form(client, "/portal/account/time-zone", {"time_zone": zone})
        assert saved.status_code < 400, saved.text
    agent = make_staff("agent", "agent@example.com")
    officer = make_staff("privacy_officer", "dpo@example.com")
    started = datetime.now(UTC) - timedelta(days=1)  # the window opens well before the reads
    for email in ZONES:  # the agent reads Ada's and Bob's records, not Cy's
        person = customers[email].api.get("/api/v1/me").json()["person_id"]
        assert agent.api.get(f"/api/v1/people/{person}").status_code == 200
    page = browser_page

    # Record the breach: the clocks start from when the business became aware.
    sign_in_through_pages(page, officer, "/dpo/incidents")
    page.get_by_label("Title").fill("An agent's account was taken over")
    page.get_by_label("Became aware at").fill(typed(datetime.now(UTC) - timedelta(hours=20)))
    page.get_by_label("Confidentiality").check()
    page.get_by_label("What happened").fill("Someone signed in as one of our agents.")
    page.get_by_role("button", name="Record the breach").click()
    page.get_by_role("heading", name="INC-").first.wait_for()
    reference = page.get_by_role("heading", level=1).inner_text().split(":")[0]
    incident_url = page.url.split("?")[0]
    clocks = states(page)
    assert "To do" in clocks.values() and "Overdue" not in clocks.values()
    screenshot(page, "1-recorded")

    # The decisions: report it, and tell the people.
    report = page.get_by_role("group", name="Report it to the authority? (Art. 33)")
    report.get_by_label("Yes").check()
    page.get_by_label("Why (reporting to the authority)").fill("Account data was read.")
    page.get_by_role("group", name="Tell the people? (Art. 34)").get_by_label("Yes").check()
    page.get_by_label("Why (telling the people)").fill("They may be sent phishing mail.")
    page.get_by_role("button", name="Save the record").click()
    page.get_by_role("button", name="Save the record").wait_for()

    # Who was affected: the agent's account over the window.
    page.get_by_role("link", name="People affected").click()
    page.get_by_label("What was compromised").select_option(label="An account compromised")
    page.locator("#f-account").fill("agent@example.com")
    page.locator("#f-since").fill(typed(started))
    page.get_by_role("button", name="Preview").click()
    page.locator("#preview").wait_for()
    page.get_by_role("button", name="Freeze the list").click()
    page.get_by_text("The list is frozen into the incident.").wait_for()
    # Ada, Bob and the agent (the attacker read the agent's own account too), not Cy
    frozen = " ".join(page.locator("#frozen").inner_text().split())
    assert "People 3" in frozen
    assert "People under GDPR 1" in frozen and "People under California (CCPA) 1" in frozen
    screenshot(page, "2-affected")

    # The record now holds the list's figures and laws.
    page.get_by_role("link", name="Record", exact=True).click()
    assert "From the list of people affected frozen" in page.locator("#from-frozen").inner_text()
    assert page.get_by_label("About how many people").input_value() == "3"
    clocks = states(page)
    assert any(duty.startswith("Report to") for duty in clocks)  # the GDPR's 72 hours
    assert any("California" in duty for duty in clocks)  # California's 30 days

    # Contain it: end every session of the agent's account.
    page.get_by_role("link", name="Containment").click()
    page.locator("#f-revoke-account").fill("agent@example.com")
    page.get_by_label("End every browser and API session of this account now").check()
    page.get_by_role("button", name="Revoke the sessions").click()
    page.get_by_text("Every session of the account ended: recorded on the timeline.").wait_for()
    assert agent.api.get("/api/v1/me").status_code == 401
    screenshot(page, "3-contained")

    # The authority's report: the initial phase, under the GDPR (the first due).
    page.get_by_role("link", name="Authority's report").click()
    assert "A report under each law" in page.locator("main").inner_text()
    page.get_by_label("Initial").check()
    page.get_by_role("button", name="Note it as sent").click()
    page.get_by_text("The phase is noted").wait_for()
    assert "Initial" in page.locator("#phases").inner_text()
    screenshot(page, "4-report")

    # The people's notices: confirmed, queued, mailed by the worker.
    page.get_by_role("link", name="Notices").click()
    page.get_by_role("link", name="Send to 3 people").click()
    page.get_by_role("heading", name="Send the notice to 3 people?").wait_for()
    page.get_by_role("button", name="Send to 3 people").click()
    page.get_by_text("The notices are queued").wait_for()
    ran = steward(live_settings, "worker", "--once")
    assert ran.exit_code == 0, ran.output
    for email in (*ZONES, "agent@example.com"):
        mails = [m for m in mailbox.to(email) if "Notice of Data Breach" in m["Subject"]]
        assert len(mails) == 1 and reference in mails[0].get_payload(decode=True).decode()
    assert not [m for m in mailbox.to("cy@example.com") if "Data Breach" in m["Subject"]]
    page.reload()
    assert "Mailed 3" in " ".join(page.locator("#counts").inner_text().split())
    screenshot(page, "5-notices")

    # Every duty is done in time, and the incident has left the officer's queue.
    page.goto(incident_url)
    clocks = states(page)
    assert clocks and set(clocks.values()) == {"Done in time"}, clocks
    screenshot(page, "6-duties-met")
    page.goto("/dpo")
    assert reference not in page.locator("main").inner_text()

    # Ada finds the notice in her privacy center; Cy, not affected, finds none.
    ada = new_browser_page()
    sign_in_through_pages(ada, customers["ada@example.com"], "/privacy/center")
    ada.get_by_role("heading", name="Notices about your data").wait_for()
    ada.get_by_role("link", name=f"Notice of Data Breach, reference {reference}").click()
    ada.get_by_role("heading", name="What Happened").wait_for()
    assert "Someone signed in as one of our agents." in ada.locator("main").inner_text()
    screenshot(ada, "7-privacy-center")
    cy = new_browser_page()
    sign_in_through_pages(cy, Login(email="cy@example.com"), "/privacy/center")
    cy.get_by_role("heading", name="Privacy center", level=1).wait_for()
    assert "Notices about your data" not in cy.locator("main").inner_text()
