"""The consent ledger: one event per change, the current state, and the gate's view of a
person's consents (C2: who, what, when, which version)."""

from datetime import UTC, datetime, timedelta

import pytest

from steward.access.people import states_of
from steward.consent import ledger
from steward.core import clock
from steward.identity.common import state_of
from tests.consent.kit import TEXT, VERSION, choose, ledger_rows, new_browser_id
from tests.desk.team import Team


@pytest.fixture
def team(admin, mailbox, new_client) -> Team:
    return Team(admin, mailbox, new_client)


def _gate_view(app, person_id):
    with app.state.runtime.session() as session:
        return state_of(session, person_id).consents, states_of(session, [person_id])


def test_ip_addresses_are_kept_only_as_their_network():
    assert ledger.truncate_ip("203.0.113.77") == "203.0.113.0/24"
    assert ledger.truncate_ip("2001:db8:abcd:12:1:2:3:4") == "2001:db8:abcd::/48"
    assert ledger.truncate_ip("::ffff:198.51.100.9") == "198.51.100.0/24"
    assert ledger.truncate_ip("testclient") is None
    assert ledger.truncate_ip(None) is None


@pytest.mark.promise("C2")
def test_each_event_records_who_what_when_which_version_and_the_text_shown(app, new_client):
    visitor = new_client()
    browser_id = new_browser_id()
    moment = datetime(2031, 3, 4, 10, 0, tzinfo=UTC)
    with clock.frozen_at(moment):
        choose(visitor, {"analytics": True, "functional": False}, browser_id=browser_id)

    rows = ledger_rows(app, browser_id)
    assert {(r.purpose, r.choice) for r in rows} == {
        ("analytics", "given"),
        ("functional", "withdrawn"),
    }
    for row in rows:
        assert row.browser_id == browser_id and row.person_id is None
        assert row.method == "banner"
        assert row.policy_version == "1.0" and row.text_sha256 == TEXT
        assert row.at == moment


@pytest.mark.promise("C2")
def test_a_choice_is_recorded_again_only_when_it_changes_and_earlier_events_stay(app, new_client):
    visitor = new_client()
    browser_id = new_browser_id()
    choose(visitor, {"analytics": True, "functional": True}, browser_id=browser_id)
    choose(visitor, {"analytics": True, "functional": True}, browser_id=browser_id)
    assert len(ledger_rows(app, browser_id)) == 2

    with clock.frozen_at(clock.now() + timedelta(minutes=1)):
        choose(visitor, {"analytics": False, "functional": True}, browser_id=browser_id)
    rows = ledger_rows(app, browser_id)
    assert [(r.purpose, r.choice) for r in rows[2:]] == [("analytics", "withdrawn")]
    assert ("analytics", "given") in {(r.purpose, r.choice) for r in rows}  # kept as proof
    with app.state.sessions() as session:
        assert ledger.current(session, browser_id) == {"analytics": False, "functional": True}
        assert ledger.history(session, browser_id)[0].purpose == "analytics"


@pytest.mark.promise("C2")
@pytest.mark.parametrize(
    "shown", [{"policy_version": "0.9"}, {"text_sha256": "0" * 64}], ids=["version", "text"]
)
def test_a_choice_under_a_text_not_in_force_is_refused_and_nothing_recorded(app, new_client, shown):
    """The ledger proves what this server showed: a stale banner or a forged hash is not
    recorded; the banner is told to ask again."""
    visitor = new_client()
    browser_id = new_browser_id()
    body = {
        "browser_id": browser_id,
        "choices": {"analytics": True},
        "policy_version": VERSION,
        "text_sha256": TEXT,
        **shown,
    }
    answer = visitor.post("/api/v1/consent", json=body)
    assert answer.status_code == 409
    assert "reload the page" in answer.json()["detail"]
    assert ledger_rows(app, browser_id) == []


@pytest.mark.promise("C2")
def test_the_same_choice_under_a_new_policy_version_is_recorded_as_new_consent(app):
    browser_id = new_browser_id()
    with app.state.sessions() as session:
        for version, minutes in (("1.0", 0), ("1.1", 1)):
            with clock.frozen_at(clock.now() + timedelta(minutes=minutes)):
                ledger.record(
                    session,
                    owner=browser_id,
                    browser_id=browser_id,
                    choices={"analytics": True},
                    method="banner",
                    policy_version=version,
                    text_sha256=TEXT,
                    ip=None,
                )
    assert [r.policy_version for r in ledger_rows(app, browser_id)] == ["1.0", "1.1"]


@pytest.mark.promise("C2")
def test_the_gate_sees_the_consent_based_purposes_a_person_gives(app, team):
    ada, ada_id = team.customer("ada")
    browser_id = new_browser_id()
    choose(
        ada, {"analytics": True, "performance": True, "functional": False}, browser_id=browser_id
    )

    consents, many = _gate_view(app, ada_id)
    assert consents == frozenset({"analytics.reporting"})
    assert many[ada_id].consents == consents

    with clock.frozen_at(clock.now() + timedelta(minutes=1)):
        choose(ada, {"analytics": False, "functional": True}, browser_id=browser_id)
    consents, many = _gate_view(app, ada_id)
    assert consents == frozenset({"functional.preferences"})
    assert many[ada_id].consents == consents


def test_withdrawing_one_category_serving_a_purpose_withdraws_the_purpose(app, team):
    ada, ada_id = team.customer("ada")
    choose(ada, {"analytics": True, "performance": False}, browser_id=new_browser_id())
    consents, _ = _gate_view(app, ada_id)
    assert "analytics.reporting" not in consents


def test_a_visitors_choice_gives_no_person_any_consent(app, team, new_client):
    _, ada_id = team.customer("ada")
    choose(new_client(), {"analytics": True}, browser_id=new_browser_id())
    consents, _ = _gate_view(app, ada_id)
    assert consents == frozenset()
