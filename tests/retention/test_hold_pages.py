"""Legal holds on /dpo/retention as the privacy officer uses them without JavaScript: an
organisation or a category chosen by its name, each hold naming what it is on, and a release
that asks first."""

import pytest

from tests.desk.team import organisation
from tests.rights.test_officer_pages import reads_no_ids_or_keys, shown
from tests.web.page_helpers import error_of, post_form


@pytest.mark.promise("T2")
def test_a_hold_on_an_organisation_is_placed_by_name_and_released_after_confirming(team):
    officer = team["privacy_officer"]
    organisation(team["agent"], "Lovelace Engines")
    page = officer.get("/dpo/retention").text
    assert '<option value="Lovelace Engines">' in page  # offered as the name is typed
    form = {"scope": "organisation", "reason": "dispute"}

    unknown = post_form(officer, "/dpo/holds", {**form, "target": "Babbage Mills"})
    assert unknown.status_code == 404
    assert error_of(unknown.text) == "There is no organisation called 'Babbage Mills'."
    assert 'value="Babbage Mills"' in unknown.text  # what was typed is kept
    placed = post_form(officer, "/dpo/holds", {**form, "target": "lovelace engines"})
    assert placed.status_code == 200 and "The hold is in force" in placed.text
    assert "Lovelace Engines (an organisation) Dispute" in shown(placed.text)
    reads_no_ids_or_keys(placed.text)

    hold_id = officer.get("/api/v1/dpo/holds").json()["items"][0]["id"]
    asked = officer.get(f"/dpo/holds/{hold_id}/release")
    assert asked.status_code == 200
    assert "Release the hold on Lovelace Engines?" in shown(asked.text)
    assert f'action="/dpo/holds/{hold_id}/release"' in asked.text
    assert officer.get("/api/v1/dpo/holds").json()["items"]  # asking released nothing
    released = post_form(officer, f"/dpo/holds/{hold_id}/release", {})
    assert "The hold is released" in released.text and "No holds in force." in released.text
    assert officer.get(f"/dpo/holds/{hold_id}/release").status_code == 404  # nothing to ask


def test_a_hold_on_a_category_is_placed_by_its_name(team):
    officer = team["privacy_officer"]
    form = {"scope": "category", "target": "call recordings", "reason": "legal_claim"}
    placed = post_form(officer, "/dpo/holds", form)
    assert placed.status_code == 200, placed.text
    assert "Call recordings (a category of data) Legal claim" in shown(placed.text)
    assert officer.get("/api/v1/dpo/holds").json()["items"][0]["target"] == (
        "user.communications.call_recording"
    )
    wrong = post_form(officer, "/dpo/holds", {**form, "reason": "dispute"})
    assert "The policy keeps Call recordings longer only for: legal claim" in error_of(wrong.text)
