"""The lists that answered another shape before issue 16 page as docs/api.md says: `limit`
items from `offset`, `next_offset` the offset of the next page and null on the last, the pages
together the whole list in its order; a list kept small answers one page."""

from datetime import timedelta

import pytest

from steward.core import clock
from tests.consent.kit import choose
from tests.desk.team import Team
from tests.rights.conftest import ask
from tests.rights.intake_kit import steward


@pytest.fixture
def team(admin, mailbox, new_client) -> Team:
    return Team(admin, mailbox, new_client)


def pages(browser, path: str, limit: int, **params) -> list[dict]:
    """Every page of a list, read `limit` at a time by following `next_offset`."""
    found, offset = [], 0
    while True:
        answer = browser.get(path, params={**params, "offset": offset, "limit": limit})
        assert answer.status_code == 200, answer.text
        page = answer.json()
        assert set(page) == {"items", "next_offset"}
        assert len(page["items"]) == limit or page["next_offset"] is None
        found.append(page)
        if page["next_offset"] is None:
            return found
        assert page["next_offset"] == offset + limit
        offset = page["next_offset"]


def whole(browser, path: str, **params) -> list[dict]:
    answer = browser.get(path, params=params).json()
    assert answer["next_offset"] is None
    return answer["items"]


def ids(found: list[dict], key: str = "id") -> list[list[str]]:
    return [[item[key] for item in page["items"]] for page in found]


def test_canned_replies_page_by_title(team):
    for title in ("Restart", "Apologies", "Toner"):
        assert (
            team["agent"]
            .post("/api/v1/canned-replies", json={"title": title, "body": "..."})
            .status_code
            == 201
        )
    found = pages(team["billing"], "/api/v1/canned-replies", 2)
    assert ids(found, "title") == [["Apologies", "Restart"], ["Toner"]]
    for limit in (0, 201):
        answer = team["agent"].get("/api/v1/canned-replies", params={"limit": limit})
        assert answer.status_code == 422


def test_saved_views_are_one_page(team):
    for name in ("Urgent", "Mine"):
        answer = team["agent"].post("/api/v1/saved-views", json={"name": name, "filters": {}})
        assert answer.status_code == 201
    listed = team["agent"].get("/api/v1/saved-views").json()
    assert [v["name"] for v in listed["items"]] == ["Mine", "Urgent"]
    assert listed["next_offset"] is None


def test_holds_page_with_those_to_review_first(team):
    officer = team["privacy_officer"]
    people = [team.customer(name)[1] for name in ("ada", "bob", "cy")]
    today = clock.today()
    with clock.frozen_at(clock.now() - timedelta(days=10)):
        ending = {"ends_on": (today - timedelta(days=5)).isoformat()}
        first = officer.post(
            "/api/v1/dpo/holds",
            json={"scope": "person", "target": people[0], "reason": "dispute", **ending},
        )
    assert first.status_code == 201, first.text
    later = []
    for person in people[1:]:
        placed = officer.post(
            "/api/v1/dpo/holds", json={"scope": "person", "target": person, "reason": "dispute"}
        )
        later.append(placed.json()["id"])
    found = pages(officer, "/api/v1/dpo/holds", 2)
    newest_first = sorted(later, key=later.index, reverse=True)
    assert ids(found) == [[first.json()["id"], newest_first[0]], [newest_first[1]]]
    assert found[0]["items"][0]["needs_review"] is True
    released = officer.post(f"/api/v1/dpo/holds/{later[0]}/release")
    assert released.status_code == 200
    assert len(whole(officer, "/api/v1/dpo/holds")) == 2
    assert len(whole(officer, "/api/v1/dpo/holds", released=True)) == 3


def test_retention_runs_page_newest_first(team, identity_settings):
    officer = team["privacy_officer"]
    for days in (1, 2, 3):
        with clock.frozen_at(clock.now() + timedelta(days=days)):
            result = steward(identity_settings, "retention", "run")
            assert result.exit_code == 0, result.output
    found = pages(officer, "/api/v1/dpo/retention/runs", 2)
    started = [run["started_at"] for page in found for run in page["items"]]
    assert [len(page["items"]) for page in found] == [2, 1]
    assert started == sorted(started, reverse=True)


def test_the_officers_queue_and_ones_own_requests_page(team):
    ada, _ = team.customer("ada")
    bob, _ = team.customer("bob")
    mine = [
        ask(ada, kind, details="About my account.")["reference"]
        for kind in ("access", "restriction", "objection")
    ]
    ask(bob, "access")
    own = pages(ada, "/api/v1/me/rights", 2)
    assert [len(page["items"]) for page in own] == [2, 1]
    assert sorted(r for page in ids(own, "reference") for r in page) == sorted(mine)
    officer = team["privacy_officer"]
    queue = pages(officer, "/api/v1/dpo/requests", 3, include_closed=True)
    assert [len(page["items"]) for page in queue] == [3, 1]
    in_pages = [item for page in queue for item in page["items"]]
    assert in_pages == whole(officer, "/api/v1/dpo/requests", include_closed=True)
    assert [i["due_at"] for i in in_pages] == sorted(i["due_at"] for i in in_pages)


def test_ones_consent_history_pages_newest_first(team):
    ada, _ = team.customer("ada")
    choose(ada, {"analytics": True, "functional": True})
    choose(ada, {"analytics": False, "functional": True})
    history = pages(ada, "/api/v1/me/consent", 2)
    assert [len(page["items"]) for page in history] == [2, 1]
    newest = history[0]["items"][0]
    assert (newest["purpose"], newest["choice"]) == ("analytics", "withdrawn")
