"""Saved views (an agent's own queue filters) and canned replies (shared by staff)."""

from tests.desk import test_tickets as shared
from tests.desk.test_tickets import TICKETS, open_ticket, staff_member

ada, agent = shared.ada, shared.agent  # the fixtures

VIEWS = "/api/v1/saved-views"
REPLIES = "/api/v1/canned-replies"


def test_an_agent_saves_a_view_others_never_see_and_uses_its_filters(
    ada, agent, admin, mailbox, new_client
):
    urgent = open_ticket(ada, subject="Server down", priority="urgent")
    open_ticket(ada, subject="Mouse squeaks")
    created = agent.post(
        VIEWS, json={"name": "  Urgent  mine ", "filters": {"priority": "urgent", "status": None}}
    )
    assert created.status_code == 201, created.text
    view = created.json()
    assert view["name"] == "Urgent mine" and view["filters"] == {"priority": "urgent"}
    assert agent.get(VIEWS).json() == {"items": [view], "next_offset": None}
    listed = agent.get(TICKETS, params=view["filters"]).json()["items"]
    assert [t["id"] for t in listed] == [urgent["id"]]

    other = staff_member(admin, mailbox, new_client, "other@example.com", "agent")
    assert other.get(VIEWS).json()["items"] == []
    assert other.delete(f"{VIEWS}/{view['id']}").status_code == 404
    assert agent.post(VIEWS, json={"name": "Urgent mine", "filters": {}}).status_code == 409
    assert agent.delete(f"{VIEWS}/{view['id']}").status_code == 204
    assert agent.get(VIEWS).json()["items"] == []


def test_a_saved_view_keeps_checked_filters_and_never_search_words(agent, ada):
    words = agent.post(VIEWS, json={"name": "Ada", "filters": {"text": "Ada Lovelace"}})
    assert words.status_code == 422 and "search words" in words.json()["detail"]
    assert "Lovelace" not in words.text
    for filters in ({"status": "sleeping"}, {"colour": "red"}):
        assert agent.post(VIEWS, json={"name": "Bad", "filters": filters}).status_code == 422
    assert agent.post(VIEWS, json={"name": "", "filters": {}}).status_code == 422
    assert ada.get(VIEWS).status_code == 403
    assert ada.post(VIEWS, json={"name": "Mine", "filters": {}}).status_code == 403
    assert agent.get(VIEWS).json()["items"] == []


def test_staff_share_canned_replies_that_agents_and_admins_write(
    admin, agent, mailbox, new_client, ada
):
    created = agent.post(REPLIES, json={"title": "Restart", "body": "Please restart the device."})
    assert created.status_code == 201, created.text
    reply_id = created.json()["id"]
    billing = staff_member(admin, mailbox, new_client, "billing@example.com", "billing")
    assert [r["title"] for r in billing.get(REPLIES).json()["items"]] == ["Restart"]
    assert billing.post(REPLIES, json={"title": "x", "body": "y"}).status_code == 403
    assert billing.patch(f"{REPLIES}/{reply_id}", json={"title": "x"}).status_code == 403
    assert ada.get(REPLIES).status_code == 403

    changed = admin.patch(f"{REPLIES}/{reply_id}", json={"body": "Turn it off and on again."})
    assert changed.json() == {**created.json(), "body": "Turn it off and on again."}
    card = agent.post(REPLIES, json={"title": "Pay", "body": "Card 4111 1111 1111 1111"})
    assert card.status_code == 422
    assert agent.patch(f"{REPLIES}/{reply_id}", json={"title": " "}).status_code == 422
    assert agent.delete(f"{REPLIES}/{reply_id}").status_code == 204
    assert agent.delete(f"{REPLIES}/{reply_id}").status_code == 404
    assert agent.get(REPLIES).json() == {"items": [], "next_offset": None}
