"""X6: containing a breach from the incident's page, its JSON API and `steward incident
contain`; each step does the real thing and is recorded on the incident's timeline and in
the audit trail. T2: a hold for the security investigation stops the retention sweep."""

import json
import re
import shutil
from datetime import timedelta
from itertools import count

import pyotp
import pytest
import yaml
from sqlalchemy import select

from steward.core import clock
from steward.desk.models import CallRecording, Message
from steward.identity.models import Account
from steward.incidents.models import Incident, IncidentEvent
from steward.rights import recipients
from steward.rights.models import OutboxMessage
from steward.vault.keyring import Keyring
from tests.conftest import EXAMPLE_FILES, EXAMPLES
from tests.desk.team import organisation
from tests.people import PASSWORD, sign_in, totp_code
from tests.retention.conftest import START, filled, row, sweep
from tests.rights.intake_kit import steward
from tests.rights.test_recipients import a_request
from tests.rights.work import db
from tests.web.page_helpers import error_of, post_form, sign_in_page, signed_out

NEW_PASSWORD = "a brand new passphrase 77"
OFFICER = "privacy_officer@example.com"
_numbers = count(1)


def an_incident(app, status: str = "open") -> tuple[str, str]:
    """An incident as the register would record it (its service is another part's):
    (id, reference)."""
    with db(app) as session:
        creator = session.scalars(select(Account.id).order_by(Account.created_at)).first()
        incident = Incident(
            reference=f"INC-2026-{next(_numbers):04d}",
            title="A stolen laptop",
            status=status,
            aware_at=clock.now(),
            created_at=clock.now(),
            created_by=creator,
        )
        session.add(incident)
        session.commit()
        return incident.id, incident.reference


def timeline(app, incident_id: str) -> list[tuple[str, dict]]:
    with db(app) as session:
        events = session.scalars(
            select(IncidentEvent)
            .where(IncidentEvent.incident_id == incident_id)
            .order_by(IncidentEvent.at, IncidentEvent.id)
        ).all()
        return [(e.kind, json.loads(e.detail)) for e in events]


def contain(officer, incident_id: str, step: str, **body):
    return officer.post(f"/api/v1/dpo/incidents/{incident_id}/containment/{step}", json=body)


def page_step(officer, incident_id: str, step: str, **fields):
    path = f"/dpo/incidents/{incident_id}/containment/{step}"
    return post_form(officer, path, {"confirm": "yes", **fields}, follow_redirects=False)


def audited(audit_rows, action: str) -> list[dict]:
    return [r for r in audit_rows() if r["action"] == action]


@pytest.mark.promise("X6")
def test_revoking_the_sessions_of_an_account_signs_it_out_in_every_browser(
    team, app, new_client, mailbox, audit_rows
):
    officer = team["privacy_officer"]
    ada, ada_person = team.customer("ada")
    phone = new_client()
    assert sign_in(phone, "ada@example.com").status_code == 200
    incident_id, _ = an_incident(app)

    answer = contain(officer, incident_id, "revoke-sessions", account="ada@example.com")

    assert answer.status_code == 200, answer.text
    done = answer.json()
    assert done["step"] == "revoke-sessions" and done["detail"]["ended"] == 2
    assert "ada@" not in answer.text  # the account by id, never its address
    for browser in (ada, phone):
        assert browser.get("/api/v1/me").status_code == 401
    account_id = done["detail"]["account"]
    assert timeline(app, incident_id) == [("contain.sessions", {"account": account_id, "ended": 2})]
    assert len(audited(audit_rows, "incident_contain_sessions")) == 1
    ended = audited(audit_rows, "end_sessions")
    assert [(r["person_id"], r["purpose"]) for r in ended] == [(ada_person, "incidents")]
    shown = officer.get(f"/api/v1/dpo/incidents/{incident_id}/containment").json()
    assert [d["step"] for d in shown["done"]] == ["revoke-sessions"]


@pytest.mark.promise("X6")
def test_a_disabled_account_cannot_sign_in(team, app, new_client, audit_rows):
    officer = team["privacy_officer"]
    ada, _ = team.customer("ada")
    incident_id, _ = an_incident(app)
    path = f"/dpo/incidents/{incident_id}/containment/disable-account"

    unconfirmed = post_form(officer, path, {"account": "ada@example.com"})
    assert unconfirmed.status_code == 422
    assert "Tick the box to confirm" in error_of(unconfirmed.text)
    assert ada.get("/api/v1/me").status_code == 200  # nothing done

    done = page_step(officer, incident_id, "disable-account", account="ada@example.com")
    assert done.status_code == 303
    page = officer.get(done.headers["location"])
    assert "Account disabled: recorded on the timeline." in page.text
    assert 'aria-current="page">Containment' in page.text
    assert ada.get("/api/v1/me").status_code == 401
    fresh = new_client()
    refused = sign_in(fresh, "ada@example.com")
    assert refused.status_code == 403 and "disabled" in refused.json()["detail"]
    assert "This account is disabled" in error_of(sign_in_page(fresh, "ada@example.com").text)
    assert [kind for kind, _ in timeline(app, incident_id)] == ["contain.disable"]
    assert len(audited(audit_rows, "incident_contain_disable")) == 1
    again = page_step(officer, incident_id, "disable-account", account="ada@example.com")
    assert again.status_code == 409 and "already disabled" in error_of(again.text)


@pytest.mark.promise("X6")
def test_after_a_forced_reset_a_new_password_and_new_mfa_are_the_only_way_in(
    team, app, new_client, identity_settings, audit_rows
):
    team["privacy_officer"]
    ada, _ = team.customer("ada")
    old_secret = ada.post("/api/v1/auth/mfa/enrol").json()["secret"]
    assert ada.post("/api/v1/auth/mfa/verify", json={"code": totp_code(old_secret)}).is_success
    _, reference = an_incident(app)

    result = steward(
        identity_settings, "incident", "contain", reference, "--by", OFFICER,
        "--force-reset", "ada@example.com",
    )  # fmt: skip

    assert result.exit_code == 0, result.output
    assert f"{reference}: force-reset done" in result.output and "ended 1" in result.output
    assert ada.get("/api/v1/me").status_code == 401  # its session ended
    assert len(audited(audit_rows, "incident_contain_reset")) == 1
    browser = new_client()
    signed = sign_in_page(browser, "ada@example.com", next_="/portal/account")
    assert signed.headers["location"] == "/account/new-password?next=/portal/account"
    # Nothing else opens: pages send it back to the reset, the API refuses, the old code fails.
    for path in ("/portal", "/mfa", "/mfa/enrol"):
        sent = browser.get(path, follow_redirects=False)
        assert sent.headers["location"].startswith("/account/new-password"), path
    browser.headers["X-CSRF-Token"] = browser.cookies["steward_csrf"]
    assert browser.get("/api/v1/me").status_code == 403
    old_code = browser.post("/api/v1/auth/mfa", json={"code": pyotp.TOTP(old_secret).now()})
    assert old_code.status_code == 409  # MFA is off until enrolled anew: the secret is gone
    early = browser.post("/api/v1/auth/mfa/enrol")
    assert early.status_code == 409 and "new password first" in early.json()["detail"]

    same = post_form(browser, "/account/new-password", {"password": PASSWORD, "confirm": PASSWORD})
    assert same.status_code == 422 and "not the one you had" in error_of(same.text)
    chosen = post_form(
        browser,
        "/account/new-password",
        {"password": NEW_PASSWORD, "confirm": NEW_PASSWORD, "next": "/portal/account"},
        follow_redirects=False,
    )
    assert chosen.headers["location"] == "/mfa/enrol?next=/portal/account"
    assert browser.get("/portal", follow_redirects=False).headers["location"] == "/mfa/enrol"
    shown = post_form(browser, "/mfa/enrol", {"next": "/portal/account"})
    new_secret = re.search(r'id="mfa-secret">([A-Z2-7]+)<', shown.text).group(1)
    assert new_secret != old_secret
    codes = post_form(browser, "/mfa/enrol/confirm", {"code": totp_code(new_secret)})
    assert codes.status_code == 200 and "recovery" in codes.text.lower()
    assert browser.get("/portal/account").status_code == 200

    other = new_client()
    assert sign_in(other, "ada@example.com").status_code == 401  # the old password is gone
    assert sign_in(other, "ada@example.com", NEW_PASSWORD).json()["next"] == "mfa"
    stale = other.post("/api/v1/auth/mfa", json={"code": pyotp.TOTP(old_secret).now()})
    assert stale.status_code == 401  # the old app's code is wrong now
    assert other.post("/api/v1/auth/mfa", json={"code": totp_code(new_secret)}).is_success
    assert other.get("/api/v1/me").status_code == 200


@pytest.mark.promise("X6")
def test_a_forced_reset_of_an_account_without_mfa_through_the_api(team, app, new_client):
    officer = team["privacy_officer"]
    team.customer("bob")
    incident_id, _ = an_incident(app)
    assert contain(officer, incident_id, "force-reset", account="bob@example.com").is_success
    browser = new_client()
    assert sign_in(browser, "bob@example.com").json()["next"] == "new_password"
    assert browser.get("/api/v1/me").status_code == 403
    answer = browser.post("/api/v1/auth/new-password", json={"password": NEW_PASSWORD})
    assert answer.status_code == 200 and answer.json()["status"] == "mfa_enrol"
    assert browser.get("/api/v1/me").status_code == 403  # MFA is asked of it now
    secret = browser.post("/api/v1/auth/mfa/enrol").json()["secret"]
    assert browser.post("/api/v1/auth/mfa/verify", json={"code": totp_code(secret)}).is_success
    assert browser.get("/api/v1/me").json()["mfa_enabled"] is True


@pytest.mark.promise("X6")
def test_rotating_the_master_key_from_the_incident_keeps_old_data_readable(
    team, app, identity_settings, audit_rows
):
    officer = team["privacy_officer"]
    ada, _ = team.customer("ada")
    before = ada.get("/api/v1/me").json()
    old = Keyring.load(identity_settings.key_file)
    incident_id, _ = an_incident(app)

    done = page_step(officer, incident_id, "rotate-keys")

    assert done.headers["location"].endswith("/containment?done=rotate-keys")
    now = Keyring.load(identity_settings.key_file)
    assert now.current_id != old.current_id and len(now.master_keys) == 1
    ((kind, detail),) = timeline(app, incident_id)
    assert kind == "contain.keys" and detail["key_id"] == now.current_id
    assert detail["rewrapped"] >= 1
    assert ada.get("/api/v1/me").json() == before  # old data opens under the new key
    assert len(audited(audit_rows, "incident_contain_keys")) == 1
    page = officer.get(done.headers["location"]).text
    assert now.current_id in page


def _policy(data_dir, example) -> None:
    shutil.copyfile(example, data_dir / "policy.yaml")


@pytest.fixture(params=[p.stem for p in EXAMPLE_FILES])
def example(request, data_dir) -> str:
    """Each example policy (asked for before `app`, so the app starts with it)."""
    _policy(data_dir, EXAMPLES / f"{request.param}.yaml")
    return request.param


@pytest.mark.promise("X6")
def test_a_paused_processor_gets_nothing_until_resumed_and_nothing_is_lost(
    example, team, app, identity_settings, mailbox, audit_rows
):
    policy = yaml.safe_load(identity_settings.policy.read_text())
    processor = sorted(policy["processors"])[0]
    told = policy["processors"][processor]
    officer = team["privacy_officer"]
    incident_id, reference = an_incident(app)
    with db(app) as session:
        recipients.notify(session, a_request(session), None, "erasure", told["categories"][:1])
        session.commit()

    paused = contain(officer, incident_id, "pause-processor", processor=processor)
    assert paused.status_code == 200, paused.text
    assert paused.json()["detail"] == {"processor": processor, "waiting": 1}
    assert steward(identity_settings, "rights", "run").exit_code == 0
    assert mailbox.to(told["contact"]) == []
    page = officer.get(f"/dpo/incidents/{incident_id}/containment").text
    assert f"<li>{told['name']} ({processor}), since" in page

    resumed = steward(
        identity_settings, "incident", "contain", reference, "--by", OFFICER,
        "--resume-processor", processor,
    )  # fmt: skip
    assert resumed.exit_code == 0, resumed.output
    assert steward(identity_settings, "rights", "run").exit_code == 0
    assert len(mailbox.to(told["contact"])) == 1
    with db(app) as session:
        left = session.scalars(
            select(OutboxMessage).where(OutboxMessage.processor == processor)
        ).all()
        assert [m.delivered_at is not None for m in left] == [True]
        assert recipients.paused(session) == {}
    assert [k for k, _ in timeline(app, incident_id)] == ["contain.pause", "contain.resume"]
    for kind in ("pause", "resume"):
        assert len(audited(audit_rows, f"incident_contain_{kind}")) == 1, kind


@pytest.mark.promise("X6", "T2")
def test_a_hold_for_the_investigation_stops_the_sweep(team, app, identity_settings):
    officer = team["privacy_officer"]
    with clock.frozen_at(START):
        _, ada = team.customer("ada")
        _, bob = team.customer("bob")
        ada_rows, bob_rows = filled(app, ada), filled(app, bob)
    incident_id, _ = an_incident(app)
    done = page_step(officer, incident_id, "legal-hold", scope="person", target="ada@example.com")
    assert done.headers["location"].endswith("/containment?done=legal-hold")
    ((kind, detail),) = timeline(app, incident_id)
    assert kind == "contain.hold" and detail["scope"] == "person" and detail["target"] == ada
    held = officer.get("/api/v1/dpo/holds").json()["items"]
    assert [(h["id"], h["reason"]) for h in held] == [(detail["hold"], "security_investigation")]
    with clock.frozen_at(START + timedelta(days=8 * 366)):
        printed = sweep(identity_settings)
    assert f"hold {detail['hold']} kept" in printed
    for model, table in ((CallRecording, "call_recordings"), (Message, "messages")):
        assert row(app, model, ada_rows[table]) is not None
        assert row(app, model, bob_rows[table]) is None


@pytest.mark.promise("X6")
def test_only_the_privacy_officer_contains_an_incident(team, app, audit_rows):
    team["privacy_officer"]
    incident_id, _ = an_incident(app)
    shopper, _ = team.customer("ada")
    for who in ("admin", "agent"):
        browser = team[who]
        refused = contain(browser, incident_id, "revoke-sessions", account="ada@example.com")
        assert refused.status_code == 403, who
        assert browser.get(f"/api/v1/dpo/incidents/{incident_id}/containment").status_code == 403
        page = browser.get(f"/dpo/incidents/{incident_id}/containment")
        assert page.status_code == 403
    assert shopper.get("/api/v1/me").status_code == 200  # nothing was done
    assert timeline(app, incident_id) == []
    assert any(r["outcome"] == "refused" for r in audit_rows())


@pytest.mark.promise("X6")
def test_bad_steps_are_refused_with_a_reason_and_change_nothing(team, app, identity_settings):
    officer = team["privacy_officer"]
    incident_id, reference = an_incident(app)
    closed_id, _ = an_incident(app, status="closed")
    nowhere = "00000000-0000-0000-0000-000000000000"
    cases = [
        (incident_id, "shred-everything", {}, 404, "no such step"),
        (nowhere, "revoke-sessions", {"account": "x@example.com"}, 404, "no such incident"),
        (incident_id, "revoke-sessions", {}, 422, "Name the account"),
        (incident_id, "disable-account", {"account": "nobody@example.com"}, 404, "no such account"),
        (incident_id, "pause-processor", {"processor": "nobody"}, 422, "no such processor"),
        (incident_id, "resume-processor", {"processor": "stripe"}, 409, "not paused"),
        (incident_id, "legal-hold", {"scope": "person", "target": "x@example.com"}, 404, ""),
        (incident_id, "legal-hold", {"scope": "ticket", "target": "#1"}, 422, "scope"),
        (incident_id, "legal-hold", {"scope": "category", "target": "user.financial"}, 422, "only"),
        (closed_id, "rotate-keys", {}, 409, "closed"),
    ]
    for target, step, body, status, words in cases:
        answer = contain(officer, target, step, **body)
        assert answer.status_code == status, (step, answer.text)
        assert words in answer.json()["detail"], step
    assert timeline(app, incident_id) == [] and timeline(app, closed_id) == []
    bad = steward(
        identity_settings, "incident", "contain", reference, "--by", OFFICER,
        "--legal-hold", "person",
    )  # fmt: skip
    assert bad.exit_code != 0 and "SCOPE:TARGET" in bad.output
    unknown = steward(identity_settings, "incident", "contain", "INC-1999-0000", "--by", OFFICER)
    assert unknown.exit_code == 1 and "There is no incident INC-1999-0000." in unknown.output


@pytest.mark.promise("X6")
def test_the_command_line_takes_several_steps_and_lists_them(
    team, app, identity_settings, audit_rows
):
    team["privacy_officer"]
    ada, _ = team.customer("ada")
    _, reference = an_incident(app)
    result = steward(
        identity_settings, "incident", "contain", reference, "--by", OFFICER,
        "--revoke-sessions", "ada@example.com", "--disable-account", "ada@example.com",
        "--legal-hold", "person:ada@example.com",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "ada@" not in result.output
    assert ada.get("/api/v1/me").status_code == 401
    listed = steward(identity_settings, "incident", "contain", reference, "--by", OFFICER)
    steps = [line.split()[3] for line in listed.output.splitlines()]
    assert steps == ["revoke-sessions", "disable-account", "legal-hold"]
    for kind in ("sessions", "disable", "hold"):
        assert len(audited(audit_rows, f"incident_contain_{kind}")) == 1, kind
    signed_out(ada)
    assert sign_in(ada, "ada@example.com").status_code == 403


@pytest.fixture
def compustores(data_dir):
    """The managed IT provider's policy: its logs may be kept for a security investigation."""
    _policy(data_dir, EXAMPLES / "compustores.yaml")


@pytest.mark.promise("X6", "T2")
def test_holds_for_the_investigation_on_an_organisation_and_on_a_category_the_policy_allows(
    compustores, team, app
):
    officer = team["privacy_officer"]
    firm = organisation(team["agent"], "Bayou Welding")
    incident_id, _ = an_incident(app)
    on_firm = contain(officer, incident_id, "legal-hold", scope="organisation", target=firm["id"])
    on_logs = contain(officer, incident_id, "legal-hold", scope="category", target="system.logs")
    assert on_firm.status_code == 200, on_firm.text
    assert on_logs.status_code == 200, on_logs.text
    held = officer.get("/api/v1/dpo/holds").json()["items"]
    assert {(h["scope"], h["target"], h["reason"]) for h in held} == {
        ("organisation", firm["id"], "security_investigation"),
        ("category", "system.logs", "security_investigation"),
    }
    assert [
        d["detail"]["scope"]
        for d in officer.get(f"/api/v1/dpo/incidents/{incident_id}/containment").json()["done"]
    ] == ["organisation", "category"]
