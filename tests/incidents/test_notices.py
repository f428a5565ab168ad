"""Telling the authority and the people of an incident, through the pages, the JSON API, the
worker and the CLI (X6): the report holds every Art. 33(3) item and no person's data, its
phases are recorded, each person of the frozen list is mailed one notice under the five
California headings and sees it in their own privacy center, nobody is mailed twice, the
erased are skipped, and the recipients of the data are told through the outbox."""

import json
import shutil
from datetime import timedelta

import pytest

from steward.core import clock
from steward.incidents.notices import HEADINGS
from tests.conftest import EXAMPLES
from tests.desk.team import Team
from tests.incidents.conftest import duties, use_example
from tests.incidents.kit import CONSEQUENCES, PROPOSED, TAKEN, erase_key, freeze, incident
from tests.people import free_port
from tests.rights.intake_kit import steward
from tests.rights.test_officer_pages import shown
from tests.web.page_helpers import post_form

# The default customer (GDPR with a DPO, and California) and the CCPA-only managed IT provider.
# The authority of the incident's law (GDPR), as each policy's breach terms name it.
EACH_MEMBER_STATE = "data protection authority of each EU member state"
AUTHORITY = {
    "houston-generator": EACH_MEMBER_STATE,
    "compustores": "California Attorney General",  # CCPA only: no GDPR in the policy
    "it-support-shop": "Information Commissioner's Office (ICO)",  # the same: UK GDPR only
    "emergencysupport": EACH_MEMBER_STATE,
    "printo-gens": EACH_MEMBER_STATE,
}
PROCESSOR_CONTACT = {  # a recipient the policy says receives account data
    "houston-generator": "aws-eu-privacy@amazon.com",
    "compustores": "privacy@microsoft.com",
    "it-support-shop": None,
}


@pytest.fixture(params=["houston-generator", "compustores"])
def example(request, data_dir) -> str:
    """The example policy the business runs under (asked for before the app starts)."""
    shutil.copyfile(EXAMPLES / f"{request.param}.yaml", data_dir / "policy.yaml")
    return request.param


@pytest.fixture
def team(example, admin, mailbox, new_client) -> Team:
    return Team(admin, mailbox, new_client)


def officer_of(team: Team):
    officer = team["privacy_officer"]
    return officer, officer.get("/api/v1/me").json()["account_id"]


def body(message) -> str:
    return message.get_payload(decode=True).decode()


def duties_of(officer, incident_id: str) -> dict[str, str]:
    """The incident's duties as the record's clocks show them: key -> state."""
    return duties(officer.get(f"/api/v1/dpo/incidents/{incident_id}").json())


def people(team: Team, *names: str) -> dict[str, str]:
    return {name: team.customer(name)[1] for name in names}


@pytest.mark.promise("X6")
def test_the_report_holds_every_art_33_item_and_no_person_and_its_phases_are_recorded(
    example, team, app
):
    officer, account = officer_of(team)
    who = people(team, "ada", "bob")
    incident_id = incident(app, account)
    freeze(app, incident_id, {who["ada"]: "gdpr", who["bob"]: "ccpa"})

    found = officer.get(f"/api/v1/dpo/incidents/{incident_id}/report")
    assert found.status_code == 200, found.text
    report = found.json()
    assert AUTHORITY[example] in report["authority"]
    assert report["summary"].startswith("A laptop of one of our agents")  # (a) the nature
    assert report["kinds"] == ["confidentiality"]
    assert [c["key"] for c in report["categories"]] == ["user.account"]
    assert report["categories"][0]["name"]  # the policy's name for it
    assert report["subjects"][0]["key"] == "customer"
    assert (report["people"], report["records"], report["frozen"]) == (2, 6, True)
    assert report["dpo"]["email"]  # (b) the DPO, or the privacy contact where none
    if example == "houston-generator":
        assert report["dpo"] == {
            "role": "Data protection officer",
            "name": "Dana Whitfield",
            "email": "dpo@houstongeneratorcompany.com",
        }
    assert report["consequences"] == CONSEQUENCES  # (c)
    assert (report["measures_taken"], report["measures_proposed"]) == (TAKEN, PROPOSED)  # (d)
    assert report["missing"] == [] and report["late"] is False and report["phases"] == []

    page = officer.get(f"/dpo/incidents/{incident_id}/report")
    assert page.status_code == 200
    text = shown(page.text)
    for item in ("(a) The nature", "(b) Who to contact", "(c) The likely", "(d) The measures"):
        assert item in text
    assert CONSEQUENCES in text and "Approximate number of people 2" in text
    assert "Where the people live the EU and EEA (GDPR)" in text
    assert 'aria-current="page">Authority' in page.text  # its tab
    for what in (found.text, page.text):  # no person: no address, no id
        assert "ada@example.com" not in what and who["ada"] not in what

    phases = f"/api/v1/dpo/incidents/{incident_id}/report/phases"
    assert officer.post(phases, json={"phase": "follow_up"}).status_code == 409  # initial first
    first = officer.post(phases, json={"phase": "initial"})
    assert first.status_code == 201, first.text
    # the initial phase is the authority's duty done, when the law sets one (not California)
    if example == "houston-generator":
        assert duties_of(officer, incident_id)["authority:gdpr"] == "met"
    else:
        assert report["law"] == "ccpa" and report["due_at"] is None
    assert "people" in first.json()["holds"] and "dpo" in first.json()["holds"]
    assert len(first.json()["contents"]) == 64
    assert officer.post(phases, json={"phase": "initial"}).status_code == 409
    noted = post_form(officer, f"/dpo/incidents/{incident_id}/report/phases", {"phase": "final"})
    assert "The phase is noted" in noted.text
    assert officer.post(phases, json={"phase": "follow_up"}).status_code == 409  # complete
    sent = officer.get(f"/api/v1/dpo/incidents/{incident_id}/report").json()["phases"]
    assert [p["phase"] for p in sent] == ["initial", "final"]


@pytest.mark.promise("X6")
def test_a_report_later_than_72_hours_needs_the_reasons_for_the_delay(example, team, app):
    officer, account = officer_of(team)
    incident_id = incident(app, account, aware_hours_ago=80)
    if example == "compustores":  # California sets the authority no deadline
        found = officer.get(f"/api/v1/dpo/incidents/{incident_id}/report").json()
        assert (found["late"], found["due_at"], found["authority"]) == (
            False,
            None,
            "California Attorney General",
        )
        return
    assert officer.get(f"/api/v1/dpo/incidents/{incident_id}/report").json()["late"] is True
    phases = f"/api/v1/dpo/incidents/{incident_id}/report/phases"
    refused = officer.post(phases, json={"phase": "initial"})
    assert refused.status_code == 422 and "Art. 33(1)" in refused.json()["detail"]
    page = officer.get(f"/dpo/incidents/{incident_id}/report")
    assert "Reasons for the delay" in shown(page.text)
    reason = "The laptop's theft was reported to us late by the agent."
    sent = officer.post(phases, json={"phase": "initial", "late_reason": reason})
    assert sent.status_code == 201 and sent.json()["late_reason"] == reason
    assert duties_of(officer, incident_id)["authority:gdpr"] == "late"  # done, after its 72 hours
    record = officer.get(f"/api/v1/dpo/incidents/{incident_id}").json()
    assert [d["delay_reason"] for d in record["duties"] if d["key"] == "authority:gdpr"] == [reason]


@pytest.mark.promise("X6")
def test_each_person_is_mailed_one_notice_and_sees_it_in_their_own_privacy_center(
    example, team, app, mailbox, identity_settings
):
    officer, account = officer_of(team)
    who = people(team, "ada", "bob", "cy")
    erase_key(app, who["cy"])
    incident_id = incident(app, account, jurisdictions=("ccpa",))
    freeze(app, incident_id, {p: "ccpa" for p in who.values()})
    assert duties_of(officer, incident_id)["people:ccpa"] == "due"

    page = officer.get(f"/dpo/incidents/{incident_id}/notices")
    assert page.status_code == 200
    text = shown(page.text)
    for heading in HEADINGS:
        assert heading in text  # the preview
    assert "Send to 2 people" in text and "Skipped: their data is erased 1" in text
    asked = officer.get(f"/dpo/incidents/{incident_id}/notices/send")
    assert "Send the notice to 2 people?" in shown(asked.text)
    assert (
        officer.get(f"/api/v1/dpo/incidents/{incident_id}/notices").json()["counts"]["sent"] == 0
    )  # asking sent nothing

    queued = post_form(officer, f"/dpo/incidents/{incident_id}/notices/send", {})
    assert "The notices are queued" in queued.text
    assert duties_of(officer, incident_id)["people:ccpa"] == "met"  # the people told, in time
    assert not mailbox.to("ada@example.com")[1:]  # the worker mails, not the page
    ran = steward(identity_settings, "worker", "--once")
    assert ran.exit_code == 0, ran.output

    for name in ("ada", "bob"):
        mails = [m for m in mailbox.to(f"{name}@example.com") if "Data Breach" in m["Subject"]]
        assert len(mails) == 1
        words = body(mails[0])
        positions = [words.index(heading) for heading in HEADINGS]
        assert positions == sorted(positions)  # all five, in order
        assert "INC-2031-0001" in words and "/privacy/center" in words
        assert mails[0]["Message-ID"].startswith("<incident-notice.")
    assert not [m for m in mailbox.to("cy@example.com") if "Data Breach" in m["Subject"]]
    told = [m for m in mailbox.messages if "Personal data breach" in m["Subject"]]
    assert told == []  # the recipients go through the rights outbox: `steward rights run`
    assert steward(identity_settings, "rights", "run").exit_code == 0
    told = [m for m in mailbox.messages if "Personal data breach" in m["Subject"]]
    assert PROCESSOR_CONTACT[example] in {m["To"] for m in told}
    assert all("ada@example.com" not in body(m) and who["ada"] not in body(m) for m in told)

    again = officer.post(f"/api/v1/dpo/incidents/{incident_id}/notices")
    assert again.status_code == 202 and again.json()["queued"] == 0
    assert again.json()["counts"] | {"seen": 0} == {
        "people": 3,
        "sent": 2,
        "pending": 0,
        "unmailed": 0,
        "skipped": 1,
        "to_send": 0,
        "california": 3,
        "seen": 0,
    }
    before = len(mailbox.messages)
    assert steward(identity_settings, "worker", "--once").exit_code == 0
    assert steward(identity_settings, "rights", "run").exit_code == 0
    assert len(mailbox.messages) == before  # nobody is mailed twice

    ada, bob = team.browsers["ada"], team.browsers["bob"]
    center = ada.get("/privacy/center").text
    link = center.split('href="/privacy/center/notices/')[1].split('"')[0]
    assert "Notices about your data" in shown(center) and "new" in shown(center)
    assert link not in bob.get("/portal/data").text
    assert link not in bob.get("/privacy/center").text
    assert bob.get(f"/privacy/center/notices/{link}").status_code == 404  # not another's
    opened = ada.get(f"/privacy/center/notices/{link}")
    assert opened.status_code == 200
    for heading in HEADINGS:
        assert heading in shown(opened.text)
    assert "Notices about your data" in shown(bob.get("/portal/data").text)
    counts = officer.get(f"/api/v1/dpo/incidents/{incident_id}/notices").json()["counts"]
    assert counts["seen"] == 1


@pytest.mark.promise("X6")
def test_a_notice_the_mail_server_refused_is_mailed_once_when_it_comes_back(
    team, app, mailbox, identity_settings
):
    officer, account = officer_of(team)
    who = people(team, "ada")
    incident_id = incident(app, account)
    freeze(app, incident_id, {who["ada"]: "gdpr"})
    assert officer.post(f"/api/v1/dpo/incidents/{incident_id}/notices").json()["queued"] == 1
    down = identity_settings.model_copy(update={"smtp_url": f"smtp://127.0.0.1:{free_port()}"})
    with clock.frozen_at(clock.now()):
        assert steward(down, "worker", "--once").exit_code == 0
        counts = officer.get(f"/api/v1/dpo/incidents/{incident_id}/notices").json()["counts"]
        assert (counts["sent"], counts["pending"]) == (0, 1)
        assert "ran 0 jobs" in steward(identity_settings, "worker", "--once").output  # not due
        clock.advance(timedelta(minutes=6))  # the retry the worker queued for itself is due
        retried = steward(identity_settings, "worker", "--once")
        assert retried.exit_code == 0 and "0 failed" in retried.output, retried.output
        counts = officer.get(f"/api/v1/dpo/incidents/{incident_id}/notices").json()["counts"]
        assert (counts["sent"], counts["pending"]) == (1, 0)
        again = steward(identity_settings, "incident", "notify", "INC-2031-0001", "--yes")
        assert "mailed: 0" in again.output
    assert len([m for m in mailbox.to("ada@example.com") if "Data Breach" in m["Subject"]]) == 1


@pytest.fixture(params=sorted(AUTHORITY))
def any_example(request, data_dir) -> str:
    shutil.copyfile(EXAMPLES / f"{request.param}.yaml", data_dir / "policy.yaml")
    return request.param


@pytest.mark.promise("X6")
def test_the_cli_prints_the_report_and_notifies_once(
    any_example, admin, mailbox, new_client, app, identity_settings
):
    example, team = any_example, Team(admin, mailbox, new_client)
    _, account = officer_of(team)
    who = people(team, "ada")
    incident_id = incident(app, account)
    freeze(app, incident_id, {who["ada"]: None})

    printed = steward(identity_settings, "incident", "report", "INC-2031-0001", "--json")
    assert printed.exit_code == 0, printed.output
    report = json.loads(printed.output)
    assert report["people"] == 1 and report["consequences"] == CONSEQUENCES
    assert report["missing"] == [] and AUTHORITY[example] in report["authority"]
    assert "ada@example.com" not in printed.output and who["ada"] not in printed.output
    plain = steward(identity_settings, "incident", "report", "INC-2031-0001")
    assert "people: 1" in plain.output and "missing: nothing" in plain.output

    asked = steward(identity_settings, "incident", "notify", "INC-2031-0001", input=b"n\n")
    assert asked.exit_code != 0 and not mailbox.to("ada@example.com")[1:]
    sent = steward(identity_settings, "incident", "notify", "INC-2031-0001", "--yes")
    assert sent.exit_code == 0, sent.output
    assert "queued: 1 notice" in sent.output and "mailed: 1" in sent.output
    again = steward(identity_settings, "incident", "notify", "INC-2031-0001", "--yes")
    assert "queued: 0 notices" in again.output and "mailed: 0" in again.output
    assert len([m for m in mailbox.to("ada@example.com") if "Data Breach" in m["Subject"]]) == 1
    unknown = steward(identity_settings, "incident", "notify", "INC-2031-9999", "--yes")
    assert unknown.exit_code == 1 and "There is no incident INC-2031-9999." in unknown.output


@pytest.mark.promise("X6")
def test_the_attorney_general_gets_the_sample_above_500_california_residents(team, app):
    officer, account = officer_of(team)
    incident_id = incident(app, account, jurisdictions=("ccpa", "gdpr"))
    residents = {f"00000000-0000-4000-8000-{n:012d}": "ccpa" for n in range(501)}
    freeze(app, incident_id, residents)
    found = officer.get(f"/api/v1/dpo/incidents/{incident_id}/notices").json()
    assert found["ag_sample"]["due"] is True and found["ag_sample"]["residents"] == 501
    assert (found["ag_sample"]["law"], found["ag_sample"]["over"]) == ("ccpa", 500)
    assert duties_of(officer, incident_id)["sample:ccpa"] == "due"
    assert found["ag_sample"]["letter"] == found["letter"]  # the same notice
    assert [h for h, _ in found["letter"]["sections"]] == list(HEADINGS)
    page = shown(officer.get(f"/dpo/incidents/{incident_id}/notices").text)
    assert "501 of the people affected are under California (CCPA). More than 500" in page
    noted = officer.post(f"/api/v1/dpo/incidents/{incident_id}/notices/ag-sample")
    assert noted.status_code == 201 and noted.json()["submitted_at"]
    assert duties_of(officer, incident_id)["sample:ccpa"] == "met"
    # people no longer held (no row, no key) are skipped, not mailed
    sent = officer.post(f"/api/v1/dpo/incidents/{incident_id}/notices").json()
    assert (sent["queued"], sent["skipped"]) == (0, 501)

    # 501 people, but only one under California: no sample, on the clocks or the page
    few = incident(app, account, reference="INC-2031-0002", jurisdictions=("ccpa", "gdpr"))
    mixed = {f"00000000-0000-4000-8000-{n:012d}": "gdpr" for n in range(500)}
    freeze(app, few, mixed | {"00000000-0000-4000-8000-999999999999": "ccpa"})
    assert "sample:ccpa" not in duties_of(officer, few)
    refused = officer.post(f"/api/v1/dpo/incidents/{few}/notices/ag-sample")
    assert refused.status_code == 409 and "only above 500" in refused.json()["detail"]


def test_nobody_but_the_privacy_officer_sees_the_report_or_sends_notices(team, app):
    _, account = officer_of(team)
    incident_id = incident(app, account)
    agent = team["agent"]
    assert agent.get(f"/api/v1/dpo/incidents/{incident_id}/report").status_code == 403
    assert agent.post(f"/api/v1/dpo/incidents/{incident_id}/notices").status_code == 403
    officer = team["privacy_officer"]
    assert officer.get("/api/v1/dpo/incidents/nothing/report").status_code == 404
    unfrozen = officer.post(f"/api/v1/dpo/incidents/{incident_id}/notices")
    assert unfrozen.status_code == 409 and "Freeze the list" in unfrozen.json()["detail"]
    exempt = incident(app, account, reference="INC-2031-0002", notify_people=False)
    freeze(app, exempt, {team.customer("ada")[1]: "gdpr"})
    refused = officer.post(f"/api/v1/dpo/incidents/{exempt}/notices")
    assert refused.status_code == 409 and "not to tell the people" in refused.json()["detail"]
    undecided = incident(app, account, reference="INC-2031-0003", notify_people=None)
    freeze(app, undecided, {team.customer("ada")[1]: "gdpr"})
    early = officer.post(f"/api/v1/dpo/incidents/{undecided}/notices")
    assert early.status_code == 409 and "Decide first" in early.json()["detail"]


@pytest.mark.promise("X6")
def test_a_closed_incident_sends_no_report_phase_or_notice(team, app):
    _, account = officer_of(team)
    closed = incident(app, account, status="closed")
    freeze(app, closed, {team.customer("ada")[1]: "gdpr"})
    officer = team["privacy_officer"]
    base = f"/api/v1/dpo/incidents/{closed}"
    for answer in (
        officer.post(f"{base}/report/phases", json={"phase": "initial"}),
        officer.post(f"{base}/notices"),
    ):
        assert answer.status_code == 409 and "is closed" in answer.json()["detail"]
    counts = officer.get(f"{base}/notices").json()["counts"]
    assert (counts["pending"], counts["sent"], counts["to_send"]) == (0, 0, 1)


@pytest.fixture
def printo_gens(data_dir) -> None:
    use_example(data_dir, "printo-gens")  # the GDPR and the UK GDPR


@pytest.mark.promise("X6")
def test_two_laws_with_an_authority_get_a_report_each_and_leave_the_queue_once_reported(
    printo_gens, admin, mailbox, new_client, app, identity_settings
):
    team = Team(admin, mailbox, new_client)
    officer, account = officer_of(team)
    incident_id = incident(app, account, jurisdictions=("gdpr", "uk_gdpr"), notify_people=None)
    api = f"/api/v1/dpo/incidents/{incident_id}/report"
    first = officer.get(api).json()
    assert (first["law"], first["laws"], first["deadline_hours"]) == (
        "gdpr",
        ["gdpr", "uk_gdpr"],
        72,
    )
    assert EACH_MEMBER_STATE in first["authority"]
    assert "INC-2031-0001" in shown(officer.get("/dpo").text)  # two reports due

    assert officer.post(f"{api}/phases", json={"phase": "initial"}).status_code == 201
    assert duties_of(officer, incident_id) == {"authority:gdpr": "met", "authority:uk_gdpr": "due"}
    uk = officer.get(api).json()  # the first still due
    assert (uk["law"], uk["authority"], uk["phases"]) == (
        "uk_gdpr",
        "Information Commissioner's Office (ICO)",
        [],
    )
    assert [p["law"] for p in officer.get(f"{api}?law=gdpr").json()["phases"]] == ["gdpr"]
    assert officer.get(f"{api}?law=ccpa").status_code == 422
    printed = steward(identity_settings, "incident", "report", "INC-2031-0001", "--law", "uk_gdpr")
    assert printed.exit_code == 0, printed.output
    assert "to: Information Commissioner's Office (ICO)" in printed.output
    assert "law: uk_gdpr" in printed.output
    wrong = steward(identity_settings, "incident", "report", "INC-2031-0001", "--law", "ccpa")
    assert wrong.exit_code == 1 and "goes under one of these laws: gdpr, uk_gdpr" in wrong.output

    page = officer.get(f"/dpo/incidents/{incident_id}/report?law=uk_gdpr")
    assert "A report under each law" in shown(page.text)
    noted = post_form(
        officer,
        f"/dpo/incidents/{incident_id}/report/phases",
        {"phase": "initial", "law": "uk_gdpr"},
    )
    assert "The phase is noted" in noted.text and "Information Commissioner" in noted.text
    assert duties_of(officer, incident_id) == {"authority:gdpr": "met", "authority:uk_gdpr": "met"}
    assert "INC-2031-0001" not in shown(officer.get("/dpo").text)  # nothing left due
