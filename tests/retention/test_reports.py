"""The plan changes nothing; each run leaves a report without personal data, shown to the
privacy officer at /dpo/retention and in the API, and recorded in the audit trail; the
worker runs the sweep and the stale-account check every night on its own."""

from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select

from steward.audit.models import AuditEntry
from steward.core import clock
from steward.desk.models import CallRecording
from steward.jobs.models import Job
from steward.retention.models import RetentionRun
from tests.retention.conftest import START, count, filled, sweep
from tests.rights.intake_kit import steward
from tests.rights.work import db


def test_the_plan_shows_what_goes_now_and_within_30_days_and_changes_nothing(
    team, app, identity_settings
):
    with clock.frozen_at(START):
        _, ada = team.customer("ada")
        filled(app, ada)
    with clock.frozen_at(START + timedelta(days=70)):  # recordings go at three months
        planned = steward(identity_settings, "retention", "plan")
        assert planned.exit_code == 0, planned.output
        line = next(x for x in planned.output.splitlines() if "call_recording" in x)
        assert line.split()[1:] == ["delete", "0", "1"]
        assert count(app, CallRecording) == 1
    with clock.frozen_at(START + timedelta(days=100)):
        line = next(
            x
            for x in steward(identity_settings, "retention", "plan").output.splitlines()
            if "call_recording" in x
        )
        assert line.split()[1:] == ["delete", "1", "0"]
        assert count(app, CallRecording) == 1
        with db(app) as session:
            assert session.scalar(select(func.count()).select_from(RetentionRun)) == 0


def test_each_run_is_reported_to_the_officer_without_personal_data_and_audited(
    team, app, identity_settings
):
    officer = team["privacy_officer"]
    with clock.frozen_at(START):
        _, ada = team.customer("ada")
        filled(app, ada)
    with clock.frozen_at(START + timedelta(days=100)):
        sweep(identity_settings)
    runs = officer.get("/api/v1/dpo/retention/runs").json()["items"]
    assert len(runs) == 1 and runs[0]["status"] == "done" and runs[0]["source"] == "cli"
    assert runs[0]["counts"]["user.communications.call_recording"] == {"delete": 1}
    page = officer.get("/dpo/retention")
    assert page.status_code == 200
    assert "Call recordings delete: 1" in page.text  # the policy's name for the category
    for private in ("ada@", "Lovelace", ada):  # not "ada": an id may hold those letters
        assert private not in page.text and private not in str(runs)
    with db(app) as session:
        entry = session.scalars(
            select(AuditEntry).where(AuditEntry.action == "retention_run")
        ).one()
        assert entry.person_id is None and "user.communications.call_recording" in entry.categories
    queue = officer.get("/dpo").text
    assert "Last retention sweep" in queue and "done, 1 removed or emptied" in queue
    assert team["agent"].get("/dpo/retention").status_code == 403
    assert team["agent"].get("/api/v1/dpo/retention/runs").status_code == 403


def test_holds_can_be_placed_and_released_on_the_page(team, app):
    officer = team["privacy_officer"]
    _, _ada = team.customer("ada")
    page = officer.get("/dpo/retention")
    assert "No holds in force." in page.text
    form = {"csrf_token": officer.headers["X-CSRF-Token"], "scope": "person", "reason": "dispute"}
    wrong = officer.post("/dpo/holds", data={**form, "target": "nobody@example.com"})
    assert wrong.status_code == 404 and "There is no such person." in wrong.text
    assert 'value="nobody@example.com"' in wrong.text  # what was typed is kept
    placed = officer.post("/dpo/holds", data={**form, "target": "ada@example.com"})
    assert placed.status_code == 200 and "The hold is in force" in placed.text
    assert 'Ada Lovelace <span class="hint">(a person)</span>' in placed.text
    hold_id = officer.get("/api/v1/dpo/holds").json()["items"][0]["id"]
    released = officer.post(
        f"/dpo/holds/{hold_id}/release", data={"csrf_token": form["csrf_token"]}
    )
    assert "The hold is released" in released.text and "No holds in force." in released.text


def test_the_worker_sweeps_and_checks_stale_accounts_every_night(team, app, identity_settings):
    with clock.frozen_at(START):
        _, ada = team.customer("ada")
        filled(app, ada)
    night = datetime(2031, 6, 10, 1, 0, tzinfo=UTC)  # recordings are three months old
    with clock.frozen_at(night):
        first = steward(identity_settings, "worker", "--once")
        assert first.exit_code == 0, first.output
        assert count(app, CallRecording) == 1  # the schedule starts from its first slot
    with clock.frozen_at(night + timedelta(hours=2, minutes=1)):
        ran = steward(identity_settings, "worker", "--once")
        assert ran.exit_code == 0, ran.output
        assert count(app, CallRecording) == 0
    with clock.frozen_at(night + timedelta(hours=3, minutes=1)):
        assert steward(identity_settings, "worker", "--once").exit_code == 0
    with db(app) as session:
        run = session.scalars(select(RetentionRun)).one()
        assert run.source == "worker" and run.status == "done"
        done = session.scalars(select(Job.kind).where(Job.state == "done")).all()
        assert {"retention.sweep", "accounts.stale"} <= set(done)


def test_the_officer_sees_the_plan_on_the_page_and_in_the_api(team, app):
    officer = team["privacy_officer"]
    with clock.frozen_at(clock.now() - timedelta(days=100)):  # recordings go at three months
        _, ada = team.customer("ada")
        filled(app, ada)
    plan = officer.get("/api/v1/dpo/retention/plan")
    assert plan.status_code == 200
    assert plan.json()["now"]["counts"]["user.communications.call_recording"] == {"delete": 1}
    assert plan.json()["next_30_days"]["counts"]["user.communications.call_recording"] == {
        "delete": 0
    }
    page = " ".join(officer.get("/dpo/retention").text.split())
    assert (
        '<td data-label="Category">Call recordings</td>'
        '<td data-label="Action">delete</td> <td data-label="Due now">1</td>'
    ) in page
    assert count(app, CallRecording) == 1  # looking changes nothing
