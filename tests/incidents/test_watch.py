"""Watching for attacks (X4), as it happens: staff reading through the gate, sign-ins through
the real endpoints, the worker's job run by the worker, the alerts on /dpo, in the officer's
mail and through the API, and an alert made an incident."""

import json
import shutil
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from steward.access.gate import RIGHTS, PersonState, check
from steward.access.people import readable_owners
from steward.audit.models import AuditEntry
from steward.core import clock
from steward.core.actor import Actor
from steward.core.ids import new_id
from steward.identity.models import Account, Person
from steward.incidents.models import Alert, Incident, IncidentEvent
from steward.jobs.worker import run_due
from steward.policy.serviceable import SUPPORT
from tests.conftest import EXAMPLES
from tests.desk.team import Team
from tests.people import PASSWORD, customer, sign_in
from tests.rights.intake_kit import body_of, steward
from tests.rights.test_officer_pages import shown
from tests.rights.work import db
from tests.web.page_helpers import error_of, post_form

# A Tuesday: noon in Houston (America/Chicago), 10:00 in San Jose (America/Los_Angeles).
WORKING = datetime(2031, 3, 4, 18, 0, tzinfo=UTC)
# The same Tuesday at 17:30 in Houston, 15:30 in San Jose: the working day ends soon.
EVENING = datetime(2031, 3, 4, 23, 30, tzinfo=UTC)
SPRAYER = ("203.0.113.9", 40000)
ALERTS = "/api/v1/dpo/alerts"


@pytest.fixture
def start() -> datetime:
    return WORKING


@pytest.fixture(autouse=True)
def frozen(start: datetime) -> Iterator[None]:
    """The clock stands still from before the first sign-in (sessions expire by it): at
    WORKING, or where the test parametrises `start`."""
    with clock.frozen_at(start):
        yield


@pytest.fixture(params=["houston-generator", "compustores"])
def example(request, data_dir) -> str:
    """An example policy with a `watch:` section, as the business's policy.yaml."""
    shutil.copyfile(EXAMPLES / f"{request.param}.yaml", data_dir / "policy.yaml")
    return str(request.param)


ZONES = {"houston-generator": "America/Chicago", "compustores": "America/Los_Angeles"}


@pytest.fixture
def team(example, app, admin, mailbox, new_client) -> Team:
    assert app.state.active_policy.policy.controller.time_zone == ZONES[example]  # served
    return Team(admin, mailbox, new_client)


def account_of(app, person_id: str) -> Account:
    with db(app) as session:
        return session.scalars(select(Account).where(Account.person_id == person_id)).one()


def bulk_read(app, team: Team, people: int) -> None:
    """The agent reads `people` customers as a desk list page does: through the gate, one
    audited append (the customers are real rows; only their ids are read)."""
    account = account_of(app, team.people["agent"])
    actor = Actor(role="agent", account_id=account.id, person_id=account.person_id)
    with db(app) as session:
        now = clock.now()
        ids = [new_id() for _ in range(people)]
        session.add_all(Person(id=i, kind="customer", created_at=now, updated_at=now) for i in ids)
        session.flush()
        assert (
            len(readable_owners(session, actor, Person, ids, ["name"], purpose=SUPPORT)) == people
        )
        session.commit()


def worker(app) -> None:
    """Let the worker run as it does every few seconds, until the watch's 5-minute slot has
    come and its job ran."""
    run_due(app.state.runtime, "test-worker")  # the schedule's slots, on a fresh database
    clock.advance(timedelta(minutes=5))
    run_due(app.state.runtime, "test-worker")


def alerts(officer: TestClient, everything: bool = False) -> list[dict]:
    answer = officer.get(ALERTS, params={"everything": everything})
    assert answer.status_code == 200, answer.text
    return answer.json()["items"]


def security_mails(mailbox) -> list:
    return [m for m in mailbox.messages if m["Subject"].startswith("Security alert")]


def status_of(app, account_id: str) -> str:
    with db(app) as session:
        return session.get_one(Account, account_id).status


@pytest.mark.promise("X4")
def test_an_agent_reading_many_customers_raises_one_alert_on_dpo_and_in_the_officers_mail(
    example, app, team, mailbox, identity_settings
):
    officer, _ = team["privacy_officer"], team["agent"]
    _, ada = team.customer("ada")
    agent_account = account_of(app, team.people["agent"])
    worker(app)  # the team's sign-ins and reads: nothing to alert on
    assert alerts(officer) == []

    bulk_read(app, team, 160)
    worker(app)
    [alert] = alerts(officer)
    assert alert["rule"] == "many_people"
    assert (alert["subject_kind"], alert["subject"]) == ("account", agent_account.id)
    assert alert["role"] == "agent"
    assert alert["counts"]["people"] == 160  # not their own record, read as they signed in
    assert alert["status"] == "open" and alert["responded_at"] is None  # no respond
    assert status_of(app, agent_account.id) == "active"

    bulk_read(app, team, 40)  # the same burst goes on: the same alert
    worker(app)
    [again] = alerts(officer)
    assert again["id"] == alert["id"] and again["counts"]["people"] == 200

    queue = shown(officer.get("/dpo").text)
    assert "1 security alert open Review the alerts" in queue
    page = shown(officer.get("/dpo/alerts").text)
    assert "One account read unusually many people" in page
    assert f"Staff Member (agent) account {agent_account.id}" in page
    assert f"account {agent_account.id} (agent) read 200 distinct people" in page
    assert '<a href="/dpo/alerts">Alerts</a>' in officer.get("/dpo/alerts").text  # the nav

    [mail] = [m for m in security_mails(mailbox) if m["To"] == "privacy_officer@example.com"]
    assert mail["Subject"] == "Security alert: One account read unusually many people"
    text = body_of(mail)
    assert f"account {agent_account.id} (agent) read 160 distinct people" in text
    assert "/dpo/alerts" in text
    assert "Staff Member" not in text and "@" not in text and ada not in text  # ids only
    assert len(security_mails(mailbox)) == 2  # the officer and the policy's privacy contact

    assert steward(identity_settings, "rights", "digest").exit_code == 0
    digest = body_of(mailbox.last_to("privacy_officer@example.com"))
    assert "1 security alert open: review at /dpo/alerts." in digest


@pytest.mark.promise("X4")
def test_quiet_everyday_use_raises_no_alert(example, app, team, mailbox, new_client):
    officer, agent = team["privacy_officer"], team["agent"]
    for name in ("ada", "grace", "alan"):
        browser, _ = team.customer(name)
        opened = browser.post(
            "/api/v1/tickets", json={"subject": "Generator will not start", "body": "Help."}
        )
        assert opened.status_code == 201, opened.text
        assert agent.get(f"/api/v1/tickets/{opened.json()['id']}").status_code == 200
    assert agent.get("/api/v1/tickets").status_code == 200
    typo = new_client()
    assert sign_in(typo, "ada@example.com", "correct horse battery stapel").status_code == 401
    assert sign_in(typo, "ada@example.com").status_code == 200  # a typo, then right
    bulk_read(app, team, 30)  # a busy morning's queue
    worker(app)
    clock.advance(timedelta(hours=1))
    worker(app)
    assert alerts(officer, everything=True) == []
    assert security_mails(mailbox) == []
    assert "security alert" not in officer.get("/dpo").text


@pytest.mark.promise("X4")
def test_reading_many_times_a_usual_day_alerts_where_the_policy_asks_for_it(example, app, team):
    officer = team["privacy_officer"]
    team["agent"]
    for days_ago in range(6, 0, -1):  # a week of ten customers a day, oldest first
        with clock.frozen_at(WORKING - timedelta(days=days_ago)):
            bulk_read(app, team, 10)
    worker(app)
    bulk_read(app, team, 80)  # under both policies' threshold, eight days' reading in one hour
    worker(app)
    found = alerts(officer)
    if example == "houston-generator":  # multiple: 5
        [alert] = found
        assert alert["rule"] == "many_people" and alert["threshold"] == 51
        assert alert["counts"] == {"people": 80, "usual": 10.0}
        assert "(about 10.0 on a usual day)" in shown(officer.get("/dpo/alerts").text)
    else:  # compustores alerts at 100 people an hour, whatever the account's usual day
        assert found == []


@pytest.fixture
def responding(data_dir) -> None:
    """Houston's policy, its many_people rule set to respond at once."""
    text = (EXAMPLES / "houston-generator.yaml").read_text()
    old = "many_people: {threshold: 150, window: PT1H, multiple: 5}"
    assert old in text
    new = "many_people: {threshold: 150, window: PT1H, respond: true}"
    (data_dir / "policy.yaml").write_text(text.replace(old, new))


@pytest.mark.promise("X4")
def test_a_rule_that_responds_locks_a_scraping_account_and_ends_its_sessions(
    responding, app, admin, mailbox, new_client
):
    team = Team(admin, mailbox, new_client)
    officer, agent = team["privacy_officer"], team["agent"]
    agent_account = account_of(app, team.people["agent"])
    worker(app)
    bulk_read(app, team, 150)
    worker(app)
    [alert] = alerts(officer)
    assert alert["response"] == {"locked": [agent_account.id], "sessions_ended": 1}
    assert status_of(app, agent_account.id) == "locked"
    assert agent.get("/api/v1/tickets").status_code == 401
    assert sign_in(new_client(), "agent@example.com").status_code == 423
    [mail] = [m for m in security_mails(mailbox) if m["To"] == "privacy_officer@example.com"]
    assert f"Done at once: locked account {agent_account.id} and ended 1 session." in body_of(mail)
    reopened = admin.patch(f"/api/v1/admin/accounts/{agent_account.id}", json={"status": "active"})
    assert reopened.status_code == 200, reopened.text  # an admin lets them in again
    assert sign_in(new_client(), "agent@example.com").status_code == 200


def spray(app, emails: list[str], password: str = "Summer2031!") -> TestClient:
    """Try each email once from one address, waiting out the throttle as a patient attacker
    would; returns the attacker's client."""
    attacker = TestClient(app, client=SPRAYER)
    for email in emails:
        while True:
            answer = attacker.post(
                "/api/v1/auth/sign-in", json={"email": email, "password": password}
            )
            if answer.status_code != 429:
                break
            clock.advance(timedelta(seconds=int(answer.headers["Retry-After"])))
        assert answer.status_code in (200, 401), answer.text
    return attacker


@pytest.mark.promise("X4")
def test_a_credential_stuffing_spray_raises_one_alert_and_locks_the_account_it_got_into(
    example, app, team, mailbox, new_client
):
    officer = team["privacy_officer"]
    victim = new_client()
    customer(victim, mailbox, "ada@example.com")
    ada_account = account_of(app, victim.get("/api/v1/me").json()["person_id"])
    worker(app)

    emails = [f"someone{n}@example.net" for n in range(11)]
    attacker = spray(app, emails)
    attacker.close()
    attacker = spray(app, ["ada@example.com"], PASSWORD)  # one password was reused
    assert attacker.get("/api/v1/me").status_code == 200  # in, for now
    worker(app)

    [alert] = alerts(officer)
    assert alert["rule"] == "credential_stuffing" and alert["subject_kind"] == "address"
    assert alert["counts"] == {"accounts": 11, "attempts": 12, "succeeded": 1}
    assert "203.0.113.9" not in json.dumps(alert)  # a blind index, never the address
    assert alert["response"]["locked"] == [ada_account.id]
    assert alert["response"]["sessions_ended"] == 2  # the attacker's and Ada's own
    assert status_of(app, ada_account.id) == "locked"
    assert attacker.get("/api/v1/me").status_code == 401
    assert victim.get("/api/v1/me").status_code == 401

    barred = attacker.post(  # the address is barred, whatever it tries
        "/api/v1/auth/sign-in", json={"email": "officer@example.com", "password": PASSWORD}
    )
    assert barred.status_code == 429
    relocked = sign_in(new_client(), "ada@example.com")
    assert relocked.status_code == 423

    worker(app)  # the spray is over: no second alert for it
    assert len(alerts(officer, everything=True)) == 1
    with db(app) as session:
        locks = session.scalars(
            select(AuditEntry).where(AuditEntry.action == "lock", AuditEntry.actor == "system")
        ).all()
        assert [e.person_id for e in locks] == [ada_account.person_id]
    page = shown(officer.get("/dpo/alerts").text)
    assert "Sign-ins to many accounts tried from one address" in page
    assert (
        f"Done at once: the address is barred from signing in for an hour; locked account {ada_account.id}"
        in page
    )


@pytest.fixture
def printo(data_dir) -> None:
    shutil.copyfile(EXAMPLES / "printo-gens.yaml", data_dir / "policy.yaml")


@pytest.mark.promise("X4")
def test_a_spray_under_a_policy_without_watch_alerts_without_locking(
    printo, app, admin, mailbox, new_client
):
    """printo-gens declares no `watch:`: the defaults alert and respond to nothing."""
    team = Team(admin, mailbox, new_client)
    officer = team["privacy_officer"]
    victim = new_client()
    customer(victim, mailbox, "ada@example.com")
    spray(app, [f"someone{n}@example.net" for n in range(10)]).close()
    spray(app, ["ada@example.com"], PASSWORD).close()
    worker(app)
    [alert] = alerts(officer)
    assert alert["rule"] == "credential_stuffing" and alert["threshold"] == 10
    assert alert["responded_at"] is None and alert["response"] == {}
    assert victim.get("/api/v1/me").status_code == 200
    assert security_mails(mailbox)


@pytest.mark.promise("X4")
def test_repeated_wrong_codes_raise_an_alert_and_with_respond_lock_the_account(
    example, app, team, new_client
):
    officer = team["privacy_officer"]
    team["agent"]
    agent_id = account_of(app, team.people["agent"]).id
    worker(app)
    thief = new_client()
    assert sign_in(thief, "agent@example.com").json()["next"] == "mfa"
    for _ in range(5):
        while True:
            answer = thief.post("/api/v1/auth/mfa", json={"code": "000000"})
            if answer.status_code != 429:
                break
            clock.advance(timedelta(seconds=int(answer.headers["Retry-After"])))
        assert answer.status_code == 401
    worker(app)
    found = [a for a in alerts(officer) if a["rule"] == "mfa_failures"]
    responds = example == "houston-generator"  # compustores leaves mfa_failures at the default
    assert [(a["subject"], a["counts"]["failures"]) for a in found] == [(agent_id, 5)]
    assert status_of(app, agent_id) == ("locked" if responds else "active")
    assert (team["agent"].get("/api/v1/me").status_code == 401) is responds


@pytest.mark.promise("X4")
@pytest.mark.parametrize("start", [EVENING])
def test_bulk_reads_after_hours_alert_where_the_same_reads_by_day_do_not(example, app, team):
    officer = team["privacy_officer"]
    team["agent"]
    worker(app)
    bulk_read(app, team, 90)
    worker(app)
    assert alerts(officer) == []  # below many_people's threshold, in working hours
    for _ in range(3):  # 20:40 in Houston, 18:40 in San Jose: the day is over
        clock.advance(timedelta(hours=1))
        assert officer.get("/api/v1/me").status_code == 200
    bulk_read(app, team, 90)
    worker(app)
    [alert] = alerts(officer)
    assert alert["rule"] == "off_hours" and alert["role"] == "agent"
    assert alert["counts"] == {"people": 90, "exports": 0}

    export_at_night(app, team)  # one person's data taken away after hours: alert at once
    worker(app)
    exported = [a for a in alerts(officer) if a["role"] == "privacy_officer"]
    assert [(a["rule"], a["counts"]) for a in exported] == [
        ("off_hours", {"people": 1, "exports": 1})
    ]


def export_at_night(app, team: Team) -> None:
    """The officer builds one person's access export, audited as rights/export.py does."""
    account = account_of(app, team.people["privacy_officer"])
    officer = Actor(role="privacy_officer", account_id=account.id, person_id=account.person_id)
    with db(app) as session:
        check(session, officer, RIGHTS, PersonState(new_id()), ["user"], action="export")
        session.commit()


@pytest.mark.promise("X4")
def test_an_alert_becomes_an_incident_in_one_step_and_another_is_dismissed_with_a_reason(
    example, app, team
):
    officer = team["privacy_officer"]
    team["agent"]
    worker(app)
    bulk_read(app, team, 200)
    worker(app)
    clock.advance(timedelta(minutes=90))  # a second burst, in a window of its own
    bulk_read(app, team, 200)
    worker(app)
    second, first = alerts(officer)  # newest first

    made = post_form(officer, f"/dpo/alerts/{first['id']}/incident", {}, follow_redirects=False)
    assert made.status_code == 303
    incident_id = made.headers["location"].removeprefix("/dpo/incidents/")

    empty = post_form(officer, f"/dpo/alerts/{second['id']}/dismiss", {"reason": " "})
    assert empty.status_code == 422
    assert error_of(empty.text) == "Give the reason the alert is no attack."
    dismissed = officer.post(
        f"{ALERTS}/{second['id']}/dismiss",
        json={"reason": "The agent exported the yearly statements."},
    )
    assert dismissed.status_code == 200, dismissed.text
    assert dismissed.json()["status"] == "dismissed"
    twice = officer.post(f"{ALERTS}/{second['id']}/incident")
    assert twice.status_code == 409
    assert twice.json()["detail"] == "This alert is already dismissed."

    with db(app) as session:
        incident = session.get_one(Incident, incident_id)
        assert incident.reference == "INC-2031-0001"
        assert incident.alert_id == first["id"]
        assert incident.occurred_from.isoformat() == first["window_from"].replace("Z", "+00:00")
        assert incident.occurred_until.isoformat() == first["window_until"].replace("Z", "+00:00")
        assert "many_people" in incident.summary and first["subject"] in incident.summary
        assert "Staff Member" not in incident.summary
        assert incident.created_by == account_of(app, team.people["privacy_officer"]).id
        events = session.scalars(
            select(IncidentEvent.kind).where(IncidentEvent.incident_id == incident_id)
        )
        assert set(events) == {"recorded", "from_alert"}
    assert alerts(officer) == []  # neither is open any more
    done = {a["id"]: a for a in alerts(officer, everything=True)}
    assert done[first["id"]]["incident_id"] == incident_id
    assert done[second["id"]]["dismiss_reason"] == "The agent exported the yearly statements."
    page = shown(officer.get("/dpo/alerts?all=true").text)
    assert (
        "Made an incident" in page
        and "Dismissed: The agent exported the yearly statements." in page
    )


def test_the_command_line_runs_the_watch_now_and_lists_the_alerts(
    example, app, team, identity_settings
):
    team["agent"]
    agent_id = account_of(app, team.people["agent"]).id
    steward(identity_settings, "incident", "watch")
    clock.advance(timedelta(minutes=1))
    bulk_read(app, team, 200)
    ran = steward(identity_settings, "incident", "watch")
    assert ran.exit_code == 0, ran.output
    assert "1 new alert" in ran.output and agent_id in ran.output
    again = steward(identity_settings, "incident", "watch")
    assert "0 new alerts" in again.output
    listed = steward(identity_settings, "incident", "alerts")
    assert listed.exit_code == 0, listed.output
    [line] = listed.output.splitlines()
    assert (
        "open" in line and "many_people" in line and f"account {agent_id} (agent) read 200" in line
    )
    assert "Staff Member" not in listed.output


def test_only_the_privacy_officer_sees_or_handles_alerts(example, app, team):
    agent = team["agent"]
    assert agent.get(ALERTS).status_code == 403
    assert agent.get("/dpo/alerts").status_code == 403
    assert agent.post(f"{ALERTS}/x/dismiss", json={"reason": "mine"}).status_code == 403
    with db(app) as session:
        refused = session.scalars(
            select(AuditEntry).where(
                AuditEntry.outcome == "refused", AuditEntry.actor_role == "agent"
            )
        ).all()
        assert len(refused) >= 2  # the API's refusals (the page's is a 403 page)
        assert session.scalars(select(Alert)).all() == []


def test_policy_check_names_each_mistake_in_the_watch_section(tmp_path):
    from typer.testing import CliRunner

    from steward.cli import app as cli_app

    policy = tmp_path / "policy.yaml"
    text = (EXAMPLES / "printo-gens.yaml").read_text()
    first = len(text.splitlines()) + 3  # after a blank line and `watch:`
    policy.write_text(
        text
        + "\nwatch:\n"
        + '  working_hours: {start: "18:00", end: "08:00"}\n'
        + "  many_people: {threshold: 0, window: PT1H}\n"
        + "  credential_stuffing: {threshold: 10, window: PT2M, respond: true}\n"
        + "  mfa_failures: {threshold: 5, window: 15 minutes}\n"
        + "  off_hours: {threshold: 5, window: PT1H, multiple: 3}\n"
    )
    result = CliRunner().invoke(cli_app, ["policy", "check", str(policy)])
    assert result.exit_code == 1
    assert result.output.splitlines() == [
        f"{policy}:{first}: In watch > working_hours: the working day must start before it ends.",
        f"{policy}:{first + 1}: 'threshold' in watch > many_people: Input should be greater than 0.",
        f"{policy}:{first + 2}: In watch > credential_stuffing > window: a window is 5 minutes "
        "(PT5M) to 24 hours (PT24H), not 'PT2M'.",
        f"{policy}:{first + 3}: In watch > mfa_failures > window: '15 minutes' is not a window of "
        "time; write it like PT15M or PT1H.",
        f"{policy}:{first + 4}: 'multiple' is not a known setting in watch > off_hours.",
    ]


def test_working_hours_follow_the_business_clock_across_a_change_to_summer_time():
    from steward.incidents.watch import off_hours_spans, windows
    from steward.policy.schema import WorkingHours

    hours = WorkingHours()  # Monday to Friday, 08:00 to 18:00
    # Friday 6 and Monday 9 March 2026 in Houston: CST (UTC-6), then CDT (UTC-5) from Sunday.
    start, end = datetime(2026, 3, 6, 0, tzinfo=UTC), datetime(2026, 3, 10, 0, tzinfo=UTC)
    assert off_hours_spans(hours, "America/Chicago", start, end) == [
        (start, datetime(2026, 3, 6, 14, tzinfo=UTC)),
        (datetime(2026, 3, 7, 0, tzinfo=UTC), datetime(2026, 3, 9, 13, tzinfo=UTC)),
        (datetime(2026, 3, 9, 23, tzinfo=UTC), end),
    ]
    hour = timedelta(hours=1)
    found = list(
        windows(
            hour, datetime(2026, 3, 6, 10, 40, tzinfo=UTC), datetime(2026, 3, 6, 11, 5, tzinfo=UTC)
        )
    )
    assert [(a.strftime("%H:%M"), b.strftime("%H:%M")) for a, b in found] == [
        ("10:00", "11:00"),
        ("10:30", "11:30"),
        ("11:00", "12:00"),
    ]


def test_the_public_policy_keeps_the_watch_thresholds_to_itself(example, app, client):
    assert app.state.active_policy.policy.watch is not None
    body = client.get("/api/v1/policy").json()
    assert "watch" not in body["policy"] and "controller" in body["policy"]
