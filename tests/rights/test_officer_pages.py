"""The privacy officer's day at /dpo, through the pages as a browser without JavaScript uses
them: who asked and whom a request matched by name, the timeline in words, moving an
unverified request on (a new code, a check recorded), an access export previewed before it
is sent, an erasure's approval step, and the holds a scheduled erasure waits for."""

import html
import re

import pytest

from tests.people import PASSWORD
from tests.rights.conftest import code_in_last
from tests.rights.test_pages import ask_on_page, post, reference_in, request_id_of
from tests.web.page_helpers import error_of, post_form

UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
KEY = re.compile(r"\buser\.[a-z_.]+|\bmarketing\.[a-z_.]+|\bessential\.[a-z_.]+")


def shown(page: str) -> str:
    """What a person reads on a page: its text, without tags, attributes or the style sheet."""
    body = re.sub(r"<(style|script)\b.*?</\1>", " ", page, flags=re.DOTALL)
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", body)).split())


def reads_no_ids_or_keys(page: str) -> None:
    text = shown(page)
    assert not UUID.search(text), UUID.search(text)
    assert not KEY.search(text), KEY.search(text)


def unverified(client, email: str, kind: str = "access") -> str:
    """A request asked signed out, waiting for its mailed code; returns its reference."""
    return reference_in(ask_on_page(client, kind, email=email, name="Ada Lovelace"))


def test_the_officer_reads_who_asked_and_whom_it_matched_by_name(team):
    ada, ada_id = team.customer("ada")
    officer = team["privacy_officer"]
    reference = reference_in(ask_on_page(ada, "objection", purposes="marketing.communications"))

    queue = officer.get("/dpo?closed=true").text
    row = next(r for r in queue.split("<tr") if reference in r)
    assert "Ada Lovelace" in shown(row)
    request_id = request_id_of(officer, reference)
    page = officer.get(f"/dpo/requests/{request_id}").text
    assert "Matched person Ada Lovelace · every request about them" in shown(page)
    assert "Marketing messages" in shown(page)  # the purpose objected to, by the policy's name
    assert "Verified (by signed in)" in shown(page)
    reads_no_ids_or_keys(page)
    theirs = officer.get(f"/dpo?person={ada_id}").text
    assert "Privacy requests about Ada Lovelace" in shown(theirs) and reference in theirs
    reads_no_ids_or_keys(queue)


def test_the_officer_mails_a_new_code_and_the_old_one_stops_working(
    team, new_client, mailbox, audit_rows
):
    officer, stranger = team["privacy_officer"], new_client()
    reference = unverified(stranger, "sam@example.com")
    old = code_in_last(mailbox, "sam@example.com")
    request_id = request_id_of(officer, reference)
    page = officer.get(f"/dpo/requests/{request_id}").text
    assert "Resend the code" in page and "Mails a new code to sam@example.com" in page

    sent = post(officer, f"/dpo/requests/{request_id}/resend-code", {})
    assert sent.status_code == 303
    page = officer.get(sent.headers["location"]).text
    assert "A new code is mailed to the person" in page
    assert "Verification code mailed by Staff Member" in shown(page)
    new = code_in_last(mailbox, "sam@example.com")
    if new != old:  # one in a million, the new code is the old one
        stale = post(stranger, "/privacy/center/verify", {"reference": reference, "code": old})
        assert stale.status_code in (400, 422) and 'class="alert error"' in stale.text
    fresh = post(stranger, "/privacy/center/verify", {"reference": reference, "code": new})
    assert fresh.status_code == 303
    assert "resend_code" in [row["action"] for row in audit_rows()]


def test_the_officer_records_a_call_back_and_the_request_is_verified(team, new_client):
    team.customer("ada")
    officer = team["privacy_officer"]
    reference = unverified(new_client(), "ada@example.com")
    request_id = request_id_of(officer, reference)
    page = officer.get(f"/dpo/requests/{request_id}").text
    assert "Record how you checked who asked" in page
    assert 'value="call_back"' in page and 'value="id_seen"' in page
    assert 'value="account"' not in page  # details matched: this policy's access takes none
    url = f"/dpo/requests/{request_id}/identity-checked"

    blank = post(officer, url, {"method": "call_back", "note": " "})
    assert blank.status_code == 422 and "What you did (required)" in error_of(blank.text)
    assert 'id="check-call_back" name="method" value="call_back" required checked' in blank.text
    forged = post(officer, url, {"method": "account", "note": "I know her"})
    assert forged.status_code == 422
    assert "the policy accepts" in error_of(forged.text)

    note = "Called back on the number in her account; she confirmed the request."
    done = post(officer, url, {"method": "call_back", "note": note})
    assert done.status_code == 303, done.text
    page = shown(officer.get(done.headers["location"]).text)
    assert "The identity check is recorded; the request is verified." in page
    assert "Verification by a call-back to the phone number we hold" in page
    assert "Verified (by a call-back to the phone number we hold) by Staff Member" in page
    assert "Matched person Ada Lovelace" in page
    assert note in page  # kept, sealed, with the request's details
    again = post(officer, url, {"method": "call_back", "note": note})
    assert again.status_code == 409


@pytest.mark.promise("R1")
def test_an_access_export_is_previewed_by_category_before_it_is_sent(team, mailbox):
    ada, _ = team.customer("ada")
    officer = team["privacy_officer"]
    request_id = request_id_of(officer, reference_in(ask_on_page(ada, "access")))
    page = officer.get(f"/dpo/requests/{request_id}").text
    assert f'href="/dpo/requests/{request_id}/export">Preview the export' in page
    assert f'action="/dpo/requests/{request_id}/fulfil"' not in page  # no one-click send

    preview = officer.get(f"/dpo/requests/{request_id}/export")
    assert preview.status_code == 200
    text = shown(preview.text)
    assert "Account data" in text and "Send the export" in text  # categories by name
    assert "1990" not in text  # counts only: none of the values it holds
    reads_no_ids_or_keys(preview.text)
    assert not [m for m in mailbox.to("ada@example.com") if "is ready" in m["Subject"]]

    sent = post(officer, f"/dpo/requests/{request_id}/fulfil", {"confirmed": "yes"})
    assert sent.status_code == 303
    assert "The export is ready" in officer.get(sent.headers["location"]).text
    assert "is ready" in mailbox.last_to("ada@example.com")["Subject"]


@pytest.mark.promise("R3", "T2")
def test_an_erasure_says_when_it_runs_how_to_stop_it_and_which_hold_it_waits_for(team):
    ada, _ = team.customer("ada")
    officer = team["privacy_officer"]
    reference = reference_in(ask_on_page(ada, "erasure", password=PASSWORD))
    request_id = request_id_of(officer, reference)
    page = shown(officer.get(f"/dpo/requests/{request_id}").text)
    assert "Approving schedules the erasure; nothing is erased yet." in page
    assert "the grace period of 7 days is over: approved now, on" in page
    assert "you cancel it on this page, or the person cancels it in the privacy center" in page
    reads_no_ids_or_keys(officer.get(f"/dpo/requests/{request_id}").text)

    approved = post(officer, f"/dpo/requests/{request_id}/fulfil", {})
    page = shown(officer.get(approved.headers["location"]).text)
    assert "The erasure is approved It runs on" in page and "Cancel the erasure" in page
    assert "Waits for" not in page

    form = {"scope": "person", "target": "ada@example.com", "reason": "legal_claim"}
    assert post_form(officer, "/dpo/holds", form).status_code == 200
    page = shown(officer.get(f"/dpo/requests/{request_id}").text)
    assert "The erasure waits for a legal hold" in page
    assert (
        "on Ada Lovelace (Legal claim), placed" in page
        and "since the erasure was scheduled" in page
    )
    queue = shown(officer.get("/dpo").text)
    assert "Waits for a legal hold on Ada Lovelace, placed since it was scheduled" in queue


def test_the_queue_is_paged_soonest_due_first(team, new_client, monkeypatch):
    from steward.web.pages import rights_work

    monkeypatch.setattr(rights_work, "PAGE_SIZE", 2)
    officer = team["privacy_officer"]
    asked = [unverified(new_client(), f"person{n}@example.com") for n in range(3)]

    first = officer.get("/dpo").text
    assert [r for r in asked if r in first] == asked[:2]
    assert "Due sooner" not in first
    later = html.unescape(re.search(r'href="([^"]+)">Due later', first).group(1))
    assert later == "/dpo?offset=2"
    second = officer.get(later).text
    assert [r for r in asked if r in second] == asked[2:]
    assert "Due later" not in second
    assert html.unescape(re.search(r'href="([^"]+)">← Due sooner', second).group(1)) == "/dpo"
    everything = officer.get("/dpo?closed=true").text
    assert 'href="/dpo?closed=True&amp;offset=2"' in everything
