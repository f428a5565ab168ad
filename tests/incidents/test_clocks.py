"""X6: an incident's clocks run from the moment the business became aware, by the deadlines of
the policy's laws: the GDPR's 72 hours to the authority, California's 30 days to the people
and the Attorney General's sample above 500 residents. Due and overdue duties sit on the /dpo
queue and in the daily digest, with no personal data."""

from datetime import datetime, timedelta

import pytest

from steward.core import clock
from tests.incidents.conftest import duties, hours_ago, new, use_example
from tests.rights.intake_kit import body_of, steward

pytestmark = pytest.mark.promise("X6")

# The duties of a breach of 600 people whose laws are not yet known (every declared one).
EXPECTED = {
    "compustores": {"people:ccpa": "due", "sample:ccpa": "due"},
    "emergencysupport": {"authority:gdpr": "overdue"},
    "houston-generator": {"authority:gdpr": "overdue", "people:ccpa": "due", "sample:ccpa": "due"},
    "it-support-shop": {"authority:uk_gdpr": "overdue"},
    "printo-gens": {"authority:gdpr": "overdue", "authority:uk_gdpr": "overdue"},
}


@pytest.fixture(params=sorted(EXPECTED))
def example(request, data_dir) -> str:
    use_example(data_dir, request.param)
    return request.param


def at(text: str) -> datetime:
    return datetime.fromisoformat(text)


def test_each_policy_gives_the_duties_of_its_own_laws(example, team):
    record = new(team["privacy_officer"], aware_at=hours_ago(80), people_count=600)
    assert duties(record) == EXPECTED[example]
    found = {d["key"]: d for d in record["duties"]}
    aware = at(record["aware_at"])
    for key, duty in found.items():
        if key.startswith("authority:"):
            assert at(duty["due_at"]) == aware + timedelta(hours=72) and duty["phased"]
        if key == "people:ccpa":
            assert at(duty["due_at"]) == aware + timedelta(days=30)
        if key == "sample:ccpa":
            assert at(duty["due_at"]) == aware + timedelta(days=45)
            assert "California Attorney General" in duty["what"]


@pytest.fixture
def compustores(data_dir):
    use_example(data_dir, "compustores")


def test_california_s_people_are_due_in_30_days_and_a_late_notice_says_why(compustores, team):
    officer = team["privacy_officer"]
    small = new(officer, aware_at=hours_ago(31 * 24), people_count=20)
    assert duties(small) == {"people:ccpa": "overdue"}  # no sample under 501 people
    record = new(officer, aware_at=hours_ago(31 * 24), people_count=501)
    assert duties(record) == {"people:ccpa": "overdue", "sample:ccpa": "due"}
    done = f"/api/v1/dpo/incidents/{record['id']}/duties"
    refused = officer.post(done, json={"duty": "people:ccpa"})
    assert refused.status_code == 422 and "reason for the delay" in refused.json()["detail"]
    assert officer.post(done, json={"duty": "authority:gdpr"}).status_code == 422
    told = officer.post(done, json={"duty": "people:ccpa", "delay_reason": "Addresses missing."})
    assert told.status_code == 200, told.text
    found = {d["key"]: d for d in told.json()["duties"]}
    assert found["people:ccpa"]["state"] == "late"
    assert found["people:ccpa"]["delay_reason"] == "Addresses missing."
    sample_due = at(found["people:ccpa"]["done_at"]) + timedelta(days=15)
    assert at(found["sample:ccpa"]["due_at"]) == sample_due


def test_a_gdpr_report_in_time_is_met_and_one_after_72_hours_needs_a_reason(team):
    officer = team["privacy_officer"]
    record = new(officer, aware_at=hours_ago(80), jurisdictions=["gdpr"])
    assert duties(record) == {"authority:gdpr": "overdue"}
    done = f"/api/v1/dpo/incidents/{record['id']}/duties"
    in_time = officer.post(done, json={"duty": "authority:gdpr", "done_at": hours_ago(10)})
    assert duties(in_time.json()) == {"authority:gdpr": "met"}
    other = new(officer, aware_at=hours_ago(80), jurisdictions=["gdpr"])
    done = f"/api/v1/dpo/incidents/{other['id']}/duties"
    assert "reason for the delay" in officer.post(done, json={"duty": "authority:gdpr"}).text
    late = officer.post(done, json={"duty": "authority:gdpr", "delay_reason": "Weekend."})
    assert duties(late.json()) == {"authority:gdpr": "late"}


def test_the_decisions_change_the_clocks(team):
    officer = team["privacy_officer"]
    record = new(officer, aware_at=hours_ago(80), jurisdictions=["gdpr", "ccpa"])
    assert duties(record) == {"authority:gdpr": "overdue", "people:ccpa": "due"}
    patched = officer.patch(
        f"/api/v1/dpo/incidents/{record['id']}",
        json={
            "notify_authority": False,
            "authority_reason": "Unlikely to result in a risk.",
            "notify_people": True,
            "people_reason": "Their account passwords were taken.",
        },
    ).json()
    assert duties(patched) == {
        "authority:gdpr": "not_needed",
        "people:ccpa": "due",
        "people:gdpr": "due",  # without undue delay: no due time
    }
    assert [d["due_at"] for d in patched["duties"] if d["key"] == "people:gdpr"] == [None]


def test_due_and_overdue_incidents_are_on_the_dpo_queue_and_in_the_digest_without_names(
    team, mailbox, identity_settings
):
    officer = team["privacy_officer"]
    overdue = new(officer, "Ada Lovelace's invoices leaked", aware_at=hours_ago(80))
    due = new(officer, "Backups exposed", aware_at=hours_ago(2))
    queue = officer.get("/dpo").text
    table = queue[
        queue.index('id="incidents-due"') : queue.index(
            "</table>", queue.index('id="incidents-due"')
        )
    ]
    assert table.index(overdue["reference"]) < table.index(due["reference"])
    assert "Overdue" in table and "Lovelace" not in table
    result = steward(identity_settings, "rights", "digest")
    assert result.exit_code == 0, result.output
    text = body_of(mailbox.last_to("privacy@houstongeneratorcompany.com"))
    assert f"{overdue['reference']}  Report to" in text and "OVERDUE" in text
    assert due["reference"] in text and "Lovelace" not in text and "Backups" not in text
    assert "and incidents due" in mailbox.last_to("privacy@houstongeneratorcompany.com")["Subject"]


def test_the_clocks_follow_the_clock(team, identity_settings):
    officer = team["privacy_officer"]
    record = new(officer, aware_at=hours_ago(1), jurisdictions=["gdpr"])
    show = ("incident", "show", record["reference"], "--by", "privacy_officer@example.com")
    shown = steward(identity_settings, *show)
    assert shown.exit_code == 0, shown.output
    assert "duty authority:gdpr" in shown.output
    assert "DUE" in shown.output and "OVERDUE" not in shown.output
    with clock.frozen_at(clock.now() + timedelta(hours=72)):
        later = steward(identity_settings, *show).output
    assert "duty authority:gdpr" in later and "OVERDUE" in later
