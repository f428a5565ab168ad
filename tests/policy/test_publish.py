"""Publishing a new policy version (C4): `steward policy publish` checks the file, records what
changed, replaces the active file and mails every account holder; a material change makes
the portal and desk pages ask a signed-in person to accept it first, while the API answers
as usual; /privacy/history lists every version with its text."""

import hashlib
import re

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from steward.consent.models import ConsentEvent
from steward.core.db import release
from steward.policy.models import PolicyVersion
from steward.web.app import create_app
from tests.people import customer, sign_in
from tests.policy.publish_kit import material_change, wording_change
from tests.rights.intake_kit import body_of, steward

EMAIL = "ada@example.com"


def versions(app) -> dict[str, PolicyVersion]:
    with app.state.sessions() as session:
        return {row.version: row for row in session.scalars(select(PolicyVersion))}


@pytest.fixture
def holder(client, mailbox) -> TestClient:
    """A verified customer, made while version 1.0 is in force."""
    customer(client, mailbox, EMAIL)
    return client


@pytest.fixture
def restarted(identity_settings):
    """The server started again after publishing: it reads the new active file."""
    made = []

    def start() -> TestClient:
        app = create_app(identity_settings)
        made.append(app)
        browser = TestClient(app)
        assert sign_in(browser, EMAIL).status_code == 200
        return browser

    yield start
    for app in made:
        release(app.state.sessions.kw["bind"])


@pytest.mark.promise("C4")
def test_publishing_a_material_change_replaces_the_file_records_the_change_and_mails_holders(
    identity_settings, holder, mailbox, app, tmp_path
):
    new = material_change(identity_settings.policy, tmp_path / "new.yaml")
    before = len(mailbox.to(EMAIL))

    result = steward(identity_settings, "policy", "publish", str(new))

    assert result.exit_code == 0, result.output
    assert "published version 1.1 (was 1.0)" in result.output
    assert "material" in result.output and "added 'mailgun'" in result.output
    assert "1 sent, 0 failed" in result.output
    assert "no restart needed" in result.output
    assert identity_settings.policy.read_text() == new.read_text()
    rows = versions(app)
    assert rows["1.1"].material is True
    assert rows["1.1"].summary == "[material] processors: added 'mailgun'"
    assert rows["1.1"].published_at is not None and rows["1.1"].notified_at is not None
    assert rows["1.1"].sha256 == hashlib.sha256(new.read_bytes()).hexdigest()
    assert rows["1.0"].published_at is None  # the version it replaced stays in the history
    mails = mailbox.to(EMAIL)
    assert len(mails) == before + 1
    notice = mails[-1]
    assert "version 1.1" in notice["Subject"]
    text = body_of(notice)
    assert "version 1.1" in text and "2026-12-01" in text
    assert "processors: added 'mailgun'" in text
    assert "ask you to accept" in text
    assert "/privacy/history" in text


@pytest.mark.promise("C4")
def test_a_policy_with_problems_is_refused_and_nothing_changes(
    identity_settings, holder, mailbox, app, tmp_path
):
    broken = material_change(identity_settings.policy, tmp_path / "broken.yaml")
    broken.write_text(
        broken.read_text().replace(
            "transfer_safeguard: scc\n    contract_date: 2026-10-01",
            "transfer_safeguard: dpf\n    contract_date: 2026-10-01",
        )
    )
    active = identity_settings.policy.read_text()
    before = len(mailbox.messages)

    result = steward(identity_settings, "policy", "publish", str(broken))

    assert result.exit_code == 1
    assert "'dpf' is not a valid value" in result.output
    assert identity_settings.policy.read_text() == active
    assert "1.1" not in versions(app)
    assert len(mailbox.messages) == before


def test_a_policy_with_warnings_is_published_and_each_warning_is_printed_with_its_line(
    identity_settings, app, tmp_path
):
    new = wording_change(identity_settings.policy, tmp_path / "new.yaml")
    text = new.read_text().replace(
        "\nprocessors:\n",
        "\n  operations.fraud:\n    name: Fraud checks\n    description: Checking orders.\n"
        "    lawful_basis: legitimate_interests\n    legitimate_interest: Preventing fraud.\n"
        "    roles: [admin]\n\nprocessors:\n",
        1,
    )
    new.write_text(text)
    line = text[: text.index("  operations.fraud:")].count("\n") + 1

    result = steward(identity_settings, "policy", "publish", str(new))

    assert result.exit_code == 0, result.output
    assert (
        f"{new}:{line}: warning: Purpose 'operations.fraud' is declared but no category is "
        "used for it"
    ) in result.stderr
    assert "published version 1.1 (was 1.0)" in result.stdout
    assert identity_settings.policy.read_text() == text
    assert versions(app)["1.1"].published_at is not None


def test_publishing_the_active_text_or_a_new_text_under_the_same_version_is_refused(
    identity_settings, app, tmp_path
):
    same = tmp_path / "same.yaml"
    same.write_text(identity_settings.policy.read_text())
    result = steward(identity_settings, "policy", "publish", str(same))
    assert result.exit_code == 1
    assert "active policy already" in result.output

    reworded = tmp_path / "reworded.yaml"
    reworded.write_text(
        identity_settings.policy.read_text().replace(
            "Encrypted off-site backups.", "Encrypted backups."
        )
    )
    result = steward(identity_settings, "policy", "publish", str(reworded))
    assert result.exit_code == 1
    assert "keeps version 1.0" in result.output


@pytest.mark.promise("C4")
def test_after_a_material_change_the_portal_asks_to_accept_and_the_acceptance_is_in_the_ledger(
    identity_settings, holder, restarted, tmp_path
):
    new = material_change(identity_settings.policy, tmp_path / "new.yaml")
    assert steward(identity_settings, "policy", "publish", str(new)).exit_code == 0
    browser = restarted()

    asked = browser.get("/portal", follow_redirects=False)
    assert asked.status_code == 303
    assert asked.headers["location"] == "/privacy/accept?next=/portal"
    assert browser.get("/api/v1/me").status_code == 200  # the API answers as usual
    page = browser.get("/privacy/accept?next=/portal")
    assert page.status_code == 200
    assert "processors: added &#39;mailgun&#39;" in page.text or "added 'mailgun'" in page.text
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)

    forged = TestClient(browser.app, cookies=dict(browser.cookies.items()))
    refused = forged.post("/privacy/accept", data={"next": "/portal"}, follow_redirects=False)
    assert refused.status_code == 403

    browser.headers.pop("X-CSRF-Token")
    accepted = browser.post(
        "/privacy/accept",
        data={"next": "/portal", "csrf_token": token},
        follow_redirects=False,
    )
    assert accepted.status_code == 303
    assert accepted.headers["location"] == "/portal"
    assert browser.get("/portal", follow_redirects=False).status_code == 200
    with browser.app.state.sessions() as session:
        events = list(session.scalars(select(ConsentEvent).where(ConsentEvent.purpose == "policy")))
    assert [(e.choice, e.method, e.policy_version) for e in events] == [("given", "form", "1.1")]
    assert events[0].text_sha256 == hashlib.sha256(new.read_bytes()).hexdigest()
    assert events[0].owner_id == events[0].person_id


def test_accepting_only_returns_to_a_path_on_this_site(
    identity_settings, holder, restarted, tmp_path
):
    new = material_change(identity_settings.policy, tmp_path / "new.yaml")
    assert steward(identity_settings, "policy", "publish", str(new)).exit_code == 0
    browser = restarted()
    answer = browser.post(
        "/privacy/accept", data={"next": "https://evil.example/"}, follow_redirects=False
    )
    assert answer.headers["location"] == "/portal"


def test_a_change_that_is_not_material_asks_nobody(identity_settings, holder, restarted, tmp_path):
    new = wording_change(identity_settings.policy, tmp_path / "new.yaml")
    result = steward(identity_settings, "policy", "publish", str(new))
    assert result.exit_code == 0, result.output
    assert "not material" in result.output
    browser = restarted()
    assert browser.get("/portal", follow_redirects=False).status_code == 200
    assert browser.get("/privacy/accept", follow_redirects=False).headers["location"] == "/portal"


@pytest.mark.promise("C4", "S3")
def test_the_history_lists_every_version_newest_first_each_with_its_own_text(
    identity_settings, holder, restarted, tmp_path
):
    new = material_change(identity_settings.policy, tmp_path / "new.yaml")
    assert steward(identity_settings, "policy", "publish", str(new)).exit_code == 0
    visitor = TestClient(restarted().app)

    history = visitor.get("/privacy/history")
    assert history.status_code == 200
    links = re.findall(r'href="(/privacy/history/[^"]+)">Version ([\d.]+)', history.text)
    assert [v for _, v in links] == ["1.1", "1.0"]
    assert "added &#39;mailgun&#39;" in history.text
    assert "Yes: people were asked to accept it" in history.text

    newest, oldest = (visitor.get(path) for path, _ in links)
    assert newest.status_code == oldest.status_code == 200
    assert "Mailgun" in newest.text and "Mailgun" not in oldest.text
    assert "in force now" in newest.text and "no longer in force" in oldest.text
    assert visitor.get("/privacy/history/no-such-version").status_code == 404


@pytest.mark.promise("C1", "C4")
@pytest.mark.parametrize(
    ("change", "holds_under"), [(wording_change, ["1.1", "1.0"]), (material_change, ["1.1"])]
)
def test_cookie_choices_hold_across_minor_changes_and_are_asked_again_after_a_material_one(
    identity_settings, holder, restarted, tmp_path, change, holds_under
):
    assert holder.get("/consent/config.json").json()["consent_versions"] == ["1.0"]
    new = change(identity_settings.policy, tmp_path / "new.yaml")
    assert steward(identity_settings, "policy", "publish", str(new)).exit_code == 0

    config = restarted().get("/consent/config.json").json()

    assert config["policy_version"] == "1.1"
    assert config["consent_versions"] == holds_under
