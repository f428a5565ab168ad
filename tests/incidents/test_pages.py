"""X6: the breach register on /dpo/incidents, as the privacy officer uses it in a browser
without JavaScript: record a breach, edit every field of its record, see the severity's band
and the clocks, record a duty done, add and finish tasks, and close once both decisions are
made. Only the privacy officer may open these pages."""

import pytest

from steward.core import clock
from tests.rights.test_officer_pages import reads_no_ids_or_keys, shown
from tests.web.page_helpers import error_of, post_form

pytestmark = pytest.mark.promise("X6")


def typed(hours_back: float) -> str:
    """A moment as a datetime-local field holds it, in the Houston business's zone."""
    from datetime import timedelta
    from zoneinfo import ZoneInfo

    moment = clock.now() - timedelta(hours=hours_back)
    return moment.astimezone(ZoneInfo("America/Chicago")).strftime("%Y-%m-%dT%H:%M")


def record_on_page(officer, **fields) -> str:
    """Record a breach with the list page's form; returns the incident's page address."""
    form = {"title": "Stolen laptop", "aware_at": typed(2), **fields}
    answer = post_form(officer, "/dpo/incidents", form, follow_redirects=False)
    assert answer.status_code == 303, answer.text
    return answer.headers["location"].split("?")[0]


FULL = {
    "title": "Stolen laptop",
    "occurred_from": "",
    "occurred_until": "",
    "found_how": "The technician called",
    "summary": "A laptop was stolen from a car",
    "systems": "Field laptop",
    "people_count": "40",
    "records_count": "120",
    "processor": "",
    "processor_told_at": "",
    "consequences": "Fraud is possible",
    "measures_taken": "Passwords reset",
    "measures_proposed": "Disk encryption on every laptop",
    "data_context": "3.0",
    "identification": "1.0",
    "cb_confidentiality": "0.5",
    "cb_integrity": "0",
    "cb_availability": "0",
    "cb_malicious": "0.5",
    "notify_authority": "",
    "authority_reason": "",
    "notify_people": "",
    "people_reason": "",
    "exemption": "",
}


def test_an_officer_records_a_breach_and_edits_every_field_of_its_record(team):
    officer = team["privacy_officer"]
    listing = officer.get("/dpo/incidents")
    assert listing.status_code == 200
    assert '<a href="/dpo/incidents">Incidents</a>' in listing.text  # in the officer's nav
    assert "Record a breach" in listing.text and '<label for="f-title">' in listing.text
    assert "No open incidents." in shown(listing.text)

    page = record_on_page(officer, kinds="confidentiality", summary="A laptop went missing")
    opened = officer.get(page + "?notice=recorded")
    assert "The breach is recorded" in shown(opened.text)
    assert 'aria-current="page">Record</a>' in opened.text
    assert "<caption>Duties under the policy" in opened.text
    reads_no_ids_or_keys(opened.text)

    form = {**FULL, "aware_at": typed(2)}
    lists = {
        "kinds": ["confidentiality", "availability"],
        "categories": ["user.financial", "user.account"],
        "subjects": ["customer"],
        "jurisdictions": ["gdpr"],
    }
    saved = post_form(officer, page, {**form, **lists})
    assert saved.status_code == 200, saved.text
    text = shown(saved.text)
    assert "The record is saved." in text
    assert "Very high (4.0: data processing context 3.0 × ease of identification 1.0" in text
    assert "Suggested: A high severity: report it to the authority and tell the people" in text
    incident_id = page.rsplit("/", 1)[1]
    record = officer.get(f"/api/v1/dpo/incidents/{incident_id}").json()
    assert record["kinds"] == ["confidentiality", "availability"]
    assert record["categories"] == ["user.account", "user.financial"]
    assert record["jurisdictions"] == ["gdpr"] and record["people_count"] == 40
    assert record["measures_proposed"] == "Disk encryption on every laptop"
    assert record["circumstances"] == {
        "availability": 0.0,
        "confidentiality": 0.5,
        "integrity": 0.0,
        "malicious": 0.5,
    }
    assert 'value="user.financial" checked' in saved.text


def test_a_mistake_shows_the_form_again_with_the_reason(team):
    officer = team["privacy_officer"]
    missing = post_form(officer, "/dpo/incidents", {"title": "", "aware_at": typed(1)})
    assert missing.status_code == 422
    assert error_of(missing.text) == "Check this field: Title (required)."
    future = post_form(officer, "/dpo/incidents", {"title": "Later", "aware_at": typed(-3)})
    assert "cannot be in the future" in error_of(future.text)
    assert 'value="Later"' in future.text  # what was typed is kept
    page = record_on_page(officer)
    wrong = post_form(officer, page, {**FULL, "aware_at": typed(2), "people_count": "many"})
    assert wrong.status_code == 422
    assert error_of(wrong.text) == "Check this field: About how many people (a whole number)."


def test_duties_tasks_and_closing_from_the_record(team):
    officer = team["privacy_officer"]
    page = record_on_page(officer, aware_at=typed(80))
    opened = officer.get(page).text
    assert "Overdue" in shown(opened) and "Report to" in shown(opened)
    late = post_form(officer, f"{page}/duties", {"duty": "authority:gdpr"})
    assert "give the reason for the delay" in error_of(late.text)
    done = post_form(
        officer, f"{page}/duties", {"duty": "authority:gdpr", "delay_reason": "A weekend"}
    )
    assert "Done late" in shown(done.text) and "Why late: A weekend" in shown(done.text)

    added = post_form(officer, f"{page}/tasks", {"text": "Wipe the laptop", "due_on": ""})
    assert "The task is added." in shown(added.text) and "Wipe the laptop" in added.text
    incident_id = page.rsplit("/", 1)[1]
    task = officer.get(f"/api/v1/dpo/incidents/{incident_id}").json()["tasks"][0]
    finished = post_form(officer, f"{page}/tasks/{task['id']}/done", {})
    assert "The task is done." in shown(finished.text)

    refused = post_form(officer, f"{page}/close", {"note": ""})
    assert refused.status_code == 409
    assert "record the decision whether to report" in error_of(refused.text)
    decided = {
        **FULL,
        "aware_at": typed(80),
        "notify_authority": "yes",
        "authority_reason": "Card numbers",
        "notify_people": "no",
        "people_reason": "Encrypted",
        "exemption": "encrypted",
    }
    assert post_form(officer, page, decided).status_code == 200
    closed = post_form(officer, f"{page}/close", {"note": "Done"})
    assert "The incident is closed." in shown(closed.text) and "Save the record" not in closed.text
    assert "Add the task" not in closed.text
    timeline = shown(closed.text)
    for step in ("Recorded", "Duty done", "Task added", "Task done", "Closed"):
        assert step in timeline, step


def test_only_the_privacy_officer_opens_the_register_pages(team):
    page = record_on_page(team["privacy_officer"])
    agent = team["agent"]
    assert agent.get("/dpo/incidents").status_code == 403
    assert agent.get(page).status_code == 403
    assert (
        post_form(agent, "/dpo/incidents", {"title": "x", "aware_at": typed(1)}).status_code == 403
    )
    shopper, _ = team.customer("ada")
    assert shopper.get(page, follow_redirects=False).headers["location"] == "/portal"
    assert team["privacy_officer"].get("/dpo/incidents/nope").status_code == 404
