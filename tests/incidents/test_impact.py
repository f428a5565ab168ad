"""Who an incident affected, computed (X6), as the privacy officer finds out through the JSON
API, the page and the command line: an account, a role and a lost device over a window from
the audit trail; tables, a backup and a rights export from the data map; a processor's
breach from the categories it receives. Under two policies with different processors and
laws, on both databases.

The story, on a clock that only moves when told: an agent reads Cy's record from the desk
and signs out there; later signs in on a laptop, reads Ann's record, then (after the window
the officer asks about) Bob's. Ann's data fills every table; Bob has an access export."""

import json
import shutil
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import yaml
from sqlalchemy import select

from steward.core import clock
from steward.identity.models import Account
from steward.incidents import affected
from steward.incidents.models import Incident, IncidentEvent
from steward.vault.service import vault_of
from tests.conftest import EXAMPLES
from tests.desk.team import Team
from tests.people import enrol_mfa, sign_in, staff, totp_code
from tests.rights.fill import fill
from tests.rights.intake_kit import steward
from tests.rights.work import db, verified_request
from tests.web.page_helpers import error_of, post_form

START = datetime(2031, 3, 3, 9, tzinfo=UTC)
# Per policy: a processor that receives what fills Ann's rows and nothing Bob holds, and
# the law each person falls under (by the time zone their account chose; Cy chose none).
POLICIES = {
    "houston-generator.yaml": ("stripe", {"ann": "gdpr", "bob": "ccpa", "cy": None}),
    "it-support-shop.yaml": ("logmein", {"ann": "uk_gdpr", "bob": "uk_gdpr", "cy": "uk_gdpr"}),
}

ZONES = {"houston-generator.yaml": "America/Chicago", "it-support-shop.yaml": "Europe/London"}


@pytest.fixture(params=sorted(POLICIES))
def policy(request, data_dir) -> str:
    """The business's policy (asked for before `app`, so the app starts with it); with
    "+sensitive", its remote-access details marked a special category."""
    name, _, variant = request.param.partition("+")
    shutil.copyfile(EXAMPLES / name, data_dir / "policy.yaml")
    if variant == "sensitive":
        written = yaml.safe_load((data_dir / "policy.yaml").read_text())
        written["categories"]["user.device.remote_session"]["sensitive"] = True
        (data_dir / "policy.yaml").write_text(yaml.safe_dump(written))
    return name


def at(minutes: int) -> str:
    return (START + timedelta(minutes=minutes)).isoformat()


class Story:
    """The team, the agent's two browsers, the customers and an open incident."""

    def __init__(self, app, admin, mailbox, new_client) -> None:
        self.app = app
        team = Team(admin, mailbox, new_client)
        self.officer = team["privacy_officer"]
        officer_account = self.officer.get("/api/v1/me").json()["account_id"]
        _, self.ann = team.customer("ann")
        _, self.bob = team.customer("bob")
        desk = new_client()
        self.agent = staff(admin, mailbox, desk, "agent@example.com", "agent")
        secret, _ = enrol_mfa(desk)
        clock.advance(timedelta(minutes=2))
        _, self.cy = team.customer("cy")  # joins after a backup taken at minute 1
        clock.advance(timedelta(minutes=3))  # minute 5: Cy's record, then signed out
        assert desk.get(f"/api/v1/people/{self.cy}").status_code == 200
        assert desk.post("/api/v1/auth/sign-out").status_code == 200
        clock.advance(timedelta(minutes=25))  # minute 30: the laptop
        laptop = new_client()
        assert sign_in(laptop, "agent@example.com").status_code == 200
        verified = laptop.post("/api/v1/auth/mfa", json={"code": totp_code(secret)})
        assert verified.status_code == 200, verified.text
        clock.advance(timedelta(minutes=10))  # minute 40: Ann's record
        assert laptop.get(f"/api/v1/people/{self.ann}").status_code == 200
        clock.advance(timedelta(minutes=60))  # minute 100: Bob's, after the window
        assert laptop.get(f"/api/v1/people/{self.bob}").status_code == 200
        clock.advance(timedelta(minutes=5))
        with db(app) as session:
            fill(session, self.ann)
            zones = {self.ann: "Europe/Berlin", self.bob: "America/Los_Angeles"}
            for account in session.scalars(select(Account).where(Account.person_id.in_(zones))):
                account.time_zone = zones[account.person_id]
            incident = Incident(
                reference="INC-2031-0001",
                title="An agent's laptop was stolen",
                aware_at=clock.now(),
                created_at=clock.now(),
                created_by=officer_account,
            )
            session.add(incident)
            session.commit()
            self.incident = incident.id
        self.name = {self.ann: "ann", self.bob: "bob", self.cy: "cy"}
        self.url = f"/api/v1/dpo/incidents/{self.incident}/affected"

    def frozen_people(self) -> dict[str, affected.Affected]:
        """The sealed list, opened with the incident's key, by customer name."""
        with db(self.app) as session:
            found = affected.read(session, vault_of(session), self.incident)
            return {self.name.get(a.person_id, a.person_id): a for a in found}

    def freeze(self, scope: dict) -> dict:
        answer = self.officer.post(self.url, json=scope)
        assert answer.status_code == 200, answer.text
        return answer.json()


@pytest.fixture
def on_the_clock():
    """The clock stands at START until the test moves it (asked for before the admin signs in)."""
    with clock.frozen_at(START):
        yield


@pytest.fixture
def story(policy, on_the_clock, app, admin, mailbox, new_client) -> Story:
    return Story(app, admin, mailbox, new_client)


CUSTOMERS = {"ann", "bob", "cy"}


def customers_in(people: dict) -> set[str]:
    return CUSTOMERS & set(people)


@pytest.mark.promise("X6")
def test_an_account_over_a_window_affects_only_the_people_it_read_then(story, policy):
    window = {"kind": "account", "account": "agent@example.com", "since": at(20), "until": at(80)}
    preview = story.officer.post(f"{story.url}/preview", json=window)
    assert preview.status_code == 200, preview.text
    assert story.officer.get(story.url).json()["frozen"] is False  # a preview stores nothing

    frozen = story.freeze(window)
    people = story.frozen_people()
    assert customers_in(people) == {"ann"}  # Cy was read before the window, Bob after it
    assert frozen["counts"] == preview.json()
    assert frozen["counts"]["people"] == len(people)
    assert frozen["counts"]["records"] == sum(p.records for p in people.values())
    assert frozen["scope"]["account"] == story.agent["id"]  # kept by id, not the address
    assert "user.account" in people["ann"].categories
    assert frozen["counts"]["categories"]["user.account"] >= 1

    everything = {**window, "since": at(0), "until": at(180)}
    counts = story.freeze(everything)["counts"]  # freezing again replaces the list
    people = story.frozen_people()
    assert customers_in(people) == CUSTOMERS
    laws = POLICIES[policy][1]
    assert {n: people[n].jurisdiction for n in CUSTOMERS} == laws
    for law in {v for v in laws.values() if v}:
        assert counts["jurisdictions"][law] >= list(laws.values()).count(law)
    with db(story.app) as session:
        incident = session.get_one(Incident, story.incident)
        assert incident.people_count == len(people) == counts["people"]
        assert incident.records_count == counts["records"]
        assert json.loads(incident.categories) == sorted(counts["categories"])
        assert set(json.loads(incident.jurisdictions)) == {v for v in laws.values() if v}
        by_law = {k: n for k, n in counts["jurisdictions"].items() if k != "unknown"}
        assert json.loads(incident.people_by_law) == by_law  # what the clocks count a law by
        assert json.loads(incident.affected_scope)["since"] == at(0)
        steps = session.scalars(
            select(IncidentEvent.kind).where(IncidentEvent.incident_id == story.incident)
        ).all()
        assert steps == ["affected.frozen", "affected.frozen"]
        details = session.scalars(
            select(IncidentEvent.detail).where(IncidentEvent.incident_id == story.incident)
        ).all()
        assert not any(p in d for d in details for p in (story.ann, story.bob, story.cy))


@pytest.mark.promise("X6")
def test_a_role_and_a_lost_device_are_tied_to_the_audit_trail(story):
    role = {"kind": "role", "role": "agent", "since": at(20), "until": at(80)}
    story.freeze(role)
    assert customers_in(story.frozen_people()) == {"ann"}

    # The laptop's session began at minute 30; Cy was read in the desk's, which ended.
    device = {"kind": "device", "account": story.agent["id"], "since": at(0), "until": at(180)}
    counts = story.freeze(device)["counts"]
    assert customers_in(story.frozen_people()) == {"ann", "bob"}
    assert counts["sessions"] == 1
    account = {**device, "kind": "account"}
    story.freeze(account)
    assert customers_in(story.frozen_people()) == CUSTOMERS


@pytest.mark.promise("X6")
def test_tables_a_backup_and_an_export_affect_the_people_with_rows_in_them(story):
    counts = story.freeze({"kind": "table", "tables": ["tickets"]})["counts"]
    people = story.frozen_people()
    assert set(people) == {"ann"}  # only Ann has a ticket
    assert counts["people"] == 1 and counts["records"] == people["ann"].records >= 1

    _, reference = verified_request(story.app, "access", story.bob, "bob@example.com")
    counts = story.freeze({"kind": "export", "request": reference})["counts"]
    assert set(story.frozen_people()) == {"bob"}
    assert counts["people"] == 1 and "user.account" in counts["categories"]

    story.freeze({"kind": "backup", "until": at(1)})
    assert customers_in(story.frozen_people()) == {"ann", "bob"}  # Cy joined after it
    story.freeze({"kind": "backup"})
    assert customers_in(story.frozen_people()) == CUSTOMERS


@pytest.mark.promise("X6")
def test_a_processor_breach_affects_the_people_whose_categories_it_receives(story, policy):
    processor = POLICIES[policy][0]
    counts = story.freeze({"kind": "processor", "processor": processor})["counts"]
    people = story.frozen_people()
    assert set(people) == {"ann"}  # Bob and Cy hold nothing the processor receives
    assert set(counts["categories"]) == set(people["ann"].categories)


@pytest.mark.promise("X6")
@pytest.mark.parametrize("policy", ["it-support-shop.yaml+sensitive"], indirect=True)
def test_special_categories_are_flagged_in_the_counts_and_raise_the_suggestions(story):
    record = f"/api/v1/dpo/incidents/{story.incident}"
    before = story.officer.get(record).json()
    assert (before["suggested_data_context"], before["suggestion"]) == (None, None)
    assert 'id="from-frozen"' not in story.officer.get(f"/dpo/incidents/{story.incident}").text

    counts = story.freeze({"kind": "processor", "processor": "logmein"})["counts"]
    assert counts["special"] == ["user.device.remote_session"]
    assert story.officer.get(story.url).json()["counts"]["special"] == counts["special"]
    page = story.officer.get(f"/dpo/incidents/{story.incident}/affected").text
    assert "special category" in page
    # the record's severity and decisions now follow what the frozen list holds
    after = story.officer.get(record).json()
    assert after["special_categories"] == ["user.device.remote_session"]
    assert after["suggested_data_context"] == 4.0  # sensitive
    assert after["suggestion"]["notify_authority"] is True and after["band"] is None
    assert after["affected_frozen_at"] is not None
    shown = story.officer.get(f"/dpo/incidents/{story.incident}").text
    assert 'id="from-frozen"' in shown and "Special categories are involved" in shown


def test_a_bad_scope_is_refused_with_one_line_and_nothing_stored(story):
    for scope, message in [
        ({"kind": "account", "account": "nobody@example.com", "since": at(0)}, "no such account"),
        ({"kind": "account", "account": "agent@example.com"}, "start of the window"),
        ({"kind": "role", "role": "agent", "since": at(9), "until": at(1)}, "end after"),
        ({"kind": "table", "tables": ["secrets"]}, "No table of personal data"),
        ({"kind": "processor", "processor": "nobody"}, "no such processor"),
        ({"kind": "export", "request": "PR-NONE-NONE"}, "no rights request"),
    ]:
        answer = story.officer.post(story.url, json=scope)
        assert answer.status_code == 422, answer.text
        assert message in answer.json()["detail"]
    assert story.officer.get(story.url).json()["frozen"] is False
    with db(story.app) as session:
        session.get_one(Incident, story.incident).status = "closed"
        session.commit()
    closed = story.officer.post(story.url, json={"kind": "backup"})
    assert closed.status_code == 409 and "closed" in closed.json()["detail"]
    missing = story.officer.get(
        "/api/v1/dpo/incidents/00000000-0000-0000-0000-000000000000/affected"
    )
    assert missing.status_code == 404


@pytest.mark.promise("X6")
def test_the_page_previews_then_freezes_the_list(story, policy):
    page = story.officer.get(f"/dpo/incidents/{story.incident}/affected")
    assert page.status_code == 200
    assert "No list is frozen yet." in page.text and 'aria-current="page"' in page.text
    form = {"kind": "account", "account": "agent@example.com"}
    zone = ZoneInfo(ZONES[policy])  # the times are typed in the business's zone
    typed = {
        name: (START + timedelta(minutes=m)).astimezone(zone).strftime("%Y-%m-%dT%H:%M")
        for name, m in (("since", 20), ("until", 80))
    }
    window = {**form, **typed}
    path = f"/dpo/incidents/{story.incident}/affected"

    wrong = post_form(story.officer, path, {**form, "do": "preview"})
    assert wrong.status_code == 422
    assert error_of(wrong.text) == "Give the start of the window (from)."
    shown = post_form(story.officer, path, {**window, "do": "preview"})
    assert shown.status_code == 200
    assert 'id="preview"' in shown.text and "Nothing is stored" in shown.text
    assert story.officer.get(story.url).json()["frozen"] is False

    done = post_form(story.officer, path, {**window, "do": "freeze"})
    assert done.status_code == 200 and "The list is frozen into the incident." in done.text
    assert 'id="frozen"' in done.text
    assert "ann" in customers_in(story.frozen_people())
    assert story.officer.get(story.url).json()["frozen"] is True


@pytest.mark.promise("X6")
def test_the_command_line_previews_and_freezes(story, settings):
    args = ["incident", "affected", "INC-2031-0001", "--account", "agent@example.com"]
    window = ["--from", at(20), "--until", at(80)]
    counted = steward(settings, *args, *window, "--preview")
    assert counted.exit_code == 0, counted.output
    assert "people" in counted.output and "frozen" not in counted.output
    assert story.officer.get(story.url).json()["frozen"] is False

    done = steward(settings, *args, *window)
    assert done.exit_code == 0, done.output
    assert "frozen into INC-2031-0001" in done.output
    frozen = story.officer.get(story.url).json()
    assert f"people   {frozen['counts']['people']}" in done.output
    assert customers_in(story.frozen_people()) == {"ann"}

    both = steward(settings, *args, "--role", "agent", *window)
    assert both.exit_code == 1 and "give one of" in both.output
    unknown = steward(settings, "incident", "affected", "INC-2031-0009", "--backup")
    assert unknown.exit_code == 1 and "There is no incident INC-2031-0009." in unknown.output


def test_only_the_privacy_officer_computes_who_was_affected(story, app, admin):
    scope = {"kind": "backup"}
    assert admin.post(f"{story.url}/preview", json=scope).status_code == 403
    assert admin.get(f"/dpo/incidents/{story.incident}/affected").status_code == 403
